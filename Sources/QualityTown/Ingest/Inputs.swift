import Foundation

// MARK: - The inputs folder → units, observations and sheet rows, each with its cell

/// A reporting period inside a year: the whole year, a month or a quarter.
public enum Period: Sendable, Hashable, Comparable, CustomStringConvertible {
    case year
    case quarter(Int)
    case month(Int)

    /// Order used to pick "the latest period": months and quarters by their end month, then a
    /// whole-year row last (it speaks for the year's end).
    public var endMonth: Int {
        switch self {
        case .year: return 13
        case .quarter(let q): return q * 3
        case .month(let m): return m
        }
    }

    public static func < (a: Period, b: Period) -> Bool {
        a.endMonth != b.endMonth ? a.endMonth < b.endMonth : a.rank < b.rank
    }

    private var rank: Int {
        switch self {
        case .month: return 0
        case .quarter: return 1
        case .year: return 2
        }
    }

    public var description: String {
        switch self {
        case .year: return "全年"
        case .quarter(let q): return "第\(q)季度"
        case .month(let m): return "\(m)月"
        }
    }
}

/// One indicator cell of a data file: a value, or `nil` when the cell was rejected (the value it
/// would have fed is then an error for that unit and year).
public struct Observation: Sendable, Hashable {
    // 56 bytes without a reference: the cells of a large build (millions) are copied, sorted
    // and let go without counting references. Unit and indicator are numbers in the process's string tables.
    private var unit32: Int32
    private var indicator32: Int32
    public var source: SourceLocation
    private var year32: Int32
    /// 0 for the whole year, 100 + quarter, 200 + month.
    private var period32: Int32
    private var packed: PackedCellValue

    public var unit: String {
        get { StringTable.units.name(unit32) }
        set { unit32 = StringTable.units.id(newValue) }
    }

    public var indicator: String {
        get { StringTable.indicators.name(indicator32) }
        set { indicator32 = StringTable.indicators.id(newValue) }
    }

    public var value: CellValue? {
        get { packed.value }
        set { packed = PackedCellValue(newValue) }
    }

    /// The unit's and the indicator's numbers (`StringTable.units`, `StringTable.indicators`):
    /// equal numbers, equal strings.
    var unitID: Int32 { unit32 }
    var indicatorID: Int32 { indicator32 }

    public var year: Int {
        get { Int(year32) }
        set { year32 = Int32(clamping: newValue) }
    }

    public var period: Period {
        get { period32 == 0 ? .year : period32 < 200 ? .quarter(Int(period32) - 100) : .month(Int(period32) - 200) }
        set {
            switch newValue {
            case .year: period32 = 0
            case .quarter(let q): period32 = 100 + Int32(clamping: q)
            case .month(let m): period32 = 200 + Int32(clamping: m)
            }
        }
    }

    public init(unit: String, year: Int, period: Period, indicator: String, value: CellValue?, source: SourceLocation) {
        self.init(unitID: StringTable.units.id(unit), year: year, period: period,
                  indicatorID: StringTable.indicators.id(indicator), value: value, source: source)
    }

    /// With the unit and indicator as their numbers (a data file finds them once per row and column).
    init(unitID: Int32, year: Int, period: Period, indicatorID: Int32, value: CellValue?, source: SourceLocation) {
        unit32 = unitID
        indicator32 = indicatorID
        packed = PackedCellValue(value)
        self.source = source
        year32 = Int32(clamping: year)
        period32 = 0
        self.period = period
    }
}

/// A cell value (or none) in 17 bytes without a reference: a tag and two integers (a text, which
/// no indicator has, by its number in `StringTable.texts`). Equal values, equal bits.
struct PackedCellValue: Sendable, Hashable {
    private var a: Int
    private var b: Int
    /// 0 none, 1 integer, 2 number, 3 flag, 4 day, 5 text.
    private var tag: UInt8

    init(_ value: CellValue?) {
        switch value {
        case nil: (a, b, tag) = (0, 0, 0)
        case .integer(let i): (a, b, tag) = (i, 0, 1)
        case .number(let r): (a, b, tag) = (r.numerator, r.denominator, 2)
        case .flag(let f): (a, b, tag) = (f ? 1 : 0, 0, 3)
        case .day(let d): (a, b, tag) = (d.year, d.month << 8 | d.day, 4)
        case .text(let t): (a, b, tag) = (Int(StringTable.texts.id(t)), 0, 5)
        }
    }

    var value: CellValue? {
        switch tag {
        case 1: return .integer(a)
        case 2: return .number(Rational(reduced: a, b))
        case 3: return .flag(a != 0)
        case 4: return .day(Day(a, b >> 8, b & 0xFF)!)
        case 5: return .text(StringTable.texts.name(Int32(a)))
        default: return nil
        }
    }
}

/// One cell of a sheet row (assessments, applications…), as read.
public struct SheetCell: Sendable, Hashable {
    public var read: CellRead
    public var location: SourceLocation
}

/// One row of a scheme sheet with its unit resolved.
public struct SheetRow: Sendable {
    public var unit: String
    public var location: SourceLocation
    /// Column id → cell (only columns present in the file).
    public var cells: SheetCells
}

/// The columns a sheet file has, in the order they are kept, shared by all its rows.
public final class SheetLayout: Sendable {
    /// A location in the file, for the cells' locations.
    let fileLocation: SourceLocation
    public var file: String { fileLocation.file }
    let ids: [String]
    let columns: [Int32]
    let index: [String: Int]

    init(file: String, ids: [String], columns: [Int]) {
        fileLocation = SourceLocation(file: file)
        self.ids = ids
        self.columns = columns.map { Int32(clamping: $0) }
        index = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }
}

/// A sheet row's cells: the values in layout order, their locations rebuilt when asked for
/// (an assessment sheet may have millions of cells; a table per row would be gigabytes).
public struct SheetCells: Sendable {
    let layout: SheetLayout
    let reads: [CellRead]
    /// Per cell line, only when a multi-line cell before it moved a cell off the row's line.
    let lines: [Int32]?
    let line: Int32
    let row: Int32

    /// The cell of column `id`, when the file has that column.
    public subscript(id: String) -> SheetCell? {
        layout.index[id].map { self[index: $0] }
    }

    /// Column ids present, in layout order.
    public var ids: [String] { layout.ids }

    /// The position of column `id` in this row's layout (the same for every row of a file).
    public func index(of id: String) -> Int? { layout.index[id] }

    /// The cell at a position from `index(of:)`.
    public subscript(index i: Int) -> SheetCell {
        SheetCell(read: reads[i], location: SourceLocation(in: layout.fileLocation, line: Int(lines?[i] ?? line),
                                                           column: Int(layout.columns[i]), row: Int(row)))
    }

    /// True when both rows come from the same file's layout.
    public func sameLayout(as other: SheetCells) -> Bool { layout === other.layout }
}

/// What kind of input a file is.
public enum InputRole: Sendable, Hashable {
    case units
    case data
    case sheet(String)
}

/// A file that was read, for the index page, methodology and change tracking.
public struct InputFile: Sendable {
    /// Path relative to the inputs folder (`data/market.csv`).
    public var path: String
    public var role: InputRole
    public var encoding: TextEncoding?
    public var separator: CSVSeparator?
    /// Data records (rows below the header, blank ones excluded).
    public var rows: Int
    public var bytes: Int
    public var sha256: String
    public var errors: Int = 0
    public var warnings: Int = 0
}

/// Everything read from the inputs folder: the stage's output.
public struct InputSet: Sendable {
    public var folder: String
    public var units: UnitTree
    public var files: [InputFile]
    /// The data cells read (emptied once the dataset is built: the cells are not carried into
    /// rendering; `observationCount` keeps their number).
    public var observations: [Observation]
    /// Each sheet's rows, in file order, in the consecutive parts they were read in on several
    /// threads (joining the parts would copy every row of a sheet that may have millions).
    public var sheetParts: [String: [[SheetRow]]]
    /// Each sheet's rows, in file order.
    public var sheets: [String: [SheetRow]] { sheetParts.mapValues { Array($0.joined()) } }
    public var diagnostics: [Diagnostic]
    /// The remarks (备注, 说明) of data rows, in file order.
    public var remarks: [Remark] = []
    /// Years that occur in the data files, ascending.
    public var years: [Int]
    /// How many data cells were read.
    public var observationCount: Int

    init(folder: String, units: UnitTree, files: [InputFile], observations: [Observation], sheets: [String: [[SheetRow]]],
         diagnostics: [Diagnostic]) {
        self.folder = folder
        self.units = units
        self.files = files
        self.observations = observations
        self.sheetParts = sheets
        self.diagnostics = diagnostics
        self.years = distinctYears(observations).sorted()
        self.observationCount = observations.count
    }
}

/// A data row's remark (its 备注 or 说明 cell), shown on the unit's page.
public struct Remark: Sendable, Hashable {
    public var unit: String
    public var year: Int
    public var text: String
    public var location: SourceLocation
}

/// Why reading could not even start (exit status 2).
public struct InputError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Key columns every data file may carry (io-contract.md "Input folder").
public let dataKeyColumns: [ColumnSpec] = [
    ColumnSpec(id: "年度", header: "年度", aliases: ["年份", "年"], kind: .year),
    ColumnSpec(id: "月份", header: "月份", aliases: ["月"], kind: .month),
    ColumnSpec(id: "季度", header: "季度", aliases: [], kind: .quarter),
    ColumnSpec(id: "代码", header: "代码", aliases: ["单位代码", "乡镇代码", "行政区划代码", "区划代码"], kind: .code),
    ColumnSpec(id: "名称", header: "名称", aliases: ["单位名称", "乡镇名称", "乡镇（街道）", "乡镇(街道)", "乡镇街道"], kind: .text),
    ColumnSpec(id: "所属县区", header: "所属县区", aliases: ["县区", "所属县（区）", "所属县(区)", "县（区）"], kind: .text),
    // A remarks column is the department's note on a row: kept and shown on the unit's page,
    // never a problem.
    ColumnSpec(id: "备注", header: "备注", aliases: ["说明", "备注说明"], kind: .text),
]

/// Reads units.csv, every CSV under data/, and the scheme's sheets. Throws only when there is
/// nothing to read (no folder, no units.csv); every data problem becomes a diagnostic.
///
/// `sheetYear`, when given, names the report year from the years found in the data files: a
/// sheet row whose year column names another year is read and checked (its problems are
/// reported) but not kept, since only the report year's rows are used.
public func readInputs(folder: String, scheme: Scheme, workers: Int = 1,
                       sheetYear: (@Sendable ([Int]) -> Int)? = nil) throws(InputError) -> InputSet {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    guard fm.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
        throw InputError(description: missingInputsMessage(folder, isFile: fm.fileExists(atPath: folder)))
    }
    let unitsPath = folder + "/units.csv"
    guard let unitBytes = fm.contents(atPath: unitsPath) else {
        throw InputError(description: "输入文件夹 \(folder) 中没有 units.csv（单位表：代码, 名称, 层级, 上级代码）")
    }
    var reader = InputReader(folder: folder, scheme: scheme)
    reader.workers = workers
    reader.readUnits([UInt8](unitBytes))
    let dataDir = folder + "/data"
    let dataFiles = ((try? fm.contentsOfDirectory(atPath: dataDir)) ?? [])
        .filter { !$0.hasPrefix(".") && !$0.hasPrefix("~$") }
        .sorted()
    // Data files are read on `workers` threads (they depend only on the units tree), then the
    // sheets, which may keep only the report year's rows; everything is joined in file order,
    // so a run reads the same values and problems in the same order whatever `workers` is.
    let base = reader
    // Each sheet is decoded and parsed on a thread of its own while the data files are read
    // (that needs no year; keeping only the report year's rows does, so it waits for them).
    let opening = scheme.sheets.map { sheet in
        Concurrent(enabled: workers > 1) { () -> (InputReader, CSVTable?) in
            var part = base.emptied()
            guard let bytes = FileManager.default.contents(atPath: folder + "/" + sheet.file) else { return (part, nil) }
            let table = part.open([UInt8](bytes), path: sheet.file, role: .sheet(sheet.id))
            return (part, table)
        }
    }
    var parts = parallelMap(dataFiles, workers: workers) { name -> InputReader in
        var part = base.emptied()
        let path = dataDir + "/" + name
        var sub: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &sub), !sub.boolValue else { return part }
        if !name.lowercased().hasSuffix(".csv") && !name.lowercased().hasSuffix(".txt") {
            part.bag.warning("not-csv-name", "data/ 中的文件 \(name) 不是 .csv，未读取；请“另存为”CSV 后放入", at: SourceLocation(file: "data/" + name))
            return part
        }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            part.bag.error("unreadable", "无法读取文件（权限？）", at: SourceLocation(file: "data/" + name))
            return part
        }
        part.readDataFile([UInt8](bytes), path: "data/" + name)
        return part
    }
    let keepYear: Int? = sheetYear.map { sheetYear in
        var years = Set<Int>()
        for part in parts { years.formUnion(distinctYears(part.observations)) }
        return sheetYear(years.sorted())
    }
    // One sheet after another, each reading its records on `workers` threads (an assessment
    // sheet can be most of the input; one thread per sheet would leave the others idle).
    let sheetParts = zip(scheme.sheets, opening).map { sheet, opened -> InputReader in
        var (part, table) = opened.value()
        if let table { part.readSheet(table: table, sheet: sheet, keepYear: keepYear) }
        return part
    }
    parts += sheetParts
    // Every file's cells in one array, copied in on `workers` threads (cells hold no references:
    // a copy is a memcpy, and a large build's are hundreds of megabytes); then the rest joined.
    reader.observations = concatenated([reader.observations] + parts.map(\.observations), workers: workers)
    for i in parts.indices {
        reader.join(parts[i])
        parts[i] = base.emptied()
    }
    var set = InputSet(folder: folder, units: reader.tree, files: reader.files, observations: reader.observations,
                       sheets: reader.sheetRows, diagnostics: reader.bag.items)
    set.remarks = reader.remarks
    return set
}

/// The arrays one after another, each copied in on one of `workers` threads (cells are plain
/// bytes, so each copy is a memcpy into its own part of the new array).
func concatenated(_ parts: [[Observation]], workers: Int) -> [Observation] {
    precondition(_isPOD(Observation.self), "cells are copied as bytes")
    let total = parts.reduce(0) { $0 + $1.count }
    guard workers > 1, parts.count > 1 else { return Array(parts.joined()) }
    var offsets: [Int] = [], at = 0
    for p in parts { offsets.append(at); at += p.count }
    let starts = offsets
    return [Observation](unsafeUninitializedCapacity: total) { buffer, count in
        let base = UncheckedSendable(buffer.baseAddress)
        // Largest first, so that the threads finish together.
        let order = parts.indices.sorted { parts[$0].count > parts[$1].count }
        _ = parallelMap(order, workers: workers) { i -> Bool in
            parts[i].withUnsafeBufferPointer { src in
                if let s = src.baseAddress, let b = base.value { (b + starts[i]).initialize(from: s, count: src.count) }
            }
            return true
        }
        count = total
    }
}

/// A value handed to other threads by the code that makes them safe to share (disjoint writes).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// The years of `observations` (in runs of one year: each year is hashed when it changes, not
/// for every cell).
func distinctYears(_ observations: [Observation]) -> Set<Int> {
    var years = Set<Int>(), last: Int?
    for o in observations where o.year != last {
        years.insert(o.year)
        last = o.year
    }
    return years
}

/// A data file's indicator columns: position (1-based), kind, header and indicator number
/// (`StringTable.indicators`), in the order the row's cells are read.
struct IndicatorColumns {
    let cols: [Int]
    let kinds: [CellKind]
    let headers: [String]
    let ids: [Int32]
}

/// The reading state for one run (one file at a time).
struct InputReader {
    let folder: String
    let scheme: Scheme
    var tree = UnitTree()
    var bag = DiagnosticBag()
    var files: [InputFile] = []
    var observations: [Observation] = []
    var sheetRows: [String: [[SheetRow]]] = [:]
    var remarks: [Remark] = []
    /// The non-blank cells under unknown headers of the file being read, by column.
    var unknownCells: [Int: [SourceLocation]] = [:]
    lazy var indicatorColumns: [ColumnSpec] = scheme.indicators.map(\.column)
    lazy var indicatorsByID: [String: Indicator] = Dictionary(uniqueKeysWithValues: scheme.indicators.map { ($0.id, $0) })

    /// Each unit's number in `StringTable.units`, by its position in the tree (made with the tree).
    var unitTableIDs: [Int32] = []
    /// Threads a large sheet's records may be read on.
    var workers = 1
    /// A data row's cells as read, kept between rows so that no row allocates its own.
    private var readsScratch: [CellRead] = []

    init(folder: String, scheme: Scheme) {
        self.folder = folder
        self.scheme = scheme
    }

    /// The same reader (scheme, units tree) with nothing read yet, to read one file into.
    func emptied() -> InputReader {
        var r = InputReader(folder: folder, scheme: scheme)
        r.tree = tree
        r.unitTableIDs = unitTableIDs
        r.workers = workers
        return r
    }

    /// Appends what `part` read after what this reader holds (but its cells: `readInputs`
    /// concatenates every part's at once).
    mutating func join(_ part: InputReader) {
        bag.append(contentsOf: part.bag.items)
        files += part.files
        remarks += part.remarks
        // A sheet's parts are kept as they are (not copied into one list).
        for (k, parts) in part.sheetRows { sheetRows[k, default: []] += parts }
    }

    /// Decodes and splits one file, recording it; nil when it holds no table to read.
    mutating func open(_ bytes: [UInt8], path: String, role: InputRole) -> CSVTable? {
        let decoded = decodeSpreadsheetText(bytes, file: path)
        var file = InputFile(path: path, role: role, encoding: decoded.isText ? decoded.encoding : nil,
                             separator: nil, rows: 0, bytes: bytes.count, sha256: sha256Hex(bytes))
        bag.append(contentsOf: decoded.diagnostics)
        guard decoded.isText else {
            files.append(file)
            return nil
        }
        let table = parseCSV(decoded.utf8, file: path)
        bag.append(contentsOf: table.diagnostics)
        file.separator = table.separator
        file.rows = table.records.dropFirst().filter { !$0.isBlank }.count
        files.append(file)
        if table.records.isEmpty {
            bag.warning("empty-file", "文件是空的（没有列标题也没有数据），未读取", at: SourceLocation(file: path))
            return nil
        }
        if file.rows == 0 {
            bag.warning("no-rows", "文件只有列标题，没有数据行", at: SourceLocation(file: path, line: 1))
        }
        return table
    }

    mutating func readUnits(_ bytes: [UInt8]) {
        guard let table = open(bytes, path: "units.csv", role: .units) else { return }
        tree = QualityTown.readUnits(table, file: "units.csv", diagnostics: &bag)
        unitTableIDs = tree.units.map { StringTable.units.id($0.code) }
    }

    // MARK: Resolving a row's unit

    /// Resolves the unit a row names by 代码 (preferred) or 名称 (+ 所属县区); reports and
    /// returns nil when it cannot.
    mutating func resolveUnit(_ record: CSVRecord, keys: KeyColumns, in file: SourceLocation) -> String? {
        resolveUnitIndex(record, keys: keys, in: file).map { tree.units[$0].code }
    }

    /// `resolveUnit`, as the unit's position in the tree.
    mutating func resolveUnitIndex(_ record: CSVRecord, keys: KeyColumns, in file: SourceLocation) -> Int? {
        func field(_ c: Int?) -> CSVField? {
            guard let c, c <= record.fields.count else { return nil }
            return record.fields[c - 1]
        }
        func loc(_ c: Int?) -> SourceLocation {
            SourceLocation(in: file, line: field(c)?.line ?? record.line, column: c, row: record.row)
        }
        let nameText = field(keys.name).map { trimCell($0.text) } ?? ""
        let countyText = field(keys.county).map { trimCell($0.text) } ?? ""
        if let f = field(keys.code) {
            switch readCell(f.text, as: .code, header: "代码", at: loc(keys.code)) {
            case .value(.text(let code)):
                guard let ui = tree.index(of: code) else {
                    var msg = "代码 \(code) 不在 units.csv 中，本行未使用"
                    let hints = tree.nearestNames(to: nameText.isEmpty ? code : nameText)
                    if !nameText.isEmpty, !hints.isEmpty { msg += "；名称相近的单位：" + hints.joined(separator: "、") }
                    bag.error("unknown-unit", msg, at: loc(keys.code))
                    return nil
                }
                let u = tree.units[ui]
                if !nameText.isEmpty, !nameText.utf8.elementsEqual(u.name.utf8), normalizeName(nameText) != normalizeName(u.name) {
                    bag.warning("name-mismatch", "代码 \(code) 在 units.csv 中是“\(u.name)”，本行名称却是\(quoted(nameText))；按代码使用", at: loc(keys.name), unit: code)
                }
                return ui
            case .rejected(let d):
                bag.append(d)
                if nameText.isEmpty { return nil }
            default:
                break
            }
        }
        guard !nameText.isEmpty else {
            bag.error("missing-unit", "本行既没有“代码”也没有“名称”，无法确定单位，未使用",
                      at: SourceLocation(in: file, line: record.line, row: record.row))
            return nil
        }
        var candidates = tree.units(named: nameText)
        if !countyText.isEmpty {
            let counties = tree.units(named: countyText).map(\.code) + (tree.unit(countyText).map { [$0.code] } ?? [])
            candidates = candidates.filter { c in counties.contains { tree.isAncestor($0, of: c.code) } }
            if candidates.isEmpty, !tree.units(named: nameText).isEmpty {
                bag.error("unknown-unit", "“\(nameText)”不在“\(countyText)”之下（units.csv），本行未使用", at: loc(keys.county))
                return nil
            }
        }
        if candidates.count == 1 { return tree.index(of: candidates[0].code) }
        if candidates.count > 1 {
            let where_ = candidates.compactMap { $0.parent.flatMap { tree.unit($0)?.name } }.joined(separator: "、")
            bag.error("ambiguous-unit", "名称\(quoted(nameText))对应多个单位（在 \(where_)），请填写“代码”或“所属县区”；本行未使用", at: loc(keys.name))
            return nil
        }
        var msg = "单位\(quoted(nameText))不在 units.csv 中，本行未使用"
        let hints = tree.nearestNames(to: nameText)
        if !hints.isEmpty { msg += "；是否是：" + hints.joined(separator: "、") + "？" }
        bag.error("unknown-unit", msg, at: loc(keys.name))
        return nil
    }

    // MARK: Data files

    mutating func readDataFile(_ bytes: [UInt8], path: String) {
        guard let table = open(bytes, path: path, role: .data) else { return }
        let header = table.records[0]
        let map = mapHeader(header, known: dataKeyColumns + indicatorColumns, file: path, diagnostics: &bag)
        // A file that cannot be used at all still names its unknown columns.
        defer { if map.index["年度"] == nil || (map.index["代码"] == nil && map.index["名称"] == nil) {
            bag.append(contentsOf: unknownColumnDiagnostics(map, cells: [:], file: path)) } }
        var missing: [String] = []
        if map.index["年度"] == nil { missing.append("年度") }
        if map.index["代码"] == nil && map.index["名称"] == nil { missing.append("代码（或名称）") }
        if !missing.isEmpty {
            bag.error("missing-key-column", "缺少关键列 \(missing.joined(separator: "、"))：无法知道每行属于哪个单位、哪一年，整个文件未使用（\(table.records.count - 1) 行）",
                      at: SourceLocation(file: path, line: header.line, row: 1))
            return
        }
        let indicatorCols = map.columns.filter { indicatorsByID[$0.value.id] != nil }.sorted { $0.key < $1.key }
        if indicatorCols.isEmpty {
            bag.warning("no-indicator-columns", "文件中没有本方案的指标列，未提供任何数据", at: SourceLocation(file: path, line: header.line, row: 1))
        }
        // Each rate whose numerator and denominator are both columns here, by their positions
        // among the indicator columns.
        let position = Dictionary(indicatorCols.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { a, _ in a })
        let rateChecks = scheme.rates.compactMap { r -> (DerivedRate, Int, Int)? in
            guard let n = map.index[r.numerator].flatMap({ position[$0] }), let d = map.index[r.denominator].flatMap({ position[$0] }) else { return nil }
            return (r, n, d)
        }
        let keys = map.keys, inFile = SourceLocation(file: path)
        // At most one cell per indicator column and row (growing the array copied it each time).
        observations.reserveCapacity(observations.count + (table.records.count - 1) * indicatorCols.count)
        // The indicator columns' numbers, kinds and headers, each in an array of its own (a
        // column's spec is a dozen fields: copying it for every cell counted references).
        let columns = IndicatorColumns(cols: indicatorCols.map(\.key), kinds: indicatorCols.map(\.value.kind),
                                       headers: indicatorCols.map(\.value.header),
                                       ids: indicatorCols.map { StringTable.indicators.id($0.value.id) })
        unknownCells = [:]
        for record in table.records.dropFirst() where !record.isBlank {
            readDataRecord(record, map: map, keys: keys, indicatorCols: indicatorCols, columns: columns, rateChecks: rateChecks, in: inFile)
        }
        bag.append(contentsOf: unknownColumnDiagnostics(map, cells: unknownCells, file: path))
        unknownCells = [:]
    }

    private mutating func readDataRecord(_ record: CSVRecord, map: HeaderMap, keys: KeyColumns, indicatorCols: [(key: Int, value: ColumnSpec)],
                                         columns: IndicatorColumns, rateChecks: [(DerivedRate, Int, Int)], in inFile: SourceLocation) {
        let file = inFile.file
        reportExtraCells(record, map: map, file: file, diagnostics: &bag)
        collectUnknownColumnCells(record, map: map, file: file, into: &unknownCells)
        func field(_ col: Int) -> CSVField? { col <= record.fields.count ? record.fields[col - 1] : nil }
        func loc(_ col: Int) -> SourceLocation {
            SourceLocation(in: inFile, line: field(col)?.line ?? record.line, column: col, row: record.row)
        }
        guard let unitIndex = resolveUnitIndex(record, keys: keys, in: inFile) else { return }
        let unit = tree.units[unitIndex].code
        let yearCol = keys.year!
        let year: Int
        switch readCell(field(yearCol)?.text ?? "", as: .year, header: "年度", at: loc(yearCol)) {
        case .value(.integer(let y)): year = y
        case .rejected(var d):
            d.message += "；本行未使用"
            d.unit = unit
            bag.append(d)
            return
        default:
            bag.error("missing-value", "本行缺少“年度”，未使用", at: loc(yearCol), unit: unit)
            return
        }
        var period = Period.year
        var month: Int?, quarter: Int?
        // 月份, then 季度 (false: the row is not used, its problem reported).
        func periodCell(_ column: Int?, _ kind: CellKind, _ id: String, into value: inout Int?) -> Bool {
            guard let c = column else { return true }
            switch readCell(field(c)?.text ?? "", as: kind, header: id, at: loc(c)) {
            case .value(.integer(let v)): value = v
            case .rejected(var d):
                d.message += "；本行未使用"
                d.unit = unit
                bag.append(d)
                return false
            default: break
            }
            return true
        }
        guard periodCell(keys.month, .month, "月份", into: &month), periodCell(keys.quarter, .quarter, "季度", into: &quarter) else { return }
        if let m = month {
            period = .month(m)
            if let q = quarter, (m - 1) / 3 + 1 != q {
                bag.error("conflicting-period", "月份 \(m) 不在第 \(q) 季度内；本行未使用", at: loc(map.index["季度"]!), unit: unit)
                return
            }
        } else if let q = quarter {
            period = .quarter(q)
        }
        if let c = map.index["备注"], let f = field(c), !isBlankCell(f.text) {
            remarks.append(Remark(unit: unit, year: year, text: trimCell(f.text), location: loc(c)))
        }
        let tier = tree.units[unitIndex].level.tier
        let unitID = unitTableIDs[unitIndex]
        // The row's indicator cells, in the order of `indicatorCols` (one buffer for every row).
        var reads = readsScratch
        readsScratch = []
        defer { readsScratch = reads }
        reads.removeAll(keepingCapacity: true)
        for k in columns.cols.indices {
            let col = columns.cols[k]
            reads.append(readCell(field(col)?.text ?? "", as: columns.kinds[k], header: columns.headers[k], at: loc(col)))
        }
        // A numerator above its denominator in the same row: the numerator cell is rejected.
        for (rate, n, d) in rateChecks {
            if case .value(let nv) = reads[n], case .value(let dv) = reads[d],
               let a = nv.rational, let b = dv.rational, a > b {
                let ns = indicatorsByID[rate.numerator]!.header, ds = indicatorsByID[rate.denominator]!.header
                reads[n] = .rejected(Diagnostic(.error, "numerator-above-denominator",
                    "“\(ns)” \(a) 大于“\(ds)” \(b)（\(rate.label)不能超过 100%），该值未使用", at: loc(columns.cols[n])))
            }
        }
        for k in columns.cols.indices {
            let read = reads[k]
            if case .noData = read { continue }
            let col = columns.cols[k]
            if tier == .city || tier == .province {
                bag.warning("unit-level-row", "本行是\(tree.unit(unit)!.level.rawValue)级单位“\(tree.unit(unit)!.name)”，指标只按\(scheme.tierName(.town))填报后汇总，“\(columns.headers[k])”的值\(quoted(trimCell(field(col)?.text ?? "")))未使用", at: loc(col), unit: unit)
                continue
            }
            if tier == .county && !indicatorsByID[indicatorCols[k].value.id]!.countyLevel {
                bag.warning("county-row", "本行是\(scheme.tierName(.county))“\(tree.unit(unit)!.name)”；“\(columns.headers[k])”不是\(scheme.tierName(.county))级指标，应按\(scheme.tierWords[.town]?.short ?? "")填报，该值\(quoted(trimCell(field(col)?.text ?? "")))未使用", at: loc(col), unit: unit)
                continue
            }
            switch read {
            case .value(let v):
                observations.append(Observation(unitID: unitID, year: year, period: period, indicatorID: columns.ids[k], value: v, source: loc(col)))
            case .rejected(var d):
                d.unit = unit
                bag.append(d)
                observations.append(Observation(unitID: unitID, year: year, period: period, indicatorID: columns.ids[k], value: nil, source: loc(col)))
            case .noData:
                break
            }
        }
    }

    // MARK: Sheets (assessments.csv, applications.csv…)

    mutating func readSheet(_ bytes: [UInt8], sheet: SheetSpec, keepYear: Int? = nil) {
        guard let table = open(bytes, path: sheet.file, role: .sheet(sheet.id)) else { return }
        readSheet(table: table, sheet: sheet, keepYear: keepYear)
    }

    /// Reads a sheet already opened (decoded and parsed) by this reader.
    mutating func readSheet(table: CSVTable, sheet: SheetSpec, keepYear: Int?) {
        let header = table.records[0]
        let keyIDs = Set(sheet.columns.map(\.id))
        let keys = dataKeyColumns.filter { ["代码", "名称", "所属县区"].contains($0.id) && !keyIDs.contains($0.id) }
        let map = mapHeader(header, known: sheet.columns + keys, file: sheet.file, diagnostics: &bag)
        var missing = sheet.required.filter { map.index[$0] == nil }
        for group in sheet.requiredOneOf where !group.contains(where: { map.index[$0] != nil }) {
            missing.append(group.joined(separator: "或"))
        }
        if !missing.isEmpty {
            bag.error("missing-key-column", "缺少关键列 \(missing.joined(separator: "、"))，整个文件未使用；所需列见 qtown blank 生成的模板",
                      at: SourceLocation(file: sheet.file, line: header.line, row: 1))
            return
        }
        let kept = map.columns.filter { !["代码", "名称", "所属县区"].contains($0.value.id) || keyIDs.contains($0.value.id) }
            .sorted { $0.key < $1.key }
        let layout = SheetLayout(file: sheet.file, ids: kept.map(\.value.id), columns: kept.map(\.key))
        let yearIndex = sheet.columns.first { $0.kind == .year }.flatMap { layout.index[$0.id] }
        // The records are read in consecutive slices on `workers` threads (an assessment sheet
        // may be one file of millions of rows); rows and problems are joined in record order.
        // Eight slices a thread, so that one thread does not finish long before the other (rows
        // of other years, checked but not kept, cost less, and a sheet may be sorted by year).
        let records = table.records.dropFirst()
        let slices = workers > 1 && records.count >= 2 * workers ? min(8 * workers, max(workers, records.count / 10_000)) : 1
        let bounds = (0..<slices).map { k in
            (records.startIndex + records.count * k / slices)..<(records.startIndex + records.count * (k + 1) / slices)
        }
        let empty = emptied()
        let parts = parallelMap(bounds, workers: min(workers, slices)) { range -> ([SheetRow], [Diagnostic], [Int: [SourceLocation]]) in
            var part = empty
            let rows = part.readSheetRecords(records[range], sheet: sheet, map: map, kept: kept, layout: layout,
                                             yearIndex: yearIndex, keepYear: keepYear)
            return (rows, part.bag.items, part.unknownCells)
        }
        var unknown: [Int: [SourceLocation]] = [:]
        for (partRows, problems, cells) in parts {
            if !partRows.isEmpty { sheetRows[sheet.id, default: []].append(partRows) }
            bag.append(contentsOf: problems)
            for (c, list) in cells { unknown[c, default: []] += list }
        }
        bag.append(contentsOf: unknownColumnDiagnostics(map, cells: unknown, file: sheet.file))
    }

    /// Reads sheet records into rows (the cells of `kept`, in layout order).
    private mutating func readSheetRecords(_ records: ArraySlice<CSVRecord>, sheet: SheetSpec, map: HeaderMap,
                                           kept: [(key: Int, value: ColumnSpec)], layout: SheetLayout,
                                           yearIndex: Int?, keepYear: Int?) -> [SheetRow] {
        var rows: [SheetRow] = []
        let keys = map.keys
        // Records, fields and column specs read in place (binding each would copy its texts,
        // for every cell of the sheet).
        records.withUnsafeBufferPointer { recs in
            kept.withUnsafeBufferPointer { kept in
                for i in recs.indices {
                    let record = recs.baseAddress! + i
                    if record.pointee.isBlank { continue }
                    reportExtraCells(record.pointee, map: map, file: sheet.file, diagnostics: &bag)
                    collectUnknownColumnCells(record.pointee, map: map, file: sheet.file, into: &unknownCells)
                    guard let unit = resolveUnit(record.pointee, keys: keys, in: layout.fileLocation) else { continue }
                    var reads: [CellRead] = []
                    reads.reserveCapacity(kept.count)
                    var lines: [Int32]?
                    let recordLine = record.pointee.line
                    record.pointee.fields.withUnsafeBufferPointer { fields in
                        for k in kept.indices {
                            let col = kept[k].key
                            let spec = UnsafePointer(kept.baseAddress! + k)
                            let present = col <= fields.count
                            let line = present ? fields[col - 1].line : recordLine
                            if line != recordLine {
                                if lines == nil { lines = Array(repeating: Int32(clamping: recordLine), count: kept.count) }
                                lines![k] = Int32(clamping: line)
                            }
                            let loc = SourceLocation(in: layout.fileLocation, line: line, column: col, row: record.pointee.row)
                            let read = present ? readCell(fields[col - 1].text, as: spec.pointee.value.kind, header: spec.pointee.value.header, at: loc)
                                               : readCell("", as: spec.pointee.value.kind, header: spec.pointee.value.header, at: loc)
                            if case .rejected(var d) = read {
                                d.unit = unit
                                bag.append(d)
                            }
                            reads.append(read)
                        }
                    }
                    // Another year's row: read and checked above, not kept (only the report year's are used).
                    if let keepYear, let yearIndex, case .value(.integer(let y)) = reads[yearIndex], y != keepYear { continue }
                    let cells = SheetCells(layout: layout, reads: reads, lines: lines, line: Int32(clamping: recordLine),
                                           row: Int32(clamping: record.pointee.row))
                    rows.append(SheetRow(unit: unit, location: SourceLocation(in: layout.fileLocation, line: recordLine, row: record.pointee.row),
                                         cells: cells))
                }
            }
        }
        return rows
    }
}

extension UnitTree {
    /// True when `ancestor` is `code` itself or above it.
    public func isAncestor(_ ancestor: String, of code: String) -> Bool {
        var cur: String? = code
        var steps = 0
        while let c = cur, steps < 64 {
            if c == ancestor { return true }
            cur = unit(c)?.parent
            steps += 1
        }
        return false
    }
}
