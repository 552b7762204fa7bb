import Foundation

// MARK: - results.json and results.csv: everything computed, for other systems and Excel

/// A JSON value with ordered keys, so the file is byte-identical run after run.
enum JSON {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])
    /// A value written by the closure at the indent it is given (the same bytes as the value
    /// it stands for, without building it: a large build's results have millions of figures).
    case written((inout [UInt8], Int) -> Void)

    /// An exact number as JSON: integers as integers, fractions as the nearest double.
    static func number(_ r: Rational?) -> JSON {
        guard let r else { return .null }
        return r.isInteger ? .int(r.numerator) : .double(r.doubleValue)
    }

    func write(into s: inout [UInt8], indent: Int) {
        switch self {
        case .null: JSON.put("null", into: &s)
        case .bool(let b): JSON.put(b ? "true" : "false", into: &s)
        case .int(let i): JSON.writeInt(i, into: &s)
        case .double(let d): s.append(contentsOf: (d.isFinite ? "\(d)" : "null").utf8)
        case .string(let t): JSON.escape(t, into: &s)
        case .written(let write): write(&s, indent)
        case .array(let a):
            JSON.writeArray(a.count, indent: indent, into: &s) { i, s in a[i].write(into: &s, indent: indent + 1) }
        case .object(let o):
            JSON.writeObject(o.count, indent: indent, into: &s, key: { o[$0].0 }) { i, s in o[i].1.write(into: &s, indent: indent + 1) }
        }
    }

    /// Writes an array of `count` elements, each written by `element` at `indent + 1`: the
    /// same bytes as `.array`, without holding the elements (a large build's results.json).
    static func writeArray(_ count: Int, indent: Int, into s: inout [UInt8], _ element: (Int, inout [UInt8]) -> Void) {
        if count == 0 { JSON.put("[]", into: &s); return }
        JSON.put("[\n", into: &s)
        for i in 0..<count {
            pad(indent + 1, into: &s)
            element(i, &s)
            JSON.put(i == count - 1 ? "\n" : ",\n", into: &s)
        }
        pad(indent, into: &s)
        s.append(UInt8(ascii: "]"))
    }

    /// Writes an object of `count` members, the key of each from `key` and its value written by
    /// `value` at `indent + 1`: the same bytes as `.object`.
    static func writeObject(_ count: Int, indent: Int, into s: inout [UInt8], key: (Int) -> String,
                            _ value: (Int, inout [UInt8]) -> Void) {
        writeObject(count, indent: indent, into: &s, writeKey: { i, s in
            escape(key(i), into: &s)
            JSON.put(": ", into: &s)
        }, value)
    }

    /// The same, for keys escaped beforehand (`keyBytes`): results.json writes the same few
    /// keys for every figure.
    static func writeObject(_ count: Int, indent: Int, into s: inout [UInt8], keys: [[UInt8]],
                            _ value: (Int, inout [UInt8]) -> Void) {
        writeObject(count, indent: indent, into: &s, writeKey: { i, s in s.append(contentsOf: keys[i]) }, value)
    }

    private static func writeObject(_ count: Int, indent: Int, into s: inout [UInt8], writeKey: (Int, inout [UInt8]) -> Void,
                                    _ value: (Int, inout [UInt8]) -> Void) {
        if count == 0 { JSON.put("{}", into: &s); return }
        JSON.put("{\n", into: &s)
        for i in 0..<count {
            pad(indent + 1, into: &s)
            writeKey(i, &s)
            value(i, &s)
            JSON.put(i == count - 1 ? "\n" : ",\n", into: &s)
        }
        pad(indent, into: &s)
        s.append(UInt8(ascii: "}"))
    }

    /// A member's key as `writeObject` writes it: `"key": `.
    static func keyBytes(_ key: String) -> [UInt8] {
        var s: [UInt8] = []
        escape(key, into: &s)
        JSON.put(": ", into: &s)
        return s
    }

    private static let spaces = [UInt8](repeating: 0x20, count: 64)

    static func pad(_ indent: Int, into s: inout [UInt8]) {
        var n = 2 * indent
        while n > 0 {
            let k = min(n, spaces.count)
            s.append(contentsOf: spaces[..<k])
            n -= k
        }
    }

    /// Bytes of a literal (a String literal's `.utf8` is appended through a generic path).
    @inline(__always) static func put(_ literal: StaticString, into s: inout [UInt8]) {
        s.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// An integer in decimal, as `String(i)` writes it (without making the string).
    static func writeInt(_ i: Int, into s: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buf in
            var v = i.magnitude, k = buf.count
            repeat {
                k -= 1
                buf[k] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            } while v > 0
            if i < 0 {
                k -= 1
                buf[k] = UInt8(ascii: "-")
            }
            s.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[k...]))
        }
    }

    /// A JSON string: quotes, backslashes and control characters escaped; every other byte of
    /// the UTF-8 text copied as it is.
    static func escape(_ t: String, into s: inout [UInt8]) {
        s.append(UInt8(ascii: "\""))
        // Most strings (codes, ids, names) need no escape: copied in one go.
        var t = t
        let copied = t.withUTF8 { u -> Bool in
            guard !u.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            s.append(contentsOf: u)
            return true
        }
        if copied {
            s.append(UInt8(ascii: "\""))
            return
        }
        for b in t.utf8 {
            switch b {
            case UInt8(ascii: "\""): JSON.put("\\\"", into: &s)
            case UInt8(ascii: "\\"): JSON.put("\\\\", into: &s)
            case 0x0A: JSON.put("\\n", into: &s)
            case 0x0D: JSON.put("\\r", into: &s)
            case 0x09: JSON.put("\\t", into: &s)
            case 0..<0x20: s.append(contentsOf: String(format: "\\u%04x", b).utf8)
            default: s.append(b)
            }
        }
        s.append(UInt8(ascii: "\""))
    }
}

private let targetKeys = ["status", "value", "threshold"].map(JSON.keyBytes)

/// The bytes around a figure's members in results.json at one indent, all but the values:
/// `{⏎  "value": `, `,⏎  "numerator": `, … and `⏎}` (what `JSON.writeObject` writes between
/// them), made once per file rather than for each of millions of figures.
struct FigureJSONLayout {
    let indent: Int
    /// Before each member, then the closing bytes: of a rate (value, numerator, denominator,
    /// status, approximate) and of another figure (value, status, approximate).
    let rate: [[UInt8]]
    let plain: [[UInt8]]

    init(indent: Int) {
        self.indent = indent
        func gaps(_ keys: [String]) -> [[UInt8]] {
            var out: [[UInt8]] = []
            for (i, key) in keys.enumerated() {
                var g: [UInt8] = []
                JSON.put(i == 0 ? "{\n" : ",\n", into: &g)
                JSON.pad(indent + 1, into: &g)
                g += JSON.keyBytes(key)
                out.append(g)
            }
            var close: [UInt8] = [UInt8(ascii: "\n")]
            JSON.pad(indent, into: &close)
            close.append(UInt8(ascii: "}"))
            return out + [close]
        }
        rate = gaps(rateFigureNames)
        plain = gaps(figureNames)
    }

    /// A figure in results.json (the same bytes as `writeFigureJSON` at this indent).
    func write(_ f: Figure, isRate: Bool, into s: inout [UInt8]) {
        let gaps = isRate ? rate : plain
        s.append(contentsOf: gaps[0])
        FigureJSONLayout.number(f.state == .value ? f.number : nil, into: &s)
        var k = 1
        if isRate {
            s.append(contentsOf: gaps[1])
            FigureJSONLayout.number(f.numerator, into: &s)
            s.append(contentsOf: gaps[2])
            FigureJSONLayout.number(f.denominator, into: &s)
            k = 3
        }
        s.append(contentsOf: gaps[k])
        JSON.escape(f.state.rawValue, into: &s)
        s.append(contentsOf: gaps[k + 1])
        JSON.put(f.approximate ? "true" : "false", into: &s)
        s.append(contentsOf: gaps[k + 2])
    }

    /// `JSON.number(r)` written (a number is never indented).
    private static func number(_ r: Rational?, into s: inout [UInt8]) {
        JSON.number(r).write(into: &s, indent: 0)
    }
}

/// The members of a rate's figure and of another figure in results.json, in order.
private let rateFigureNames = ["value", "numerator", "denominator", "status", "approximate"]
private let figureNames = ["value", "status", "approximate"]
private let rateFigureKeys = rateFigureNames.map(JSON.keyBytes)
private let figureKeys = figureNames.map(JSON.keyBytes)

/// A figure in results.json, written at `indent`: its value (null unless a value), a rate's
/// numerator and denominator, its status and whether it is approximate. (The reference the
/// faster `FigureJSONLayout` is tested against.)
func writeFigureJSON(_ f: Figure, isRate: Bool, into s: inout [UInt8], indent: Int) {
    let keys = isRate ? rateFigureKeys : figureKeys, count = keys.count
    JSON.writeObject(count, indent: indent, into: &s, keys: keys) { i, s in
        switch (isRate, i) {
        case (_, 0): (f.state == .value ? JSON.number(f.number) : .null).write(into: &s, indent: indent + 1)
        case (true, 1): JSON.number(f.numerator).write(into: &s, indent: indent + 1)
        case (true, 2): JSON.number(f.denominator).write(into: &s, indent: indent + 1)
        case (_, count - 2): JSON.escape(f.state.rawValue, into: &s)
        default: JSON.put(f.approximate ? "true" : "false", into: &s)
        }
    }
}

func problemJSON(_ d: Diagnostic) -> JSON {
    var members: [(String, JSON)] = [
        ("file", .string(d.location.file)),
        ("line", d.location.line.map { .int($0) } ?? .null),
        ("column", d.location.column.map { .int($0) } ?? .null),
        ("cell", d.location.cell.map { .string($0) } ?? .null),
        ("severity", .string(d.severity.rawValue)),
        ("code", .string(d.code)),
        ("message", .string(d.message)),
        ("unit", d.unit.map { .string($0) } ?? .null),
    ]
    // The cells one problem stands for (an unknown column's), each as `file:line:column` and cell.
    if !d.cells.isEmpty {
        members.append(("cells", .array(d.cells.map { c in
            .object([("line", c.line.map { .int($0) } ?? .null), ("column", c.column.map { .int($0) } ?? .null),
                     ("cell", c.cell.map { .string($0) } ?? .null)])
        })))
    }
    return .object(members)
}

/// `YEAR/results.json` as io-contract.md describes it, in one array.
func resultsJSON(_ a: Assessment, problems: [Diagnostic], inputs: [InputFile] = []) -> [UInt8] {
    var all: [UInt8] = []
    resultsJSON(a, problems: problems, inputs: inputs) { all += $0 }
    return all
}

/// `YEAR/results.json`, handed to `emit` a megabyte or so at a time (a large build's file is
/// hundreds of megabytes: held whole, its growing buffer would be the render stage's peak).
func resultsJSON(_ a: Assessment, problems: [Diagnostic], inputs: [InputFile] = [], emit: ([UInt8]) -> Void) {
    let rateIDs = Set(a.scheme.rates.map(\.id))
    let ids = a.scheme.indicators.map(\.id) + a.scheme.rates.map(\.id)
    let isRate = ids.map { rateIDs.contains($0) }
    let idKeys = ids.map(JSON.keyBytes)
    var layout: FigureJSONLayout?
    func unitJSON(_ r: UnitResult) -> JSON {
        var o: [(String, JSON)] = [
            ("code", .string(r.unit.code)), ("name", .string(r.unit.name)), ("level", .string(r.unit.level.rawValue)),
            ("parent", r.unit.parent.map { .string($0) } ?? .null),
        ]
        o.append(("indicators", .written { s, indent in
            if layout?.indent != indent + 1 { layout = FigureJSONLayout(indent: indent + 1) }
            let layout = layout!
            // The figures read in place (no copy of each figure and its cells).
            r.figures.withSlots { slots in
                JSON.writeObject(ids.count, indent: indent, into: &s, keys: idKeys) { i, s in
                    if i < slots.count, let f = slots[i] { layout.write(f, isRate: isRate[i], into: &s) } else {
                        layout.write(.noData, isRate: isRate[i], into: &s)
                    }
                }
            }
        }))
        // Targets, items and criteria written as they are read (the same bytes as objects of
        // them, without a tree of every town's hundred members).
        o.append(("targets", .written { s, indent in
            JSON.writeObject(r.targets.count, indent: indent, into: &s, key: { r.targets[$0].target.id }) { i, s in
                let t = r.targets[i]
                JSON.writeObject(3, indent: indent + 1, into: &s, keys: targetKeys) { k, s in
                    switch k {
                    case 0: JSON.escape(t.status.rawValue, into: &s)
                    case 1: (t.figure.state == .value ? JSON.number(t.figure.number) : .null).write(into: &s, indent: indent + 2)
                    default: JSON.number(t.threshold).write(into: &s, indent: indent + 2)
                    }
                }
            }
        }))
        if let s = r.score {
            o.append(("score", .object([
                ("base", .number(s.base)), ("bonus", .number(s.bonus)), ("total", .number(s.total)),
                ("rank", r.rank.map { .int($0) } ?? .null),
                ("items", .written { out, indent in
                    JSON.writeObject(s.items.count, indent: indent, into: &out, key: { String(s.items[$0].item.number) }) { i, out in
                        JSON.number(s.items[i].points).write(into: &out, indent: indent + 1)
                    }
                }),
                ("criteria", .written { out, indent in
                    // (item, criterion) positions: the criteria read in place, not copied out.
                    var at: [(Int, Int)] = []
                    for i in s.items.indices { for j in s.items[i].criteria.indices { at.append((i, j)) } }
                    JSON.writeObject(at.count, indent: indent, into: &out, key: { s.items[at[$0].0].criteria[at[$0].1].id }) { k, out in
                        JSON.number(s.items[at[k].0].criteria[at[k].1].points).write(into: &out, indent: indent + 1)
                    }
                }),
                ("discrepancies", .array(s.discrepancies.map { d in
                    .object([("criterion", .string(d.criterion)), ("self", .number(d.selfScore)), ("computed", .number(d.computed))])
                })),
            ])))
        }
        if let e = r.eligibility {
            o.append(("eligibility", .object([("status", .string(e.status.rawValue)),
                                              ("failed", .array(e.failed.map { .string($0) })),
                                              ("missing", .array(e.missing.map { .string($0) }))])))
        }
        if let st = r.stage {
            o.append(("stage", .object([("stage", .string(st.stage)), ("overdue", .bool(st.overdue)),
                                        ("expiring", .bool(st.expiring)), ("expires", st.expires.map { .string($0.description) } ?? .null),
                                        ("revocationReview", st.revocationReviewUnknown ? .null : .bool(st.revocationReview))])))
        }
        if let g = r.goal {
            o.append(("goal", .object(g.map { p in
                (p.group.id, .object([("named", .int(p.named)), ("creating", .int(p.creating)), ("goal", .int(p.group.target)), ("gap", .int(p.gap))]))
            })))
        }
        return .object(o)
    }
    // The root object written member by member, units and problems one at a time (the same
    // bytes as one `.object`, without a tree of every unit in memory).
    var s: [UInt8] = []
    let chunk = 1 << 20
    s.reserveCapacity(chunk + 64 * 1024)
    func flush(_ s: inout [UInt8]) {
        if s.count >= chunk {
            emit(s)
            s.removeAll(keepingCapacity: true)
        }
    }
    JSON.put("{\n", into: &s)
    func member(_ key: String, last: Bool = false, _ value: (inout [UInt8]) -> Void) {
        JSON.pad(1, into: &s)
        JSON.escape(key, into: &s)
        JSON.put(": ", into: &s)
        value(&s)
        JSON.put(last ? "\n" : ",\n", into: &s)
    }
    member("scheme") { JSON.string(a.scheme.id).write(into: &$0, indent: 1) }
    member("year") { JSON.int(a.year).write(into: &$0, indent: 1) }
    member("asOf") { JSON.string(a.asOf.description).write(into: &$0, indent: 1) }
    member("units") { s in
        JSON.writeArray(a.units.count, indent: 1, into: &s) { i, s in
            unitJSON(a.units[i]).write(into: &s, indent: 2)
            flush(&s)
        }
    }
    member("problems") { s in
        JSON.writeArray(problems.count, indent: 1, into: &s) { i, s in
            problemJSON(problems[i]).write(into: &s, indent: 2)
            flush(&s)
        }
    }
    member("inputs", last: true) {
        JSON.array(inputs.map { .object([("path", .string($0.path)), ("sha256", .string($0.sha256)), ("rows", .int($0.rows))]) })
            .write(into: &$0, indent: 1)
    }
    JSON.put("}\n", into: &s)
    emit(s)
}



/// `YEAR/results.csv`: one row per unit, Chinese headers, UTF-8 with BOM so Excel opens it.
func resultsCSV(_ a: Assessment) -> [UInt8] {
    let s = a.scheme
    // The unit columns are units.csv's; the result columns are named by the scheme (<fields>).
    var header = ["代码", "名称", "层级", "上级代码"]
        + ["score.base", "score.bonus", "score.total", "eligibility", "stage", "stage.overdue", "stage.expiring", "stage.expires",
           "stage.revocationReview"].map { s.field($0) }
    header += a.scheme.targets.map { "\($0.id) \($0.label)" }
    var lines = [csvLine(header)]
    for r in a.units {
        var row = [r.unit.code, r.unit.name, r.unit.level.rawValue, r.unit.parent ?? ""]
        row += [r.score.map { $0.base.plain() } ?? "", r.score.map { $0.bonus.plain() } ?? "", r.score.map { $0.total.plain() } ?? ""]
        row += [r.eligibility.map { s.eligibilityLabel($0.status) } ?? "", r.stage.map { s.stageLabel($0.stage) } ?? ""]
        row += [r.stage.map { $0.overdue ? "是" : "否" } ?? "", r.stage.map { $0.expiring ? "是" : "否" } ?? "",
                r.stage?.expires?.description ?? "", r.stage.map { $0.revocationReview ? "是" : $0.revocationReviewUnknown ? "数据错误" : "否" } ?? ""]
        row += r.targets.map(\.status.label)
        lines.append(csvLine(row))
    }
    return [0xEF, 0xBB, 0xBF] + Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
}

