// MARK: - Observations → one value per (unit, year, indicator), remembering its cells

/// The four states of a figure (suzhou-town.md §1). No data and error never count as a pass.
public enum ValueState: String, Sendable, Codable {
    case value
    case noData = "no-data"
    case notApplicable = "not-applicable"
    case error
}

/// A figure of one unit and year: its state, exact value, the counts behind a rate, and the
/// cells it came from.
public struct Figure: Sendable, Hashable {
    // 64 bytes, as a large build has millions of figures: a rate keeps its counts and works its
    // percentage out from them.
    /// The number, or a rate's numerator (`counts`).
    @PackedRational private var first: Rational?
    /// A rate's denominator (`counts`).
    @PackedRational private var second: Rational?
    /// The cells behind the figure (file:line:column), in order.
    @InlineSources public var sources: [SourceLocation]
    /// `StringTable.units` number of the county a town took the figure from, or -1.
    private var inherited: Int32
    public var state: ValueState
    /// True for means of percentages, for scores without weights, or when units in error were left out.
    public var approximate: Bool
    private var counts: Counts

    private enum Counts: UInt8, Sendable, Hashable {
        /// `first` is the number.
        case none
        /// A rate's counts, without a number (not applicable: 0 / 0).
        case only
        /// A rate's counts and its number, numerator / denominator × 100.
        case withNumber
    }

    /// Numbers (counts, percents, scores, levels; rates as percentages). Flags are 1 or 0.
    public var number: Rational? {
        get {
            switch counts {
            case .none: return first
            case .only: return nil
            case .withNumber: return first! / second! * Rational(100)
            }
        }
        set {
            precondition(counts == .none, "a rate's number follows from its counts")
            first = newValue
        }
    }

    /// For rates: the summed numerator and denominator.
    public var numerator: Rational? { counts == .none ? nil : first }
    public var denominator: Rational? { counts == .none ? nil : second }

    /// Set when a town took its county's row (county-level indicators).
    public var inheritedFrom: String? {
        get { inherited < 0 ? nil : StringTable.units.name(inherited) }
        set { inherited = newValue.map { StringTable.units.id($0) } ?? -1 }
    }

    /// A rate's figure gives both `numerator` and `denominator`, and a number only when it is
    /// numerator / denominator × 100.
    public init(state: ValueState, number: Rational? = nil, numerator: Rational? = nil, denominator: Rational? = nil,
                approximate: Bool = false, sources: [SourceLocation] = [], inheritedFrom: String? = nil) {
        precondition((numerator == nil) == (denominator == nil), "a rate's figure has both counts")
        if let numerator, let denominator {
            assert(number == nil || number == numerator / denominator * Rational(100), "a rate's number follows from its counts")
            (first, second, counts) = (numerator, denominator, number == nil ? .only : .withNumber)
        } else {
            (first, second, counts) = (number, nil, .none)
        }
        self.state = state
        self.approximate = approximate
        self.sources = sources
        self.inherited = inheritedFrom.map { StringTable.units.id($0) } ?? -1
    }

    /// A number from one cell (most figures: no array is made for the cell).
    init(state: ValueState, number: Rational?, source: SourceLocation) {
        self.init(state: state, number: number)
        _sources = InlineSources(one: source)
    }

    public static let noData = Figure(state: .noData)
    public static func error(_ sources: [SourceLocation]) -> Figure { Figure(state: .error, sources: sources) }

    /// The one cell behind the figure, when there is exactly one.
    var onlySource: SourceLocation? { _sources.only }

    /// The value as a flag, when it is one.
    public var flag: Bool? { state == .value ? number.map { $0 != Rational(0) } : nil }
}

/// The cells behind a figure, one of them kept inline: most figures come from one cell, and an
/// array of one, allocated for each figure, would take 64 bytes more and a reference count to
/// copy.
@propertyWrapper
public struct InlineSources: Sendable, Hashable {
    /// The one cell, when `all` is nil (otherwise a fixed placeholder, so equal lists are equal).
    private var one: SourceLocation
    /// Every cell when there are none or several; nil when there is exactly `one`.
    private var all: [SourceLocation]?

    private static let placeholder = SourceLocation(file: "")

    public init(wrappedValue: [SourceLocation]) {
        if wrappedValue.count == 1 {
            (one, all) = (wrappedValue[0], nil)
        } else {
            (one, all) = (InlineSources.placeholder, wrappedValue)
        }
    }

    /// The cell, when there is exactly one.
    var only: SourceLocation? { all == nil ? one : nil }

    /// Exactly one cell.
    init(one: SourceLocation) {
        (self.one, all) = (one, nil)
    }

    public var wrappedValue: [SourceLocation] {
        get { all ?? [one] }
        set { self = InlineSources(wrappedValue: newValue) }
    }

    /// The cells as stored (`$sources`): one cell is read and set without making an array.
    public var projectedValue: InlineSources {
        get { self }
        set { self = newValue }
    }
}

/// Key of a unit's year.
public struct UnitYear: Sendable, Hashable {
    public var unit: String
    public var year: Int
}

/// The figure ids of a scheme, in the order its tables hold them (indicators, then rates),
/// shared by every table of a run.
public final class FigureIDs: Sendable {
    public let ids: [String]
    let slots: [String: Int]

    public init(_ ids: [String]) {
        self.ids = ids
        slots = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// A scheme's indicators, then its rates.
    public convenience init(scheme: Scheme) {
        self.init(scheme.indicators.map(\.id) + scheme.rates.map(\.id))
    }

    /// The slot of `id`.
    public func slot(_ id: String) -> Int? { slots[id] }
}

/// One unit-year's figures, one slot per indicator and rate of the scheme. (A dictionary per
/// unit-year took twice the memory, 15 KB for the 70 figures of the Suzhou scheme, and hashed
/// the id at every look-up.)
public struct FigureTable: Sendable, Equatable {
    let ids: FigureIDs?
    private var slots: [Figure?]

    /// An empty table of the scheme's figures.
    public init(_ ids: FigureIDs) {
        self.ids = ids
        slots = Array(repeating: nil, count: ids.ids.count)
    }

    /// A table with no figures (a unit-year without data).
    public init() {
        ids = nil
        slots = []
    }

    /// The figure `id`, if the table has it. Only the scheme's figure ids can be set.
    public subscript(id: String) -> Figure? {
        get {
            guard let ids, let i = ids.slot(id) else { return nil }
            return slots[i]
        }
        set {
            guard let i = ids?.slot(id) else {
                precondition(newValue == nil, "figure id \(id) is not one of the scheme's")
                return
            }
            slots[i] = newValue
        }
    }

    /// The figure in slot `i` (`FigureIDs.slot`).
    subscript(slot i: Int) -> Figure? {
        get { slots.isEmpty ? nil : slots[i] }
        set {
            // A table without figures (a unit-year without data) stays without them.
            if slots.isEmpty {
                precondition(newValue == nil, "a figure set in a table without slots")
                return
            }
            slots[i] = newValue
        }
    }

    /// The slots, read in place (none for a table without figures).
    func withSlots<R>(_ body: (UnsafeBufferPointer<Figure?>) -> R) -> R {
        slots.withUnsafeBufferPointer(body)
    }

    /// The figures the table has, in slot order.
    public var figures: [(id: String, figure: Figure)] {
        guard let ids else { return [] }
        return slots.indices.compactMap { i in slots[i].map { (ids.ids[i], $0) } }
    }

    public static func == (a: FigureTable, b: FigureTable) -> Bool {
        a.figures.elementsEqual(b.figures) { $0.id == $1.id && $0.figure == $1.figure }
    }
}

/// All figures of a run: raw indicators and derived rates per unit-year, towns and pooled units.
public struct Dataset: Sendable {
    public let ids: FigureIDs
    public var figures: [UnitYear: FigureTable] = [:]

    public init(ids: FigureIDs) {
        self.ids = ids
    }

    public func figure(_ unit: String, _ year: Int, _ id: String) -> Figure {
        figures[UnitYear(unit: unit, year: year)]?[id] ?? .noData
    }
}

/// Builds the town (and county-row) figures from observations (suzhou-town.md §1, "Periods"):
/// conflicts between rows or files reject both cells; a rejected cell makes the unit-year value
/// an error (never a partial sum); flows are summed over a year's periods, everything else
/// takes the latest period; then rates are derived exactly and county-level indicators reach
/// the towns of a county that gave them on its own row.
///
/// `keyLimit` (tests only) is how wide a sort key may be before the keys are numbered densely.
/// `beforeTables` runs once the cells are sorted, before the tables are filled (the compute
/// stage waits there for other work holding memory to finish).
public func buildDataset(_ inputs: InputSet, scheme: Scheme, diagnostics: inout DiagnosticBag, workers: Int = 1,
                         minimumSlice: Int = 50_000, beforeTables: () -> Void = {}, keyLimit: Int = 1 << 31) -> Dataset {
    let all = inputs.observations
    let ids = FigureIDs(scheme: scheme)
    // Each rate with the slots of its numerator, denominator and itself.
    let rateSlots = scheme.rates.map { r in (rate: r, numerator: ids.slot(r.numerator)!, denominator: ids.slot(r.denominator)!, slot: ids.slot(r.id)!) }
    var ds = Dataset(ids: ids)
    // The cells of one unit, year and indicator are brought together by sorting integer keys
    // that order like (unit code, year, indicator id), each cell's position breaking ties so a
    // group keeps file order. (A hash table of the groups costs a cache miss per cell; a sort of
    // integers does not.)
    // Units and indicators are numbered as first seen (consecutive cells of a row share their
    // unit, so most cells compare one string instead of hashing it), then ranked by name.
    var unitNumbers = FirstSeenNumbers(), indicatorNumbers = FirstSeenNumbers()
    for u in inputs.units.units { _ = unitNumbers.number(u.code) }
    for i in scheme.indicators { _ = indicatorNumbers.number(i.id) }
    var minYear = Int.max, maxYear = Int.min
    var unitOfGroup: (Int) -> Int = { _ in 0 }
    // The scheme's indicator (position, slot) of each indicator rank: a group's kind is found
    // from its key, without hashing its id.
    let kindIndex = Dictionary(scheme.indicators.enumerated().map { ($1.id, ($0, ids.slot($1.id)!)) }, uniquingKeysWith: { a, _ in a })
    var kindOfRank: [(Int, Int)?] = [], indicatorCount = 1
    var cellUnit = [Int32](repeating: 0, count: all.count), cellIndicator = [Int32](repeating: 0, count: all.count)
    var lastRawUnit: Int32 = -1, lastUnitID = -1
    // A row's cells come in its file's column order, row after row: the indicator that followed
    // this one last time is tried first (one integer compare instead of hashing the id). Units
    // and indicators are compared by their numbers in the string tables.
    var lastIndicator = -1, followedBy = [Int](repeating: -1, count: indicatorNumbers.list.count)
    var rawOfIndicator = [Int32](repeating: -1, count: indicatorNumbers.list.count)
    for (k, o) in all.enumerated() {
        if o.unitID != lastRawUnit {
            lastUnitID = unitNumbers.number(o.unit)
            lastRawUnit = o.unitID
        }
        cellUnit[k] = Int32(lastUnitID)
        let guess = lastIndicator >= 0 && lastIndicator < followedBy.count ? followedBy[lastIndicator] : -1
        let indicator: Int
        if guess >= 0, rawOfIndicator[guess] == o.indicatorID {
            indicator = guess
        } else {
            indicator = indicatorNumbers.number(o.indicator)
            if indicator >= rawOfIndicator.count { rawOfIndicator += Array(repeating: -1, count: indicator + 1 - rawOfIndicator.count) }
            rawOfIndicator[indicator] = o.indicatorID
        }
        if lastIndicator >= 0 {
            if lastIndicator >= followedBy.count { followedBy += Array(repeating: -1, count: indicatorNumbers.list.count - followedBy.count) }
            followedBy[lastIndicator] = indicator
        }
        lastIndicator = indicator
        cellIndicator[k] = Int32(indicator)
        minYear = min(minYear, o.year)
        maxYear = max(maxYear, o.year)
    }
    // Sorted cells, each as its group's key in the high 32 bits and its position in the low 32.
    var sorted: [UInt64] = [], perUnit = 1
    if !all.isEmpty {
        precondition(all.count < 1 << 32, "more than 2³² cells")
        func ranks(_ list: [String]) -> [Int] {
            var rank = [Int](repeating: 0, count: list.count)
            for (r, i) in list.indices.sorted(by: { list[$0] < list[$1] }).enumerated() { rank[i] = r }
            return rank
        }
        let unitRank = ranks(unitNumbers.list), indicatorRank = ranks(indicatorNumbers.list)
        let years = maxYear - minYear + 1, indicators = indicatorRank.count
        indicatorCount = indicators
        kindOfRank = Array(repeating: nil, count: indicators)
        for (i, id) in indicatorNumbers.list.enumerated() { kindOfRank[indicatorRank[i]] = kindIndex[id] }
        func key(_ k: Int) -> Int {
            (unitRank[Int(cellUnit[k])] * years + (all[k].year - minYear)) * indicators + indicatorRank[Int(cellIndicator[k])]
        }
        if unitRank.count * years * indicators < keyLimit {
            // Key in the high half, position in the low half: one integer sort.
            sorted = all.indices.map { UInt64(key($0)) << 32 | UInt64($0) }
            sorted.sort()
            perUnit = years * indicators
        } else {
            // Keys too wide for 32 bits: sorted as they are, then numbered densely (a unit's
            // groups get consecutive numbers, so a unit is a range of 2³² numbers at most).
            let keys = all.indices.map(key)
            var order = Array(all.indices)
            order.sort { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
            var dense = 0
            sorted = order.indices.map { i in
                if i > 0, keys[order[i]] != keys[order[i - 1]] { dense += 1 }
                return UInt64(dense) << 32 | UInt64(order[i])
            }
            perUnit = 0
            unitOfGroup = { i in keys[Int(sorted[i] & 0xFFFF_FFFF)] / (years * indicators) }
        }
        cellUnit = []
        cellIndicator = []
    }
    beforeTables()
    // Each unit's figures depend on its own cells only: the sorted cells are cut into one slice
    // per worker at unit boundaries, each slice combined (and its rates derived) on its own
    // thread, and the slices joined in order, so tables and problems are the same whatever
    // `workers` is.
    let slices = max(1, min(workers, sorted.count / max(1, minimumSlice)))
    let sameUnit = { (a: Int, b: Int) -> Bool in
        perUnit > 0 ? Int(sorted[a] >> 32) / perUnit == Int(sorted[b] >> 32) / perUnit : unitOfGroup(a) == unitOfGroup(b)
    }
    var bounds = [0]
    for k in 1..<slices {
        var b = max(sorted.count * k / slices, bounds.last!)
        while b > 0, b < sorted.count, sameUnit(b, b - 1) { b += 1 }
        bounds.append(b)
    }
    bounds.append(sorted.count)
    let (sortedCells, cuts, rankKinds, perIndicator, byKey) = (sorted, bounds, kindOfRank, indicatorCount, perUnit > 0)
    let indicatorsOfScheme = scheme.indicators
    let parts = parallelMap(Array(0..<(bounds.count - 1)), workers: workers) { p -> (Dataset, DiagnosticBag) in
        var part = Dataset(ids: ids), bag = DiagnosticBag()
        var unitYears: [UnitYear] = []
        // The unit-year being filled: its cells are consecutive, so its table is filled here
        // and stored once (not looked up by unit and year for each of its figures).
        var table = FigureTable(ids)
        func store() {
            if let uy = unitYears.last {
                deriveRates(&table, unit: uy.unit, rateSlots, scheme: scheme, diagnostics: &bag)
                part.figures[uy] = table
                table = FigureTable(ids)
            }
        }
        var start = cuts[p]
        while start < cuts[p + 1] {
            let first = all[Int(sortedCells[start] & 0xFFFF_FFFF)]
            var end = start + 1
            while end < cuts[p + 1], sortedCells[end] >> 32 == sortedCells[start] >> 32 { end += 1 }
            let kind = byKey ? rankKinds[Int(sortedCells[start] >> 32) % perIndicator] : kindIndex[first.indicator]
            if let (k, slot) = kind {
                if unitYears.last.map({ $0.unit != first.unit || $0.year != first.year }) ?? true {
                    store()
                    unitYears.append(UnitYear(unit: first.unit, year: first.year))
                }
                table[slot: slot] = end - start == 1 ? combineOne(first, kind: indicatorsOfScheme[k].kind)
                                                     : combine(sortedCells[start..<end].map { all[Int($0 & 0xFFFF_FFFF)] }, indicator: indicatorsOfScheme[k], diagnostics: &bag)
            }
            start = end
        }
        store()
        return (part, bag)
    }
    for (part, bag) in parts {
        if ds.figures.isEmpty {
            ds = part
        } else {
            ds.figures.reserveCapacity(ds.figures.count + part.figures.count)
            for (k, v) in part.figures { ds.figures[k] = v }
        }
        diagnostics.append(contentsOf: bag.items)
    }
    propagateCountyLevel(&ds, inputs: inputs, scheme: scheme)
    return ds
}

/// Derived rates of a unit-year, once its raw figures are in, in the scheme's order (the table is
/// the one being filled: it is changed in place and looked up by slot, not by id).
private func deriveRates(_ table: inout FigureTable, unit: String, _ slots: [(rate: DerivedRate, numerator: Int, denominator: Int, slot: Int)],
                         scheme: Scheme, diagnostics: inout DiagnosticBag) {
    for r in slots {
        let f = deriveRate(r.rate, numerator: table[slot: r.numerator] ?? .noData, denominator: table[slot: r.denominator] ?? .noData,
                           scheme: scheme, unit: unit, diagnostics: &diagnostics)
        if f.state != .noData { table[slot: r.slot] = f }
    }
}

/// `combine` of a single observation (most figures): it cannot conflict or mix periods.
private func combineOne(_ o: Observation, kind: IndicatorKind) -> Figure {
    guard let v = o.value else { return Figure(state: .error, number: nil, source: o.source) }
    if kind == .count {
        if case .integer(let i) = v { return Figure(state: .value, number: Rational(i), source: o.source) }
        return Figure(state: .value, number: Rational(0), source: o.source)
    }
    return Figure(state: .value, number: numberOf(v), source: o.source)
}

/// One indicator's observations of a unit-year → a figure.
private func combine(_ obs: [Observation], indicator: Indicator, diagnostics: inout DiagnosticBag) -> Figure {
    let sources = obs.map(\.source).sorted()
    // Conflicts: the same period given twice with different values; both cells are rejected.
    var byPeriod: [Period: [Observation]] = [:]
    for o in obs { byPeriod[o.period, default: []].append(o) }
    var conflicted = false
    for (period, all) in byPeriod where all.count > 1 {
        // Rejected cells are already reported; the conflict is among the values that were read.
        let list = all.filter { $0.value != nil }
        var distinct: [CellValue] = []
        for o in list where !distinct.contains(o.value!) { distinct.append(o.value!) }
        if distinct.count > 1 {
            conflicted = true
            let places = list.map { "\($0.source.description)（\($0.source.cell ?? "")）" }.joined(separator: "、")
            let shown = distinct.map(displayCell).joined(separator: "、")
            for o in list {
                diagnostics.append(Diagnostic(.error, "conflict",
                    "“\(indicator.header)”\(o.year)年\(period == .year ? "" : period.description)有不同的值 \(shown)（\(places)），各处都不使用",
                    at: o.source, stage: .compute, unit: o.unit))
            }
        }
    }
    if conflicted || obs.contains(where: { $0.value == nil }) { return .error(sources) }
    let periods = Set(obs.map(\.period))
    let hasYear = periods.contains(.year)
    let hasMonth = periods.contains { if case .month = $0 { return true }; return false }
    let hasQuarter = periods.contains { if case .quarter = $0 { return true }; return false }
    if (hasYear && periods.count > 1) || (hasMonth && hasQuarter) {
        let first = obs.map(\.source).min()!
        diagnostics.append(Diagnostic(.warning, "mixed-periods",
            "“\(indicator.header)”\(obs[0].year)年同时有全年、月度或季度的行；\(indicator.kind == .count || indicator.kind == .amount ? "各行相加" : "取最新一期")",
            at: first, stage: .compute, unit: obs[0].unit))
    }
    // One value per period (equal repeats are harmless).
    let perPeriod = byPeriod.mapValues { $0[0] }.sorted { $0.key < $1.key }
    switch indicator.kind {
    case .count:
        var sum = 0
        for (_, o) in perPeriod {
            guard case .integer(let i)? = o.value else { continue }
            let (s, overflow) = sum.addingReportingOverflow(i)
            if overflow {
                diagnostics.append(overflowDiagnostic("“\(indicator.header)”\(obs[0].year)年各期之和", at: sources, unit: obs[0].unit))
                return .error(sources)
            }
            sum = s
        }
        return Figure(state: .value, number: Rational(sum), sources: sources)
    case .amount:
        // A flow of decimals (quzhou-city.md §4): summed over the periods, exact or an error.
        var sum = Rational(0)
        for (_, o) in perPeriod {
            guard let v = o.value.flatMap(numberOf) else { continue }
            guard let s = sum.adding(v) else {
                diagnostics.append(overflowDiagnostic("“\(indicator.header)”\(obs[0].year)年各期之和", at: sources, unit: obs[0].unit))
                return .error(sources)
            }
            sum = s
        }
        return Figure(state: .value, number: sum, sources: sources)
    default:
        let latest = perPeriod.last!.value
        return Figure(state: .value, number: numberOf(latest.value!), source: latest.source)
    }
}

/// A cell value as a number (flags as 1/0).
func numberOf(_ v: CellValue) -> Rational? {
    switch v {
    case .integer(let i): return Rational(i)
    case .number(let r): return r
    case .flag(let b): return Rational(b ? 1 : 0)
    default: return nil
    }
}

/// A cell value as typed again, for messages.
func displayCell(_ v: CellValue) -> String {
    switch v {
    case .integer(let i): return String(i)
    case .number(let r): return r.plain()
    case .flag(let b): return b ? "是" : "否"
    case .day(let d): return d.description
    case .text(let t): return t
    }
}

/// numerator / denominator of a unit-year → the rate as a percentage (exact), or a state.
private func deriveRate(_ rate: DerivedRate, numerator n: Figure, denominator d: Figure, scheme: Scheme, unit: String,
                        diagnostics: inout DiagnosticBag) -> Figure {
    let sources = sortedSources(n, d)
    if n.state == .error || d.state == .error { return .error(sources) }
    guard d.state == .value, let den = d.number else { return Figure(state: .noData, sources: sources) }
    if den == Rational(0) {
        if n.state == .noData || n.number == Rational(0) {
            return Figure(state: .notApplicable, numerator: n.number ?? Rational(0), denominator: den, sources: sources)
        }
    }
    guard n.state == .value, let num = n.number else { return Figure(state: .noData, sources: sources) }
    if num > den {
        let last = n.sources.max() ?? SourceLocation(file: "")
        let nh = scheme.indicator(rate.numerator)?.header ?? rate.numerator
        let dh = scheme.indicator(rate.denominator)?.header ?? rate.denominator
        diagnostics.append(Diagnostic(.error, "numerator-above-denominator",
            "全年合计“\(nh)” \(num.plain()) 大于“\(dh)” \(den.plain())，\(rate.label)记为数据错误",
            at: last, stage: .compute, unit: unit))
        return .error(sources)
    }
    guard let percentage = Rational.percentage(num, of: den) else {
        diagnostics.append(overflowDiagnostic("\(rate.label)（\(num.plain()) / \(den.plain())）", at: sources, unit: unit))
        return .error(sources)
    }
    return Figure(state: .value, number: percentage, numerator: num, denominator: den, sources: sources)
}

/// The cells of both figures, in order (one each, as most have: one array, not four).
private func sortedSources(_ a: Figure, _ b: Figure) -> [SourceLocation] {
    if let x = a.onlySource, let y = b.onlySource { return y < x ? [y, x] : [x, y] }
    return (a.sources + b.sources).sorted()
}

/// County-level indicators given on a county's row reach each of its towns without a cell of
/// their own (a town's own value, or its own rejected cell, wins).
private func propagateCountyLevel(_ ds: inout Dataset, inputs: InputSet, scheme: Scheme) {
    let countyLevel = scheme.indicators.filter(\.countyLevel).map(\.id)
    guard !countyLevel.isEmpty else { return }
    let tree = inputs.units
    // The counties' figures are taken out first: iterating `ds.figures` while setting towns'
    // figures would copy every town's table (the iteration keeps the old storage alive).
    let counties = ds.figures.filter { tree.unit($0.key.unit)?.level.tier == .county }
    var townsOf: [String: [Unit]] = [:]
    let slots = countyLevel.map { ds.ids.slot($0)! }
    for (uy, figs) in counties {
        guard let u = tree.unit(uy.unit) else { continue }
        // The county's figures as its towns take them, made once for all of its towns.
        let given = slots.compactMap { s -> (Int, Figure)? in
            guard var f = figs[slot: s] else { return nil }
            f.inheritedFrom = u.code
            return (s, f)
        }
        if given.isEmpty { continue }
        // The county's towns are found once, and each town's table is changed in place (one
        // look-up), or made when the town has none.
        if townsOf[u.code] == nil { townsOf[u.code] = descendants(of: u.code, in: tree).filter { $0.level.tier == .town } }
        for town in townsOf[u.code]! {
            ds.figures[UnitYear(unit: town.code, year: uy.year), default: FigureTable(ds.ids)].inherit(given)
        }
    }
}

extension FigureTable {
    /// Sets each (slot, figure) whose slot the table does not have yet.
    mutating func inherit(_ given: [(Int, Figure)]) {
        for (s, f) in given where self[slot: s] == nil { self[slot: s] = f }
    }
}

/// All units below `code`.
func descendants(of code: String, in tree: UnitTree) -> [Unit] {
    var out: [Unit] = []
    var stack = tree.children(of: code)
    while let u = stack.popLast() {
        out.append(u)
        stack.append(contentsOf: tree.children(of: u.code))
    }
    return out
}
