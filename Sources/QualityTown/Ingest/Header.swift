import Foundation

// MARK: - Header normalisation and column mapping

/// The header row of a file mapped onto known columns.
public struct HeaderMap: Sendable {
    /// Column index (1-based) → known column.
    public var columns: [Int: ColumnSpec] = [:]
    /// Column id → index, for key lookups.
    public var index: [String: Int] = [:]
    /// Columns with an unknown header: index → header text (their cells are listed, not used).
    public var unknown: [Int: String] = [:]
    /// Where each unknown header is, and the known header it most resembles (for "did you mean").
    public var unknownHeaders: [(column: Int, location: SourceLocation, suggestion: String?)] = []
    /// Number of header cells (to spot cells beyond the last header).
    public var width: Int = 0

    /// The key columns' positions (代码, 名称, 所属县区, 年度, 月份, 季度), looked up once per
    /// file: hashing a Chinese header normalises it, and a file may have millions of rows.
    public var keys: KeyColumns { KeyColumns(index) }
}

/// Positions (1-based) of the key columns a row is resolved by.
public struct KeyColumns: Sendable {
    public var code, name, county, year, month, quarter: Int?

    init(_ index: [String: Int]) {
        (code, name, county) = (index["代码"], index["名称"], index["所属县区"])
        (year, month, quarter) = (index["年度"], index["月份"], index["季度"])
    }
}

/// Maps a header record onto `known` columns; reports unknown headers (warning), duplicated
/// headers (error: both columns are ignored, since which one is meant cannot be told) and blank
/// headers above data.
public func mapHeader(_ record: CSVRecord, known: [ColumnSpec], file: String, diagnostics: inout DiagnosticBag) -> HeaderMap {
    var lookup: [String: ColumnSpec] = [:]
    for spec in known {
        lookup[normalizeHeader(spec.header)] = spec
        for a in spec.aliases { lookup[normalizeHeader(a)] = spec }
    }
    // Every known spelling normalised once (a hostile header has 100,000 unknown columns).
    let spellings = known.flatMap { spec in ([spec.header] + spec.aliases).map { (normalized: Array(normalizeHeader($0)), header: spec.header) } }
    var map = HeaderMap()
    var seen: [String: Int] = [:]
    var trailing = record.fields.count
    while trailing > 0, isBlankCell(record.fields[trailing - 1].text) { trailing -= 1 }
    map.width = trailing
    for f in record.fields.prefix(trailing) {
        let loc = SourceLocation(file: file, line: f.line, column: f.column, row: record.row)
        let text = trimCell(f.text)
        if text.isEmpty {
            map.unknown[f.column] = ""
            continue
        }
        guard let spec = lookup[normalizeHeader(text)] else {
            // Reported once the file's rows are read, with the cells it leaves unused
            // (`unknownColumnDiagnostics`).
            map.unknown[f.column] = text
            map.unknownHeaders.append((f.column, loc, nearestHeader(text, spellings: spellings)))
            continue
        }
        if let first = seen[spec.id] {
            diagnostics.error("duplicate-header", "列标题\(quoted(text))与第 \(excelColumnName(first)) 列重复（都表示“\(spec.header)”），两列都不使用；请删除或改名其中一列", at: loc)
            if let i = map.index[spec.id] {
                map.columns[i] = nil
                map.unknown[i] = nil
            }
            map.index[spec.id] = nil
            map.unknown[f.column] = nil
            map.unknownHeaders.removeAll { $0.column == f.column }
            continue
        }
        seen[spec.id] = f.column
        map.columns[f.column] = spec
        map.index[spec.id] = f.column
    }
    return map
}

/// The canonical header a user most likely meant (`四上企业个数` → `四上企业数`): the nearest by
/// edit distance after normalising, within a third of the header's length, else one that
/// contains the other; nil when nothing is close. `spellings`: each known spelling, normalised,
/// with its canonical header, in the scheme's order (ties go to the first).
func nearestHeader(_ text: String, spellings: [(normalized: [Character], header: String)]) -> String? {
    let target = Array(normalizeHeader(text))
    guard !target.isEmpty else { return nil }
    var best: (distance: Int, header: String)?
    for s in spellings {
        guard let d = editDistance(target, s.normalized, bound: max(1, min(target.count, s.normalized.count) / 3)) else { continue }
        if best == nil || d < best!.distance { best = (d, s.header) }
    }
    if let best { return best.header }
    // Containment compared as characters (Foundation's `contains` is slow enough that a hostile
    // header with a hundred thousand columns would stall the run).
    func contains(_ a: [Character], _ b: [Character]) -> Bool {
        guard b.count <= a.count else { return false }
        for i in 0...(a.count - b.count) where a[i] == b[0] && a[i..<(i + b.count)].elementsEqual(b) { return true }
        return false
    }
    return spellings.first { $0.normalized.count >= 2 && (contains(target, $0.normalized) || contains($0.normalized, target)) }?.header
}

/// One warning per column that qtown does not know (a renamed or misspelled header, or a column
/// without a header holding data), saying which known column it may be and listing, folded
/// under it, the cells it leaves unused (`cells`: the column's non-blank cells, in order).
func unknownColumnDiagnostics(_ map: HeaderMap, cells: [Int: [SourceLocation]], file: String) -> [Diagnostic] {
    var out: [Diagnostic] = []
    func shown(_ list: [SourceLocation]) -> String {
        let first = list.prefix(3).compactMap(\.cell).joined(separator: "、")
        return "该列有 \(list.count) 个非空单元格未使用（\(first)\(list.count > 3 ? "…" : "")，明细见数据质量页）"
    }
    for h in map.unknownHeaders {
        let text = map.unknown[h.column] ?? ""
        let list = cells[h.column] ?? []
        var message = "列标题\(quoted(text))不是本方案的指标或关键列，该列不参与计算"
        if let s = h.suggestion { message += "；是否是“\(s)”？如是，请把列标题改为“\(s)”" } else { message += "；若是指标，请改用标准列名（可用 qtown blank 生成模板）" }
        if !list.isEmpty { message += "；" + shown(list) }
        var d = Diagnostic(.warning, "unknown-header", message, at: h.location)
        d.cells = list
        out.append(d)
    }
    // Columns without a header: reported only where they hold something.
    for (column, list) in cells.sorted(by: { $0.key < $1.key }) where map.unknown[column] == "" && !list.isEmpty {
        var d = Diagnostic(.warning, "unused-cell", "第 \(excelColumnName(column)) 列没有列标题，\(shown(list))",
                           at: SourceLocation(file: file, line: 1, column: column, row: 1))
        d.cells = list
        out.append(d)
    }
    return out
}

/// Notes the non-blank cells of `record` under an unknown (or blank) header, for
/// `unknownColumnDiagnostics`.
func collectUnknownColumnCells(_ record: CSVRecord, map: HeaderMap, file: String, into cells: inout [Int: [SourceLocation]]) {
    guard !map.unknown.isEmpty else { return }
    for f in record.fields where map.unknown[f.column] != nil && !isBlankCell(f.text) {
        cells[f.column, default: []].append(SourceLocation(file: file, line: f.line, column: f.column, row: record.row))
    }
}
