// MARK: - The hand-overs: what each stage gives the next
//
//   Scheme ──Scheme──▶ Ingest ──ReadResult──▶ Compute ──Report──▶ Render ──[OutputPage]──▶ Publish
//                             ──PlanInputs──▶         ──PlanReport──▶
//
// A stage's function takes the previous stage's product and returns its own; nothing else passes
// between stages. Each section below counts as the stage that produces it (scripts/stage-deps):
// it may use that stage and those before it. The scheme (Scheme/Scheme.swift) and the pages
// (`OutputPage`, Vocabulary/OutputPage.swift) are handed over as they are.

// MARK: - Ingest → Compute

/// What reading gives the compute stage (`readStage`): the scheme, everything read and checked
/// from the inputs folder, the report year and the as-of date.
public struct ReadResult: Sendable {
    public var scheme: Scheme
    public var inputs: InputSet
    public var year: Int
    public var asOf: Day
    /// Scheme and input problems, in file order.
    public var diagnostics: [Diagnostic]
}

/// What reading a plan's inputs folder gives its compute stage (`readPlanInputs`).
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

// MARK: - Compute → Render

/// What the compute stage worked out: one result per unit, in tree order (part of `Report`).
public struct Assessment: Sendable {
    public var scheme: Scheme
    public var year: Int
    public var asOf: Day
    public var tree: UnitTree
    public var units: [UnitResult]
    /// Problems found while computing (conflicts, year sums, assessments, applications).
    public var diagnostics: [Diagnostic]

    /// Result of a unit by code.
    public func result(_ code: String) -> UnitResult? { index[code].map { units[$0] } }
    var index: [String: Int] = [:]
}

/// What the compute stage gives the render stage (`assess`): what was read (less the data cells
/// and assessment rows, consumed by computing), what was computed, and all problems.
public struct Report: Sendable {
    public var read: ReadResult
    public var assessment: Assessment
    /// Read and compute problems, in file order.
    public let diagnostics: [Diagnostic]
    /// The problems of each unit (by code), in file order: a page asks for its own unit's
    /// problems without scanning every problem of the run.
    public let problemsByUnit: [String: [Diagnostic]]

    /// Problems of whole files (a header no one knows, a file that could not be read…): they may
    /// take any unit's data away, so every unit's page counts them.
    public let fileProblems: [Diagnostic]

    public init(read: ReadResult, assessment: Assessment, diagnostics: [Diagnostic]) {
        self.read = read
        self.assessment = assessment
        self.diagnostics = diagnostics
        self.problemsByUnit = Report.index(diagnostics)
        self.fileProblems = diagnostics.filter { $0.unit == nil }
    }

    private static func index(_ diagnostics: [Diagnostic]) -> [String: [Diagnostic]] {
        var out: [String: [Diagnostic]] = [:]
        for d in diagnostics { if let u = d.unit { out[u, default: []].append(d) } }
        return out
    }

    /// The problems of one unit, in file order.
    public func problems(of code: String) -> [Diagnostic] { problemsByUnit[code] ?? [] }

    /// How many problems affect a unit's figures: its own and those of whole files (a renamed
    /// column leaves every unit without that indicator).
    public func problemCount(affecting code: String) -> Int { (problemsByUnit[code]?.count ?? 0) + fileProblems.count }
}

/// What a plan's compute stage gives its render stage (`computePlan`): what the pages,
/// results.json and results.csv show.
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
