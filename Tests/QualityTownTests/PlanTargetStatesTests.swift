import Testing
import Foundation
@testable import QualityTown

/// Q1–Q12 in each state they can take, from data and reference rows through `computePlan`
/// (quzhou-city.md §4, §6): the figures read, combined and pooled as the build does, then judged.
/// Every expectation is worked out by hand in the comments; counties A–F are 柯城区 330802,
/// 衢江区 330803, 常山县 330822, 开化县 330824, 龙游县 330825, 江山市 330881.
@Suite struct PlanTargetStatesTests {
    /// Rates of counts and stocks (Q1–Q5, Q11): A all 10/10 and 0 deaths over 10,000 units;
    /// B 9/10 and 1 death (1 per 10,000); C no figures; D every count 0; E 11/10 and 1 death over 0 units.
    static let rates = """
    代码,年度,新开工建筑工程数,执行节能标准工程数,竣工验收工程数,一次验收合格工程数,新开工保障房工程数,纳入质量监督保障房工程数,保障房竣工验收工程数,保障房一次验收合格工程数,大型骨干企业数,推行首席质量官的大型骨干企业数,特种设备台数,特种设备事故死亡人数
    330802,2020,10,10,10,10,10,10,10,10,10,10,10000,0
    330803,2020,10,9,10,9,10,9,10,9,10,9,10000,1
    330824,2020,0,0,0,0,0,0,0,0,0,0,0,0
    330825,2020,10,11,10,11,10,11,10,11,10,11,0,1
    """
    /// Q6 and Q7: ccc A 96/100, B 94/100, D 0/0, E 101/100; exports and zones: A one zone;
    /// B no zone and 96/100; D no zone and 0/0; E `无` zone and 98/100; F no zone and 101/100.
    static let market = """
    代码,年度,强制性认证产品监督抽查批次,强制性认证产品监督抽查合格批次,出口食品检验批次,出口食品检验合格批次,食品进出口质量安全示范区数
    330802,2020,100,96,,,1
    330803,2020,100,94,100,96,0
    330824,2020,0,0,0,0,0
    330825,2020,100,101,100,98,无
    330881,2020,,,100,101,0
    """
    /// Q8–Q10 (strictly higher than last year) and Q12 (the city's own rank, latest quarter).
    static let yearOverYear = """
    代码,年度,季度,农业标准化生产普及率,顾客满意度指数,绿色建筑面积,新建建筑面积,市民质量满意度测评排名
    330802,2019,,60,80,20,100,
    330802,2020,1,55,80,10,50,
    330802,2020,2,61,82,20,50,
    330803,2019,,60,80,20,100,
    330803,2020,,60,80,20,100,
    330822,2020,,70,85,10,100,
    330824,2019,,,,0,0,
    330824,2020,,,,5,10,
    330825,2019,,60,80,10,100,
    330825,2020,,101,abc,20,10,
    330881,2019,,,,10,100,
    330881,2020,,,,0,0,
    330800,2020,1,,,,,7
    330800,2020,2,,,,,4
    """
    /// se_national 0.3, ccc_goal 95, exp_goal 97 for 2020; no rank goal.
    static let reference = """
    指标,年度,值,来源
    全国特种设备万台设备事故死亡率,2020,0.3,
    强制性认证产品监督抽查合格率目标,2020,95,
    出口食品检验合格率目标,2020,97,
    """

    static let report: PlanReport = {
        let f = PlanSheetsFixture()
        var data = PlanData()
        var bag = DiagnosticBag()
        for (name, text) in [("data/rates.csv", rates), ("data/market.csv", market), ("data/yoy.csv", yearOverYear)] {
            readPlanDataFile(parseCSV(Array(text.utf8), file: name), file: name, indicators: quzhouPlan.indicators, words: quzhouPlan.words, tree: f.tree,
                             city: f.counties.city, counties: f.counties, data: &data, diagnostics: &bag)
        }
        let ref = readReference(parseCSV(Array(reference.utf8), file: "reference.csv"), file: "reference.csv",
                                labels: quzhouPlan.references, sheets: quzhouSheets, diagnostics: &bag)
        let inputs = PlanInputs(folder: "", units: f.tree, city: f.counties.city, counties: f.counties, departments: f.departments,
                                sheet: TaskSheet(), reports: [], reference: ref, data: data, files: [], diagnostics: bag.items)
        let scheme = try! loadScheme(repoPath("templates/quzhou-city"))
        return computePlan(inputs, scheme: scheme, plan: quzhouPlan, year: 2020, asOf: day("2020-12-31"))
    }()

    static let codes = ["A": "330802", "B": "330803", "C": "330822", "D": "330824", "E": "330825", "F": "330881", "city": "330800"]

    func judgement(_ unit: String, _ id: String) -> RuleJudgement? {
        Self.report.units.first { $0.unit.code == Self.codes[unit] }?.targets.first { $0.target.id == id }?.judgement
    }

    func statuses(_ id: String, _ units: [String]) -> [TargetStatus?] { units.map { judgement($0, id)?.status } }

    @Test func q1ToQ4AndQ11AgainstAHundredPercent() {
        // A 100% met; B 90% unmet; C no data; D 0/0 not applicable; E 11 of 10 an error.
        for id in ["Q1", "Q2", "Q3", "Q4", "Q11"] {
            #expect(statuses(id, ["A", "B", "C", "D", "E"]) == [.met, .unmet, .noData, .notApplicable, .error], "\(id)")
        }
        #expect(judgement("B", "Q1")?.value == .value(Rational(90)))
        // The city: Σ over A, B and D (E in error left out) = 19/20 = 95%, unmet.
        #expect(judgement("city", "Q1")?.status == .unmet && judgement("city", "Q1")?.value == .value(Rational(95)))
    }

    @Test func q5BelowTheNationalRate() {
        // A 0 < 0.3 met; B 1 per 10,000 ≥ 0.3 unmet; C no data; D 0 over 0 not applicable;
        // E 1 death over 0 units an error.
        #expect(statuses("Q5", ["A", "B", "C", "D", "E"]) == [.met, .unmet, .noData, .notApplicable, .error])
        #expect(judgement("B", "Q5")?.value == .value(Rational(1)) && judgement("B", "Q5")?.against == .value(Rational(3, 10)))
        // The city: 1 death over 20,000 units (A, B, D) = 0.5 per 10,000 ≥ 0.3, unmet.
        #expect(judgement("city", "Q5")?.value == .value(Rational(1, 2)) && judgement("city", "Q5")?.status == .unmet)
    }

    @Test func q6AtLeastTheGoal() {
        // A 96 ≥ 95 met; B 94 unmet; C no data; D 0/0 not applicable; E 101 of 100 an error.
        #expect(statuses("Q6", ["A", "B", "C", "D", "E"]) == [.met, .unmet, .noData, .notApplicable, .error])
    }

    @Test func q7EitherAZoneOrTheExportRate() {
        // A one zone: met. B no zone and 96 < 97: unmet. C nothing: no data. D no zone and 0/0:
        // no data (§6). E `无` zone (0) and 98 ≥ 97: met by its second part. F no zone and 101 of
        // 100: an error.
        #expect(statuses("Q7", ["A", "B", "C", "D", "E", "F"]) == [.met, .unmet, .noData, .noData, .met, .error])
        // Its value is exp_rate (§6).
        #expect(judgement("B", "Q7")?.value == .value(Rational(96)) && judgement("E", "Q7")?.parts.first?.value == .value(Rational(0)))
    }

    @Test func q8ToQ10StrictlyHigherThanLastYear() {
        // A: 61 (the latest quarter) > 60; csi mean of the quarters 81 > 80; green 30/100 = 30% > 20%.
        // B: equal to last year: unmet. C: no 2019 row: no data, naming 2019. E: 101 (out of
        // range), `abc`, 20 over 10 square metres: errors.
        for id in ["Q8", "Q9", "Q10"] {
            #expect(statuses(id, ["A", "B", "C", "E"]) == [.met, .unmet, .noData, .error], "\(id)")
            #expect(judgement("C", id)?.missing.map(\.year) == [2019], "\(id)")
        }
        #expect(judgement("A", "Q10")?.value == .value(Rational(81)) && judgement("A", "Q8")?.value == .value(Rational(61)))
        // D: 2019 was 0 over 0 (not applicable): counts as missing (§6). F: 0 over 0 this year: not applicable.
        #expect(judgement("D", "Q9")?.status == .noData && judgement("D", "Q9")?.missing.first?.isReference == false)
        #expect(judgement("F", "Q9")?.status == .notApplicable)
    }

    @Test func q12OnlyForTheCityWithTheLatestRank() {
        // The city's rank is 4 (Q2's, after Q1's 7); no 2020 rank goal: no data, naming it.
        let q12 = judgement("city", "Q12")
        #expect(q12?.status == .noData && q12?.value == .value(Rational(4)))
        #expect(q12?.missing == [MissingInput(what: "rank_goal", year: 2020, isReference: true)])
        for county in ["A", "B", "C", "D", "E", "F"] { #expect(judgement(county, "Q12") == nil) }
        #expect(Self.report.units.first?.targets.count == 12 && Self.report.units.last?.targets.count == 11)
    }
}
