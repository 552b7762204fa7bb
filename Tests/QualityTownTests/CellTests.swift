import Testing
import Foundation
@testable import QualityTown

/// Small inline tests: one cell spelling each (io-contract.md "Cells").
@Suite struct CellTests {
    let loc = SourceLocation(file: "data/x.csv", line: 3, column: 5, row: 3)

    func value(_ s: String, _ kind: CellKind) -> CellValue? {
        if case .value(let v) = readCell(s, as: kind, header: "h", at: loc) { return v }
        return nil
    }

    func code(_ s: String, _ kind: CellKind) -> String? {
        if case .rejected(let d) = readCell(s, as: kind, header: "h", at: loc) { return d.code }
        return nil
    }

    /// Sums, products and quotients of fractions and integers are reduced exactly, whichever
    /// path (integers or fractions) computes them.
    @Test func rationalArithmeticIsExactAndReduced() {
        var rng = SplitMix(seed: 3)
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? Swift.abs(a) : gcd(b, a % b) }
        func check(_ r: Rational, _ n: Int, _ d: Int) {
            let g = Swift.max(gcd(n, d), 1), sign = d < 0 ? -1 : 1
            #expect(r.numerator == sign * n / g && r.denominator == sign * d / g, "\(n)/\(d) → \(r)")
            #expect(r.denominator > 0 && gcd(r.numerator, r.denominator) <= 1)
        }
        for _ in 0..<3000 {
            let (an, bn) = (Int(rng.next() % 2001) - 1000, Int(rng.next() % 2001) - 1000)
            let (ad, bd) = (rng.next() % 2 == 0 ? 1 : Int(rng.next() % 60) + 1, rng.next() % 2 == 0 ? 1 : Int(rng.next() % 60) + 1)
            let (a, b) = (Rational(an, ad), Rational(bn, bd))
            check(a, an, ad)
            check(a + b, a.numerator * b.denominator + b.numerator * a.denominator, a.denominator * b.denominator)
            check(a * b, a.numerator * b.numerator, a.denominator * b.denominator)
            if b.numerator != 0 { check(a / b, a.numerator * b.denominator, a.denominator * b.numerator) }
        }
    }

    @Test func countsAcceptEverySpelling() {
        #expect(value("12", .count) == .integer(12))
        #expect(value("1,234", .count) == .integer(1234))
        #expect(value("１２００", .count) == .integer(1200))
        #expect(value("\u{3000} 7\u{00A0}", .count) == .integer(7))
        #expect(value("无", .count) == .integer(0))
        #expect(value("'15", .count) == .integer(15))
        #expect(value("12.0", .count) == .integer(12))
    }

    @Test func noDataSpellings() {
        for s in ["", "  ", "—", "-", "/", "N/A", "n/a", "无数据", "－", "\u{3000}"] {
            #expect(readCell(s, as: .count, header: "h", at: loc) == .noData, "\(s)")
        }
        #expect(readCell("无", as: .percent, header: "h", at: loc) != .noData)
        // Text columns too, with nothing to trim (the fast path) or with spaces and a "keep as
        // text" quote around the token; other texts are kept as typed.
        for s in ["", "—", "——", "-", "--", "–", "/", "N/A", "n/a", "无数据", "暂无数据", "空", " 空 ", "'空", "\u{3000}无数据"] {
            #expect(readCell(s, as: .text, header: "h", at: loc) == .noData, "\(s)")
        }
        for s in ["档案73", "1.1", "无", "空白", "N", "/path", "Ω", "说明 "] {
            #expect(readCell(s, as: .text, header: "h", at: loc) == .value(.text(s.trimmingCharacters(in: .whitespaces))), "\(s)")
        }
    }

    @Test func percentsAndScores() {
        #expect(value("98.5%", .percent) == .number(Rational(985, 10)))
        #expect(value("98.5", .percent) == .number(Rational(197, 2)))
        #expect(value("７０．５％", .percent) == .number(Rational(141, 2)))
        #expect(value("100", .score) == .number(Rational(100)))
        #expect(value("0", .score) == .number(Rational(0)))
        #expect(code("100.5", .percent) == "out-of-range")
        #expect(code("101", .score) == "out-of-range")
        #expect(code("-1", .score) == "out-of-range")
        #expect(code("高", .score) == "type-error")
        // Plain decimals (read without trimming) give what every other spelling of them gives.
        #expect(value("05.50", .score) == .number(Rational(11, 2)) && value("100.0", .percent) == .number(Rational(100)))
        #expect(value("0.5", .points) == .number(Rational(1, 2)) && value("120.25", .points) == .number(Rational(481, 4)))
        #expect(value(" 85.3 ", .percent) == value("85.3", .percent))
        #expect(code("100.01", .score) == "out-of-range")
        for bad in ["1.2.3", ".", "5.a"] { #expect(code(bad, .points) == "type-error", "\(bad)") }
    }

    @Test func rejectedForms() {
        for e in ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?"] {
            #expect(code(e, .count) == "excel-error", "\(e)")
        }
        #expect(code("-3", .count) == "negative")
        #expect(code("－3", .count) == "negative")
        #expect(code("2.5", .count) == "type-error")
        #expect(code("abc", .count) == "type-error")
        #expect(code("1,23", .count) == "type-error")
        #expect(code("3.41302E+11", .code) == "scientific-code")
        #expect(code("3.41302e11", .code) == "scientific-code")
        #expect(code("二〇二五", .year) == "type-error")
        #expect(code("1850", .year) == "out-of-range")
        #expect(code("2025-02-30", .date) == "out-of-range")
        #expect(code("明年", .date) == "type-error")
        #expect(code("13", .month) == "out-of-range")
    }

    @Test func rejectionMessageQuotesTextAndSaysWhatWasExpected() throws {
        guard case .rejected(let d) = readCell("#DIV/0!", as: .count, header: "环境质量投诉数", at: loc) else {
            Issue.record("not rejected"); return
        }
        #expect(d.message.contains("“#DIV/0!”"))
        #expect(d.message.contains("环境质量投诉数"))
        #expect(d.location.cell == "E3")
        #expect(d.line == "data/x.csv:3:5: error: \(d.message) [excel-error] (E3)")
    }

    @Test func flags() {
        for t in ["是", "有", "√", "✓", "Y", "y", "TRUE", "true", "1"] { #expect(value(t, .flag) == .flag(true), "\(t)") }
        for f in ["否", "无", "×", "✗", "N", "FALSE", "0"] { #expect(value(f, .flag) == .flag(false), "\(f)") }
        #expect(code("可能", .flag) == "type-error")
    }

    @Test func yearsMonthsQuarters() {
        #expect(value("2025", .year) == .integer(2025))
        #expect(value("2025年", .year) == .integer(2025))
        #expect(value("2025.0", .year) == .integer(2025))
        #expect(value("２０２５", .year) == .integer(2025))
        #expect(value("3月", .month) == .integer(3))
        #expect(value("03", .month) == .integer(3))
        #expect(value("第一季度", .quarter) == .integer(1))
        #expect(value("Q2", .quarter) == .integer(2))
        #expect(value("3季度", .quarter) == .integer(3))
    }

    @Test func dates() {
        let d = Day(2025, 3, 5)!
        for s in ["2025-03-05", "2025/3/5", "2025.3.5", "2025年3月5日", "2025/3/5 0:00", "２０２５－０３－０５"] {
            #expect(value(s, .date) == .day(d), "\(s)")
        }
        // Excel serials (1900 date system, with Excel's fictitious 1900-02-29 at 60).
        #expect(value("45658", .date) == .day(Day(2025, 1, 1)!))
        #expect(value("45721", .date) == .day(d))
        #expect(value("1", .date) == .day(Day(1900, 1, 1)!))
        #expect(value("61", .date) == .day(Day(1900, 3, 1)!))
        #expect(value("45658.75", .date) == .day(Day(2025, 1, 1)!))
    }

    @Test func codesStayText() {
        #expect(value("341302100", .code) == .text("341302100"))
        #expect(value("'341302100", .code) == .text("341302100"))
        #expect(value("341302.0", .code) == .text("341302"))
        #expect(value("３４１３０２", .code) == .text("341302"))
    }

    @Test func headersNormalise() {
        #expect(normalizeHeader("工业产品抽查批次（批）") == "工业产品抽查批次")
        #expect(normalizeHeader("空气质量优良率(%)") == "空气质量优良率")
        #expect(normalizeHeader("主要污染物排放达标（是/否）") == "主要污染物排放达标")
        #expect(normalizeHeader(" 市场监管所 星级 ") == "市场监管所星级")
        #expect(normalizeHeader("（批）") == "(批)")
    }

    @Test func whiteSpaceTrimmingAndQuotingLongTexts() {
        for s in ["", "12", " 12", "12\u{3000}", "\u{3000}符离镇 ", "\t98.5%\t", "a b"] {
            #expect(trimmedWhitespace(s) == s.trimmingCharacters(in: .whitespaces), "\(s)")
        }
        // Every character Foundation counts as white space, and no other, is trimmed at either end.
        for v in 0..<0x10000 {
            guard let u = Unicode.Scalar(v), u != "\u{0}" else { continue }
            for s in [String(u) + "x", "x" + String(u), String(u)] {
                #expect(trimmedWhitespace(s) == s.trimmingCharacters(in: .whitespaces), "U+\(String(v, radix: 16))")
            }
        }
        // Anchors keep ASCII letters and digits and write everything else as -hex-.
        for v in 0..<0x100 {
            let u = Unicode.Scalar(v)!
            #expect(anchorID(String(u)) == (u.isASCII && CharacterSet.alphanumerics.contains(u) ? String(u) : "-\(String(v, radix: 16))-"))
        }
        // Chinese file names of the same length get different ids (all were "data-----csv").
        let names = ["data/农业农村局.csv", "data/市场监管局.csv", "data/统计局-四上.csv", "data/统计局_四上.csv", "data/a.csv", "data-a.csv"]
        #expect(Set(names.map(anchorID)).count == names.count)
        #expect(anchorID("data/农.csv") == "data-2f--519c--2e-csv")
        // A long text is quoted by its first 60 characters and its length, newlines shown as ↵.
        let long = String(repeating: "符离\r\n", count: 40_000)  // 120,000 characters (CRLF is one), 320,000 UTF-8 bytes
        let q = quoted(long)
        #expect(q.hasPrefix("“符离↵符离↵") && q.hasSuffix("…”（共120000字）"))
        #expect(quoted(String(repeating: "x", count: 2_000_000)).hasSuffix("…”（共2000000字）"))
        #expect(quoted("短文本") == "“短文本”")
    }

    @Test func rationalCutsNeverRounds() {
        let r = Rational(440, 449) * Rational(100)
        #expect(r.cut(2) == "97.99")
        #expect(r < Rational(98))
        #expect(Rational(49, 50) * Rational(100) == Rational(98))
        #expect(Rational(2, 3).cut(3) == "0.666")
        #expect(Rational(197, 2).plain() == "98.5")
    }

    /// Cut values are written digit by digit as the strings they were joined from: signs, zero
    /// (never "-0"), leading zeros of the fraction, every width, and products past 64 bits.
    @Test func rationalCutsAreTheDecimalsAsBefore() {
        func reference(_ r: Rational, _ digits: Int) -> String {
            var scale = 1
            for _ in 0..<digits { scale *= 10 }
            let n = Int128(r.numerator.magnitude) * Int128(scale) / Int128(r.denominator)
            var s = (r.numerator < 0 && n != 0 ? "-" : "") + String(n / Int128(scale))
            if digits > 0 {
                var f = String(n % Int128(scale))
                while f.count < digits { f = "0" + f }
                s += "." + f
            }
            return s
        }
        var rng = SplitMix(seed: 11)
        var values = [Rational(0), Rational(-1, 3), Rational(1, 1000), Rational(-1, 1000), Rational(Int.max), Rational(-Int.max, 7),
                      Rational(Int.max / 3, 1_000_003), Rational(1_000_000_000_000, 3)]
        for _ in 0..<500 {
            let n = Int(truncatingIfNeeded: rng.next()) >> Int(rng.next() % 63), d = Int(rng.next() % 100_000) + 1
            values.append(Rational(n, d))
        }
        for r in values {
            for digits in [0, 1, 2, 3, 6, 12, 18] {
                #expect(r.cut(digits) == reference(r, digits), "\(r) to \(digits)")
            }
        }
    }

    @Test func daysAddYearsAndSerials() {
        #expect(Day(2024, 2, 29)!.addingYears(1) == Day(2025, 2, 28)!)
        #expect(Day(2025, 1, 1)!.ordinal - Day(1899, 12, 30)!.ordinal == 45658)
        #expect(Day(ordinal: Day(2031, 12, 31)!.ordinal) == Day(2031, 12, 31)!)
        #expect(excelColumnName(1) == "A")
        #expect(excelColumnName(26) == "Z")
        #expect(excelColumnName(27) == "AA")
        #expect(excelColumnName(703) == "AAA")
    }

    /// A renamed or misspelled column is one warning naming the nearest known header, with its
    /// non-blank cells listed under it (a column with no header is reported only when it holds data).
    @Test func unknownColumnsSuggestTheNearestHeaderAndListTheirCells() {
        let known = [ColumnSpec(id: "ent_4up", header: "四上企业数", kind: .count),
                     ColumnSpec(id: "agri_sampled", header: "农产品抽检批次", aliases: ["农产品抽检数"], kind: .count)]
        let table = parseCSV(Array("代码,四上企业个数,,农产品抽检批次数量,核查人\n1,12,,,张三\n2,,x,3,\n".utf8), file: "data/a.csv")
        var bag = DiagnosticBag()
        let map = mapHeader(table.records[0], known: known, file: "data/a.csv", diagnostics: &bag)
        var cells: [Int: [QualityTown.SourceLocation]] = [:]
        for r in table.records.dropFirst() { collectUnknownColumnCells(r, map: map, file: "data/a.csv", into: &cells) }
        let ds = unknownColumnDiagnostics(map, cells: cells, file: "data/a.csv")
        func warning(_ cell: String) -> Diagnostic? { ds.first { $0.location.cell == cell } }
        #expect(warning("B1")?.message.contains("是否是“四上企业数”") == true && warning("B1")?.cells.compactMap { $0.cell } == ["B2"])
        #expect(warning("D1")?.message.contains("是否是“农产品抽检批次”") == true && warning("D1")?.cells.compactMap { $0.cell } == ["D3"])
        #expect(warning("E1")?.message.contains("是否是") == false && warning("E1")?.cells.compactMap { $0.cell } == ["E2"])
        // Column C has no header but data in C3: one warning listing it.
        #expect(ds.first { $0.code == "unused-cell" }?.cells.compactMap { $0.cell } == ["C3"])
        #expect(bag.items.isEmpty)
    }

    /// More distinct strings than the old fixed table held (2²⁰: it trapped): each keeps its number.
    @Test func stringTablesGrowPastAMillionStrings() {
        let table = StringTable()
        let n = (1 << 20) + 70_000
        for i in 0..<n { #expect(table.id("f\(i)") == Int32(i)) }
        #expect(table.name(Int32(n - 1)) == "f\(n - 1)" && table.name(65_536) == "f65536" && table.id("f3") == 3)
    }

    @Test func sha256MatchesStandardVectors() {
        #expect(sha256Hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(sha256Hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // Lengths on each side of a block and of the padding's length field; a million "a"s.
        for (n, digest) in [
            (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
            (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
            (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
            (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
            (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
            (119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"),
            (127, "c57e9278af78fa3cab38667bef4ce29d783787a2f731d4e12200270f0c32320a"),
            (128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"),
            (1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
        ] {
            #expect(sha256Hex([UInt8](repeating: UInt8(ascii: "a"), count: n)) == digest, "\(n) bytes")
        }
    }

    /// A source list's bytes for one cell are its description and its Excel cell, for columns
    /// of one, two, three and four letters and numbers of every width.
    @Test func sourceBytesAreTheDescriptionAndTheCell() {
        for (column, row) in [(1, 1), (26, 9), (27, 10), (52, 99), (53, 100), (702, 1000), (703, 12345), (16_384, 1_048_576), (100_000, 7)] {
            for line in [1, 9, 10, 11, 100, 2_000_000] {
                let loc = SourceLocation(file: "data/市场.csv", line: line, column: column, row: row)
                var bytes: [UInt8] = []
                loc.appendDescription(to: &bytes, withCell: true)
                #expect(String(decoding: bytes, as: UTF8.self) == "\(loc.description)（\(loc.cell!)）")
            }
        }
        var bare: [UInt8] = []
        SourceLocation(file: "units.csv").appendDescription(to: &bare, withCell: true)
        #expect(String(decoding: bare, as: UTF8.self) == "units.csv")
    }

    /// A source list read from the cells as a score or figure keeps them (one held inline) is
    /// the list of the same cells: none, one, several, out of order and repeated, cut at a limit.
    @Test func sourceListsOfStoredCellsAreTheListsOfTheirCells() {
        let a = SourceLocation(file: "data/市场.csv", line: 3, column: 2, row: 3), b = SourceLocation(file: "assessments.csv", line: 9, column: 7, row: 9)
        for cells in [[], [a], [b], [a, b], [b, a, b], [SourceLocation(file: "units.csv")]] {
            let stored = InlineSources(wrappedValue: cells)
            for (limit, prefix) in [(6, ""), (6, "来源："), (1, "来源："), (0, "x")] {
                #expect(sourceList(stored, limit: limit, prefix: prefix) == sourceList(cells, limit: limit, prefix: prefix), "\(cells) \(limit)")
            }
        }
        #expect(sourceList(InlineSources(one: a), prefix: "来源：") == "来源：data/市场.csv:3:2（B3）")
    }
}
