import Foundation
// MARK: - A plan's indicator rows: data/*.csv for the city and its county-level units
//
// quzhou-city.md §4 and §6: rows name the city or one of its counties by 代码 or 名称, a 年度
// and optionally a 月份 or 季度; each indicator column has a kind (count, stock, amount,
// percent, score, rank) that decides how its cells are read and how periods combine. Rows of
// other units, counts on the city row and ranks on county rows are warnings, not used. Every
// rejected cell makes its (unit, year, indicator) an error.

/// One indicator cell of a plan's data file: its value (nil when rejected or in conflict).
public struct PlanDataCell: Sendable, Hashable {
    public var value: Rational?
    public var period: Period
    public var location: SourceLocation
}

/// The indicator cells read, by unit, year and indicator.
public struct PlanData: Sendable {
    /// Cells by `PlanData.slot(unit, year, indicator)`.
    public var cells: [String: [PlanDataCell]] = [:]
    /// Years that occur in usable rows, ascending.
    public var years: [Int] = []
    /// How many indicator cells were used.
    public var cellCount = 0

    public init() {}

    static func slot(_ unit: String, _ year: Int, _ indicator: String) -> String { "\(unit)|\(year)|\(indicator)" }

    /// The unit's own figure for `indicator` in `year`, its periods combined by `kind`: flows
    /// (count, amount) summed; stocks, percents and ranks the latest period; scores the plain
    /// mean of the periods (§6). A rejected cell makes it an error, as does a sum that leaves
    /// 64-bit integers (`checkPlanArithmetic` reports it); no cell, no data.
    public func measure(_ unit: String, _ indicator: String, year: Int, kind: IndicatorKind) -> Measure {
        guard let list = cells[Self.slot(unit, year, indicator)], !list.isEmpty else { return .noData }
        if list.contains(where: { $0.value == nil }) { return .error }
        let values = list.map { $0.value! }
        switch kind {
        case .count, .amount: return exactSum(values).map(Measure.value) ?? .error
        case .score: return exactSum(values)?.divided(by: Rational(values.count)).map(Measure.value) ?? .error
        case .stock, .percent, .rank, .flag, .level: return .value(list.max { $0.period < $1.period }!.value!)
        }
    }

    /// Marks the cells of a figure rejected after reading (a numerator found above its
    /// denominator): the figure becomes an error, its cells stay listed as its sources.
    mutating func reject(_ unit: String, _ indicator: String, year: Int) {
        let slot = Self.slot(unit, year, indicator)
        guard var list = cells[slot] else { return }
        cellCount -= list.filter { $0.value != nil }.count
        for i in list.indices { list[i].value = nil }
        cells[slot] = list
    }

    /// The cells behind a figure (for "source" notes).
    public func sources(_ unit: String, _ indicator: String, year: Int) -> [SourceLocation] {
        (cells[Self.slot(unit, year, indicator)] ?? []).map(\.location)
    }
}

/// Reads one data file of a plan into `data`. `city` is the city the plan is for; its
/// county-level units are `counties`. Records the file in `files`.
func readPlanDataFile(_ table: CSVTable, file: String, indicators: [PlanIndicator], words: PlanWords, tree: UnitTree, city: Unit?,
                      counties: CountyDirectory, data: inout PlanData, diagnostics: inout DiagnosticBag) {
    // The plan's name for its county-level units in messages (`县（市、区）`).
    let countyKind = words.label("kind.county")
    guard let header = table.records.first else {
        diagnostics.warning("empty-file", "文件是空的（没有列标题也没有数据），未读取", at: SourceLocation(file: file))
        return
    }
    let indicatorColumns = indicators.map { ColumnSpec(id: $0.id, header: $0.header, kind: $0.kind.cellKind(range: nil)) }
    let map = mapHeader(header, known: dataKeyColumns + indicatorColumns, file: file, diagnostics: &diagnostics)
    var unknownCells: [Int: [SourceLocation]] = [:]
    defer { diagnostics.append(contentsOf: unknownColumnDiagnostics(map, cells: unknownCells, file: file)) }
    let keys = map.keys
    guard let yearCol = keys.year else {
        diagnostics.error("missing-key-column", "\(file) 缺少关键列“年度”，文件未使用", at: SourceLocation(file: file, line: header.line))
        return
    }
    guard keys.code != nil || keys.name != nil else {
        diagnostics.error("missing-key-column", "\(file) 缺少关键列“代码”或“名称”，文件未使用", at: SourceLocation(file: file, line: header.line))
        return
    }
    let used = indicators.filter { map.index[$0.id] != nil }
    var years = Set(data.years)
    for record in table.records.dropFirst() where !record.isBlank {
        let cells = RowCells(record: record, file: file)
        reportUnusedCells(record, map: map, file: file, into: &unknownCells, diagnostics: &diagnostics)
        // The unit: 代码 preferred, else 名称 (with 所属县区 when two share it).
        var unit: Unit?
        let nameText = keys.name.map { trimCell(cells.text($0)) } ?? ""
        if let c = keys.code, !isBlankCell(cells.text(c)) {
            switch readCell(cells.text(c), as: .code, header: "代码", at: cells.location(c)) {
            case .value(.text(let code)):
                unit = tree.unit(code)
                if unit == nil {
                    let hints = tree.nearestNames(to: nameText.isEmpty ? code : nameText)
                    diagnostics.error("unknown-unit", "代码 \(code) 不在 units.csv 中\(suggestion(hints))，本行未使用", at: cells.location(c))
                    continue
                }
            case .rejected(let d):
                diagnostics.append(d)
                continue
            default: break
            }
        }
        if unit == nil, let n = keys.name {
            var found = tree.units(named: nameText)
            if found.count > 1, let k = keys.county {
                let county = trimCell(cells.text(k))
                found = found.filter { u in tree.units(named: county).contains { tree.isAncestor($0.code, of: u.code) } }
            }
            if found.count == 1 {
                unit = found[0]
            } else if nameText.isEmpty {
                diagnostics.error("missing-value", "本行没有“代码”也没有“名称”，未使用", at: cells.location(n))
                continue
            } else if found.isEmpty {
                diagnostics.error("unknown-unit", "单位\(quoted(nameText))不在 units.csv 中\(suggestion(tree.nearestNames(to: nameText)))，本行未使用",
                                  at: cells.location(n))
                continue
            } else {
                diagnostics.error("ambiguous-unit", "名称\(quoted(nameText))对应多个单位，请填写“代码”或“所属县区”，本行未使用", at: cells.location(n))
                continue
            }
        }
        guard let unit else {
            diagnostics.error("missing-value", "本行没有“代码”也没有“名称”，未使用", at: cells.location(keys.code ?? 1))
            continue
        }
        let tier: UnitTier
        if unit.code == city?.code {
            tier = .city
        } else if counties.counties.contains(where: { $0.code == unit.code }) {
            tier = .county
        } else {
            diagnostics.warning("not-a-county", "\(unit.name)（\(unit.code)）既不是本市也不是本市的\(countyKind)，本行未使用",
                                at: cells.location(keys.code ?? keys.name ?? 1), unit: unit.code)
            continue
        }
        var year: Int?
        switch readCell(cells.text(yearCol), as: .year, header: "年度", at: cells.location(yearCol)) {
        case .value(.integer(let y)): year = y
        case .rejected(var d):
            d.unit = unit.code
            diagnostics.append(d)
        default: diagnostics.error("missing-value", "缺少“年度”，本行未使用", at: cells.location(yearCol), unit: unit.code)
        }
        var period = Period.year
        if let m = keys.month, !isBlankCell(cells.text(m)) {
            switch readCell(cells.text(m), as: .month, header: "月份", at: cells.location(m)) {
            case .value(.integer(let v)): period = .month(v)
            case .rejected(let d): diagnostics.append(d); year = nil
            default: break
            }
        } else if let q = keys.quarter, !isBlankCell(cells.text(q)) {
            switch readCell(cells.text(q), as: .quarter, header: "季度", at: cells.location(q)) {
            case .value(.integer(let v)): period = .quarter(v)
            case .rejected(let d): diagnostics.append(d); year = nil
            default: break
            }
        }
        guard let year else { continue }
        years.insert(year)
        for ind in used {
            let col = map.index[ind.id]!
            let raw = cells.text(col)
            if isBlankCell(raw) { continue }
            let at = cells.location(col)
            if let code = planRowWarning(kind: ind.kind, tier: tier) {
                let why = code == "city-row" ? "市级的“\(ind.header)”由各\(countyKind)汇总，市级行的值不使用"
                    : "“\(ind.header)”只在市级行填报，\(countyKind)行的值不使用"
                diagnostics.warning(code, "\(why)（\(quoted(trimCell(raw)))）", at: at, unit: unit.code)
                continue
            }
            var value: Rational?
            switch readCell(raw, as: ind.kind.cellKind(range: nil), header: ind.header, at: at) {
            case .value(let v): value = v.rational
            case .noData: continue
            case .rejected(var d):
                d.unit = unit.code
                diagnostics.append(d)
            }
            let slot = PlanData.slot(unit.code, year, ind.id)
            var list = data.cells[slot] ?? []
            // The same (unit, year, period, indicator) twice: equal repeats are harmless, different
            // values a conflict at both places, neither used (io-contract.md).
            // A rejected cell was reported already: it only makes the figure an error.
            if value != nil, let i = list.firstIndex(where: { $0.period == period && $0.value != nil }) {
                let prev = list[i]
                if prev.value == value { continue }
                let what = "\(unit.name) \(year) 年\(period == .year ? "" : period.description)的“\(ind.header)”"
                diagnostics.error("conflict", "\(what)\(quoted(trimCell(raw)))与 \(prev.location.description)（\(prev.location.cell ?? "")）的值 \(prev.value!.plain()) 不同，两处都不使用",
                                  at: at, unit: unit.code)
                diagnostics.error("conflict", "\(what) \(prev.value!.plain()) 与 \(at.description)（\(at.cell ?? "")）的值\(quoted(trimCell(raw)))不同，两处都不使用",
                                  at: prev.location, unit: unit.code)
                list[i].value = nil
                data.cells[slot] = list
                continue
            }
            list.append(PlanDataCell(value: value, period: period, location: at))
            data.cells[slot] = list
            if value != nil { data.cellCount += 1 }
        }
    }
    data.years = years.sorted()
}

/// Whether a data cell of indicator kind `kind` on a row naming a unit of `tier` is used: nil when
/// it is, else the warning's code (§4, §6). Counts, stocks and amounts on the city row are pooled
/// from the counties instead (`city-row`); a rank belongs to the city row only (`county-row`); rows
/// naming a unit that is neither the city nor county-level are not used (`not-a-county`).
public func planRowWarning(kind: IndicatorKind, tier: UnitTier) -> String? {
    switch tier {
    case .county: return kind == .rank ? "county-row" : nil
    case .city: return [.count, .stock, .amount].contains(kind) ? "city-row" : nil
    case .town, .province: return "not-a-county"
    }
}

/// Σ `values` exactly; nil when the sum leaves 64-bit integers (an error at its cells, never a
/// trap: io-contract.md). Used by a plan's periods and its pooling to the city.
func exactSum(_ values: [Rational]) -> Rational? {
    var sum = Rational(0)
    for v in values {
        guard let s = sum.adding(v) else { return nil }
        sum = s
    }
    return sum
}
