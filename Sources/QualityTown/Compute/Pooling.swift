// MARK: - Pooling towns → county → city → province (suzhou-town.md §1 "Pooling")

/// Adds pooled figures for every unit above the towns, for every year with data.
/// Counts and stocks are summed; rates are Σnumerator/Σdenominator over towns whose rate is a
/// value or not applicable; flags are 是 when every town with data says 是; scores are weighted
/// by their sample sizes (a plain mean, approximate, when a weight is missing); percents and
/// levels are plain means (approximate). Towns in error are left out and make the figure
/// approximate. A county's own row for a county-level indicator is the county's value.
/// A pooled value that leaves 64-bit integers is an error, reported (returned) at its towns' cells.
@discardableResult
public func pool(_ ds: inout Dataset, tree: UnitTree, scheme: Scheme, workers: Int = 1, townsBelow: [String: [String]]? = nil) -> [Diagnostic] {
    let years = Set(ds.figures.keys.map(\.year))
    let below = townsBelow ?? QualityTown.townsBelow(tree)
    let pooledUnits = tree.units.filter { $0.level.tier != .town }
    let ids = ds.ids
    // Slots of each indicator, its weight and each rate, found once (not hashed per unit).
    let indicatorSlots = scheme.indicators.map { (slot: ids.slot($0.id)!, weight: $0.weight.flatMap { ids.slot($0) }) }
    let rateSlots = scheme.rates.map { ids.slot($0.id)! }
    // What pooling reads of each indicator (an indicator is a dozen fields: copied per unit, it
    // counted references).
    let kinds = scheme.indicators.map(\.kind), countyLevel = scheme.indicators.map(\.countyLevel)
    var problems: [Diagnostic] = []
    for year in years.sorted() {
        // Every pooled unit reads only its towns' figures, never another pooled unit's: the
        // units are pooled in parallel from the towns' tables, then stored (the snapshot they
        // read from is let go first, so storing does not copy the dataset).
        func pooledTables(_ source: Dataset) -> [(table: FigureTable?, overflowed: [Int])] {
            parallelMap(pooledUnits, workers: workers) { u -> (table: FigureTable?, overflowed: [Int]) in
                var table = source.figures[UnitYear(unit: u.code, year: year)]
                // Every figure of every member folded into one accumulator per slot, member by
                // member, each figure read in place (a member's figures lie together; a figure
                // copied into a column per slot counted references ten million times).
                var acc = [PoolAccumulator](repeating: PoolAccumulator(), count: ids.ids.count)
                for code in below[u.code] ?? [] {
                    // A member without figures has no data in any slot.
                    guard let m = source.figures[UnitYear(unit: code, year: year)] else { continue }
                    m.withSlots { f in
                        guard !f.isEmpty else { return }
                        for k in kinds.indices {
                            let (s, weight) = indicatorSlots[k]
                            acc[s].addIndicator(f[s], weight: weight.flatMap { f[$0] })
                        }
                        for s in rateSlots { acc[s].addRate(f[s]) }
                    }
                }
                var overflowed: [Int] = []
                for k in kinds.indices {
                    let (s, _) = indicatorSlots[k]
                    if countyLevel[k], u.level.tier == .county, (table?[slot: s] ?? .noData).state != .noData { continue }
                    let f = acc[s].indicator(kinds[k])
                    if acc[s].overflow && kinds[k] != .rank { overflowed.append(s) }
                    if f.state != .noData { table = table ?? FigureTable(ids); table![slot: s] = f } else { table?[slot: s] = nil }
                }
                for s in rateSlots {
                    let f = acc[s].rate()
                    if acc[s].overflow { overflowed.append(s) }
                    if f.state != .noData { table = table ?? FigureTable(ids); table![slot: s] = f }
                }
                return (table, overflowed)
            }
        }
        let tables = pooledTables(ds)
        for (u, pooled) in zip(pooledUnits, tables) {
            // Rare: the members' cells are gathered only for a value that overflowed.
            for s in pooled.overflowed {
                let cells = (below[u.code] ?? []).flatMap { ds.figures[UnitYear(unit: $0, year: year)]?[slot: s]?.sources ?? [] }.sorted()
                let label = scheme.indicator(ids.ids[s])?.header ?? scheme.rates.first { $0.id == ids.ids[s] }?.label ?? ids.ids[s]
                problems.append(overflowDiagnostic("\(u.name)\(year)年“\(label)”的汇总", at: cells, unit: u.code))
            }
            if let table = pooled.table { ds.figures[UnitYear(unit: u.code, year: year)] = table }
        }
    }
    return problems
}

/// The towns below each unit above them (county, city, province…), in one pass up from each
/// town, in the tree's order.
public func townsBelow(_ tree: UnitTree) -> [String: [String]] {
    var below: [String: [String]] = [:]
    for t in tree.units where t.level.tier == .town {
        var cur = t.parent
        var steps = 0
        while let c = cur, steps < 64 {
            below[c, default: []].append(t.code)
            cur = tree.unit(c)?.parent
            steps += 1
        }
    }
    return below
}

/// One figure pooled over members, folded in one member at a time (no list of the members'
/// figures is made). Sums of exact fractions do not depend on their order.
struct PoolAccumulator {
    var errors = false
    /// A sum left 64-bit integers: the pooled figure is an error (reported by `pool`).
    var overflow = false
    /// Members whose figure is a value (indicators), or a value or not applicable (rates).
    var values = 0
    var sum = Rational(0)
    var allOne = true
    /// Whether every value so far has a positive weight (never, for an indicator without a
    /// weight), and the weighted sums.
    var allWeighted = true
    var weightedSum = Rational(0), weights = Rational(0)
    var numerator = Rational(0), denominator = Rational(0)

    /// A member's indicator figure (nil: none, no data), with its weight's figure (nil when the
    /// indicator has no weight, or the member no figure for it).
    mutating func addIndicator(_ f: Figure?, weight: Figure?) {
        guard let f else { return }
        switch f.state {
        case .error: errors = true
        case .value:
            let n = f.number!
            values += 1
            sum = Self.add(sum, n, &overflow)
            if n != Rational(1) { allOne = false }
            if let w = weight, w.state == .value, let wn = w.number, wn > Rational(0) {
                if let p = n.multiplied(by: wn) { weightedSum = Self.add(weightedSum, p, &overflow) } else { overflow = true }
                weights = Self.add(weights, wn, &overflow)
            } else {
                allWeighted = false
            }
        case .noData, .notApplicable: break
        }
    }

    /// A member's rate figure (nil: none, no data).
    mutating func addRate(_ f: Figure?) {
        guard let f else { return }
        switch f.state {
        case .error: errors = true
        case .value, .notApplicable:
            values += 1
            numerator = Self.add(numerator, f.numerator ?? Rational(0), &overflow)
            denominator = Self.add(denominator, f.denominator ?? Rational(0), &overflow)
        case .noData: break
        }
    }

    /// `total + x`, or `total` with `overflow` set (never a trap).
    private static func add(_ total: Rational, _ x: Rational, _ overflow: inout Bool) -> Rational {
        if let t = total.adding(x) { return t }
        overflow = true
        return total
    }

    /// An indicator over the members: counts and stocks summed; a flag 是 when every member with
    /// a value says 是; a score weighted by its sample sizes (a plain mean, approximate, when a
    /// weight is missing); percents and levels plain means (approximate); amounts summed exactly.
    /// Members in error are left out and make the figure approximate; none with a value: error
    /// or no data. A rank is never pooled: a place is the unit's own, and no sum or mean of its
    /// members' places is one (quzhou-city.md §4, a rank on the city row only).
    func indicator(_ kind: IndicatorKind) -> Figure {
        if kind == .rank { return .noData }
        guard values > 0 else { return errors ? Figure(state: .error, approximate: true) : .noData }
        var f = Figure(state: .value, approximate: errors)
        let number: Rational?
        switch kind {
        case .count, .stock, .amount:
            number = sum
        case .rank:
            return .noData
        case .flag:
            number = Rational(allOne ? 1 : 0)
        case .score:
            if allWeighted {
                number = weightedSum.divided(by: weights)
            } else {
                number = sum.divided(by: Rational(values))
                f.approximate = true
            }
        case .percent, .level:
            number = sum.divided(by: Rational(values))
            f.approximate = true
        }
        // A flag does not add; otherwise an overflow anywhere makes the value unknowable.
        guard kind == .flag || (!overflow && number != nil) else { return Figure(state: .error, approximate: true) }
        f.number = number
        return f
    }

    /// A rate: Σnumerator/Σdenominator over members whose rate is a value or not applicable
    /// (0/0: not applicable).
    func rate() -> Figure {
        guard values > 0 else { return errors ? Figure(state: .error, approximate: true) : .noData }
        guard !overflow else { return Figure(state: .error, approximate: true) }
        if denominator == Rational(0) {
            return Figure(state: .notApplicable, numerator: numerator, denominator: denominator, approximate: errors)
        }
        guard let percentage = Rational.percentage(numerator, of: denominator) else { return Figure(state: .error, approximate: true) }
        return Figure(state: .value, number: percentage, numerator: numerator,
                      denominator: denominator, approximate: errors)
    }
}
