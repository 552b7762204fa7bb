// MARK: - Pooling towns → county → city → province (suzhou-town.md §1 "Pooling")

/// Adds pooled figures for every unit above the towns, for every year with data.
/// Counts and stocks are summed; rates are Σnumerator/Σdenominator over towns whose rate is a
/// value or not applicable; flags are 是 when every town with data says 是; scores are weighted
/// by their sample sizes (a plain mean, approximate, when a weight is missing); percents and
/// levels are plain means (approximate). Towns in error are left out and make the figure
/// approximate. A county's own row for a county-level indicator is the county's value.
public func pool(_ ds: inout Dataset, tree: UnitTree, scheme: Scheme, workers: Int = 1, townsBelow: [String: [String]]? = nil) {
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
    for year in years.sorted() {
        // Every pooled unit reads only its towns' figures, never another pooled unit's: the
        // units are pooled in parallel from the towns' tables, then stored (the snapshot they
        // read from is let go first, so storing does not copy the dataset).
        func pooledTables(_ source: Dataset) -> [FigureTable?] {
            parallelMap(pooledUnits, workers: workers) { u -> FigureTable? in
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
                for k in kinds.indices {
                    let (s, _) = indicatorSlots[k]
                    if countyLevel[k], u.level.tier == .county, (table?[slot: s] ?? .noData).state != .noData { continue }
                    let f = acc[s].indicator(kinds[k])
                    if f.state != .noData { table = table ?? FigureTable(ids); table![slot: s] = f } else { table?[slot: s] = nil }
                }
                for s in rateSlots {
                    let f = acc[s].rate()
                    if f.state != .noData { table = table ?? FigureTable(ids); table![slot: s] = f }
                }
                return table
            }
        }
        let tables = pooledTables(ds)
        for (u, table) in zip(pooledUnits, tables) {
            if let table { ds.figures[UnitYear(unit: u.code, year: year)] = table }
        }
    }
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
            sum = sum + n
            if n != Rational(1) { allOne = false }
            if let w = weight, w.state == .value, let wn = w.number, wn > Rational(0) {
                weightedSum = weightedSum + n * wn
                weights = weights + wn
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
            numerator = numerator + (f.numerator ?? Rational(0))
            denominator = denominator + (f.denominator ?? Rational(0))
        case .noData: break
        }
    }

    /// An indicator over the members: counts and stocks summed; a flag 是 when every member with
    /// a value says 是; a score weighted by its sample sizes (a plain mean, approximate, when a
    /// weight is missing); percents and levels plain means (approximate). Members in error are
    /// left out and make the figure approximate; none with a value: error or no data.
    func indicator(_ kind: IndicatorKind) -> Figure {
        guard values > 0 else { return errors ? Figure(state: .error, approximate: true) : .noData }
        var f = Figure(state: .value, approximate: errors)
        switch kind {
        case .count, .stock:
            f.number = sum
        case .flag:
            f.number = Rational(allOne ? 1 : 0)
        case .score:
            if allWeighted {
                f.number = weightedSum / weights
            } else {
                f.number = sum / Rational(values)
                f.approximate = true
            }
        case .percent, .level:
            f.number = sum / Rational(values)
            f.approximate = true
        }
        return f
    }

    /// A rate: Σnumerator/Σdenominator over members whose rate is a value or not applicable
    /// (0/0: not applicable).
    func rate() -> Figure {
        guard values > 0 else { return errors ? Figure(state: .error, approximate: true) : .noData }
        if denominator == Rational(0) {
            return Figure(state: .notApplicable, numerator: numerator, denominator: denominator, approximate: errors)
        }
        return Figure(state: .value, number: numerator / denominator * Rational(100), numerator: numerator,
                      denominator: denominator, approximate: errors)
    }
}
