import Testing
import Foundation
@testable import QualityTown

/// A plan's indicator rows (data/*.csv, quzhou-city.md §4, §6): periods combined by kind, rows
/// of other units, city-row counts and county-row ranks warned and not used, conflicts and
/// rejected cells making the figure an error; then the city pooled and the rules judged.
@Suite struct PlanDataTests {
    static let csv = """
    代码,名称,年度,季度,新开工建筑工程数,农业标准化生产普及率（%）,绿色建筑面积（万平方米）,顾客满意度指数,市民质量满意度测评排名,特种设备台数
    330802,,2020,1,3,55,1.5,80,,100
    330802,,2020,2,4,57,2.25,82,,120
    330800,,2020,,5,60,,,3,
    330803,,2020,,2,,无,,4,
    330702,,2020,,9,,,,,
    ,柯城区,2020,1,3,,,,,
    ,柯城区,2020,2,,,,,,130
    330822,,2020,,abc,,,,,
    """

    static func read() -> (PlanData, DiagnosticBag, PlanSheetsFixture) {
        let f = PlanSheetsFixture()
        var data = PlanData()
        var bag = DiagnosticBag()
        readPlanDataFile(parseCSV(Array(csv.utf8), file: "data/x.csv"), file: "data/x.csv", indicators: quzhouPlan.indicators,
                         tree: f.tree, city: f.counties.city, counties: f.counties, data: &data, diagnostics: &bag)
        return (data, bag, f)
    }

    func v(_ n: Int, _ d: Int = 1) -> Measure { .value(Rational(n, d)) }

    @Test func periodsCombineByKind() {
        let (data, _, _) = Self.read()
        // Counts summed over the quarters (the repeat of Q1 with the same value is harmless).
        #expect(data.measure("330802", "bld_new", year: 2020, kind: .count) == v(7))
        // A percent takes the year's latest period.
        #expect(data.measure("330802", "agri_std", year: 2020, kind: .percent) == v(57))
        // Amounts summed exactly: 1.5 + 2.25.
        #expect(data.measure("330802", "green_area", year: 2020, kind: .amount) == v(375, 100))
        // A score with periods: the plain mean.
        #expect(data.measure("330802", "csi", year: 2020, kind: .score) == v(81))
        // `无` is 0 in an amount column.
        #expect(data.measure("330803", "green_area", year: 2020, kind: .amount) == v(0))
        #expect(data.measure("330802", "bld_new", year: 2019, kind: .count) == .noData)
        #expect(data.years == [2020])
    }

    @Test func rowsAndCellsThatAreNotUsed() {
        let (data, bag, _) = Self.read()
        func cells(_ code: String) -> [String] { bag.items.filter { $0.code == code }.compactMap(\.location.cell) }
        // The city's count is pooled from the counties: its own cell is a warning, not used.
        #expect(cells("city-row") == ["E4"])
        #expect(data.measure("330800", "bld_new", year: 2020, kind: .count) == .noData)
        // Its own percent and rank are used.
        #expect(data.measure("330800", "agri_std", year: 2020, kind: .percent) == v(60))
        #expect(data.measure("330800", "sat_rank", year: 2020, kind: .rank) == v(3))
        // A rank on a county row: warning, not used.
        #expect(cells("county-row") == ["I5"])
        #expect(data.measure("330803", "sat_rank", year: 2020, kind: .rank) == .noData)
        // 婺城区 belongs to another city: the row is not used.
        #expect(bag.items.filter { $0.code == "not-a-county" }.map(\.location.line) == [6])
        // The same (unit, year, quarter, indicator) with another value: an error at both cells.
        #expect(cells("conflict").sorted() == ["J3", "J8"])
        #expect(data.measure("330802", "se_units", year: 2020, kind: .stock) == .error)
        // Text in a count column: rejected at its cell, the figure an error.
        #expect(cells("type-error") == ["E9"])
        #expect(data.measure("330822", "bld_new", year: 2020, kind: .count) == .error)
        #expect(bag.items.filter { $0.severity == .error }.count == 3)
    }

    @Test func aNumeratorAboveItsDenominatorIsAnErrorAtItsCell() {
        let f = PlanSheetsFixture()
        var data = PlanData()
        var bag = DiagnosticBag()
        let text = "代码,年度,新开工建筑工程数,执行节能标准工程数,特种设备台数,特种设备事故死亡人数\n330802,2020,5,6,1,2\n330803,2020,0,1,,\n330822,2020,5,5,,\n"
        readPlanDataFile(parseCSV(Array(text.utf8), file: "data/y.csv"), file: "data/y.csv", indicators: quzhouPlan.indicators,
                         tree: f.tree, city: f.counties.city, counties: f.counties, data: &data, diagnostics: &bag)
        checkPlanRates(data, plan: quzhouPlan, units: f.counties.counties, diagnostics: &bag)
        // 6 > 5 and 1 over 0: errors at the numerator's cell; 2 deaths over 1 unit (per 10,000) may exceed.
        #expect(bag.items.filter { $0.code == "numerator-above-denominator" }.compactMap(\.location.cell) == ["D2", "D3"])
    }
}
