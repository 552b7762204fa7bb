// MARK: - Eligibility (四、申报条件), lifecycle (五、创建步骤) and the city goal (三、创建目标)

/// One condition's outcome, with the years it looked at.
public struct ConditionResult: Sendable {
    public var condition: EligibilityCondition
    /// holds / fails / missing (no data or error).
    public var state: String
    public var notes: [String]
}

/// Eligibility of one town for the report year.
public struct EligibilityResult: Sendable {
    public var status: EligibilityStatus
    public var failed: [String]
    public var missing: [String]
    public var conditions: [ConditionResult]
}

/// Judges the data conditions: ineligible when one fails (named even if another lacks data),
/// else undetermined when one lacks data or is in error, else eligible. A condition marked
/// each-year must hold in each of the report year and the years before it.
func judgeEligibility(_ e: Eligibility, unit: String, year: Int, context: RuleContext) -> EligibilityResult {
    var results: [ConditionResult] = []
    for c in e.conditions {
        let years = c.eachYear ? Array((year - e.years + 1)...year) : [year]
        var state = "holds"
        var notes: [String] = []
        for y in years {
            let o = context.evaluate(c.rule, unit: unit, year: y)
            notes.append(c.eachYear ? "\(y)年：\(o.note)" : o.note)
            switch o.state {
            case .fails: state = "fails"
            case .noData, .error: if state != "fails" { state = "missing" }
            case .holds, .notApplicable:
                // 四上企业 0: the three rates are not applicable and E4b holds (E4a fails anyway).
                break
            }
        }
        results.append(ConditionResult(condition: c, state: state, notes: notes))
    }
    let failed = results.filter { $0.state == "fails" }.map(\.condition.id)
    let missing = results.filter { $0.state == "missing" }.map(\.condition.id)
    let status: EligibilityStatus = !failed.isEmpty ? .ineligible : (!missing.isEmpty ? .undetermined : .eligible)
    return EligibilityResult(status: status, failed: failed, missing: missing, conditions: results)
}

/// A town's stage and the flags around it.
public struct StageResult: Sendable {
    public var stage: StageID
    public var overdue: Bool = false
    public var expiring: Bool = false
    public var expires: Day?
    public var revocationReview: Bool = false
    /// No incident known above 0, but one of the incident figures is in error: whether the name
    /// is to be reviewed cannot be told (数据错误, never "no").
    public var revocationReviewUnknown: Bool = false
    /// What a problem in the application row did to the walk, for the town's page (an unknown
    /// conclusion stopped it, a conclusion without its date was not used…).
    public var notes: [String] = []
    /// Creation deadline (备案日期 + 2 years) while filed.
    public var deadline: Day?
    /// 创建类别 of the counted application.
    public var category: String?
    /// The application row used (for the filing form).
    public var application: SheetRow?
    /// Dates of the steps that happened, in order (for pages).
    public var steps: [(label: String, date: Day)] = []
}

/// Walks a town's application through its steps (suzhou-town.md §5).
///
/// `categories`: the 创建类别 spellings the scheme's goal counts (nil: any); `leftOut`: the
/// words saying a town with another 创建类别 is left out of it (the assessed tier's short name
/// and the goal's name, <tier short>, <goal name>: 该乡镇未计入全市创建目标).
func stageOf(unit: String, rows: [SheetRow], asOf: Day, year: Int, lifecycle: Lifecycle, dataset: Dataset,
             categories: [String]? = nil, leftOut: (unit: String, goal: String) = ("", ""), diagnostics: inout DiagnosticBag) -> StageResult {
    guard !rows.isEmpty else { return StageResult(stage: lifecycle.initial) }
    func day(_ r: SheetRow, _ c: String) -> (Day, SourceLocation)? {
        guard let cell = r.cells[c], case .value(.day(let d)) = cell.read else { return nil }
        return (d, cell.location)
    }
    // Several rows: the one whose first step (申报日期) is latest counts (on a tie, the later row).
    // The schema requires at least one step.
    let first = lifecycle.steps[0].column
    var row = rows[0]
    for r in rows.dropFirst() {
        let a = day(row, first)?.0, b = day(r, first)?.0
        if let b, a == nil || b >= a! { row = r }
    }
    var result = StageResult(stage: lifecycle.initial, category: lifecycle.categoryColumn.flatMap { text(row, $0) }, application: row)
    // A 创建类别 the goal does not count is reported, and the page says the town is left out of it.
    if let column = lifecycle.categoryColumn, let c = result.category, let categories, !categories.contains(normalizeName(c)) {
        diagnostics.error("unknown-category", "“\(column)”的值\(quoted(c))不是本方案的\(column)（应为 \(categories.joined(separator: "、"))），该\(leftOut.unit)未计入\(leftOut.goal)",
                          at: row.cells[column]!.location, unit: unit)
        result.notes.append("\(column)“\(c)”无法识别，未计入\(leftOut.goal)（见数据问题）")
    }
    enum Conclusion { case positive, negative, unknown }
    /// A spelling the scheme does not know is an error, and the step does not count: an
    /// unreadable 审查结论 must not carry a town to 已备案.
    func conclusion(_ step: LifecycleStep) -> Conclusion {
        guard let column = step.conclusion, let t = text(row, column) else { return .positive }
        let n = normalizeName(t)
        if step.negative.contains(n) { return .negative }
        if step.positive.contains(n) { return .positive }
        diagnostics.error("type-error", "“\(column)”的值\(quoted(t))无法识别，应为 \(step.positive.first ?? "") 或 \(step.negative.first ?? "")；该步骤及其后各步骤不计入，阶段停在上一步",
                          at: row.cells[column]!.location, unit: unit)
        result.notes.append("“\(column)”的值\(quoted(t))无法识别，“\(step.label)”及其后各步骤未计入（见数据问题）")
        return .unknown
    }
    // A conclusion beside a blank date cannot be placed in time: reported, not used.
    for step in lifecycle.steps {
        guard let column = step.conclusion, let t = text(row, column), day(row, step.column) == nil else { continue }
        diagnostics.error("conclusion-without-date", "有“\(column)”\(quoted(t))，但“\(step.column)”空缺，结论无法确定发生时间，未使用；请补填\(step.column)",
                          at: row.cells[column]!.location, unit: unit)
        result.notes.append("“\(column)”\(quoted(t))缺少\(step.column)，未使用（见数据问题）")
    }
    var last: Day?
    var previousPresent = true
    var ended = false
    var filedOn: Day?, namedOn: Day?
    for step in lifecycle.steps {
        guard let (d, loc) = day(row, step.column) else {
            if !step.optional { previousPresent = false }
            continue
        }
        if ended {
            diagnostics.warning("ignored-date", "“\(step.column)” \(d) 在否定或无法识别的结论之后，未使用", at: loc, unit: unit)
            continue
        }
        if d > asOf { break }  // not happened yet (nor anything after it)
        if let l = last, d < l {
            diagnostics.error("date-order", "“\(step.column)” \(d) 早于前一步骤的日期 \(l)，未使用", at: loc, unit: unit)
            continue
        }
        let outcome = conclusion(step)
        if outcome == .unknown {
            ended = true
            continue
        }
        if !previousPresent {
            diagnostics.warning("missing-step", "有“\(step.column)” \(d)，但前一步骤的日期空缺；照常使用", at: loc, unit: unit)
        }
        previousPresent = true
        last = d
        result.steps.append((step.label, d))
        if outcome == .negative {
            result.stage = step.failed!
            ended = true
            continue
        }
        if let s = step.stage { result.stage = s }
        // Creation runs from filing; the name's period from naming (五、创建步骤（四）（五）).
        if step.stage == lifecycle.creationStage { filedOn = d }
        if step.stage == lifecycle.nameStage { namedOn = d }
    }
    if result.stage == lifecycle.creationStage, let f = filedOn {
        result.deadline = f.addingYears(lifecycle.creationYears)
        result.overdue = asOf > result.deadline!
    }
    if let n = namedOn, result.stage == lifecycle.nameStage || result.stage == lifecycle.lapsedStage {
        let expires = n.addingYears(lifecycle.nameYears)
        result.expires = expires
        if asOf > expires {
            result.stage = lifecycle.lapsedStage
        } else if expires.addingDays(-lifecycle.expiringDays) <= asOf {
            result.expiring = true
        }
    }
    if result.stage == lifecycle.nameStage {
        let figures = lifecycle.revocationIndicators.map { dataset.figure(unit, year, $0) }
        result.revocationReview = figures.contains { $0.state == .value && $0.number! > Rational(0) }
        // 六（四）: an incident count that was rejected may hide an incident.
        result.revocationReviewUnknown = !result.revocationReview && figures.contains { $0.state == .error }
    }
    return result
}

/// A text cell's value.
func text(_ r: SheetRow, _ column: String) -> String? {
    if case .value(.text(let t))? = r.cells[column]?.read { return t }
    return nil
}

/// Progress to a city's goal, per group.
public struct GoalProgress: Sendable {
    public var group: Goal.Group
    public var named: Int
    public var creating: Int
    public var gap: Int
}

/// Counts named (the lifecycle's name stage) and in-creation (its creating stages) towns of a
/// city per goal group (三、创建目标).
func goalProgress(_ goal: Goal, lifecycle: Lifecycle, towns: [String], stages: [String: StageResult]) -> [GoalProgress] {
    goal.groups.map { g in
        var named = 0, creating = 0
        for t in towns {
            guard let s = stages[t], let cat = s.category.map(normalizeName), g.categories.contains(cat) else { continue }
            if s.stage == lifecycle.nameStage { named += 1 }
            if lifecycle.creatingStages.contains(s.stage) { creating += 1 }
        }
        return GoalProgress(group: g, named: named, creating: creating, gap: max(0, g.target - named))
    }
}
