// MARK: - Pooling a city's figures from its counties (quzhou-city.md §4 Pooling)
//
// The same rules as suzhou-town.md §1, on `Measure`s: counts, amounts and stocks summed; rates as
// ratios of the sums over the units whose rate is a value or not applicable; percents and scores
// the city's own row when it has one, else the plain mean. Units in error are left out and make
// the pooled value approximate; with nothing left, an error stays an error.

/// A pooled figure: the measure, and whether units in error were left out (or a mean stands in).
public struct PooledMeasure: Sendable, Hashable {
    public var measure: Measure
    public var approximate: Bool

    public init(_ measure: Measure, approximate: Bool = false) {
        self.measure = measure
        self.approximate = approximate
    }
}

/// Σ over the parts with a value; parts in error are left out (approximate). No value: error
/// when a part is in error, else no data.
public func poolSum(_ parts: [Measure]) -> PooledMeasure {
    let values = parts.compactMap(\.number)
    let errors = parts.contains(.error)
    if values.isEmpty { return PooledMeasure(errors ? .error : .noData) }
    // A sum that leaves 64-bit integers is an error, never a trap.
    guard let sum = exactSum(values) else { return PooledMeasure(.error, approximate: errors) }
    return PooledMeasure(.value(sum), approximate: errors)
}

/// A rate pooled as Σ numerators / Σ denominators over the units whose own rate is a value or not
/// applicable (`ratio` decides each unit's, and then the pooled one); units whose rate is in error
/// are left out (approximate).
public func poolRatio(_ parts: [(numerator: Measure, denominator: Measure)], scale: Rational = Rational(100),
                      mayExceed: Bool = false) -> PooledMeasure {
    poolRatioWithParts(parts, scale: scale, mayExceed: mayExceed).pooled
}

/// `poolRatio`, with the sums it is the ratio of: Σ numerators and Σ denominators over the units
/// used (no data when none is). The pooled rate's own parts, not the pooled indicators': a county
/// whose rate is in error or has no data adds to the city's count (a sum over every county) but
/// not to the rate, and a numerator and denominator shown beside the rate must give it.
public func poolRatioWithParts(_ parts: [(numerator: Measure, denominator: Measure)], scale: Rational = Rational(100),
                               mayExceed: Bool = false) -> (pooled: PooledMeasure, numerator: Measure, denominator: Measure) {
    var num = Rational(0), den = Rational(0)
    var used = 0
    var errors = false
    for p in parts {
        switch ratio(p.numerator, p.denominator, scale: scale, mayExceed: mayExceed) {
        case .error: errors = true
        case .noData: continue
        case .value, .notApplicable:
            guard let n = num.adding(p.numerator.number ?? Rational(0)), let d = den.adding(p.denominator.number ?? Rational(0)) else {
                return (PooledMeasure(.error, approximate: errors), .error, .error)
            }
            (num, den) = (n, d)
            used += 1
        }
    }
    if used == 0 { return (PooledMeasure(errors ? .error : .noData), .noData, .noData) }
    return (PooledMeasure(ratio(.value(num), .value(den), scale: scale, mayExceed: mayExceed), approximate: errors),
            .value(num), .value(den))
}

/// A percent or score: the unit's own row when it has one (§4), else the plain mean of the parts
/// with a value, always approximate; parts in error are left out.
public func poolMean(_ parts: [Measure], own: Measure = .noData) -> PooledMeasure {
    if own != .noData { return PooledMeasure(own) }
    let values = parts.compactMap(\.number)
    if values.isEmpty { return PooledMeasure(parts.contains(.error) ? .error : .noData) }
    guard let mean = exactSum(values)?.divided(by: Rational(values.count)) else { return PooledMeasure(.error, approximate: true) }
    return PooledMeasure(.value(mean), approximate: true)
}
