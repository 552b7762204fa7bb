import Foundation

// MARK: - Columns: what a known column is and how a header is compared with it
//
// The scheme declares its columns (scheme.xml) and the readers map a file's header onto them:
// both sides use these, so they are neither stage's.

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
