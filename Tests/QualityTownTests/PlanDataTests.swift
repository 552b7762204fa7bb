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
        readPlanDataFile(parseCSV(Array(csv.utf8), file: "data/x.csv"), file: "data/x.csv", indicators: quzhouPlan.indicators, words: quzhouPlan.words,
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

    /// io-contract.md: a value that cannot be computed exactly is an error at its cells, never a
    /// trap (a 17-digit death count over 1 unit, per 10,000, stopped the program before).
    @Test func arithmeticLeavingSixtyFourBitsIsAnErrorAtItsCellsNeverATrap() {
        let f = PlanSheetsFixture()
        var data = PlanData()
        var bag = DiagnosticBag()
        let text = """
        代码,年度,季度,特种设备台数,特种设备事故死亡人数,绿色建筑面积
        330802,2021,,1,99999999999999999,
        330803,2021,1,,,0.1234567890123456
        330803,2021,2,,,1234567890123456.7
        """
        readPlanDataFile(parseCSV(Array(text.utf8), file: "data/h.csv"), file: "data/h.csv", indicators: quzhouPlan.indicators, words: quzhouPlan.words,
                         tree: f.tree, city: f.counties.city, counties: f.counties, data: &data, diagnostics: &bag)
        #expect(bag.items.isEmpty)
        checkPlanRates(&data, plan: quzhouPlan, units: f.counties.counties, diagnostics: &bag)
        // 99,999,999,999,999,999 × 10,000 leaves 64 bits: the rate is an error, at both cells.
        let deaths = data.measure("330802", "se_deaths", year: 2021, kind: .count)
        #expect(deaths == v(99_999_999_999_999_999))
        #expect(ratio(deaths, data.measure("330802", "se_units", year: 2021, kind: .stock), scale: Rational(10_000), mayExceed: true) == .error)
        // Two quarters' amounts whose exact sum needs 10^16 as denominator and 32 digits above it.
        #expect(data.measure("330803", "green_area", year: 2021, kind: .amount) == .error)
        let overflow = bag.items.filter { $0.code == "overflow" }
        #expect(overflow.map { $0.cells.compactMap(\.cell) } == [["D2", "E2"], ["F3", "F4"]])
        #expect(overflow.allSatisfy { $0.severity == .error })
        // Pooled sums, ratios and means likewise.
        #expect(poolSum([v(Int.max), v(1)]) == PooledMeasure(.error))
        #expect(poolRatio([(v(Int.max), v(Int.max)), (v(1), v(1))]).measure == .error)
        #expect(poolMean([v(Int.max), v(Int.max)]).measure == .error)
    }

    @Test func aNumeratorAboveItsDenominatorIsAnErrorAtItsCell() {
        let f = PlanSheetsFixture()
        var data = PlanData()
        var bag = DiagnosticBag()
        let text = "代码,年度,新开工建筑工程数,执行节能标准工程数,特种设备台数,特种设备事故死亡人数\n330802,2020,5,6,1,2\n330803,2020,0,1,,\n330822,2020,5,5,,\n"
        readPlanDataFile(parseCSV(Array(text.utf8), file: "data/y.csv"), file: "data/y.csv", indicators: quzhouPlan.indicators, words: quzhouPlan.words,
                         tree: f.tree, city: f.counties.city, counties: f.counties, data: &data, diagnostics: &bag)
        checkPlanRates(&data, plan: quzhouPlan, units: f.counties.counties, diagnostics: &bag)
        // 6 > 5 and 1 over 0: errors at the numerator's cell; 2 deaths over 1 unit (per 10,000) may exceed.
        #expect(bag.items.filter { $0.code == "numerator-above-denominator" }.compactMap(\.location.cell) == ["D2", "D3"])
        // The rejected cell is not used (io-contract.md): the numerator's own figure is an error too,
        // the denominator and the rate per 10,000 keep their values; 5 of 5 is fine.
        #expect(data.measure("330802", "bld_energy", year: 2020, kind: .count) == .error)
        #expect(data.measure("330803", "bld_energy", year: 2020, kind: .count) == .error)
        #expect(data.measure("330802", "bld_new", year: 2020, kind: .count) == .value(Rational(5)))
        #expect(data.measure("330802", "se_deaths", year: 2020, kind: .count) == .value(Rational(2)))
        #expect(data.measure("330822", "bld_energy", year: 2020, kind: .count) == .value(Rational(5)))
    }
}

/// The city's figures pooled from its counties' rows (quzhou-city.md §4 Pooling, §6), through
/// `planFigures` as the build computes them.
@Suite struct PlanCityPoolingTests {
    static func inputs(_ csv: String) -> (PlanInputs, DiagnosticBag) {
        let f = PlanSheetsFixture()
        var data = PlanData()
        var bag = DiagnosticBag()
        readPlanDataFile(parseCSV(Array(csv.utf8), file: "data/z.csv"), file: "data/z.csv", indicators: quzhouPlan.indicators, words: quzhouPlan.words,
                         tree: f.tree, city: f.counties.city, counties: f.counties, data: &data, diagnostics: &bag)
        let inputs = PlanInputs(folder: "", units: f.tree, city: f.counties.city, counties: f.counties, departments: f.departments,
                                sheet: TaskSheet(), reports: [], reference: ReferenceTable(), data: data, files: [],
                                diagnostics: bag.items)
        return (inputs, bag)
    }

    func v(_ n: Int, _ d: Int = 1) -> Measure { .value(Rational(n, d)) }

    /// 柯城区 6 of 5 buildings to the standard (an error), 衢江区 9 of 10, 常山县 50 started and no
    /// count of those to the standard (no data): the city's rate is 9/10 = 90%, approximate (a
    /// county in error left out), and its numerator and denominator are 9 and 10 — the parts of
    /// the rate, not the city's counts (6 + 9 = 15 and 5 + 10 + 50 = 65), which would give 23.08%.
    @Test func aCityRateCarriesThePartsItIsTheRatioOf() {
        let (inputs, _) = Self.inputs("""
        代码,年度,新开工建筑工程数,执行节能标准工程数
        330802,2020,5,6
        330803,2020,10,9
        330822,2020,50,
        """)
        let city = inputs.city!
        let f = planFigures(inputs, plan: quzhouPlan, unit: city, year: 2020)
        #expect(f["bld_new"]!.measure == v(65) && f["bld_energy"]!.measure == v(15))
        #expect(f["energy_rate"]!.measure == v(90) && f["energy_rate"]!.approximate)
        #expect(f["energy_rate"]!.numerator == v(9) && f["energy_rate"]!.denominator == v(10))
        // A county's own rate keeps its own counts.
        let kecheng = inputs.counties.counties.first { $0.code == "330802" }!
        let k = planFigures(inputs, plan: quzhouPlan, unit: kecheng, year: 2020)
        #expect(k["energy_rate"]!.measure == .error && k["energy_rate"]!.numerator == v(6) && k["energy_rate"]!.denominator == v(5))
    }

    /// Amounts summed (`无` = 0), stocks and ranks the year's latest period, a stock's `无` is 0,
    /// the city's own amount and stock cells warned `city-row` and not used, its rank its own.
    /// Hand-computed: green area 12.5 + 0 + 7.25 = 19.75 over new area 40 + 10 + 29 = 79 → 25%;
    /// 柯城区's special equipment: Q1 100, Q4 120 → 120; 衢江区 `无` → 0 units and 0 deaths:
    /// its rate per 10,000 not applicable; the city's rank: Q2's 4 over Q1's 7.
    @Test func amountsStocksAndRanksFromDataToTheCity() {
        let (inputs, bag) = Self.inputs("""
        代码,年度,季度,绿色建筑面积（万平方米）,新建建筑面积（万平方米）,特种设备台数,特种设备事故死亡人数,市民质量满意度测评排名
        330802,2020,,12.5,40,,,
        330802,2020,1,,,100,0,
        330802,2020,4,,,120,0,
        330803,2020,,无,10,无,0,
        330822,2020,,7.25,29,,,
        330800,2020,,99,99,5000,,
        330800,2020,1,,,,,7
        330800,2020,2,,,,,4
        """)
        #expect(bag.items.filter { $0.code == "city-row" }.compactMap(\.location.cell).sorted() == ["D7", "E7", "F7"])
        #expect(bag.items.filter { $0.severity == .error }.isEmpty)
        let city = planFigures(inputs, plan: quzhouPlan, unit: inputs.city!, year: 2020)
        #expect(city["green_area"]!.measure == v(1975, 100) && city["new_area"]!.measure == v(79))
        #expect(city["green_share"]!.measure == .value(Rational(1975, 79)))
        #expect(city["se_units"]!.measure == v(120))
        #expect(city["sat_rank"]!.measure == v(4))
        let qujiang = inputs.counties.counties.first { $0.code == "330803" }!
        let q = planFigures(inputs, plan: quzhouPlan, unit: qujiang, year: 2020)
        #expect(q["se_units"]!.measure == v(0) && q["green_area"]!.measure == v(0))
        #expect(q["se_death_rate"]!.measure == .notApplicable)
        #expect(q["green_share"]!.measure == v(0))
    }
}
