import Foundation

// MARK: - What `qtown scheme` prints (`qtown blank`'s sheets: Ingest/BlankSheets.swift)

/// Every scheme folder found under the template roots (first root wins for a name).
public func availableSchemes() -> [Scheme] {
    var seen: Set<String> = []
    var out: [Scheme] = []
    for root in templateRoots() {
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted() where !seen.contains(name) {
            guard FileManager.default.fileExists(atPath: root + "/" + name + "/scheme.xml"),
                  let s = try? loadScheme(root + "/" + name) else { continue }
            seen.insert(name)
            out.append(s)
        }
    }
    return out
}

/// A rule in words, for `scheme show` and the methodology section.
public func describeRule(_ rule: Rule, scheme: Scheme) -> String {
    func label(_ id: String) -> String { scheme.indicator(id)?.header ?? scheme.rates.first { $0.id == id }?.label ?? id }
    switch rule {
    case .manual: return "人工评分（评分表）"
    case .threshold(let i, let op, let v): return "\(label(i)) \(op.symbol) \(v.plain())"
    case .flag(let i): return "\(label(i)) 为“是”"
    case .tiers(let i, let tiers): return "\(label(i))：" + tiers.map { "≥\($0.atLeast.plain()) 得 \($0.points.plain())" }.joined(separator: "，")
    case .rank(let i, let tiers, let zero, let within):
        return "\(label(i)) \(scheme.wholeAreaWord(within))排名：" + tiers.map { "前\($0.upTo)名 \($0.points.plain())分" }.joined(separator: "，") + (zero != nil ? "；为 0 不得分" : "")
    case .perUnit(let terms, _): return terms.map { "\(label($0.indicator)) 每个 \($0.points.plain()) 分" }.joined(separator: "，")
    case .compare(let i, let op, let tier): return "\(label(i)) \(op.symbol) \(scheme.wholeAreaWord(tier))汇总值"
    case .allOf(let rules): return "同时满足：" + rules.map { describeRule($0, scheme: scheme) }.joined(separator: "；")
    case .countOf(let rules, let k): return "至少 \(k) 项满足：" + rules.map { describeRule($0, scheme: scheme) }.joined(separator: "；")
    }
}

/// The rubric as a plain-text table (one line per criterion).
public func rubricTable(_ s: Scheme) -> String {
    var lines = ["\(s.name)（\(s.source)）"]
    for t in s.targets {
        lines.append("\(t.id)\t\(t.label)\t\(t.requirement)\t\(t.clause)")
    }
    if let plan = s.plan { lines.append(planDescription(plan)) }
    // The lifecycle's steps and stages, with the clause they come from (五、创建步骤).
    if let l = s.lifecycle {
        lines.append("")
        lines.append("\(l.clause)：" + l.steps.map(\.label).joined(separator: " → ") + "（" + l.stages.map { s.stageLabel($0) }.joined(separator: "、") + "）")
    }
    guard let r = s.rubric else { return lines.joined(separator: "\n") }
    lines.append("")
    lines.append(["序号", "条目", "类别", "指标内容", "分数", "条目分", "规则"].joined(separator: "\t"))
    for cat in r.categories {
        for item in cat.items {
            for (k, c) in item.criteria.enumerated() {
                let declared = k == 0 ? (item.declared?.plain() ?? "") + (item.cap.map { "（满分\($0.plain())）" } ?? "") : ""
                lines.append([k == 0 ? String(item.number) : "", c.id, k == 0 ? cat.name : "", k == 0 ? item.area : "", declared,
                              c.points?.plain() ?? "按规则", describeRule(c.rule, scheme: s)].joined(separator: "\t"))
            }
        }
    }
    return lines.joined(separator: "\n")
}
