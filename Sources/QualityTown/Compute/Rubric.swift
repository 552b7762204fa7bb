// MARK: - The rubric engine (附件1): rule forms, manual scores, caps, discrepancies

/// How a criterion's points arose (the 备注 column says it in words: `AssessmentColumns.label`).
/// The engine's own states are worded here; the scores people give are marked in the scheme's
/// words (`<score label adjusted-label>`), so their raw values are only ids.
public enum ScoreSource: String, Sendable, Codable {
    case computed = "数据核算"
    case notApplicable = "不适用"
    case noData = "缺数据"
    case error = "数据错误"
    case reviewed
    case preliminary
    case selfScored = "self"
    case unscored = "未评分"
    case adjusted
}

extension AssessmentColumns {
    /// A score source in words: the scheme's mark for a score from one of its columns (核定,
    /// 初审, 未核定) or a reviewed score replacing a computed one (核定调整); the engine's words
    /// for computed, not-applicable, no-data, error and unscored.
    func label(_ source: ScoreSource) -> String {
        switch source {
        case .reviewed: return labels[.reviewed] ?? source.rawValue
        case .preliminary: return labels[.preliminary] ?? source.rawValue
        case .selfScored: return labels[.selfScored] ?? source.rawValue
        case .adjusted: return adjustedLabel
        case .computed, .notApplicable, .noData, .error, .unscored: return source.rawValue
        }
    }
}

/// One criterion's score.
public struct CriterionScore: Sendable {
    public var id: String
    public var points: Rational
    public var source: ScoreSource
    /// The figures used, in words (`cqo 12 / ent_4up 12 = 100%`), or the assessor's 说明.
    public var note: String
    /// Cells behind the score (most have one, kept inline).
    @InlineSources public var sources: [SourceLocation]
    public var evidence: String?
    // Optional rationals in 16 bytes each (every town has a score for every criterion).
    /// Declared points (nil for per-unit criteria, bounded by the item cap).
    @PackedRational public var maximum: Rational?
    @PackedRational public var selfScore: Rational?
    /// The data-computed score of an auto criterion (also when 核定分 overrides it).
    @PackedRational public var computed: Rational? = nil

    public init(id: String, points: Rational, maximum: Rational?, source: ScoreSource, note: String, sources: [SourceLocation],
                selfScore: Rational?, evidence: String?) {
        self.id = id
        self.points = points
        self.maximum = maximum
        self.source = source
        self.note = note
        self.sources = sources
        self.selfScore = selfScore
        self.evidence = evidence
    }
}

/// One item's score.
public struct ItemScore: Sendable {
    private let shared: SharedElement<RubricItem>
    public var item: RubricItem { shared.value }
    /// The item's index in the rubric's items (`Rubric.items`).
    var itemIndex: Int { shared.position }
    /// min(Σ criteria, item maximum) — or the whole-item row's score.
    public var points: Rational
    public var sum: Rational
    public var criteria: [CriterionScore]
    /// Set when a whole-item row of assessments.csv gave the item score.
    public var wholeItem: ScoreSource?
    public var capped: Bool { sum > item.maximum }

    /// The score of `items[index]`.
    public init(of items: [RubricItem], _ index: Int, points: Rational, sum: Rational, criteria: [CriterionScore]) {
        shared = SharedElement(items, index)
        self.points = points
        self.sum = sum
        self.criteria = criteria
    }
}

/// A category's score, capped at its declared total.
public struct CategoryScore: Sendable {
    public var category: RubricCategory
    public var points: Rational
    public var sum: Rational
}

/// A self-score that differs from the computed one (自评与核算不一致), for the county to review.
public struct Discrepancy: Sendable {
    /// Criterion id, or the item number for a whole-item row (`"9"`).
    public var criterion: String
    public var selfScore: Rational
    public var computed: Rational
    public var location: SourceLocation
}

/// A town's rubric result.
public struct TownScore: Sendable {
    public var items: [ItemScore]
    public var categories: [CategoryScore]
    public var base: Rational
    public var bonus: Rational
    public var total: Rational
    public var discrepancies: [Discrepancy]
}

// MARK: - Evaluating a rule on data

/// The outcome of a rule on one unit-year.
struct RuleOutcome {
    enum State { case holds, fails, notApplicable, noData, error }
    var state: State
    /// Points for tiered and per-unit rules (nil: full points when it holds).
    var points: Rational?
    var note: String
    var sources: [SourceLocation]
}

/// What rules may look at besides the unit's own figures.
struct RuleContext {
    let dataset: Dataset
    let tree: UnitTree
    let scheme: Scheme
    let year: Int
    /// Rank tables by `rankKey` (indicator and area tier): town → rank, and group code → how
    /// many towns have a value, built once per run.
    var ranks: [String: [String: Int]] = [:]
    var rankGroupSize: [String: [String: Int]] = [:]

    /// One table per indicator and tier ranked within (two criteria may rank one indicator in
    /// different areas).
    static func rankKey(_ indicator: String, _ within: UnitTier) -> String { "\(indicator)@\(within.rawValue)" }
    /// What a note needs of each figure id (its label, whether a rate, its kind), found once:
    /// every criterion of every town describes one.
    private struct Facts {
        let label: String
        let isRate: Bool
        let kind: IndicatorKind?
    }
    private var facts: [String: Facts] = [:]

    init(dataset: Dataset, tree: UnitTree, scheme: Scheme, year: Int) {
        self.dataset = dataset
        self.tree = tree
        self.scheme = scheme
        self.year = year
        let rateIDs = Set(scheme.rates.map(\.id))
        for ind in scheme.indicators where facts[ind.id] == nil {
            facts[ind.id] = Facts(label: ind.header, isRate: rateIDs.contains(ind.id), kind: ind.kind)
        }
        for r in scheme.rates where facts[r.id] == nil { facts[r.id] = Facts(label: r.label, isRate: true, kind: nil) }
        for c in scheme.rubric?.criteria ?? [] {
            collectRanks(c.rule)
        }
    }

    private mutating func collectRanks(_ rule: Rule) {
        switch rule {
        case .rank(let ind, _, _, let within):
            if ranks[Self.rankKey(ind, within)] == nil { buildRanks(ind, within: within) }
        case .allOf(let rules), .countOf(let rules, _):
            for r in rules { collectRanks(r) }
        default: break
        }
    }

    /// Competition ranking (1, 2, 2, 4) of the towns with a value, within each area of tier
    /// `within` (the rule's `within`); towns in no such area are ranked among themselves.
    /// Sorting per group: O(n log n).
    private mutating func buildRanks(_ ind: String, within: UnitTier) {
        var groups: [String: [(String, Rational)]] = [:]
        for u in tree.units where u.level.tier == scheme.assessedTier {
            let f = dataset.figure(u.code, year, ind)
            guard f.state == .value, let v = f.number else { continue }
            groups[tree.ancestor(of: u.code, at: within)?.code ?? "", default: []].append((u.code, v))
        }
        var table: [String: Int] = [:]
        var sizes: [String: Int] = [:]
        for (g, members) in groups {
            let sorted = members.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            var rank = 1
            for (i, m) in sorted.enumerated() {
                if i > 0 && m.1 != sorted[i - 1].1 { rank = i + 1 }
                table[m.0] = rank
            }
            sizes[g] = members.count
        }
        ranks[Self.rankKey(ind, within)] = table
        rankGroupSize[Self.rankKey(ind, within)] = sizes
    }

    /// The indicator's header, else the rate's label, else the id itself.
    func label(_ id: String) -> String { facts[id]?.label ?? id }

    /// Shown as a percentage: a rate or a percent indicator.
    func isPercent(_ id: String) -> Bool { facts[id].map { $0.isRate || $0.kind == .percent } ?? false }

    /// `工业产品抽查合格批次 197 / 200 = 98.5%` or `四上企业数 12`.
    func describe(_ id: String, _ f: Figure) -> String {
        let fact = facts[id], label = fact?.label ?? id
        switch f.state {
        case .noData: return "\(label) 缺数据"
        case .error: return "\(label) 数据错误"
        case .notApplicable: return "\(label) 不适用（分母为 0）"
        case .value:
            if fact?.isRate == true, let n = f.numerator, let d = f.denominator {
                return "\(label) \(n.plain())/\(d.plain()) = \(displayNumber(f.number!, percent: true))"
            }
            if fact?.kind == .flag { return "\(label) \(f.number == Rational(1) ? "是" : "否")" }
            return "\(label) \(displayNumber(f.number!, percent: fact?.kind == .percent))"
        }
    }

    /// `figures`: the unit's table of that year, when the caller has it (a town's criteria all
    /// read one table: it is looked up once, not per figure).
    func evaluate(_ rule: Rule, unit: String, year: Int? = nil, figures: FigureTable? = nil) -> RuleOutcome {
        let y = year ?? self.year
        func fig(_ id: String) -> Figure { figures.map { $0[id] ?? .noData } ?? dataset.figure(unit, y, id) }
        func stateOutcome(_ f: Figure, _ id: String) -> RuleOutcome? {
            switch f.state {
            case .noData: return RuleOutcome(state: .noData, note: describe(id, f), sources: f.sources)
            case .error: return RuleOutcome(state: .error, note: describe(id, f), sources: f.sources)
            case .notApplicable: return RuleOutcome(state: .notApplicable, note: describe(id, f), sources: f.sources)
            case .value: return nil
            }
        }
        switch rule {
        case .manual:
            return RuleOutcome(state: .noData, note: "", sources: [])
        case .threshold(let id, let op, let value):
            let f = fig(id)
            if let o = stateOutcome(f, id) { return o }
            let ok = op.holds(f.number!, value)
            return RuleOutcome(state: ok ? .holds : .fails,
                               note: describe(id, f) + "，要求 \(op.symbol) \(displayNumber(value, percent: isPercent(id)))",
                               sources: f.sources)
        case .flag(let id):
            let f = fig(id)
            if let o = stateOutcome(f, id) { return o }
            return RuleOutcome(state: f.number == Rational(1) ? .holds : .fails, note: describe(id, f), sources: f.sources)
        case .tiers(let id, let tiers):
            let f = fig(id)
            if let o = stateOutcome(f, id) { return o }
            let p = tiers.first { f.number! >= $0.atLeast }?.points ?? Rational(0)
            return RuleOutcome(state: .holds, points: p, note: describe(id, f), sources: f.sources)
        case .rank(let id, let tiers, let zero, let within):
            let f = fig(id)
            if let o = stateOutcome(f, id) { return o }
            let group = tree.ancestor(of: unit, at: within)?.code ?? "", key = Self.rankKey(id, within)
            let rank = ranks[key]?[unit] ?? 0
            let size = rankGroupSize[key]?[group] ?? 0
            // The ranked units and the zero's note are the scheme's words (<tier short>, <rank zero-note>).
            var note = describe(id, f) + "，\(scheme.wholeAreaWord(within))第 \(rank) 名（共 \(size) 个有数据的\(scheme.assessedShortName)）"
            if let zero, f.number == Rational(0) {
                note += "；" + zero
                return RuleOutcome(state: .holds, points: Rational(0), note: note, sources: f.sources)
            }
            let p = tiers.first { rank <= $0.upTo }?.points ?? Rational(0)
            return RuleOutcome(state: .holds, points: p, note: note, sources: f.sources)
        case .perUnit(let terms, let missingZero):
            var total = Rational(0)
            var notes: [String] = []
            var sources: [SourceLocation] = []
            var missing = 0
            for t in terms {
                let f = fig(t.indicator)
                sources += f.sources
                switch f.state {
                case .error: return RuleOutcome(state: .error, note: describe(t.indicator, f), sources: f.sources)
                case .noData, .notApplicable:
                    missing += 1
                    notes.append(describe(t.indicator, f) + (missingZero ? "（按 0 计）" : ""))
                case .value:
                    // Counts of seventeen digits can leave 64 bits: an error, never a trap.
                    guard let term = f.number!.multiplied(by: t.points), let sum = total.adding(term) else {
                        return RuleOutcome(state: .error, note: describe(t.indicator, f) + "；数值过大，无法精确计算", sources: f.sources)
                    }
                    total = sum
                    notes.append(describe(t.indicator, f) + " × \(t.points.plain())")
                }
            }
            if missing == terms.count || (missing > 0 && !missingZero) {
                return RuleOutcome(state: .noData, note: notes.joined(separator: "；"), sources: sources)
            }
            return RuleOutcome(state: .holds, points: total, note: notes.joined(separator: "；"), sources: sources)
        case .compare(let id, let op, let tier):
            let f = fig(id)
            if let o = stateOutcome(f, id) { return o }
            guard let area = tree.ancestor(of: unit, at: tier) else {
                return RuleOutcome(state: .noData, note: describe(id, f) + "；不属于任何\(scheme.tierName(tier))，无从比较", sources: f.sources)
            }
            let p = dataset.figure(area.code, y, id)
            guard p.state == .value, let pv = p.number else {
                return RuleOutcome(state: .noData, note: describe(id, f) + "；\(area.name)汇总值缺失", sources: f.sources)
            }
            let ok = op.holds(f.number!, pv)
            let (a, b) = distinctDisplays(f.number!, pv, percent: true)
            return RuleOutcome(state: ok ? .holds : .fails,
                               note: "\(label(id)) \(a)，\(area.name)平均 \(b)（\(p.numerator!.plain())/\(p.denominator!.plain())）",
                               sources: f.sources)
        case .allOf(let rules), .countOf(let rules, _):
            let outcomes = rules.map { evaluate($0, unit: unit, year: y, figures: figures) }
            let note = outcomes.map(\.note).joined(separator: "；")
            let sources = outcomes.flatMap(\.sources)
            let holding = outcomes.filter { $0.state == .holds || $0.state == .notApplicable }.count
            let failing = outcomes.filter { $0.state == .fails }.count
            var need = rules.count
            if case .countOf(_, let k) = rule { need = k }
            if holding >= need { return RuleOutcome(state: .holds, note: note, sources: sources) }
            // A known failure decides, even if another part lacks data.
            if failing > rules.count - need { return RuleOutcome(state: .fails, note: note, sources: sources) }
            let errored = outcomes.contains { $0.state == .error }
            return RuleOutcome(state: errored ? .error : .noData, note: note, sources: sources)
        }
    }
}

/// Numbers as pages show them: cut (not rounded) to two decimals, or exact when shorter.
func displayNumber(_ r: Rational, percent: Bool) -> String {
    let s = r.plain(maxDigits: 2)
    return percent ? s + "%" : s
}

/// Two values cut to as many decimals as it takes for them to print differently (26.2).
func distinctDisplays(_ a: Rational, _ b: Rational, percent: Bool) -> (String, String) {
    if a == b { return (displayNumber(a, percent: percent), displayNumber(b, percent: percent)) }
    var digits = 2
    while a.cut(digits) == b.cut(digits) && digits < 12 { digits += 1 }
    let sfx = percent ? "%" : ""
    if digits == 2 { return (displayNumber(a, percent: percent), displayNumber(b, percent: percent)) }
    return (a.cut(digits) + sfx, b.cut(digits) + sfx)
}
