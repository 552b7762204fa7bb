import Foundation

// MARK: - Rendering a compiled template through a markup sink

/// A part several pages (or places of one page) print alike, said so by the view that makes
/// it: the fragment `template#fragment` with the names it reads. `q:insert` puts it in a page;
/// it is rendered the first time it is inserted for a template set and format, and its bytes
/// are copied after that (the 评分方法 cell every town's table lists; a town's 附件2 form, printed
/// alone and in its county's bundle). Equal when fragment and names are equal.
public final class SharedPart: @unchecked Sendable, Hashable {
    let template: String
    let fragment: String
    let context: TemplateObject
    /// Bytes written per template set and format (the set is kept, so its identity stays its own).
    private var written: [(set: TemplateSet, format: OutputFormat, bytes: [UInt8])] = []
    private let lock = NSLock()

    /// The fragment `fragment` of `template` rendered with `context` as its top-level names.
    public init(_ fragment: String, in template: String, context: TemplateObject) {
        self.template = template
        self.fragment = fragment
        self.context = context
    }

    /// The part's bytes for `set` and `format`, rendered by `render` the first time. (Two pages
    /// asking at once may both render it: the bytes are the same.)
    func bytes(_ set: TemplateSet, _ format: OutputFormat, render: () throws(TemplateError) -> [UInt8]) throws(TemplateError) -> [UInt8] {
        if let b = kept(set, format) { return b }
        let b = try render()
        lock.lock()
        defer { lock.unlock() }
        if !written.contains(where: { $0.set === set && $0.format == format }) { written.append((set, format, b)) }
        return b
    }

    private func kept(_ set: TemplateSet, _ format: OutputFormat) -> [UInt8]? {
        lock.lock()
        defer { lock.unlock() }
        return written.first { $0.set === set && $0.format == format }?.bytes
    }

    /// How many renderings are kept (tests).
    var renderings: Int {
        lock.lock()
        defer { lock.unlock() }
        return written.count
    }

    public static func == (a: SharedPart, b: SharedPart) -> Bool {
        a === b || (a.template == b.template && a.fragment == b.fragment && a.context == b.context)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(template)
        hasher.combine(fragment)
        hasher.combine(context)
    }
}

extension TemplateSet {
    /// Renders template `name` with `context` (an object whose keys are the top-level names)
    /// as a page of `format`.
    public func render(_ name: String, context: TemplateValue, format: OutputFormat) throws(TemplateError) -> [UInt8] {
        try markup[format].withStore { store throws(TemplateError) in
            try render(name, context: context, format: format, into: MarkupWriter(format: format, frame: frames[format], store: store))
        }
    }

    /// Renders template `name` through `sink` (the page's root element and what is inside it)
    /// and returns what the sink made of it.
    func render<S: MarkupSink>(_ name: String, context: TemplateValue, format: OutputFormat, into sink: S) throws(TemplateError) -> [UInt8] {
        guard let root = templates[format][name]?.root else { throw TemplateError(file: name, line: 0, message: "没有模板 \(name)") }
        guard case .object(let vars) = context else { throw TemplateError(file: name, line: 0, message: "模板数据必须是对象") }
        var r = TemplateRenderer(set: self, format: format, sink: sink)
        try r.render(root, vars: vars)
        return r.sink.finish()
    }

    /// A shared part's fragment, written alone.
    fileprivate func render(_ fragment: TElement, part: SharedPart, format: OutputFormat) throws(TemplateError) -> [UInt8] {
        try markup[format].withStore { store throws(TemplateError) in
            var r = TemplateRenderer(set: self, format: format, sink: MarkupWriter(format: format, frame: nil, store: store))
            try r.render(fragment, vars: part.context)
            return r.sink.finish()
        }
    }
}

/// The fills visible to slots: each captured with the scope (frame) of its `q:use`.
private final class Fills {
    let pairs: [(String, TElement)]
    let scope: Int
    let outer: Fills?

    init(pairs: [(String, TElement)], scope: Int, outer: Fills?) {
        self.pairs = pairs
        self.scope = scope
        self.outer = outer
    }

    /// The fill for slot `name` (a later fill of the same name wins).
    func fill(_ name: String) -> TElement? {
        pairs.last { $0.0 == name }?.1
    }
}

/// Walks compiled templates for one page, writing through the sink. Names in scope are frames
/// in one array (a frame's parent is an index), released together when the page ends.
struct TemplateRenderer<S: MarkupSink> {
    let set: TemplateSet
    let format: OutputFormat
    var sink: S
    private var frames: [Frame] = []

    /// Names visible at a point of the page: a table of names (the page's top level, q:with) or
    /// the one name a q:each iteration binds, with its `loop` state made only when asked for.
    private struct Frame {
        var parent: Int
        var vars: TemplateObject?
        var name: String
        var value: TemplateValue
        var index: Int
        var count: Int
    }

    init(set: TemplateSet, format: OutputFormat, sink: S) {
        self.set = set
        self.format = format
        self.sink = sink
        frames.reserveCapacity(32)
    }

    /// Renders `element` (steps 1–9) with top-level names `vars`.
    mutating func render(_ element: TElement, vars: TemplateObject) throws(TemplateError) {
        frames.append(Frame(parent: -1, vars: vars, name: "", value: .null, index: 0, count: 0))
        try render(element, scope: frames.count - 1, fills: nil, depth: 0, skipEach: false)
    }

    private func error(_ e: TElement, _ message: String) -> TemplateError {
        TemplateError(file: e.file, line: e.line, message: message)
    }

    private func lookup(_ key: String, _ scope: Int) -> TemplateValue? {
        // Frames read in place (a frame copied out of the array counts its references).
        frames.withUnsafeBufferPointer { frames in
            var i = scope
            while i >= 0 {
                if frames[i].vars != nil {
                    if let v = frames[i].vars?[key] { return v }
                } else if key == frames[i].name {
                    return frames[i].value
                } else if key == "loop" {
                    let (index, count) = (frames[i].index, frames[i].count)
                    return .object([
                        "index": .text(String(index + 1)), "first": .bool(index == 0),
                        "last": .bool(index == count - 1), "odd": .bool(index % 2 == 0),
                    ])
                }
                i = frames[i].parent
            }
            return nil
        }
    }

    private func eval(_ x: Expr, _ scope: Int, _ e: TElement) throws(TemplateError) -> TemplateValue {
        switch x {
        case .literal(let s): return .text(s)
        case .path(let parts):
            guard var v = lookup(parts[0], scope) else { throw error(e, "未知的名字“\(parts[0])”") }
            // By index: a slice of the path, or a for-in loop, counts references of the names.
            var k = 1
            while k < parts.count {
                switch v {
                case .object:
                    guard let next = v.member(parts[k]) else { throw error(e, "“\(parts.joined(separator: "."))”中没有“\(parts[k])”") }
                    v = next
                case .null:
                    return .null
                default:
                    throw error(e, "“\(parts.joined(separator: "."))”：“\(parts[k])”之前的值不是对象")
                }
                k += 1
            }
            return v
        }
    }

    private mutating func render(_ e: TElement, scope: Int, fills: Fills?, depth: Int, skipEach: Bool) throws(TemplateError) {
        if let whole = e.whole {
            sink.append(whole)
            return
        }
        // Most elements carry none of steps 1–6 (told once, at compile time).
        if e.onlyWritten {
            try renderElement(e, scope: scope, fills: fills, depth: depth)
            return
        }
        if depth > 200 { throw error(e, "片段嵌套过深（是否循环引用？）") }
        // 1. remove
        if e.directives.remove { return }
        // 2. each
        if let each = e.directives.each, !skipEach {
            let items: [TemplateValue]
            switch try eval(each.expr, scope, e) {
            case .list(let l): items = l
            case .null: items = []
            default: throw error(e, "q:each 的值不是列表")
            }
            let mark = frames.count
            for (i, item) in items.enumerated() {
                frames.append(Frame(parent: scope, vars: nil, name: each.name, value: item, index: i, count: items.count))
                try render(e, scope: mark, fills: fills, depth: depth, skipEach: true)
                frames.removeSubrange(mark...)
            }
            return
        }
        // 3. if / unless
        if let x = e.directives.ifExpr, !(try eval(x, scope, e)).isTruthy { return }
        if let x = e.directives.unlessExpr, (try eval(x, scope, e)).isTruthy { return }
        // 4. with (every expression in the enclosing scope)
        var scope = scope
        let mark = frames.count
        defer { if frames.count > mark { frames.removeSubrange(mark...) } }
        if !e.directives.with.isEmpty {
            var vars = TemplateObject()
            for (name, x) in e.directives.with { vars[name] = try eval(x, scope, e) }
            frames.append(Frame(parent: scope, vars: vars, name: "", value: .null, index: 0, count: 0))
            scope = mark
        }
        // 5. use, insert
        if let u = e.directives.use {
            guard let fragment = TemplateSet.fragment(in: set.templates[format], u.file, u.fragment, from: e.file) else {
                throw error(e, "q:use 引用的片段“\(u.file)#\(u.fragment)”不存在")
            }
            let captured = Fills(pairs: e.fillElements, scope: scope, outer: fills)
            try render(fragment, scope: scope, fills: captured, depth: depth + 1, skipEach: false)
            return
        }
        if let x = e.directives.insert {
            switch try eval(x, scope, e) {
            case .null: return
            case .part(let part): try insert(part, at: e, depth: depth)
            default: throw error(e, "q:insert 的值不是共享部分")
            }
            return
        }
        // 6. slot
        if let s = e.directives.slot, let fills, let f = fills.fill(s) {
            try renderElement(f, scope: fills.scope, fills: fills.outer, depth: depth)
            return
        }
        try renderElement(e, scope: scope, fills: fills, depth: depth)
    }

    /// A shared part: its bytes when the sink takes bytes, else its fragment rendered here.
    private mutating func insert(_ part: SharedPart, at e: TElement, depth: Int) throws(TemplateError) {
        let (set, format) = (self.set, self.format)
        func fragment() throws(TemplateError) -> TElement {
            guard let f = TemplateSet.fragment(in: set.templates[format], part.template, part.fragment, from: e.file) else {
                throw TemplateError(file: e.file, line: e.line, message: "q:insert 的片段“\(part.template)#\(part.fragment)”不存在")
            }
            return f
        }
        if sink.takesWritten {
            // The fragment is looked up (by two names) only when the part is first rendered.
            sink.append(written: try part.bytes(set, format) { () throws(TemplateError) in try set.render(try fragment(), part: part, format: format) })
        } else {
            let fragment = try fragment()
            frames.append(Frame(parent: -1, vars: part.context, name: "", value: .null, index: 0, count: 0))
            try render(fragment, scope: frames.count - 1, fills: nil, depth: depth + 1, skipEach: false)
        }
    }

    /// Steps 7–9 and the content, once the element is known to be rendered here.
    private mutating func renderElement(_ e: TElement, scope: Int, fills: Fills?, depth: Int) throws(TemplateError) {
        guard let tags = e.tags else {
            sink.append(e.whole!)
            return
        }
        let omit = e.directives.omit
        if !omit {
            sink.start(tags)
            // 7. attr (set in order; a name set again takes its last place, null or false removes)
            if !e.directives.attr.isEmpty {
                var attrs: [(String, String)] = []
                for (name, x) in e.directives.attr {
                    attrs.removeAll { $0.0 == name }
                    switch try eval(x, scope, e) {
                    case .null, .bool(false): continue
                    case .bool(true): attrs.append((name, name))
                    case .text(let s): attrs.append((name, s))
                    default: throw error(e, "q:attr 的“\(name)”值不是文字")
                    }
                }
                for (name, value) in attrs { sink.attribute(name, value) }
            }
        }
        // 8. text
        if let x = e.directives.text {
            switch try eval(x, scope, e) {
            case .null: break
            case .text(let s): sink.text(s)
            default: throw error(e, "q:text 的值不是文字")
            }
        } else {
            // By index: a for-in loop retains and releases each node it passes.
            let content = e.content
            var i = 0
            while i < content.count {
                switch content[i] {
                case .markup(let m): sink.append(m)
                case .element(let child): try render(child, scope: scope, fills: fills, depth: depth, skipEach: false)
                }
                i += 1
            }
        }
        if !omit { sink.end() }
    }
}
