internal import CLibXML2
import Foundation

// MARK: - Markup prepared once, serialised by libxml2 with formatting off
//
// A page is written as pieces in document order: markup prepared beforehand (whole nodes, and
// the start and end tags of elements whose content or attributes are given later) and values.
// Every byte of the prepared pieces is what libxml2 writes for nodes of a tree built here, with
// formatting off, so a source's own whitespace is the page's layout; values are escaped by the
// functions libxml2's serialisers call (`MarkupWriter`). Nothing here knows where the trees come
// from: a caller builds them (`MarkupDocument`) and writes pages through a `MarkupSink`.

/// The two page formats (io-contract.md "Output folder").
public enum OutputFormat: String, Sendable, CaseIterable {
    case html, xhtml

    /// File extension of pages in this format.
    public var fileExtension: String { rawValue }
}

/// Namespaces of output elements.
public enum XMLNamespaceURI {
    public static let xhtml = "http://www.w3.org/1999/xhtml"
    public static let svg = "http://www.w3.org/2000/svg"
}

/// Hands libxml2 a string's own UTF-8 bytes, NUL-terminated (a NUL inside ends the value for
/// libxml2, as for every C string it is given).
@inline(__always)
func withXMLChars<R>(_ s: String, _ body: (UnsafePointer<xmlChar>) -> R) -> R {
    s.withCString { body(UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self)) }
}

/// A node of a `MarkupDocument`; valid while the document lives (every prepared piece keeps it).
struct MarkupNode: @unchecked Sendable {
    let node: xmlNodePtr

    /// An element (else a text).
    var isElement: Bool { node.pointee.type == XML_ELEMENT_NODE }
}

/// What a page is written through, in document order: prepared markup and values only, so a
/// value can only ever be text or an attribute's text. `MarkupWriter` writes bytes; a sink that
/// builds a libxml2 tree of the same calls is the reference it is tested against.
protocol MarkupSink {
    /// Whole nodes prepared beforehand (a run of siblings).
    mutating func append(_ markup: PreparedMarkup)
    /// Starts an element whose attributes (`attribute`, first) or content follow, until `end`.
    mutating func start(_ tags: ElementTags)
    /// An attribute of the element just started, set as `xmlSetProp` sets it.
    mutating func attribute(_ name: String, _ value: String)
    /// A text node's content (an empty one makes no node).
    mutating func text(_ value: String)
    /// Ends the innermost started element.
    mutating func end()
    /// Whether the sink takes markup a `MarkupWriter` of its format wrote (a tree does not: it
    /// is given the same nodes instead).
    var takesWritten: Bool { get }
    /// Markup a `MarkupWriter` of this format wrote (a shared part).
    mutating func append(written: [UInt8])
    /// The page's bytes, once it is complete (called once).
    mutating func finish() -> [UInt8]
}

/// Where bytes libxml2 wrote are kept in their document's store (`MarkupDocument.withStore`):
/// a page copies them from there, so writing a piece counts no reference.
struct StoredBytes: Sendable {
    let start: Int
    let count: Int

    /// The bytes in `store`.
    @inline(__always)
    func of(_ store: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: store[start..<(start + count)])
    }
}

/// Sibling nodes prepared beforehand: the bytes libxml2 writes for them, formatting off. A
/// plain value (places in the document's store and tree), so a page passes it without counting
/// references.
struct PreparedMarkup: Sendable {
    let bytes: StoredBytes
    /// The first of the nodes, and how many siblings (for a sink that copies them into a tree).
    let first: MarkupNode
    let count: Int

    /// The nodes.
    var nodes: [MarkupNode] {
        var out: [MarkupNode] = []
        var n: xmlNodePtr? = first.node
        while let node = n, out.count < count {
            out.append(MarkupNode(node: node))
            n = node.pointee.next
        }
        return out
    }
}

/// An element's tags as libxml2 writes them, for an element whose content or some attributes
/// are given when a page is written. Found by writing a shallow copy of the element with a
/// marker attribute last and a marker text child, and cutting at the markers: no tag is put
/// together by hand. A plain value, as `PreparedMarkup`.
struct ElementTags: Sendable {
    /// The element without children, with the attributes it always has (for a tree sink; its
    /// name is the one attributes set on the element are written for: libxml2's HTML serialiser
    /// escapes some by the element's name, `name` on `a`). Each element's own: it tells elements apart.
    let node: MarkupNode
    /// From `<` through the prepared attributes.
    let open: StoredBytes
    /// After the attributes, when content follows (`>`).
    let openEnd: StoredBytes
    /// After the content.
    let close: StoredBytes
    /// After the attributes, when no child is written (`></td>`, `>`, `/>`).
    let empty: StoredBytes
    /// libxml2 writes the element's children (not so for HTML's void elements).
    let writesChildren: Bool
    /// libxml2 writes the element's text as it is (HTML's script and style).
    let rawText: Bool
    /// An empty element gets an empty text child (XHTML: `<td></td>`, never `<td/>`).
    let keepsOpen: Bool
}

/// The XHTML elements that are void: `<br/>` is right for them; every other XHTML element
/// left empty is written open and closed (`<td></td>`), as a browser reading `<td/>` as HTML
/// would leave it open.
let xhtmlVoidElements: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input",
                                      "link", "meta", "source", "track", "wbr"]

/// Output trees of one format, built once and kept: elements, attributes and texts as a caller
/// gives them, serialised by libxml2 with formatting off (HTML: `htmlNodeDumpFormatOutput`,
/// format 0; XHTML: `xmlNodeDumpOutput`, format 0, UTF-8, as `xmlSaveDoc` without
/// XML_SAVE_FORMAT writes them). Read-only once prepared: pages on any thread read it. Owned;
/// the trees are freed with it.
final class MarkupDocument: @unchecked Sendable {
    let format: OutputFormat
    private let document: XMLDocument
    private var doc: xmlDocPtr { document.doc }
    /// The bytes of every prepared piece, one after another (written while templates compile).
    private var store: [UInt8] = []

    /// Runs `body` with the store the prepared pieces' `StoredBytes` point into.
    func withStore<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try store.withUnsafeBufferPointer(body)
    }

    /// Keeps `bytes` in the store.
    private func stored(_ bytes: some Collection<UInt8>) -> StoredBytes {
        let start = store.count
        store.append(contentsOf: bytes)
        return StoredBytes(start: start, count: bytes.count)
    }

    init(format: OutputFormat) {
        self.format = format
        document = XMLDocument.new(html: format == .html)
        // xmlSaveDoc sets the document's encoding while it writes (UTF-8 is then copied, not
        // turned into character references); nodes written alone see the same.
        if format == .xhtml { doc.pointee.encoding = UnsafePointer(xmlStrdup("UTF-8")) }
    }

    /// An element: in XHTML, `declaring` a default namespace on it (its elements are written
    /// with no prefix, so a namespace only shows where it is declared); in HTML, a plain name.
    /// Without a parent it is the root of a tree kept until the document goes.
    func element(_ name: String, declaring namespace: String?, parent: MarkupNode?) -> MarkupNode {
        let node = withXMLChars(name) { xmlNewDocNode(doc, nil, $0, nil)! }
        if format == .xhtml, let namespace { _ = withXMLChars(namespace) { xmlNewNs(node, $0, nil) } }
        if let parent { xmlAddChild(parent.node, node) } else { document.adopt(node) }
        return MarkupNode(node: node)
    }

    /// Sets an attribute to literal text, as `xmlSetProp` does (`xml:lang` in the XML namespace).
    func setAttribute(_ node: MarkupNode, _ name: String, _ value: String) {
        withXMLChars(name) { n in withXMLChars(value) { v in _ = xmlSetProp(node.node, n, v) } }
    }

    /// Appends literal text (text next to text is one node); an empty text makes no node.
    func appendText(_ node: MarkupNode, _ text: String) {
        guard !text.isEmpty, let t = withXMLChars(text, { xmlNewDocText(doc, $0) }) else { return }
        if xmlAddChild(node.node, t) == nil { xmlFreeNode(t) }
    }

    /// Gives an element left without children an empty text child, so it is written open and
    /// closed (see `ElementTags.keepsOpen`).
    func keepOpen(_ node: MarkupNode) {
        guard node.node.pointee.children == nil, let t = xmlNewDocText(doc, "") else { return }
        if xmlAddChild(node.node, t) == nil { xmlFreeNode(t) }
    }

    /// The child nodes of `node`.
    func children(_ node: MarkupNode) -> [MarkupNode] {
        var out: [MarkupNode] = []
        var c = node.node.pointee.children
        while let n = c {
            out.append(MarkupNode(node: n))
            c = n.pointee.next
        }
        return out
    }

    /// Consecutive sibling nodes as prepared markup.
    func prepared(_ nodes: [MarkupNode]) -> PreparedMarkup {
        precondition(!nodes.isEmpty && zip(nodes, nodes.dropFirst()).allSatisfy { $0.node.pointee.next == $1.node },
                     "prepared markup is a run of siblings")
        return PreparedMarkup(bytes: stored(nodes.flatMap { serialize($0.node) }), first: nodes[0], count: nodes.count)
    }

    /// The tags of `element` with the attributes it has (those given later are not set on it).
    func tags(_ element: MarkupNode, keepsOpen: Bool) -> ElementTags {
        let shallow = xmlDocCopyNode(element.node, doc, 2)!
        document.adopt(shallow)
        let marked = xmlDocCopyNode(shallow, doc, 2)!
        defer { xmlFreeNode(marked) }
        let attr = xmlSetProp(marked, "data-qtown-marker", "m")!
        let attrBytes = serialize(UnsafeMutableRawPointer(attr).assumingMemoryBound(to: xmlNode.self))
        // Empty: no child (or, kept open, the empty text child).
        if keepsOpen, let t = xmlNewDocText(doc, "") { xmlAddChild(marked, t) }
        let emptyBytes = serialize(marked)
        if let t = marked.pointee.children { xmlUnlinkNode(t); xmlFreeNode(t) }
        // With content: a text that shows whether libxml2 escapes the element's text.
        let markerText = "<qtown-marker>"
        let text = withXMLChars(markerText) { xmlNewDocText(doc, $0)! }
        xmlAddChild(marked, text)
        let textBytes = serialize(text)
        let fullBytes = serialize(marked)
        guard let a = find(attrBytes, in: emptyBytes), let b = find(attrBytes, in: fullBytes) else {
            preconditionFailure("libxml2 did not write the marker attribute of <\(String(cNamed: element.node.pointee.name))>")
        }
        let open = Array(fullBytes[..<b])
        let afterAttrs = Array(fullBytes[(b + attrBytes.count)...])
        let t = find(textBytes, in: afterAttrs)
        return ElementTags(node: MarkupNode(node: shallow), open: stored(open),
                           openEnd: stored(t.map { Array(afterAttrs[..<$0]) } ?? afterAttrs),
                           close: stored(t.map { Array(afterAttrs[($0 + textBytes.count)...]) } ?? []),
                           empty: stored(emptyBytes[(a + attrBytes.count)...]),
                           writesChildren: t != nil, rawText: textBytes == Array(markerText.utf8), keepsOpen: keepsOpen)
    }

    /// What libxml2 writes around a page's root element: the DOCTYPE (`<!DOCTYPE html>`, no
    /// public or system id, in both formats; no XML declaration, so the page's one
    /// `<meta charset="UTF-8">` is its only declaration) and what follows the root.
    func documentFrame() -> (before: [UInt8], after: [UInt8]) {
        let page = XMLDocument.new(html: format == .html)
        xmlCreateIntSubset(page.doc, "html", nil, nil)
        let root = xmlNewDocNode(page.doc, nil, "html", nil)!
        xmlDocSetRootElement(page.doc, root)
        let whole = MarkupDocument.serialize(document: page.doc, format: format)
        let rootBytes = serialize(root)
        guard let i = find(rootBytes, in: whole) else { preconditionFailure("libxml2 did not write the root") }
        return (Array(whole[..<i]), Array(whole[(i + rootBytes.count)...]))
    }

    /// A whole document as pages are saved: HTML by `htmlDocContentDumpFormatOutput` into a
    /// buffer without an encoder (its "HTML" encoder would turn every Chinese character into a
    /// character reference); XHTML by `xmlSaveDoc` as UTF-8 without the XML declaration.
    /// Formatting off in both.
    static func serialize(document doc: xmlDocPtr, format: OutputFormat) -> [UInt8] {
        switch format {
        case .html:
            let buf = xmlAllocOutputBuffer(nil)!
            defer { xmlOutputBufferClose(buf) }
            htmlDocContentDumpFormatOutput(buf, doc, nil, 0)
            return contents(buf)
        case .xhtml:
            let buf = xmlBufferCreate()!
            defer { xmlBufferFree(buf) }
            let ctxt = xmlSaveToBuffer(buf, "UTF-8", Int32(XML_SAVE_NO_DECL.rawValue))!
            xmlSaveDoc(ctxt, doc)
            xmlSaveClose(ctxt)
            guard let content = xmlBufferContent(buf) else { return [] }
            return Array(UnsafeBufferPointer(start: content, count: Int(xmlBufferLength(buf))))
        }
    }

    /// One node (an attribute node too) as libxml2 writes it in this format, formatting off.
    private func serialize(_ node: xmlNodePtr) -> [UInt8] {
        let buf = xmlAllocOutputBuffer(nil)!
        defer { xmlOutputBufferClose(buf) }
        MarkupDocument.write(node, of: doc, format: format, to: buf)
        return MarkupDocument.contents(buf)
    }

    /// Writes one node as the page serialisers write it, formatting off.
    static func write(_ node: xmlNodePtr, of doc: xmlDocPtr, format: OutputFormat, to buf: xmlOutputBufferPtr) {
        switch format {
        case .html: htmlNodeDumpFormatOutput(buf, doc, node, nil, 0)
        case .xhtml: xmlNodeDumpOutput(buf, doc, node, 0, 0, "UTF-8")
        }
    }

    /// What an output buffer holds (no encoder: the bytes as written).
    private static func contents(_ buf: xmlOutputBufferPtr) -> [UInt8] {
        xmlOutputBufferFlush(buf)
        let size = Int(xmlOutputBufferGetSize(buf))
        guard size > 0, let content = xmlOutputBufferGetContent(buf) else { return [] }
        return Array(UnsafeBufferPointer(start: content, count: size))
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, needle.count <= haystack.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }
}

extension String {
    /// A libxml2 string.
    init(cNamed p: UnsafePointer<xmlChar>?) {
        self = p.map { String(cString: $0) } ?? ""
    }
}
