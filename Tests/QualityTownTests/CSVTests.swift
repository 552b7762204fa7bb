import Testing
import Foundation
@testable import QualityTown

@Suite struct CSVTests {
    func cells(_ text: String) -> [[String]] {
        parseCSV(Array(text.utf8), file: "t.csv").records.map { $0.fields.map(\.text) }
    }

    @Test func separatorsAreDetectedFromTheHeader() {
        #expect(parseCSV(Array("a,b;c\n1,2;3".utf8), file: "t").separator == .comma)
        #expect(parseCSV(Array("a;b;c\n1;2;3".utf8), file: "t").separator == .semicolon)
        #expect(parseCSV(Array("a\tb\tc,d\n".utf8), file: "t").separator == .tab)
        #expect(parseCSV(Array("\"a,b\";c;d\n".utf8), file: "t").separator == .semicolon)
    }

    @Test func lineEndsAndQuotes() {
        #expect(cells("a,b\r\n1,2\r\n") == [["a", "b"], ["1", "2"]])
        #expect(cells("a,b\r1,2\r") == [["a", "b"], ["1", "2"]])
        #expect(cells("a,b\n\"x,\"\"y\"\"\",2\n") == [["a", "b"], ["x,\"y\"", "2"]])
        #expect(cells("a,b\n\"l1\r\nl2\",2") == [["a", "b"], ["l1\r\nl2", "2"]])
        // Written back: a cell with a separator, a quote, a line break (a Windows "\r\n" too)
        // or a space at an end is quoted; any other cell is written as it is.
        #expect(csvLine(["l1\r\nl2", "x,\"y\"", " a", "b ", "符离镇", "1.5"]) == "\"l1\r\nl2\",\"x,\"\"y\"\"\",\" a\",\"b \",符离镇,1.5")
        #expect(csvLine(["a;b", "c"], separator: .semicolon) == "\"a;b\";c")
    }

    @Test func positionsSurviveMultiLineCells() {
        let t = parseCSV(Array("h1,h2,h3\n\"a\nb\nc\",x,\"y\nz\"\n1,2,3\n".utf8), file: "t")
        #expect(t.records.count == 3)
        let r2 = t.records[1]
        #expect(r2.row == 2 && r2.line == 2)
        #expect(r2.fields[0].line == 2 && r2.fields[1].line == 4 && r2.fields[2].line == 4)
        #expect(r2.fields[2].column == 3)
        let r3 = t.records[2]
        #expect(r3.row == 3 && r3.line == 6 && r3.fields[1].line == 6 && r3.fields[1].column == 2)
    }

    @Test func trailingEmptyRowsDropped() {
        let t = parseCSV(Array("a,b\n1,2\n,\n\n".utf8), file: "t")
        #expect(t.records.count == 2)
    }

    @Test func unterminatedQuoteIsReportedWhereItOpened() {
        let t = parseCSV(Array("a,b\n1,\"open\n2,3\n".utf8), file: "t.csv")
        #expect(t.diagnostics.map(\.code) == ["unterminated-quote"])
        #expect(t.diagnostics[0].location.line == 2 && t.diagnostics[0].location.cell == "B2")
        #expect(t.records[1].fields[1].text == "open\n2,3\n")
    }

    // MARK: - Property: write arbitrary cells as CSV, read them back unchanged

    static let alphabet: [String] = ["a", "Z", "0", "9", ",", ";", "\t", "\"", "\"\"", "\n", "\r\n", "\r", " ",
                                     "符", "离", "镇", "（", "）", "％", "—", "·", "😀", "🏭", "é", "'", "#"]

    /// A deterministic generator (SplitMix64), so a failure reproduces.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    func randomTable(_ rng: inout Rng) -> [[String]] {
        let cols = 1 + rng.int(5)
        let rows = 1 + rng.int(6)
        let letters = CSVTests.alphabet
        return (0..<rows).map { _ in
            (0..<cols).map { _ in
                var s = ""
                for _ in 0..<rng.int(8) { s += letters[rng.int(letters.count)] }
                return s
            }
        }
    }

    /// Rows that are entirely empty are trailing/blank by design; give each row one visible cell.
    func normalised(_ t: [[String]]) -> [[String]] {
        t.map { row in row.allSatisfy { isBlankCell($0) } ? ["x"] + row.dropFirst() : row }
    }

    @Test func roundTripUTF8() {
        var rng = Rng(state: 20251123)
        for _ in 0..<500 {
            let table = normalised(randomTable(&rng))
            let header = (0..<table[0].count).map { "h\($0)" }
            let text = ([header] + table).map { csvLine($0) }.joined(separator: "\r\n") + "\r\n"
            let decoded = decodeSpreadsheetText(Array(text.utf8), file: "t")
            let back = parseCSV(decoded.utf8, file: "t").records.dropFirst().map { $0.fields.map(\.text) }
            #expect(Array(back) == table, "\(text.debugDescription)")
        }
    }

    @Test func roundTripGB18030() throws {
        var rng = Rng(state: 7)
        for _ in 0..<300 {
            let table = normalised(randomTable(&rng))
            let header = (0..<table[0].count).map { "列\($0)" }
            let text = ([header] + table).map { csvLine($0) }.joined(separator: "\r\n")
            let gb = try #require(encodeGB18030(text))
            let decoded = decodeSpreadsheetText(gb, file: "t")
            if gb != Array(text.utf8) { #expect(decoded.encoding == .gb18030) }
            #expect(decoded.diagnostics.isEmpty)
            let back = parseCSV(decoded.utf8, file: "t").records.dropFirst().map { $0.fields.map(\.text) }
            #expect(Array(back) == table)
        }
    }

    @Test func encodingsAreDetected() throws {
        let text = "年度,名称\n2025,符离镇\n"
        #expect(decodeSpreadsheetText(Array(text.utf8), file: "t").encoding == .utf8)
        #expect(decodeSpreadsheetText([0xEF, 0xBB, 0xBF] + Array(text.utf8), file: "t").encoding == .utf8BOM)
        let gb = try #require(encodeGB18030(text))
        let d = decodeSpreadsheetText(gb, file: "t")
        #expect(d.encoding == .gb18030 && String(decoding: d.utf8, as: UTF8.self) == text)
        var le: [UInt8] = [0xFF, 0xFE]
        for u in text.utf16 { le += [UInt8(u & 0xFF), UInt8(u >> 8)] }
        let l = decodeSpreadsheetText(le, file: "t")
        #expect(l.encoding == .utf16LE && String(decoding: l.utf8, as: UTF8.self) == text)
        var be: [UInt8] = [0xFE, 0xFF]
        for u in text.utf16 { be += [UInt8(u >> 8), UInt8(u & 0xFF)] }
        #expect(decodeSpreadsheetText(be, file: "t").encoding == .utf16BE)
    }

    @Test func binaryAndBrokenFilesGetOneClearError() {
        let x = decodeSpreadsheetText([0x50, 0x4B, 0x03, 0x04, 0, 0], file: "data/a.csv")
        #expect(!x.isText && x.diagnostics.map(\.code) == ["not-csv"])
        // 0x80 alone is neither UTF-8 nor GB18030: reported with its line, rest still read.
        let bad = decodeSpreadsheetText(Array("a,b\n1,2\n".utf8) + [0x31, 0xFF, 0x0A], file: "t")
        #expect(bad.diagnostics.first?.code == "encoding-error")
        #expect(bad.diagnostics.first?.location.line == 3)
        let nul = decodeSpreadsheetText(Array("a,b\n1,\u{0}2\n".utf8), file: "t")
        #expect(nul.diagnostics.map(\.code) == ["nul-byte"] && !nul.utf8.contains(0))
    }
}

/// UTF-8 → GB18030 with iconv (test helper).
func encodeGB18030(_ s: String) -> [UInt8]? {
    let cd = iconv_open("GB18030", "UTF-8")
    guard cd != iconv_t(bitPattern: -1) else { return nil }
    defer { iconv_close(cd) }
    var input = Array(s.utf8)
    var out = [UInt8](repeating: 0, count: input.count * 4 + 16)
    var inLeft = input.count, outLeft = out.count
    let r = input.withUnsafeMutableBufferPointer { ib in
        out.withUnsafeMutableBufferPointer { ob -> Int in
            var ip: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(ib.baseAddress!).assumingMemoryBound(to: CChar.self)
            var op: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(ob.baseAddress!).assumingMemoryBound(to: CChar.self)
            return iconv(cd, &ip, &inLeft, &op, &outLeft)
        }
    }
    guard r != -1 else { return nil }
    return Array(out[0..<(out.count - outLeft)])
}
