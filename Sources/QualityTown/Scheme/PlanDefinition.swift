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
    /// The name of the blank indicator sheet `qtown blank` writes (`data/NAME.csv`, `<indicators sheet>`).
    public var indicatorSheet: String
    public var rates: [PlanRate]
    /// reference.csv's 指标 labels → keys.
    public var references: [String: String]
    public var targets: [RuleTarget]
    /// Target labels by id (`新开工建筑节能标准执行率达到100%`).
    public var targetLabels: [String: String]
    /// The words of the pages: state, role and kind labels, page titles (`<labels>`, `<pages>`).
    public var words: PlanWords
    /// The input sheets, from the scheme's `<sheets>` (set by the scheme loader; nil for a plan
    /// document read on its own).
    public var sheets: PlanSheetSet?
}

/// The words a plan's pages and `qtown scheme show` print, as plan.xml gives them: labels by the
/// engine's ids (`task.overdue` → 逾期) and page titles and subtitles with placeholders.
public struct PlanWords: Sendable {
    /// Label ids the engine prints, each required in `<labels>`: task statuses, a party's status on
    /// a task, stage states, roles, party kinds, deadlines, completion on time, `scheme show` headers,
    /// and the words messages say of a task without a usable row of the tasks sheet (`note.*`).
    public static let labelIDs: [String] = [
        "task.unassigned", "task.done", "task.overdue", "task.not-reported", "task.paused", "task.open",
        "party.done", "party.open", "party.paused", "party.not-reported",
        "stage.done", "stage.current", "stage.upcoming",
        "role.lead", "role.partner", "role.county",
        "kind.department", "kind.county",
        "deadline.ongoing", "deadline.unreadable",
        "completed.on-time", "completed.late",
        "show.stages", "show.area", "show.clause", "show.target", "show.content", "show.rule",
        "note.unassigned", "note.no-row",
    ]
    /// Page ids, each required in `<pages>`.
    public static let pageIDs: [String] = ["index", "responsibility", "bulletin", "department", "county", "city"]
    /// Placeholders a page's title or subtitle may use.
    public static let placeholders: Set<String> = ["plan", "unit", "year", "asOf", "tasks"]

    public var labels: [String: String]
    public var pages: [String: (title: String, subtitle: String)]

    /// The label of `id` (one of `labelIDs`: the loader requires every one).
    public func label(_ id: String) -> String { labels[id] ?? id }

    /// Page `id`'s title and subtitle with their placeholders filled.
    public func page(_ id: String, _ values: [String: String]) -> (title: String, subtitle: String) {
        let p = pages[id] ?? (id, "")
        return (PageWording.fill(p.title, values), PageWording.fill(p.subtitle, values))
    }
}

/// The schema's name of a cell kind (`date`, `text` …) for messages.
func cellKindName(_ k: CellKind) -> String {
    switch k {
    case .text: return "text"
    case .date: return "date"
    case .year: return "year"
    case .points: return "points"
    default: return "\(k)"
    }
}

/// A plan's input sheets: the scheme's `<sheets>` found by the engine's sheet ids, each with the
/// engine's column ids (headers, aliases, file names and required columns are the scheme's).
public struct PlanSheetSet: Sendable {
    public var departments: SheetSpec
    public var tasks: SheetSpec
    public var progress: SheetSpec
    public var reference: SheetSpec

    /// Sheet id → the column ids the readers use, and those the readers cannot do without (which
    /// the scheme must mark required). A column is read as its role needs (`kinds`; text otherwise),
    /// and the scheme's `kind` must say so.
    static let needed: [(sheet: String, columns: [String], keys: [String])] = [
        ("departments", ["name", "short"], ["name"]),
        ("tasks", ["task", "lead", "partners", "counties", "deadline", "text"], ["task", "lead", "deadline"]),
        ("progress", ["task", "reporter", "state", "completed", "note", "reported"], ["task", "reporter", "state", "reported"]),
        ("reference", ["indicator", "year", "value", "source"], ["indicator", "year", "value"]),
    ]

    /// Columns read as other than text: reference.csv's 年度 and 值, progress.csv's two dates.
    static let kinds: [String: CellKind] = ["reference.year": .year, "reference.value": .points,
                                            "progress.completed": .date, "progress.reported": .date]

    /// The set from a scheme's sheets, or the problems (a sheet or column missing, a key column
    /// not required).
    static func resolve(_ sheets: [SheetSpec]) -> (PlanSheetSet?, [String]) {
        var problems: [String] = []
        var found: [String: SheetSpec] = [:]
        for n in needed {
            guard let s = sheets.first(where: { $0.id == n.sheet }) else {
                problems.append("计划方案的 <sheets> 缺少输入表 <sheet id=\"\(n.sheet)\">（需要列 " + n.columns.joined(separator: "、") + "）")
                continue
            }
            for c in n.columns where !s.columns.contains(where: { $0.id == c }) {
                problems.append("输入表 \(n.sheet) 缺少列 <column id=\"\(c)\">")
            }
            for c in s.columns where n.columns.contains(c.id) {
                let expected = kinds[n.sheet + "." + c.id] ?? .text
                if c.kind != expected {
                    problems.append("输入表 \(n.sheet) 的列 \(c.id) 按 \(cellKindName(expected)) 读取：kind=\"\(cellKindName(c.kind))\" 应为 kind=\"\(cellKindName(expected))\"")
                }
            }
            for k in n.keys where s.columns.contains(where: { $0.id == k }) && !s.required.contains(k) {
                problems.append("输入表 \(n.sheet) 的列 \(k) 是读取所必需的关键列，应标 required=\"true\"")
            }
            found[n.sheet] = s
        }
        guard problems.isEmpty, let d = found["departments"], let t = found["tasks"], let p = found["progress"], let r = found["reference"] else {
            return (nil, problems)
        }
        return (PlanSheetSet(departments: d, tasks: t, progress: p, reference: r), [])
    }
}

/// Loads plan.xml, validated against templates/plan.xsd (beside the scheme's folder). Problems
/// (unknown state or operator, a title that is not the text up to its first `。`, a rule naming
/// an unknown indicator) are thrown together with their lines.
public func loadPlanDefinition(_ path: String) throws(SchemeError) -> PlanDefinition {
    let display = ((path as NSString).deletingLastPathComponent as NSString).lastPathComponent + "/" + (path as NSString).lastPathComponent
    guard let data = FileManager.default.contents(atPath: path) else { throw SchemeError("无法读取 \(path)", file: display) }
    let templates = ((path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
    return try parsePlanDefinition([UInt8](data), name: display, schema: templates + "/plan.xsd")
}

/// Reads a plan document's bytes (see `loadPlanDefinition`), validated against `schema` when
/// given (tests of the reader's own checks give none).
public func parsePlanDefinition(_ bytes: [UInt8], name display: String, schema: String? = nil) throws(SchemeError) -> PlanDefinition {
    let (parsed, messages) = XMLDocument.parseXML(bytes, name: display)
    guard let doc = parsed, let root = doc.root, root.name == "plan" else {
        if messages.isEmpty { throw SchemeError("\(display) 的根元素应为 plan", file: display) }
        throw SchemeError(problems: messages.map { $0.diagnostic(stage: .scheme, code: "scheme-error") })
    }
    if let schema { try validate(doc, against: schema, display: display) }
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
        stages.append(PlanStage(name: e.attribute("name") ?? "", from: from, to: to, clause: e.attribute("clause") ?? ""))
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
    if let e = child(root, "indicators"), (e.attribute("sheet") ?? "").isEmpty {
        problem("<indicators> 需要 sheet（qtown blank 写出的空白指标表名称）", e)
    }
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
    var labelWords: [String: String] = [:]
    let labelsElement = child(root, "labels")
    for e in children(labelsElement, "label") {
        let id = e.attribute("id") ?? ""
        if !PlanWords.labelIDs.contains(id) { problem("未知的用语 id=\(quoted(id))（应为 \(PlanWords.labelIDs.joined(separator: "、")) 之一）", e) }
        if labelWords[id] != nil { problem("用语 \(id) 重复", e) }
        labelWords[id] = e.attribute("label") ?? ""
    }
    let unlabelled = PlanWords.labelIDs.filter { labelWords[$0] == nil }
    if !unlabelled.isEmpty {
        problem("计划缺少页面用语 <labels> 中的 " + unlabelled.map { "<label id=\"\($0)\">" }.joined(separator: "、"), labelsElement ?? root)
    }
    var pageWords: [String: (title: String, subtitle: String)] = [:]
    let pagesElement = child(root, "pages")
    for e in children(pagesElement, "page") {
        let id = e.attribute("id") ?? ""
        if !PlanWords.pageIDs.contains(id) { problem("未知的页面 id=\(quoted(id))（应为 \(PlanWords.pageIDs.joined(separator: "、")) 之一）", e) }
        let title = e.attribute("title") ?? "", subtitle = e.attribute("subtitle") ?? ""
        for pattern in [title, subtitle] {
            guard let names = PageWording.names(in: pattern) else { problem("页面 \(id) 的\(quoted(pattern))中花括号不成对", e); continue }
            for n in names where !PlanWords.placeholders.contains(n) {
                problem("页面 \(id) 的\(quoted(pattern))中有未知的占位符 {\(n)}（可用 " + PlanWords.placeholders.sorted().map { "{\($0)}" }.joined(separator: " ") + "）", e)
            }
        }
        pageWords[id] = (title, subtitle)
    }
    let untitled = PlanWords.pageIDs.filter { pageWords[$0] == nil }
    if !untitled.isEmpty {
        problem("计划缺少页面标题 <pages> 中的 " + untitled.map { "<page id=\"\($0)\">" }.joined(separator: "、"), pagesElement ?? root)
    }
    if !problems.isEmpty { throw SchemeError(problems: problems) }
    return PlanDefinition(id: root.attribute("id") ?? "", name: root.attribute("name") ?? "", vocabulary: vocabulary,
                          stages: stages, tasks: tasks, indicators: indicators,
                          indicatorSheet: child(root, "indicators")?.attribute("sheet") ?? "", rates: rates, references: references,
                          targets: targets, targetLabels: labels, words: PlanWords(labels: labelWords, pages: pageWords))
}
