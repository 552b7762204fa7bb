import Testing
import Foundation
@testable import QualityTown

/// Pooling the city from its counties and the cell kinds amount and rank (quzhou-city.md §4, §6).
@Suite struct MeasurePoolingTests {
    func v(_ n: Int, _ d: Int = 1) -> Measure { .value(Rational(n, d)) }

    @Test func sumsLeaveErrorsOutAndSayApproximate() {
        #expect(poolSum([v(3), v(4), .noData]) == PooledMeasure(v(7)))
        #expect(poolSum([v(3), .error, v(4)]) == PooledMeasure(v(7), approximate: true))
        #expect(poolSum([.error, .noData]) == PooledMeasure(.error))
        #expect(poolSum([.noData, .noData]) == PooledMeasure(.noData))
        // Amounts stay exact: 12.35 + 0.65 = 13.
        #expect(poolSum([v(1235, 100), v(65, 100)]) == PooledMeasure(v(13)))
    }

    @Test func ratesAreRatiosOfTheSums() {
        // 49/50 and 0/0 (not applicable, counted) and 100/100: 149/150.
        let r = poolRatio([(v(49), v(50)), (v(0), v(0)), (v(100), v(100))])
        #expect(r == PooledMeasure(.value(Rational(14900, 150))))
        // A county whose rate is in error (numerator above denominator) is left out.
        #expect(poolRatio([(v(51), v(50)), (v(10), v(10))]) == PooledMeasure(v(100), approximate: true))
        // A county with no data is not counted, and the city is not approximate for it.
        #expect(poolRatio([(.noData, v(50)), (v(9), v(10))]) == PooledMeasure(v(90)))
        #expect(poolRatio([(v(0), v(0)), (.noData, .noData)]) == PooledMeasure(.notApplicable))
        #expect(poolRatio([(.error, v(3))]) == PooledMeasure(.error))
        #expect(poolRatio([]) == PooledMeasure(.noData))
        // Per 10,000 units: 1 + 2 deaths over 10,000 + 20,000 units = 1.
        #expect(poolRatio([(v(1), v(10_000)), (v(2), v(20_000))], scale: Rational(10_000), mayExceed: true) == PooledMeasure(v(1)))
    }

    @Test func percentsAndScoresTakeTheCityRowElseTheMean() {
        #expect(poolMean([v(60), v(70)], own: v(66)) == PooledMeasure(v(66)))
        #expect(poolMean([v(60), v(71)]) == PooledMeasure(v(131, 2), approximate: true))
        #expect(poolMean([v(60), .error]) == PooledMeasure(v(60), approximate: true))
        #expect(poolMean([.error]) == PooledMeasure(.error))
        #expect(poolMean([], own: .error) == PooledMeasure(.error))
        #expect(poolMean([]) == PooledMeasure(.noData))
    }

    /// The cell kinds `amount` and `rank` are the engine's (CellKind), read by `readCell` like any
    /// other kind: values, no data, and each bad form rejected at its cell with its code.
    @Test func amountAndRankCells() {
        let at = QualityTown.SourceLocation(file: "data/a.csv", line: 2, column: 4, row: 2)
        func amount(_ raw: String) -> CellRead { readCell(raw, as: .amount, header: "绿色建筑面积", at: at) }
        func rank(_ raw: String) -> CellRead { readCell(raw, as: .rank, header: "市民质量满意度测评排名", at: at) }
        func rejected(_ read: CellRead) -> Diagnostic? { if case .rejected(let d) = read { return d }; return nil }
        // Amounts: exact decimals, thousands grouped by three, full width, 无 = 0 (§6).
        #expect(amount("12.35") == .value(.number(Rational(1235, 100))))
        #expect(amount("1,234.5") == .value(.number(Rational(12345, 10))))
        #expect(amount("１２．５") == .value(.number(Rational(25, 2))))
        #expect(amount(" 7 ") == .value(.number(Rational(7))))
        #expect(amount("0") == .value(.number(Rational(0))))
        #expect(amount("无") == .value(.number(Rational(0))))
        #expect(amount("'52.26") == .value(.number(Rational(5226, 100))))
        for none in ["", "—", "-", "/", "N/A", "无数据"] { #expect(amount(none) == .noData, "\(none)") }
        // A unit in the cell is refused (万 would scale the number), naming the unit.
        for (bad, unit) in [("1,234.5万元", "万元"), ("12.5万平方米", "万平方米"), ("30㎡", "㎡")] {
            let d = rejected(amount(bad))
            #expect(d?.code == "type-error" && d?.location.cell == "D2" && d?.message.contains("“\(unit)”") == true, "\(bad)")
        }
        #expect(rejected(amount("-3"))?.code == "negative")
        #expect(rejected(amount("98.5%"))?.code == "type-error")
        #expect(rejected(amount("1,23.5"))?.code == "type-error")
        #expect(rejected(amount("1.5E+3"))?.code == "type-error")
        #expect(rejected(amount("#DIV/0!"))?.code == "excel-error")
        #expect(rejected(amount("abc"))?.message.contains("不小于 0 的数") == true)
        // Ranks: an integer ≥ 1; 第3名, 3名, 第3位 read as 3.
        for (text, n) in [("3", 3), ("第3名", 3), ("3名", 3), ("第3位", 3), ("１２", 12), ("1", 1), ("3.0", 3)] {
            #expect(rank(text) == .value(.integer(n)), "\(text)")
        }
        #expect(rank("") == .noData && rank("—") == .noData)
        #expect(rejected(rank("0"))?.code == "out-of-range")
        #expect(rejected(rank("-1"))?.code == "out-of-range")
        #expect(rejected(rank("2.5"))?.code == "type-error")
        #expect(rejected(rank("前列"))?.code == "type-error")
        // `无` is not a place (it means 0 only in count, stock and amount columns).
        #expect(rejected(rank("无"))?.code == "type-error")
        #expect(rejected(rank("#N/A"))?.code == "excel-error")
        #expect(rejected(rank("0"))?.location.cell == "D2" && rejected(rank("0"))?.severity == .error)
    }

    /// The indicator kinds map to their cell readers: amount and rank are ordinary kinds of the
    /// scheme (scheme.xsd declares them; a stock reads `无` as 0 through the count reader).
    @Test func indicatorKindsReadWithTheirCells() {
        #expect(IndicatorKind(rawValue: "amount")?.cellKind(range: nil) == .amount)
        #expect(IndicatorKind(rawValue: "rank")?.cellKind(range: nil) == .rank)
        #expect(IndicatorKind.stock.cellKind(range: nil) == .count)
        let at = QualityTown.SourceLocation(file: "data/a.csv", line: 2, column: 5, row: 2)
        #expect(readCell("无", as: IndicatorKind.stock.cellKind(range: nil), header: "特种设备台数", at: at) == .value(.integer(0)))
        let xsd = (try? String(contentsOfFile: repoPath("templates/scheme.xsd"), encoding: .utf8)) ?? ""
        #expect(xsd.contains(#"<xs:enumeration value="amount"/>"#) && xsd.contains(#"<xs:enumeration value="rank"/>"#))
        #expect(planIndicatorKinds.contains(.amount) && planIndicatorKinds.contains(.rank))
    }

    @Test func whichRowsFeedWhichIndicators() {
        let kinds: [IndicatorKind] = [.count, .stock, .amount, .percent, .score, .rank]
        #expect(kinds.map { planRowWarning(kind: $0, tier: .county) } == [nil, nil, nil, nil, nil, "county-row"])
        #expect(kinds.map { planRowWarning(kind: $0, tier: .city) } == ["city-row", "city-row", "city-row", nil, nil, nil])
        #expect(kinds.allSatisfy { planRowWarning(kind: $0, tier: .town) == "not-a-county" })
        #expect(kinds.allSatisfy { planRowWarning(kind: $0, tier: .province) == "not-a-county" })
    }
}
