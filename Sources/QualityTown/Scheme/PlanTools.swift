import Foundation

// MARK: - What `qtown scheme show` prints for a scheme with a plan

/// The plan as plain text: stages, tasks (id, area, title, clause) and targets (rule, clause).
/// Headings and headers are the plan's words (`show.*`) and its tasks sheet's headers.
public func planDescription(_ p: PlanDefinition) -> String {
    let w = p.words
    var lines = ["", w.label("show.stages")]
    for s in p.stages { lines.append("\(s.name)\t\(s.from) 至 \(s.to)\t\(s.clause)") }
    lines.append("")
    let taskH = p.sheets?.tasks.header("task") ?? "task", textH = p.sheets?.tasks.header("text") ?? "text"
    lines.append([taskH, w.label("show.area"), textH, w.label("show.clause")].joined(separator: "\t"))
    for t in p.tasks { lines.append([t.id.description, t.areaTitle, t.title, t.clause].joined(separator: "\t")) }
    lines.append("")
    lines.append([w.label("show.target"), w.label("show.content"), w.label("show.rule"), w.label("show.clause")].joined(separator: "\t"))
    let labels = Dictionary(p.indicators.map { ($0.id, $0.header) } + p.rates.map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a })
    let references = Dictionary(p.references.map { ($0.value, $0.key) }, uniquingKeysWith: { a, b in min(a, b) })
    func rule(_ f: RuleForm) -> String {
        switch f {
        case .compare(let i, let op, let operand):
            let sym = op == .eq ? "=" : op.symbol
            switch operand {
            case .constant(let c): return "\(labels[i] ?? i) \(sym) \(c.plain())"
            case .reference(let k): return "\(labels[i] ?? i) \(sym) \(references[k] ?? k)（\(p.sheets?.reference.file ?? "reference")）"
            case .previousYear: return "\(labels[i] ?? i) \(sym) 本单位上年"
            }
        case .either(let a, let b): return rule(a) + "，或 " + rule(b)
        }
    }
    for t in p.targets {
        lines.append([t.id, p.targetLabels[t.id] ?? "", rule(t.form) + (t.onlyTier == .city ? "（仅市级）" : ""), t.clause].joined(separator: "\t"))
    }
    return lines.joined(separator: "\n")
}
