import Testing
import Foundation
@testable import QualityTown

/// The ingest fixture folder (scripts/make-test-fixtures): every habit of a spreadsheet export
/// in io-contract.md, each asserted by its decoded value or by its diagnostic's code, line,
/// column and Excel cell.
@Suite struct IngestFixtureTests {
    static let result: InputSet = {
        let scheme = try! loadScheme(locateScheme(repoPath("templates/suzhou-town")))
        return try! readInputs(folder: fixturePath("cases/ingest/inputs"), scheme: scheme)
    }()

    var inputs: InputSet { Self.result }

    func value(_ file: String, _ unit: String, _ indicator: String, period: Period = .year) -> CellValue?? {
        let o = inputs.observations.filter {
            $0.source.file == file && $0.unit == unit && $0.indicator == indicator && $0.period == period
        }
        guard o.count == 1 else { return nil }
        return .some(o[0].value)
    }

    func diagnostic(_ file: String, _ cell: String) -> Diagnostic? {
        inputs.diagnostics.first { $0.location.file == file && $0.location.cell == cell }
    }

    func expectDiagnostic(_ file: String, _ cell: String, _ code: String, line: Int, column: Int,
                          sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        guard let d = diagnostic(file, cell) else {
            Issue.record("no diagnostic at \(file) \(cell)", sourceLocation: sourceLocation)
            return
        }
        #expect(d.code == code, sourceLocation: sourceLocation)
        #expect(d.location.line == line, sourceLocation: sourceLocation)
        #expect(d.location.column == column, sourceLocation: sourceLocation)
    }

    @Test func encodingsAndSeparatorsAreRecordedPerFile() {
        let byPath = Dictionary(uniqueKeysWithValues: inputs.files.map { ($0.path, $0) })
        #expect(byPath["units.csv"]?.encoding == .utf8BOM)
        #expect(byPath["data/01-utf8.csv"]?.encoding == .utf8)
        #expect(byPath["data/02-bom.csv"]?.encoding == .utf8BOM)
        #expect(byPath["data/03-gbk.csv"]?.encoding == .gb18030)
        #expect(byPath["data/04-utf16.csv"]?.encoding == .utf16LE)
        #expect(byPath["data/04-utf16.csv"]?.separator == .tab)
        #expect(byPath["data/05-semicolon.csv"]?.separator == .semicolon)
        #expect(byPath["data/02-bom.csv"]?.rows == 2)  // trailing blank rows dropped
        #expect(byPath["data/10-workbook.csv"]?.encoding == nil)
    }

    @Test func cellSpellingsAreRead() {
        let f = "data/01-utf8.csv"
        #expect(value(f, "341302100", "ind_sampled") == .some(.integer(1234)))       // "1,234"
        #expect(value(f, "341302100", "ind_passed") == .some(.integer(1200)))        // full-width digits
        #expect(value(f, "341302100", "air_good") == .some(.number(Rational(165, 2))))  // "82.5%" under "(%)"
        #expect(value(f, "341302100", "emission_ok") == .some(.flag(true)))
        #expect(value(f, "341302100", "station_stars") == .some(.integer(5)))       // header with spaces
        #expect(value(f, "341302100", "random_check") == .some(.number(Rational(141, 2))))  // ７０．５％
        #expect(value(f, "341302101", "ind_sampled") == .some(.integer(0)))          // 无
        #expect(value(f, "341302101", "ind_passed") == nil)                          // — : no data
        #expect(value(f, "341302101", "station_stars") == .some(.integer(4)))        // U+3000 around
        #expect(value(f, "341302101", "random_check") == .some(.number(Rational(80)))) // NBSP around
        #expect(value(f, "341321100", "ind_sampled") == .some(.integer(12)))         // '341321100 code
        let b = "data/02-bom.csv"
        #expect(value(b, "341302100", "agri_passed") == .some(.integer(49)))         // 2025年
        #expect(value(b, "341302101", "agri_sampled") == .some(.integer(449)))       // 2025.0
    }

    @Test func unitsResolvedByNameAndCounty() {
        let f = "data/03-gbk.csv"
        #expect(value(f, "341302100", "energy_platform") == .some(.flag(true)))      // 有
        #expect(value(f, "341321101", "energy_platform") == .some(.flag(false)))     // 城关镇 + 砀山县
        #expect(value(f, "341321101", "water_better") == .some(.flag(false)))
        let ambiguous = diagnostic(f, "B4")
        #expect(ambiguous?.code == "ambiguous-unit")
        let unknown = diagnostic(f, "B5")
        #expect(unknown?.code == "unknown-unit")
        #expect(unknown?.message.contains("符离镇") == true)                           // nearest name suggested
    }

    @Test func periodsAreKept() {
        let f = "data/04-utf16.csv"
        #expect(value(f, "341302100", "food_sampled", period: .month(1)) == .some(.integer(10)))
        #expect(value(f, "341302100", "food_passed", period: .month(2)) == .some(.integer(7)))
        let s = "data/05-semicolon.csv"
        #expect(value(s, "341302101", "nonconf_handled", period: .quarter(1)) == .some(.integer(3)))
        #expect(value(s, "341302101", "nonconf_found", period: .quarter(2)) == .some(.integer(2)))
    }

    @Test func positionsAfterMultiLineCells() {
        let f = "data/06-multiline.csv"
        // Row 3 spans lines 3–4; row 4 starts on line 5, so its #DIV/0! is D4 on line 5.
        expectDiagnostic(f, "D4", "excel-error", line: 5, column: 4)
        #expect(value(f, "341302101", "env_complaints") == .some(.integer(2)))
        #expect(value(f, "341302102", "commended_units") == .some(.integer(4)))
        // The rejected cell still makes the unit-year value an error (an observation without value).
        #expect(value(f, "341302102", "env_complaints") == .some(nil))
    }

    @Test func everyRejectedForm() {
        let f = "data/07-bad.csv"
        expectDiagnostic(f, "D2", "numerator-above-denominator", line: 2, column: 4)
        expectDiagnostic(f, "B3", "scientific-code", line: 3, column: 2)
        expectDiagnostic(f, "C4", "negative", line: 4, column: 3)
        expectDiagnostic(f, "E4", "out-of-range", line: 4, column: 5)
        expectDiagnostic(f, "F5", "out-of-range", line: 5, column: 6)
        expectDiagnostic(f, "G5", "type-error", line: 5, column: 7)
        expectDiagnostic(f, "A6", "type-error", line: 6, column: 1)
        expectDiagnostic(f, "C7", "excel-error", line: 7, column: 3)
        expectDiagnostic(f, "D7", "excel-error", line: 7, column: 4)
        expectDiagnostic(f, "E7", "excel-error", line: 7, column: 5)
        expectDiagnostic(f, "G7", "type-error", line: 7, column: 7)
        expectDiagnostic(f, "B8", "unknown-unit", line: 8, column: 2)
        // The rest of a row with a rejected cell is still used.
        #expect(value(f, "341302101", "ind_passed") == .some(.integer(0)))
        #expect(value(f, "341302102", "ind_sampled") == .some(.integer(10)))
        #expect(inputs.observations.contains { $0.source.file == f && $0.source.cell == "F2" && $0.value == .number(Rational(80)) })
        #expect(diagnostic(f, "D2")?.message.contains("12") == true)
    }

    @Test func headerProblems() {
        expectDiagnostic("data/08-dup.csv", "D1", "duplicate-header", line: 1, column: 4)
        expectDiagnostic("data/08-dup.csv", "E1", "unknown-header", line: 1, column: 5)
        // The unknown column's cells are listed under its one warning, not silently dropped.
        let unknown = inputs.diagnostics.first { $0.location.file == "data/08-dup.csv" && $0.code == "unknown-header" }
        #expect(unknown?.cells.map(\.cell) == ["E2"])
        #expect(!inputs.diagnostics.contains { $0.location.file == "data/08-dup.csv" && $0.code == "unused-cell" })
        #expect(!inputs.observations.contains { $0.source.file == "data/08-dup.csv" && $0.indicator == "ent_4up" })
        #expect(inputs.diagnostics.contains { $0.location.file == "data/09-nokey.csv" && $0.code == "missing-key-column" })
    }

    @Test func notCSVEmptyAndHeaderOnly() {
        let codes = Dictionary(grouping: inputs.diagnostics, by: \.location.file).mapValues { $0.map(\.code) }
        #expect(codes["data/10-workbook.csv"] == ["not-csv"])
        #expect(codes["data/12-empty.csv"] == ["empty-file"])
        #expect(codes["data/13-header-only.csv"] == ["no-rows"])
    }

    @Test func datesInSheets() throws {
        let rows = try #require(inputs.sheets["applications"])
        let fuli = try #require(rows.first { $0.unit == "341302100" })
        let day = Day(2025, 3, 5)!
        #expect(fuli.cells["申报日期"]?.read == .value(.day(day)))
        #expect(fuli.cells["推荐日期"]?.read == .value(.day(Day(2025, 3, 20)!)))
        #expect(fuli.cells["备案日期"]?.read == .value(.day(Day(2025, 4, 1)!)))
        #expect(fuli.cells["验收日期"]?.read == .value(.day(Day(2025, 5, 6)!)))
        #expect(fuli.cells["命名日期"]?.read == .value(.day(Day(2025, 6, 1)!)))      // serial 45809
        let jiagou = try #require(rows.first { $0.unit == "341302101" })
        #expect(jiagou.cells["申报日期"]?.read == .value(.day(Day(2025, 1, 1)!)))    // serial 45658
        #expect(jiagou.cells["推荐日期"]?.read == .value(.day(day)))                 // with 0:00
        expectDiagnostic("applications.csv", "E3", "out-of-range", line: 3, column: 5)  // 2025-02-30
        expectDiagnostic("applications.csv", "F3", "type-error", line: 3, column: 6)    // 明年
    }

    @Test func everyNonBlankCellIsUsedOrListed() throws {
        // Nothing typed disappears: each non-blank cell of a data file is an observation, a key
        // the row used, or sits in a listed diagnostic (its own, its row's, its column's or file's).
        let used = Set(inputs.observations.map { "\($0.source.file):\($0.source.cell!)" })
        let listedCells = Set(inputs.diagnostics.compactMap { d in d.location.cell.map { "\(d.location.file):\($0)" } })
        let listedRows = Set(inputs.diagnostics.compactMap { d in d.location.row.map { "\(d.location.file):\($0)" } })
        let listedFiles = Set(inputs.diagnostics.filter { $0.location.line == nil || $0.code == "missing-key-column" || $0.code == "duplicate-header" }.map(\.location.file))
        let listedColumns = Set(inputs.diagnostics.filter { $0.code == "duplicate-header" }.compactMap { d in d.location.column.map { "\(d.location.file):\($0)" } })
        for f in inputs.files where f.role == .data && f.encoding != nil {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixturePath("cases/ingest/inputs") + "/" + f.path)))
            let table = parseCSV(decodeSpreadsheetText(bytes, file: f.path).utf8, file: f.path)
            let keyColumns = Set(table.records.first?.fields.filter { ["年度", "代码", "名称", "所属县区", "月份", "季度"].contains(normalizeHeader($0.text)) }.map(\.column) ?? [])
            for r in table.records.dropFirst() where !r.isBlank {
                for c in r.fields where !isBlankCell(c.text) {
                    let cell = "\(f.path):\(excelColumnName(c.column))\(r.row)"
                    let ok = used.contains(cell) || listedCells.contains(cell) || listedRows.contains("\(f.path):\(r.row)")
                        || listedFiles.contains(f.path) || listedColumns.contains("\(f.path):\(c.column)")
                        || keyColumns.contains(c.column) || isNoData(c.text)
                    #expect(ok, "cell \(cell) \(c.text.debugDescription) is neither used nor listed")
                }
            }
        }
    }

    func isNoData(_ s: String) -> Bool { readCell(s, as: .count, header: "", at: SourceLocation(file: "")) == .noData }
}
