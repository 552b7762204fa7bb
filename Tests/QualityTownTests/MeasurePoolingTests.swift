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

    @Test func amountAndRankCells() {
        let at = SourceLocation(file: "data/a.csv", line: 2, column: 4, row: 2)
        #expect(readAmountCell("12.35", header: "绿色建筑面积", at: at) == .value(.number(Rational(1235, 100))))
        #expect(readAmountCell("1,234.5", header: "绿色建筑面积", at: at) == .value(.number(Rational(12345, 10))))
        #expect(readAmountCell("无", header: "绿色建筑面积", at: at) == .value(.number(Rational(0))))
        #expect(readAmountCell("", header: "绿色建筑面积", at: at) == .noData)
        #expect(readAmountCell("—", header: "绿色建筑面积", at: at) == .noData)
        for bad in ["-3", "abc", "#DIV/0!"] {
            guard case .rejected(let d) = readAmountCell(bad, header: "绿色建筑面积", at: at) else { Issue.record("\(bad)"); continue }
            #expect(d.location.cell == "D2")
        }
        #expect(readRankCell("3", header: "排名", at: at) == .value(.integer(3)))
        #expect(readRankCell("第3名", header: "排名", at: at) == .value(.integer(3)))
        #expect(readRankCell("１２", header: "排名", at: at) == .value(.integer(12)))
        #expect(readRankCell("", header: "排名", at: at) == .noData)
        for bad in ["0", "-1", "2.5", "前列"] {
            guard case .rejected(let d) = readRankCell(bad, header: "排名", at: at) else { Issue.record("\(bad)"); continue }
            #expect(d.location.cell == "D2" && d.severity == .error)
        }
    }

    @Test func whichRowsFeedWhichIndicators() {
        let kinds = ["count", "stock", "amount", "percent", "score", "rank"]
        #expect(kinds.map { planRowWarning(kind: $0, tier: .county) } == [nil, nil, nil, nil, nil, "county-row"])
        #expect(kinds.map { planRowWarning(kind: $0, tier: .city) } == ["city-row", "city-row", "city-row", nil, nil, nil])
        #expect(kinds.allSatisfy { planRowWarning(kind: $0, tier: .town) == "not-a-county" })
        #expect(kinds.allSatisfy { planRowWarning(kind: $0, tier: .province) == "not-a-county" })
    }
}
