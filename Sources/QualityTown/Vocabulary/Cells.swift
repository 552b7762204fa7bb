// MARK: - Typed cells: every spelling spreadsheet users type, and every bad form rejected

/// What a column holds; decides how its cells are read.
public enum CellKind: Sendable, Hashable {
    /// Integer ≥ 0; `无` is 0; `1,234` is 1234.
    case count
    /// 0–100, `98.5%` is 98.5.
    case percent
    /// 0–100 (satisfaction scores).
    case score
    /// Points ≥ 0 with decimals (rubric scores; the maximum is the rubric's business).
    case points
    /// 是/否 and friends.
    case flag
    /// Integer within a range (star levels).
    case level(ClosedRange<Int>)
    /// 2025, 2025年, 2025.0.
    case year
    /// 1–12.
    case month
    /// 1–4.
    case quarter
    /// A calendar day, incl. Excel serial numbers.
    case date
    /// An identifier that must stay text (unit codes).
    case code
    /// Free text (kept as typed, trimmed).
    case text
    /// A non-negative decimal flow, exact (areas in 万平方米); `无` is 0 (quzhou-city.md §4, §6).
    /// The unit belongs in the header (`绿色建筑面积（万平方米）`): `12.5万平方米` or `1,234.5万元`
    /// in a cell is rejected, since `万` would silently scale the number.
    case amount
    /// A place in a ranking: an integer ≥ 1 (quzhou-city.md §4); `第3名`, `3名`, `第3位` read as 3.
    case rank

    /// What a cell of this kind should look like, for messages.
    public var expectation: String {
        switch self {
        case .count: return "不小于 0 的整数（如 12、1,234；“无”表示 0）"
        case .percent: return "0–100 之间的百分数（如 98.5 或 98.5%）"
        case .score: return "0–100 之间的分值（如 85.5）"
        case .points: return "不小于 0 的分数（如 2 或 0.5）"
        case .flag: return "是/否（也可写 有/无、√/×、Y/N、TRUE/FALSE、1/0）"
        case .level(let r): return "\(r.lowerBound)–\(r.upperBound) 之间的整数"
        case .year: return "年份（如 2025 或 2025年）"
        case .month: return "1–12 的月份"
        case .quarter: return "1–4 的季度"
        case .date: return "日期（如 2025-03-05、2025/3/5、2025年3月5日）"
        case .code: return "代码（文本格式的数字，如 341302100）"
        case .text: return "文本"
        case .amount: return "不小于 0 的数（如 12.5、1,234.56；“无”表示 0；单位写在列标题中）"
        case .rank: return "不小于 1 的整数名次（如 3 或 第3名）"
        }
    }
}

/// A value read from a cell.
public enum CellValue: Sendable, Hashable {
    case integer(Int)
    case number(Rational)
    case flag(Bool)
    case day(Day)
    case text(String)

    /// The value as an exact number, where it is one.
    public var rational: Rational? {
        switch self {
        case .integer(let i): return Rational(i)
        case .number(let r): return r
        default: return nil
        }
    }
}

/// The outcome of reading one cell: a value, no data (blank, —, N/A…), or a rejection.
public enum CellRead: Sendable, Hashable {
    case value(CellValue)
    case noData
    /// Indirect: a diagnostic is large and rare; every other cell stays a few bytes.
    indirect case rejected(Diagnostic)
}

/// Spaces a spreadsheet cell may carry around its value: ASCII, U+3000 ideographic, NBSP.
func isCellSpace(_ s: Unicode.Scalar) -> Bool {
    s == " " || s == "\t" || s == "\u{3000}" || s == "\u{00A0}" || s == "\u{FEFF}" || s == "\u{2002}"
        || s == "\u{2003}" || s == "\u{200B}"
}

/// Trims cell spaces (and surrounding line breaks) from both ends.
func trimCell(_ s: String) -> String {
    let scalars = s.unicodeScalars
    guard let first = scalars.firstIndex(where: { !isCellSpace($0) && $0 != "\r" && $0 != "\n" }) else { return "" }
    let last = scalars.lastIndex(where: { !isCellSpace($0) && $0 != "\r" && $0 != "\n" })!
    return String(scalars[first...last])
}

/// `s` without leading and trailing white space (Unicode's, as `trimmingCharacters(in:
/// .whitespaces)`), without a round trip through Foundation when there is none to remove.
func trimmedWhitespace(_ s: String) -> String {
    guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return s }
    // CharacterSet.whitespaces: general category Zs, tab and the zero-width space (checked
    // against Foundation scalar by scalar in CellTests); asked of Foundation it cost more than
    // reading the cell.
    func blank(_ u: Unicode.Scalar) -> Bool {
        u == "\t" || u == " " || (u.value >= 0x80 && (u == "\u{200B}" || u.properties.generalCategory == .spaceSeparator))
    }
    if !blank(first) && !blank(last) { return s }
    return s.trimmingCharacters(in: .whitespaces)
}

/// Full-width digits, letters and ％．，－ to ASCII, as typed with a Chinese input method.
func halfWidth(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    for u in s.unicodeScalars {
        if (0xFF01...0xFF5E).contains(u.value) {
            out.append(Unicode.Scalar(u.value - 0xFEE0)!)
        } else if u == "\u{3000}" {
            out.append(" ")
        } else if u == "\u{2212}" {  // minus sign
            out.append("-")
        } else {
            out.append(u)
        }
    }
    return String(out)
}

/// Spellings meaning "no data" in any column.
private let noDataTokens: Set<String> = ["", "—", "——", "-", "--", "–", "/", "N/A", "n/a", "无数据", "暂无数据", "空"]
/// The first characters of the no-data tokens, decomposed (a text equal to a token starts with
/// the first character of the token's canonical decomposition).
private let noDataFirstScalars = Set(noDataTokens.compactMap { $0.decomposedStringWithCanonicalMapping.unicodeScalars.first })

/// False when a text starting with `f` cannot equal a no-data token (hashing a Chinese text to
/// look it up normalises it first, which was most of reading an assessment sheet's text cells):
/// an ASCII character or a CJK ideograph (neither changes under normalisation) that starts no
/// token. Anything else is looked up.
private func mayBeNoDataToken(_ f: Unicode.Scalar) -> Bool {
    f.isASCII || (0x4E00...0x9FFF).contains(f.value) ? noDataFirstScalars.contains(f) : true
}

/// Excel error values: a formula failed in the spreadsheet.
private let excelErrors: Set<String> = ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!",
                                        "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!"]
private let trueFlags: Set<String> = ["是", "有", "√", "✓", "✔", "y", "yes", "true", "1", "达标", "是的"]
private let falseFlags: Set<String> = ["否", "无", "×", "✗", "✘", "x", "n", "no", "false", "0", "不达标", "未达标"]

/// The most characters an Excel or WPS cell holds.
public let excelCellLimit = 32_767

/// Reads one cell as `kind`. `header` names the column in messages; `location` carries the
/// file, line, column and row of the cell.
public func readCell(_ raw: String, as kind: CellKind, header: String, at location: SourceLocation) -> CellRead {
    // Fast paths: an empty cell is no data whatever its kind; a text with nothing to trim is
    // itself (the two are most of an assessment sheet's cells besides its numbers).
    if raw.isEmpty { return .noData }
    // 是 and 否 as typed: what the full reading below gives (most flags of an export).
    if case .flag = kind {
        if raw == "是" { return .value(.flag(true)) }
        if raw == "否" { return .value(.flag(false)) }
    }
    if case .text = kind, raw.utf8.count <= excelCellLimit, let f = raw.unicodeScalars.first, let l = raw.unicodeScalars.last,
       f != "'", !isCellSpace(f), !isCellSpace(l), f != "\r", f != "\n", l != "\r", l != "\n" {
        return mayBeNoDataToken(f) && noDataTokens.contains(raw) ? .noData : .value(.text(raw))
    }
    // A plain decimal (`85.3`) for a percent, score or points: what the full reading below gives.
    switch kind {
    case .percent, .score, .points, .amount:
        if let r = plainDecimal(raw), kind == .points || kind == .amount || r <= Rational(100) { return .value(.number(r)) }
    default: break
    }
    // Most cells are plain ASCII digits: they skip the general number reader.
    if let v = plainDigits(raw) {
        switch kind {
        case .count, .points, .amount: return .value(kind == .count ? .integer(v) : .number(Rational(v)))
        case .rank where v >= 1: return .value(.integer(v))
        case .year where (1900...2100).contains(v): return .value(.integer(v))
        case .month where (1...12).contains(v): return .value(.integer(v))
        case .code where raw.utf8.count <= 18: return .value(.text(raw))
        case .percent where v <= 100, .score where v <= 100: return .value(.number(Rational(v)))
        default: break
        }
    }
    // Excel keeps at most 32,767 characters in a cell: a longer one is no spreadsheet value (a
    // pasted file, a broken export) and is rejected before any further reading of it.
    if raw.utf8.count > excelCellLimit, raw.utf16.count > excelCellLimit {
        return .rejected(Diagnostic(.error, "cell-too-long",
            "“\(header)”列的值\(quoted(raw))超过 Excel 单元格上限（\(excelCellLimit) 字），未读取；请检查该单元格是否误粘贴了整段内容或文件",
            at: location))
    }
    var s = trimCell(raw)
    if s.hasPrefix("'") { s = trimCell(String(s.dropFirst())) }  // Excel's "keep as text" prefix
    if case .text = kind {
        return noDataTokens.contains(s) ? .noData : .value(.text(s))
    }
    let t = trimmedWhitespace(halfWidth(s))
    if noDataTokens.contains(t) || t.uppercased() == "N/A" { return .noData }

    func reject(_ code: String, _ why: String) -> CellRead {
        .rejected(Diagnostic(.error, code, "“\(header)”列的值\(quoted(s))\(why)", at: location))
    }
    if t.hasPrefix("#"), excelErrors.contains(t.uppercased()) {
        return reject("excel-error", "是 Excel 公式错误，不能当作数据；请在表格中修正公式或填入\(kind.expectation)")
    }
    func typeError() -> CellRead { reject("type-error", "无法识别，应为\(kind.expectation)") }

    switch kind {
    case .text:
        return .value(.text(s))
    case .code:
        if isScientific(t) {
            return reject("scientific-code", "是科学计数法：该列被设成了数字格式，代码已丢失末位；请把该列设为“文本”格式后重新录入代码")
        }
        var code = t
        if let dot = code.firstIndex(of: "."), code[code.index(after: dot)...].allSatisfy({ $0 == "0" }),
           code[..<dot].allSatisfy(\.isASCIIDigit), dot != code.startIndex {
            code = String(code[..<dot])  // 341302.0: a number-formatted code without loss
        }
        guard !code.isEmpty, code.allSatisfy({ $0.isASCIIDigit || ($0.isASCII && $0.isLetter) }) else { return typeError() }
        return .value(.text(code))
    case .count:
        if t == "无" || t == "没有" { return .value(.integer(0)) }
        guard let r = parseDecimal(t, allowPercent: false) else { return typeError() }
        if r < Rational(0) { return reject("negative", "是负数，应为\(kind.expectation)") }
        guard r.isInteger else { return reject("type-error", "不是整数，应为\(kind.expectation)") }
        return .value(.integer(r.numerator))
    case .percent, .score:
        guard let r = parseDecimal(t, allowPercent: true) else { return typeError() }
        if r < Rational(0) || r > Rational(100) { return reject("out-of-range", "超出 0–100 的范围") }
        return .value(.number(r))
    case .points:
        guard let r = parseDecimal(t, allowPercent: false) else { return typeError() }
        if r < Rational(0) { return reject("negative", "是负数，应为\(kind.expectation)") }
        return .value(.number(r))
    case .amount:
        if t == "无" || t == "没有" { return .value(.number(Rational(0))) }
        guard let r = parseDecimal(t, allowPercent: false) else {
            if let unit = trailingUnit(t) {
                return reject("type-error", "带有单位“\(unit)”：单元格只填数字，计量单位写在列标题的括号中，应为\(kind.expectation)")
            }
            return typeError()
        }
        if r < Rational(0) { return reject("negative", "是负数，应为\(kind.expectation)") }
        return .value(.number(r))
    case .rank:
        var u = Substring(t)
        if u.hasPrefix("第") { u = u.dropFirst() }
        if u.hasSuffix("名") || u.hasSuffix("位") { u = u.dropLast() }
        guard let r = parseDecimal(String(u), allowPercent: false) else { return typeError() }
        guard r.isInteger else { return reject("type-error", "不是整数，应为\(kind.expectation)") }
        guard r >= Rational(1) else { return reject("out-of-range", "不是名次，应为\(kind.expectation)") }
        return .value(.integer(r.numerator))
    case .level(let range):
        let u = t.replacingOccurrences(of: "星级", with: "").replacingOccurrences(of: "星", with: "")
        guard let r = parseDecimal(u, allowPercent: false), r.isInteger else { return typeError() }
        guard range.contains(r.numerator) else { return reject("out-of-range", "超出 \(range.lowerBound)–\(range.upperBound) 的范围") }
        return .value(.integer(r.numerator))
    case .flag:
        let l = t.lowercased()
        if trueFlags.contains(l) { return .value(.flag(true)) }
        if falseFlags.contains(l) { return .value(.flag(false)) }
        return typeError()
    case .year:
        let u = t.hasSuffix("年") ? String(t.dropLast()) : t
        guard let r = parseDecimal(u, allowPercent: false), r.isInteger, !u.contains(",") else { return typeError() }
        guard (1900...2100).contains(r.numerator) else { return reject("out-of-range", "不是合理的年份（1900–2100）") }
        return .value(.integer(r.numerator))
    case .month:
        let u = t.hasSuffix("月") ? String(t.dropLast()) : t
        guard let r = parseDecimal(u, allowPercent: false), r.isInteger else { return typeError() }
        guard (1...12).contains(r.numerator) else { return reject("out-of-range", "不是 1–12 的月份") }
        return .value(.integer(r.numerator))
    case .quarter:
        guard let q = parseQuarter(t) else { return typeError() }
        guard (1...4).contains(q) else { return reject("out-of-range", "不是 1–4 的季度") }
        return .value(.integer(q))
    case .date:
        switch parseDate(t) {
        case .some(.success(let d)): return .value(.day(d))
        case .some(.failure): return reject("out-of-range", "不是存在的日期")
        case .none: return typeError()
        }
    }
}

/// ASCII digits with at most one `.` between digits (at most 15 digits in all): the digits as
/// one integer and how many come after the point; nil for anything else.
@inline(__always)
func plainNumber(_ raw: String) -> (digits: Int, decimals: Int)? {
    // Over the bytes in place (a String's UTF-8 view checks its form at every byte).
    var raw = raw
    return raw.withUTF8(plainNumber)
}

/// `plainNumber` of UTF-8 bytes.
@inline(__always)
func plainNumber(_ utf8: UnsafeBufferPointer<UInt8>) -> (digits: Int, decimals: Int)? {
    var n = 0, count = 0, decimals = -1
    for b in utf8 {
        if b == UInt8(ascii: ".") {
            guard decimals < 0, count > 0 else { return nil }
            decimals = 0
            continue
        }
        guard b >= 48 && b <= 57, count < 15 else { return nil }
        n = n * 10 + Int(b - 48)
        count += 1
        if decimals >= 0 { decimals += 1 }
    }
    guard count > 0, decimals != 0 else { return nil }
    return (n, max(0, decimals))
}

/// Plain ASCII digits (at most 15) as an integer.
func plainDigits(_ raw: String) -> Int? {
    plainNumber(raw).flatMap { $0.decimals == 0 ? $0.digits : nil }
}

/// A plain decimal (`85.3`, digits on both sides of the point), exactly.
func plainDecimal(_ raw: String) -> Rational? {
    guard let (n, decimals) = plainNumber(raw), decimals > 0 else { return nil }
    var d = 1
    for _ in 0..<decimals { d *= 10 }
    return Rational(n, d)
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// `3.41302E+11`, `1.5e3`: how Excel writes a long number in a General-formatted column.
func isScientific(_ t: String) -> Bool {
    let u = t.uppercased()
    guard let e = u.firstIndex(of: "E"), e != u.startIndex else { return false }
    let mant = u[..<e], exp = u[u.index(after: e)...]
    let expDigits = exp.drop(while: { $0 == "+" || $0 == "-" })
    return !mant.isEmpty && mant.allSatisfy({ $0.isASCIIDigit || $0 == "." }) && mant.contains(where: \.isASCIIDigit)
        && !expDigits.isEmpty && expDigits.allSatisfy(\.isASCIIDigit) && exp.count - expDigits.count <= 1
}

/// Exact decimal: `12`, `-3`, `98.5`, `1,234.5`, `98.5%` (when allowed). Thousands separators
/// must group by three. Returns nil for anything else.
func parseDecimal(_ t: String, allowPercent: Bool) -> Rational? {
    var s = Substring(t)
    if allowPercent, s.hasSuffix("%") { s = s.dropLast() }
    s = Substring(trimmedWhitespace(String(s)))
    var negative = false
    if s.hasPrefix("-") { negative = true; s = s.dropFirst() } else if s.hasPrefix("+") { s = s.dropFirst() }
    guard !s.isEmpty else { return nil }
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2 else { return nil }
    let intPart = parts[0]
    let fracPart = parts.count == 2 ? parts[1] : ""
    if parts.count == 2 && fracPart.isEmpty && intPart.isEmpty { return nil }
    // Thousands grouping: 1,234,567 only.
    let groups = intPart.split(separator: ",", omittingEmptySubsequences: false)
    if groups.count > 1 {
        guard let first = groups.first, (1...3).contains(first.count),
              groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
    }
    let digits = groups.joined()
    guard digits.allSatisfy(\.isASCIIDigit), fracPart.allSatisfy(\.isASCIIDigit),
          !(digits.isEmpty && fracPart.isEmpty), digits.count + fracPart.count <= 17 else { return nil }
    var n = 0
    for ch in digits + fracPart { n = n * 10 + Int(ch.asciiValue! - 48) }
    var d = 1
    for _ in 0..<fracPart.count { d *= 10 }
    return Rational(negative ? -n : n, d)
}

/// The unit typed after a number (`万元` in `1,234.5万元`, `㎡` in `12㎡`), when the cell is a
/// number followed by text without digits; nil otherwise. Says why a number cell was refused.
func trailingUnit(_ t: String) -> String? {
    guard let i = t.firstIndex(where: { !($0.isASCIIDigit || $0 == "." || $0 == "," || $0 == "-" || $0 == "+") }),
          i != t.startIndex, parseDecimal(String(t[..<i]), allowPercent: false) != nil else { return nil }
    let unit = trimmedWhitespace(String(t[i...]))
    return unit.isEmpty || unit.contains(where: \.isASCIIDigit) ? nil : unit
}

/// `1`, `Q1`, `1季度`, `第1季度`, `一季度`, `第一季度`.
func parseQuarter(_ t: String) -> Int? {
    var u = t.uppercased()
    if u.hasPrefix("Q") { u.removeFirst() }
    if u.hasPrefix("第") { u.removeFirst() }
    if u.hasSuffix("季度") { u.removeLast(2) }
    let chinese: [String: Int] = ["一": 1, "二": 2, "三": 3, "四": 4]
    if let q = chinese[u] { return q }
    guard let r = parseDecimal(u, allowPercent: false), r.isInteger else { return nil }
    return r.numerator
}

/// Dates as typed: `2025-03-05`, `2025/3/5`, `2025.3.5`, `2025年3月5日` (optionally followed by a
/// time, as Excel exports `2025/3/5 0:00`), or an Excel serial number (1900 date system).
/// nil: not a date at all; failure: shaped like a date but no such day.
func parseDate(_ t: String) -> Result<Day, DateShapeError>? {
    var s = t
    if let space = s.firstIndex(of: " ") {
        let rest = s[s.index(after: space)...]
        guard rest.allSatisfy({ $0.isASCIIDigit || $0 == ":" }) else { return nil }
        s = String(s[..<space])
    }
    if s.hasSuffix("日") || s.hasSuffix("号") { s.removeLast() }
    let seps: Set<Character> = ["-", "/", ".", "年", "月"]
    let parts = s.split(whereSeparator: { seps.contains($0) }).map(String.init)
    if parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }), parts[0].count == 4,
       parts[1].count <= 2, parts[2].count <= 2 {
        let sepsUsed = s.filter { seps.contains($0) }
        guard sepsUsed.count == 2 else { return nil }
        guard let d = Day(Int(parts[0])!, Int(parts[1])!, Int(parts[2])!) else { return .failure(DateShapeError()) }
        return .success(d)
    }
    if parts.count == 1, s.count == 8, s.allSatisfy(\.isASCIIDigit) {  // 20250305
        guard let d = Day(Int(s.prefix(4))!, Int(s.dropFirst(4).prefix(2))!, Int(s.suffix(2))!) else {
            return .failure(DateShapeError())
        }
        return .success(d)
    }
    if let r = parseDecimal(t, allowPercent: false), !t.contains(",") {
        // Excel serial: days since 1899-12-30 (serial 60 is Excel's fictitious 1900-02-29).
        let whole = r.numerator / r.denominator
        guard whole >= 1, whole <= 2_958_465, whole != 60 else { return .failure(DateShapeError()) }
        let base = Day(1899, 12, 30)!.ordinal
        return .success(Day(ordinal: base + (whole < 60 ? whole + 1 : whole)))
    }
    return nil
}

/// A cell shaped like a date naming no real day (2025-02-30).
public struct DateShapeError: Error, Sendable {}

import Foundation
