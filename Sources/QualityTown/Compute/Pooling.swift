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
    let weighted = scheme.indicators.map { $0.weight != nil }
    for year in years.sorted() {
        // Every pooled unit reads only its towns' figures, never another pooled unit's: the
        // units are pooled in parallel from the towns' tables, then stored (the snapshot they
        // read from is let go first, so storing does not copy the dataset).
        func pooledTables(_ source: Dataset) -> [FigureTable?] {
            parallelMap(pooledUnits, workers: workers) { u -> FigureTable? in
                let members = (below[u.code] ?? []).map { source.figures[UnitYear(unit: $0, year: year)] ?? FigureTable() }
                var table = source.figures[UnitYear(unit: u.code, year: year)]
                // Each figure over the members, read member by member (a member's figures lie
                // together; reading one figure of every member at a time missed the cache on
                // nearly every read, a province having a thousand towns).
                var columns = [[Figure]](repeating: [], count: ids.ids.count)
                for k in columns.indices { columns[k].reserveCapacity(members.count) }
                for m in members {
                    for k in columns.indices { columns[k].append(m[slot: k] ?? .noData) }
                }
                func figures(_ slot: Int?) -> [Figure] {
                    guard let s = slot else { return members.map { _ in .noData } }
                    return columns[s]
                }
                for k in kinds.indices {
                    let (s, weight) = indicatorSlots[k]
                    if countyLevel[k], u.level.tier == .county, (table?[slot: s] ?? .noData).state != .noData { continue }
                    let f = pooledIndicator(kinds[k], figures(s), weights: weighted[k] ? figures(weight) : nil)
                    if f.state != .noData { table = table ?? FigureTable(ids); table![slot: s] = f } else { table?[slot: s] = nil }
                }
                for s in rateSlots {
                    let f = pooledRate(figures(s))
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

/// Pools one indicator over member figures.
func pooledIndicator(_ kind: IndicatorKind, _ figs: [Figure], weights: [Figure]?) -> Figure {
    let errors = figs.contains { $0.state == .error }
    let values = figs.indices.filter { figs[$0].state == .value }
    guard !values.isEmpty else { return errors ? Figure(state: .error, approximate: true) : .noData }
    var f = Figure(state: .value, approximate: errors)
    switch kind {
    case .count, .stock:
        f.number = values.reduce(Rational(0)) { $0 + figs[$1].number! }
    case .flag:
        f.number = Rational(values.allSatisfy { figs[$0].number == Rational(1) } ? 1 : 0)
    case .score:
        let ws = weights ?? []
        let weighted = values.allSatisfy { i in i < ws.count && ws[i].state == .value && ws[i].number! > Rational(0) }
        if weighted {
            var num = Rational(0), den = Rational(0)
            for i in values {
                num = num + figs[i].number! * ws[i].number!
                den = den + ws[i].number!
            }
            f.number = num / den
        } else {
            f.number = values.reduce(Rational(0)) { $0 + figs[$1].number! } / Rational(values.count)
            f.approximate = true
        }
    case .percent, .level:
        f.number = values.reduce(Rational(0)) { $0 + figs[$1].number! } / Rational(values.count)
        f.approximate = true
    }
    return f
}

/// Pools a rate: Σnum/Σden over members whose rate is a value or not applicable.
func pooledRate(_ figs: [Figure]) -> Figure {
    // One pass over the members, read in place (no list of the usable ones).
    var errors = false, usable = false
    var num = Rational(0), den = Rational(0)
    for i in figs.indices {
        switch figs[i].state {
        case .error: errors = true
        case .value, .notApplicable:
            usable = true
            num = num + (figs[i].numerator ?? Rational(0))
            den = den + (figs[i].denominator ?? Rational(0))
        case .noData: break
        }
    }
    guard usable else { return errors ? Figure(state: .error, approximate: true) : .noData }
    if den == Rational(0) {
        return Figure(state: .notApplicable, numerator: num, denominator: den, approximate: errors)
    }
    return Figure(state: .value, number: num / den * Rational(100), numerator: num, denominator: den, approximate: errors)
}
