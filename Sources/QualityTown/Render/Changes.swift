import Foundation

// MARK: - What changed since the last run (YEAR/changes.html)

/// One unit's results, flattened to `field → shown value`, read from a results.json.
struct FlatUnit {
    var code: String
    var name: String
    var level: String
    var parent: String?
    var fields: [String: String]
}

/// A whole results.json, flattened (the previous run's).
struct FlatResults {
    var units: [String: FlatUnit] = [:]
    var order: [String] = []
    var inputs: [String: String] = [:]
}

/// Flattens results.json bytes (the previous run's or this run's) for comparison; nil when the
/// bytes are not a results.json.
func flattenResults(_ bytes: [UInt8]) -> FlatResults? {
    var out = FlatResults()
    let ok = scanResults(bytes, input: { out.inputs[$0] = $1 }, unit: { u in
        out.units[u.code] = u
        out.order.append(u.code)
    })
    return ok ? out : nil
}

/// Reads a results.json one unit at a time (a large build's file is hundreds of megabytes: no
/// tree of it is ever held), calling `input` for each input file and `unit` for each unit.
/// Returns false when the bytes are not a results.json.
func scanResults(_ bytes: [UInt8], input: (String, String) -> Void, unit: (FlatUnit) -> Void) -> Bool {
    var p = JSONScanner(bytes: bytes)
    guard p.expect(UInt8(ascii: "{")) else { return false }
    var sawUnits = false
    if p.peek() == UInt8(ascii: "}") { return false }
    while true {
        guard let key = p.string(), p.expect(UInt8(ascii: ":")) else { return false }
        switch key {
        case "units":
            sawUnits = true
            let ok = p.array { p in
                guard let v = p.value() else { return false }
                if let u = flatUnit(v) { unit(u) }
                return true
            }
            guard ok else { return false }
        case "inputs":
            guard let v = p.value(), case .array(let items) = v else { return false }
            for i in items {
                if let path = i["path"]?.stringValue, let sha = i["sha256"]?.stringValue { input(path, sha) }
            }
        default:
            guard p.skip() else { return false }
        }
        if p.expect(UInt8(ascii: ",")) { continue }
        guard p.expect(UInt8(ascii: "}")) else { return false }
        return sawUnits
    }
}

/// One unit object of results.json → its flat fields.
private func flatUnit(_ u: JSONValue) -> FlatUnit? {
    guard let code = u["code"]?.stringValue else { return nil }
    func shown(_ v: JSONValue?) -> String {
        switch v {
        case .bool(let b)?: return b ? "是" : "否"
        case .number(let d)?:
            if d == d.rounded() && abs(d) < 1e15 { return String(Int(d)) }
            // Cut, not rounded, to 4 decimals: a change smaller than that still shows.
            var s = String(format: "%.6f", d)
            s = String(s.dropLast(2))
            while s.hasSuffix("0") { s.removeLast() }
            return s
        case .string(let s)?: return s
        case .null?, nil: return "—"
        case .array(let a)?: return a.map { shown($0) }.joined(separator: "、")
        case .object?: return "—"
        }
    }
    var f: [String: String] = [:]
    if case .object(let inds)? = u["indicators"] {
        for (id, v) in inds {
            let st = v["status"]?.stringValue ?? ""
            f["indicator.\(id)"] = st == "value" ? shown(v["value"]) : st
        }
    }
    if case .object(let ts)? = u["targets"] {
        for (id, v) in ts { f["target.\(id)"] = v["status"]?.stringValue ?? "" }
    }
    if let s = u["score"], case .object = s {
        for k in ["base", "bonus", "total", "rank"] { f["score.\(k)"] = shown(s[k]) }
        if case .object(let items)? = s["items"] { for (n, v) in items { f["item.\(n)"] = shown(v) } }
    }
    if let e = u["eligibility"], case .object = e { f["eligibility"] = e["status"]?.stringValue ?? "" }
    if let s = u["stage"], case .object = s {
        f["stage"] = s["stage"]?.stringValue ?? ""
        for k in ["overdue", "expiring", "revocationReview"] { f["stage.\(k)"] = shown(s[k]) }
        f["stage.expires"] = shown(s["expires"])
    }
    return FlatUnit(code: code, name: u["name"]?.stringValue ?? code, level: u["level"]?.stringValue ?? "",
                    parent: u["parent"]?.stringValue, fields: f)
}

/// A parsed JSON value (one unit of results.json at a time).
indirect enum JSONValue {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

/// A small JSON reader over bytes (RFC 8259), enough for results.json: values, or skipped.
struct JSONScanner {
    let bytes: [UInt8]
    var i = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func space() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func peek() -> UInt8? {
        space()
        return i < bytes.count ? bytes[i] : nil
    }

    /// Consumes `c` (after white space) when it is next.
    mutating func expect(_ c: UInt8) -> Bool {
        guard peek() == c else { return false }
        i += 1
        return true
    }

    /// `[ … ]`, calling `element` for each element.
    mutating func array(_ element: (inout JSONScanner) -> Bool) -> Bool {
        guard expect(UInt8(ascii: "[")) else { return false }
        if expect(UInt8(ascii: "]")) { return true }
        while true {
            guard element(&self) else { return false }
            if expect(UInt8(ascii: ",")) { continue }
            return expect(UInt8(ascii: "]"))
        }
    }

    mutating func string() -> String? {
        guard expect(UInt8(ascii: "\"")) else { return nil }
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            switch b {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { return nil }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"),
                       bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
                default: out.append(e)  // \" \\ \/
                }
            default: out.append(b)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else { return nil }
        i += 4
        return v
    }

    private mutating func literal(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { return false }
        i += w.count
        return true
    }

    private mutating func number() -> Double? {
        let start = i
        while i < bytes.count, let c = Optional(bytes[i]),
              (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { i += 1 }
        return Double(String(decoding: bytes[start..<i], as: UTF8.self))
    }

    /// The next value, parsed (nil when it is not JSON or nests deeper than 64).
    mutating func value() -> JSONValue? {
        guard let c = peek(), depth < 64 else { return nil }
        switch c {
        case UInt8(ascii: "{"):
            i += 1
            depth += 1
            defer { depth -= 1 }
            var members: [(String, JSONValue)] = []
            if expect(UInt8(ascii: "}")) { return .object(members) }
            while true {
                guard let k = string(), expect(UInt8(ascii: ":")), let v = value() else { return nil }
                members.append((k, v))
                if expect(UInt8(ascii: ",")) { continue }
                return expect(UInt8(ascii: "}")) ? .object(members) : nil
            }
        case UInt8(ascii: "["):
            depth += 1
            defer { depth -= 1 }
            var items: [JSONValue] = []
            let ok = array { p in
                guard let v = p.value() else { return false }
                items.append(v)
                return true
            }
            return ok ? .array(items) : nil
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        default: return number().map(JSONValue.number)
        }
    }

    /// Skips the next value (arrays element by element, so a long list is never held).
    mutating func skip() -> Bool {
        if peek() == UInt8(ascii: "[") { return array { $0.skip() } }
        return value() != nil
    }
}

/// A field's name in words.
func fieldLabel(_ key: String, scheme: Scheme) -> String {
    let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
    let rest = parts.count > 1 ? parts[1] : ""
    switch parts[0] {
    case "indicator": return scheme.indicator(rest)?.header ?? scheme.rates.first { $0.id == rest }?.label ?? rest
    case "target": return "\(rest) \(scheme.targets.first { $0.id == rest }?.label ?? "")判定"
    case "score", "eligibility", "stage": return scheme.fields[key] ?? key
    case "item": return scheme.field("item", ["n": rest])
    default: return key
    }
}

/// Words for the machine values of results.json.
func valueLabel(_ v: String, scheme: Scheme) -> String {
    if let t = TargetStatus(rawValue: v) { return t.label }
    if let s = scheme.lifecycle?.stageLabels[v] { return s }
    if let e = EligibilityStatus(rawValue: v) { return scheme.eligibilityLabel(e) }
    if let st = ValueState(rawValue: v) {
        switch st {
        case .noData: return "缺数据"
        case .notApplicable: return "不适用"
        case .error: return "数据错误"
        case .value: return v
        }
    }
    return v
}

/// The changes page's values: per county and town, every field that changed, old → new, and
/// the input files whose content changed.
func changesView(_ report: Report, previous: FlatResults?, current: [UInt8], format: OutputFormat) -> TemplateValue {
    let a = report.assessment
    let words = a.scheme.page("changes"), values = ["year": String(a.year), "asOf": a.asOf.chinese, "scheme": a.scheme.name]
    let frame = PageFrame(title: PageWording.fill(words.title, values), subtitle: PageWording.fill(words.subtitle, values), root: "../",
                          scheme: a.scheme, asOf: a.asOf, format: format, document: words.document.map { PageWording.fill($0, values) })
    guard let old = previous else {
        return .object(["page": frame.value, "first": .bool(true), "files": .list([]), "units": .list([]), "none": .bool(false), "summary": .list([])])
    }
    // This run's results are read unit by unit and compared as they come.
    var newInputs: [String: String] = [:]
    var units: [TemplateValue] = []
    // For the summary at the top.
    var targetChanges = 0, scoreChanges = 0, stageChanges = 0, rowCount = 0
    var unitsByLevel: [(level: String, count: Int)] = []
    let ok = scanResults(current, input: { newInputs[$0] = $1 }, unit: { n in
        let code = n.code
        let o = old.units[code]
        var rows: [TemplateValue] = []
        // Only the fields that changed are put in order (most do not).
        let changed = Set(n.fields.keys).union(o?.fields.keys ?? [:].keys).filter { (o?.fields[$0] ?? "—") != (n.fields[$0] ?? "—") }
        let keys = changed.sorted { lhs, rhs in
            fieldOrder(lhs) != fieldOrder(rhs) ? fieldOrder(lhs) < fieldOrder(rhs) : lhs.localizedStandardCompare(rhs) == .orderedAscending
        }
        for k in keys {
            let ov = o?.fields[k] ?? "—", nv = n.fields[k] ?? "—"
            let (os, ns) = shownChange(k, ov, nv, scheme: a.scheme)
            rows.append(.object(["field": .t(fieldLabel(k, scheme: a.scheme)), "old": .t(os), "new": .t(ns)]))
            if k.hasPrefix("target.") { targetChanges += 1 }
            if k.hasPrefix("score.") || k.hasPrefix("item.") { scoreChanges += 1 }
            if k.hasPrefix("eligibility") || k.hasPrefix("stage") { stageChanges += 1 }
        }
        if o == nil { rows.insert(.object(["field": .t("单位"), "old": .t("（上次没有）"), "new": .t(n.name)]), at: 0) }
        guard !rows.isEmpty else { return }
        rowCount += rows.count
        if let i = unitsByLevel.firstIndex(where: { $0.level == n.level }) { unitsByLevel[i].count += 1 } else { unitsByLevel.append((n.level, 1)) }
        let page = a.tree.unit(code).flatMap { pageLink($0, year: a.year, ext: format.fileExtension) }
        units.append(.object(["name": .t(n.name), "code": .t(code), "level": .t(n.level), "anchor": .t("unit-" + anchorID(code)), "href": .t("#unit-" + anchorID(code)),
                              "link": .opt(page.map { "../" + $0 }), "rows": .list(rows)]))
    })
    guard ok else {
        return .object(["page": frame.value, "first": .bool(true), "files": .list([]), "units": .list([]), "none": .bool(false), "summary": .list([])])
    }
    var files: [TemplateValue] = []
    for path in Set(old.inputs.keys).union(newInputs.keys).sorted() {
        let o = old.inputs[path], n = newInputs[path]
        if o == n { continue }
        let what = o == nil ? "新增" : (n == nil ? "删除" : "内容已改变")
        files.append(.object(["path": .t(path), "what": .t(what), "old": .t(o.map { String($0.prefix(12)) } ?? "—"), "new": .t(n.map { String($0.prefix(12)) } ?? "—")]))
    }
    var summary: [String] = []
    if !files.isEmpty { summary.append("\(files.count) 个输入文件的内容有变化") }
    if !units.isEmpty {
        summary.append("\(units.count) 个单位的结果有变化（" + unitsByLevel.map { "\($0.level) \($0.count) 个" }.joined(separator: "、") + "），共 \(rowCount) 项")
        var kinds: [String] = []
        let s = a.scheme
        if targetChanges > 0 { kinds.append("\(s.field("changes.targets")) \(targetChanges) 项") }
        if scoreChanges > 0 { kinds.append("\(s.field("changes.scores")) \(scoreChanges) 项") }
        if stageChanges > 0 { kinds.append("\(s.field("changes.stages")) \(stageChanges) 项") }
        if !kinds.isEmpty { summary.append("其中" + kinds.joined(separator: "、")) }
    }
    return .object(["page": frame.value, "first": .bool(false), "files": .list(files), "units": .list(units),
                    "none": .bool(files.isEmpty && units.isEmpty), "summary": .list(summary.map { .t($0) })])
}

/// A changed field's old and new values as the pages print them: words for states, and
/// percentages with their sign, cut to two decimals (four when two would show no change).
private func shownChange(_ key: String, _ old: String, _ new: String, scheme: Scheme) -> (String, String) {
    var percent = false
    if key.hasPrefix("indicator.") {
        let id = String(key.dropFirst("indicator.".count))
        percent = scheme.rates.contains { $0.id == id } || scheme.indicator(id)?.kind == .percent
    }
    guard percent, Double(old) != nil, Double(new) != nil else { return (valueLabel(old, scheme: scheme), valueLabel(new, scheme: scheme)) }
    func cut(_ s: String, _ decimals: Int) -> String {
        guard let dot = s.firstIndex(of: ".") else { return s + "%" }
        var t = String(s[..<dot]) + "." + s[s.index(after: dot)...].prefix(decimals)
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t + "%"
    }
    let two = (cut(old, 2), cut(new, 2))
    return two.0 == two.1 ? (cut(old, 4), cut(new, 4)) : two
}

/// Indicators first, then targets, scores, items, eligibility, stage.
private func fieldOrder(_ key: String) -> Int {
    let prefixes = ["indicator.", "target.", "score.", "item.", "eligibility", "stage"]
    return prefixes.firstIndex { key.hasPrefix($0) } ?? prefixes.count
}
