internal import CLibXML2
import Foundation

// MARK: - Writing a page without a libxml2 tree, byte for byte as libxml2 writes the tree

// A national build writes 80,000 pages; a libxml2 tree per page costs 0.73 ms to build, free
// and serialise before any of qtown's own work (scripts/libxml2-floor), which alone is more
// than the build's time budget. So pages are written by two writers that produce exactly what
// libxml2 2.9 writes for the same tree built by `XMLBuilder`:
// - HTML: `HTMLPageWriter`, as `htmlDocContentDumpFormatOutput` with format 1 (HTMLtree.c)
//   writes it, streamed as the page is built;
// - XHTML: `PageWriter`, a small tree written as `xmlSaveDoc` with XML_SAVE_FORMAT |
//   XML_SAVE_NO_DECL writes it (xmlsave.c `xmlNodeDumpOutputInternal`).
//
// What stays libxml2's:
// - what it knows of each name (`htmlTagLookup`, `htmlIsBooleanAttr`), asked once per
//   template name (`XMLName`);
// - every escape: a text or attribute value is copied as it is only when it has none of the
//   bytes libxml2's escaping would change (checked byte by byte in `PageBytes`, rule by rule
//   from the functions named); any other value is escaped by libxml2 itself, through the very
//   function its serialiser calls (`xmlEncodeEntitiesReentrant`) or by serialising that one
//   attribute or text node with libxml2.
// What the writers reproduce: where libxml2's formatting puts newlines and indentation, and
// tags from template names. `XMLBuilder` (the libxml2 tree) stays the reference: a test writes
// every page of the bundled build both ways, and random hostile values in every context, and
// compares the bytes.

/// Writes an HTML page while it is built. libxml2's HTML formatting decides each newline from
/// a node's neighbours (HTMLtree.c, htmlNodeDumpFormatOutput):
/// - after an element's `>`, when the element is known, not inline, its name does not start
///   with `p`, it has two children or more and the first is not text;
/// - before its end tag, on the same terms for the last child;
/// - after an element that is known and not inline, when an element follows it and the parent's
///   name does not start with `p`.
/// A template is built depth first, so each of these is known when the next node arrives or
/// the element ends (the build moves to a sibling or an ancestor); the one newline that waits
/// for the second child is put in then, at the place kept for it.
struct HTMLPageWriter: PageBuilder {
    typealias Node = Int32
    // (Not to be copied: its bytes and stack are shared by a copy.)

    /// An element still open (the build may add to it).
    private struct Open {
        let node: Int32
        let tag: XMLTag
        /// libxml2 writes it: it is not inside a void element.
        let written: Bool
        /// The start tag can still take attributes: `>` is not written yet.
        var tagOpen = true
        /// Where its start tag starts, and its children, right after `>`.
        var start = 0
        var afterOpen = 0
        /// Children so far: 0, 1, or 2 for two or more (adjacent texts are one child).
        var children: UInt8 = 0
        var firstIsText = false
        var lastIsText = false
        /// The last child is an element libxml2 follows by a newline when an element comes next.
        var lastIsBlock = false
    }

    private var out = PageBytes(xhtml: false)
    /// The innermost open element (the document, node -1, at first) and those around it.
    private var top: Open
    private let outer = OpenStack<Open>()
    /// The attributes set on the open start tag, by name (as xmlSetProp, a name set again keeps
    /// its place): the interned name's bytes and the attribute's bytes.
    private var tagAttributes: [(name: UnsafePointer<UInt8>, start: Int, count: Int)] = []
    private var nodeCount: Int32 = 0

    private static let document = Open(node: -1, tag: XMLName.named("#document").tag, written: false)

    init() {
        top = HTMLPageWriter.document
        // Both serialisers: the DOCTYPE (no public or system id), then the root, then a newline.
        out.put("<!DOCTYPE html>\n")
    }

    @inline(__always) private static func isBlock(_ f: XMLTag.Flags) -> Bool {
        f.contains(.htmlKnown) && !f.contains(.htmlInline)
    }

    /// Ends the open elements inside `node` (-1: all of them): the build has moved on.
    @inline(__always) private mutating func close(downTo node: Int32) {
        while top.node != node {
            precondition(top.node >= 0, "a node added to an element that has ended")
            end()
        }
    }

    /// Writes the end of the innermost open element.
    private mutating func end() {
        let e = top
        top = outer.pop()
        guard e.written else { return }
        let f = e.tag.flags
        if e.tagOpen { out.put(">") }
        if f.contains(.htmlKnown) && f.contains(.htmlEmpty) { return }
        if e.children == 0 {
            if !(f.contains(.htmlKnown) && f.contains(.htmlNoEndTagWhenEmpty)) { out.put(e.tag.end) }
            return
        }
        if e.children > 1 && HTMLPageWriter.isBlock(f) && !f.contains(.startsWithP) && !e.lastIsText { out.put("\n") }
        out.put(e.tag.end)
    }

    /// A new child of `parent` (a text, or an element that is `block`): writes what comes
    /// before it and says whether it is written (a void element's children are not).
    @inline(__always) private mutating func child(of parent: Int32, text: Bool, block: Bool) -> Bool {
        if top.node != parent { close(downTo: parent) }
        let f = top.tag.flags
        guard top.written, !(f.contains(.htmlKnown) && f.contains(.htmlEmpty)) else { return false }
        if top.tagOpen {
            out.put(">")
            top.tagOpen = false
            top.afterOpen = out.count
        }
        // Text next to text is one text node (xmlAddChild).
        if text && top.lastIsText { return true }
        if top.children == 0 {
            top.firstIsText = text
        } else if top.children == 1 && !top.firstIsText && HTMLPageWriter.isBlock(f) && !f.contains(.startsWithP) {
            out.insertNewline(at: top.afterOpen)
        }
        if !text && top.lastIsBlock && !f.contains(.startsWithP) { out.put("\n") }
        top.children = min(top.children + 1, 2)
        top.lastIsText = text
        top.lastIsBlock = block
        return true
    }

    mutating func element(_ name: XMLName, namespace: String?, parent: Int32?) -> Int32 {
        element(name.tag, parent: parent)
    }

    private mutating func element(_ tag: XMLTag, parent: Int32?) -> Int32 {
        let id = nodeCount
        nodeCount += 1
        var written = false
        if let p = parent {
            written = child(of: p, text: false, block: HTMLPageWriter.isBlock(tag.flags))
        } else {
            close(downTo: -1)
            written = true
        }
        outer.push(top)
        top = Open(node: id, tag: tag, written: written)
        top.start = out.count
        if !tagAttributes.isEmpty { tagAttributes.removeAll(keepingCapacity: true) }
        if written { out.put(tag.start) }
        return id
    }

    /// As xmlSetProp: a name set again keeps its place and takes the new value.
    mutating func setAttribute(_ node: Int32, _ name: XMLName, _ value: String) {
        precondition(top.node == node && top.tagOpen, "an attribute set after the element's children")
        guard top.written else { return }
        var value = value
        let start = out.count
        let element = top.tag
        value.withUTF8 { out.attribute(name, $0, element: element) }
        let count = out.count - start
        if let i = tagAttributes.firstIndex(where: { $0.name == name.tag.name.start }) {
            let old = tagAttributes[i]
            out.move(start..<(start + count), to: old.start..<(old.start + old.count))
            tagAttributes[i].count = count
            for j in (i + 1)..<tagAttributes.count { tagAttributes[j].start += count - old.count }
        } else {
            tagAttributes.append((name.tag.name.start, start, count))
        }
    }

    mutating func appendText(_ node: Int32, _ text: String) {
        guard !text.isEmpty, child(of: node, text: true, block: false) else { return }
        var text = text
        let raw = top.tag.flags.contains(.htmlRawText)
        text.withUTF8 { out.text($0, raw: raw) }
    }

    /// The element with its attributes as escaped when the template was compiled.
    mutating func element(_ program: TemplateProgram, _ op: Int32, parent: Int32?) -> Int32 {
        let o = program.ops.baseAddress! + Int(op)
        let n = element(o.pointee.tag, parent: parent)
        if top.written { out.put(program.bytes(o.pointee.preparedHTML)) }
        return n
    }

    /// The template's text as escaped when compiled, for the element it lands in.
    mutating func appendText(_ program: TemplateProgram, text op: Int32, to node: Int32) {
        guard child(of: node, text: true, block: false) else { return }
        let o = program.ops.baseAddress! + Int(op)
        out.put(program.bytes(top.tag.flags.contains(.htmlRawText) ? o.pointee.textHTMLRaw : o.pointee.textHTML))
    }

    mutating func serialize() -> [UInt8] {
        close(downTo: -1)
        out.put("\n")
        return out.bytes
    }

    // Reusing elements: an element's bytes, from `<` to its end tag, depend only on its own
    // subtree (what comes before and after it is decided by its parent and siblings).

    var reusesElements: Bool { true }

    mutating func elementMark() -> Int { Int(nodeCount) }

    mutating func finishElement(_ mark: Int) -> [UInt8]? {
        // Every node open above it came after it.
        while top.node > Int32(mark) { end() }
        guard top.node == Int32(mark) else { return nil }
        let (written, start) = (top.written, top.start)
        end()
        return written ? Array(out.held[start...]) : nil
    }

    mutating func appendElement(_ bytes: [UInt8], tag: XMLTag, parent: Int32) {
        if child(of: parent, text: false, block: HTMLPageWriter.isBlock(tag.flags)) { out.put(bytes) }
    }
}

/// Builds an XHTML page as a small array-backed tree and writes it as libxml2 writes the tree
/// `XMLBuilder` builds. (XHTML's formatting of an element's children depends on whether any
/// of them is text, so the page is written once it is complete.)
struct PageWriter: PageBuilder {
    typealias Node = Int32
    /// The page's tree (a struct, its node arrays checked for exclusive access only as values
    /// are; its bytes are in a `ByteBuffer` a copy would share, so it is not to be copied).
    private var tree: PageTree

    init() {
        tree = PageTree()
    }

    mutating func element(_ name: XMLName, namespace: String?, parent: Int32?) -> Int32 { tree.element(name, namespace: namespace, parent: parent) }
    mutating func setAttribute(_ node: Int32, _ name: XMLName, _ value: String) { tree.setAttribute(node, name, value) }
    mutating func appendText(_ node: Int32, _ text: String) { tree.appendText(node, text) }

    /// The element with its attributes as escaped when the template was compiled.
    mutating func element(_ program: TemplateProgram, _ op: Int32, parent: Int32?) -> Int32 {
        let o = program.ops[Int(op)]
        let n = tree.element(o.tag, namespace: program.namespace(of: o), parent: parent)
        tree.appendPreparedAttributes(n, program.bytes(o.preparedXHTML))
        return n
    }

    /// The template's text as escaped when compiled.
    mutating func appendText(_ program: TemplateProgram, text op: Int32, to node: Int32) {
        tree.appendEscapedText(node, program.bytes(program.ops[Int(op)].textXHTML))
    }

    func serialize() -> [UInt8] {
        var s = PageSerializer(tree)
        return s.run()
    }
}

/// The XHTML tree `PageWriter` builds: nodes and attributes in arrays, linked by index. Values
/// are escaped as they arrive (a text's escaping depends only on its bytes, an attribute's on
/// its name), so the tree holds bytes ready to write: writing a page touches no strings and no
/// reference counts.
struct PageTree {
    struct TreeNode {
        var parent: Int32
        var first: Int32 = -1
        var last: Int32 = -1
        var next: Int32 = -1
        var firstAttr: Int32 = -1
        var lastAttr: Int32 = -1
        /// Text nodes: their escaped bytes in `bytes` (start ≥ 0); elements: -1.
        var textStart: Int32 = -1
        var textCount: Int32 = 0
        /// Elements: the interned name's bytes and libxml2's facts about it.
        var tag: XMLTag?
        /// Index into `namespaceURIs`, or -1.
        var ns: Int16 = -1
        /// The element declares its namespace (`xmlns="…"`).
        var declaresNamespace = false
        /// The element is in the XHTML namespace.
        var inXHTML = false
        var isText: Bool { textStart >= 0 }
    }

    /// An attribute, serialised (` name="value"`) into `bytes`.
    struct Attribute {
        let name: XMLTag
        var start: Int32
        var count: Int32
        var next: Int32 = -1
    }

    private(set) var nodes: [TreeNode] = []
    private(set) var attributes: [Attribute] = []
    /// Escaped texts and serialised attributes.
    private var out = PageBytes(xhtml: true)
    /// The escaped bytes, while the tree lives.
    var held: UnsafeBufferPointer<UInt8> { out.held }
    private(set) var root: Int32 = -1
    private(set) var namespaceURIs: [String] = []
    /// Per namespace: the element that declared it last (as `XMLBuilder` remembers it).
    private var declaredAt: [Int32] = []

    init() {
        nodes.reserveCapacity(2048)
        attributes.reserveCapacity(512)
    }

    // MARK: Building (the same calls, and the same tree, as XMLBuilder)

    mutating func element(_ name: XMLName, namespace: String?, parent: Int32?) -> Int32 {
        element(name.tag, namespace: namespace, parent: parent)
    }

    mutating func element(_ tag: XMLTag, namespace: String?, parent: Int32?) -> Int32 {
        let i = Int32(nodes.count)
        var n = TreeNode(parent: parent ?? -1)
        n.tag = tag
        nodes.append(n)
        if let p = parent { link(i, to: p) } else { root = i }
        if let uri = namespace {
            var k = namespaceURIs.firstIndex(of: uri) ?? -1
            if k < 0 {
                k = namespaceURIs.count
                namespaceURIs.append(uri)
                declaredAt.append(-1)
            }
            if declaredAt[k] < 0 || !isAncestor(declaredAt[k], of: i) {
                // Declared on the element that first needs it out of scope (xmlNewNs).
                nodes[Int(i)].declaresNamespace = true
                declaredAt[k] = i
            }
            nodes[Int(i)].ns = Int16(k)
            nodes[Int(i)].inXHTML = uri == XMLNamespaceURI.xhtml
        }
        return i
    }

    private func isAncestor(_ a: Int32, of i: Int32) -> Bool {
        var cur = nodes[Int(i)].parent
        while cur >= 0 {
            if cur == a { return true }
            cur = nodes[Int(cur)].parent
        }
        return false
    }

    private mutating func link(_ i: Int32, to p: Int32) {
        let last = nodes[Int(p)].last
        if last >= 0 { nodes[Int(last)].next = i } else { nodes[Int(p)].first = i }
        nodes[Int(p)].last = i
    }

    /// As xmlSetProp: a name set again keeps its place and takes the new value.
    mutating func setAttribute(_ node: Int32, _ name: XMLName, _ value: String) {
        var value = value
        let start = Int32(out.count)
        let element = nodes[Int(node)].tag!
        value.withUTF8 { out.attribute(name, $0, element: element) }
        let count = Int32(out.count) - start
        var a = nodes[Int(node)].firstAttr
        while a >= 0 {
            if attributes[Int(a)].name.name.start == name.tag.name.start {
                (attributes[Int(a)].start, attributes[Int(a)].count) = (start, count)
                return
            }
            a = attributes[Int(a)].next
        }
        let k = Int32(attributes.count)
        attributes.append(Attribute(name: name.tag, start: start, count: count))
        let last = nodes[Int(node)].lastAttr
        if last >= 0 { attributes[Int(last)].next = k } else { nodes[Int(node)].firstAttr = k }
        nodes[Int(node)].lastAttr = k
    }

    /// As xmlAddChild: text next to text becomes one text node.
    mutating func appendText(_ node: Int32, _ text: String) {
        guard !text.isEmpty else { return }
        var text = text
        let t = openText(node)
        text.withUTF8 { out.text($0, raw: false) }
        nodes[Int(t)].textCount = Int32(out.count) - nodes[Int(t)].textStart
    }

    /// A non-empty text already escaped (a template's, when compiled).
    mutating func appendEscapedText(_ node: Int32, _ escaped: UnsafeBufferPointer<UInt8>) {
        let t = openText(node)
        out.put(escaped)
        nodes[Int(t)].textCount = Int32(out.count) - nodes[Int(t)].textStart
    }

    /// The text node new bytes go to: the last child when it is text, else a new one.
    private mutating func openText(_ node: Int32) -> Int32 {
        let last = nodes[Int(node)].last
        if last >= 0, nodes[Int(last)].isText {
            let t = nodes[Int(last)]
            if Int(t.textStart + t.textCount) != out.count {
                // Not the newest bytes (never so for a template's depth-first render): moved to the end.
                let old = Array(out.held[Int(t.textStart)..<Int(t.textStart + t.textCount)])
                nodes[Int(last)].textStart = Int32(out.count)
                out.put(old)
            }
            return last
        }
        let i = Int32(nodes.count)
        var n = TreeNode(parent: node)
        n.textStart = Int32(out.count)
        nodes.append(n)
        link(i, to: node)
        return i
    }

    /// Attributes escaped beforehand (` a="…" b="…"`), as one run after those set so far.
    /// Only for elements whose attributes are all static (never set again by name).
    mutating func appendPreparedAttributes(_ node: Int32, _ prepared: UnsafeBufferPointer<UInt8>) {
        guard prepared.count > 0 else { return }
        let start = Int32(out.count)
        out.put(prepared)
        let k = Int32(attributes.count)
        attributes.append(Attribute(name: PageTree.preparedRun, start: start, count: Int32(prepared.count)))
        let last = nodes[Int(node)].lastAttr
        if last >= 0 { attributes[Int(last)].next = k } else { nodes[Int(node)].firstAttr = k }
        nodes[Int(node)].lastAttr = k
    }

    /// The name of a run of prepared attributes (no attribute can have it: it has a space).
    private static let preparedRun = XMLName.named(" prepared").tag
}

/// A page's bytes as they are written, with libxml2's escaping of the values put in them.
/// (Not to be copied: a copy writes to the same bytes.)
struct PageBytes {
    private let buffer = ByteBuffer(capacity: 1 << 16)
    let xhtml: Bool
    /// libxml2 documents for the values that need libxml2's escaping, made when first needed.
    private var scratch: ScratchDocuments?

    init(xhtml: Bool) {
        self.xhtml = xhtml
    }

    var count: Int { buffer.count }
    /// A copy of the bytes.
    var bytes: [UInt8] { Array(held) }
    /// The bytes, while this value lives.
    var held: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: buffer.start, count: buffer.count) }

    @inline(__always) mutating func put(_ b: UnsafeBufferPointer<UInt8>) {
        if let p = b.baseAddress { buffer.append(p, b.count) }
    }
    @inline(__always) mutating func put(_ b: XMLBytes) { buffer.append(b.start, b.count) }
    @inline(__always) mutating func put(_ s: StaticString) { buffer.append(s.utf8Start, s.utf8CodeUnitCount) }
    @inline(__always) mutating func put(_ b: [UInt8]) { b.withUnsafeBufferPointer { put($0) } }

    /// A newline put in before bytes already written.
    mutating func insertNewline(at i: Int) { buffer.insert(0x0A, at: i) }

    /// Moves the bytes of `from` (the last ones written) over those of `to`, which come before.
    mutating func move(_ from: Range<Int>, to: Range<Int>) {
        let moved = Array(held[from])
        buffer.truncate(to: from.lowerBound)
        let after = Array(held[to.upperBound...])
        buffer.truncate(to: to.lowerBound)
        put(moved)
        put(after)
    }

    /// Static attributes of an element escaped as `attribute` escapes them, in the order given
    /// (when a template is compiled; XML lets a name appear only once on an element).
    static func preparedAttributes(_ attrs: [(name: XMLName, value: String)], on element: XMLName, xhtml: Bool) -> [UInt8] {
        var b = PageBytes(xhtml: xhtml)
        for (name, value) in attrs {
            var value = value
            value.withUTF8 { b.attribute(name, $0, element: element.tag) }
        }
        return b.bytes
    }

    /// A template text escaped as `text` escapes it: under an ordinary element, under script or
    /// style (`raw`, HTML only), or for XHTML.
    static func escapedText(_ text: String, xhtml: Bool, raw: Bool) -> [UInt8] {
        var b = PageBytes(xhtml: xhtml)
        var text = text
        text.withUTF8 { b.text($0, raw: raw) }
        return b.bytes
    }

    private mutating func scratchDocuments() -> ScratchDocuments {
        if let s = scratch { return s }
        let s = ScratchDocuments()
        scratch = s
        return s
    }

    // MARK: Escaping, as the serialisers escape

    /// A text node's content, under script or style when `raw` (HTML only).
    /// Values reach libxml2 as C strings, so a NUL ends them: no fast path copies a NUL, and
    /// the values that have one are handed to libxml2 (or, for raw text, cut at it).
    mutating func text(_ t: UnsafeBufferPointer<UInt8>, raw: Bool) {
        // Most texts have no markup character and no control byte at all: copied as they are
        // (both escapings below leave such a text unchanged), told eight bytes at a time.
        if !raw && !PageBytes.hasMarkupOrControl(t) {
            put(t)
            return
        }
        if xhtml {
            // xmlEscapeContent: unchanged unless the text has `<`, `>`, `&` or a carriage return.
            let plain = t.allSatisfy { b in b != UInt8(ascii: "<") && b != UInt8(ascii: ">") && b != UInt8(ascii: "&") && b != 0x0D && b != 0 }
            if plain { put(t) } else { put(scratchDocuments().xhtmlText(String(decoding: t, as: UTF8.self))) }
            return
        }
        // htmlNodeDumpFormatOutput writes the text of script and style as it is.
        if raw {
            put(UnsafeBufferPointer(rebasing: t[..<(t.firstIndex(of: 0) ?? t.endIndex)]))
            return
        }
        // xmlEncodeEntitiesReentrant on an HTML document changes `<`, `>`, `&` and control bytes
        // other than tab, newline and carriage return; everything else (UTF-8 included) is copied.
        let plain = t.allSatisfy { b in
            b >= 0x20 ? (b != UInt8(ascii: "<") && b != UInt8(ascii: ">") && b != UInt8(ascii: "&"))
                      : (b == 0x0A || b == 0x09 || b == 0x0D)
        }
        if plain { put(t) } else { put(scratchDocuments().htmlText(String(decoding: t, as: UTF8.self))) }
    }

    /// Whether `t` has a byte below 0x20 or one of `<`, `>`, `&` (exact: the word tricks of
    /// "Bit Twiddling Hacks", haszero and hasless, only say whether one is there).
    static func hasMarkupOrControl(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let p = t.baseAddress else { return false }
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZero(_ x: UInt64) -> Bool { (x &- ones) & ~x & high != 0 }
        var i = 0
        while i + 8 <= t.count {
            let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            if (w &- ones &* 0x20) & ~w & high != 0 || hasZero(w ^ (ones &* 0x3C)) || hasZero(w ^ (ones &* 0x3E))
                || hasZero(w ^ (ones &* 0x26)) { return true }
            i += 8
        }
        while i < t.count {
            let b = p[i]
            if b < 0x20 || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || b == UInt8(ascii: "&") { return true }
            i += 1
        }
        return false
    }

    /// An attribute of `element`, as the serialiser writes it (` name="value"`).
    mutating func attribute(_ name: XMLName, _ v: UnsafeBufferPointer<UInt8>, element: XMLTag) {
        if xhtml { xhtmlAttribute(name, v) } else { htmlAttribute(name, v, element: element) }
    }

    /// htmlAttrDumpOutput: ` name`, then `="value"` unless libxml2 writes the name alone.
    private mutating func htmlAttribute(_ name: XMLName, _ v: UnsafeBufferPointer<UInt8>, element: XMLTag) {
        let f = name.tag.flags
        if f.contains(.htmlBooleanAttribute) {
            put(" ")
            put(name.tag.name)
            return
        }
        let uri = f.contains(.htmlURIAttribute) || (element.flags.contains(.anchor) && f.contains(.nameAttribute))
        if uri ? PageBytes.uriUnchanged(v) : PageBytes.htmlAttributeUnchanged(v) {
            putQuoted(name, v)
        } else {
            let elementName = String(decoding: UnsafeBufferPointer(start: element.name.start, count: element.name.count), as: UTF8.self)
            put(scratchDocuments().htmlAttribute(name.string, String(decoding: v, as: UTF8.self), element: elementName))
        }
    }

    /// ` name="value"`, for a value both serialisers copy unchanged.
    private mutating func putQuoted(_ name: XMLName, _ v: UnsafeBufferPointer<UInt8>) {
        put(" ")
        put(name.tag.name)
        put("=\"")
        put(v)
        put("\"")
    }

    /// xmlAttrDumpOutput + xmlBufAttrSerializeTxtContent (the document's encoding set, so
    /// UTF-8 is copied): unchanged unless the value has a tab, newline, return, `"`, `<`, `>`
    /// or `&`.
    private mutating func xhtmlAttribute(_ name: XMLName, _ v: UnsafeBufferPointer<UInt8>) {
        let plain = v.allSatisfy { b in
            b != 0x09 && b != 0x0A && b != 0x0D && b != UInt8(ascii: "\"") && b != UInt8(ascii: "<")
                && b != UInt8(ascii: ">") && b != UInt8(ascii: "&") && b != 0
        }
        if plain {
            putQuoted(name, v)
        } else {
            put(scratchDocuments().xhtmlAttribute(name.string, String(decoding: v, as: UTF8.self)))
        }
    }

    /// An attribute value the HTML serialiser writes unchanged between double quotes: no `<`,
    /// `>`, `&` or control byte (xmlEncodeAttributeEntities), no `"` (xmlBufWriteQuotedString
    /// would switch quotes).
    static func htmlAttributeUnchanged(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        buf.allSatisfy { b in
            b >= 0x20 && b != UInt8(ascii: "<") && b != UInt8(ascii: ">") && b != UInt8(ascii: "&") && b != UInt8(ascii: "\"")
        }
    }

    /// A URI attribute value xmlURIEscapeStr(value, "@/:=?;#%&,+<>") leaves as it is: only
    /// letters, digits, `-_.!~*'()` and `@/:=?;#%,+` (so no leading blank, no byte ≥ 0x80).
    /// `&`, `<` and `>` are left to libxml2, as its entity escaping comes first.
    static func uriUnchanged(_ buf: UnsafeBufferPointer<UInt8>) -> Bool {
        buf.allSatisfy { b in
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "~"), UInt8(ascii: "*"),
                 UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "@"), UInt8(ascii: "/"), UInt8(ascii: ":"),
                 UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: ";"), UInt8(ascii: "#"), UInt8(ascii: "%"), UInt8(ascii: ","),
                 UInt8(ascii: "+"):
                return true
            default:
                return false
            }
        }
    }
}

/// A stack of plain values (no references in them) in one buffer: pushed and popped for every
/// element of every page, where an array's append and removeLast check uniqueness and capacity
/// through generic paths. Owned; freed in deinit.
final class OpenStack<Element: BitwiseCopyable> {
    @exclusivity(unchecked) private var base: UnsafeMutablePointer<Element>
    @exclusivity(unchecked) private var count = 0
    @exclusivity(unchecked) private var capacity = 64

    init() {
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    @inline(__always) func push(_ e: Element) {
        if count == capacity {
            capacity *= 2
            let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity)
            bigger.initialize(from: base, count: count)
            base.deallocate()
            base = bigger
        }
        (base + count).initialize(to: e)
        count += 1
    }

    @inline(__always) func pop() -> Element {
        precondition(count > 0, "popped an empty stack")
        count -= 1
        return base[count]
    }
}

/// A growing run of bytes appended to with memcpy (an array's append goes through a generic
/// path that checks uniqueness and capacity on every call; a page is written a few bytes at a
/// time). Owned; freed in deinit.
final class ByteBuffer {
    @exclusivity(unchecked) private(set) var start: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    private func reserve(_ n: Int) {
        capacity = max(capacity * 2, n)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        bigger.initialize(from: start, count: count)
        start.deallocate()
        start = bigger
    }

    @inline(__always) func append(_ p: UnsafePointer<UInt8>, _ n: Int) {
        if count + n > capacity { reserve(count + n) }
        let d = UnsafeMutableRawPointer(start + count), q = UnsafeRawPointer(p)
        // Most pieces are a tag, a `>` or a short text: copied with two overlapping loads and
        // stores rather than a call to memcpy.
        if n >= 8 && n <= 16 {
            let (a, b) = (q.loadUnaligned(as: UInt64.self), q.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
            d.storeBytes(of: a, as: UInt64.self)
            d.storeBytes(of: b, toByteOffset: n - 8, as: UInt64.self)
        } else if n >= 4 && n < 8 {
            let (a, b) = (q.loadUnaligned(as: UInt32.self), q.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
            d.storeBytes(of: a, as: UInt32.self)
            d.storeBytes(of: b, toByteOffset: n - 4, as: UInt32.self)
        } else if n < 4 {
            for i in 0..<n { d.storeBytes(of: q.load(fromByteOffset: i, as: UInt8.self), toByteOffset: i, as: UInt8.self) }
        } else {
            d.copyMemory(from: q, byteCount: n)
        }
        count += n
    }

    func insert(_ b: UInt8, at i: Int) {
        if count + 1 > capacity { reserve(count + 1) }
        (start + i + 1).update(from: start + i, count: count - i)
        start[i] = b
        count += 1
    }

    func truncate(to n: Int) { count = min(count, n) }
}

/// Writes a `PageTree` as libxml2 writes the same tree as XHTML: tags, the escaped bytes the
/// tree holds, and the newlines and indentation libxml2's formatting adds.
struct PageSerializer {
    private let nodes: [PageTree.TreeNode]
    private let attributes: [PageTree.Attribute]
    private let tree: PageTree
    private let namespaceURIs: [String]
    private let root: Int32
    /// The page being written: a plain buffer, appended to with memcpy.
    private var out: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init(_ tree: PageTree) {
        self.tree = tree
        (nodes, attributes, namespaceURIs, root) = (tree.nodes, tree.attributes, tree.namespaceURIs, tree.root)
        capacity = tree.held.count + nodes.count * 16 + 256
        out = .allocate(capacity: capacity)
    }

    /// The page's bytes (call once).
    mutating func run() -> [UInt8] {
        defer { out.deallocate() }
        // The DOCTYPE (no public or system id), then the root, then a newline.
        write("<!DOCTYPE html>\n")
        if root >= 0 {
            var state = XHTMLState()
            xhtmlElement(root, isRoot: true, &state, tree.held)
            write("\n")
        }
        return Array(UnsafeBufferPointer(start: out, count: count))
    }

    @inline(__always) private mutating func append(_ p: UnsafePointer<UInt8>, _ n: Int) {
        if count + n > capacity {
            capacity = max(capacity * 2, count + n)
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            bigger.update(from: out, count: count)
            out.deallocate()
            out = bigger
        }
        (out + count).update(from: p, count: n)
        count += n
    }

    @inline(__always) private mutating func write(_ s: StaticString) { append(s.utf8Start, s.utf8CodeUnitCount) }
    @inline(__always) private mutating func write(_ b: XMLBytes) { append(b.start, b.count) }
    @inline(__always) private mutating func write(_ held: UnsafeBufferPointer<UInt8>, _ start: Int32, _ n: Int32) {
        if n > 0 { append(held.baseAddress! + Int(start), Int(n)) }
    }

    // MARK: XHTML (xmlsave.c, xmlNodeDumpOutputInternal, XML_SAVE_FORMAT)

    struct XHTMLState {
        /// ctxt->format: on until an element with a text child, for that element's subtree.
        var format = true
        var level = 0
    }

    private mutating func indent(_ level: Int) {
        // xmlTreeIndentString "  ", at most MAX_INDENT (60) characters.
        for _ in 0..<min(level, 30) { write("  ") }
    }

    private mutating func xhtmlElement(_ i: Int32, isRoot: Bool, _ st: inout XHTMLState, _ held: UnsafeBufferPointer<UInt8>) {
        let n = nodes[Int(i)], tag = n.tag!
        if !isRoot && st.format { indent(st.level) }
        write(tag.start)
        if n.declaresNamespace { xmlQuotedNamespace(namespaceURIs[Int(n.ns)]) }
        var a = n.firstAttr
        while a >= 0 {
            let at = attributes[Int(a)]
            write(held, at.start, at.count)
            a = at.next
        }
        // XMLBuilder gives an empty non-void XHTML element an empty text child (`<td></td>`).
        let keptOpen = n.first < 0 && n.inXHTML && !tag.flags.contains(.xhtmlVoid)
        if n.first < 0 && !keptOpen {
            write("/>")
            return
        }
        var unformatted = false
        if st.format {
            var c = n.first
            var hasText = keptOpen
            while c >= 0, !hasText {
                hasText = nodes[Int(c)].isText
                c = nodes[Int(c)].next
            }
            if hasText {
                st.format = false
                unformatted = true
            }
        }
        write(">")
        if st.format { write("\n") }
        st.level += 1
        var c = n.first
        while c >= 0 {
            let child = nodes[Int(c)]
            if child.isText { write(held, child.textStart, child.textCount) } else { xhtmlElement(c, isRoot: false, &st, held) }
            if st.format { write("\n") }
            c = child.next
        }
        if st.level > 0 { st.level -= 1 }
        if st.format { indent(st.level) }
        write(tag.end)
        if unformatted { st.format = true }
    }

    /// xmlNsDumpOutput: ` xmlns=` and the URI quoted as xmlBufWriteQuotedString quotes.
    private mutating func xmlQuotedNamespace(_ uri: String) {
        var quoted: [UInt8] = Array(" xmlns=".utf8)
        if uri.utf8.contains(UInt8(ascii: "\"")) {
            if uri.utf8.contains(UInt8(ascii: "'")) {
                quoted.append(UInt8(ascii: "\""))
                for b in uri.utf8 { if b == UInt8(ascii: "\"") { quoted += Array("&quot;".utf8) } else { quoted.append(b) } }
                quoted.append(UInt8(ascii: "\""))
            } else {
                quoted += [UInt8(ascii: "'")] + Array(uri.utf8) + [UInt8(ascii: "'")]
            }
        } else {
            quoted += [UInt8(ascii: "\"")] + Array(uri.utf8) + [UInt8(ascii: "\"")]
        }
        quoted.withUnsafeBufferPointer { append($0.baseAddress!, $0.count) }
    }
}

/// libxml2 escaping a single value for the page writer, through libxml2's own serialisers:
/// an HTML document (its text escaping function; an attribute serialised alone) and, for
/// XHTML, a one-element XML document saved with the page's options. Owned; freed in deinit.
private final class ScratchDocuments {
    private let html: XMLDocument

    init() {
        html = XMLDocument.new(html: true)
    }

    /// xmlEncodeEntitiesReentrant, as htmlNodeDumpFormatOutput calls it for a text node.
    func htmlText(_ t: String) -> [UInt8] {
        guard let p = withXMLChars(t, { xmlEncodeEntitiesReentrant(html.doc, $0) }) else { return [] }
        defer { qtown_xml_free(p) }
        return Array(UnsafeBufferPointer(start: p, count: Int(xmlStrlen(p))))
    }

    /// The attribute on an element of the same name, serialised alone by libxml2's HTML
    /// serialiser (htmlAttrDumpOutput): ` name="value"` as the page would have it.
    func htmlAttribute(_ name: String, _ value: String, element: String) -> [UInt8] {
        guard let el = withXMLChars(element, { xmlNewDocNode(html.doc, nil, $0, nil) }) else { return [] }
        defer { xmlFreeNode(el) }
        guard let attr = withXMLChars(name, { n in withXMLChars(value) { v in xmlSetProp(el, n, v) } }),
              let buf = xmlAllocOutputBuffer(nil) else { return [] }
        defer { xmlOutputBufferClose(buf) }
        htmlNodeDumpFormatOutput(buf, html.doc, UnsafeMutableRawPointer(attr).assumingMemoryBound(to: xmlNode.self), nil, 1)
        xmlOutputBufferFlush(buf)
        guard let content = xmlOutputBufferGetContent(buf) else { return [] }
        return Array(UnsafeBufferPointer(start: content, count: Int(xmlOutputBufferGetSize(buf))))
    }

    /// `<x name="value"/>` saved as the page is saved: the bytes between `<x` and `/>`.
    func xhtmlAttribute(_ name: String, _ value: String) -> [UInt8] {
        let saved = saveXML { doc, root in
            withXMLChars(name) { n in withXMLChars(value) { v in _ = xmlSetProp(root, n, v) } }
        }
        // "<x" … "/>\n"
        guard saved.count >= 5 else { return [] }
        return Array(saved[2..<(saved.count - 3)])
    }

    /// `<x>text</x>` saved as the page is saved: the bytes between `<x>` and `</x>`.
    func xhtmlText(_ t: String) -> [UInt8] {
        let saved = saveXML { doc, root in
            if let text = withXMLChars(t, { xmlNewDocText(doc, $0) }), xmlAddChild(root, text) == nil { xmlFreeNode(text) }
        }
        // "<x>" … "</x>\n"
        guard saved.count >= 8 else { return [] }
        return Array(saved[3..<(saved.count - 5)])
    }

    private func saveXML(_ fill: (xmlDocPtr, xmlNodePtr) -> Void) -> [UInt8] {
        let document = XMLDocument.new(html: false)
        guard let root = xmlNewDocNode(document.doc, nil, "x", nil) else { return [] }
        xmlDocSetRootElement(document.doc, root)
        fill(document.doc, root)
        guard let buf = xmlBufferCreate() else { return [] }
        defer { xmlBufferFree(buf) }
        guard let ctxt = xmlSaveToBuffer(buf, "UTF-8", XMLBuilder.xhtmlSaveOptions) else { return [] }
        xmlSaveDoc(ctxt, document.doc)
        xmlSaveClose(ctxt)
        guard let content = xmlBufferContent(buf) else { return [] }
        return Array(UnsafeBufferPointer(start: content, count: Int(xmlBufferLength(buf))))
    }
}
