import Foundation
import CQTownSystem

// MARK: - The pipeline: read → validate → (pool → judge) → render → publish

/// What a build is asked to do, as the command line gave it.
public struct BuildOptions: Sendable {
    public var inputs: String
    public var output: String
    /// A scheme name (`suzhou-town`, looked up under templates/) or a folder path.
    public var scheme: String
    public var year: Int?
    public var asOf: Day
    public var format: OutputFormat
    public var jobs: Int
    public var quiet: Bool

    public init(inputs: String = "inputs", output: String = "output", scheme: String = "suzhou-town", year: Int? = nil,
                asOf: Day, format: OutputFormat = .html, jobs: Int = 2, quiet: Bool = false) {
        self.inputs = inputs
        self.output = output
        self.scheme = scheme
        self.year = year
        self.asOf = asOf
        self.format = format
        self.jobs = jobs
        self.quiet = quiet
    }
}

/// A failure that stops the run before anything is written (exit status 2), labelled with its stage.
public struct PipelineError: Error, Sendable, CustomStringConvertible {
    public var stage: Stage
    public var message: String
    public var description: String { "[\(stage.label)] \(message)" }
}

/// Progress of a run, reported per stage (the CLI shows it on a terminal).
public enum ProgressEvent: Sendable {
    case stageStarted(Stage, String)
    case stageFinished(Stage, String)
}

/// What a run read and wrote, for the summary line and the exit status.
public struct BuildSummary: Sendable {
    public var year: Int
    public var files: Int
    public var units: Int
    public var observations: Int
    public var pages: [String]
    public var diagnostics: [Diagnostic]
    public var output: String
    /// Wall seconds per stage, in order (read, compute, render, write).
    public var timings: [(stage: String, seconds: Double)] = []
    /// Resident memory (MB) at the end of each stage (reported, never asserted).
    public var resident: [(stage: String, megabytes: Int)] = []

    public var errors: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warnings: Int { diagnostics.filter { $0.severity == .warning }.count }
}

/// The whole build, its table of contents: read → compute → render → publish. A scheme that
/// holds a plan has its own composition (PlanBuild.swift) with the same ending.
public func runBuild(_ options: BuildOptions, progress: (ProgressEvent) -> Void = { _ in }) throws(PipelineError) -> BuildSummary {
    // An output qtown may not replace is refused before minutes of work (StagedOutput checks again).
    try step(.publish) { try requireReplaceableOutput(options.output) }
    if let scheme = try planScheme(options) { return try runPlanBuild(options, scheme: scheme, progress: progress) }
    var clock = StageClock()
    let read = try readStage(options, progress: progress)
    clock.lap("read")
    let report = computeStage(read, workers: max(1, options.jobs), progress: progress)
    clock.lap("compute")
    progress(.stageStarted(.render, "模板"))
    let scheme = report.read.scheme
    let site = try step(.render) { try Site(scheme: scheme, format: options.format) }
    let staged = try stagedOutput(options, year: report.read.year)
    var summary = BuildSummary(year: report.read.year, files: report.read.inputs.files.count, units: report.read.inputs.units.units.count,
                               observations: report.read.inputs.observationCount, pages: [], diagnostics: report.diagnostics,
                               output: staged.output)
    // The report is handed over, not kept here: its results are let go while the last page is made.
    do { summary.pages = try renderPages(consume report, site: site, into: staged, workers: max(1, options.jobs)) } catch { throw pipelineError(error, .render) }
    return try publishStage(staged, summary, clock: &clock, progress: progress)
}

/// Steps 1–2 of every command: load the scheme, then read and validate the inputs.
///
/// 1. Scheme: find `templates/<scheme>/`, validate `scheme.xml` against `templates/scheme.xsd`.
/// 2. Read: units.csv, data/*.csv and the scheme's sheets → typed observations + diagnostics.
/// 3. The report year: `--year`, else the latest year in the data.
public func readStage(_ options: BuildOptions, progress: (ProgressEvent) -> Void = { _ in }) throws(PipelineError) -> ReadResult {
    progress(.stageStarted(.scheme, options.scheme))
    let scheme = try step(.scheme) { try loadScheme(locateScheme(options.scheme)) }
    progress(.stageFinished(.scheme, scheme.name))
    progress(.stageStarted(.read, options.inputs))
    let inputs = try step(.read) { [year = options.year, asOf = options.asOf] in
        try readInputs(folder: options.inputs, scheme: scheme, workers: max(1, options.jobs),
                       sheetYear: { years in year ?? years.last ?? asOf.year })
    }
    progress(.stageFinished(.read, "\(inputs.files.count) 个文件，\(inputs.units.units.count) 个单位，\(inputs.observationCount) 个数据单元格"))
    let year = options.year ?? inputs.years.last ?? options.asOf.year
    // A report year without a single data row would be pages of 缺数据 with every town ranked
    // alike: nothing is written, and the message names the years that do have data.
    guard inputs.years.contains(year) else {
        let have = inputs.years.isEmpty
            ? "data/ 下没有任何数据行（\(inputs.folder)/data）"
            : "有数据的年度：\(inputs.years.map(String.init).joined(separator: "、"))"
        throw PipelineError(stage: .read, message: "\(year) 年度没有任何数据行，未生成报告；\(have)" + (options.year == nil ? "" : "；请改用 --year 指定其中一个年度"))
    }
    let diagnostics = inputs.diagnostics.sorted { $0.location < $1.location }
    return ReadResult(scheme: scheme, inputs: inputs, year: year, asOf: options.asOf, diagnostics: diagnostics)
}

/// Steps 1–3, what `build` and `check` share: read and validate, then compute everything, so
/// `check` reports exactly the problems `build` would (conflicts, scores over a maximum and
/// dates out of order are found while computing), writing nothing.
public func analyse(_ options: BuildOptions, progress: (ProgressEvent) -> Void = { _ in }) throws(PipelineError) -> Report {
    let read = try readStage(options, progress: progress)
    return computeStage(read, workers: max(1, options.jobs), progress: progress)
}

/// Step 3: pool → judge → score → stage (`assess`), which consumes what was read.
public func computeStage(_ read: consuming ReadResult, workers: Int = 1, progress: (ProgressEvent) -> Void = { _ in }) -> Report {
    progress(.stageStarted(.compute, "\(read.inputs.units.units.count) 个单位"))
    let report = assess(read, workers: workers)
    // The dataset went with `assess`: what malloc keeps of it goes back to the system.
    qtown_release_free_memory()
    progress(.stageFinished(.compute, "\(report.assessment.units.count) 个单位"))
    return report
}

/// Step 4 of an indicator build: every page rendered on `workers` threads and written into the
/// staged output as soon as it is done (a large build never holds its pages in memory), then the
/// changes page, which compares this run's results.json with the previous run's. Returns the
/// paths written.
func renderPages(_ report: consuming Report, site: Site, into staged: StagedOutput, workers: Int) throws -> [String] {
    for f in site.folders(report) { try staged.makeFolder(f) }
    let year = report.read.year
    let jobs = [.index(years: Array(Set(staged.years() + [year])).sorted())] + site.jobs(report)
    // The report is handed to the workers as a constant (a closure may not capture a parameter
    // that is consumed later).
    let written = { (report: Report) in
        parallelMap(jobs, workers: workers) { job -> Result<[String], PipelineError> in
            Result { () throws -> [String] in
                if case .results = job { return try writeResults(report, to: staged) }
                return try site.render(job, report).map { page in
                    try staged.write(page.path, page.bytes)
                    return page.path
                }
            }.mapError { pipelineError($0, .render) }
        }
    }(report)
    var pages: [String] = []
    for r in written { pages += try r.get() }
    for a in try site.assets() {
        try staged.write(a.path, a.bytes)
        pages.append(a.path)
    }
    // Every page with the units' results is written: they are let go on another thread (a large
    // build's are millions of blocks, slow to free), which the changes page waits for only when
    // it reads results files back.
    var units: [UnitResult] = []
    swap(&units, &report.assessment.units)
    let releasing = BackgroundRelease(consume units)
    let resultsPath = "\(year)/results.json"
    if FileManager.default.fileExists(atPath: staged.output + "/" + resultsPath) { releasing.wait() }
    // One results file in memory at a time: the previous one is flattened and let go before this
    // run's is read, and this run's is only read when there is a previous one to compare it with.
    let previous = readFileBytes(staged.output + "/" + resultsPath).flatMap(flattenResults)
    let current = previous == nil ? [] : readFileBytes(staged.staging + "/" + resultsPath) ?? []
    let changes = try site.changesPage(report, previous: previous, current: current)
    try staged.write(changes.path, changes.bytes)
    pages.append(changes.path)
    return pages
}

/// Writes `YEAR/results.json` (streamed to the file as it is made: it is the largest file of a
/// build) and `YEAR/results.csv`; returns their paths.
func writeResults(_ report: Report, to staged: StagedOutput) throws(PublishError) -> [String] {
    let y = report.read.year
    let json = "\(y)/results.json", csv = "\(y)/results.csv"
    let stream = try staged.stream(json)
    resultsJSON(report.assessment, problems: report.diagnostics, inputs: report.read.inputs.files) { stream.write($0) }
    try stream.close()
    try staged.write(csv, resultsCSV(report.assessment))
    return [json, csv]
}

/// Where both builds write: a staged output beside `--output`, with the other years' folders
/// carried over (published whole by `publishStage`).
func stagedOutput(_ options: BuildOptions, year: Int) throws(PipelineError) -> StagedOutput {
    try step(.publish) { () throws -> StagedOutput in
        let staged = try StagedOutput(output: options.output)
        try staged.carryOver(exceptYear: year)
        return staged
    }
}

/// The last step of both builds, once every page is written: the staged output swapped in whole,
/// and the summary given the stages' times and memory.
func publishStage(_ staged: StagedOutput, _ summary: consuming BuildSummary, clock: inout StageClock,
                  progress: (ProgressEvent) -> Void) throws(PipelineError) -> BuildSummary {
    clock.lap("render")
    progress(.stageFinished(.render, "\(summary.pages.count) 个文件"))
    progress(.stageStarted(.publish, staged.output))
    try step(.publish) { try staged.publish() }
    progress(.stageFinished(.publish, staged.output))
    clock.lap("write")
    summary.timings = clock.laps
    summary.resident = clock.resident
    return summary
}

/// Runs one step of a command, making whatever it throws the run's error (`pipelineError`).
func step<T>(_ stage: Stage, _ body: () throws -> T) throws(PipelineError) -> T {
    do {
        return try body()
    } catch {
        throw pipelineError(error, stage)
    }
}

/// The run's error for what a step threw, labelled with the stage it belongs to: a template's
/// problem is the render stage's and a file system's the publish stage's wherever it happens
/// (pages are written while they are rendered); anything else is `stage`'s.
func pipelineError(_ error: any Error, _ stage: Stage) -> PipelineError {
    switch error {
    case let e as PipelineError: return e
    case let e as PublishError: return PipelineError(stage: .publish, message: e.description)
    case let e as TemplateError: return PipelineError(stage: .render, message: e.description)
    default: return PipelineError(stage: stage, message: "\(error)")
    }
}

/// `qtown form`: reads and computes (a town's score needs its city's ranks and pooled rates),
/// renders one town's filing form and replaces that one file inside the existing output.
/// Returns the written path. The unit is a code, a unique name, or `名称@县区`.
public func writeForm(_ options: BuildOptions, unit: String) throws(PipelineError) -> String {
    try step(.publish) { try requireReplaceableOutput(options.output) }
    if let scheme = try planScheme(options) {
        // A plan has no per-unit form page (<page id="form">); the form's own name is the
        // programme's, so the message names the page by its id.
        throw PipelineError(stage: .scheme, message: "方案“\(scheme.name)”没有单位的 form 页面（scheme.xml <page id=\"form\">），qtown form 不适用；请用 qtown build")
    }
    let read = try readStage(options)
    let town: Unit
    switch read.inputs.units.lookUpTown(unit, words: LookupWords(town: read.scheme.assessedName, county: read.scheme.tierName(.county))) {
    case .found(let u): town = u
    case .notFound(let why): throw PipelineError(stage: .read, message: "--unit \(quoted(unit))：\(why)")
    }
    let report = computeStage(read, workers: max(1, options.jobs))
    return try step(.render) {
        let site = try Site(scheme: report.read.scheme, format: options.format)
        let page = try site.formPage(report, report.assessment.result(town.code)!)
        try claimOutputFolder(options.output)
        try replaceFileAtomically(output: options.output, relative: page.path, bytes: page.bytes)
        let css = try site.assets()
        for a in css where !FileManager.default.fileExists(atPath: StagedOutput.absolute(options.output) + "/" + a.path) {
            try replaceFileAtomically(output: options.output, relative: a.path, bytes: a.bytes)
        }
        return StagedOutput.absolute(options.output) + "/" + page.path
    }
}

/// Wall-clock laps for the per-stage timings of a build (reported, never asserted).
struct StageClock {
    private var last = DispatchTime.now().uptimeNanoseconds
    var laps: [(stage: String, seconds: Double)] = []
    /// Resident memory (MB) at the end of each stage, where the system tells it (Linux).
    var resident: [(stage: String, megabytes: Int)] = []

    mutating func lap(_ stage: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        laps.append((stage, Double(now - last) / 1e9))
        last = now
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .ascii),
           let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
            resident.append((stage, pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1_000_000))
        }
    }
}
