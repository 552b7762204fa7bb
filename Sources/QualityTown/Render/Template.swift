import Foundation

// MARK: - A natural-template engine on XHTML files
//
// Templates are well-formed XHTML that open in a browser as a believable page with sample text.
// Directives are attributes in one namespace, `xmlns:q="urn:x-qtown:template"`. On one element
// they apply in this order (the one table; anything else in the namespace is an error):
//
// | order | directive                    | effect                                                        |
// |-------|------------------------------|---------------------------------------------------------------|
// | 1     | q:remove=""                  | drop the element (sample text seen only when opened raw)      |
// | 2     | q:each="x in path"           | repeat per item, binding `x` and `loop` (index, first, last, odd) |
// | 3     | q:if="expr" / q:unless="expr"| keep / drop (null, false, "", [] are false)                   |
// | 4     | q:with="a expr; b expr"      | names for the element and its subtree                         |
// | 5     | q:use="file.xhtml#name"      | render that fragment instead; children with q:fill fill its slots |
// | 5     | q:insert="expr"              | the shared part the value is (`TemplateValue.part`) instead   |
// | 6     | q:slot="name"                | in a fragment: replaced by the user's q:fill="name" element   |
// | 7     | q:attr="name expr; …"        | set attributes (null or false removes, true sets name=name)   |
// | 8     | q:text="expr"                | replace the children with one text node                       |
// | 9     | q:omit=""                    | drop the element's own tag, keep its children                 |
// |  —    | q:fragment="name", q:fill="name" | markers: define a fragment; supply a slot's content        |
//
// Expressions are a dotted path (`town.name`) resolved innermost scope first, or a quoted
// literal (`'text'`). An unknown name is an error naming the template line. Values always enter
// the output as text nodes or attribute text; there is no directive for raw markup (a shared
// part is a template fragment rendered by the same rules).
//
// A template is parsed by libxml2 (no network, no entity substitution, white space kept) and
// compiled once into prepared markup (`XML/Markup.swift`): elements with no directive in their
// subtree, and texts, become runs of bytes libxml2 wrote for them with formatting off, so the
// template's own white space is the page's layout; other elements keep their tags as libxml2
// wrote them and are rendered by `TemplateRenderer`.

/// The template namespace.
public let templateNamespace = "urn:x-qtown:template"

/// A value a view hands to a template.
public enum TemplateValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case text(String)
    case list([TemplateValue])
    case object(TemplateObject)
    /// A part several pages (or places of one) print alike, inserted by `q:insert`: rendered
    /// once per template set and format, then copied.
    case part(SharedPart)

    /// Truthiness for q:if / q:unless.
    var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .text(let s): return !s.isEmpty
        case .list(let l): return !l.isEmpty
        case .object, .part: return true
        }
    }
}

extension TemplateValue {
    /// An object's member `key` (nil for a value that is not an object, or has no such member),
    /// read in place.
    func member(_ key: String) -> TemplateValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
}

/// A template object: a few named values in the order given, looked up by comparing names.
/// A national build makes millions of these (one per table row, cell group, link…): hashing
/// every key of each, as a dictionary would, costs more than the few comparisons of a lookup.
/// Written like a dictionary (`["name": .text("符离镇")]`); equal when the same names have the
/// same values, whatever their order.
public struct TemplateObject: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// A named value (a tuple: an object literal's elements are taken as they are, not copied).
    /// Unlabelled, as the literal's elements are: labels would make Swift cast the array.
    typealias Member = (String, TemplateValue)

    private(set) var members: [Member]

    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        members = elements
    }

    /// From a dictionary (names in sorted order, so the object is the same run after run).
    public init(_ dictionary: [String: TemplateValue]) {
        members = dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The value named `key`; setting nil removes it.
    public subscript(key: String) -> TemplateValue? {
        get { position(of: key).map { members[$0].1 } }
        set {
            if let i = position(of: key) {
                if let v = newValue { members[i].1 = v } else { members.remove(at: i) }
            } else if let v = newValue {
                members.append((key, v))
            }
        }
    }

    /// The position of the member named `key`. By index: a for-in loop would copy (retain and
    /// release) every member it passes. Names are XML names, compared as written: one of another
    /// length in bytes is another name, told without comparing the texts (most members a look-up
    /// passes).
    private func position(of key: String) -> Int? {
        let n = key.utf8.count
        for i in members.indices where members[i].0.utf8.count == n && members[i].0 == key { return i }
        return nil
    }

    public static func == (a: TemplateObject, b: TemplateObject) -> Bool {
        a.members.count == b.members.count && a.members.allSatisfy { b[$0.0] == $0.1 }
    }

    public func hash(into hasher: inout Hasher) {
        var h = 0
        for m in members {
            var one = Hasher()
            one.combine(m.0)
            one.combine(m.1)
            h ^= one.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(h)
    }
}

/// A template problem, with the template file and line.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    public var description: String { "\(file):\(line): \(message)" }

    /// As a diagnostic of the render stage.
    public var diagnostic: Diagnostic {
        Diagnostic(.error, "template-error", message, at: SourceLocation(file: file, line: line), stage: .render)
    }
}

// MARK: - Compiled form

/// An expression: a path of names, or a literal.
enum Expr: Sendable, Hashable {
    case path([String])
    case literal(String)

    static func parse(_ s: String, file: String, line: Int) throws(TemplateError) -> Expr {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.count >= 2, t.hasPrefix("'"), t.hasSuffix("'") { return .literal(String(t.dropFirst().dropLast())) }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, parts.allSatisfy(isIdentifier) else {
            throw TemplateError(file: file, line: line, message: "表达式“\(s)”无效：应为 name.name 形式的路径或 '文字'")
        }
        return .path(parts)
    }
}

func isIdentifier(_ s: String) -> Bool {
    guard let f = s.unicodeScalars.first, f == "_" || (f.isASCII && CharacterSet.letters.contains(f)) else { return false }
    return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) }
}

/// The directives found on one element.
struct Directives: Sendable {
    var remove = false
    var each: (name: String, expr: Expr)?
    var ifExpr: Expr?
    var unlessExpr: Expr?
    var with: [(name: String, expr: Expr)] = []
    var use: (file: String, fragment: String)?
    var insert: Expr?
    var slot: String?
    var attr: [(name: String, expr: Expr)] = []
    var text: Expr?
    var omit = false
    var fragment: String?
    var fill: String?

    /// No directive that changes what is written (q:fragment and q:fill only mark elements).
    var none: Bool {
        !remove && each == nil && ifExpr == nil && unlessExpr == nil && with.isEmpty && use == nil && insert == nil
            && slot == nil && attr.isEmpty && text == nil && !omit
    }
}

/// A value per output format.
struct PerFormat<T: Sendable>: Sendable {
    let html: T
    let xhtml: T

    subscript(_ format: OutputFormat) -> T { format == .html ? html : xhtml }
}

/// A compiled element's content: runs of prepared markup between the elements rendered.
enum TNode: Sendable {
    case markup(PreparedMarkup)
    case element(TElement)
}

/// A compiled element of one output format: its directives, and what libxml2 writes of it.
/// Each format has its own tree, so a page's walk reads one reference per node (choosing the
/// format per node copied both formats' pieces, counting references of each).
final class TElement: Sendable {
    let directives: Directives
    let file: String
    let line: Int
    /// With no directive in its subtree: the whole element as prepared markup.
    let whole: PreparedMarkup?
    /// Otherwise: its tags (the attributes it always has) and its content.
    let tags: ElementTags?
    let content: [TNode]
    /// Descendant elements carrying q:fill (not looking inside nested q:use elements).
    let fillElements: [(String, TElement)]
    /// No directive of steps 1–6 (remove … slot): the element is written here, with its
    /// attributes, text or content.
    let onlyWritten: Bool

    init(directives: Directives, file: String, line: Int, whole: PreparedMarkup?, tags: ElementTags?,
         content: [TNode], fills: [(String, TElement)]) {
        self.directives = directives
        self.file = file
        self.line = line
        self.whole = whole
        self.tags = tags
        self.content = content
        fillElements = fills
        onlyWritten = !directives.remove && directives.each == nil && directives.ifExpr == nil && directives.unlessExpr == nil
            && directives.with.isEmpty && directives.use == nil && directives.insert == nil && directives.slot == nil
    }
}

/// One compiled template file: its root and the fragments it defines.
struct CompiledTemplate: Sendable {
    let file: String
    let root: TElement
    let fragments: [String: TElement]
}

// MARK: - Loading and compiling

/// A set of compiled templates, loaded once and shared by every render (immutable, Sendable).
public final class TemplateSet: Sendable {
    /// Per format, the compiled templates by file name.
    let templates: PerFormat<[String: CompiledTemplate]>
    /// The prepared markup's trees (kept for the pieces that point into them) and, per format,
    /// what libxml2 writes around a page's root.
    let markup: PerFormat<MarkupDocument>
    let frames: PerFormat<(before: [UInt8], after: [UInt8])>

    /// Loads every `*.xhtml` in `directories`; a file in an earlier directory hides one of the
    /// same name in a later one (a scheme's folder before the common one).
    public convenience init(directories: [String]) throws(TemplateError) {
        var files: [String: String] = [:]
        for dir in directories.reversed() {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            for n in names where n.hasSuffix(".xhtml") { files[n] = dir + "/" + n }
        }
        var sources: [String: [UInt8]] = [:]
        for (name, path) in files {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TemplateError(file: name, line: 0, message: "无法读取模板 \(path)")
            }
            sources[name] = [UInt8](data)
        }
        try self.init(bytes: sources)
    }

    /// Compiles templates given as strings (tests).
    public convenience init(sources: [String: String]) throws(TemplateError) {
        try self.init(bytes: sources.mapValues { Array($0.utf8) })
    }

    private init(bytes sources: [String: [UInt8]]) throws(TemplateError) {
        let docs = PerFormat(html: MarkupDocument(format: .html), xhtml: MarkupDocument(format: .xhtml))
        var html: [String: CompiledTemplate] = [:], xhtml: [String: CompiledTemplate] = [:]
        for (name, bytes) in sources.sorted(by: { $0.key < $1.key }) {
            let c = try TemplateSet.compile(bytes, file: name, into: docs)
            (html[name], xhtml[name]) = (c.html, c.xhtml)
        }
        try TemplateSet.checkReferences(html)
        templates = PerFormat(html: html, xhtml: xhtml)
        markup = docs
        frames = PerFormat(html: docs.html.documentFrame(), xhtml: docs.xhtml.documentFrame())
    }

    /// Template names.
    public var names: [String] { templates.html.keys.sorted() }

    /// Parses with libxml2 (no network, no entity substitution; blank texts are kept, as
    /// libxml2 keeps them unless asked not to: they are the page's layout).
    static func compile(_ bytes: [UInt8], file: String, into docs: PerFormat<MarkupDocument>) throws(TemplateError) -> PerFormat<CompiledTemplate> {
        let (doc, messages) = XMLDocument.parseXML(bytes, name: file)
        guard let doc, let root = doc.root else {
            let m = messages.first { $0.level != .warning } ?? messages.first
            throw TemplateError(file: file, line: m?.line ?? 0, message: "模板不是格式良好的 XHTML：\(m?.message ?? "无法解析")")
        }
        if doc.declaresEntities || doc.referencesExternalDTD {
            throw TemplateError(file: file, line: 1, message: "模板不能声明实体或引用外部 DTD（只允许 <!DOCTYPE html>）")
        }
        var fragments: (html: [String: TElement], xhtml: [String: TElement]) = ([:], [:])
        let compiledRoot = try compileElement(root, file: file, parentNamespace: nil, docs: docs, parents: nil, fragments: &fragments).element
        return PerFormat(html: CompiledTemplate(file: file, root: compiledRoot.html, fragments: fragments.html),
                         xhtml: CompiledTemplate(file: file, root: compiledRoot.xhtml, fragments: fragments.xhtml))
    }

    /// Compiles an element and builds its output nodes (under `parents`, one per format).
    private static func compileElement(_ e: XMLElement, file: String, parentNamespace: String?, docs: PerFormat<MarkupDocument>,
                                       parents: PerFormat<MarkupNode>?,
                                       fragments: inout (html: [String: TElement], xhtml: [String: TElement]))
        throws(TemplateError) -> (element: PerFormat<TElement>, nodes: PerFormat<MarkupNode>) {
        var d = Directives()
        var attrs: [(String, String)] = []
        let line = e.line
        func fail(_ m: String) -> TemplateError { TemplateError(file: file, line: line, message: m) }
        for a in e.attributes {
            if a.namespace == templateNamespace {
                switch a.name {
                case "remove": d.remove = true
                case "omit": d.omit = true
                case "each":
                    let parts = a.value.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                    guard parts.count == 3, parts[1] == "in", isIdentifier(parts[0]) else {
                        throw fail("q:each=\"\(a.value)\" 应写作 \"名字 in 路径\"")
                    }
                    d.each = (parts[0], try Expr.parse(parts[2], file: file, line: line))
                case "if": d.ifExpr = try Expr.parse(a.value, file: file, line: line)
                case "unless": d.unlessExpr = try Expr.parse(a.value, file: file, line: line)
                case "with": d.with = try pairs(a.value, directive: "with", file: file, line: line)
                case "attr": d.attr = try pairs(a.value, directive: "attr", file: file, line: line)
                case "text": d.text = try Expr.parse(a.value, file: file, line: line)
                case "use":
                    guard let hash = a.value.firstIndex(of: "#") else { throw fail("q:use=\"\(a.value)\" 应写作 \"文件.xhtml#片段名\" 或 \"#片段名\"") }
                    d.use = (String(a.value[..<hash]), String(a.value[a.value.index(after: hash)...]))
                case "insert": d.insert = try Expr.parse(a.value, file: file, line: line)
                case "slot": d.slot = a.value
                case "fill": d.fill = a.value
                case "fragment": d.fragment = a.value
                default:
                    throw fail("未知的模板指令 q:\(a.name)")
                }
            } else if a.namespace == nil {
                attrs.append((a.name, a.value))
            } else if a.namespace == "http://www.w3.org/XML/1998/namespace" {
                attrs.append(("xml:" + a.name, a.value))
            } else {
                throw fail("不支持带命名空间的属性 \(a.name)（\(a.namespace!)）")
            }
        }
        if (d.use != nil || d.insert != nil) && (d.text != nil || !d.attr.isEmpty || d.omit || d.slot != nil) {
            throw fail("q:use、q:insert 不能与 q:text、q:attr、q:omit 或 q:slot 同用：被引用的片段决定这些")
        }
        if d.use != nil && d.insert != nil { throw fail("q:use 与 q:insert 不能同用") }
        if e.namespaceURI == templateNamespace {
            throw fail("未知的模板元素 q:\(e.name)（指令应写成属性）")
        }
        // The output element: its namespace declared where it changes (XHTML), the attributes
        // it always has (those q:attr sets are set when a page is written).
        let namespace = e.namespaceURI
        let declared = namespace != parentNamespace ? namespace : nil
        let set = Set(d.attr.map(\.name))
        func node(_ doc: MarkupDocument, _ parent: MarkupNode?) -> MarkupNode {
            let n = doc.element(e.name, declaring: declared, parent: parent)
            for (name, value) in attrs where !set.contains(name) { doc.setAttribute(n, name, value) }
            return n
        }
        let nodes = PerFormat(html: node(docs.html, parents?.html), xhtml: node(docs.xhtml, parents?.xhtml))
        var children: [PerFormat<TElement>] = []
        for c in e.children {
            switch c.kind {
            case .element:
                children.append(try compileElement(c.element!, file: file, parentNamespace: namespace, docs: docs, parents: nodes,
                                                   fragments: &fragments).element)
            case .text:
                docs.html.appendText(nodes.html, c.text)
                docs.xhtml.appendText(nodes.xhtml, c.text)
            case .entityReference:
                throw TemplateError(file: file, line: c.line, message: "模板中不能使用实体引用 &\(c.text);（请直接写字符，或用 &#数字;）")
            case .comment, .processingInstruction, .other:
                continue
            }
        }
        let keepsOpen = namespace == XMLNamespaceURI.xhtml && !xhtmlVoidElements.contains(e.name)
        let element: PerFormat<TElement>
        let (htmlChildren, xhtmlChildren) = (children.map(\.html), children.map(\.xhtml))
        if d.none && children.allSatisfy({ $0.html.whole != nil }) {
            if keepsOpen { docs.xhtml.keepOpen(nodes.xhtml) }
            element = PerFormat(
                html: TElement(directives: d, file: file, line: line, whole: docs.html.prepared([nodes.html]),
                               tags: nil, content: [], fills: TemplateSet.fills(of: htmlChildren)),
                xhtml: TElement(directives: d, file: file, line: line, whole: docs.xhtml.prepared([nodes.xhtml]),
                                tags: nil, content: [], fills: TemplateSet.fills(of: xhtmlChildren)))
        } else {
            let content = content(docs, nodes, children)
            element = PerFormat(
                html: TElement(directives: d, file: file, line: line, whole: nil, tags: docs.html.tags(nodes.html, keepsOpen: false),
                               content: content.html, fills: TemplateSet.fills(of: htmlChildren)),
                xhtml: TElement(directives: d, file: file, line: line, whole: nil, tags: docs.xhtml.tags(nodes.xhtml, keepsOpen: keepsOpen),
                                content: content.xhtml, fills: TemplateSet.fills(of: xhtmlChildren)))
        }
        if let f = d.fragment {
            if fragments.html[f] != nil { throw fail("片段“\(f)”在本文件中定义了两次") }
            fragments.html[f] = element.html
            fragments.xhtml[f] = element.xhtml
        }
        return (element, nodes)
    }

    /// An element's content: its output children in order, runs of texts and elements written
    /// whole made prepared markup, the compiled elements rendered in between.
    private static func content(_ docs: PerFormat<MarkupDocument>, _ nodes: PerFormat<MarkupNode>,
                                _ children: [PerFormat<TElement>]) -> (html: [TNode], xhtml: [TNode]) {
        let html = docs.html.children(nodes.html), xhtml = docs.xhtml.children(nodes.xhtml)
        precondition(html.count == xhtml.count, "the two formats' trees differ")
        var out: (html: [TNode], xhtml: [TNode]) = ([], [])
        var run: [Int] = []
        var next = 0
        func flush() {
            guard !run.isEmpty else { return }
            out.html.append(.markup(docs.html.prepared(run.map { html[$0] })))
            out.xhtml.append(.markup(docs.xhtml.prepared(run.map { xhtml[$0] })))
            run = []
        }
        for k in html.indices {
            guard html[k].isElement else {
                run.append(k)
                continue
            }
            let child = children[next]
            next += 1
            if child.html.whole != nil {
                run.append(k)
            } else {
                flush()
                out.html.append(.element(child.html))
                out.xhtml.append(.element(child.xhtml))
            }
        }
        flush()
        return out
    }

    private static func fills(of children: [TElement]) -> [(String, TElement)] {
        var out: [(String, TElement)] = []
        for c in children {
            if let f = c.directives.fill { out.append((f, c)); continue }
            if c.directives.use != nil { continue }
            out += c.fillElements
        }
        return out
    }

    private static func pairs(_ s: String, directive: String, file: String, line: Int) throws(TemplateError) -> [(String, Expr)] {
        var out: [(String, Expr)] = []
        for part in s.split(separator: ";") {
            let p = part.trimmingCharacters(in: .whitespaces)
            if p.isEmpty { continue }
            guard let sp = p.firstIndex(of: " ") else {
                throw TemplateError(file: file, line: line, message: "q:\(directive)=\"\(s)\" 应写作 \"名字 表达式; 名字 表达式\"")
            }
            let name = String(p[..<sp])
            out.append((name, try Expr.parse(String(p[p.index(after: sp)...]), file: file, line: line)))
        }
        return out
    }

    /// Every q:use must name an existing fragment (checked at load, with the using line).
    private static func checkReferences(_ templates: [String: CompiledTemplate]) throws(TemplateError) {
        for t in templates.values {
            var stack: [TElement] = [t.root]
            while let e = stack.popLast() {
                if let u = e.directives.use, fragment(in: templates, u.file, u.fragment, from: t.file) == nil {
                    throw TemplateError(file: t.file, line: e.line, message: "q:use 引用的片段“\(u.file)#\(u.fragment)”不存在")
                }
                for case .element(let c) in e.content { stack.append(c) }
                for (_, f) in e.fillElements { stack.append(f) }
            }
        }
    }

    /// The fragment `file#name` (`#name`: in the file `from`).
    static func fragment(in templates: [String: CompiledTemplate], _ file: String, _ name: String, from: String) -> TElement? {
        templates[file.isEmpty ? from : file]?.fragments[name]
    }
}
