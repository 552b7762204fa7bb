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
    return targets.indices.map { i in
        let t = targets[i]
        var f = ds.figure(unit, year, t.indicator)
        var threshold = t.value
        if let ref = t.ref {
            if let towns {
                // Pooled: means over the towns that have both values.
                let pairs = towns.compactMap { code -> (Rational, Rational)? in
                    let a = ds.figure(code, year, t.indicator), b = ds.figure(code, year, ref)
                    guard a.state == .value, b.state == .value else { return nil }
                    return (a.number!, b.number!)
                }
                let anyError = towns.contains { ds.figure($0, year, t.indicator).state == .error || ds.figure($0, year, ref).state == .error }
                if pairs.isEmpty {
                    return TargetResult(of: targets, i, status: anyError ? .error : .noData, figure: anyError ? .error([]) : .noData, threshold: nil)
                }
                let n = Rational(pairs.count)
                f = Figure(state: .value, number: pairs.reduce(Rational(0)) { $0 + $1.0 } / n, approximate: true)
                threshold = pairs.reduce(Rational(0)) { $0 + $1.1 } / n
            } else {
                let r = ds.figure(unit, year, ref)
                if r.state == .error { return TargetResult(of: targets, i, status: .error, figure: f, threshold: nil) }
                if f.state == .value && r.state != .value { return TargetResult(of: targets, i, status: .noData, figure: f, threshold: nil) }
                threshold = r.number
            }
        }
        return TargetResult(of: targets, i, status: judge(f, t.op, threshold), figure: f, threshold: threshold)
    }
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
