import Foundation

// MARK: - What changed since the last run (YEAR/changes.html)

/// One unit's results, flattened to `field → shown value`, read from a results.json.
struct FlatResults {
    var units: [String: (name: String, level: String, parent: String?, fields: [String: String])] = [:]
    var order: [String] = []
    var inputs: [String: String] = [:]
}

/// Flattens results.json bytes (the previous run's or this run's) for comparison.
func flattenResults(_ bytes: [UInt8]) -> FlatResults? {
    guard let root = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
          let units = root["units"] as? [[String: Any]] else { return nil }
    var out = FlatResults()
    for i in (root["inputs"] as? [[String: Any]]) ?? [] {
        if let p = i["path"] as? String, let h = i["sha256"] as? String { out.inputs[p] = h }
    }
    func shown(_ v: Any?) -> String {
        switch v {
        case let n as NSNumber:
            // JSON true/false arrive as booleans (objCType "c"), numbers as "i"/"q"/"d".
            if String(cString: n.objCType) == "c" { return n.boolValue ? "是" : "否" }
            let d = n.doubleValue
            if d == d.rounded() && abs(d) < 1e15 { return String(Int(d)) }
            // Cut, not rounded, to 4 decimals: a change smaller than that still shows.
            var s = String(format: "%.6f", d)
            s = String(s.dropLast(2))
            while s.hasSuffix("0") { s.removeLast() }
            return s
        case let s as String: return s
        case is NSNull, nil: return "—"
        case let a as [Any]: return a.map { shown($0) }.joined(separator: "、")
        default: return "\(v!)"
        }
    }
    for u in units {
        guard let code = u["code"] as? String else { continue }
        var f: [String: String] = [:]
        for (id, v) in (u["indicators"] as? [String: [String: Any]]) ?? [:] {
            let st = v["status"] as? String ?? ""
            f["indicator.\(id)"] = st == "value" ? shown(v["value"]) : st
        }
        for (id, v) in (u["targets"] as? [String: [String: Any]]) ?? [:] {
            f["target.\(id)"] = v["status"] as? String ?? ""
        }
        if let s = u["score"] as? [String: Any] {
            for k in ["base", "bonus", "total", "rank"] { f["score.\(k)"] = shown(s[k]) }
            for (n, v) in (s["items"] as? [String: Any]) ?? [:] { f["item.\(n)"] = shown(v) }
        }
        if let e = u["eligibility"] as? [String: Any] { f["eligibility"] = e["status"] as? String ?? "" }
        if let s = u["stage"] as? [String: Any] {
            f["stage"] = s["stage"] as? String ?? ""
            for k in ["overdue", "expiring", "revocationReview"] { f["stage.\(k)"] = shown(s[k]) }
            f["stage.expires"] = shown(s["expires"])
        }
        out.units[code] = (u["name"] as? String ?? code, u["level"] as? String ?? "", u["parent"] as? String, f)
        out.order.append(code)
    }
    return out
}

/// A field's name in words.
func fieldLabel(_ key: String, scheme: Scheme) -> String {
    let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
    let rest = parts.count > 1 ? parts[1] : ""
    switch parts[0] {
    case "indicator": return scheme.indicator(rest)?.header ?? scheme.rates.first { $0.id == rest }?.label ?? rest
    case "target": return "\(rest) \(scheme.targets.first { $0.id == rest }?.label ?? "")判定"
    case "score": return ["base": "基础分", "bonus": "加分", "total": "总分", "rank": "全市名次"][rest] ?? rest
    case "item": return "评估细则第\(rest)项得分"
    case "eligibility": return "申报资格"
    case "stage": return rest.isEmpty ? "创建阶段" : (["overdue": "逾期", "expiring": "命名即将到期", "revocationReview": "提请撤销", "expires": "命名到期日"][rest] ?? rest)
    default: return key
    }
}

/// Words for the machine values of results.json.
func valueLabel(_ v: String) -> String {
    if let t = TargetStatus(rawValue: v) { return t.label }
    if let s = StageName(rawValue: v) { return s.label }
    if let e = EligibilityStatus(rawValue: v) { return e.label }
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
func changesView(_ report: Report, previous: [UInt8]?, current: [UInt8], format: OutputFormat) -> TemplateValue {
    let a = report.assessment
    let frame = PageFrame(title: "\(a.year) 年度 · 与上次运行相比的变化", subtitle: "数字、目标判定、得分、申报资格与创建阶段", root: "../",
                          scheme: a.scheme, asOf: a.asOf, format: format)
    guard let prevBytes = previous, let old = flattenResults(prevBytes), let new = flattenResults(current) else {
        return .object(["page": frame.value, "first": .bool(true), "files": .list([]), "units": .list([]), "none": .bool(false)])
    }
    var files: [TemplateValue] = []
    for path in Set(old.inputs.keys).union(new.inputs.keys).sorted() {
        let o = old.inputs[path], n = new.inputs[path]
        if o == n { continue }
        let what = o == nil ? "新增" : (n == nil ? "删除" : "内容已改变")
        files.append(.object(["path": .t(path), "what": .t(what), "old": .t(o.map { String($0.prefix(12)) } ?? "—"), "new": .t(n.map { String($0.prefix(12)) } ?? "—")]))
    }
    var units: [TemplateValue] = []
    for code in new.order {
        guard let n = new.units[code] else { continue }
        let o = old.units[code]
        var rows: [TemplateValue] = []
        let keys = Set(n.fields.keys).union(o?.fields.keys ?? [:].keys).sorted { lhs, rhs in
            fieldOrder(lhs) != fieldOrder(rhs) ? fieldOrder(lhs) < fieldOrder(rhs) : lhs.localizedStandardCompare(rhs) == .orderedAscending
        }
        for k in keys {
            let ov = o?.fields[k] ?? "—", nv = n.fields[k] ?? "—"
            if ov == nv { continue }
            rows.append(.object(["field": .t(fieldLabel(k, scheme: a.scheme)), "old": .t(valueLabel(ov)), "new": .t(valueLabel(nv))]))
        }
        if o == nil { rows.insert(.object(["field": .t("单位"), "old": .t("（上次没有）"), "new": .t(n.name)]), at: 0) }
        guard !rows.isEmpty else { continue }
        let page = a.tree.unit(code).flatMap { pageLink($0, year: a.year, ext: format.fileExtension) }
        units.append(.object(["name": .t(n.name), "code": .t(code), "level": .t(n.level), "anchor": .t("unit-" + anchorID(code)),
                              "link": .opt(page.map { "../" + $0 }), "rows": .list(rows)]))
    }
    return .object(["page": frame.value, "first": .bool(false), "files": .list(files), "units": .list(units),
                    "none": .bool(files.isEmpty && units.isEmpty)])
}

/// Indicators first, then targets, scores, items, eligibility, stage.
private func fieldOrder(_ key: String) -> Int {
    let prefixes = ["indicator.", "target.", "score.", "item.", "eligibility", "stage"]
    return prefixes.firstIndex { key.hasPrefix($0) } ?? prefixes.count
}
