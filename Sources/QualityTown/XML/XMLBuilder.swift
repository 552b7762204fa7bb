internal import CLibXML2

// MARK: - Building a page with libxml2 and serialising it as HTML5 or XHTML

/// The two page formats (io-contract.md "Output folder").
public enum OutputFormat: String, Sendable, CaseIterable {
    case html, xhtml

    /// File extension of pages in this format.
    public var fileExtension: String { rawValue }
}

/// Namespaces the builder knows.
public enum XMLNamespaceURI {
    public static let xhtml = "http://www.w3.org/1999/xhtml"
    public static let svg = "http://www.w3.org/2000/svg"
}

/// Hands libxml2 a string's own UTF-8 bytes, NUL-terminated. (Passing a String where libxml2
/// wants `const xmlChar *` makes Swift copy it into a new array first, once per node.)
@inline(__always)
func withXMLChars<R>(_ s: String, _ body: (UnsafePointer<xmlChar>) -> R) -> R {
    s.withCString { body(UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self)) }
}

/// A node being built; only meaningful with the builder that made it.
public struct BuiltNode: @unchecked Sendable {
    let node: xmlNodePtr
}

/// What the template engine builds a page through: elements, attributes and text only, so a
/// value can only ever be text. Three builders: the page writers (`HTMLPageWriter`, `PageWriter`; every build) and `XMLBuilder`, a
/// libxml2 tree serialised by libxml2, the reference the writers are checked against.
protocol PageBuilder {
    associatedtype Node
    mutating func element(_ name: XMLName, namespace: String?, parent: Node?) -> Node
    mutating func setAttribute(_ node: Node, _ name: XMLName, _ value: String)
    mutating func appendText(_ node: Node, _ text: String)
    /// Element `op` of a template program with its static attributes (no `q:attr`).
    mutating func element(_ program: TemplateProgram, _ op: Int32, parent: Node?) -> Node
    /// Template text `op` of a template program.
    mutating func appendText(_ program: TemplateProgram, text op: Int32, to node: Node)
    /// The page's bytes (once it is complete; called once).
    mutating func serialize() -> [UInt8]

    /// Whether the builder can hand out a finished element's bytes and write them again into
    /// another page (`elementMark`, `finishElement`, `appendElement`): its bytes for an
    /// element depend on nothing around the element.
    var reusesElements: Bool { get }
    /// A mark for the next element built.
    mutating func elementMark() -> Int
    /// Ends the element built first since `mark`, and what is open inside it; its bytes, from
    /// its start tag to its end tag (nil when they are not written).
    mutating func finishElement(_ mark: Int) -> [UInt8]?
    /// Writes as a child of `parent` an element `finishElement` returned (its tag is `tag`).
    mutating func appendElement(_ bytes: [UInt8], tag: XMLTag, parent: Node)
}

extension PageBuilder {
    /// The element and its attributes, set one by one.
    mutating func element(_ program: TemplateProgram, _ op: Int32, parent: Node?) -> Node {
        let o = program.ops[Int(op)]
        let n = element(program.elementNames[Int(o.element)], namespace: program.namespace(of: o),
                        parent: parent)
        for (name, value) in program.attributes[o.attributes.range] { setAttribute(n, name, value) }
        return n
    }

    /// The template's text, as any text.
    mutating func appendText(_ program: TemplateProgram, text op: Int32, to node: Node) {
        appendText(node, program.texts[Int(program.ops[Int(op)].text)])
    }

    /// Builders of trees reuse no element.
    var reusesElements: Bool { false }
    mutating func elementMark() -> Int { preconditionFailure("no reused elements") }
    mutating func finishElement(_ mark: Int) -> [UInt8]? { preconditionFailure("no reused elements") }
    mutating func appendElement(_ bytes: [UInt8], tag: XMLTag, parent: Node) { preconditionFailure("no reused elements") }
}

/// Builds one output document as a libxml2 tree and serialises it with libxml2: elements,
/// attributes and text nodes only — values always enter as text nodes (or attribute text), so
/// no value can become markup.
final class XMLBuilder: PageBuilder {
    private let document: XMLDocument
    let format: OutputFormat
    private var namespaces: [String: xmlNsPtr] = [:]

    init(format: OutputFormat) {
        self.format = format
        document = XMLDocument.new(html: format == .html)
        // <!DOCTYPE html> in both formats.
        xmlCreateIntSubset(document.doc, "html", nil, nil)
    }

    /// Creates an element. In XHTML output it carries `namespace` (declared on the element
    /// that first needs it); in HTML output names are plain.
    func element(_ name: XMLName, namespace: String?, parent: BuiltNode?) -> BuiltNode {
        let node = withXMLChars(name.string) { xmlNewDocNode(document.doc, nil, $0, nil)! }
        if let parent {
            xmlAddChild(parent.node, node)
        } else {
            xmlDocSetRootElement(document.doc, node)
        }
        if format == .xhtml, let uri = namespace {
            if let ns = namespaces[uri], isInScope(ns, of: node) {
                xmlSetNs(node, ns)
            } else {
                let ns = xmlNewNs(node, uri, nil)!
                namespaces[uri] = ns
                xmlSetNs(node, ns)
            }
        }
        return BuiltNode(node: node)
    }

    /// Whether a namespace declared earlier is declared on an ancestor of `node`.
    private func isInScope(_ ns: xmlNsPtr, of node: xmlNodePtr) -> Bool {
        var cur: xmlNodePtr? = node.pointee.parent
        while let c = cur, c.pointee.type == XML_ELEMENT_NODE {
            var d = c.pointee.nsDef
            while let n = d {
                if n == ns { return true }
                d = n.pointee.next
            }
            cur = c.pointee.parent
        }
        return false
    }

    /// Sets an attribute to literal text (libxml2 escapes it when saving).
    func setAttribute(_ node: BuiltNode, _ name: XMLName, _ value: String) {
        // xmlSetProp stores `value` as one text node (unlike xmlNewDocProp, which would parse
        // entity references in it): `&amp;` in a value stays the five characters it is.
        withXMLChars(name.string) { n in withXMLChars(value) { v in _ = xmlSetProp(node.node, n, v) } }
    }

    /// Appends literal text.
    func appendText(_ node: BuiltNode, _ text: String) {
        guard !text.isEmpty else { return }
        let t = withXMLChars(text) { xmlNewDocText(document.doc, $0)! }
        if xmlAddChild(node.node, t) == nil { xmlFreeNode(t) }
    }

    /// The finished document's bytes: UTF-8 characters (no `&#…;` for Chinese), `<!DOCTYPE html>`.
    ///
    /// HTML: libxml2's HTML serialiser into an output buffer without an encoder (its "HTML"
    /// encoder would turn every Chinese character into a character reference); the template's
    /// one `<meta charset="UTF-8">` is the only charset declaration, as the serialiser adds a
    /// Content-Type meta only when asked to re-encode.
    /// XHTML: the XML serialiser in XHTML mode (`<td></td>`, never `<td/>`), without the XML
    /// declaration, so again the one `<meta charset="UTF-8"/>` is the only declaration (XML
    /// defaults to UTF-8).
    func serialize() -> [UInt8] {
        switch format {
        case .html:
            guard let buf = xmlAllocOutputBuffer(nil) else { return [] }
            htmlDocContentDumpFormatOutput(buf, document.doc, nil, 1)
            xmlOutputBufferFlush(buf)
            let size = Int(xmlOutputBufferGetSize(buf))
            var out: [UInt8] = []
            if let content = xmlOutputBufferGetContent(buf), size > 0 {
                out = Array(UnsafeBufferPointer(start: content, count: size))
            }
            xmlOutputBufferClose(buf)
            return out
        case .xhtml:
            if let root = xmlDocGetRootElement(document.doc) { keepEmptyElementsOpen(root) }
            guard let buf = xmlBufferCreate() else { return [] }
            defer { xmlBufferFree(buf) }
            guard let ctxt = xmlSaveToBuffer(buf, "UTF-8", XMLBuilder.xhtmlSaveOptions) else { return [] }
            xmlSaveDoc(ctxt, document.doc)
            xmlSaveClose(ctxt)
            let size = Int(xmlBufferLength(buf))
            guard let content = xmlBufferContent(buf), size > 0 else { return [] }
            return Array(UnsafeBufferPointer(start: content, count: size))
        }
    }

    /// How XHTML pages are saved: formatted, without the XML declaration.
    static let xhtmlSaveOptions = Int32(XML_SAVE_FORMAT.rawValue | XML_SAVE_NO_DECL.rawValue)

    /// Gives every empty non-void XHTML element an empty text child, so the XML serialiser
    /// writes `<td></td>` instead of `<td/>`.
    private func keepEmptyElementsOpen(_ node: xmlNodePtr) {
        var stack: [xmlNodePtr] = [node]
        while let n = stack.popLast() {
            guard n.pointee.type == XML_ELEMENT_NODE else { continue }
            let isXHTML = n.pointee.ns.map { String(cString: $0.pointee.href) == XMLNamespaceURI.xhtml } ?? false
            if n.pointee.children == nil {
                if isXHTML, !XMLName.voidElements.contains(String(cString: n.pointee.name)),
                   let t = xmlNewDocText(document.doc, "") {
                    xmlAddChild(n, t)
                }
                continue
            }
            var c = n.pointee.children
            while let child = c {
                stack.append(child)
                c = child.pointee.next
            }
        }
    }
}
