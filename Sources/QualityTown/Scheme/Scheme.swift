// MARK: - A programme as data: the parts of a scheme the reading stage needs

/// How an indicator's values combine over periods and units (suzhou-town.md §1).
public enum IndicatorKind: String, Sendable, Codable {
    /// Integer ≥ 0, a flow: summed over the periods of a year and over units.
    case count
    /// Integer ≥ 0, a year-end figure: the latest period, summed over units.
    case stock
    /// 是/否, latest period.
    case flag
    /// 0–100, mean weighted by a sample-size column.
    case score
    /// 0–100 given directly; latest period; pooled as a plain mean (approximate).
    case percent
    /// Integer within a range (stars); latest period.
    case level
    /// Non-negative decimal, a flow (areas in 万平方米): summed over the periods of a year and
    /// over units, exact (quzhou-city.md §4).
    case amount
    /// A place in a ranking (integer ≥ 1): the latest period; a unit's own figure, never pooled
    /// from its members — no sum or mean of places is a place (quzhou-city.md §4, §6).
    case rank

    /// Which cell reader its column uses.
    func cellKind(range: ClosedRange<Int>?) -> CellKind {
        switch self {
        case .count, .stock: return .count
        case .flag: return .flag
        case .score: return .score
        case .percent: return .percent
        case .level: return .level(range ?? 0...5)
        case .amount: return .amount
        case .rank: return .rank
        }
    }
}

/// One indicator column of the scheme.
public struct Indicator: Sendable, Hashable {
    public var id: String
    /// Canonical Chinese header (blank sheets use it).
    public var header: String
    public var aliases: [String]
    public var kind: IndicatorKind
    /// For `level`: the allowed range.
    public var range: ClosedRange<Int>?
    /// For `score`: the indicator holding its sample size (the weight).
    public var weight: String?
    /// May be given on a county's row and then reaches its towns (乡镇所在县区…).
    public var countyLevel: Bool
    /// Department whose export usually carries it (for `qtown blank`).
    public var department: String

    /// The column spec the reader matches headers with.
    public var column: ColumnSpec {
        ColumnSpec(id: id, header: header, aliases: aliases, kind: kind.cellKind(range: range))
    }
}

/// A rate derived as an exact ratio of summed counts: numerator / denominator.
public struct DerivedRate: Sendable, Hashable {
    public var id: String
    public var label: String
    public var numerator: String
    public var denominator: String
}

/// A non-indicator input sheet the scheme reads (assessments.csv, applications.csv…).
public struct SheetSpec: Sendable {
    public var id: String
    /// File name inside the inputs folder.
    public var file: String
    public var title: String
    public var columns: [ColumnSpec]
    /// Column ids that must be present (the file is unusable without them).
    public var required: [String]
    /// Groups of column ids of which at least one must be present (代码 or 名称).
    public var requiredOneOf: [[String]]
    /// Column ids accepted and not read (`blank="false"`): left out of the blank sheet and of the
    /// column lists in messages.
    public var unread: Set<String> = []

    /// The header of column `id` (the id itself when the sheet has no such column; the loader
    /// checks that a plan's sheets have every column the engine reads).
    public func header(_ id: String) -> String { columns.first { $0.id == id }?.header ?? id }

    /// The headers a blank sheet is written with and messages list, in order.
    public var listedHeaders: [String] { columns.filter { !unread.contains($0.id) }.map(\.header) }
}

/// The scheme: indicators, rates and sheets (what reading needs), and where the programme has
/// them, its targets, rubric, eligibility, lifecycle and goal.
/// Loaded from `templates/<scheme>/scheme.xml`; no rule of a scheme is written in Swift.
public struct Scheme: Sendable {
    public var id: String
    public var name: String
    /// The document it encodes (title), shown on pages.
    public var source: String
    public var indicators: [Indicator]
    public var rates: [DerivedRate]
    public var sheets: [SheetSpec]
    public var targets: [Target] = []
    public var rubric: Rubric?
    public var eligibility: Eligibility?
    public var lifecycle: Lifecycle?
    public var goal: Goal?
    /// Tasks, parties, progress, stages and rule targets, when the programme is run as a plan.
    public var plan: PlanDefinition?
    /// The tier whose units the rubric scores and the eligibility and lifecycle judge
    /// (`<tiers assessed>`; nil: a plan, which has none of these).
    public var assessedTier: UnitTier?
    /// The programme's words for each tier (`<tiers><tier id name whole>`).
    public var tierWords: [UnitTier: TierWords] = [:]
    /// Titles and link labels of the unit pages (scheme.xml `<pages>`), by page id.
    public var pages: [String: PageWording] = [:]
    /// Names of result fields (scheme.xml `<fields>`): results.csv's headers, the changes page's
    /// field names and summary, by field id (`FieldWording.required`).
    public var fields: [String: String] = [:]
    /// The folder the scheme was loaded from (holds its templates and CSS).
    public var directory: String

    /// Indicators by id.
    public func indicator(_ id: String) -> Indicator? { indicatorIndex[id].map { indicators[$0] } }

    /// Position of each indicator (set by the loader).
    var indicatorIndex: [String: Int] = [:]
}

/// The words of one unit page (scheme.xml `<pages><page>`): title, subtitle, running header and
/// the labels of links to it, as patterns with `{placeholders}` the page fills (`fill`). The
/// programme's words live in its scheme; the Swift view supplies only names, years and dates.
public struct PageWording: Sendable {
    /// The pages a scheme without a plan must word (the pages Site writes for it).
    public static let required = ["town", "county", "city", "form", "forms-bundle", "changes"]
    /// The placeholders a pattern may use: the page's unit, its city and county, the report
    /// year, the as-of date and the scheme's name.
    public static let placeholders: Set<String> = ["unit", "city", "county", "year", "asOf", "scheme"]

    public var title: String
    public var subtitle: String
    /// The running header's document line; nil: the title.
    public var document: String?
    /// The label of a link to this page from another unit's page.
    public var link: String?
    /// The label of a link to this page from its own unit's other page (本镇、本县区…).
    public var ownLink: String?
    /// The label of a link beside the unit's name (the index's units tree).
    public var shortLink: String?
    /// Values of the page taken from the application row (`<page><field>`), in order.
    public var fields: [PageField] = []

    /// The placeholders of `pattern`, or nil when its braces do not pair.
    static func names(in pattern: String) -> [String]? {
        var names: [String] = []
        var rest = Substring(pattern)
        while let open = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            guard rest[open] == "{", let close = rest[open...].firstIndex(of: "}") else { return nil }
            let name = rest[rest.index(after: open)..<close]
            if name.contains("{") { return nil }
            names.append(String(name))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// `pattern` with each `{name}` replaced by `values[name]` (empty when the page has none,
    /// e.g. the county of a town in no county). Patterns are checked by the loader.
    public static func fill(_ pattern: String, _ values: [String: String]) -> String {
        var out = ""
        var rest = Substring(pattern)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            out += values[String(rest[rest.index(after: open)..<close])] ?? ""
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

/// The result fields a scheme without a plan must name (scheme.xml `<fields>`): the keys of
/// results.json a person reads as results.csv headers or on the changes page, and the three
/// kinds of change the changes page sums up. `item` is a pattern with {n} (the item's number).
public enum FieldWording {
    public static let required = ["score.base", "score.bonus", "score.total", "score.rank", "item", "eligibility", "stage",
                                  "stage.overdue", "stage.expiring", "stage.expires", "stage.revocationReview",
                                  "changes.targets", "changes.scores", "changes.stages"]
    /// The placeholders each field may use (none unless listed).
    public static let placeholders: [String: Set<String>] = ["item": ["n"]]
}

extension Scheme {
    /// The name of result field `id` (the loader guarantees every required field of a scheme
    /// without a plan; its id otherwise).
    func field(_ id: String, _ values: [String: String] = [:]) -> String {
        fields[id].map { PageWording.fill($0, values) } ?? id
    }

    /// An eligibility status in the scheme's words (`<eligibility><status id label>`).
    func eligibilityLabel(_ status: EligibilityStatus) -> String { eligibility?.statusLabels[status] ?? status.rawValue }

    /// A stage's short mark (`<lifecycle><flag id label>`: overdue, expiring, revocation-review…).
    func stageFlag(_ id: String) -> String { lifecycle?.flags[id] ?? id }

    /// A stage's name as the scheme words it (its id when the scheme has no lifecycle).
    func stageLabel(_ stage: StageID) -> String { lifecycle?.stageLabels[stage] ?? stage }

    /// The lifecycle's notice `id` with its placeholders filled.
    func lifecycleNotice(_ id: String, _ values: [String: String]) -> String {
        PageWording.fill(lifecycle?.notices[id] ?? id, values)
    }

    /// The wording of page `id` (the loader guarantees the required pages of a scheme without a plan).
    func page(_ id: String) -> PageWording {
        pages[id] ?? PageWording(title: id, subtitle: "")
    }
}

/// A programme's words for one tier of units (scheme.xml `<tiers><tier>`).
public struct TierWords: Sendable {
    /// The units of the tier, in data problems (乡镇（街道）; 县区 in 取自县区行, 市 in 不属于任何市).
    public var name: String?
    /// The units of the tier in short, in counts and notes (有数据的乡镇, 该乡镇).
    public var short: String?
    /// The whole area of one unit of the tier, in rule notes (全市第 3 名, 全县（区）排名).
    public var whole: String?
    /// Endings of the tier's unit names that a page printing its own ending after the name drops
    /// (县 区: 附件2's 所在地 prints “县（区）” after the county's name). Empty: names printed whole.
    public var suffixes: [String] = []
}

/// One value of a page taken from a column of the lifecycle's sheet (`<page><field name column
/// lines>`): the form's 申报日期, 请示正文… are the scheme's columns, named as the template uses them.
public struct PageField: Sendable {
    /// The template's name for the value.
    public var name: String
    /// The column id in the lifecycle's sheet.
    public var column: String
    /// A date column: the value is split into year, month and day (`dateParts`).
    public var isDate: Bool
    /// For text: paragraphs, and this many ruled lines (`nameLines`) when blank; nil: one text.
    public var lines: Int?
}

extension Scheme {
    /// The words for "the whole area" of a tier in a rule's note (the loader guarantees them for
    /// every tier a rule ranks within or compares with).
    func wholeAreaWord(_ tier: UnitTier) -> String { tierWords[tier]?.whole ?? "" }

    /// The name of the assessed tier's units (the loader guarantees it when a tier is assessed).
    var assessedName: String { assessedTier.flatMap { tierWords[$0]?.name } ?? "" }

    /// The assessed tier's units in short (有数据的乡镇; the loader guarantees it when a tier is assessed).
    var assessedShortName: String { assessedTier.flatMap { tierWords[$0]?.short } ?? "" }

    /// The name of a tier's units (the loader guarantees it for each tier a compare rule pools
    /// at, and for the county when an indicator is county-level).
    func tierName(_ tier: UnitTier) -> String { tierWords[tier]?.name ?? "" }

    /// `name` without the longest of its tier's `suffixes` it ends with (a page that prints the
    /// ending itself, 附件2's “县（区）”); whole when none matches or the name is only the suffix.
    func withoutSuffix(_ name: String, tier: UnitTier) -> String {
        let s = (tierWords[tier]?.suffixes ?? []).filter { name.hasSuffix($0) && name.count > $0.count }.max { $0.count < $1.count }
        return s.map { String(name.dropLast($0.count)) } ?? name
    }
}

// MARK: - Targets, rubric, eligibility, lifecycle and goal (optional parts of a scheme)

/// A comparison of a figure with a threshold; `is` compares a flag with 是.
public enum Comparison: String, Sendable, Codable {
    case ge, gt, le, lt, eq
    case isTrue = "is"

    /// Exact comparison.
    public func holds(_ a: Rational, _ b: Rational) -> Bool {
        switch self {
        case .ge: return a >= b
        case .gt: return a > b
        case .le: return a <= b
        case .lt: return a < b
        case .eq, .isTrue: return a == b
        }
    }

    /// As written on pages (`≥ 98%`).
    public var symbol: String {
        switch self {
        case .ge: return "≥"
        case .gt: return ">"
        case .le: return "≤"
        case .lt: return "<"
        case .eq: return "="
        case .isTrue: return "为"
        }
    }
}

/// A policy target (三、创建目标), judged per town and for pooled units.
public struct Target: Sendable {
    public var id: String
    public var indicator: String
    public var op: Comparison
    /// The threshold, or nil when compared with another indicator of the same unit (`ref`).
    public var value: Rational?
    public var ref: String?
    public var label: String
    public var clause: String
    /// The document's words (`保持98%以上`).
    public var requirement: String
}

/// How a rubric criterion scores (suzhou-town.md §3 rule forms).
public indirect enum Rule: Sendable {
    /// Points come from assessments.csv.
    case manual
    /// Full points when `indicator op value` holds.
    case threshold(indicator: String, op: Comparison, value: Rational)
    /// Full points when the flag is 是.
    case flag(indicator: String)
    /// Points by the highest tier whose lower bound the value reaches.
    case tiers(indicator: String, tiers: [(atLeast: Rational, points: Rational)])
    /// Points by rank among the towns of the same area `within` (city, county or province;
    /// higher first, ties share the best rank). `zeroNote`: nil when a zero ranks like any value;
    /// otherwise a zero scores nothing and this is the note that says so (`<rank zero-note>`,
    /// 附件1 第9项: 证书数为 0 不得分).
    case rank(indicator: String, tiers: [(upTo: Int, points: Rational)], zeroNote: String?, within: UnitTier)
    /// Points per unit counted (Σ points × value), limited by the item cap.
    case perUnit(terms: [(indicator: String, points: Rational)], missingPartCountsZero: Bool)
    /// Full points when the unit's figure compares well with its city's pooled figure.
    case compare(indicator: String, op: Comparison, pooledAt: UnitTier)
    /// Full points when every part holds; a part not applicable (denominator 0: nothing to
    /// fail) counts as holding, in a rubric criterion and an eligibility condition alike.
    case allOf([Rule])
    /// Full points when at least `k` parts hold.
    case countOf([Rule], atLeast: Int)

    /// Whether points come from people (assessments.csv) rather than data.
    public var isManual: Bool { if case .manual = self { return true }; return false }

    /// Indicators the rule reads.
    public var indicators: [String] {
        switch self {
        case .manual: return []
        case .threshold(let i, _, _), .flag(let i), .tiers(let i, _), .rank(let i, _, _, _), .compare(let i, _, _): return [i]
        case .perUnit(let terms, _): return terms.map(\.indicator)
        case .allOf(let rules), .countOf(let rules, _): return rules.flatMap(\.indicators)
        }
    }
}

/// One criterion `N.k` of an item.
public struct Criterion: Sendable {
    public var id: String
    /// Declared points; nil for per-unit rules bounded only by the item cap.
    public var points: Rational?
    public var text: String
    public var rule: Rule
}

/// One item (序号) of the rubric.
public struct RubricItem: Sendable {
    public var number: Int
    public var category: String
    public var area: String
    /// The points column as written (nil for bonus items, which have none).
    public var declared: Rational?
    /// A cap written in the text (`满分3分`).
    public var cap: Rational?
    public var criteria: [Criterion]
    /// Line in scheme.xml, for consistency messages.
    public var line: Int

    /// The most the item can score: the text cap, else the points column, else its criteria.
    public var maximum: Rational {
        if let cap { return cap }
        if let declared { return declared }
        return criteria.reduce(Rational(0)) { $0 + ($1.points ?? Rational(0)) }
    }
}

/// A category of items with its declared total (22/16/48/14, bonus 5).
public struct RubricCategory: Sendable {
    public var id: String
    public var name: String
    public var declared: Rational
    public var bonus: Bool
    /// A bonus category's remark for a manual criterion the town did not claim (`unclaimed`,
    /// 未申报加分; the loader requires it when `bonus`).
    public var unclaimed: String = ""
    public var items: [RubricItem]
    public var line: Int
}

/// Which column of the assessment sheet a point field is (`<assessment><score>`).
public enum ScoreRole: String, Sendable, CaseIterable {
    /// 核定分: also replaces a computed score.
    case reviewed
    /// 初审分.
    case preliminary
    /// 自评分: also compared with a computed score (a discrepancy).
    case selfScored = "self"
}

/// The sheet of scores given by people and its columns (`<rubric><assessment>`): column ids of
/// the sheet `sheet`, checked by the loader.
public struct AssessmentColumns: Sendable {
    public var sheet: String
    public var year: String
    public var item: String
    public var remark: String
    public var evidence: String
    /// The point columns in the order a manual criterion's score falls back through them.
    public var order: [ScoreRole]
    public var columns: [ScoreRole: String]
    /// What a reviewer's remark is called when a reviewed score replaces a computed one.
    public var reviewedNote: String
    /// The assessment's name in data problems (`<assessment label>`: 自查打分只适用于…).
    public var label: String = ""
    /// How a score from each column is marked in the committee's table (`<score label>`: 核定,
    /// 初审, 未核定), and a reviewed score replacing a computed one (`adjusted-label`: 核定调整).
    public var labels: [ScoreRole: String] = [:]
    public var adjustedLabel: String = ""
    /// How the town's own table (its form) marks a criterion it scored itself (`own-label` of
    /// the self score: 自评, 整项自评) and a manual one it did not (`missing-label`: 未自评).
    public var ownLabel: String = ""
    public var missingLabel: String = ""
}

/// The rubric (附件1).
public struct Rubric: Sendable {
    public let clause: String
    /// The rubric's name in data problems (`<rubric name>`: 不是评估细则中的条目).
    public var name: String = ""
    /// The sentence under the committee table's total (`total-note`: 评估细则未设验收及格线).
    public var totalNote: String = ""
    /// The tier within which towns are ranked by total score (`rank-within`, default city:
    /// results.csv's 全市名次).
    public var rankWithin: UnitTier = .city
    /// The sheet of scores given by people and its columns.
    public let assessment: AssessmentColumns
    public let declaredTotal: Rational
    public let bonusCap: Rational
    public let categories: [RubricCategory]
    /// Items and criteria in document order, and the item of each criterion (built once: the
    /// scorer looks them up for every row of assessments.csv).
    public let items: [RubricItem]
    public let criteria: [Criterion]
    private let itemOfCriterion: [String: Int]

    public init(clause: String, assessment: AssessmentColumns, declaredTotal: Rational, bonusCap: Rational, categories: [RubricCategory]) {
        self.clause = clause
        self.assessment = assessment
        self.declaredTotal = declaredTotal
        self.bonusCap = bonusCap
        self.categories = categories
        items = categories.flatMap(\.items)
        criteria = items.flatMap(\.criteria)
        var index: [String: Int] = [:]
        for (i, item) in items.enumerated() { for c in item.criteria { index[c.id] = i } }
        itemOfCriterion = index
    }

    /// The item holding criterion `id`.
    public func item(ofCriterion id: String) -> RubricItem? { itemOfCriterion[id].map { items[$0] } }
}

/// A condition of 四、申报条件 judged from data.
public struct EligibilityCondition: Sendable {
    public var id: String
    public var clause: String
    public var text: String
    public var rule: Rule
    /// Must hold in each of the `years` years (report year and the ones before).
    public var eachYear: Bool
}

/// Eligibility: data conditions and the ones a person judges.
public struct Eligibility: Sendable {
    public var years: Int
    public var conditions: [EligibilityCondition]
    public var manual: [(clause: String, text: String)]
    /// Each status's words (`<status id label>`; the loader requires all three).
    public var statusLabels: [EligibilityStatus: String] = [:]
}

/// A town's eligibility status (its words are the scheme's: `Scheme.eligibilityLabel`).
public enum EligibilityStatus: String, Sendable, Codable, CaseIterable {
    case eligible, ineligible, undetermined
}

/// Where a town is in the programme at the as-of date: a stage id the scheme declares
/// (`<lifecycle><stage id>`, results.json `stage`). The walk (`stageOf`) gives meaning only to
/// the stages the lifecycle names by role (initial, creation, name, lapsed, creating; see
/// `Lifecycle`), so a programme's stages are data.
public typealias StageID = String

/// One step of the programme: the date column that records it, the stage it reaches, and the
/// conclusion column that may stop it.
public struct LifecycleStep: Sendable {
    public var column: String
    /// The stage reached when the step happens (nil: a step that changes no stage, 公示).
    public var stage: StageID?
    public var label: String
    public var conclusion: String?
    public var positive: [String]
    public var negative: [String]
    /// The stage a negative conclusion leads to.
    public var failed: StageID?
    /// A blank optional step does not make the next one "without its earlier step".
    public var optional: Bool
}

/// The lifecycle periods (五、创建步骤) and the revocation trigger (六（四）).
public struct Lifecycle: Sendable {
    /// The sheet of applications (its id in `Scheme.sheets`).
    public var sheet: String
    public var steps: [LifecycleStep]
    /// The applications column holding the 创建类别 (for the goal).
    public var categoryColumn: String?
    public var creationYears: Int
    public var nameYears: Int
    public var expiringDays: Int
    public var clause: String
    public var revocationIndicators: [String]
    public var revocationClause: String
    /// The stages the scheme declares (`<stage id label>`), in document order, and each one's
    /// name on pages and in results.csv. Every stage a step, role or goal names is one of them
    /// (checked by the loader).
    public var stages: [StageID] = []
    public var stageLabels: [StageID: String] = [:]
    /// The stages the capability gives a meaning to (五、创建步骤, scheme.xml `<lifecycle>`):
    /// a town with no step done is in `initial`; the creation period (creationYears from the
    /// date its step was reached) runs while in `creationStage` and is overdue after; the name's
    /// period (nameYears) runs while in `nameStage`, where an incident is reviewed for
    /// revocation (六（四）), and after it the town is in `lapsedStage`; `creatingStages` count as
    /// "in creation" for the goal and the city report.
    public var initial: StageID = ""
    public var creationStage: StageID = ""
    public var nameStage: StageID = ""
    public var lapsedStage: StageID = ""
    public var creatingStages: [StageID] = []
    /// The sentences a town's page prints about its stage (`<notice id text>`), by id: patterns
    /// with {date} {days} {clause} (the loader requires every id of `noticeIDs`).
    public var notices: [String: String] = [:]
    /// The short marks beside a stage in rankings and the city report (`<flag id label>`), by
    /// id (the loader requires every id of `flagIDs`).
    public var flags: [String: String] = [:]
    /// overdue, expiring (the name ends within expiring-days), revocation-review and
    /// revocation-unknown (an incident figure in error), as in the notices.
    public static let flagIDs = ["overdue", "expiring", "revocation-review", "revocation-unknown"]
    /// overdue: the creation period ended unaccepted; deadline: its end; expiring: the name ends
    /// within expiring-days; valid-until: the name's end; expired: it ended; revocation-review /
    /// revocation-unknown: an incident this year (or an incident figure in error).
    public static let noticeIDs = ["overdue", "deadline", "expiring", "valid-until", "expired", "revocation-review", "revocation-unknown"]
    /// The placeholders a notice may use: the date it is about, expiring-days and the revocation clause.
    public static let noticePlaceholders: Set<String> = ["date", "days", "clause"]
}

/// A city's goal (三、创建目标): named towns per category by a year.
public struct Goal: Sendable {
    public struct Group: Sendable {
        public var id: String
        public var label: String
        /// 创建类别 values counted in the group.
        public var categories: [String]
        public var target: Int
    }
    public var year: Int
    public var clause: String
    public var groups: [Group]
    /// The goal's name in data problems and notes (`<goal name>`: 未计入全市创建目标).
    public var name: String = ""
    /// The chart's words for a group's named towns and towns in creation (city report).
    public var namedLabel: String = ""
    public var creatingLabel: String = ""
}
