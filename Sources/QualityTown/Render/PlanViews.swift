import Foundation

// MARK: - The pages of a plan scheme (quzhou-city.md §5): values for its templates, results.json/.csv
//
// Every word that belongs to the programme comes from the plan: task texts, stage names, target
// labels, reference names, and the labels of statuses, stage states, roles, party kinds and
// deadlines and the page titles (`PlanWords`, plan.xml's <labels> and <pages>). The words left
// here are the engine's shared language (缺数据, 不适用, 数据错误, 上年, 参考值, day counts).

/// Renders a plan build's pages from the scheme's templates (its folder first, then common/).
public final class PlanSite: Sendable {
    let templates: TemplateSet
    let format: OutputFormat
    let commonDirectory: String
    let schemeDirectory: String

    /// Loads and compiles the templates; a template error stops the run (exit 2).
    public init(scheme: Scheme, format: OutputFormat) throws(TemplateError) {
        schemeDirectory = scheme.directory
        commonDirectory = (scheme.directory as NSString).deletingLastPathComponent + "/common"
        templates = try TemplateSet(directories: [scheme.directory, commonDirectory])
        self.format = format
    }

    private func page(_ template: String, at path: String, _ value: TemplateValue) throws(TemplateError) -> OutputPage {
        var value = value
        // The plan's own stylesheet, relative to the page (pages link it in their content).
        if case .object(var o) = value {
            o["planCss"] = .t(String(repeating: "../", count: path.split(separator: "/").count - 1) + "assets/plan.css")
            value = .object(o)
        }
        return OutputPage(path: path, bytes: try templates.render(template, context: value, format: format))
    }

    /// Folders the pages are written into.
    public func folders(_ r: PlanReport) -> [String] {
        let y = "\(r.year)"
        return [y, y + "/plan", y + "/departments", y + "/counties", y + "/cities", "assets"]
    }

    /// Every file of a plan build, in a stable order.
    public func pages(_ r: PlanReport, years: [Int]) throws(TemplateError) -> [OutputPage] {
        let ext = format.fileExtension
        let ctx = PlanViewContext(r, format: format)
        var out: [OutputPage] = []
        out.append(try page("index.xhtml", at: "index.\(ext)", planIndexView(ctx, years: years)))
        out.append(try page("data-quality.xhtml", at: "\(r.year)/data-quality.\(ext)", planDataQualityView(ctx)))
        out.append(try page("responsibility.xhtml", at: "\(r.year)/plan/responsibility.\(ext)", responsibilityView(ctx)))
        out.append(try page("bulletin.xhtml", at: "\(r.year)/plan/bulletin.\(ext)", bulletinView(ctx)))
        for (i, d) in r.inputs.departments.departments.enumerated() {
            out.append(try page("department.xhtml", at: "\(r.year)/departments/\(departmentPageID(i)).\(ext)", departmentView(ctx, d)))
        }
        for u in r.units {
            if u.unit.code == r.inputs.city?.code {
                out.append(try page("city.xhtml", at: "\(r.year)/cities/\(u.unit.code).\(ext)", planCityView(ctx, u)))
            } else {
                out.append(try page("county.xhtml", at: "\(r.year)/counties/\(u.unit.code).\(ext)", planCountyView(ctx, u)))
            }
        }
        out.append(OutputPage(path: "\(r.year)/results.json", bytes: planResultsJSON(r)))
        out.append(OutputPage(path: "\(r.year)/results.csv", bytes: planResultsCSV(r)))
        guard let css = FileManager.default.contents(atPath: commonDirectory + "/style.css") else {
            throw TemplateError(file: "common/style.css", line: 0, message: "找不到样式表 \(commonDirectory)/style.css")
        }
        out.append(OutputPage(path: "assets/style.css", bytes: [UInt8](css)))
        guard let planCSS = FileManager.default.contents(atPath: schemeDirectory + "/plan.css") else {
            throw TemplateError(file: "plan.css", line: 0, message: "找不到样式表 \(schemeDirectory)/plan.css")
        }
        out.append(OutputPage(path: "assets/plan.css", bytes: [UInt8](planCSS)))
        return out
    }
}

/// A department's page name: its position in departments.csv (`01`, `02` …), since a 名称 is
/// no file name.
func departmentPageID(_ index: Int) -> String { index < 9 ? "0\(index + 1)" : "\(index + 1)" }

// MARK: - Shared pieces

/// What every plan view needs: the report, lookups and the page format.
struct PlanViewContext {
    let r: PlanReport
    let format: OutputFormat
    let ext: String
    /// Department page ids by 名称.
    let departmentIDs: [String: String]
    /// Scorecards by party.
    let cards: [Party: Scorecard]
    /// Reference labels by key.
    let referenceLabels: [String: String]
    /// Indicator and rate labels by id.
    let labels: [String: String]
    /// `%` for percentages, `` for others, by indicator or rate id.
    let units: [String: String]

    init(_ r: PlanReport, format: OutputFormat) {
        self.r = r
        self.format = format
        ext = format.fileExtension
        departmentIDs = Dictionary(r.inputs.departments.departments.enumerated().map { ($0.element.name, departmentPageID($0.offset)) },
                                   uniquingKeysWith: { a, _ in a })
        cards = Dictionary(r.results.scorecards.map { ($0.party, $0) }, uniquingKeysWith: { a, _ in a })
        referenceLabels = Dictionary(r.plan.references.map { ($0.value, $0.key) }, uniquingKeysWith: { a, b in min(a, b) })
        var labels: [String: String] = [:], units: [String: String] = [:]
        for i in r.plan.indicators {
            labels[i.id] = i.header
            units[i.id] = i.kind == .percent ? "%" : ""
        }
        for rate in r.plan.rates {
            labels[rate.id] = rate.label
            units[rate.id] = rate.scale == Rational(100) ? "%" : ""
        }
        self.labels = labels
        self.units = units
    }

    /// The plan's words.
    var words: PlanWords { r.plan.words }

    func frame(_ title: String, _ subtitle: String, root: String) -> TemplateValue {
        PageFrame(title: title, subtitle: subtitle, root: root, scheme: r.scheme, asOf: r.asOf, format: format).value
    }

    /// The frame of page `id` (`<pages>` of plan.xml), its placeholders filled: {plan} the plan's
    /// name, {year} the report year, {asOf} the as-of date, and `values` ({unit}, {tasks}).
    func frame(page id: String, _ values: [String: String] = [:], root: String) -> TemplateValue {
        var all = ["plan": r.plan.name, "year": "\(r.year)", "asOf": r.asOf.chinese]
        all.merge(values) { _, new in new }
        let (title, subtitle) = words.page(id, all)
        return frame(title, subtitle, root: root)
    }

    /// The link from a page in `YEAR/x/` to a party's page.
    func partyLink(_ p: Party) -> String? {
        if let code = p.code { return "../counties/\(code).\(ext)" }
        return departmentIDs[p.name].map { "../departments/\($0).\(ext)" }
    }
}

/// Chinese numerals for area numbers (1 → 一, 10 → 十, 12 → 十二).
func chineseNumeral(_ n: Int) -> String {
    let d = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
    if n < 10 { return d[max(0, n)] }
    if n < 20 { return "十" + (n % 10 == 0 ? "" : d[n % 10]) }
    return d[n / 10] + "十" + (n % 10 == 0 ? "" : d[n % 10])
}

extension PlanWords {
    /// The word a page shows for a task's status (`task.overdue`).
    func label(_ s: PlanTaskStatus) -> String { label("task." + s.rawValue) }
    /// The word a page shows for a party's status on a task (an open party shows its own wording,
    /// 未启动 or 推进中, where it has one).
    func label(_ s: PartyTaskStatus) -> String { label("party." + s.rawValue) }
    /// The word for a stage's state.
    func label(_ s: StageState) -> String { label("stage." + s.rawValue) }
    /// The word for a party's role on a task.
    func label(_ r: PartyRole) -> String { label("role." + r.rawValue) }
    /// The word for a kind of party.
    func label(_ k: PartyKind) -> String { label("kind." + k.rawValue) }

    /// A deadline as a date (or what stands for one).
    func deadline(_ d: Deadline) -> String {
        switch d {
        case .day(let day): return day.description
        case .ongoing: return label("deadline.ongoing")
        case .none: return label("deadline.unreadable")
        }
    }
}

/// A task's title as the bulletin lists it: up to its first comma, and at most `limit`
/// characters (then `…`); the full title is in the responsibility table and on the party pages.
func shortTitle(_ title: String, limit: Int = 30) -> String {
    var t = String(title.prefix { $0 != "," && $0 != "，" })
    if t.count < 6 { t = title }
    return t.count > limit ? String(t.prefix(limit)) + "…" : t
}

/// A rate cut to one decimal for a scorecard (`57.1`), `—` when there is none.
func rateText(_ r: Rational?) -> String { r.map { $0.cut(1) } ?? "—" }

/// A party's name as lists show it.
func partyNames(_ ps: [Party]) -> String { ps.map(\.name).joined(separator: "、") }

// MARK: - Figures and targets as text

/// A measure's display: the value cut to `digits` decimals with its unit, or the word for its state.
func measureText(_ m: Measure, unit: String, approximate: Bool = false, digits: Int = 2) -> String {
    switch m {
    case .value(let v): return (approximate ? "约 " : "") + (v.isInteger ? String(v.numerator) : v.cut(digits)) + unit
    case .noData: return "缺数据"
    case .notApplicable: return "不适用"
    case .error: return "数据错误"
    }
}

/// Two values displayed side by side: cut to two decimals, or to more when the cut values
/// would look equal while they differ (a displayed value never contradicts its status).
func displayDigits(_ a: Measure, _ b: Measure?) -> Int {
    guard case .value(let x) = a, case .value(let y)? = b, x != y else { return 2 }
    for d in 2...8 where x.cut(d) != y.cut(d) { return d }
    return 8
}

/// The rule of a target as a page states it (`= 100%`, `< 全国特种设备万台设备事故死亡率`, `> 上年`).
func ruleText(_ f: RuleForm, _ ctx: PlanViewContext) -> String {
    switch f {
    case .compare(let ind, let op, let operand):
        let sym = op == .eq ? "=" : op.symbol
        switch operand {
        case .constant(let c): return "\(ctx.labels[ind] ?? ind) \(sym) \(c.plain())\(ctx.units[ind] ?? "")"
        case .reference(let key): return "\(ctx.labels[ind] ?? ind) \(sym) \(ctx.referenceLabels[key] ?? key)"
        case .previousYear: return "\(ctx.labels[ind] ?? ind) \(sym) 上年"
        }
    case .either(let a, let b): return ruleText(a, ctx) + "，或 " + ruleText(b, ctx)
    }
}

/// `缺2019年全国特种设备万台设备事故死亡率` for each value a rule lacked.
func missingText(_ m: [MissingInput], _ ctx: PlanViewContext) -> String {
    m.map { "缺\($0.year)年" + ($0.isReference ? ctx.referenceLabels[$0.what] ?? $0.what : (ctx.labels[$0.what] ?? $0.what)) }
        .joined(separator: "；")
}

/// The comparison rule of a judgement (an either/or's second part, which carries the value shown).
func mainCompare(_ f: RuleForm) -> (indicator: String, operand: RuleOperand)? {
    switch f {
    case .compare(let i, _, let o): return (i, o)
    case .either(_, let b): return mainCompare(b)
    }
}

/// One target row of a unit.
func targetRow(_ t: RuleTarget, _ j: RuleJudgement, unit: PlanUnitResult, _ ctx: PlanViewContext) -> TemplateValue {
    let main = mainCompare(t.form)
    let ind = main?.indicator ?? ""
    let unitText = ctx.units[ind] ?? ""
    let approx = unit.figures[ind]?.approximate ?? false
    let digits = displayDigits(j.value, j.against)
    var against = ""
    if let main, let a = j.against {
        switch main.operand {
        case .constant: against = ""
        case .reference: against = "参考值 " + measureText(a, unit: unitText, digits: digits)
        case .previousYear: against = "上年 " + measureText(a, unit: unitText, approximate: unit.previous[ind]?.approximate ?? false, digits: digits)
        }
    }
    var notes: [String] = []
    if case .either(let a, _) = t.form, case .compare(let first, _, _) = a {
        notes.append("\(ctx.labels[first] ?? first)：" + measureText(unit.figures[first]?.measure ?? .noData, unit: ""))
    }
    if !j.missing.isEmpty { notes.append(missingText(j.missing, ctx)) }
    if approx { notes.append("市级数值由各\(ctx.words.label(PartyKind.county))汇总，有单位数据错误未计入（约）") }
    return .object([
        "id": .t(t.id),
        "label": .t(ctx.r.plan.targetLabels[t.id] ?? t.id),
        "clause": .t(t.clause),
        "rule": .t(ruleText(t.form, ctx)),
        "value": .t(measureText(j.value, unit: unitText, approximate: approx, digits: digits)),
        "against": .t(against),
        "status": .t(j.status.label),
        "statusClass": .t("status-" + j.status.rawValue),
        "note": .t(notes.joined(separator: "；")),
    ])
}

/// A party's tasks as rows (its role, status, latest report, deadline, days overdue).
func partyTaskRows(_ party: Party, _ ctx: PlanViewContext) -> [TemplateValue] {
    ctx.r.results.tasks.compactMap { tp -> TemplateValue? in
        guard let a = tp.assignment, let role = a.role(of: party) else { return nil }
        let on = tp.parties.first { $0.party == party }
        let w = ctx.words
        var status = on.map { $0.status == .open ? ($0.progress ?? w.label($0.status)) : w.label($0.status) } ?? w.label(PartyTaskStatus.notReported)
        if role == .partner && on == nil { status = "（\(w.label(PartyRole.partner))，\(w.label(PartyTaskStatus.notReported))）" }
        let cls = on?.overdue == true ? "status-unmet" : (on?.status == .done ? "status-met" : "status-no-data")
        return .object([
            "id": .t(tp.task.id.description),
            "title": .t(tp.task.title),
            "role": .t(w.label(role)),
            "status": .t(status + (on?.overdue == true ? "（\(w.label(PlanTaskStatus.overdue))）" : "") + (on?.stale == true ? "（超过\(defaultStaleDays)天未更新）" : "")),
            "statusClass": .t(cls),
            "taskStatus": .t(w.label(tp.status)),
            "reported": .opt(on?.reported?.description),
            "completed": .opt(on?.completed?.description),
            "onTime": .opt(on?.onTime.map { w.label($0 ? "completed.on-time" : "completed.late") }),
            "note": .opt(on?.note),
            "deadline": .t(a.deadlineText),
            "deadlineDate": .t(w.deadline(a.deadline)),
            "daysOverdue": .opt(on?.daysOverdue.map { "\($0) 天" }),
        ])
    }
}

/// A scorecard as a row.
func scorecardRow(_ c: Scorecard, _ ctx: PlanViewContext) -> TemplateValue {
    .object([
        "rank": .opt(c.rank.map(String.init)),
        "name": .t(c.party.name),
        "link": .opt(ctx.partyLink(c.party)),
        "assigned": .t(c.assigned), "due": .t(c.due), "doneOnTime": .t(c.doneOnTime), "doneLate": .t(c.doneLate),
        "overdue": .t(c.overdue), "paused": .t(c.paused), "open": .t(c.open), "notReported": .t(c.notReported),
        "stale": .t(c.stale), "onTimeRate": .t(rateText(c.onTimeRate)),
    ])
}

/// Scorecards of one kind, ranked (no rank last, then in listing order).
func rankedScorecards(_ kind: PartyKind, _ ctx: PlanViewContext) -> [TemplateValue] {
    let cards = ctx.r.results.scorecards.enumerated().filter { $0.element.party.kind == kind }
    return cards.sorted { ($0.element.rank ?? Int.max, $0.offset) < ($1.element.rank ?? Int.max, $1.offset) }
        .map { scorecardRow($0.element, ctx) }
}

/// The stages with their state and a bar on the plan's timeline (percent offsets for CSS).
func stageRows(_ ctx: PlanViewContext) -> (rows: [TemplateValue], today: String?) {
    let stages = ctx.r.results.stages
    guard let first = stages.map(\.stage.from).min(), let last = stages.map(\.stage.to).max() else { return ([], nil) }
    let span = Double(last.ordinal - first.ordinal + 1)
    func percent(_ d: Int) -> Double { max(0, min(100, (Double(d) / span * 100 * 100).rounded(.down) / 100)) }
    func pct(_ d: Int) -> String { String(format: "%.2f", percent(d)) }
    let rows: [TemplateValue] = stages.map { s in
        .object([
            "name": .t(s.stage.name),
            "from": .t(s.stage.from.description),
            "to": .t(s.stage.to.description),
            "state": .t(ctx.words.label(s.state)),
            "stateClass": .t("stage-" + s.state.rawValue),
            "daysLeft": .opt(s.daysLeft.map { "剩 \($0) 天" }),
            // In the cell's flow (an absolutely placed bar was measured outside its cell), and
            // never past the cell's right edge.
            "bar": .t({ () -> String in
                let left = percent(s.stage.from.ordinal - first.ordinal)
                let width = min(percent(s.stage.to.ordinal - s.stage.from.ordinal + 1), 100 - left)
                return String(format: "margin-left: %.2f%%; width: %.2f%%", left, width)
            }()),
        ])
    }
    let asOf = ctx.r.asOf
    // The as-of day as a 2-pixel line painted on the cell's background, centred on its day.
    let today = asOf >= first && asOf <= last ? { () -> String in
        let x = pct(asOf.ordinal - first.ordinal)
        return "background: linear-gradient(to right, transparent calc(\(x)% - 1px), #b00 calc(\(x)% - 1px), #b00 calc(\(x)% + 1px), transparent calc(\(x)% + 1px))"
    }() : nil
    return (rows, today)
}

// MARK: - Pages

/// `YEAR/plan/responsibility.html`: 附件2 工作责任分解表 by area.
func responsibilityView(_ ctx: PlanViewContext) -> TemplateValue {
    let r = ctx.r
    let all = Set(r.inputs.counties.parties)
    let byArea = Dictionary(grouping: r.results.tasks, by: \.task.id.area)
    let areas: [TemplateValue] = byArea.keys.sorted().map { area in
        let tasks = byArea[area]!
        return .object([
            "title": .t("（\(chineseNumeral(area))）\(tasks[0].task.areaTitle)"),
            "tasks": .list(tasks.map { tp in
                let a = tp.assignment
                let counties = a.map { $0.counties.isEmpty ? "" : (Set($0.counties) == all && all.count > 1 ? r.plan.vocabulary.allCounties.first ?? partyNames($0.counties) : partyNames($0.counties)) } ?? ""
                return .object([
                    "id": .t(tp.task.id.description),
                    "title": .t(tp.task.title),
                    "text": .t(tp.task.text),
                    "clause": .t(tp.task.clause),
                    "lead": .t(a.map { partyNames($0.leads) } ?? ""),
                    "partners": .t(a.map { partyNames($0.partners) } ?? ""),
                    "counties": .t(counties),
                    "deadline": .t(a?.deadlineText ?? ""),
                    "deadlineDate": .t(a.map { ctx.words.deadline($0.deadline) } ?? ""),
                    "unassigned": .bool(a == nil),
                    "rowClass": .t(a == nil ? "unassigned" : ""),
                ])
            }),
        ])
    }
    let unassigned = r.results.tasks.filter { $0.assignment == nil }.count
    return .object([
        "page": ctx.frame(page: "responsibility", ["tasks": "\(r.plan.tasks.count)"], root: "../../"),
        "areas": .list(areas),
        "taskCount": .t(r.plan.tasks.count),
        "unassignedCount": .t(unassigned),
        "hasUnassigned": .bool(unassigned > 0),
        "bulletin": .t("bulletin.\(ctx.ext)"),
    ])
}

/// `YEAR/plan/bulletin.html`: the supervision bulletin at the as-of date.
func bulletinView(_ ctx: PlanViewContext) -> TemplateValue {
    let r = ctx.r
    let tasks = r.results.tasks
    let (stages, today) = stageRows(ctx)
    let statuses: [PlanTaskStatus] = [.done, .overdue, .open, .paused, .notReported, .unassigned]
    let counts: [TemplateValue] = statuses.map { s in
        .object(["label": .t(ctx.words.label(s)), "count": .t(tasks.filter { $0.status == s }.count), "statusClass": .t("task-" + s.rawValue)])
    }
    // Rows of (task, party) for one kind of finding, in task order.
    func rows(_ keep: (TaskProgress, PartyOnTask) -> Bool) -> [TemplateValue] {
        tasks.flatMap { tp in
            tp.parties.filter { $0.role != .partner && keep(tp, $0) }.map { p in
                TemplateValue.object([
                    "id": .t(tp.task.id.description),
                    "title": .t(shortTitle(tp.task.title)),
                    "fullTitle": .t(tp.task.title),
                    "party": .t(p.party.name),
                    "link": .opt(ctx.partyLink(p.party)),
                    "deadline": .t(tp.assignment.map { ctx.words.deadline($0.deadline) } ?? ""),
                    "progress": .t(p.progress ?? ctx.words.label(PartyTaskStatus.notReported)),
                    "reported": .t(p.reported?.description ?? "—"),
                    "completed": .t(p.completed?.description ?? "—"),
                    "daysOverdue": .t(p.daysOverdue.map(String.init) ?? "—"),
                    "daysSince": .t(p.reported.map { String(r.asOf.ordinal - $0.ordinal) } ?? "—"),
                    "note": .t(p.note ?? ""),
                    "stale": .bool(p.stale),
                ])
            }
        }
    }
    // The overdue list grouped by party, parties in their listing order (departments, then counties).
    var overdueGroups: [TemplateValue] = []
    for c in r.results.scorecards {
        let items = rows { _, p in p.overdue && p.party == c.party }
        if items.isEmpty { continue }
        overdueGroups.append(.object(["party": .t(c.party.name), "link": .opt(ctx.partyLink(c.party)),
                                      "kind": .t(ctx.words.label(c.party.kind)),
                                      "count": .t(items.count), "items": .list(items)]))
    }
    let notReported = rows { _, p in p.status == .notReported && !p.overdue }
    // Overdue parties that are also stale are marked in the overdue list, not listed twice.
    let stale = rows { _, p in p.stale && !p.overdue }
    let doneLate = rows { _, p in p.status == .done && p.onTime == false }
    let paused = rows { _, p in p.status == .paused }
    let unassigned: [TemplateValue] = tasks.filter { $0.status == .unassigned }.map { tp in
        .object(["id": .t(tp.task.id.description), "title": .t(shortTitle(tp.task.title)), "fullTitle": .t(tp.task.title),
                 "clause": .t(tp.task.clause)])
    }
    let overdueCount = tasks.flatMap(\.parties).filter { $0.overdue && $0.role != .partner }.count
    return .object([
        "page": ctx.frame(page: "bulletin", root: "../../"),
        "asOf": .t(r.asOf.description),
        "stages": .list(stages),
        "today": .opt(today),
        "taskCount": .t(tasks.count),
        "counts": .list(counts),
        "overdue": .list(overdueGroups),
        "overdueCount": .t(overdueCount),
        "notReported": .list(notReported),
        "stale": .list(stale),
        "doneLate": .list(doneLate),
        "paused": .list(paused),
        "unassigned": .list(unassigned),
        "departments": .list(rankedScorecards(.department, ctx)),
        "counties": .list(rankedScorecards(.county, ctx)),
        "responsibility": .t("responsibility.\(ctx.ext)"),
        "dataQuality": .t("../data-quality.\(ctx.ext)"),
    ])
}

/// A party's facts: its scorecard.
func scorecardFacts(_ party: Party, _ ctx: PlanViewContext) -> TemplateValue {
    let c = ctx.cards[party] ?? Scorecard(party: party)
    let peers = ctx.r.results.scorecards.filter { $0.party.kind == party.kind && $0.rank != nil }.count
    var v = scorecardRow(c, ctx)
    if case .object(var o) = v {
        o["rateText"] = .t(c.onTimeRate.map { $0.cut(1) + "%" } ?? "—")
        o["rankText"] = .t(c.rank.map { "第 \($0) 名（共 \(peers) 个有应完成任务的\(ctx.words.label(party.kind))）" } ?? "无排名（没有已到期的任务）")
        v = .object(o)
    }
    return v
}

/// `YEAR/departments/ID.html`.
func departmentView(_ ctx: PlanViewContext, _ d: Department) -> TemplateValue {
    let rows = partyTaskRows(d.party, ctx)
    return .object([
        "page": ctx.frame(page: "department", ["unit": d.name], root: "../../"),
        "name": .t(d.name),
        "shortNames": .t(d.shortNames.joined(separator: "、")),
        "card": scorecardFacts(d.party, ctx),
        "tasks": .list(rows),
        "hasTasks": .bool(!rows.isEmpty),
        "bulletin": .t("../plan/bulletin.\(ctx.ext)"),
    ])
}

/// The indicator figures of a unit as rows (indicators, then rates).
func figureRows(_ u: PlanUnitResult, _ ctx: PlanViewContext) -> [TemplateValue] {
    let ids = ctx.r.plan.indicators.map(\.id) + ctx.r.plan.rates.map(\.id)
    return ids.compactMap { id in
        guard let f = u.figures[id] else { return nil }
        if f.measure == .noData && (u.previous[id]?.measure ?? .noData) == .noData { return nil }
        let digits = displayDigits(f.measure, u.previous[id]?.measure)
        return .object([
            "label": .t(ctx.labels[id] ?? id),
            "value": .t(measureText(f.measure, unit: ctx.units[id] ?? "", approximate: f.approximate, digits: digits)),
            "previous": .t(u.previous[id].map { measureText($0.measure, unit: ctx.units[id] ?? "", approximate: $0.approximate, digits: digits) } ?? "缺数据"),
        ])
    }
}

/// `YEAR/counties/CODE.html`: the county's tasks, then its indicators and targets.
func planCountyView(_ ctx: PlanViewContext, _ u: PlanUnitResult) -> TemplateValue {
    let r = ctx.r
    let party = Party(kind: .county, name: u.unit.name, code: u.unit.code)
    let rows = partyTaskRows(party, ctx)
    let problems = r.diagnostics.filter { $0.unit == u.unit.code }.count
    return .object([
        "page": ctx.frame(page: "county", ["unit": u.unit.name], root: "../../"),
        "name": .t(u.unit.name),
        "code": .t(u.unit.code),
        "city": .t(r.inputs.city?.name ?? ""),
        "year": .t(r.year),
        "card": scorecardFacts(party, ctx),
        "tasks": .list(rows),
        "hasTasks": .bool(!rows.isEmpty),
        "targets": .list(u.targets.map { targetRow($0.target, $0.judgement, unit: u, ctx) }),
        "figures": .list(figureRows(u, ctx)),
        "problemCount": .t(problems),
        "dataQuality": .t("../data-quality.\(ctx.ext)"),
        "bulletin": .t("../plan/bulletin.\(ctx.ext)"),
    ])
}

/// `YEAR/cities/CODE.html`: the leading group's overview.
func planCityView(_ ctx: PlanViewContext, _ u: PlanUnitResult) -> TemplateValue {
    let r = ctx.r
    let (stages, today) = stageRows(ctx)
    let byArea = Dictionary(grouping: r.results.tasks, by: \.task.id.area)
    let areas: [TemplateValue] = byArea.keys.sorted().map { area in
        let ts = byArea[area]!
        func n(_ s: PlanTaskStatus) -> TemplateValue { .t(ts.filter { $0.status == s }.count) }
        return .object(["title": .t("（\(chineseNumeral(area))）\(ts[0].task.areaTitle)"), "tasks": .t(ts.count),
                        "done": n(.done), "overdue": n(.overdue), "open": n(.open), "paused": n(.paused),
                        "notReported": n(.notReported), "unassigned": n(.unassigned)])
    }
    let totals: TemplateValue = {
        let ts = r.results.tasks
        func n(_ s: PlanTaskStatus) -> TemplateValue { .t(ts.filter { $0.status == s }.count) }
        return .object(["tasks": .t(ts.count), "done": n(.done), "overdue": n(.overdue), "open": n(.open), "paused": n(.paused),
                        "notReported": n(.notReported), "unassigned": n(.unassigned)])
    }()
    // The indicator table: a row per target, the city and each county side by side.
    let columns: [TemplateValue] = r.units.map { unit in
        .object(["name": .t(unit.unit.name),
                 "link": .opt(unit.unit.code == r.inputs.city?.code ? nil : "../counties/\(unit.unit.code).\(ctx.ext)")])
    }
    let matrix: [TemplateValue] = r.plan.targets.map { t in
        let cells: [TemplateValue] = r.units.map { unit in
            guard let (_, j) = unit.targets.first(where: { $0.target.id == t.id }) else {
                // Not judged for this tier (Q12: the city only).
                return .object(["value": .t("—"), "against": .t(""), "status": .t("不考核"), "statusClass": .t("status-none"), "note": .t("")])
            }
            return targetRow(t, j, unit: unit, ctx)
        }
        return .object(["id": .t(t.id), "label": .t(r.plan.targetLabels[t.id] ?? t.id), "clause": .t(t.clause),
                        "rule": .t(ruleText(t.form, ctx)), "cells": .list(cells)])
    }
    let errors = r.diagnostics.filter { $0.severity == .error }.count
    let files: [TemplateValue] = r.inputs.files.map { f in
        .object(["path": .t(f.path), "rows": .t(f.rows), "encoding": .t(f.encoding?.rawValue ?? "（不是文本）"), "sha256": .t(f.sha256)])
    }
    return .object([
        "page": ctx.frame(page: "city", ["unit": u.unit.name], root: "../../"),
        "name": .t(u.unit.name),
        "year": .t(r.year),
        "stages": .list(stages),
        "today": .opt(today),
        "areas": .list(areas),
        "totals": totals,
        "matrix": .list(matrix),
        "columns": .list(columns),
        "departments": .list(rankedScorecards(.department, ctx)),
        "counties": .list(rankedScorecards(.county, ctx)),
        "errors": .t(errors),
        "warnings": .t(r.diagnostics.count - errors),
        "files": .list(files),
        "bulletin": .t("../plan/bulletin.\(ctx.ext)"),
        "responsibility": .t("../plan/responsibility.\(ctx.ext)"),
        "dataQuality": .t("../data-quality.\(ctx.ext)"),
        "figures": .list(figureRows(u, ctx)),
    ])
}

/// `index.html`: years, the plan's documents, input files, units and departments.
func planIndexView(_ ctx: PlanViewContext, years: [Int]) -> TemplateValue {
    let r = ctx.r
    let ext = ctx.ext
    let byFile = Dictionary(grouping: r.diagnostics, by: \.location.file)
    let files: [TemplateValue] = r.inputs.files.map { f in
        let ds = byFile[f.path] ?? []
        let errors = ds.filter { $0.severity == .error }.count
        return .object([
            "path": .t(f.path),
            "role": .t(f.role == .units ? "单位表" : f.role == .data ? "部门数据" : "计划表"),
            "encoding": .t(f.encoding?.rawValue ?? "（不是文本）"),
            "separator": .t(f.separator?.label ?? "—"),
            "rows": .t(f.rows),
            "errors": .t(errors),
            "warnings": .t(ds.count - errors),
            "hasProblems": .bool(!ds.isEmpty),
            "problemsLink": .t("\(r.year)/data-quality.\(ext)#file-\(anchorID(f.path))"),
        ])
    }
    let y = r.year
    return .object([
        "page": ctx.frame(page: "index", root: ""),
        "year": .t(y),
        "asOf": .t(r.asOf.chinese),
        "years": .list(years.reversed().map { yr in
            .object(["year": .t(yr), "current": .bool(yr == y),
                     "city": .opt(r.inputs.city.map { "\(yr)/cities/\($0.code).\(ext)" }),
                     "bulletin": .t("\(yr)/plan/bulletin.\(ext)"), "responsibility": .t("\(yr)/plan/responsibility.\(ext)"),
                     "dataQuality": .t("\(yr)/data-quality.\(ext)"), "results": .t("\(yr)/results.json"), "csv": .t("\(yr)/results.csv")])
        }),
        "files": .list(files),
        "city": .opt(r.inputs.city?.name),
        "cityLink": .opt(r.inputs.city.map { "\(y)/cities/\($0.code).\(ext)" }),
        "counties": .list(r.inputs.counties.counties.map { c in
            .object(["name": .t(c.name), "code": .t(c.code), "link": .t("\(y)/counties/\(c.code).\(ext)")])
        }),
        "departments": .list(r.inputs.departments.departments.enumerated().map { i, d in
            .object(["name": .t(d.name), "link": .t("\(y)/departments/\(departmentPageID(i)).\(ext)")])
        }),
        "counts": .object([
            "tasks": .t(r.plan.tasks.count),
            "departments": .t(r.inputs.departments.departments.count),
            "counties": .t(r.inputs.counties.counties.count),
            "errors": .t(r.diagnostics.filter { $0.severity == .error }.count),
            "warnings": .t(r.diagnostics.filter { $0.severity == .warning }.count),
            "reports": .t(r.inputs.reports.count),
            "cells": .t(r.inputs.data.cellCount),
        ]),
    ])
}

/// `YEAR/data-quality.html`: the common page's values (Views.swift), in this scheme's frame.
func planDataQualityView(_ ctx: PlanViewContext) -> TemplateValue {
    let r = ctx.r
    return dataQualityValue(r.diagnostics, files: r.inputs.files.map(\.path), units: r.inputs.units, year: r.year,
                            page: ctx.frame("\(r.year) 年度数据质量", "输入数据中的错误与警告", root: "../"))
}

// MARK: - results.json and results.csv

/// A measure as a JSON number (null when there is none).
func measureJSON(_ m: Measure?) -> JSON { JSON.number(m?.number) }

/// A measure's state as results.json writes an indicator's status.
func measureStatus(_ m: Measure) -> String {
    switch m {
    case .value: return "value"
    case .noData: return "no-data"
    case .notApplicable: return "not-applicable"
    case .error: return "error"
    }
}

/// `YEAR/results.json` of a plan build (quzhou-city.md §5).
func planResultsJSON(_ r: PlanReport) -> [UInt8] {
    let rates = Set(r.plan.rates.map(\.id))
    let byCode = Dictionary(r.units.map { ($0.unit.code, $0) }, uniquingKeysWith: { a, _ in a })
    let units: [JSON] = r.inputs.units.units.map { u in
        var members: [(String, JSON)] = [("code", .string(u.code)), ("name", .string(u.name)), ("level", .string(u.level.rawValue)),
                                         ("parent", u.parent.map { .string($0) } ?? .null)]
        let res = byCode[u.code]
        let ids = r.plan.indicators.map(\.id) + r.plan.rates.map(\.id)
        members.append(("indicators", .object(ids.compactMap { id in
            guard let f = res?.figures[id] else { return nil }
            var o: [(String, JSON)] = [("value", measureJSON(f.measure))]
            if rates.contains(id) { o += [("numerator", measureJSON(f.numerator)), ("denominator", measureJSON(f.denominator))] }
            o += [("status", .string(measureStatus(f.measure))), ("approximate", .bool(f.approximate))]
            return (id, .object(o))
        })))
        members.append(("targets", .object((res?.targets ?? []).map { t, j in
            var o: [(String, JSON)] = [("status", .string(j.status.rawValue)), ("value", measureJSON(j.value))]
            if let main = mainCompare(t.form) {
                switch main.operand {
                case .constant(let c): o.append(("threshold", JSON.number(c)))
                case .reference: o.append(("reference", measureJSON(j.against)))
                case .previousYear: o.append(("previous", measureJSON(j.against)))
                }
            }
            if case .either(let a, _) = t.form, case .compare(let first, _, _) = a, let part = j.parts.first {
                // The first part's figure under its id in camel case (`demo_zones` → `demoZones`).
                let parts = first.split(separator: "_").map(String.init)
                let key = (parts.first ?? "") + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
                o.append((key, measureJSON(part.value)))
            }
            if !j.missing.isEmpty {
                o.append(("missing", .array(j.missing.map { m in
                    .object([("what", .string(m.what)), ("year", .int(m.year)), ("kind", .string(m.isReference ? "reference" : "previous"))])
                })))
            }
            return (t.id, .object(o))
        })))
        return .object(members)
    }
    func day(_ d: Day?) -> JSON { d.map { .string($0.description) } ?? .null }
    func bool(_ b: Bool?) -> JSON { b.map { .bool($0) } ?? .null }
    let tasks: [JSON] = r.results.tasks.map { tp in
        let a = tp.assignment
        return .object([
            ("id", .string(tp.task.id.description)),
            ("area", .int(tp.task.id.area)),
            ("title", .string(tp.task.title)),
            ("deadline", day(a?.deadline.day)),
            ("ongoing", .bool(a?.deadline == .ongoing)),
            ("lead", .array((a?.leads ?? []).map { .string($0.name) })),
            ("partners", .array((a?.partners ?? []).map { .string($0.name) })),
            ("counties", .array((a?.counties ?? []).map { .string($0.code ?? $0.name) })),
            ("status", .string(tp.status.rawValue)),
            ("onTime", bool(tp.onTime)),
            ("parties", .array(tp.parties.map { p in
                .object([
                    ("name", .string(p.party.name)),
                    ("kind", .string(p.party.kind.rawValue)),
                    ("code", p.party.code.map { .string($0) } ?? .null),
                    ("role", .string(p.role.rawValue)),
                    ("status", .string(p.status.rawValue)),
                    ("progress", p.progress.map { .string($0) } ?? .null),
                    ("completed", day(p.completed)),
                    ("onTime", bool(p.onTime)),
                    ("overdue", .bool(p.overdue)),
                    ("stale", .bool(p.stale)),
                    ("reported", day(p.reported)),
                ])
            })),
        ])
    }
    let parties: [JSON] = r.results.scorecards.map { c in
        .object([
            ("name", .string(c.party.name)), ("kind", .string(c.party.kind.rawValue)),
            ("code", c.party.code.map { .string($0) } ?? .null),
            ("assigned", .int(c.assigned)), ("due", .int(c.due)), ("doneOnTime", .int(c.doneOnTime)), ("doneLate", .int(c.doneLate)),
            ("overdue", .int(c.overdue)), ("paused", .int(c.paused)), ("open", .int(c.open)), ("notReported", .int(c.notReported)),
            ("stale", .int(c.stale)), ("onTimeRate", JSON.number(c.onTimeRate)), ("rank", c.rank.map { .int($0) } ?? .null),
        ])
    }
    let stages: [JSON] = r.results.stages.map { s in
        .object([("name", .string(s.stage.name)), ("clause", .string(s.stage.clause)),
                 ("from", .string(s.stage.from.description)), ("to", .string(s.stage.to.description)),
                 ("state", .string(s.state.rawValue)), ("daysLeft", s.daysLeft.map { .int($0) } ?? .null)])
    }
    let doc: JSON = .object([
        ("scheme", .string(r.scheme.id)),
        ("year", .int(r.year)),
        ("asOf", .string(r.asOf.description)),
        ("units", .array(units)),
        ("tasks", .array(tasks)),
        ("parties", .array(parties)),
        ("stages", .array(stages)),
        ("problems", .array(r.diagnostics.map(problemJSON))),
    ])
    var out: [UInt8] = []
    doc.write(into: &out, indent: 0)
    out.append(0x0A)
    return out
}

/// `YEAR/results.csv`: one row per unit (the city and its counties), UTF-8 with BOM for Excel.
func planResultsCSV(_ r: PlanReport) -> [UInt8] {
    let ids = r.plan.indicators.map(\.id) + r.plan.rates.map(\.id)
    var header = ["代码", "名称", "层级", "上级代码"]
    header += ids
    header += r.plan.targets.map(\.id)
    func field(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
    var lines = [header.map(field).joined(separator: ",")]
    for u in r.units {
        var row = [u.unit.code, u.unit.name, u.unit.level.rawValue, u.unit.parent ?? ""]
        for id in ids {
            let m = u.figures[id]?.measure ?? .noData
            row.append(m.number.map { $0.plain() } ?? measureStatus(m))
        }
        for t in r.plan.targets {
            row.append(u.targets.first { $0.target.id == t.id }?.judgement.status.rawValue ?? "")
        }
        lines.append(row.map(field).joined(separator: ","))
    }
    return [0xEF, 0xBB, 0xBF] + Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
}
