import Foundation
// MARK: - A plan held as data: templates/<scheme>/plan.xml
//
// The tasks, stages, words, indicators, rates, reference values and rule targets of a plan-type
// programme (quzhou-city.md §1–§4). Read with the XML wrapper, as scheme.xml is; a scheme.xml
// names its plan with `<plan href="plan.xml"/>` (SchemeLoader).

/// An indicator column of a plan's data sheets.
public struct PlanIndicator: Sendable, Hashable {
    public var id: String
    public var header: String
    /// One of `planIndicatorKinds` (§4): the engine's indicator kinds, read with their cell readers.
    public var kind: IndicatorKind
}

/// A ratio of two indicators, scaled (100 for a percentage, 10,000 for a rate per 10,000).
public struct PlanRate: Sendable, Hashable {
    public var id: String
    public var label: String
    public var numerator: String
    public var denominator: String
    public var scale: Rational
    /// True when the numerator may exceed the denominator (deaths per 10,000 units).
    public var mayExceed: Bool
}

/// The indicator kinds a plan's data sheets hold (quzhou-city.md §4): how `PlanData` combines
/// periods and `planFigures` pools the city are defined for these; a flag or a level is not.
public let planIndicatorKinds: [IndicatorKind] = [.count, .stock, .percent, .score, .amount, .rank]

/// A plan's definition as the scheme gives it.
public struct PlanDefinition: Sendable {
    public var id: String
    public var name: String
    public var vocabulary: PlanVocabulary
    public var stages: [PlanStage]
    public var tasks: [PlanTask]
    public var indicators: [PlanIndicator]
    public var rates: [PlanRate]
    /// reference.csv's 指标 labels → keys.
    public var references: [String: String]
    public var targets: [RuleTarget]
    /// Target labels by id (`新开工建筑节能标准执行率达到100%`).
    public var targetLabels: [String: String]
}

/// Loads plan.xml. Problems (unknown state or operator, a title that is not the text up to its
/// first `。`, a rule naming an unknown indicator) are thrown together with their lines.
public func loadPlanDefinition(_ path: String) throws(SchemeError) -> PlanDefinition {
    let display = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent + "/" + (path as NSString).lastPathComponent
    guard let data = FileManager.default.contents(atPath: path) else { throw SchemeError("无法读取 \(path)", file: display) }
    return try parsePlanDefinition([UInt8](data), name: display)
}

/// Reads a plan document's bytes (see `loadPlanDefinition`).
public func parsePlanDefinition(_ bytes: [UInt8], name display: String) throws(SchemeError) -> PlanDefinition {
    let (parsed, messages) = XMLDocument.parseXML(bytes, name: display)
    guard let doc = parsed, let root = doc.root, root.name == "plan" else {
        if messages.isEmpty { throw SchemeError("\(display) 的根元素应为 plan", file: display) }
        throw SchemeError(problems: messages.map { $0.diagnostic(stage: .scheme, code: "scheme-error") })
    }
    var problems: [Diagnostic] = []
    func problem(_ message: String, _ e: XMLElement) {
        problems.append(Diagnostic(.error, "scheme-error", message, at: SourceLocation(file: display, line: e.line), stage: .scheme))
    }
    func child(_ e: XMLElement, _ name: String) -> XMLElement? { e.childElements.first { $0.name == name } }
    func children(_ e: XMLElement?, _ name: String) -> [XMLElement] { e?.childElements.filter { $0.name == name } ?? [] }
    func words(_ e: XMLElement?) -> [String] { children(e, "word").map(\.textContent) }
    func day(_ e: XMLElement, _ attr: String) -> Day? {
        let parts = (e.attribute(attr) ?? "").split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, let d = Day(parts[0], parts[1], parts[2]) else {
            problem("\(attr)=\(quoted(e.attribute(attr) ?? "")) 不是 YYYY-MM-DD 日期", e)
            return nil
        }
        return d
    }

    let voc = child(root, "vocabulary")
    var progress: [ProgressWords] = []
    for e in children(voc, "progress") {
        guard let s = ProgressState(rawValue: e.attribute("state") ?? "") else {
            problem("进展状态 state=\(quoted(e.attribute("state") ?? "")) 应为 notStarted、inProgress、done 或 paused", e)
            continue
        }
        progress.append(ProgressWords(state: s, words: words(e)))
    }
    for s in ProgressState.allCases where !progress.contains(where: { $0.state == s }) {
        problem("用语中缺少进展状态 \(s.rawValue) 的写法", voc ?? root)
    }
    let vocabulary = PlanVocabulary(progress: progress, ongoing: words(child(voc ?? root, "ongoing")),
                                    allCounties: words(child(voc ?? root, "all-counties")),
                                    stageSuffix: voc?.attribute("stage-suffix") ?? "")

    var stages: [PlanStage] = []
    for e in children(child(root, "stages"), "stage") {
        guard let from = day(e, "from"), let to = day(e, "to") else { continue }
        if to < from { problem("阶段 \(e.attribute("name") ?? "") 的结束日早于开始日", e) }
        stages.append(PlanStage(name: e.attribute("name") ?? "", from: from, to: to))
    }

    var tasks: [PlanTask] = []
    for a in children(child(root, "tasks"), "area") {
        guard let area = Int(a.attribute("number") ?? "") else { problem("area 缺少 number", a); continue }
        for e in children(a, "task") {
            guard let n = Int(e.attribute("number") ?? "") else { problem("task 缺少 number", e); continue }
            let text = e.textContent
            let title = e.attribute("title") ?? ""
            // §1: the title is the text up to (not including) the first 。.
            let expected = String(text.prefix { $0 != "。" })
            if title != expected { problem("任务 \(area).\(n) 的 title 应为原文第一个“。”之前的文字：\(quoted(expected))", e) }
            let id = TaskID(area: area, number: n)
            if tasks.contains(where: { $0.id == id }) { problem("任务 \(id) 重复", e) }
            tasks.append(PlanTask(id: id, areaTitle: a.attribute("title") ?? "", title: title, text: text,
                                  clause: e.attribute("clause") ?? ""))
        }
    }

    var indicators: [PlanIndicator] = []
    for e in children(child(root, "indicators"), "indicator") {
        let text = e.attribute("kind") ?? ""
        guard let kind = IndicatorKind(rawValue: text), planIndicatorKinds.contains(kind) else {
            problem("指标 \(e.attribute("id") ?? "") 的 kind=\(quoted(text)) 不是 \(planIndicatorKinds.map(\.rawValue).joined(separator: "、")) 之一", e)
            continue
        }
        indicators.append(PlanIndicator(id: e.attribute("id") ?? "", header: e.attribute("header") ?? "", kind: kind))
    }
    var known = Set(indicators.map(\.id))
    var rates: [PlanRate] = []
    for e in children(child(root, "rates"), "rate") {
        let r = PlanRate(id: e.attribute("id") ?? "", label: e.attribute("label") ?? "", numerator: e.attribute("numerator") ?? "",
                         denominator: e.attribute("denominator") ?? "", scale: Rational(Int(e.attribute("scale") ?? "100") ?? 100),
                         mayExceed: e.attribute("may-exceed") == "true")
        for part in [r.numerator, r.denominator] where !known.contains(part) { problem("比率 \(r.id) 引用了未定义的指标 \(part)", e) }
        rates.append(r)
    }
    known.formUnion(rates.map(\.id))
    var references: [String: String] = [:]
    for e in children(child(root, "references"), "reference") {
        references[e.attribute("label") ?? ""] = e.attribute("key") ?? ""
    }
    let referenceKeys = Set(references.values)

    func rule(_ e: XMLElement) -> RuleForm? {
        switch e.name {
        case "either":
            let parts = e.childElements.compactMap(rule)
            guard parts.count == 2 else { problem("either 需要两条规则", e); return nil }
            return .either(parts[0], parts[1])
        case "compare":
            let ind = e.attribute("indicator") ?? ""
            if !known.contains(ind) { problem("规则引用了未定义的指标 \(ind)", e) }
            guard let op = Comparison(rawValue: e.attribute("op") ?? "") else { problem("op 应为 eq、lt、le、gt 或 ge", e); return nil }
            if let v = e.attribute("value") {
                guard let r = parseDecimal(v, allowPercent: false) else { problem("value=\(quoted(v)) 不是数", e); return nil }
                return .compare(indicator: ind, op, .constant(r))
            }
            if let key = e.attribute("reference") {
                if !referenceKeys.contains(key) { problem("规则引用了未定义的参考值 \(key)", e) }
                return .compare(indicator: ind, op, .reference(key))
            }
            if e.attribute("previous") == "true" { return .compare(indicator: ind, op, .previousYear) }
            problem("compare 需要 value、reference 或 previous=\"true\"", e)
            return nil
        default:
            problem("未知的规则元素 \(e.name)", e)
            return nil
        }
    }
    var targets: [RuleTarget] = []
    var labels: [String: String] = [:]
    for e in children(child(root, "targets"), "target") {
        guard let first = e.childElements.first, let form = rule(first) else { problem("目标缺少规则", e); continue }
        let tier: UnitTier? = e.attribute("tier") == "city" ? .city : e.attribute("tier") == "county" ? .county : nil
        let id = e.attribute("id") ?? ""
        targets.append(RuleTarget(id: id, form: form, clause: e.attribute("clause") ?? "", onlyTier: tier))
        labels[id] = e.attribute("label") ?? ""
    }
    if !problems.isEmpty { throw SchemeError(problems: problems) }
    return PlanDefinition(id: root.attribute("id") ?? "", name: root.attribute("name") ?? "", vocabulary: vocabulary,
                          stages: stages, tasks: tasks, indicators: indicators, rates: rates, references: references,
                          targets: targets, targetLabels: labels)
}
