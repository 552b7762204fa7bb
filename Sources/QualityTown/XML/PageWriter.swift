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
final class PageWriter: PageBuilder {
    typealias Node = Int32
    let format: OutputFormat
    /// The page's tree; one access per call (a class's stored arrays would be checked for
    /// exclusive access on every element read).
    private var tree: PageTree

    init(format: OutputFormat) {
        self.format = format
        tree = PageTree(xhtml: format == .xhtml)
    }

    func element(_ name: XMLName, namespace: String?, parent: Int32?) -> Int32 { tree.element(name, namespace: namespace, parent: parent) }
    func setAttribute(_ node: Int32, _ name: XMLName, _ value: String) { tree.setAttribute(node, name, value) }
    func appendText(_ node: Int32, _ text: String) { tree.appendText(node, text) }

    func serialize() -> [UInt8] {
        var s = PageSerializer(tree: tree, format: format)
        return s.run()
    }
}

/// The tree `PageWriter` builds: nodes, attributes and texts in arrays, linked by index.
struct PageTree {
    struct TreeNode {
        var parent: Int32
        var first: Int32 = -1
        var last: Int32 = -1
        var next: Int32 = -1
        var firstAttr: Int32 = -1
        var lastAttr: Int32 = -1
        /// Text nodes: index into `texts`; elements: -1.
        var text: Int32 = -1
        /// XHTML: index into `namespaceURIs`, or -1.
        var ns: Int16 = -1
        /// XHTML: the element declares its namespace (`xmlns="…"`).
        var declaresNamespace = false
        var isText: Bool { text >= 0 }
    }

    struct Attribute {
        let name: XMLName
        var value: String
        var next: Int32 = -1
    }

    private(set) var nodes: [TreeNode] = []
    /// Per node: the element's name (nil for text).
    private(set) var names: [XMLName?] = []
    private(set) var texts: [String] = []
    private(set) var attributes: [Attribute] = []
    private(set) var root: Int32 = -1
    private(set) var namespaceURIs: [String] = []
    /// Per namespace: the element that declared it last (as `XMLBuilder` remembers it).
    private var declaredAt: [Int32] = []
    let xhtml: Bool

    init(xhtml: Bool) {
        self.xhtml = xhtml
        nodes.reserveCapacity(1024)
        names.reserveCapacity(1024)
        texts.reserveCapacity(1024)
    }

    // MARK: Building (the same calls, and the same tree, as XMLBuilder)

    mutating func element(_ name: XMLName, namespace: String?, parent: Int32?) -> Int32 {
        let i = Int32(nodes.count)
        nodes.append(TreeNode(parent: parent ?? -1))
        names.append(name)
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
        let value = cString(value)
        var a = nodes[Int(node)].firstAttr
        while a >= 0 {
            if attributes[Int(a)].name == name {
                attributes[Int(a)].value = value
                return
            }
            a = attributes[Int(a)].next
        }
        let k = Int32(attributes.count)
        attributes.append(Attribute(name: name, value: value))
        let last = nodes[Int(node)].lastAttr
        if last >= 0 { attributes[Int(last)].next = k } else { nodes[Int(node)].firstAttr = k }
        nodes[Int(node)].lastAttr = k
    }

    /// As xmlAddChild: text next to text becomes one text node.
    mutating func appendText(_ node: Int32, _ text: String) {
        guard !text.isEmpty else { return }
        let text = cString(text)
        let last = nodes[Int(node)].last
        if last >= 0, nodes[Int(last)].isText {
            texts[Int(nodes[Int(last)].text)] += text
            return
        }
        let i = Int32(nodes.count)
        var n = TreeNode(parent: node)
        n.text = Int32(texts.count)
        texts.append(text)
        nodes.append(n)
        names.append(nil)
        link(i, to: node)
    }

    /// libxml2 takes values as C strings: a NUL ends them.
    @inline(__always) private func cString(_ s: String) -> String {
        var s = s
        let nul = s.withUTF8 { $0.isEmpty ? false : memchr($0.baseAddress!, 0, $0.count) != nil }
        return nul ? String(decoding: s.utf8.prefix { $0 != 0 }, as: UTF8.self) : s
    }
}

/// Writes a `PageTree` as libxml2 writes the same tree.
struct PageSerializer {
    let tree: PageTree
    let format: OutputFormat
    /// The page being written: a plain buffer, appended to with memcpy.
    private var out: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int
    /// libxml2 documents for the values that need libxml2's escaping, made when first needed.
    private var scratch: ScratchDocuments?
    private let nodes: [PageTree.TreeNode]
    private let names: [XMLName?]
    private let texts: [String]
    private let attributes: [PageTree.Attribute]
    private let namespaceURIs: [String]

    init(tree: PageTree, format: OutputFormat) {
        self.tree = tree
        self.format = format
        (nodes, names, texts, attributes, namespaceURIs) = (tree.nodes, tree.names, tree.texts, tree.attributes, tree.namespaceURIs)
        capacity = texts.reduce(nodes.count * 16 + 256) { $0 + $1.utf8.count }
        out = .allocate(capacity: capacity)
    }

    /// The page's bytes (call once).
    mutating func run() -> [UInt8] {
        defer { out.deallocate() }
        let root = tree.root
        // Both serialisers: the DOCTYPE (no public or system id), then the root, then a newline.
        write("<!DOCTYPE html>\n")
        switch format {
        case .html:
            if root >= 0 { htmlElement(root) }
            write("\n")
        case .xhtml:
            if root >= 0 {
                var state = XHTMLState()
                xhtmlElement(root, isRoot: true, &state)
                write("\n")
            }
        }
        return Array(UnsafeBufferPointer(start: out, count: count))
    }

    @inline(__always) private mutating func append(_ p: UnsafeRawPointer, _ n: Int) {
        if count + n > capacity {
            capacity = max(capacity * 2, count + n)
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            bigger.update(from: out, count: count)
            out.deallocate()
            out = bigger
        }
        (out + count).update(from: p.assumingMemoryBound(to: UInt8.self), count: n)
        count += n
    }

    @inline(__always) private mutating func append(_ buf: UnsafeBufferPointer<UInt8>) {
        if let base = buf.baseAddress, buf.count > 0 { append(base, buf.count) }
    }

    @inline(__always) private mutating func write(_ s: StaticString) {
        append(s.utf8Start, s.utf8CodeUnitCount)
    }

    @inline(__always) private mutating func write(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { append($0) } }

    @inline(__always) private mutating func write(_ s: String) {
        var s = s
        s.withUTF8 { append($0) }
    }

    // MARK: HTML (HTMLtree.c, htmlNodeDumpFormatOutput, format = 1)

    private mutating func htmlElement(_ i: Int32) {
        let n = nodes[Int(i)], name = names[Int(i)]!
        let known = name.htmlKnown
        write(name.startTag)
        var a = n.firstAttr
        while a >= 0 {
            htmlAttribute(attributes[Int(a)], element: name)
            a = attributes[Int(a)].next
        }
        if known && name.htmlEmpty {
            // A void element: `>`, and its children (if any) are not written.
            write(">")
        } else if n.first < 0 {
            if known && name.htmlNoEndTagWhenEmpty {
                write(">")
            } else {
                write(">")
                write(name.endTag)
            }
        } else {
            write(">")
            let block = known && !name.htmlInline && n.first != n.last && !name.startsWithP
            if block && !nodes[Int(n.first)].isText { write("\n") }
            var c = n.first
            while c >= 0 {
                let child = nodes[Int(c)]
                if child.isText {
                    let t = texts[Int(child.text)]
                    if name.htmlRawText { write(t) } else { htmlText(t) }
                } else {
                    htmlElement(c)
                }
                c = child.next
            }
            if block && !nodes[Int(n.last)].isText { write("\n") }
            write(name.endTag)
        }
        // A newline after a block element followed by an element, unless inside p, pre, param.
        if known && !name.htmlInline && n.next >= 0 && !nodes[Int(n.next)].isText,
           n.parent >= 0, !names[Int(n.parent)]!.startsWithP {
            write("\n")
        }
    }

    /// htmlAttrDumpOutput: ` name`, then `="value"` unless libxml2 writes the name alone.
    private mutating func htmlAttribute(_ a: PageTree.Attribute, element: XMLName) {
        if a.name.htmlBooleanAttribute {
            write(" ")
            write(a.name.bytes)
            return
        }
        let uri = a.name.htmlURIAttribute || (element.isAnchor && a.name.string.lowercased() == "name")
        var value = a.value
        let plain = value.withUTF8 { uri ? PageSerializer.uriUnchanged($0) : PageSerializer.htmlAttributeUnchanged($0) }
        if plain {
            write(" ")
            write(a.name.bytes)
            write("=\"")
            write(value)
            write("\"")
        } else {
            write(scratchDocuments().htmlAttribute(a.name, value, element: element))
        }
    }

    /// xmlEncodeEntitiesReentrant on an HTML document changes `<`, `>`, `&` and control bytes
    /// other than tab, newline and carriage return; everything else (UTF-8 included) is copied.
    private mutating func htmlText(_ t: String) {
        var t = t
        let plain = t.withUTF8 { buf in
            buf.allSatisfy { b in
                b >= 0x20 ? (b != UInt8(ascii: "<") && b != UInt8(ascii: ">") && b != UInt8(ascii: "&"))
                          : (b == 0x0A || b == 0x09 || b == 0x0D)
            }
        }
        if plain { t.withUTF8 { append($0) } } else { write(scratchDocuments().htmlText(t)) }
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

    private mutating func xhtmlElement(_ i: Int32, isRoot: Bool, _ st: inout XHTMLState) {
        let n = nodes[Int(i)], name = names[Int(i)]!
        if !isRoot && st.format { indent(st.level) }
        write(name.startTag)
        if n.declaresNamespace { xmlQuotedNamespace(namespaceURIs[Int(n.ns)]) }
        var a = n.firstAttr
        while a >= 0 {
            xhtmlAttribute(attributes[Int(a)])
            a = attributes[Int(a)].next
        }
        // XMLBuilder gives an empty non-void XHTML element an empty text child (`<td></td>`).
        let keptOpen = n.first < 0 && n.ns >= 0 && namespaceURIs[Int(n.ns)] == XMLNamespaceURI.xhtml && !name.xhtmlVoid
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
            if child.isText { xhtmlText(texts[Int(child.text)]) } else { xhtmlElement(c, isRoot: false, &st) }
            if st.format { write("\n") }
            c = child.next
        }
        if st.level > 0 { st.level -= 1 }
        if st.format { indent(st.level) }
        write(name.endTag)
        if unformatted { st.format = true }
    }

    /// xmlNsDumpOutput: ` xmlns=` and the URI quoted as xmlBufWriteQuotedString quotes.
    private mutating func xmlQuotedNamespace(_ uri: String) {
        write(" xmlns=")
        if uri.utf8.contains(UInt8(ascii: "\"")) {
            if uri.utf8.contains(UInt8(ascii: "'")) {
                write("\"")
                for b in uri.utf8 { if b == UInt8(ascii: "\"") { write("&quot;") } else { write([b]) } }
                write("\"")
            } else {
                write("'"); write(uri); write("'")
            }
        } else {
            write("\""); write(uri); write("\"")
        }
    }

    /// xmlAttrDumpOutput + xmlBufAttrSerializeTxtContent (the document's encoding set, so
    /// UTF-8 is copied): unchanged unless the value has a tab, newline, return, `"`, `<`, `>`
    /// or `&`.
    private mutating func xhtmlAttribute(_ a: PageTree.Attribute) {
        var value = a.value
        let plain = value.withUTF8 { buf in
            buf.allSatisfy { b in
                b != 0x09 && b != 0x0A && b != 0x0D && b != UInt8(ascii: "\"") && b != UInt8(ascii: "<")
                    && b != UInt8(ascii: ">") && b != UInt8(ascii: "&")
            }
        }
        if plain {
            write(" ")
            write(a.name.bytes)
            write("=\"")
            write(value)
            write("\"")
        } else {
            write(scratchDocuments().xhtmlAttribute(a.name, value))
        }
    }

    /// xmlEscapeContent: unchanged unless the text has `<`, `>`, `&` or a carriage return.
    private mutating func xhtmlText(_ t: String) {
        var t = t
        let plain = t.withUTF8 { buf in
            buf.allSatisfy { b in b != UInt8(ascii: "<") && b != UInt8(ascii: ">") && b != UInt8(ascii: "&") && b != 0x0D }
        }
        if plain { t.withUTF8 { append($0) } } else { write(scratchDocuments().xhtmlText(t)) }
    }

    private mutating func scratchDocuments() -> ScratchDocuments {
        if let s = scratch { return s }
        let s = ScratchDocuments()
        scratch = s
        return s
    }
}

/// libxml2 escaping a single value for the page writer, through libxml2's own serialisers:
/// an HTML document (its text escaping function; an attribute serialised alone) and, for
/// XHTML, a one-element XML document saved with the page's options. Owned; freed in deinit.
private final class ScratchDocuments {
    private let html: XMLDocument
    private let xmlOptions = Int32(XML_SAVE_FORMAT.rawValue | XML_SAVE_NO_DECL.rawValue)

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
    func htmlAttribute(_ name: XMLName, _ value: String, element: XMLName) -> [UInt8] {
        guard let el = withXMLChars(element.string, { xmlNewDocNode(html.doc, nil, $0, nil) }) else { return [] }
        defer { xmlFreeNode(el) }
        guard let attr = withXMLChars(name.string, { n in withXMLChars(value) { v in xmlSetProp(el, n, v) } }),
              let buf = xmlAllocOutputBuffer(nil) else { return [] }
        defer { xmlOutputBufferClose(buf) }
        htmlNodeDumpFormatOutput(buf, html.doc, UnsafeMutableRawPointer(attr).assumingMemoryBound(to: xmlNode.self), nil, 1)
        xmlOutputBufferFlush(buf)
        guard let content = xmlOutputBufferGetContent(buf) else { return [] }
        return Array(UnsafeBufferPointer(start: content, count: Int(xmlOutputBufferGetSize(buf))))
    }

    /// `<x name="value"/>` saved as the page is saved: the bytes between `<x` and `/>`.
    func xhtmlAttribute(_ name: XMLName, _ value: String) -> [UInt8] {
        let saved = saveXML { doc, root in
            withXMLChars(name.string) { n in withXMLChars(value) { v in _ = xmlSetProp(root, n, v) } }
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
        guard let ctxt = xmlSaveToBuffer(buf, "UTF-8", xmlOptions) else { return [] }
        xmlSaveDoc(ctxt, document.doc)
        xmlSaveClose(ctxt)
        guard let content = xmlBufferContent(buf) else { return [] }
        return Array(UnsafeBufferPointer(start: content, count: Int(xmlBufferLength(buf))))
    }
}
