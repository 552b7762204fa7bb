import Foundation

// MARK: - The build of a scheme that holds a plan (quzhou-city.md): read → evaluate → judge → render → publish
//
// A scheme with a `plan` runs this composition instead of the indicator/rubric one of
// Pipeline.swift (`runBuild` dispatches on the capability, never on a scheme's name). The parts
// are the plan's: departments.csv, tasks.csv, progress.csv, reference.csv and data/*.csv read
// with the plan readers; statuses, scorecards and stages at the as-of date (`evaluatePlan`);
// the indicators pooled from the counties to the city and the rule targets judged for the report
// year; pages rendered from the scheme's templates and published through `StagedOutput`.

/// Loads the scheme `options` names when it holds a plan (nil for any other scheme), so that
/// `runBuild` and `check` can hand it to the plan composition.
public func planScheme(_ options: BuildOptions) throws(PipelineError) -> Scheme? {
    let scheme = try step(.scheme) { try loadScheme(locateScheme(options.scheme)) }
    return scheme.plan == nil ? nil : scheme
}

/// Read and compute, writing nothing (what `build` and `check` share for a plan scheme). The
/// report year is `--year`, else the latest year in the indicator rows, else the as-of date's
/// year (quzhou-city.md §5).
public func analysePlan(_ options: BuildOptions, scheme: Scheme, progress: (ProgressEvent) -> Void = { _ in }) throws(PipelineError) -> PlanReport {
    let plan = scheme.plan!
    progress(.stageStarted(.read, options.inputs))
    let inputs = try step(.read) { try readPlanInputs(folder: options.inputs, scheme: scheme, plan: plan, asOf: options.asOf) }
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
    let site = try step(.render) { try PlanSite(scheme: scheme, format: options.format) }
    let staged = try stagedOutput(options, year: report.year)
    let pages = try step(.render) { () throws -> [String] in
        for f in site.folders(report) { try staged.makeFolder(f) }
        let years = Array(Set(staged.years() + [report.year])).sorted()
        return try site.pages(report, years: years).map { page in
            try staged.write(page.path, page.bytes)
            return page.path
        }
    }
    let summary = BuildSummary(year: report.year, files: report.inputs.files.count, units: report.inputs.units.units.count,
                               observations: report.inputs.data.cellCount, pages: pages, diagnostics: report.diagnostics,
                               output: staged.output)
    return try publishStage(staged, summary, clock: &clock, progress: progress)
}
