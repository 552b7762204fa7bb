// MARK: - Target rule forms beyond a fixed threshold
//
// Generic forms a scheme's targets use (quzhou-city.md §4, §6): a figure against a constant, a
// value set from outside (reference.csv), the unit's own figure of the previous year (strictly
// higher), either of two rules, and ratios scaled by 100 or 10,000. The order of states is §6's:
// the figure in error or not applicable gives that status; then a reference or previous value
// in error gives error; then anything missing gives no-data; then the exact comparison.

/// A value a rule needed and did not have, to be named on the page ("缺2019年全国平均值").
public struct MissingInput: Sendable, Hashable {
    /// `reference` key or `previous` indicator.
    public var what: String
    public var year: Int
    /// True for a reference value, false for the unit's previous-year figure.
    public var isReference: Bool
}

/// A rule judged: its status, the figure, what it was compared with, what was missing.
public struct RuleJudgement: Sendable, Hashable {
    public var status: TargetStatus
    public var value: Measure
    /// The operand's value (the constant, the reference, last year's figure).
    public var against: Measure?
    public var missing: [MissingInput]
    /// The parts of an either/or rule, in order.
    public var parts: [RuleJudgement]
}

/// Judges `form` for one unit and year. `figure(indicator, year)` gives the unit's figures;
/// `reference(key, year)` a value set from outside (`.noData` when absent, `.error` on a conflict).
public func judgeRule(_ form: RuleForm, year: Int, figure: (String, Int) -> Measure,
                      reference: (String, Int) -> Measure) -> RuleJudgement {
    switch form {
    case .compare(let indicator, let op, let operand):
        let v = figure(indicator, year)
        let against: Measure
        var missing: [MissingInput] = []
        switch operand {
        case .constant(let c): against = .value(c)
        case .reference(let key):
            against = reference(key, year)
            if against == .noData || against == .notApplicable { missing.append(MissingInput(what: key, year: year, isReference: true)) }
        case .previousYear:
            against = figure(indicator, year - 1)
            // A previous value that is not applicable counts as missing (§6).
            if against == .noData || against == .notApplicable { missing.append(MissingInput(what: indicator, year: year - 1, isReference: false)) }
        }
        let status: TargetStatus
        switch (v, against) {
        case (.error, _): status = .error
        case (.notApplicable, _): status = .notApplicable
        case (_, .error): status = .error
        case (.value(let a), .value(let b)): status = op.holds(a, b) ? .met : .unmet
        default: status = .noData
        }
        return RuleJudgement(status: status, value: v, against: against, missing: status == .noData ? missing : [], parts: [])
    case .either(let a, let b):
        let ja = judgeRule(a, year: year, figure: figure, reference: reference)
        let jb = judgeRule(b, year: year, figure: figure, reference: reference)
        return RuleJudgement(status: eitherStatus(ja.status, jb.status), value: jb.value, against: jb.against,
                             missing: ja.missing + jb.missing, parts: [ja, jb])
    }
}

/// Either of two rules (§4 Q7): met when either is known to hold; unmet when both are known and
/// neither holds; otherwise error when a part is in error, else no-data.
public func eitherStatus(_ a: TargetStatus, _ b: TargetStatus) -> TargetStatus {
    if a == .met || b == .met { return .met }
    let known: Set<TargetStatus> = [.met, .unmet]
    if known.contains(a) && known.contains(b) { return .unmet }
    if a == .error || b == .error { return .error }
    return .noData
}
