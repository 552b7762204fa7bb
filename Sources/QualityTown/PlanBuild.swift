import Foundation

// MARK: - The build of a scheme that holds a plan (quzhou-city.md): read → evaluate → judge → render → publish
//
// A scheme with a `plan` runs this composition instead of the indicator/rubric one of
// Pipeline.swift (`runBuild` dispatches on the capability, never on a scheme's name). The parts
// are the plan's: departments.csv, tasks.csv, progress.csv, reference.csv and data/*.csv read
// with the plan readers; statuses, scorecards and stages at the as-of date (`evaluatePlan`);
// the indicators pooled from the counties to the city and the rule targets judged for the report
// year; pages rendered from the scheme's templates and published through `StagedOutput`.

/// Everything a plan build has read and checked.
public struct PlanInputs: Sendable {
    public var folder: String
    public var units: UnitTree
    /// The city the plan is for (the one city of units.csv).
    public var city: Unit?
    public var counties: CountyDirectory
    public var departments: DepartmentDirectory
    public var sheet: TaskSheet
    /// Usable reports dated no later than the as-of date.
    public var reports: [ProgressReport]
    public var reference: ReferenceTable
    public var data: PlanData
    public var files: [InputFile]
    public var diagnostics: [Diagnostic]
}

/// A figure of a unit for a year: the measure, whether it is approximate (pooled with units
/// left out, or a mean standing in), and for a rate the parts it is the ratio of.
public struct PlanFigure: Sendable, Hashable {
    public var measure: Measure
    public var approximate: Bool
    public var numerator: Measure?
    public var denominator: Measure?
}

/// One unit (the city or a county) with its figures and its judged targets for the report year.
public struct PlanUnitResult: Sendable {
    public var unit: Unit
    /// Figures of the report year by indicator or rate id.
    public var figures: [String: PlanFigure]
    /// Figures of the year before (the "last year" column).
    public var previous: [String: PlanFigure]
    /// Targets in the scheme's order (Q12 only where its tier allows).
    public var targets: [(target: RuleTarget, judgement: RuleJudgement)]
}

/// A plan build's results: what the pages, results.json and results.csv show.
public struct PlanReport: Sendable {
    public var scheme: Scheme
    public var plan: PlanDefinition
    public var inputs: PlanInputs
    public var year: Int
    public var asOf: Day
    public var results: PlanResults
    /// The city first, then its counties in units.csv order.
    public var units: [PlanUnitResult]
    /// Input problems, in file order.
    public var diagnostics: [Diagnostic]
}

/// Loads the scheme `options` names when it holds a plan (nil for any other scheme), so that
/// `runBuild` and `check` can hand it to the plan composition.
public func planScheme(_ options: BuildOptions) throws(PipelineError) -> Scheme? {
    do {
        let scheme = try loadScheme(locateScheme(options.scheme))
        return scheme.plan == nil ? nil : scheme
    } catch {
        throw PipelineError(stage: .scheme, message: error.description)
    }
}

/// Reads the inputs folder of a plan: units.csv (required), departments.csv, tasks.csv,
/// progress.csv, reference.csv and data/*.csv. A missing sheet is an error (the run goes on
/// with what there is); no folder or no units.csv stops the run.
public func readPlanInputs(folder: String, scheme: Scheme, plan: PlanDefinition, asOf: Day) throws(PipelineError) -> PlanInputs {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    guard fm.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
        throw PipelineError(stage: .read, message: "输入文件夹 \(folder) 不存在")
    }
    guard let unitBytes = fm.contents(atPath: folder + "/units.csv") else {
        throw PipelineError(stage: .read, message: "输入文件夹 \(folder) 中没有 units.csv（单位表：代码, 名称, 层级, 上级代码）")
    }
    var reader = InputReader(folder: folder, scheme: scheme)
    reader.readUnits([UInt8](unitBytes))
    let tree = reader.tree
    // The plan is for one city (quzhou-city.md, Units): the first city of units.csv.
    let city = tree.units.first { $0.level.tier == .city }
    let cities = tree.units.filter { $0.level.tier == .city }
    if let city, cities.count > 1 {
        reader.bag.warning("more-than-one-city", "units.csv 中有 \(cities.count) 个市（\(cities.map(\.name).joined(separator: "、"))）；计划只用于第一个：\(city.name)（\(city.code)）",
                           at: city.location)
    }
    if city == nil {
        reader.bag.error("no-city", "units.csv 中没有层级为“市”的单位：计划的责任县区和指标汇总需要一个市", at: SourceLocation(file: "units.csv"))
    }
    let counties = CountyDirectory(tree: tree, city: city?.code)
    // Without departments.csv or tasks.csv every task is unassigned (an error); without
    // progress.csv no party has reported, without reference.csv the targets that need a
    // reference value have no data (warnings: both are the state of a plan's first days).
    func sheet(_ name: String, columns: String, required: Bool = true) -> CSVTable? {
        guard let bytes = fm.contents(atPath: folder + "/" + name) else {
            let message = "输入文件夹中没有 \(name)（列：\(columns)）"
            if required {
                reader.bag.error("missing-file", message, at: SourceLocation(file: name))
            } else {
                reader.bag.warning("missing-file", message + "，按没有任何行处理", at: SourceLocation(file: name))
            }
            return nil
        }
        return reader.open([UInt8](bytes), path: name, role: .sheet(name))
    }
    var bag = DiagnosticBag()
    var departments = DepartmentDirectory()
    if let t = sheet("departments.csv", columns: "名称, 简称") {
        departments = readDepartments(t, file: "departments.csv", diagnostics: &bag)
    }
    var tasks = TaskSheet()
    if let t = sheet("tasks.csv", columns: "任务编号, 牵头单位, 配合单位, 责任县区, 完成时限") {
        tasks = readTasks(t, file: "tasks.csv", tasks: plan.tasks, stages: plan.stages, vocabulary: plan.vocabulary,
                          departments: departments, counties: counties, diagnostics: &bag)
    } else {
        tasks.unassigned = plan.tasks.map(\.id)
    }
    var reports: [ProgressReport] = []
    if let t = sheet("progress.csv", columns: "任务编号, 报送单位, 进展状态, 完成日期, 进展说明, 报送日期", required: false) {
        reports = readProgress(t, file: "progress.csv", assignments: tasks.assignments, tasks: plan.tasks,
                               vocabulary: plan.vocabulary, departments: departments, counties: counties, asOf: asOf,
                               diagnostics: &bag)
    }
    var reference = ReferenceTable()
    if let t = sheet("reference.csv", columns: "指标, 年度, 值, 来源", required: false) {
        reference = readReference(t, file: "reference.csv", labels: plan.references, diagnostics: &bag)
    }
    var data = PlanData()
    let dataDir = folder + "/data"
    let names = ((try? fm.contentsOfDirectory(atPath: dataDir)) ?? []).filter { !$0.hasPrefix(".") && !$0.hasPrefix("~$") }.sorted()
    for name in names {
        let path = "data/" + name
        var sub: ObjCBool = false
        guard fm.fileExists(atPath: dataDir + "/" + name, isDirectory: &sub), !sub.boolValue else { continue }
        if !name.lowercased().hasSuffix(".csv") && !name.lowercased().hasSuffix(".txt") {
            bag.warning("not-csv-name", "data/ 中的文件 \(name) 不是 .csv，未读取；请“另存为”CSV 后放入", at: SourceLocation(file: path))
            continue
        }
        guard let bytes = fm.contents(atPath: dataDir + "/" + name) else {
            bag.error("unreadable", "无法读取文件（权限？）", at: SourceLocation(file: path))
            continue
        }
        guard let t = reader.open([UInt8](bytes), path: path, role: .data) else { continue }
        readPlanDataFile(t, file: path, indicators: plan.indicators, tree: tree, city: city, counties: counties,
                         data: &data, diagnostics: &bag)
    }
    checkPlanRates(data, plan: plan, units: [city].compactMap { $0 } + counties.counties, diagnostics: &bag)
    let diagnostics = (reader.bag.items + bag.items).sorted { $0.location < $1.location }
    return PlanInputs(folder: folder, units: tree, city: city, counties: counties, departments: departments, sheet: tasks,
                      reports: reports, reference: reference, data: data, files: reader.files, diagnostics: diagnostics)
}

/// A rate whose numerator is above its denominator (or positive over a zero denominator) is an
/// error at the numerator's cells (io-contract.md): the rate is then an error for that unit and
/// year, and the page says why. A rate per 10,000 may exceed its denominator. A figure whose sum
/// over periods, or a rate whose quotient, leaves 64-bit integers is an error (`overflow`) at its
/// cells: never a trap, never unexplained (io-contract.md, Errors).
func checkPlanRates(_ data: PlanData, plan: PlanDefinition, units: [Unit], diagnostics: inout DiagnosticBag) {
    let kinds = Dictionary(plan.indicators.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    for unit in units {
        for year in data.years {
            for ind in plan.indicators {
                guard let cells = data.cells[PlanData.slot(unit.code, year, ind.id)], cells.allSatisfy({ $0.value != nil }),
                      data.measure(unit.code, ind.id, year: year, kind: ind.kind) == .error else { continue }
                diagnostics.append(overflowDiagnostic("\(unit.name) \(year) 年“\(ind.header)”各期", at: cells.map(\.location).sorted(), unit: unit.code))
            }
            for r in plan.rates {
                guard let ni = kinds[r.numerator], let di = kinds[r.denominator],
                      case .value(let n) = data.measure(unit.code, ni.id, year: year, kind: ni.kind),
                      case .value(let d) = data.measure(unit.code, di.id, year: year, kind: di.kind) else { continue }
                let bad = d == Rational(0) ? n != Rational(0) : (!r.mayExceed && n > d)
                if !bad, ratio(.value(n), .value(d), scale: r.scale, mayExceed: r.mayExceed) == .error {
                    let cells = (data.sources(unit.code, ni.id, year: year) + data.sources(unit.code, di.id, year: year)).sorted()
                    diagnostics.append(overflowDiagnostic("\(unit.name) \(year) 年“\(r.label)”", at: cells, unit: unit.code))
                    continue
                }
                guard bad, let at = data.sources(unit.code, ni.id, year: year).last else { continue }
                diagnostics.error("numerator-above-denominator",
                                  "\(unit.name) \(year) 年“\(ni.header)”\(n.plain()) 大于“\(di.header)”\(d.plain())，“\(r.label)”记为数据错误",
                                  at: at, unit: unit.code)
            }
        }
    }
}

/// The figures of one unit for one year: its own for a county; for the city, pooled from the
/// counties (sums, ratios of sums, the city's own percent or score else the counties' mean, the
/// city's own rank) — quzhou-city.md §4 Pooling.
func planFigures(_ inputs: PlanInputs, plan: PlanDefinition, unit: Unit, year: Int) -> [String: PlanFigure] {
    let isCity = unit.code == inputs.city?.code
    let counties = inputs.counties.counties
    var out: [String: PlanFigure] = [:]
    func own(_ code: String, _ ind: PlanIndicator) -> Measure { inputs.data.measure(code, ind.id, year: year, kind: ind.kind) }
    for ind in plan.indicators {
        guard isCity else {
            // A county's own row (a rank there was a warning and never kept).
            out[ind.id] = PlanFigure(measure: own(unit.code, ind), approximate: false)
            continue
        }
        let pooled: PooledMeasure
        switch ind.kind {
        case .count, .stock, .amount: pooled = poolSum(counties.map { own($0.code, ind) })
        case .percent, .score: pooled = poolMean(counties.map { own($0.code, ind) }, own: own(unit.code, ind))
        case .rank, .flag, .level: pooled = PooledMeasure(own(unit.code, ind))
        }
        out[ind.id] = PlanFigure(measure: pooled.measure, approximate: pooled.approximate)
    }
    let kinds = Dictionary(plan.indicators.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    for r in plan.rates {
        guard let ni = kinds[r.numerator], let di = kinds[r.denominator] else { continue }
        let num = out[r.numerator]!, den = out[r.denominator]!
        if isCity {
            // The rate's numerator and denominator are the sums over the counties the rate used
            // (§4 Pooling), so that they give the value shown beside them.
            let (pooled, n, d) = poolRatioWithParts(counties.map { (own($0.code, ni), own($0.code, di)) }, scale: r.scale,
                                                    mayExceed: r.mayExceed)
            out[r.id] = PlanFigure(measure: pooled.measure, approximate: pooled.approximate, numerator: n, denominator: d)
        } else {
            out[r.id] = PlanFigure(measure: ratio(num.measure, den.measure, scale: r.scale, mayExceed: r.mayExceed),
                                   approximate: false, numerator: num.measure, denominator: den.measure)
        }
    }
    return out
}

/// Evaluates a plan's inputs: statuses at the as-of date, figures of the report year and the
/// year before, and the rule targets judged for the city and each county.
public func computePlan(_ inputs: PlanInputs, scheme: Scheme, plan: PlanDefinition, year: Int, asOf: Day) -> PlanReport {
    let results = evaluatePlan(tasks: plan.tasks, stages: plan.stages, assignments: inputs.sheet.assignments,
                               reports: inputs.reports, departments: inputs.departments.departments.map(\.party),
                               counties: inputs.counties.parties, asOf: asOf)
    var units: [PlanUnitResult] = []
    for unit in [inputs.city].compactMap({ $0 }) + inputs.counties.counties {
        let tier: UnitTier = unit.code == inputs.city?.code ? .city : .county
        // The rules read this year's figures and last year's (strictly higher than the year before).
        let current = planFigures(inputs, plan: plan, unit: unit, year: year)
        let previous = planFigures(inputs, plan: plan, unit: unit, year: year - 1)
        func figure(_ id: String, _ y: Int) -> Measure {
            let figures = y == year ? current : y == year - 1 ? previous : planFigures(inputs, plan: plan, unit: unit, year: y)
            return figures[id]?.measure ?? .noData
        }
        let targets = plan.targets.filter { $0.onlyTier == nil || $0.onlyTier == tier }.map { t in
            (target: t, judgement: judgeRule(t.form, year: year, figure: figure, reference: inputs.reference.measure))
        }
        units.append(PlanUnitResult(unit: unit, figures: current, previous: previous, targets: targets))
    }
    return PlanReport(scheme: scheme, plan: plan, inputs: inputs, year: year, asOf: asOf, results: results, units: units,
                      diagnostics: inputs.diagnostics)
}

/// Read and compute, writing nothing (what `build` and `check` share for a plan scheme). The
/// report year is `--year`, else the latest year in the indicator rows, else the as-of date's
/// year (quzhou-city.md §5).
public func analysePlan(_ options: BuildOptions, scheme: Scheme, progress: (ProgressEvent) -> Void = { _ in }) throws(PipelineError) -> PlanReport {
    let plan = scheme.plan!
    progress(.stageStarted(.read, options.inputs))
    let inputs = try readPlanInputs(folder: options.inputs, scheme: scheme, plan: plan, asOf: options.asOf)
    progress(.stageFinished(.read, "\(inputs.files.count) 个文件，\(inputs.units.units.count) 个单位，\(inputs.data.cellCount) 个数据单元格"))
    let year = options.year ?? inputs.data.years.last ?? options.asOf.year
    progress(.stageStarted(.compute, "\(plan.tasks.count) 项任务"))
    let report = computePlan(inputs, scheme: scheme, plan: plan, year: year, asOf: options.asOf)
    progress(.stageFinished(.compute, "\(report.results.tasks.count) 项任务，\(report.units.count) 个单位"))
    return report
}

/// The build of a plan scheme: read, compute, render every page through the scheme's templates,
/// publish atomically (other years' folders carried over).
public func runPlanBuild(_ options: BuildOptions, scheme: Scheme, progress: (ProgressEvent) -> Void = { _ in }) throws(PipelineError) -> BuildSummary {
    var clock = StageClock()
    let report = try analysePlan(options, scheme: scheme, progress: progress)
    clock.lap("read+compute")
    progress(.stageStarted(.render, "模板"))
    let site: PlanSite
    do {
        site = try PlanSite(scheme: scheme, format: options.format)
    } catch {
        throw PipelineError(stage: .render, message: error.description)
    }
    var pages: [String] = []
    let staged: StagedOutput
    do {
        staged = try StagedOutput(output: options.output)
        try staged.carryOver(exceptYear: report.year)
        for f in site.folders(report) { try staged.makeFolder(f) }
        let years = Array(Set(staged.years() + [report.year])).sorted()
        for page in try site.pages(report, years: years) {
            try staged.write(page.path, page.bytes)
            pages.append(page.path)
        }
    } catch let e as PublishError {
        throw PipelineError(stage: .publish, message: e.description)
    } catch let e as TemplateError {
        throw PipelineError(stage: .render, message: e.description)
    } catch {
        throw PipelineError(stage: .render, message: "\(error)")
    }
    clock.lap("render")
    progress(.stageFinished(.render, "\(pages.count) 个文件"))
    var summary = BuildSummary(year: report.year, files: report.inputs.files.count, units: report.inputs.units.units.count,
                               observations: report.inputs.data.cellCount, pages: pages, diagnostics: report.diagnostics,
                               output: staged.output)
    try publish(staged, summary: &summary, clock: &clock, progress: progress)
    return summary
}
