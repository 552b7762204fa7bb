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

/// Steps 1–2 of every command: load the scheme, then read and validate the inputs.
///
/// 1. Scheme: find `templates/<scheme>/`, validate `scheme.xml` against `templates/scheme.xsd`.
/// 2. Read: units.csv, data/*.csv and the scheme's sheets → typed observations + diagnostics.
/// 3. The report year: `--year`, else the latest year in the data.
public func readStage(_ options: BuildOptions, progress: (ProgressEvent) -> Void = { _ in }) throws(PipelineError) -> ReadResult {
    progress(.stageStarted(.scheme, options.scheme))
    let scheme: Scheme
    do {
        scheme = try loadScheme(locateScheme(options.scheme))
    } catch {
        throw PipelineError(stage: .scheme, message: error.description)
    }
    progress(.stageFinished(.scheme, scheme.name))
    progress(.stageStarted(.read, options.inputs))
    let inputs: InputSet
    do {
        let (year, asOf) = (options.year, options.asOf)
        inputs = try readInputs(folder: options.inputs, scheme: scheme, workers: max(1, options.jobs),
                                sheetYear: { years in year ?? years.last ?? asOf.year })
    } catch {
        throw PipelineError(stage: .read, message: error.description)
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

/// Step 3: pool → judge → score → stage (pure functions over the values read).
/// The data cells are let go once the dataset is built (the figures carry their sources).
public func computeStage(_ read: consuming ReadResult, workers: Int = 1, progress: (ProgressEvent) -> Void = { _ in }) -> Report {
    progress(.stageStarted(.compute, "\(read.inputs.units.units.count) 个单位"))
    let assessment = assess(&read, workers: workers)
    qtown_release_free_memory()
    let diagnostics = (read.diagnostics + assessment.diagnostics).sorted { $0.location < $1.location }
    progress(.stageFinished(.compute, "\(assessment.units.count) 个单位"))
    return Report(read: read, assessment: assessment, diagnostics: diagnostics)
}

/// The whole build, one short composition:
/// 1. read and validate (scheme, inputs) — `readStage`;
/// 2. compute (pool, judge, score, stage) — `computeStage`;
/// 3. render every page through the scheme's templates (compiled once);
/// 4. publish the output folder atomically, carrying other years' folders over.
public func runBuild(_ options: BuildOptions, progress: (ProgressEvent) -> Void = { _ in }) throws(PipelineError) -> BuildSummary {
    // An output qtown may not replace is refused before minutes of work (StagedOutput checks again).
    do { try requireReplaceableOutput(options.output) } catch { throw PipelineError(stage: .publish, message: error.description) }
    // A scheme that holds a plan is built by the plan composition (Pipeline/PlanBuild.swift).
    if let scheme = try planScheme(options) { return try runPlanBuild(options, scheme: scheme, progress: progress) }
    var clock = StageClock()
    let readResult = try readStage(options, progress: progress)
    clock.lap("read")
    var report = computeStage(consume readResult, workers: max(1, options.jobs), progress: progress)
    clock.lap("compute")
    let read = report.read
    progress(.stageStarted(.render, "模板"))
    let site: Site
    do {
        site = try Site(scheme: read.scheme, format: options.format)
    } catch {
        throw PipelineError(stage: .render, message: error.description)
    }
    let staged: StagedOutput
    do {
        staged = try StagedOutput(output: options.output)
        try staged.carryOver(exceptYear: read.year)
    } catch {
        throw PipelineError(stage: .publish, message: error.description)
    }
    var pages: [String] = []
    do {
        for f in site.folders(report) { try staged.makeFolder(f) }
        // Render and write in parallel on --jobs threads; each page is written when done.
        let jobs = [.index(years: Array(Set(staged.years() + [read.year])).sorted())] + site.jobs(report)
        let results = { (report: Report) in parallelMap(jobs, workers: max(1, options.jobs)) { job -> Result<[String], PipelineError> in
            do {
                if case .results = job { return .success(try site.writeResults(report, to: staged)) }
                var paths: [String] = []
                for page in try site.render(job, report) {
                    try staged.write(page.path, page.bytes)
                    paths.append(page.path)
                }
                return .success(paths)
            } catch let e as TemplateError {
                return .failure(PipelineError(stage: .render, message: e.description))
            } catch let e as PublishError {
                return .failure(PipelineError(stage: .publish, message: e.description))
            } catch {
                return .failure(PipelineError(stage: .render, message: "\(error)"))
            }
        } }(report)
        for r in results {
            switch r {
            case .success(let p): pages += p
            case .failure(let e): throw e
            }
        }
        for a in try site.assets() {
            try staged.write(a.path, a.bytes)
            pages.append(a.path)
        }
        // Every page with the units' results is written: they are let go on another thread (a
        // country's are two gigabytes in a million blocks, a second and a half to free), which
        // the changes page waits for only when it reads results files back (half a gigabyte each).
        var units: [UnitResult] = []
        swap(&units, &report.assessment.units)
        let releasing = BackgroundRelease(consume units)
        // The changes page compares this run's results.json with the previous run's.
        let resultsPath = "\(read.year)/results.json"
        if FileManager.default.fileExists(atPath: staged.output + "/" + resultsPath) { releasing.wait() }
        // One file in memory at a time (a country's results.json is half a gigabyte): the
        // previous one is flattened and let go before this run's is read.
        let previous = readFileBytes(staged.output + "/" + resultsPath).flatMap(flattenResults)
        // This run's file is only read when there is a previous one to compare it with.
        let current = previous == nil ? [] : readFileBytes(staged.staging + "/" + resultsPath) ?? []
        let changes = try site.changesPage(report, previous: previous, current: current)
        try staged.write(changes.path, changes.bytes)
        pages.append(changes.path)
        clock.lap("render")
    } catch let e as PipelineError {
        throw e
    } catch let e as PublishError {
        throw PipelineError(stage: .publish, message: e.description)
    } catch let e as TemplateError {
        throw PipelineError(stage: .render, message: e.description)
    } catch {
        throw PipelineError(stage: .render, message: "\(error)")
    }
    progress(.stageFinished(.render, "\(pages.count) 个文件"))
    var summary = BuildSummary(year: read.year, files: read.inputs.files.count, units: read.inputs.units.units.count,
                               observations: read.inputs.observationCount, pages: pages, diagnostics: report.diagnostics,
                               output: staged.output)
    try publish(staged, summary: &summary, clock: &clock, progress: progress)
    return summary
}

/// The last step of every build: the staged output swapped in whole, and the summary given the
/// stages' times and memory.
func publish(_ staged: StagedOutput, summary: inout BuildSummary, clock: inout StageClock,
             progress: (ProgressEvent) -> Void) throws(PipelineError) {
    progress(.stageStarted(.publish, staged.output))
    do {
        try staged.publish()
    } catch {
        throw PipelineError(stage: .publish, message: error.description)
    }
    progress(.stageFinished(.publish, staged.output))
    clock.lap("write")
    summary.timings = clock.laps
    summary.resident = clock.resident
}

/// `qtown form`: reads and computes (a town's score needs its city's ranks and pooled rates),
/// renders one town's filing form and replaces that one file inside the existing output.
/// Returns the written path. The unit is a code, a unique name, or `名称@县区`.
public func writeForm(_ options: BuildOptions, unit: String) throws(PipelineError) -> String {
    do { try requireReplaceableOutput(options.output) } catch { throw PipelineError(stage: .publish, message: error.description) }
    if let scheme = try planScheme(options) {
        throw PipelineError(stage: .scheme, message: "方案“\(scheme.name)”没有申报备案表，qtown form 不适用；请用 qtown build")
    }
    let read = try readStage(options)
    let town: Unit
    switch read.inputs.units.lookUpTown(unit) {
    case .found(let u): town = u
    case .notFound(let why): throw PipelineError(stage: .read, message: "--unit \(quoted(unit))：\(why)")
    }
    let report = computeStage(read, workers: max(1, options.jobs))
    do {
        let site = try Site(scheme: read.scheme, format: options.format)
        let page = try site.formPage(report, report.assessment.result(town.code)!)
        try claimOutputFolder(options.output)
        try replaceFileAtomically(output: options.output, relative: page.path, bytes: page.bytes)
        let css = try site.assets()
        for a in css where !FileManager.default.fileExists(atPath: StagedOutput.absolute(options.output) + "/" + a.path) {
            try replaceFileAtomically(output: options.output, relative: a.path, bytes: a.bytes)
        }
        return StagedOutput.absolute(options.output) + "/" + page.path
    } catch let e as TemplateError {
        throw PipelineError(stage: .render, message: e.description)
    } catch let e as PublishError {
        throw PipelineError(stage: .publish, message: e.description)
    } catch {
        throw PipelineError(stage: .render, message: "\(error)")
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
