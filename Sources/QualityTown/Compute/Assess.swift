import CQTownSystem

// MARK: - The compute stage: pool → judge → score → stage, for every unit of the tree

/// Everything computed for one unit in the report year.
public struct UnitResult: Sendable {
    public var unit: Unit
    public var figures: FigureTable
    /// Last year's figures (for the targets table).
    public var previous: FigureTable
    public var targets: [TargetResult]
    public var previousTargets: [TargetResult]
    /// Towns only.
    public var score: TownScore?
    public var eligibility: EligibilityResult?
    public var stage: StageResult?
    /// Cities only.
    public var goal: [GoalProgress]?
    /// Towns: whether the report year has anything of the town's own (a data cell, not only its
    /// county's row, or an assessment row). A town without is not ranked: a ranking of empty
    /// score tables would put every such town first on 0 points.
    public var hasData = false
    /// Towns with data: the rank by total within the city (ties share the best rank).
    public var rank: Int?
}

/// Sheet rows handed to another thread, which lets them go when done.
private final class RowsBox: @unchecked Sendable {
    var rows: [[SheetRow]]
    init(_ rows: [[SheetRow]]) { self.rows = rows }
}

/// The compute stage, from what was read to what the pages show (all pure functions over values):
/// 1. dataset: periods, conflicts, derived rates, county-level values reaching towns;
/// 2. pooling up the tree, every year;
/// 3. targets for every unit; rubric, eligibility and stage for towns; goal for cities.
///
/// It consumes what was read: the data cells and the assessment sheet's rows are let go as soon
/// as the dataset is built (the figures carry their sources, and nothing after reads the cells
/// again); the report keeps the rest (scheme, units, files, remarks, other sheets).
public func assess(_ read: consuming ReadResult, workers: Int = 1) -> Report {
    var bag = DiagnosticBag()
    let scheme = read.scheme, tree = read.inputs.units, year = read.year, asOf = read.asOf
    // The assessment sheet is read on a thread of its own while the cells are sorted (they share
    // nothing); its problems still come after the dataset's, as they always have.
    var assessing: Concurrent<(AssessmentBook, DiagnosticBag)>?
    do {
        // The rows are held by a box the reading thread empties as soon as it is done with
        // them, then their memory goes back to the system (they are a third of the heap then).
        let sheetID = scheme.rubric?.assessment.sheet ?? ""
        let sheet = RowsBox(read.inputs.sheetParts[sheetID] ?? [])
        read.inputs.sheetParts[sheetID] = nil
        assessing = Concurrent(enabled: workers > 1) {
            var bag = DiagnosticBag()
            let expected = sheet.rows.reduce(0) { $0 + $1.count }
            let entries = scheme.rubric.map { readAssessments(sheet.rows.joined(), rubric: $0, year: year, expected: expected,
                                                             units: scheme.assessedTier.map { (tree, $0, scheme.assessedName) }, diagnostics: &bag) }
                ?? AssessmentBook()
            sheet.rows = []
            qtown_release_free_memory()
            return (entries, bag)
        }
    }
    // The tables are filled once the sheet's rows are read and let go: both at once would be
    // the build's peak of memory.
    var dataset = buildDataset(read.inputs, scheme: scheme, diagnostics: &bag, workers: workers,
                               beforeTables: { _ = assessing!.value() })
    read.inputs.observations = []
    // The cells were most of the heap: what malloc keeps of them goes back to the system.
    qtown_release_free_memory()
    // Towns below each unit (for pooling, pooled T10 and goals).
    let towns = townsBelow(tree)
    bag.append(contentsOf: pool(&dataset, tree: tree, scheme: scheme, workers: workers, townsBelow: towns))
    let ds = dataset
    let context = RuleContext(dataset: ds, tree: tree, scheme: scheme, year: year)
    // Towns are scored first, on `workers` threads: the sheet's entries are then let go before
    // the rest is judged (entries and results at once would be the build's peak of memory).
    let scores: [(score: TownScore?, hasData: Bool, diagnostics: [Diagnostic])]
    do {
        let (assessments, assessmentProblems) = assessing!.value()
        assessing = nil
        bag.append(contentsOf: assessmentProblems.items)
        scores = parallelMap(tree.units, workers: workers) { u -> (score: TownScore?, hasData: Bool, diagnostics: [Diagnostic]) in
            guard u.level.tier == scheme.assessedTier else { return (nil, false, []) }
            let own = assessments.ranges[u.code] != nil
                || (ds.figures[UnitYear(unit: u.code, year: year)]?.figures.contains { $0.figure.inheritedFrom == nil } ?? false)
            guard let rubric = scheme.rubric else { return (nil, own, []) }
            var bag = DiagnosticBag()
            let score = scoreTown(u.code, rubric: rubric, context: context, assessments: assessments.town(u.code), diagnostics: &bag)
            return (score, own, bag.items)
        }
    }
    qtown_release_free_memory()
    // The 创建类别 spellings the goal counts (三、创建目标); others are reported.
    let categories = scheme.goal.map { $0.groups.flatMap(\.categories) }
    let applications = Dictionary(grouping: (scheme.lifecycle.flatMap { read.inputs.sheetParts[$0.sheet] } ?? []).joined(), by: \.unit)
    var stages: [String: StageResult] = [:]
    var results: [UnitResult] = []
    // Each unit is judged on its own (on `workers` threads); results and problems are joined in
    // the units' order, so the outcome is the same whatever `workers` is.
    struct Outcome: Sendable {
        var result: UnitResult
        var diagnostics: [Diagnostic]
    }
    var outcomes = parallelMap(Array(tree.units.indices), workers: workers) { i -> Outcome in
        let u = tree.units[i]
        var bag = DiagnosticBag()
        let isTown = u.level.tier == .town
        var r = UnitResult(unit: u,
                           figures: ds.figures[UnitYear(unit: u.code, year: year)] ?? FigureTable(),
                           previous: ds.figures[UnitYear(unit: u.code, year: year - 1)] ?? FigureTable(),
                           targets: judgeTargets(scheme, unit: u.code, year: year, dataset: ds, towns: isTown ? nil : towns[u.code] ?? []),
                           previousTargets: judgeTargets(scheme, unit: u.code, year: year - 1, dataset: ds, towns: isTown ? nil : towns[u.code] ?? []))
        // The rubric, eligibility and lifecycle judge the units of the assessed tier (towns).
        if u.level.tier == scheme.assessedTier {
            r.score = scores[i].score
            r.hasData = scores[i].hasData
            bag.append(contentsOf: scores[i].diagnostics)
            if let e = scheme.eligibility { r.eligibility = judgeEligibility(e, unit: u.code, year: year, context: context) }
            if let l = scheme.lifecycle {
                r.stage = stageOf(unit: u.code, rows: applications[u.code] ?? [], asOf: asOf, year: year, lifecycle: l, dataset: ds,
                                  categories: categories, leftOut: (scheme.assessedShortName, scheme.goal?.name ?? ""), diagnostics: &bag)
            }
        } else if let rows = applications[u.code], !rows.isEmpty {
            // A row of the lifecycle's sheet is named by its first step (申报: 申报行); the schema
            // requires a step, and rows exist only when the scheme has a lifecycle.
            let rowWord = (scheme.lifecycle?.steps.first?.label ?? "") + "行"
            for row in rows {
                bag.warning("not-a-town", "\(rowWord)的单位“\(u.name)”不是\(scheme.assessedName)，未使用", at: row.location, unit: u.code)
            }
        }
        return Outcome(result: r, diagnostics: bag.items)
    }
    results.reserveCapacity(outcomes.count)
    for o in outcomes {
        results.append(o.result)
        bag.append(contentsOf: o.diagnostics)
    }
    outcomes = []
    for i in results.indices { if let s = results[i].stage { stages[results[i].unit.code] = s } }
    if let goal = scheme.goal, let lifecycle = scheme.lifecycle {
        for i in results.indices where results[i].unit.level.tier == .city {
            results[i].goal = goalProgress(goal, lifecycle: lifecycle, towns: towns[results[i].unit.code] ?? [], stages: stages)
        }
    }
    rankByTotal(&results, tree: tree, within: scheme.rubric?.rankWithin ?? .city)
    // The dataset goes with this function: the results keep the two years the pages show, and
    // the other years' tables are freed before rendering.
    var a = Assessment(scheme: scheme, year: year, asOf: read.asOf, tree: tree, units: results, diagnostics: bag.items)
    for i in results.indices { a.index[results[i].unit.code] = i }
    let diagnostics = (read.diagnostics + a.diagnostics).sorted { $0.location < $1.location }
    return Report(read: consume read, assessment: a, diagnostics: diagnostics)
}

/// Each town's rank by total within its area of tier `within` (the rubric's `rank-within`,
/// default city: 全市名次; ties share the best rank, 1, 2, 2, 4; towns outside every such area
/// are ranked among themselves). Towns without data of their own are not ranked.
func rankByTotal(_ results: inout [UnitResult], tree: UnitTree, within: UnitTier = .city) {
    var groups: [String: [(index: Int, total: Rational)]] = [:]
    for i in results.indices where results[i].hasData {
        guard let total = results[i].score?.total else { continue }
        groups[tree.ancestor(of: results[i].unit.code, at: within)?.code ?? "", default: []].append((i, total))
    }
    for (_, members) in groups {
        let sorted = members.sorted { $0.total != $1.total ? $0.total > $1.total : results[$0.index].unit.code < results[$1.index].unit.code }
        var rank = 1
        for (k, m) in sorted.enumerated() {
            if k > 0 && m.total != sorted[k - 1].total { rank = k + 1 }
            results[m.index].rank = rank
        }
    }
}
