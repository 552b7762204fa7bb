internal import CLibXML2
import Foundation

// MARK: - Writing a page without a libxml2 tree, byte for byte as libxml2 writes the tree

/// Builds a page as a small array-backed tree and writes it exactly as libxml2 2.9 serialises
/// the same tree built by `XMLBuilder` (HTML: `htmlDocContentDumpFormatOutput` with format 1,
/// HTMLtree.c; XHTML: `xmlSaveDoc` with XML_SAVE_FORMAT | XML_SAVE_NO_DECL, xmlsave.c
/// `xmlNodeDumpOutputInternal`). A national build writes 80,000 pages; a libxml2 tree per
/// page costs 0.73 ms to build, free and serialise before any of qtown's own work
/// (scripts/libxml2-floor), which alone is more than the build's time budget.
///
/// What stays libxml2's:
/// - what it knows of each name (`htmlTagLookup`, `htmlIsBooleanAttr`), asked once per
///   template name (`XMLName`);
/// - every escape: a text or attribute value is copied as it is only when it has none of the
///   bytes libxml2's escaping would change (checked byte by byte below, rule by rule from the
///   functions named); any other value is escaped by libxml2 itself, through the very function
///   its serialiser calls (`xmlEncodeEntitiesReentrant`) or by serialising that one attribute
///   or text node with libxml2.
/// What the writer reproduces: where libxml2's formatting puts newlines and indentation, and
/// tags from template names. `XMLBuilder` (the libxml2 tree) stays the reference: a test writes
/// every page of the bundled build both ways, and random hostile values in every context, and
/// compares the bytes.
struct PageWriter: PageBuilder {
    typealias Node = Int32
    /// The page's tree (a value: a class's stored arrays would be checked for exclusive
    /// access on every call).
    private var tree: PageTree

    init(format: OutputFormat) {
        tree = PageTree(xhtml: format == .xhtml)
    }

    mutating func element(_ name: XMLName, namespace: String?, parent: Int32?) -> Int32 { tree.element(name, namespace: namespace, parent: parent) }
    mutating func setAttribute(_ node: Int32, _ name: XMLName, _ value: String) { tree.setAttribute(node, name, value) }
    mutating func appendText(_ node: Int32, _ text: String) { tree.appendText(node, text) }

    /// The element with its attributes as escaped when the template was compiled.
    mutating func element(_ program: TemplateProgram, _ op: Int32, parent: Int32?) -> Int32 {
        let o = program.ops[Int(op)]
        let xhtml = tree.xhtml
        let n = tree.element(o.tag, namespace: xhtml ? program.namespace(of: o) : nil, parent: parent)
        tree.appendPreparedAttributes(n, program.bytes(xhtml ? o.preparedXHTML : o.preparedHTML))
        return n
    }

    /// The template's text as escaped when compiled, for the context it lands in.
    mutating func appendText(_ program: TemplateProgram, text op: Int32, to node: Int32) {
        let o = program.ops[Int(op)]
        tree.appendEscapedText(node, html: program.bytes(o.textHTML), htmlRaw: program.bytes(o.textHTMLRaw),
                               xhtml: program.bytes(o.textXHTML))
    }

    func serialize() -> [UInt8] {
        var s = PageSerializer(tree)
        return s.run()
    }
}

/// The tree `PageWriter` builds: nodes and attributes in arrays, linked by index. Values are
/// escaped as they arrive (a text's escaping depends only on its bytes and its parent, an
/// attribute's on its name and element), so the tree holds bytes ready to write: writing a
/// page touches no strings and no reference counts.
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
        /// XHTML: index into `namespaceURIs`, or -1.
        var ns: Int16 = -1
        /// XHTML: the element declares its namespace (`xmlns="…"`).
        var declaresNamespace = false
        /// XHTML: the element is in the XHTML namespace.
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
    private(set) var bytes: [UInt8] = []
    private(set) var root: Int32 = -1
    private(set) var namespaceURIs: [String] = []
    /// Per namespace: the element that declared it last (as `XMLBuilder` remembers it).
    private var declaredAt: [Int32] = []
    let xhtml: Bool
    /// libxml2 documents for the values that need libxml2's escaping, made when first needed.
    private var scratch: ScratchDocuments?

    init(xhtml: Bool) {
        self.xhtml = xhtml
        nodes.reserveCapacity(2048)
        attributes.reserveCapacity(512)
        bytes.reserveCapacity(1 << 16)
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
        if xhtml, let uri = namespace {
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
        let start = Int32(bytes.count)
        let element = nodes[Int(node)].tag!
        value.withUTF8 { v in
            if xhtml { xhtmlAttribute(name, v) } else { htmlAttribute(name, v, element: element) }
        }
        let count = Int32(bytes.count) - start
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
        text.withUTF8 { escapeText($0, parent: node) }
        nodes[Int(t)].textCount = Int32(bytes.count) - nodes[Int(t)].textStart
    }

    /// A non-empty text already escaped (a template's, when compiled): the bytes for an HTML
    /// parent, for an HTML script or style parent, and for XHTML.
    mutating func appendEscapedText(_ node: Int32, html: UnsafeBufferPointer<UInt8>, htmlRaw: UnsafeBufferPointer<UInt8>,
                                    xhtml x: UnsafeBufferPointer<UInt8>) {
        let t = openText(node)
        put(xhtml ? x : nodes[Int(node)].tag!.flags.contains(.htmlRawText) ? htmlRaw : html)
        nodes[Int(t)].textCount = Int32(bytes.count) - nodes[Int(t)].textStart
    }

    /// The text node new bytes go to: the last child when it is text, else a new one.
    private mutating func openText(_ node: Int32) -> Int32 {
        let last = nodes[Int(node)].last
        if last >= 0, nodes[Int(last)].isText {
            let t = nodes[Int(last)]
            if Int(t.textStart + t.textCount) != bytes.count {
                // Not the newest bytes (never so for a template's depth-first render): moved to the end.
                let old = Array(bytes[Int(t.textStart)..<Int(t.textStart + t.textCount)])
                nodes[Int(last)].textStart = Int32(bytes.count)
                bytes.append(contentsOf: old)
            }
            return last
        }
        let i = Int32(nodes.count)
        var n = TreeNode(parent: node)
        n.textStart = Int32(bytes.count)
        nodes.append(n)
        link(i, to: node)
        return i
    }

    /// Attributes escaped beforehand (` a="…" b="…"`), as one run after those set so far.
    /// Only for elements whose attributes are all static (never set again by name).
    mutating func appendPreparedAttributes(_ node: Int32, _ prepared: UnsafeBufferPointer<UInt8>) {
        guard prepared.count > 0 else { return }
        let start = Int32(bytes.count)
        put(prepared)
        let k = Int32(attributes.count)
        attributes.append(Attribute(name: PageTree.preparedRun, start: start, count: Int32(prepared.count)))
        let last = nodes[Int(node)].lastAttr
        if last >= 0 { attributes[Int(last)].next = k } else { nodes[Int(node)].firstAttr = k }
        nodes[Int(node)].lastAttr = k
    }

    /// The name of a run of prepared attributes (no attribute can have it: it has a space).
    private static let preparedRun = XMLName.named(" prepared").tag

    /// Static attributes of an element escaped as `setAttribute` escapes them, in the order
    /// the element would write them (when a template is compiled).
    static func preparedAttributes(_ attrs: [(name: XMLName, value: String)], on element: XMLName, xhtml: Bool) -> [UInt8] {
        var t = PageTree(xhtml: xhtml)
        let e = t.element(element, namespace: nil, parent: nil)
        for (name, value) in attrs { t.setAttribute(e, name, value) }
        var out: [UInt8] = []
        var a = t.nodes[Int(e)].firstAttr
        while a >= 0 {
            let at = t.attributes[Int(a)]
            out += t.bytes[Int(at.start)..<Int(at.start + at.count)]
            a = at.next
        }
        return out
    }

    /// A template text escaped as `appendText` escapes it: under an ordinary element, under
    /// script or style (`raw`, HTML only), or for XHTML.
    static func escapedText(_ text: String, xhtml: Bool, raw: Bool) -> [UInt8] {
        var t = PageTree(xhtml: xhtml)
        let e = t.element(XMLName.named(raw ? "script" : "span"), namespace: nil, parent: nil)
        t.appendText(e, text)
        return t.bytes
    }


    @inline(__always) private mutating func put(_ b: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: b) }
    @inline(__always) private mutating func put(_ b: XMLBytes) { put(UnsafeBufferPointer(start: b.start, count: b.count)) }
    @inline(__always) private mutating func put(_ s: StaticString) {
        put(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }
    @inline(__always) private mutating func put(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    private mutating func scratchDocuments() -> ScratchDocuments {
        if let s = scratch { return s }
        let s = ScratchDocuments()
        scratch = s
        return s
    }

    // MARK: Escaping, as the serialisers escape

    /// Values reach libxml2 as C strings, so a NUL ends them: no fast path copies a NUL, and
    /// the values that have one are handed to libxml2 (or, for raw text, cut at it).
    private mutating func escapeText(_ t: UnsafeBufferPointer<UInt8>, parent: Int32) {
        if xhtml {
            // xmlEscapeContent: unchanged unless the text has `<`, `>`, `&` or a carriage return.
            let plain = t.allSatisfy { b in b != UInt8(ascii: "<") && b != UInt8(ascii: ">") && b != UInt8(ascii: "&") && b != 0x0D && b != 0 }
            if plain { put(t) } else { put(scratchDocuments().xhtmlText(String(decoding: t, as: UTF8.self))) }
            return
        }
        // htmlNodeDumpFormatOutput writes the text of script and style as it is.
        if nodes[Int(parent)].tag!.flags.contains(.htmlRawText) {
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

    /// htmlAttrDumpOutput: ` name`, then `="value"` unless libxml2 writes the name alone.
    private mutating func htmlAttribute(_ name: XMLName, _ v: UnsafeBufferPointer<UInt8>, element: XMLTag) {
        let f = name.tag.flags
        if f.contains(.htmlBooleanAttribute) {
            put(" ")
            put(name.tag.name)
            return
        }
        let uri = f.contains(.htmlURIAttribute) || (element.flags.contains(.anchor) && f.contains(.nameAttribute))
        if uri ? PageTree.uriUnchanged(v) : PageTree.htmlAttributeUnchanged(v) {
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

/// Writes a `PageTree` as libxml2 writes the same tree: tags, the escaped bytes the tree holds,
/// and the newlines and indentation libxml2's formatting adds.
struct PageSerializer {
    private let xhtml: Bool
    private let nodes: [PageTree.TreeNode]
    private let attributes: [PageTree.Attribute]
    private let bytes: [UInt8]
    private let namespaceURIs: [String]
    private let root: Int32
    /// The page being written: a plain buffer, appended to with memcpy.
    private var out: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init(_ tree: PageTree) {
        xhtml = tree.xhtml
        (nodes, attributes, bytes, namespaceURIs, root) = (tree.nodes, tree.attributes, tree.bytes, tree.namespaceURIs, tree.root)
        capacity = bytes.count + nodes.count * 16 + 256
        out = .allocate(capacity: capacity)
    }

    /// The page's bytes (call once).
    mutating func run() -> [UInt8] {
        defer { out.deallocate() }
        // Both serialisers: the DOCTYPE (no public or system id), then the root, then a newline.
        write("<!DOCTYPE html>\n")
        bytes.withUnsafeBufferPointer { held in
            if !xhtml {
                if root >= 0 { htmlElement(root, held) }
                write("\n")
            } else if root >= 0 {
                var state = XHTMLState()
                xhtmlElement(root, isRoot: true, &state, held)
                write("\n")
            }
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

    // MARK: HTML (HTMLtree.c, htmlNodeDumpFormatOutput, format = 1)

    private mutating func htmlElement(_ i: Int32, _ held: UnsafeBufferPointer<UInt8>) {
        let n = nodes[Int(i)], tag = n.tag!, f = tag.flags
        let known = f.contains(.htmlKnown)
        write(tag.start)
        var a = n.firstAttr
        while a >= 0 {
            let at = attributes[Int(a)]
            write(held, at.start, at.count)
            a = at.next
        }
        if known && f.contains(.htmlEmpty) {
            // A void element: `>`, and its children (if any) are not written.
            write(">")
        } else if n.first < 0 {
            write(">")
            if !(known && f.contains(.htmlNoEndTagWhenEmpty)) { write(tag.end) }
        } else {
            write(">")
            let block = known && !f.contains(.htmlInline) && n.first != n.last && !f.contains(.startsWithP)
            if block && !nodes[Int(n.first)].isText { write("\n") }
            var c = n.first
            while c >= 0 {
                let child = nodes[Int(c)]
                if child.isText { write(held, child.textStart, child.textCount) } else { htmlElement(c, held) }
                c = child.next
            }
            if block && !nodes[Int(n.last)].isText { write("\n") }
            write(tag.end)
        }
        // A newline after a block element followed by an element, unless inside p, pre, param.
        if known && !f.contains(.htmlInline) && n.next >= 0 && !nodes[Int(n.next)].isText,
           n.parent >= 0, !nodes[Int(n.parent)].tag!.flags.contains(.startsWithP) {
            write("\n")
        }
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
