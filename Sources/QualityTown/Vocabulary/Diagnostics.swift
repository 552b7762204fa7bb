import Foundation
// MARK: - Diagnostics: problems as values

/// How bad a problem is. An error means a value was rejected; a warning means something was used
/// with a caveat or ignored on purpose (and listed).
public enum Severity: String, Sendable, Codable, Comparable {
    case warning
    case error

    public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }

    /// The word shown on pages.
    public var label: String { self == .error ? "错误" : "警告" }
}

/// The pipeline stage that found a problem; every diagnostic is labelled with it.
public enum Stage: String, Sendable, Codable {
    case read, scheme, compute, render, publish

    /// The stage's name in the users' language (progress lines and failures).
    public var label: String {
        switch self {
        case .read: return "读取"
        case .scheme: return "方案"
        case .compute: return "计算"
        case .render: return "生成页面"
        case .publish: return "发布"
        }
    }
}

/// Where a problem is: a file, and where known its physical line, column (1-based field index)
/// and the spreadsheet row (the record number Excel shows, which differs from the line after a
/// cell with line breaks).
public struct SourceLocation: Sendable, Hashable, Codable, Comparable {
    /// Path relative to the inputs folder (`data/market.csv`), or a template/scheme path.
    public var file: String {
        get { StringTable.files.name(fileID) }
        set { fileID = StringTable.files.id(newValue) }
    }
    // A location is 16 bytes: the file as its number in the process's table of file names, the
    // rest as Int32 (0 = unknown): every cell, figure and score keeps one or more.
    private var fileID: Int32
    private var line32: Int32
    private var column32: Int32
    private var row32: Int32

    public var line: Int? {
        get { line32 > 0 ? Int(line32) : nil }
        set { line32 = Int32(clamping: newValue ?? 0) }
    }
    /// 1-based field index (the spreadsheet column).
    public var column: Int? {
        get { column32 > 0 ? Int(column32) : nil }
        set { column32 = Int32(clamping: newValue ?? 0) }
    }
    /// 1-based spreadsheet row (header = 1); nil where not a cell.
    public var row: Int? {
        get { row32 > 0 ? Int(row32) : nil }
        set { row32 = Int32(clamping: newValue ?? 0) }
    }

    public init(file: String, line: Int? = nil, column: Int? = nil, row: Int? = nil) {
        fileID = StringTable.files.id(file)
        line32 = Int32(clamping: line ?? 0)
        column32 = Int32(clamping: column ?? 0)
        row32 = Int32(clamping: row ?? 0)
    }

    /// A location in the same file as `base` (no look-up of the file's name: for the millions
    /// of cells of one file).
    public init(in base: SourceLocation, line: Int? = nil, column: Int? = nil, row: Int? = nil) {
        fileID = base.fileID
        line32 = Int32(clamping: line ?? 0)
        column32 = Int32(clamping: column ?? 0)
        row32 = Int32(clamping: row ?? 0)
    }

    enum CodingKeys: String, CodingKey { case file, line, column, row }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(file: try c.decode(String.self, forKey: .file), line: try c.decodeIfPresent(Int.self, forKey: .line),
                  column: try c.decodeIfPresent(Int.self, forKey: .column), row: try c.decodeIfPresent(Int.self, forKey: .row))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encodeIfPresent(line, forKey: .line)
        try c.encodeIfPresent(column, forKey: .column)
        try c.encodeIfPresent(row, forKey: .row)
    }

    /// The Excel A1 reference (`E17`), when both column and row are known.
    public var cell: String? {
        guard let column, let row else { return nil }
        return excelColumnName(column) + String(row)
    }

    /// `file:line:column` (parts that are unknown are left out).
    public var description: String {
        var s = file
        if let line {
            s += ":\(line)"
            if let column { s += ":\(column)" }
        }
        return s
    }

    /// `description`, then `（cell）` when asked and known, appended as UTF-8.
    func appendDescription(to out: inout [UInt8], withCell: Bool) {
        func digits(_ n: Int32) {
            var s = String(n)
            s.withUTF8 { out.append(contentsOf: $0) }
        }
        var name = file
        name.withUTF8 { out.append(contentsOf: $0) }
        if line32 > 0 {
            out.append(UInt8(ascii: ":"))
            digits(line32)
            if column32 > 0 {
                out.append(UInt8(ascii: ":"))
                digits(column32)
            }
        }
        func literal(_ s: StaticString) { out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }
        if withCell, column32 > 0, row32 > 0 {
            literal("（")
            // The column's letters (A, Z, AA…), the highest first.
            func letters(_ n: Int32) {
                if n > 26 { letters((n - 1) / 26) }
                out.append(UInt8(65 + (n - 1) % 26))
            }
            letters(column32)
            digits(row32)
            literal("）")
        }
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        if a.fileID != b.fileID { return a.file < b.file }
        if a.line32 != b.line32 { return a.line32 < b.line32 }
        return a.column32 < b.column32
    }

}

/// Strings stored once for the process and numbered in the order first seen (the file names
/// locations refer to; the county codes figures are inherited from). Numbers are handed out
/// under a lock; a string is written before its number is, and never changes, so reading one
/// needs no lock. The strings live in blocks of 65,536 made as they fill, so a table holds as
/// many strings as its 32-bit numbers can name (2³¹), more than memory can hold: no input
/// reaches the limit, so no caller has a failure to handle.
final class StringTable: @unchecked Sendable {
    /// File names of `SourceLocation`.
    static let files = StringTable()
    /// Unit codes (of data cells, and of the county a figure was inherited from).
    static let units = StringTable()
    /// Indicator ids of data cells.
    static let indicators = StringTable()
    /// Text values of data cells (no indicator of the schemes has them).
    static let texts = StringTable()

    private static let blockBits = 16
    private static let blockSize = 1 << blockBits
    /// 32,768 blocks of 65,536: every non-negative Int32.
    private static let blockCount = 1 << (31 - blockBits)
    /// The blocks' addresses, set once each (before any of its numbers is handed out).
    private let blocks: UnsafeMutablePointer<UnsafeMutablePointer<String>?>
    private var ids: [String: Int32] = [:]
    private var count = 0
    private let lock = NSLock()

    /// An empty table (the process's tables are the static ones; tests make their own).
    init() {
        blocks = .allocate(capacity: StringTable.blockCount)
        blocks.initialize(repeating: nil, count: StringTable.blockCount)
    }

    /// The number of `name`, given it now if it is new.
    func id(_ name: String) -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        if let i = ids[name] { return i }
        let block = count >> StringTable.blockBits
        if blocks[block] == nil { blocks[block] = .allocate(capacity: StringTable.blockSize) }
        (blocks[block]! + (count & (StringTable.blockSize - 1))).initialize(to: name)
        let i = Int32(count)
        count += 1
        ids[name] = i
        return i
    }

    func name(_ id: Int32) -> String {
        let i = Int(id)
        return blocks[i >> StringTable.blockBits]![i & (StringTable.blockSize - 1)]
    }
}

/// `1 → A`, `26 → Z`, `27 → AA`.
public func excelColumnName(_ column: Int) -> String {
    var n = column
    var letters: [Character] = []
    while n > 0 {
        let r = (n - 1) % 26
        letters.append(Character(UnicodeScalar(UInt8(65 + r))))
        n = (n - 1) / 26
    }
    return String(letters.reversed())
}

/// One problem found in the inputs, the scheme or the templates.
public struct Diagnostic: Sendable, Hashable, Codable {
    public var severity: Severity
    /// A stable code other tools can match (`type-error`, `excel-error`, `duplicate-header`…).
    public var code: String
    /// A sentence for the user, quoting the offending text and saying what was expected.
    public var message: String
    public var location: SourceLocation
    public var stage: Stage
    /// The unit the problem concerns, when known (code), for grouping by unit.
    public var unit: String?
    /// The cells a problem covers, listed under it (a column no one reads: each of its cells),
    /// so that one line on stderr stands for them and none of them goes unlisted.
    public var cells: [SourceLocation] = []

    public init(_ severity: Severity, _ code: String, _ message: String, at location: SourceLocation,
                stage: Stage = .read, unit: String? = nil) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
        self.stage = stage
        self.unit = unit
    }

    /// `file:line:column: severity: message [code] (cell E17)` — one line for stderr.
    public var line: String {
        var s = "\(location.description): \(severity.rawValue): \(message) [\(code)]"
        if let cell = location.cell { s += " (\(cell))" }
        return s
    }
}

/// Collects diagnostics for one stage; cheap to pass around by `inout`.
public struct DiagnosticBag: Sendable {
    public private(set) var items: [Diagnostic] = []
    public init() {}

    public mutating func append(_ d: Diagnostic) { items.append(d) }
    public mutating func append(contentsOf ds: [Diagnostic]) { items.append(contentsOf: ds) }

    public mutating func error(_ code: String, _ message: String, at location: SourceLocation, unit: String? = nil) {
        items.append(Diagnostic(.error, code, message, at: location, unit: unit))
    }

    public mutating func warning(_ code: String, _ message: String, at location: SourceLocation, unit: String? = nil) {
        items.append(Diagnostic(.warning, code, message, at: location, unit: unit))
    }

    public var errorCount: Int { items.lazy.filter { $0.severity == .error }.count }
    public var warningCount: Int { items.lazy.filter { $0.severity == .warning }.count }
}

/// Quotes a user's text for a message, shortened when very long so one line stays readable.
/// Line breaks inside the text show as ↵ so a diagnostic stays one line.
public func quoted(_ text: String, limit: Int = 60) -> String {
    func oneLine<S: StringProtocol>(_ s: S) -> String {
        s.replacingOccurrences(of: "\r\n", with: "↵").replacingOccurrences(of: "\n", with: "↵")
            .replacingOccurrences(of: "\r", with: "↵")
    }
    // A huge cell (a pasted document, a hostile file) is only looked at up to the limit.
    if text.utf8.count > 100_000 {
        let head = text.prefix(limit + 8)
        let total = text.utf8.count > 1_000_000 ? text.unicodeScalars.count : oneLine(text).count
        return "“\(oneLine(head).prefix(limit))…”（共\(total)字）"
    }
    let s = oneLine(text)
    if s.count <= limit { return "“\(s)”" }
    return "“\(s.prefix(limit))…”（共\(s.count)字）"
}

import Foundation

/// A value too large to compute exactly in 64-bit integers (seventeen-digit cells summed, means of
/// many 15-decimal percentages): an error at the cells involved, never a trap nor a rounded value.
func overflowDiagnostic(_ what: String, at sources: [SourceLocation], unit: String) -> Diagnostic {
    var d = Diagnostic(.error, "overflow",
                       "\(what)超出可精确计算的范围（数值位数过多），记为数据错误；请检查这些单元格是否多填了位数或小数（涉及 \(sources.count) 个单元格）",
                       at: sources.first ?? SourceLocation(file: ""), stage: .compute, unit: unit)
    d.cells = sources
    return d
}
