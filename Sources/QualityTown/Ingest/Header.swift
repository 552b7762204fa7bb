// MARK: - Header normalisation and column mapping

/// Normalises a header for matching: full-width forms to ASCII, spaces removed, ASCII letters
/// lower-cased, and a trailing unit in brackets dropped (`工业产品抽查批次（批）`,
/// `空气质量优良率(%)`, `主要污染物排放达标（是/否）` → the bare name).
public func normalizeHeader(_ raw: String) -> String {
    var s = String(halfWidth(trimCell(raw)).unicodeScalars.filter { !isCellSpace($0) && $0 != "\r" && $0 != "\n" })
    s = s.replacingOccurrences(of: "【", with: "[").replacingOccurrences(of: "】", with: "]")
    // Drop trailing bracketed units, repeatedly (`名称(单位)(%)` is rare but harmless).
    while let last = s.last, last == ")" || last == "]" {
        let open: Character = last == ")" ? "(" : "["
        guard let i = s.lastIndex(of: open), i != s.startIndex else { break }
        s = String(s[..<i])
    }
    return s.lowercased()
}

/// A column the reader knows: its canonical header, accepted spellings and how cells are read.
public struct ColumnSpec: Sendable, Hashable {
    /// Stable id (`agri_sampled`, or a key such as `年度`).
    public var id: String
    /// The canonical Chinese header, as written in blank sheets.
    public var header: String
    public var aliases: [String]
    public var kind: CellKind

    public init(id: String, header: String, aliases: [String] = [], kind: CellKind) {
        self.id = id
        self.header = header
        self.aliases = aliases
        self.kind = kind
    }
}

/// The header row of a file mapped onto known columns.
public struct HeaderMap: Sendable {
    /// Column index (1-based) → known column.
    public var columns: [Int: ColumnSpec] = [:]
    /// Column id → index, for key lookups.
    public var index: [String: Int] = [:]
    /// Columns with an unknown header: index → header text (their cells are listed, not used).
    public var unknown: [Int: String] = [:]
    /// Number of header cells (to spot cells beyond the last header).
    public var width: Int = 0

    /// The key columns' positions (代码, 名称, 所属县区, 年度, 月份, 季度), looked up once per
    /// file: hashing a Chinese header normalises it, and a country has millions of rows.
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
            map.unknown[f.column] = text
            diagnostics.warning("unknown-header", "列标题\(quoted(text))不是本方案的指标或关键列，该列不参与计算（其中的内容会逐格列为警告）；若是指标，请改用标准列名（可用 qtown blank 生成模板）", at: loc)
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
            continue
        }
        seen[spec.id] = f.column
        map.columns[f.column] = spec
        map.index[spec.id] = f.column
    }
    return map
}

import Foundation
