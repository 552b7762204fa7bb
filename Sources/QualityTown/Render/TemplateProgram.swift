import Foundation

// MARK: - Templates compiled into one flat program, rendered without reference counting

/// Every element and text of a template set (all files, fragments included) as one array of
/// plain values, compiled once per run. A national build renders 80,000 pages; walking a tree
/// of objects made every element of every page retain and release its node, its children, its
/// scope and its names, which was most of the engine's time. Here a page reads plain values by
/// index: names are numbers, `q:use` is resolved to the fragment's op when compiled, and the
/// static markup (attributes without `q:attr`, template text) is escaped once, when compiled,
/// by the same page-writer functions (and libxml2 fallbacks) a value goes through.
final class TemplateProgram: @unchecked Sendable {
    /// A range of a side table.
    struct Span {
        var start: Int32 = 0
        var count: Int32 = 0
        var range: Range<Int> { Int(start)..<Int(start + count) }
    }

    /// One element or text of a template, as plain values.
    struct Op {
        var isText = false
        /// No directive of steps 1–6 (remove, each, if/unless, with, use, slot).
        var plain = true
        var remove = false
        var omit = false
        /// Elements: libxml2's facts about the name; index into `names` of elements.
        var tag: XMLTag
        var element: Int32 = -1
        /// Index into `namespaces`, or -1.
        var namespace: Int32 = -1
        /// Child ops (indices into `children`).
        var children = Span()
        /// Static attributes (into `attributes`) and, when the element has no `q:attr`, the
        /// same attributes escaped for each format (into `bytes`).
        var attributes = Span()
        var preparedHTML = Span()
        var preparedXHTML = Span()
        /// `q:attr` pairs (into `attrDirectives`).
        var attrDirectives = Span()
        /// Texts: the template text (index into `texts`) and its escaped bytes per context.
        var text: Int32 = -1
        var textHTML = Span()
        var textHTMLRaw = Span()
        var textXHTML = Span()
        /// Expressions (indices into `exprs`), or -1.
        var each: Int32 = -1
        var eachName: Int32 = -1
        var ifExpr: Int32 = -1
        var unlessExpr: Int32 = -1
        var textExpr: Int32 = -1
        /// `q:with` pairs (into `withPairs`).
        var with = Span()
        /// `q:use`: the fragment's op, or -1.
        var use: Int32 = -1
        /// `q:slot` name (a symbol), or -1.
        var slot: Int32 = -1
        /// For `q:use`: the fill elements inside it (into `fillPairs`).
        var fills = Span()
        /// A plain element whose output depends only on the lists its `q:each`s read from
        /// outside it: those expressions (into `memoExprs`), for `RunMemo`; empty otherwise.
        var memoReads = Span()
        /// Where the element is written, for errors.
        var file: Int32 = 0
        var line: Int32 = 0
    }

    /// An expression: a literal (index into `literals`) or a path of symbols (into `pathParts`).
    struct PExpr {
        var literal: Int32 = -1
        var path = Span()
    }

    /// The ops rendering reads, with the child lists, expressions and path parts (plain
    /// values in buffers this program owns: reading them costs no reference counting).
    let ops: UnsafeBufferPointer<Op>
    let children: UnsafeBufferPointer<Int32>
    let exprs: UnsafeBufferPointer<PExpr>
    let pathParts: UnsafeBufferPointer<Int32>
    /// The expressions of each op's `memoReads`.
    let memoExprs: UnsafeBufferPointer<Int32>
    /// The escaped static markup.
    let bytes: UnsafeBufferPointer<UInt8>
    let attributes: [(name: XMLName, value: String)]
    let attrDirectives: [(name: XMLName, expr: Int32)]
    let withPairs: [(name: Int32, expr: Int32)]
    let fillPairs: [(name: Int32, op: Int32)]
    let literals: [TemplateValue]
    let texts: [String]
    let elementNames: [XMLName]
    let namespaces: [String]
    let files: [String]
    /// Interned names (path parts, loop variables, with names, slots and fills).
    let symbols: [String]
    /// Root ops by template file name.
    let roots: [String: Int32]
    /// The `loop` symbol.
    let loopSymbol: Int32
    /// Per op that a `q:use` renders: the names its output reads from outside it, when its
    /// output is the one element it is and depends on nothing but their values (no q:use,
    /// q:slot or outside `loop` within); see `RenderMemo`.
    let freeNames: [Int32: [Int32]]

    /// Compiles every template's tree into one program.
    init(_ templates: [String: CompiledTemplate]) {
        var b = ProgramBuilder()
        let loop = b.symbol("loop")
        var roots: [String: Int32] = [:]
        for name in templates.keys.sorted() {
            let t = templates[name]!
            roots[name] = b.add(t.root, file: b.fileIndex(t.file))
        }
        // Fragments are elements of some file's tree, so every one has its op by now.
        for (op, element, from) in b.uses {
            let u = element.directives.use!
            if let frag = TemplateSet.fragment(in: templates, u.file, u.fragment, from: from), let target = b.done[ObjectIdentifier(frag)] {
                b.ops[Int(op)].use = target
            }
        }
        // Elements that may be written once per run: plain, with a tag of their own, and reading
        // from outside nothing but the lists of their q:each (see `RunMemo`).
        var memoExprs: [Int32] = []
        for op in b.ops.indices where !b.ops[op].isText && b.ops[op].plain && !b.ops[op].omit {
            var bound: [Int32] = [], reads: [(expr: Int32, each: Bool)] = []
            guard TemplateProgram.freeReads(Int32(op), b, loop: loop, &bound, &reads), !reads.isEmpty,
                  reads.allSatisfy(\.each) else { continue }
            b.ops[op].memoReads = Span(start: Int32(memoExprs.count), count: Int32(reads.count))
            memoExprs += reads.map(\.expr)
        }
        self.memoExprs = TemplateProgram.owned(memoExprs)
        ops = TemplateProgram.owned(b.ops)
        children = TemplateProgram.owned(b.children)
        exprs = TemplateProgram.owned(b.exprs)
        pathParts = TemplateProgram.owned(b.pathParts)
        bytes = TemplateProgram.owned(b.bytes)
        (attributes, attrDirectives, withPairs, fillPairs) = (b.attributes, b.attrDirectives, b.withPairs, b.fillPairs)
        (literals, texts, elementNames, namespaces, files, symbols) = (b.literals, b.texts, b.elementNames, b.namespaces, b.files, b.symbols)
        self.roots = roots
        loopSymbol = loop
        var free: [Int32: [Int32]] = [:]
        for op in Set(b.ops.map(\.use)) where op >= 0 {
            let o = b.ops[Int(op)]
            guard o.plain, !o.omit else { continue }
            var bound: [Int32] = [], reads: [(expr: Int32, each: Bool)] = []
            if TemplateProgram.freeReads(op, b, loop: loop, &bound, &reads) {
                free[op] = Set(reads.map { b.pathParts[Int(b.exprs[Int($0.expr)].path.start)] }).sorted()
            }
        }
        freeNames = free
    }

    /// Collects into `reads` the expressions of the subtree of `op` whose first name `bound`
    /// does not bind, each told whether it is a `q:each` list; false when its output may
    /// depend on more than their values (q:use, q:slot, an outside `loop`).
    private static func freeReads(_ op: Int32, _ b: ProgramBuilder, loop: Int32, _ bound: inout [Int32],
                                  _ reads: inout [(expr: Int32, each: Bool)]) -> Bool {
        let o = b.ops[Int(op)]
        if o.isText || o.remove { return true }
        if o.use >= 0 || o.slot >= 0 { return false }
        let mark = bound.count
        defer { bound.removeSubrange(mark...) }
        func read(_ x: Int32, each: Bool = false) -> Bool {
            let e = b.exprs[Int(x)]
            guard e.literal < 0 else { return true }
            let first = b.pathParts[Int(e.path.start)]
            if bound.contains(first) { return true }
            if first == loop { return false }
            reads.append((x, each))
            return true
        }
        if o.each >= 0 {
            guard read(o.each, each: true) else { return false }
            bound.append(o.eachName)
            bound.append(loop)
        }
        var exprs: [Int32] = []
        if o.ifExpr >= 0 { exprs.append(o.ifExpr) }
        if o.unlessExpr >= 0 { exprs.append(o.unlessExpr) }
        for k in o.with.range { exprs.append(b.withPairs[k].expr) }
        for x in exprs where !read(x) { return false }
        for k in o.with.range { bound.append(b.withPairs[k].name) }
        for k in o.attrDirectives.range where !read(b.attrDirectives[k].expr) { return false }
        if o.textExpr >= 0, !read(o.textExpr) { return false }
        for k in o.children.range where !freeReads(b.children[k], b, loop: loop, &bound, &reads) { return false }
        return true
    }

    private static func owned<T>(_ a: [T]) -> UnsafeBufferPointer<T> {
        let p = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, a.count))
        _ = p.initialize(from: a)
        return UnsafeBufferPointer(start: p.baseAddress, count: a.count)
    }

    deinit {
        UnsafeMutableBufferPointer(mutating: ops).deallocate()
        UnsafeMutableBufferPointer(mutating: children).deallocate()
        UnsafeMutableBufferPointer(mutating: exprs).deallocate()
        UnsafeMutableBufferPointer(mutating: pathParts).deallocate()
        UnsafeMutableBufferPointer(mutating: memoExprs).deallocate()
        UnsafeMutableBufferPointer(mutating: bytes).deallocate()
    }

    /// The namespace URI of element `o`, if it has one.
    @inline(__always) func namespace(of o: Op) -> String? {
        o.namespace >= 0 ? namespaces[Int(o.namespace)] : nil
    }

    /// The static bytes `span` covers.
    @inline(__always) func bytes(_ span: Span) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[span.range])
    }
}

/// Builds a `TemplateProgram` from compiled template trees.
private struct ProgramBuilder {
    typealias Op = TemplateProgram.Op
    typealias Span = TemplateProgram.Span
    var ops: [Op] = []
    var children: [Int32] = []
    var attributes: [(name: XMLName, value: String)] = []
    var attrDirectives: [(name: XMLName, expr: Int32)] = []
    var withPairs: [(name: Int32, expr: Int32)] = []
    var fillPairs: [(name: Int32, op: Int32)] = []
    var exprs: [TemplateProgram.PExpr] = []
    var pathParts: [Int32] = []
    var literals: [TemplateValue] = []
    var texts: [String] = []
    var elementNames: [XMLName] = []
    var namespaces: [String] = []
    private var fileNumbers = FirstSeenNumbers(), symbolNumbers = FirstSeenNumbers()
    var files: [String] { fileNumbers.list }
    var symbols: [String] { symbolNumbers.list }
    var bytes: [UInt8] = []
    /// The op of each compiled element, and the `q:use` ops to resolve.
    var done: [ObjectIdentifier: Int32] = [:]
    var uses: [(op: Int32, element: TElement, from: String)] = []

    mutating func symbol(_ s: String) -> Int32 { Int32(symbolNumbers.number(s)) }

    mutating func fileIndex(_ f: String) -> Int32 { Int32(fileNumbers.number(f)) }

    private mutating func pooled(_ b: [UInt8]) -> Span {
        let s = Span(start: Int32(bytes.count), count: Int32(b.count))
        bytes += b
        return s
    }

    private mutating func expr(_ e: Expr) -> Int32 {
        var p = TemplateProgram.PExpr()
        switch e {
        case .literal(let s):
            p.literal = Int32(literals.count)
            literals.append(.text(s))
        case .path(let parts):
            p.path.start = Int32(pathParts.count)
            for part in parts { pathParts.append(symbol(part)) }
            p.path.count = Int32(parts.count)
        }
        exprs.append(p)
        return Int32(exprs.count - 1)
    }

    /// Adds an element and its subtree; returns its op.
    mutating func add(_ e: TElement, file: Int32) -> Int32 {
        let d = e.directives
        var op = Op(tag: e.name.tag)
        op.plain = e.isPlain
        op.remove = d.remove
        op.omit = d.omit
        op.file = file
        op.line = Int32(e.line)
        op.element = Int32(elementNames.count)
        elementNames.append(e.name)
        if let ns = e.namespace {
            if let i = namespaces.firstIndex(of: ns) { op.namespace = Int32(i) } else {
                namespaces.append(ns)
                op.namespace = Int32(namespaces.count - 1)
            }
        }
        op.attributes = Span(start: Int32(attributes.count), count: Int32(e.attributes.count))
        attributes += e.attributes
        if d.attr.isEmpty {
            op.preparedHTML = pooled(PageBytes.preparedAttributes(e.attributes, on: e.name, xhtml: false))
            op.preparedXHTML = pooled(PageBytes.preparedAttributes(e.attributes, on: e.name, xhtml: true))
        } else {
            op.attrDirectives.start = Int32(attrDirectives.count)
            for (name, x) in d.attr { attrDirectives.append((name, expr(x))) }
            op.attrDirectives.count = Int32(d.attr.count)
        }
        if let each = d.each {
            op.each = expr(each.expr)
            op.eachName = symbol(each.name)
        }
        if let x = d.ifExpr { op.ifExpr = expr(x) }
        if let x = d.unlessExpr { op.unlessExpr = expr(x) }
        if let x = d.text { op.textExpr = expr(x) }
        op.with.start = Int32(withPairs.count)
        for (name, x) in d.with { withPairs.append((symbol(name), expr(x))) }
        op.with.count = Int32(d.with.count)
        if let s = d.slot { op.slot = symbol(s) }
        let index = Int32(ops.count)
        ops.append(op)
        done[ObjectIdentifier(e)] = index
        if d.use != nil { uses.append((index, e, files[Int(file)])) }
        // Children: their ops first, then the list of them (a contiguous run).
        var kids: [Int32] = []
        for c in e.children {
            switch c {
            case .element(let ce):
                kids.append(add(ce, file: file))
            case .text(let t) where t.isEmpty:
                // Both writers skip an empty text (a `<![CDATA[]]>`): it makes no node.
                continue
            case .text(let t):
                var top = Op(tag: e.name.tag)
                top.isText = true
                top.file = file
                top.line = Int32(e.line)
                top.text = Int32(texts.count)
                texts.append(t)
                top.textHTML = pooled(PageBytes.escapedText(t, xhtml: false, raw: false))
                top.textHTMLRaw = pooled(PageBytes.escapedText(t, xhtml: false, raw: true))
                top.textXHTML = pooled(PageBytes.escapedText(t, xhtml: true, raw: false))
                kids.append(Int32(ops.count))
                ops.append(top)
            }
        }
        ops[Int(index)].children = Span(start: Int32(children.count), count: Int32(kids.count))
        children += kids
        if d.use != nil {
            // The fill elements inside it (compiled above, as its descendants).
            var pairs: [(name: Int32, op: Int32)] = []
            for (name, f) in e.fillElements { if let fo = done[ObjectIdentifier(f)] { pairs.append((symbol(name), fo)) } }
            ops[Int(index)].fills = Span(start: Int32(fillPairs.count), count: Int32(pairs.count))
            fillPairs += pairs
        }
        return index
    }
}

/// The fills visible to slots: each captured with the scope (frame) of its `q:use`.
final class ProgramFills {
    /// The `q:use`'s fill pairs, a slice of the program's (shared, not copied).
    let pairs: ArraySlice<(name: Int32, op: Int32)>
    let scope: Int32
    let outer: ProgramFills?

    init(pairs: ArraySlice<(name: Int32, op: Int32)>, scope: Int32, outer: ProgramFills?) {
        self.pairs = pairs
        self.scope = scope
        self.outer = outer
    }

    /// The fill for slot `name` (a later fill of the same name wins, as it always has).
    func fill(_ name: Int32) -> Int32? {
        for p in pairs.reversed() where p.name == name { return p.op }
        return nil
    }
}

/// Elements written for one page and written again by the next pages of the same call, for a
/// `q:use` whose fragment reads nothing but values the caller shares: each town's 附件2 form,
/// written for its own page, is copied into its county's forms bundle. Only a builder whose bytes for an
/// element depend on nothing around it takes part (HTML, where libxml2 indents nothing: see
/// `HTMLPageWriter`). Values are the shared ones by identity (the same storage), never by
/// comparing them, so a value that merely looks the same is rendered again.
public final class RenderMemo {
    let shared: [TemplateValue]
    /// Elements written from values that stay the same for a whole run (`RunMemo`).
    let run: RunMemo?
    /// Per fragment op, the bytes written for each key (one per shared value combination: a
    /// county's forms are each kept until its bundle copies them).
    private var written: [Int32: [[Int]: [UInt8]]] = [:]

    /// A memo for pages that share `values` (objects or lists; others are never shared), and
    /// the run's memo, if any.
    public init(sharing values: [TemplateValue], run: RunMemo? = nil) {
        shared = values
        self.run = run
    }

    /// For each value, which shared value it is; nil when one is not shared.
    func key(_ values: [TemplateValue?]) -> [Int]? {
        var key: [Int] = []
        for v in values {
            guard let v, let i = shared.firstIndex(where: { $0.isSameStorage(as: v) }) else { return nil }
            key.append(i)
        }
        return key
    }

    func bytes(_ op: Int32, _ key: [Int]) -> [UInt8]? { written[op]?[key] }

    func store(_ op: Int32, _ key: [Int], _ bytes: [UInt8]) { written[op, default: [:]][key] = bytes }
}

/// Elements written once in a run and copied into every later page that prints them: a
/// plain element whose output depends only on the lists its `q:each`s read from outside it,
/// when each of those lists is one of the run's constants (values a view makes once per run,
/// such as the rubric's criteria that every town's 自查打分表 lists). Constants are told by
/// identity (the same storage), never by comparing them, and kept alive here, so no other
/// value can take the place of one. Pages on any thread share it; what is kept is the same
/// bytes whichever page wrote it first (an element's bytes depend only on its subtree).
public final class RunMemo: @unchecked Sendable {
    private let constants: [TemplateValue]
    private let position: [UInt: Int]
    private let lock = NSLock()
    private var written: [Key: [UInt8]] = [:]

    /// An element of one program (a memo handed to another template set keeps its elements apart).
    private struct Key: Hashable {
        let program: ObjectIdentifier
        let op: Int32
        let constants: [Int]
    }

    /// A memo for these constants (lists or objects; an empty one is never a constant).
    public init(constants: [TemplateValue]) {
        self.constants = constants
        var position: [UInt: Int] = [:]
        for (i, c) in constants.enumerated() {
            if let a = c.storageAddress, position[a] == nil { position[a] = i }
        }
        self.position = position
    }

    /// Which constant `value` is (by identity), if it is one.
    func constant(_ value: TemplateValue) -> Int? {
        value.storageAddress.flatMap { position[$0] }
    }

    func bytes(_ program: TemplateProgram, _ op: Int32, _ key: [Int]) -> [UInt8]? {
        lock.lock()
        defer { lock.unlock() }
        return written[Key(program: ObjectIdentifier(program), op: op, constants: key)]
    }

    func store(_ program: TemplateProgram, _ op: Int32, _ key: [Int], _ bytes: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        written[Key(program: ObjectIdentifier(program), op: op, constants: key)] = bytes
    }

    /// How many elements are kept (for tests).
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return written.count
    }
}

/// Walks the program for one page, building it through the page builder. Names in scope are
/// frames in one array (a frame's parent is an index), released together when the page ends.
struct ProgramRenderer<B: PageBuilder> {
    let program: TemplateProgram
    private let ops: UnsafeBufferPointer<TemplateProgram.Op>
    var builder: B
    private var frames: [Frame] = []
    private let memo: RenderMemo?

    /// Names visible at a point of the page: a table of names (the page's top level, q:with) or
    /// the one name a q:each iteration binds, with its `loop` state made only when asked for.
    private struct Frame {
        var parent: Int32
        var vars: TemplateObject?
        var name: Int32
        var value: TemplateValue
        var index: Int32
        var count: Int32
    }

    init(program: TemplateProgram, builder: B, memo: RenderMemo? = nil) {
        self.program = program
        self.ops = program.ops
        self.builder = builder
        self.memo = builder.reusesElements ? memo : nil
        frames.reserveCapacity(64)
    }

    /// Renders the root of template `root` with the page's top-level names.
    mutating func render(root: Int32, vars: TemplateObject) throws(TemplateError) {
        frames.append(Frame(parent: -1, vars: vars, name: -1, value: .null, index: 0, count: 0))
        try render(root, scope: 0, fills: nil, parent: nil, depth: 0, skipEach: false)
    }

    private func error(_ op: Int32, _ message: String) -> TemplateError {
        let o = ops[Int(op)]
        return TemplateError(file: program.files[Int(o.file)], line: Int(o.line), message: message)
    }

    private func lookup(_ key: Int32, _ scope: Int32) -> TemplateValue? {
        // Frames read in place (a frame's names copied out of it counted their references).
        frames.withUnsafeBufferPointer { frames in lookup(key, scope, frames) }
    }

    private func lookup(_ key: Int32, _ scope: Int32, _ frames: UnsafeBufferPointer<Frame>) -> TemplateValue? {
        var i = scope
        while i >= 0 {
            let f = Int(i)
            if frames[f].vars != nil {
                if let v = frames[f].vars?[program.symbols[Int(key)]] { return v }
            } else if key == frames[f].name {
                return frames[f].value
            } else if key == program.loopSymbol {
                let (index, count) = (Int(frames[f].index), Int(frames[f].count))
                return .object([
                    "index": .text(String(index + 1)), "first": .bool(index == 0),
                    "last": .bool(index == count - 1), "odd": .bool(index % 2 == 0),
                ])
            }
            i = frames[f].parent
        }
        return nil
    }

    private func eval(_ x: Int32, _ scope: Int32, _ op: Int32) throws(TemplateError) -> TemplateValue {
        let e = program.exprs[Int(x)]
        if e.literal >= 0 { return program.literals[Int(e.literal)] }
        let parts = e.path.range
        let first = program.pathParts[parts.lowerBound]
        guard var v = lookup(first, scope) else {
            throw error(op, "未知的名字“\(program.symbols[Int(first)])”")
        }
        for k in parts.dropFirst() {
            let p = program.pathParts[k]
            switch v {
            case .object:
                guard let next = v.member(program.symbols[Int(p)]) else {
                    throw error(op, "“\(pathText(parts))”中没有“\(program.symbols[Int(p)])”")
                }
                v = next
            case .null:
                return .null
            default:
                throw error(op, "“\(pathText(parts))”：“\(program.symbols[Int(p)])”之前的值不是对象")
            }
        }
        return v
    }

    /// Which of the run's constants the lists `reads` are, here; nil unless every one is.
    private func runKey(_ reads: TemplateProgram.Span, _ run: RunMemo, _ scope: Int32, _ op: Int32) -> [Int]? {
        var key: [Int] = []
        key.reserveCapacity(Int(reads.count))
        for k in reads.range {
            // A name the page lacks is left to the render to report.
            guard let v = try? eval(program.memoExprs[k], scope, op), let c = run.constant(v) else { return nil }
            key.append(c)
        }
        return key
    }

    private func pathText(_ parts: Range<Int>) -> String {
        parts.map { program.symbols[Int(program.pathParts[$0])] }.joined(separator: ".")
    }

    private mutating func render(_ op: Int32, scope: Int32, fills: ProgramFills?, parent: B.Node?, depth: Int,
                                 skipEach: Bool) throws(TemplateError) {
        // Read in place (an op is 144 bytes: copying it was a memcpy per element).
        let o = ops.baseAddress! + Int(op)
        if o.pointee.plain {
            if o.pointee.memoReads.count > 0, let run = memo?.run, let parent, let key = runKey(o.pointee.memoReads, run, scope, op) {
                if let bytes = run.bytes(program, op, key) {
                    builder.appendElement(bytes, tag: o.pointee.tag, parent: parent)
                } else {
                    let mark = builder.elementMark()
                    try renderElement(op, scope: scope, fills: fills, parent: parent, depth: depth)
                    if let bytes = builder.finishElement(mark) { run.store(program, op, key, bytes) }
                }
                return
            }
            try renderElement(op, scope: scope, fills: fills, parent: parent, depth: depth)
            return
        }
        if depth > 200 { throw error(op, "片段嵌套过深（是否循环引用？）") }
        // 1. remove
        if o.pointee.remove { return }
        // 2. each
        if o.pointee.each >= 0, !skipEach {
            let items: [TemplateValue]
            switch try eval(o.pointee.each, scope, op) {
            case .list(let l): items = l
            case .null: items = []
            default: throw error(op, "q:each 的值不是列表")
            }
            let mark = frames.count
            for (i, item) in items.enumerated() {
                frames.append(Frame(parent: scope, vars: nil, name: o.pointee.eachName, value: item, index: Int32(i), count: Int32(items.count)))
                try render(op, scope: Int32(mark), fills: fills, parent: parent, depth: depth, skipEach: true)
                frames.removeSubrange(mark...)
            }
            return
        }
        // 3. if / unless
        if o.pointee.ifExpr >= 0, !(try eval(o.pointee.ifExpr, scope, op)).isTruthy { return }
        if o.pointee.unlessExpr >= 0, (try eval(o.pointee.unlessExpr, scope, op)).isTruthy { return }
        // 4. with (every expression in the enclosing scope)
        var scope = scope
        let mark = frames.count
        defer { if frames.count > mark { frames.removeSubrange(mark...) } }
        if o.pointee.with.count > 0 {
            var vars = TemplateObject()
            for k in o.pointee.with.range {
                let (name, x) = program.withPairs[k]
                vars[program.symbols[Int(name)]] = try eval(x, scope, op)
            }
            frames.append(Frame(parent: scope, vars: vars, name: -1, value: .null, index: 0, count: 0))
            scope = Int32(mark)
        }
        // 5. use
        if o.pointee.use >= 0 {
            if let memo, let parent, o.pointee.fills.count == 0, let names = program.freeNames[o.pointee.use],
               let key = memo.key(names.map { lookup($0, scope) }) {
                if let bytes = memo.bytes(o.pointee.use, key) {
                    builder.appendElement(bytes, tag: ops[Int(o.pointee.use)].tag, parent: parent)
                } else {
                    // No q:slot inside (freeNames), so no fills to pass.
                    let mark = builder.elementMark()
                    try render(o.pointee.use, scope: scope, fills: nil, parent: parent, depth: depth + 1, skipEach: false)
                    if let bytes = builder.finishElement(mark) { memo.store(o.pointee.use, key, bytes) }
                }
                return
            }
            let captured = ProgramFills(pairs: program.fillPairs[o.pointee.fills.range], scope: scope, outer: fills)
            try render(o.pointee.use, scope: scope, fills: captured, parent: parent, depth: depth + 1, skipEach: false)
            return
        }
        // 6. slot
        if o.pointee.slot >= 0, let fills, let f = fills.fill(o.pointee.slot) {
            try renderElement(f, scope: fills.scope, fills: fills.outer, parent: parent, depth: depth)
            return
        }
        try renderElement(op, scope: scope, fills: fills, parent: parent, depth: depth)
    }

    /// Steps 7–9 and the children, once the element is known to be rendered here.
    private mutating func renderElement(_ op: Int32, scope: Int32, fills: ProgramFills?, parent: B.Node?, depth: Int) throws(TemplateError) {
        // Read in place (an op is 144 bytes: copying it was a memcpy per element).
        let o = ops.baseAddress! + Int(op)
        let node: B.Node?
        if o.pointee.omit {
            node = parent
        } else if o.pointee.attrDirectives.count == 0 {
            node = builder.element(program, op, parent: parent)
        } else {
            let n = builder.element(program.elementNames[Int(o.pointee.element)], namespace: program.namespace(of: o.pointee),
                                    parent: parent)
            var attrs = Array(program.attributes[o.pointee.attributes.range])
            // 7. attr
            for k in o.pointee.attrDirectives.range {
                let (name, x) = program.attrDirectives[k]
                attrs.removeAll { $0.name == name }
                switch try eval(x, scope, op) {
                case .null, .bool(false): continue
                case .bool(true): attrs.append((name, name.string))
                case .text(let s): attrs.append((name, s))
                default: throw error(op, "q:attr 的“\(name)”值不是文字")
                }
            }
            // The template's namespace declarations never reach the output; charset is per format.
            for (name, value) in attrs { builder.setAttribute(n, name, value) }
            node = n
        }
        // 8. text
        if o.pointee.textExpr >= 0 {
            switch try eval(o.pointee.textExpr, scope, op) {
            case .null: break
            case .text(let s): if let node { builder.appendText(node, s) }
            default: throw error(op, "q:text 的值不是文字")
            }
            return
        }
        for k in o.pointee.children.range {
            let c = program.children[k]
            if ops[Int(c)].isText {
                if let node { builder.appendText(program, text: c, to: node) }
            } else {
                try render(c, scope: scope, fills: fills, parent: node, depth: depth, skipEach: false)
            }
        }
    }
}
