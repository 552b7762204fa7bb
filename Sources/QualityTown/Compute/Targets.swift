// MARK: - Target judgments (三、创建目标), exact

/// The status of a target (io-contract.md results.json).
public enum TargetStatus: String, Sendable, Codable {
    case met, unmet
    case noData = "no-data"
    case notApplicable = "not-applicable"
    case error

    /// The word a page shows (never colour alone).
    public var label: String {
        switch self {
        case .met: return "达标"
        case .unmet: return "未达标"
        case .noData: return "缺数据"
        case .notApplicable: return "不适用"
        case .error: return "数据错误"
        }
    }
}

/// One target judged for one unit.
public struct TargetResult: Sendable {
    private let shared: SharedElement<Target>
    public var target: Target { shared.value }
    public var status: TargetStatus
    /// The unit's figure (value, or the state).
    public var figure: Figure
    /// What it was compared with (the threshold, or the unit's own reference figure).
    @PackedRational public var threshold: Rational?

    /// The result of `targets[index]`.
    public init(of targets: [Target], _ index: Int, status: TargetStatus, figure: Figure, threshold: Rational?) {
        shared = SharedElement(targets, index)
        self.status = status
        self.figure = figure
        self.threshold = threshold
    }
}

/// Judges every target of the scheme for a unit-year. For a town the comparison is with its own
/// figures; for a pooled unit with a reference target (T10), the mean of the indicator is
/// compared with the mean of the reference over the same towns (those having both).
public func judgeTargets(_ scheme: Scheme, unit: String, year: Int, dataset ds: Dataset, towns: [String]?) -> [TargetResult] {
    let targets = scheme.targets
    // The unit's table is looked up once (not once per target), and the targets read in place.
    let table = ds.figures[UnitYear(unit: unit, year: year)] ?? FigureTable()
    return targets.withUnsafeBufferPointer { ts in
        ts.indices.map { i in
            let t = ts.baseAddress! + i
            var f = table[t.pointee.indicator] ?? .noData
            var threshold = t.pointee.value
            if let ref = t.pointee.ref {
                // A county's own row (suzhou-town.md §1: "That row is the county's own value (its
                // page and targets show it)") is compared as a town's would be; only a unit whose
                // figures are both pooled compares the means over its towns.
                if let towns, !isOwnRow(table[t.pointee.indicator]), !isOwnRow(table[ref]) {
                    // Pooled: means over the towns that have both values (each town's table
                    // looked up once).
                    var pairs: [(Rational, Rational)] = []
                    var anyError = false
                    for code in towns {
                        let m = ds.figures[UnitYear(unit: code, year: year)]
                        let a = m?[t.pointee.indicator] ?? .noData, b = m?[ref] ?? .noData
                        if a.state == .error || b.state == .error { anyError = true }
                        if a.state == .value, b.state == .value { pairs.append((a.number!, b.number!)) }
                    }
                    if pairs.isEmpty {
                        return TargetResult(of: targets, i, status: anyError ? .error : .noData, figure: anyError ? .error([]) : .noData, threshold: nil)
                    }
                    // Means of many long decimals can leave 64 bits: then the target is in error
                    // (the pooled figures themselves are reported by `pool`).
                    let n = Rational(pairs.count)
                    func mean(_ values: [Rational]) -> Rational? {
                        var sum = Rational(0)
                        for v in values { guard let s = sum.adding(v) else { return nil }; sum = s }
                        return sum.divided(by: n)
                    }
                    guard let value = mean(pairs.map(\.0)), let reference = mean(pairs.map(\.1)) else {
                        return TargetResult(of: targets, i, status: .error, figure: Figure(state: .error, approximate: true), threshold: nil)
                    }
                    f = Figure(state: .value, number: value, approximate: true)
                    threshold = reference
                } else {
                    let r = table[ref] ?? .noData
                    if r.state == .error { return TargetResult(of: targets, i, status: .error, figure: f, threshold: nil) }
                    if f.state == .value && r.state != .value { return TargetResult(of: targets, i, status: .noData, figure: f, threshold: nil) }
                    threshold = r.number
                }
            }
            return TargetResult(of: targets, i, status: judge(f, t.pointee.op, threshold), figure: f, threshold: threshold)
        }
    }
}

/// True for a figure a unit above the towns was given on its own row (it has cells and was not
/// inherited); pooled figures have no cells of their own.
func isOwnRow(_ f: Figure?) -> Bool {
    guard let f else { return false }
    return !f.sources.isEmpty && f.inheritedFrom == nil
}

/// A figure against a threshold: its state first, then the exact comparison.
func judge(_ f: Figure, _ op: Comparison, _ threshold: Rational?) -> TargetStatus {
    switch f.state {
    case .error: return .error
    case .noData: return .noData
    case .notApplicable: return .notApplicable
    case .value:
        guard let v = f.number, let th = threshold else { return .noData }
        return op.holds(v, th) ? .met : .unmet
    }
}
