internal import CLibXML2

// MARK: - Element and attribute names, looked up in libxml2's HTML tables once

/// An element or attribute name from a template, with what libxml2's HTML serialiser knows of
/// it, asked of libxml2 itself (`htmlTagLookup`, `htmlIsBooleanAttr`) once when the template is
/// compiled rather than once per node of every page.
public final class XMLName: Sendable, Hashable, CustomStringConvertible {
    public let string: String
    /// The name's UTF-8 bytes, and as tags (`<name`, `</name>`).
    let bytes: [UInt8]
    let startTag: [UInt8]
    let endTag: [UInt8]
    /// libxml2 knows the element (its HTML 4 table: no `section`, `main`, `svg`…).
    let htmlKnown: Bool
    /// libxml2's `empty` (void: `<br>`, `<meta>`), `saveEndTag` and `isinline` flags.
    let htmlEmpty: Bool
    let htmlSaveEndTag: Bool
    /// Childless, written `<name>` alone: saveEndTag, except html and body (htmlNodeDumpFormatOutput).
    let htmlNoEndTagWhenEmpty: Bool
    let htmlInline: Bool
    /// As an attribute: written without a value in HTML (`checked`, `selected`…).
    let htmlBooleanAttribute: Bool
    /// As an attribute: a URI attribute libxml2's HTML serialiser %-escapes (href, action, src).
    let htmlURIAttribute: Bool
    /// As an element: its text is written raw by the HTML serialiser (script, style).
    let htmlRawText: Bool
    /// The serialisers' `name[0] != 'p'` test (p, pre, param: no formatting newlines inside).
    let startsWithP: Bool
    /// `a` (case-insensitive): its `name` attribute is a URI attribute too.
    let isAnchor: Bool
    /// An XHTML void element (`<br/>`); every other empty XHTML element is written open.
    let xhtmlVoid: Bool

    public init(_ string: String) {
        self.string = string
        bytes = Array(string.utf8)
        startTag = Array("<\(string)".utf8)
        endTag = Array("</\(string)>".utf8)
        let lower = string.lowercased()
        let info = withXMLChars(string) { htmlTagLookup($0) }
        htmlKnown = info != nil
        htmlEmpty = info.map { $0.pointee.empty != 0 } ?? false
        htmlSaveEndTag = info.map { $0.pointee.saveEndTag != 0 } ?? false
        htmlNoEndTagWhenEmpty = htmlSaveEndTag && lower != "html" && lower != "body"
        htmlInline = info.map { $0.pointee.isinline != 0 } ?? false
        htmlBooleanAttribute = withXMLChars(string) { htmlIsBooleanAttr($0) } != 0
        htmlURIAttribute = lower == "href" || lower == "action" || lower == "src"
        htmlRawText = lower == "script" || lower == "style"
        startsWithP = string.utf8.first == UInt8(ascii: "p")
        isAnchor = lower == "a"
        xhtmlVoid = XMLName.voidElements.contains(string)
    }

    /// HTML elements that are void (`<br/>` is right for them; for every other element a
    /// browser reading `<td/>` as HTML would leave it open).
    static let voidElements: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input",
                                            "link", "meta", "source", "track", "wbr"]

    public var description: String { string }
    public static func == (a: XMLName, b: XMLName) -> Bool { a === b || a.string == b.string }
    public func hash(into hasher: inout Hasher) { hasher.combine(string) }
}
