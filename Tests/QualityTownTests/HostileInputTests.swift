import Foundation
import Testing
@testable import QualityTown

/// Files a user (or a broken export) can put in data/: each gives one clear diagnostic naming
/// the file, the rest of the inputs is still read, and nothing crashes. The 100 MB cell and
/// memory figures are measured by scripts/hostile-inputs; these are the same cases, smaller.
@Suite struct HostileInputTests {
    static let header = "代码,年度,工业产品抽查批次,工业产品抽查合格批次\r\n"
    static let good = "341302101,2025,40,39\r\n"

    /// Reads a folder holding data/good.csv plus data/hostile.csv with `bytes`.
    func read(_ bytes: [UInt8]) throws -> Report {
        let dir = temporaryFolder("hostile")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        try Scenario().units.write(toFile: dir + "/units.csv", atomically: true, encoding: .utf8)
        try (Self.header + Self.good).write(toFile: dir + "/data/good.csv", atomically: true, encoding: .utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/data/hostile.csv"))
        let options = BuildOptions(inputs: dir, scheme: repoPath("templates/suzhou-town"), asOf: Day(2026, 11, 23)!)
        return computeStage(try readStage(options))
    }

    func hostile(_ r: Report) -> [Diagnostic] { r.diagnostics.filter { $0.location.file == "data/hostile.csv" } }

    /// The good file's figures survive whatever the hostile file holds.
    func goodFileStillUsed(_ r: Report) {
        #expect(r.figure("341302101", "ind_sampled").number == Rational(40))
        #expect(r.figure("341302101", "ind_passed").number == Rational(39))
    }

    @Test func aCellLongerThanExcelAllowsIsRejectedNamingItsSize() throws {
        let big = String(repeating: "x", count: 3_000_000)
        let r = try read(Array((Self.header + "341302100,2025,\"\(big)\",3\r\n").utf8))
        let d = try #require(hostile(r).first { $0.code == "cell-too-long" })
        #expect(d.location.line == 2 && d.location.column == 3 && d.location.cell == "C2")
        #expect(d.message.contains("共3000000字") && d.message.contains("32767"))
        #expect(d.message.count < 400)
        goodFileStillUsed(r)
    }

    @Test func aHeaderOfOneHundredThousandColumnsIsListedNotDropped() throws {
        let wide = (0..<100_000).map { "c\($0)" }.joined(separator: ",") + "\r\n1,2\r\n"
        let r = try read(Array(wide.utf8))
        let h = hostile(r)
        #expect(h.contains { $0.code == "missing-key-column" })
        #expect(h.filter { $0.code == "unknown-header" }.count == 100_000)
        goodFileStillUsed(r)
    }

    @Test func nulBytesAreReportedAndDropped() throws {
        let r = try read(Array((Self.header + "341302100,2025,1").utf8) + [0, 0x30] + Array(",3\r\n".utf8))
        #expect(hostile(r).map(\.code).contains("nul-byte"))
        // The NUL is dropped, the rest of the line is read: 1\u{0}0 → 10.
        #expect(r.figure("341302100", "ind_sampled").number == Rational(10))
        goodFileStillUsed(r)
    }

    @Test func anInvalidByteSequenceInEveryEncoding() throws {
        // UTF-8 with a damaged cell: stays UTF-8 (headers readable), the bad bytes reported.
        let utf8 = try read(Array((Self.header + "341302100,2025,").utf8) + [0xFF, 0xFE, 0xC3] + Array(",3\r\n".utf8))
        let u = hostile(utf8)
        #expect(u.first?.code == "encoding-error" && u.first?.location.line == 2)
        #expect(!u.contains { $0.code == "missing-key-column" || $0.code == "unknown-header" })
        // UTF-8 with a BOM.
        let bom = try read([0xEF, 0xBB, 0xBF] + Array((Self.header + "341302100,2025,").utf8) + [0xC3, 0x28] + Array(",3\r\n".utf8))
        #expect(hostile(bom).first?.code == "encoding-error")
        // GB18030 (Excel's plain "CSV" on a Chinese system) with a byte no GB18030 text holds.
        let gb = try #require(encodeGB18030(Self.header + "341302100,2025,"))
        let g = try read(gb + [0x81, 0x20] + Array(",3\r\n".utf8))
        #expect(hostile(g).first?.code == "encoding-error" && hostile(g).first?.location.line == 2)
        #expect(!hostile(g).contains { $0.code == "missing-key-column" })
        // UTF-16 (Excel's "Unicode text") with an unpaired surrogate.
        var le: [UInt8] = [0xFF, 0xFE]
        for c in "代码\t年度\t工业产品抽查批次\r\n341302100\t2025\t".utf16 { le += [UInt8(c & 0xFF), UInt8(c >> 8)] }
        le += [0x00, 0xD8, 0x35, 0x00, 0x0D, 0x00, 0x0A, 0x00]
        let w = try read(le)
        #expect(hostile(w).contains { $0.code == "encoding-error" })
        goodFileStillUsed(w)
    }

    @Test func notCSVAtAllEmptyAndHeaderOnly() throws {
        var xlsx: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
        var g = SystemRandomNumberGenerator()
        for _ in 0..<4096 { xlsx.append(UInt8.random(in: 0...255, using: &g)) }
        let x = try read(xlsx)
        #expect(hostile(x).map(\.code) == ["not-csv"])
        #expect(hostile(x)[0].message.contains("另存为"))
        #expect(hostile(try read([])).map(\.code) == ["empty-file"])
        #expect(hostile(try read(Array(Self.header.utf8))).map(\.code) == ["no-rows"])
        goodFileStillUsed(x)
    }

    @Test func randomBytesNeverCrashTheReader() throws {
        // A generator-driven companion to the libFuzzer target (scripts/fuzz): every input
        // decodes, parses and reads to values or diagnostics with positions.
        var rng = CSVTests.Rng(state: 20261201)
        let alphabet: [UInt8] = Array("代码,年度\"\r\n\t;1234567890.%-—无是#DIV/0!".utf8) + [0x00, 0xFF, 0xFE, 0xEF, 0xBB, 0xBF, 0x81, 0xD8]
        for _ in 0..<400 {
            let n = Int(rng.next() % 600)
            let bytes = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let decoded = decodeSpreadsheetText(bytes, file: "r.csv")
            guard decoded.isText else { continue }
            #expect(!decoded.utf8.contains(0))
            let table = parseCSV(decoded.utf8, file: "r.csv")
            for r in table.records.prefix(20) {
                for f in r.fields.prefix(20) {
                    let loc = SourceLocation(file: "r.csv", line: f.line, column: f.column, row: r.row)
                    for k in [CellKind.count, .percent, .flag, .code, .date, .year] {
                        if case .rejected(let d) = readCell(f.text, as: k, header: "h", at: loc) {
                            #expect(d.location.cell != nil && !d.message.isEmpty)
                        }
                    }
                }
            }
        }
    }

    @Test func fuzzFindingsStayFixed() throws {
        // Inputs the fuzzer once crashed on (scripts/fuzz copies them here); replayed through
        // the same stages as the fuzz target.
        let dir = fixturePath("fuzz")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        #expect(!names.isEmpty, "the regression corpus is kept in Fixtures/fuzz")
        for n in names.sorted() {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + n)))
            let decoded = decodeSpreadsheetText(bytes, file: n)
            guard decoded.isText else { continue }
            let table = parseCSV(decoded.utf8, file: n)
            var bag = DiagnosticBag()
            _ = readUnits(table, file: n, diagnostics: &bag)
            for r in table.records.prefix(200) {
                for f in r.fields.prefix(50) {
                    let loc = SourceLocation(file: n, line: f.line, column: f.column, row: r.row)
                    for k in [CellKind.count, .percent, .score, .points, .flag, .year, .month, .quarter, .date, .code, .text] {
                        _ = readCell(f.text, as: k, header: "h", at: loc)
                    }
                }
            }
        }
    }
}
