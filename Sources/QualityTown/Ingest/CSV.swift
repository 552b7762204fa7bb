// MARK: - Decoded text → CSV records (RFC 4180 plus Excel's habits)

/// One field of a record, with where it starts in the file.
public struct CSVField: Sendable, Hashable {
    public var text: String
    // Line and column in 8 bytes (24 a field instead of 32: every field of a sheet is held while
    // its rows are read, millions for a large assessment sheet).
    private var line32: Int32
    private var column32: Int32

    /// Physical line where the field starts (correct after multi-line cells).
    public var line: Int {
        get { Int(line32) }
        set { line32 = Int32(clamping: newValue) }
    }
    /// 1-based field index (the spreadsheet column).
    public var column: Int {
        get { Int(column32) }
        set { column32 = Int32(clamping: newValue) }
    }

    public init(text: String, line: Int, column: Int) {
        self.text = text
        line32 = Int32(clamping: line)
        column32 = Int32(clamping: column)
    }
}

/// One record: its spreadsheet row number (header = 1) and fields.
public struct CSVRecord: Sendable {
    /// 1-based record number as Excel shows it (blank lines count as rows).
    public var row: Int
    /// Physical line where the record starts.
    public var line: Int
    public var fields: [CSVField]

    /// True when every field is empty or spaces (a blank spreadsheet row).
    public var isBlank: Bool { fields.allSatisfy { isBlankCell($0.text) } }
}

/// The field separator of a file, detected from its header line.
public enum CSVSeparator: UInt8, Sendable {
    case comma = 0x2C, tab = 0x09, semicolon = 0x3B

    /// Shown on the index page.
    public var label: String {
        switch self {
        case .comma: return "逗号"
        case .tab: return "制表符"
        case .semicolon: return "分号"
        }
    }
}

/// A parsed CSV table, with problems met while splitting it (unterminated quotes, stray quotes).
public struct CSVTable: Sendable {
    public var separator: CSVSeparator
    public var records: [CSVRecord]
    public var diagnostics: [Diagnostic]
}

/// True for text that is empty once spaces (incl. U+3000 and NBSP) are trimmed.
func isBlankCell(_ s: String) -> Bool {
    s.unicodeScalars.allSatisfy { isCellSpace($0) || $0 == "\r" || $0 == "\n" }
}

/// Picks comma, tab or semicolon: the one occurring most often outside quotes on the first line
/// (ties go to comma, then tab).
func detectSeparator(_ b: [UInt8]) -> CSVSeparator {
    var counts: [UInt8: Int] = [0x2C: 0, 0x09: 0, 0x3B: 0]
    var inQuotes = false
    for c in b {
        if c == 0x22 { inQuotes.toggle(); continue }
        if !inQuotes && (c == 0x0A || c == 0x0D) { break }
        if !inQuotes, counts[c] != nil { counts[c]! += 1 }
    }
    let best = [CSVSeparator.comma, .tab, .semicolon].max { counts[$0.rawValue]! < counts[$1.rawValue]! }!
    return counts[best.rawValue]! > 0 ? best : .comma
}

/// Splits UTF-8 text into records. Quoted fields may hold separators, doubled quotes and line
/// breaks; CRLF, LF and CR all end a record. Trailing blank records are dropped; blank records in
/// the middle are kept (they are spreadsheet rows) and skipped by readers.
public func parseCSV(_ b: [UInt8], file: String, separator forced: CSVSeparator? = nil) -> CSVTable {
    let sep = forced ?? detectSeparator(b)
    let sepByte = sep.rawValue
    var records: [CSVRecord] = []
    var diags: [Diagnostic] = []
    var fields: [CSVField] = []
    var field: [UInt8] = []
    var line = 1
    var row = 1
    var recordLine = 1
    var fieldLine = 1
    var i = 0
    let n = b.count
    var quoted = false       // current field started with a quote
    var inQuotes = false     // inside the quoted part
    var quoteOpenLine = 1
    var strayReported = false

    func endField() {
        fields.append(CSVField(text: String(decoding: field, as: UTF8.self), line: fieldLine, column: fields.count + 1))
        field.removeAll(keepingCapacity: true)
        quoted = false
    }
    func endRecord() {
        endField()
        records.append(CSVRecord(row: row, line: recordLine, fields: fields))
        fields.removeAll(keepingCapacity: true)
        row += 1
    }

    while i < n {
        let c = b[i]
        if inQuotes {
            if c == 0x22 {
                if i + 1 < n, b[i + 1] == 0x22 { field.append(0x22); i += 2; continue }
                inQuotes = false
                i += 1
                continue
            }
            if c == 0x0D {
                // Line breaks inside a cell are kept as typed; they still count as lines.
                line += 1
                field.append(0x0D)
                if i + 1 < n, b[i + 1] == 0x0A { field.append(0x0A); i += 1 }
                i += 1
                continue
            }
            if c == 0x0A { line += 1 }
            field.append(c)
            i += 1
            continue
        }
        switch c {
        case sepByte:
            endField()
            fieldLine = line
            i += 1
        case 0x0D, 0x0A:
            endRecord()
            if c == 0x0D, i + 1 < n, b[i + 1] == 0x0A { i += 1 }
            i += 1
            line += 1
            recordLine = line
            fieldLine = line
        case 0x22 where field.isEmpty && !quoted:
            quoted = true
            inQuotes = true
            quoteOpenLine = line
            i += 1
        case 0x22:
            // A quote inside an unquoted field, or text after a closing quote: Excel keeps it.
            if !strayReported {
                strayReported = true
                diags.append(Diagnostic(.warning, "stray-quote",
                    "引号出现在单元格中间，已按原样读入；若该单元格本应整体加引号，请检查",
                    at: SourceLocation(file: file, line: line, column: fields.count + 1, row: row)))
            }
            field.append(c)
            i += 1
        default:
            field.append(c)
            i += 1
        }
    }
    if inQuotes {
        diags.append(Diagnostic(.error, "unterminated-quote",
            "从此处开始的引号直到文件末尾都没有闭合，其后内容全部读进了这一个单元格；请检查该单元格的引号",
            at: SourceLocation(file: file, line: quoteOpenLine, column: fields.count + 1, row: row)))
    }
    if !field.isEmpty || !fields.isEmpty || quoted {
        endRecord()
    }
    while let last = records.last, last.isBlank { records.removeLast() }
    return CSVTable(separator: sep, records: records, diagnostics: diags)
}

/// Writes cells as one CSV record (quoting where needed), for `qtown blank`, results.csv and tests.
public func csvLine(_ cells: [String], separator: CSVSeparator = .comma) -> String {
    // Over the UTF-8 bytes: a cell is quoted when it has the separator, a quote, a line break,
    // or a space at either end (as bytes, so a line break within a "\r\n" pair counts too).
    var out: [UInt8] = []
    for (i, cell) in cells.enumerated() {
        if i > 0 { out.append(separator.rawValue) }
        let u = cell.utf8
        let quoted = u.first == 0x20 || u.last == 0x20
            || u.contains { $0 == separator.rawValue || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        if quoted {
            out.append(0x22)
            for b in u {
                if b == 0x22 { out.append(0x22) }
                out.append(b)
            }
            out.append(0x22)
        } else {
            out.append(contentsOf: u)
        }
    }
    return String(decoding: out, as: UTF8.self)
}

import Foundation
