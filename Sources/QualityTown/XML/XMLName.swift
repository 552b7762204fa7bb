internal import CLibXML2
import Foundation

// MARK: - Element and attribute names, looked up in libxml2's HTML tables once

/// An element or attribute name from a template, with what libxml2's HTML serialiser knows of
/// it, asked of libxml2 itself (`htmlTagLookup`, `htmlIsBooleanAttr`) once when the template is
/// compiled rather than once per node of every page. Names are interned for the process
/// (`XMLName.named`): a template has a few dozen, and the page writer keeps plain pointers to
/// their bytes, which therefore never go away.
public final class XMLName: Sendable, Hashable, CustomStringConvertible {
    public let string: String
    /// What the page writer needs, without reference counting.
    let tag: XMLTag

    /// The one instance for `string`.
    public static func named(_ string: String) -> XMLName { registry.name(string) }

    private static let registry = Registry()

    private final class Registry: @unchecked Sendable {
        private var names: [String: XMLName] = [:]
        private let lock = NSLock()
        func name(_ s: String) -> XMLName {
            lock.lock()
            defer { lock.unlock() }
            if let n = names[s] { return n }
            let n = XMLName(s)
            names[s] = n
            return n
        }
    }

    private init(_ string: String) {
        self.string = string
        let lower = string.lowercased()
        let info = withXMLChars(string) { htmlTagLookup($0) }
        var f: XMLTag.Flags = []
        if let info {
            f.insert(.htmlKnown)
            if info.pointee.empty != 0 { f.insert(.htmlEmpty) }
            if info.pointee.saveEndTag != 0 && lower != "html" && lower != "body" { f.insert(.htmlNoEndTagWhenEmpty) }
            if info.pointee.isinline != 0 { f.insert(.htmlInline) }
        }
        // xmlSetProp puts `xml:…` in the XML namespace, so libxml2 asks about the local name.
        let local = string.hasPrefix("xml:") && string.count > 4 ? String(string.dropFirst(4)) : string
        if withXMLChars(local, { htmlIsBooleanAttr($0) }) != 0 { f.insert(.htmlBooleanAttribute) }
        if lower == "href" || lower == "action" || lower == "src" { f.insert(.htmlURIAttribute) }
        if lower == "name" { f.insert(.nameAttribute) }
        if lower == "script" || lower == "style" { f.insert(.htmlRawText) }
        if string.utf8.first == UInt8(ascii: "p") { f.insert(.startsWithP) }
        if lower == "a" { f.insert(.anchor) }
        if XMLName.voidElements.contains(string) { f.insert(.xhtmlVoid) }
        tag = XMLTag(name: XMLTag.bytes(string), start: XMLTag.bytes("<" + string), end: XMLTag.bytes("</" + string + ">"), flags: f)
    }

    /// HTML elements that are void (`<br/>` is right for them; for every other element a
    /// browser reading `<td/>` as HTML would leave it open).
    static let voidElements: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input",
                                            "link", "meta", "source", "track", "wbr"]

    public var description: String { string }
    public static func == (a: XMLName, b: XMLName) -> Bool { a === b || a.string == b.string }
    public func hash(into hasher: inout Hasher) { hasher.combine(string) }
}

/// A run of bytes that lives as long as the process (an interned name's).
struct XMLBytes: @unchecked Sendable {
    let start: UnsafePointer<UInt8>
    let count: Int
}

/// An interned name's bytes and libxml2's facts about it: plain values, copied into every node.
struct XMLTag: @unchecked Sendable {
    struct Flags: OptionSet, Sendable {
        let rawValue: UInt16
        /// libxml2 knows the element (its HTML 4 table: no `section`, `main`, `svg`…).
        static let htmlKnown = Flags(rawValue: 1 << 0)
        /// libxml2's `empty` (void: `<br>`, `<meta>`).
        static let htmlEmpty = Flags(rawValue: 1 << 1)
        /// Childless, written `<name>` alone: `saveEndTag`, except html and body.
        static let htmlNoEndTagWhenEmpty = Flags(rawValue: 1 << 2)
        /// libxml2's `isinline`.
        static let htmlInline = Flags(rawValue: 1 << 3)
        /// As an attribute: written without a value in HTML (`checked`, `selected`…).
        static let htmlBooleanAttribute = Flags(rawValue: 1 << 4)
        /// As an attribute: %-escaped by the HTML serialiser (href, action, src).
        static let htmlURIAttribute = Flags(rawValue: 1 << 5)
        /// As an attribute: `name` (a URI attribute on `a`).
        static let nameAttribute = Flags(rawValue: 1 << 6)
        /// As an element: its text is written raw by the HTML serialiser (script, style).
        static let htmlRawText = Flags(rawValue: 1 << 7)
        /// The serialisers' `name[0] != 'p'` test (p, pre, param: no formatting newlines inside).
        static let startsWithP = Flags(rawValue: 1 << 8)
        /// `a` (case-insensitive).
        static let anchor = Flags(rawValue: 1 << 9)
        /// An XHTML void element (`<br/>`); every other empty XHTML element is written open.
        static let xhtmlVoid = Flags(rawValue: 1 << 10)
    }

    /// What is known of the name, stored once for the process (the tag is one pointer, so the
    /// page tree's nodes stay small).
    struct Info {
        /// `name`, `<name` and `</name>`.
        let name: XMLBytes
        let start: XMLBytes
        let end: XMLBytes
        let flags: Flags
    }

    let info: UnsafePointer<Info>

    init(name: XMLBytes, start: XMLBytes, end: XMLBytes, flags: Flags) {
        let p = UnsafeMutablePointer<Info>.allocate(capacity: 1)
        p.initialize(to: Info(name: name, start: start, end: end, flags: flags))
        info = UnsafePointer(p)
    }

    @inline(__always) var name: XMLBytes { info.pointee.name }
    @inline(__always) var start: XMLBytes { info.pointee.start }
    @inline(__always) var end: XMLBytes { info.pointee.end }
    @inline(__always) var flags: Flags { info.pointee.flags }

    static func bytes(_ s: String) -> XMLBytes {
        let b = Array(s.utf8)
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, b.count))
        p.initialize(from: b, count: b.count)
        return XMLBytes(start: p, count: b.count)
    }
}
