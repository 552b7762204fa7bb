internal import CLibXML2
import Foundation

// MARK: - The one libxml2 wrapper: owned documents, nodes that keep them alive, drained errors

/// A message libxml2 reported while parsing, validating or saving, with its position.
public struct XMLMessage: Sendable, Hashable, CustomStringConvertible {
    public enum Level: Int, Sendable { case warning = 1, error = 2, fatal = 3 }
    public var level: Level
    /// libxml2's error code (`xmlParserErrors`).
    public var code: Int
    public var message: String
    public var file: String
    public var line: Int
    public var column: Int

    /// True for the HTML parser's complaint about an element name it does not know (an HTML4-era
    /// parser meeting `section`, `svg`…), the one complaint a checker of HTML5 output tolerates.
    public var isUnknownHTMLTag: Bool { code == Int(XML_HTML_UNKNOWN_TAG.rawValue) }

    public var description: String { "\(file):\(line):\(column): \(message)" }

    /// As a diagnostic of `stage`.
    public func diagnostic(stage: Stage, code: String) -> Diagnostic {
        Diagnostic(level == .warning ? .warning : .error, code, message,
                   at: SourceLocation(file: file, line: line > 0 ? line : nil, column: column > 0 ? column : nil), stage: stage)
    }
}

/// Collects libxml2's structured errors for one operation.
private final class ErrorCollector {
    var messages: [XMLMessage] = []
    let file: String
    init(file: String) { self.file = file }
}

/// libxml2 is initialised once per process before any use (thread-safe after that).
private let libxmlReady: Bool = {
    xmlInitParser()
    return true
}()

/// Runs `body` with libxml2's errors routed into Swift values, then restores the hooks and
/// resets the last error. The hooks are thread-local in libxml2's threaded build.
func collectingXMLErrors<T>(file: String, _ body: () throws -> T) rethrows -> (T, [XMLMessage]) {
    _ = libxmlReady
    let collector = ErrorCollector(file: file)
    let ctx = Unmanaged.passUnretained(collector).toOpaque()
    qtown_xml_silence_generic_errors()
    xmlSetStructuredErrorFunc(ctx) { ctx, err in
        guard let ctx, let err else { return }
        let c = Unmanaged<ErrorCollector>.fromOpaque(ctx).takeUnretainedValue()
        let e = err.pointee
        let text = e.message.map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "XML error"
        let level: XMLMessage.Level = e.level == XML_ERR_WARNING ? .warning : (e.level == XML_ERR_FATAL ? .fatal : .error)
        c.messages.append(XMLMessage(level: level, code: Int(e.code), message: text,
                                     file: e.file.map { String(cString: $0) } ?? c.file,
                                     line: Int(e.line), column: Int(e.int2)))
    }
    defer {
        xmlSetStructuredErrorFunc(nil, nil)
        xmlResetLastError()
        withExtendedLifetime(collector) {}
    }
    let result = try body()
    return (result, collector.messages)
}

/// A parsed or built XML/HTML document, owned: freed with the last reference.
public final class XMLDocument: @unchecked Sendable {
    let doc: xmlDocPtr
    /// Nodes unlinked from the tree, freed with the document.
    private var orphans: [xmlNodePtr] = []
    public let name: String

    private init(_ doc: xmlDocPtr, name: String) {
        self.doc = doc
        self.name = name
    }

    deinit {
        for n in orphans { xmlFreeNode(n) }
        xmlFreeDoc(doc)
    }

    /// Parses XML with no network access and no entity substitution, as UTF-8. Returns nil and
    /// the messages when the text is not well-formed.
    public static func parseXML(_ bytes: [UInt8], name: String) -> (XMLDocument?, [XMLMessage]) {
        let options = Int32(XML_PARSE_NONET.rawValue) | Int32(XML_PARSE_NOCDATA.rawValue)
        let (doc, messages) = collectingXMLErrors(file: name) { () -> xmlDocPtr? in
            bytes.withUnsafeBufferPointer { buf in
                buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    xmlReadMemory($0, Int32(bytes.count), name, "UTF-8", options)
                }
            }
        }
        guard let doc else { return (nil, messages) }
        return (XMLDocument(doc, name: name), messages)
    }

    /// Parses HTML with libxml2's HTML parser (no network), collecting its complaints; used to
    /// check that written pages parse.
    public static func parseHTML(_ bytes: [UInt8], name: String) -> (XMLDocument?, [XMLMessage]) {
        let options = Int32(HTML_PARSE_NONET.rawValue)
        let (doc, messages) = collectingXMLErrors(file: name) { () -> htmlDocPtr? in
            bytes.withUnsafeBufferPointer { buf in
                buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    htmlReadMemory($0, Int32(bytes.count), name, "UTF-8", options)
                }
            }
        }
        guard let doc else { return (nil, messages) }
        return (XMLDocument(doc, name: name), messages)
    }

    /// A new, empty document to build a page into (`html`: an HTML document, else XML).
    static func new(html: Bool) -> XMLDocument {
        _ = libxmlReady
        let d: xmlDocPtr = html ? htmlNewDocNoDtD(nil, nil)! : xmlNewDoc("1.0")!
        // Element and attribute names interned once per page instead of copied per node
        // (freed with the document by xmlFreeDoc).
        d.pointee.dict = xmlDictCreate()
        return XMLDocument(d, name: "(built)")
    }

    /// The root element.
    public var root: XMLElement? {
        xmlDocGetRootElement(doc).map { XMLElement(document: self, node: $0) }
    }

    /// True when the document declares entities in a DTD (refused for templates).
    public var declaresEntities: Bool {
        if let sub = doc.pointee.intSubset, sub.pointee.entities != nil { return true }
        if doc.pointee.extSubset != nil { return true }
        return false
    }

    /// True when the document has a DOCTYPE naming an external DTD (system or public id).
    public var referencesExternalDTD: Bool {
        guard let sub = doc.pointee.intSubset else { return false }
        return sub.pointee.SystemID != nil || sub.pointee.ExternalID != nil
    }

    func adopt(_ orphan: xmlNodePtr) { orphans.append(orphan) }
}

/// A node kind as seen from Swift.
public enum XMLNodeKind: Sendable {
    case element, text, comment, entityReference, processingInstruction, other
}

/// An element of a document; keeps the document alive.
public struct XMLElement: @unchecked Sendable {
    public let document: XMLDocument
    let node: xmlNodePtr

    init(document: XMLDocument, node: xmlNodePtr) {
        self.document = document
        self.node = node
    }

    /// Local name (`div`, `fragment`).
    public var name: String { String(cString: node.pointee.name) }

    /// Namespace URI, or nil.
    public var namespaceURI: String? { node.pointee.ns.flatMap { $0.pointee.href.map { String(cString: $0) } } }

    /// 1-based line in the source file.
    public var line: Int { Int(xmlGetLineNo(node)) }

    /// Attributes in document order: (namespace URI, local name, value).
    public var attributes: [(namespace: String?, name: String, value: String)] {
        var out: [(String?, String, String)] = []
        var a = node.pointee.properties
        while let attr = a {
            let ns = attr.pointee.ns.flatMap { $0.pointee.href.map { String(cString: $0) } }
            let name = String(cString: attr.pointee.name)
            var value = ""
            if let v = xmlNodeListGetString(node.pointee.doc, attr.pointee.children, 1) {
                value = String(cString: v)
                qtown_xml_free(v)
            }
            out.append((ns, name, value))
            a = attr.pointee.next
        }
        return out
    }

    /// The value of an attribute without namespace.
    public func attribute(_ name: String) -> String? {
        guard let v = xmlGetNoNsProp(node, name) else { return nil }
        defer { qtown_xml_free(v) }
        return String(cString: v)
    }

    /// Namespace declarations on this element: (prefix or nil, URI).
    public var namespaceDeclarations: [(prefix: String?, uri: String)] {
        var out: [(String?, String)] = []
        var ns = node.pointee.nsDef
        while let n = ns {
            out.append((n.pointee.prefix.map { String(cString: $0) }, n.pointee.href.map { String(cString: $0) } ?? ""))
            ns = n.pointee.next
        }
        return out
    }

    /// Child nodes in order.
    public var children: [XMLChild] {
        var out: [XMLChild] = []
        var c = node.pointee.children
        while let n = c {
            out.append(XMLChild(document: document, node: n))
            c = n.pointee.next
        }
        return out
    }

    /// Child elements in order.
    public var childElements: [XMLElement] {
        children.compactMap { $0.element }
    }

    /// All text inside the element.
    public var textContent: String {
        guard let c = xmlNodeGetContent(node) else { return "" }
        defer { qtown_xml_free(c) }
        return String(cString: c)
    }
}

/// A child node of any kind.
public struct XMLChild: @unchecked Sendable {
    let document: XMLDocument
    let node: xmlNodePtr

    public var kind: XMLNodeKind {
        switch node.pointee.type {
        case XML_ELEMENT_NODE: return .element
        case XML_TEXT_NODE, XML_CDATA_SECTION_NODE: return .text
        case XML_COMMENT_NODE: return .comment
        case XML_ENTITY_REF_NODE: return .entityReference
        case XML_PI_NODE: return .processingInstruction
        default: return .other
        }
    }

    public var element: XMLElement? { kind == .element ? XMLElement(document: document, node: node) : nil }

    /// Text of a text node (or name of an entity reference).
    public var text: String {
        if kind == .entityReference { return String(cString: node.pointee.name) }
        return node.pointee.content.map { String(cString: $0) } ?? ""
    }

    public var line: Int { Int(xmlGetLineNo(node)) }
}

// MARK: - Schema validation

/// Why a schema could not be loaded.
public struct XMLSchemaError: Error, Sendable, CustomStringConvertible {
    public var messages: [XMLMessage]
    public var description: String { messages.map(\.description).joined(separator: "\n") }
}

/// A compiled XML Schema (XSD), owned.
public final class XMLSchema: @unchecked Sendable {
    private let schema: xmlSchemaPtr

    /// Compiles an XSD document.
    public init(_ document: XMLDocument) throws(XMLSchemaError) {
        let (schema, messages) = collectingXMLErrors(file: document.name) { () -> xmlSchemaPtr? in
            guard let ctxt = xmlSchemaNewDocParserCtxt(document.doc) else { return nil }
            defer { xmlSchemaFreeParserCtxt(ctxt) }
            return xmlSchemaParse(ctxt)
        }
        guard let schema else { throw XMLSchemaError(messages: messages) }
        self.schema = schema
    }

    deinit { xmlSchemaFree(schema) }

    /// Validates a document; returns the violations with their lines (empty when valid).
    public func validate(_ document: XMLDocument) -> [XMLMessage] {
        let (result, messages) = collectingXMLErrors(file: document.name) { () -> Int32 in
            guard let v = xmlSchemaNewValidCtxt(schema) else { return -1 }
            defer { xmlSchemaFreeValidCtxt(v) }
            return xmlSchemaValidateDoc(v, document.doc)
        }
        if result != 0 && messages.isEmpty {
            return [XMLMessage(level: .error, code: Int(result), message: "文件不符合方案格式（schema）", file: document.name, line: 0, column: 0)]
        }
        return messages
    }
}
