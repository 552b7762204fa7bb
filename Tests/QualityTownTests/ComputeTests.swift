import Testing
import Foundation
@testable import QualityTown

/// Hand-computed expectations for each rule form and state (suzhou-town.md §1–§5).
@Suite struct ComputeTests {
    // MARK: Thresholds, states, display

    @Test func ratesExactlyOnAndJustUnderTheThreshold() throws {
        var s = Scenario()
        s.data["a.csv"] = """
        年度,代码,农产品抽检批次,农产品抽检合格批次,工业产品抽查批次,工业产品抽查合格批次
        2025,341302100,50,49,20,19
        2025,341302101,449,440,1000,949
        2025,341302102,0,0,0,
        """
        let r = try s.run()
        // 49/50 = 98% exactly meets "≥ 98%"; 440/449 = 97.9955…% does not.
        #expect(r.target("341302100", "T1").status == .met)
        #expect(r.target("341302101", "T1").status == .unmet)
        // 19/20 = 95% meets T2 "≥ 95%"; 949/1000 = 94.9% does not.
        #expect(r.target("341302100", "T2").status == .met)
        #expect(r.target("341302101", "T2").status == .unmet)
        // Zero denominators: nothing to measure.
        #expect(r.target("341302102", "T1").status == .notApplicable)
        #expect(r.target("341302102", "T2").status == .notApplicable)
        // The page never prints 98.00% for 440/449.
        let rows = targetRows(r.unit("341302101"), scheme: r.assessment.scheme)
        guard case .object(let t1) = rows[0], case .text(let value)? = t1["value"] else { Issue.record("no row"); return }
        #expect(value.hasPrefix("97.99%"))
        // Pooled county: Σ = 489/499 = 97.99…% (not 98).
        let county = r.figure("341302", "agri_rate")
        #expect(county.numerator == Rational(489) && county.denominator == Rational(499))
        #expect(r.target("341302", "T1").status == .unmet)
    }

    @Test func noDataErrorAndNotApplicableAreDifferentAndNeverPass() throws {
        var s = Scenario()
        s.data["a.csv"] = """
        年度,代码,农产品抽检批次,农产品抽检合格批次,生产性服务业顾客满意度,生产性服务业满意度样本数
        2025,341302100,3,5,90,10
        2025,341302101,#DIV/0!,5,80,30
        2025,341302102,,,,
        """
        let r = try s.run()
        #expect(r.target("341302100", "T1").status == .error)   // numerator above denominator (cell rejected)
        #expect(r.target("341302101", "T1").status == .error)   // rejected cell
        #expect(r.target("341302102", "T1").status == .noData)
        #expect(r.target("341302102", "T7").status == .noData)
        // Pooled: towns in error are left out and make it approximate; weighted score (90·10+80·30)/40 = 82.5.
        #expect(r.figure("341302", "prod_sat").number == Rational(165, 2))
        #expect(r.figure("341302", "agri_rate").state == .error)
        // Criteria on missing or broken data score 0 and say so.
        #expect(r.criterion("341302102", "20.1").source == .noData && r.criterion("341302102", "20.1").points == Rational(0))
        #expect(r.criterion("341302100", "15.3").source == .noData)
    }

    @Test func yearSumsCheckNumeratorAgainstDenominator() throws {
        var s = Scenario()
        s.data["m.csv"] = """
        年度,月份,代码,农产品抽检批次,农产品抽检合格批次
        2025,1,341302100,10,10
        2025,2,341302100,5,5
        """
        s.data["n.csv"] = """
        年度,月份,代码,农产品抽检合格批次
        2025,3,341302100,4
        """
        let r = try s.run()
        // 19 passed of 15 sampled over the year: the rate is an error, reported at the numerator's last row.
        #expect(r.figure("341302100", "agri_rate").state == .error)
        let d = r.diagnostics.first { $0.code == "numerator-above-denominator" }
        #expect(d?.location.file == "data/n.csv" && d?.location.line == 2)
    }

    @Test func conflictsRejectBothAndEqualRepeatsAreHarmless() throws {
        var s = Scenario()
        s.data["a.csv"] = "年度,代码,四上企业数,管理体系认证证书数\n2025,341302100,12,3\n2025,341302101,15,4\n"
        s.data["b.csv"] = "年度,代码,四上企业数,管理体系认证证书数\n2025,341302100,13,3\n2025,341302101,15,4\n"
        let r = try s.run()
        #expect(r.figure("341302100", "ent_4up").state == .error)
        #expect(r.diagnostics.filter { $0.code == "conflict" }.count == 2)
        #expect(r.figure("341302100", "mgmt_certs").number == Rational(3))
        #expect(r.figure("341302101", "ent_4up").number == Rational(15))
    }

    @Test func flowsSumOverMonthsStocksTakeTheLatest() throws {
        var s = Scenario()
        s.data["a.csv"] = """
        年度,月份,代码,质量帮扶典型案例数,四上企业数,能源计量在线监测平台
        2025,1,341302100,1,10,否
        2025,6,341302100,1,11,是
        2025,12,341302100,1,12,是
        """
        let r = try s.run()
        #expect(r.figure("341302100", "aid_cases").number == Rational(3))
        #expect(r.figure("341302100", "ent_4up").number == Rational(12))
        #expect(r.figure("341302100", "energy_platform").flag == true)
    }

    @Test func countyRowsReachTheirTownsAndOwnValuesWin() throws {
        var s = Scenario()
        s.data["env.csv"] = """
        年度,代码,主要污染物排放达标,空气质量优良率,空气质量优良率考核目标,四上企业数
        2025,341302,是,82.5,80,99
        2025,341302101,否,,,
        2025,341302102,#REF!,,,
        """
        let r = try s.run()
        #expect(r.target("341302100", "T9").status == .met)          // inherited from the county row
        #expect(r.figure("341302100", "emission_ok").inheritedFrom == "341302")
        #expect(r.target("341302101", "T9").status == .unmet)        // the town's own value wins
        #expect(r.target("341302102", "T9").status == .error)        // a town's own rejected cell stays an error
        #expect(r.target("341302100", "T10").status == .met)         // 82.5 ≥ 80
        #expect(r.target("341302", "T9").status == .met)             // the county's own row is its value
        #expect(r.diagnostics.contains { $0.code == "county-row" })  // 四上企业数 on a county row: not used
        // Told in the scheme's tier words (<tier id="county" name>, <tier id="town" short>).
        #expect(r.diagnostics.first { $0.code == "county-row" }?.message == "本行是县区“埇桥区”；“四上企业数”不是县区级指标，应按乡镇填报，该值“99”未使用")
        let city = try Scenario(data: ["a.csv": "年度,代码,四上企业数\n2025,341300,5\n2025,341302100,1\n"]).run()
        #expect(city.diagnostics.first { $0.code == "unit-level-row" }?.message == "本行是市级单位“宿州市”，指标只按乡镇（街道）填报后汇总，“四上企业数”的值“5”未使用")
        #expect(r.figure("341302", "ent_4up").state == .noData)
    }

    /// suzhou-town.md §1: the county's own air_good / air_goal row decides its T10, whatever its
    /// towns' own values (the mean over the towns judged it before: 76.x against 80, unmet).
    @Test func aCountysOwnRowDecidesItsT10() throws {
        var s = Scenario()
        s.data["env.csv"] = """
        年度,代码,空气质量优良率,空气质量优良率考核目标
        2025,341302,81,80
        2025,341302100,70,80
        """
        let r = try s.run()
        let t = r.target("341302", "T10")
        #expect(t.status == .met && t.figure.number == Rational(81) && t.threshold == Rational(80))
        #expect(r.target("341302100", "T10").status == .unmet)   // the town's own 70 < 80
        #expect(r.target("341302101", "T10").status == .met)     // inherits 81 / 80
        // Without a county row, the county compares the means over its towns having both.
        var p = Scenario()
        p.data["env.csv"] = "年度,代码,空气质量优良率,空气质量优良率考核目标\n2025,341302100,70,80\n2025,341302101,95,80\n"
        let q = try p.run()
        #expect(q.target("341302", "T10").status == .met && q.target("341302", "T10").figure.number == Rational(165, 2))
        // The city has no row of its own: means over its towns (70, 81, 81 against 80).
        #expect(r.target("341300", "T10").status == .unmet && r.target("341300", "T10").figure.number == Rational(232, 3))
    }

    /// Excel writes percentages with 15 decimals and counts may have 17 digits: sums and means
    /// over a county leave 64 bits. Never a trap: the pooled figure is an error at its cells.
    @Test func overflowIsReportedAtTheCellsNeverATrap() throws {
        var s = Scenario()
        var units = "代码,名称,层级,上级代码\n341300,宿州市,市,\n341302,埇桥区,区,341300\n"
        var data = "年度,代码,双随机差异化措施应用率,农产品抽检批次,农产品抽检合格批次\n"
        for i in 0..<200 {
            let code = "341302\(String(100 + i))"
            units += "\(code),镇\(i),镇,341302\n"
            // 70.xxx with 15 decimals (an Excel formula's result), and 17-digit counts.
            let decimals = String(123_456_789_012_345 + i * 7_919)
            data += "2025,\(code),70.\(decimals),99999999999999999,99999999999999990\n"
        }
        s.units = units
        s.data["p.csv"] = data
        let r = try s.run()
        // Each town's own value is exact.
        #expect(r.figure("341302100", "random_check").number == Rational(70_123_456_789_012_345, 1_000_000_000_000_000))
        #expect(r.criterion("341302100", "26.1").points == Rational(1))
        // The county's mean of 200 such percentages does not fit: an error, reported with its 200 cells.
        #expect(r.figure("341302", "random_check").state == .error)
        let overflow = r.diagnostics.filter { $0.code == "overflow" && $0.unit == "341302" }
        #expect(overflow.contains { $0.message.contains("双随机差异化措施应用率") && $0.cells.count == 200 })
        // 200 counts of 17 digits summed: an error too, and so is the city's.
        #expect(r.figure("341302", "agri_sampled").state == .error)
        #expect(r.figure("341300", "agri_sampled").state == .error)
        #expect(r.target("341302", "T1").status == .error)
        // A town's 17-digit counts still give its rate, exactly compared with 98%.
        #expect(r.target("341302100", "T1").status == .met)
    }

    /// A town without data of its own is not ranked (every town shared the first place on 0
    /// points before); a target no town of a county has data for is said once on its page.
    @Test func townsWithoutDataAreNotRankedAndEmptyTargetsAreSaidOnce() throws {
        var s = Scenario()
        s.data["a.csv"] = """
        年度,代码,主要污染物排放达标,四上企业数,管理体系认证证书数
        2025,341302,是,,
        2025,341302100,,12,30
        2025,341302101,,12,3
        """
        s.assessments = "年度,代码,条目,核定分\n2025,341302101,5.1,4\n"
        let r = try s.run()
        #expect(r.unit("341302100").hasData && r.unit("341302101").hasData)
        // 褚兰镇 has only its county's row: not ranked, and said so under the ranking.
        #expect(!r.unit("341302102").hasData && r.unit("341302102").rank == nil)
        #expect(r.unit("341302101").rank == 1 && r.unit("341302100").rank == 2)   // 夹沟镇 has 5.1 核定 4 more
        let county = countyView(r, r.unit("341302"), format: .html)
        #expect(county.member("ranking").map { if case .list(let l) = $0 { return l.count } else { return -1 } } == 2)
        #expect(county.member("unranked") == .text("本年度没有本乡镇（街道）自身数据、未参加排名：褚兰镇（共 1 个）。"))
        // No town has data for T1 (agri_rate): out of the matrix, named once.
        let matrix = county.member("matrix")!
        #expect(matrix.member("empty").map { if case .text(let t) = $0 { return t.contains("T1 ") } else { return false } } == true)
        if case .list(let ids)? = matrix.member("targets") {
            #expect(!ids.contains { $0.member("id") == .text("T1") } && ids.contains { $0.member("id") == .text("T9") })
        }
    }

    @Test func checkedArithmeticIsExactOrNothing() {
        #expect(Rational(Int.max).adding(Rational(1)) == nil)
        #expect(Rational(1, 3).adding(Rational(1, 6)) == Rational(1, 2))
        #expect(Rational(Int.max / 2).multiplied(by: Rational(3)) == nil)
        // Intermediate products past 64 bits whose reduced result fits: exact, through 128 bits.
        #expect(Rational(Int.max, 7).multiplied(by: Rational(7, Int.max)) == Rational(1))
        #expect(Rational(Int.max - 1, 3).adding(Rational(-(Int.max - 1), 3)) == Rational(0))
        #expect(Rational(1).divided(by: Rational(0)) == nil)
        #expect(Rational.percentage(Rational(49), of: Rational(50)) == Rational(98))
        // The operators are the same arithmetic.
        #expect(Rational(Int.max, 7) * Rational(7, Int.max) == Rational(1))
        #expect(Rational(440, 449) * Rational(100) == Rational(44000, 449))
    }

    // MARK: Rubric rule forms

    /// A city with `n` towns whose 管理体系认证证书数 are `certs[i]`.
    func rankScenario(_ certs: [Int]) -> Scenario {
        var s = Scenario()
        var units = "代码,名称,层级,上级代码\n341300,宿州市,市,\n341302,埇桥区,区,341300\n"
        var data = "年度,代码,管理体系认证证书数\n"
        for (i, c) in certs.enumerated() {
            units += "341302\(String(100 + i)),镇\(i),镇,341302\n"
            data += "2025,341302\(String(100 + i)),\(c)\n"
        }
        s.units = units
        s.data["c.csv"] = data
        return s
    }

    @Test func rankTiesAcrossTwentyFiveAndFifty() throws {
        // Values 1000, 990, … descending; positions 24–26 tie and 49–51 tie.
        var certs = (0..<60).map { 1000 - 10 * $0 }
        certs[24] = certs[23]; certs[25] = certs[23]
        certs[49] = certs[48]; certs[50] = certs[48]
        certs[59] = 0
        let r = try rankScenario(certs).run()
        func pts(_ i: Int) -> Rational { r.criterion("341302\(100 + i)", "9.1").points }
        #expect(pts(0) == Rational(2))
        #expect(pts(22) == Rational(2))                     // rank 23
        #expect(pts(23) == Rational(2) && pts(25) == Rational(2))  // the tie shares rank 24
        #expect(pts(26) == Rational(1))                     // rank 27
        #expect(pts(48) == Rational(1) && pts(50) == Rational(1))  // tie across 50 shares rank 49
        #expect(pts(51) == Rational(0))                     // rank 52
        #expect(pts(59) == Rational(0))                     // zero certificates score nothing
    }

    /// 9.1 ranked `within` county or city (the schema's `rank within`), with tiers 1st → 2, 2nd → 1
    /// so that the area changes the points. 埇桥区: 甲 10, 乙 5; 砀山县: 丙 8, 丁 1.
    /// `totals`: the rubric's `rank-within` (the tier the towns' totals are ranked within).
    func rankWithin(_ within: String, totals: String = "city") throws -> Report {
        let dir = temporaryFolder("rank-within")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/s", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: repoPath("templates/scheme.xsd"), toPath: dir + "/scheme.xsd")
        var xml = try String(contentsOfFile: repoPath("templates/suzhou-town/scheme.xml"), encoding: .utf8)
        let shipped = #"<rank indicator="mgmt_certs" within="city" zero-scores="true" zero-note="证书数为 0 不得分"><tier up-to="25" points="2"/><tier up-to="50" points="1"/></rank>"#
        #expect(xml.contains(shipped))
        xml = xml.replacingOccurrences(of: shipped, with: #"<rank indicator="mgmt_certs" within="\#(within)" zero-scores="true" zero-note="证书数为 0 不得分"><tier up-to="1" points="2"/><tier up-to="2" points="1"/></rank>"#)
        #expect(xml.contains(#"rank-within="city""#))
        xml = xml.replacingOccurrences(of: #"rank-within="city""#, with: #"rank-within="\#(totals)""#)
        try xml.write(toFile: dir + "/s/scheme.xml", atomically: true, encoding: .utf8)
        var s = Scenario()
        s.scheme = dir + "/s"
        s.units = """
        代码,名称,层级,上级代码
        341300,宿州市,市,
        341302,埇桥区,区,341300
        341302100,甲镇,镇,341302
        341302101,乙镇,镇,341302
        341321,砀山县,县,341300
        341321100,丙镇,镇,341321
        341321101,丁镇,镇,341321
        """
        s.data["c.csv"] = "年度,代码,管理体系认证证书数\n2025,341302100,10\n2025,341302101,5\n2025,341321100,8\n2025,341321101,1\n"
        return try s.run()
    }

    @Test func rankIsWithinTheAreaTheRuleNames() throws {
        let county = try rankWithin("county")
        // Each county ranks its own two towns: 甲 1st, 乙 2nd; 丙 1st, 丁 2nd.
        #expect(county.criterion("341302100", "9.1").points == Rational(2))
        #expect(county.criterion("341302101", "9.1").points == Rational(1))
        #expect(county.criterion("341321100", "9.1").points == Rational(2))
        #expect(county.criterion("341321101", "9.1").points == Rational(1))
        #expect(county.criterion("341321101", "9.1").note.contains("全县（区）第 2 名（共 2 个有数据的乡镇）"))
        let city = try rankWithin("city")
        // One ranking of four: 甲 10 (1st), 丙 8 (2nd), 乙 5 (3rd), 丁 1 (4th).
        #expect(city.criterion("341302100", "9.1").points == Rational(2))
        #expect(city.criterion("341321100", "9.1").points == Rational(1))
        #expect(city.criterion("341302101", "9.1").points == Rational(0))
        #expect(city.criterion("341321101", "9.1").points == Rational(0))
        #expect(city.criterion("341321101", "9.1").note.contains("全市第 4 名（共 4 个有数据的乡镇）"))
    }

    /// The total score's rank is within the rubric's `rank-within` (default city, 全市名次):
    /// 9.1 ranked within the city gives totals 甲 2, 丙 1, 乙 0, 丁 0 (nothing else has data).
    @Test func theTotalsRankIsWithinTheRubricsTier() throws {
        let city = try rankWithin("city")
        #expect(["341302100", "341321100", "341302101", "341321101"].map { city.unit($0).rank } == [1, 2, 3, 3])
        let county = try rankWithin("city", totals: "county")
        // 埇桥区: 甲 2, 乙 0; 砀山县: 丙 1, 丁 0.
        #expect(["341302100", "341321100", "341302101", "341321101"].map { county.unit($0).rank } == [1, 1, 2, 2])
    }

    /// `amount` and `rank` are ordinary indicator kinds of any scheme (quzhou-city.md §4, issue 19
    /// item 2), not the plan build's: a town scheme declaring them reads, combines and pools them.
    /// Hand-computed: 甲镇 green area 1.5 + 2.25 (two months) = 3.75, 乙镇 `无` = 0, 丙镇 10.125;
    /// the county 埇桥区 3.75 + 0 = 3.75, the city 3.75 + 10.125 = 13.875. Ranks take the latest
    /// month (甲镇 month 6: 2) and are never pooled (the county and city have none).
    @Test func amountAndRankAreIndicatorKindsOfAnyScheme() throws {
        let dir = temporaryFolder("amount-rank")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/s", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: repoPath("templates/scheme.xsd"), toPath: dir + "/scheme.xsd")
        var xml = try String(contentsOfFile: repoPath("templates/suzhou-town/scheme.xml"), encoding: .utf8)
        xml = xml.replacingOccurrences(of: "  <indicators>\n", with: """
          <indicators>
            <indicator id="green_area" header="绿色建筑面积" kind="amount" department="住建局"/>
            <indicator id="sat_rank" header="满意度排名" kind="rank" department="市场监管局"/>

        """)
        try xml.write(toFile: dir + "/s/scheme.xml", atomically: true, encoding: .utf8)
        var s = Scenario()
        s.scheme = dir + "/s"
        s.units = """
        代码,名称,层级,上级代码
        341300,宿州市,市,
        341302,埇桥区,区,341300
        341302100,甲镇,镇,341302
        341302101,乙镇,镇,341302
        341321,砀山县,县,341300
        341321100,丙镇,镇,341321
        341321101,丁镇,镇,341321
        """
        s.data["g.csv"] = """
        年度,月份,代码,绿色建筑面积（万平方米）,满意度排名
        2025,3,341302100,1.5,5
        2025,6,341302100,"2.25",第2名
        2025,,341302101,无,
        2025,,341321100,"10,125.0",0
        2025,,341321101,3万平方米,3
        """
        let r = try s.run()
        #expect(r.figure("341302100", "green_area").number == Rational(375, 100))
        #expect(r.figure("341302101", "green_area").number == Rational(0))
        #expect(r.figure("341321100", "green_area").number == Rational(10125))
        // 丁镇's amount carries a unit: rejected at its cell, an error for the town.
        #expect(r.figure("341321101", "green_area").state == .error)
        #expect(r.diagnostics.contains { $0.code == "type-error" && $0.location.cell == "D6" })
        #expect(r.figure("341302", "green_area").number == Rational(375, 100))
        #expect(r.figure("341302", "green_area").approximate == false)
        // The city: 3.75 + 0 + 10,125 with 丁镇 left out (in error): approximate.
        #expect(r.figure("341300", "green_area").number == Rational(1012875, 100))
        #expect(r.figure("341300", "green_area").approximate == true)
        #expect(r.figure("341302100", "sat_rank").number == Rational(2))
        #expect(r.figure("341321101", "sat_rank").number == Rational(3))
        // 0 is no place: rejected at its cell.
        #expect(r.figure("341321100", "sat_rank").state == .error)
        #expect(r.diagnostics.contains { $0.code == "out-of-range" && $0.location.cell == "E5" })
        #expect(r.figure("341302", "sat_rank").state == .noData && r.figure("341300", "sat_rank").state == .noData)
    }

    /// all-of counts a part not applicable as holding (the schema has no switch for it): with
    /// 0 四上企业 the three 聘任率 are 0/0 and E4b holds; E4a (≥ 10) fails. With 10 and one
    /// rate short, E4b fails; with a count missing, it lacks data.
    @Test func allOfCountsANotApplicablePartAsHolding() throws {
        var s = Scenario()
        s.data["e.csv"] = """
        年度,代码,四上企业数,首席质量官聘任数,标准总监聘任数,质量安全员聘任数
        2025,341302100,0,0,0,0
        2025,341302101,10,10,9,10
        2025,341302102,10,10,,10
        """
        let r = try s.run()
        func state(_ code: String, _ id: String) -> String? {
            r.unit(code).eligibility?.conditions.first { $0.condition.id == id }?.state
        }
        #expect(state("341302100", "E4b") == "holds")
        #expect(state("341302100", "E4a") == "fails")
        #expect(state("341302101", "E4b") == "fails")
        #expect(state("341302101", "E4a") == "holds")
        #expect(state("341302102", "E4b") == "missing")
    }

    @Test func perUnitCapsTiersAndItemCaps() throws {
        var s = Scenario()
        s.data["a.csv"] = """
        年度,代码,管理体系认证证书数,有机产品认证数,绿色产品认证数,国家级工程质量奖数,省级工程质量奖数,市场监管所星级
        2025,341302100,10,3,2,2,3,5
        2025,341302101,5,1,,0,1,3
        2025,341302102,0,,,,,2
        """
        let r = try s.run()
        // 符离镇: 9.1 = 2 (rank 1), 9.2 = 0.5 × 5 = 2.5; item 9 = min(4.5, 4) = 4.
        #expect(r.criterion("341302100", "9.2").points == Rational(5, 2))
        #expect(r.item("341302100", 9).points == Rational(4) && r.item("341302100", 9).capped)
        // 17.1 = 1 × 2 + 0.5 × 3 = 3.5 → item 17 capped at 3.
        #expect(r.item("341302100", 17).points == Rational(3))
        // 夹沟镇: green missing counts 0 → 9.2 = 0.5; 12.2: 3 stars → 0.5.
        #expect(r.criterion("341302101", "9.2").points == Rational(1, 2))
        #expect(r.criterion("341302101", "12.2").points == Rational(1, 2))
        // 褚兰镇: both parts missing = no data; 2 stars → 0; 0 certificates → 9.1 = 0.
        #expect(r.criterion("341302102", "9.2").source == .noData)
        #expect(r.criterion("341302102", "12.2").points == Rational(0))
        #expect(r.criterion("341302102", "9.1").points == Rational(0))
        #expect(r.criterion("341302100", "12.2").points == Rational(2))
    }

    @Test func allOfAndComparisonWithTheCity() throws {
        var s = Scenario()
        s.data["a.csv"] = """
        年度,代码,特种设备使用登记率,重点监控设备定期检验率,重大隐患整改率,企业年报应公示户数,企业年报已公示户数
        2025,341302100,100,100,100,1000,980
        2025,341302101,100,99.5,,1000,979
        2025,341302102,100,100,,1000,981
        """
        let r = try s.run()
        #expect(r.criterion("341302100", "30.2").points == Rational(1))
        #expect(r.criterion("341302101", "30.2").source == .computed && r.criterion("341302101", "30.2").points == Rational(0))  // a known one below 100
        #expect(r.criterion("341302102", "30.2").source == .noData)   // one missing, the rest 100
        // City pooled report rate = 2940/3000 = 98%: 98% meets, 97.9% does not, 98.1% does.
        #expect(r.criterion("341302100", "26.2").points == Rational(1))
        #expect(r.criterion("341302101", "26.2").points == Rational(0))
        #expect(r.criterion("341302102", "26.2").points == Rational(1))
    }

    @Test func notApplicableGivesFullPointsAndSaysSo() throws {
        var s = Scenario()
        s.data["a.csv"] = "年度,代码,四上企业数,首席质量官聘任数,监督抽查不合格批次,不合格已处置批次\n2025,341302100,0,0,0,0\n"
        let r = try s.run()
        #expect(r.criterion("341302100", "14.1").source == .notApplicable && r.criterion("341302100", "14.1").points == Rational(3))
        #expect(r.criterion("341302100", "15.2").source == .notApplicable && r.criterion("341302100", "15.2").points == Rational(2))
    }

    /// The assessment columns and the order a manual score falls back through them are the
    /// scheme's: the shipped scheme edited to 初审分 → 核定分 → 自评分, 核定分 renamed 审定分 and its
    /// note 审定说明.
    @Test func theScoreOrderAndColumnsComeFromTheScheme() throws {
        let dir = temporaryFolder("score-order")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/s", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: repoPath("templates/scheme.xsd"), toPath: dir + "/scheme.xsd")
        var xml = try String(contentsOfFile: repoPath("templates/suzhou-town/scheme.xml"), encoding: .utf8)
        let shipped = """
              <score role="reviewed" column="核定分" note="核定说明" label="核定" adjusted-label="核定调整"/>
              <score role="preliminary" column="初审分" label="初审"/>
        """
        #expect(xml.contains(shipped))
        xml = xml.replacingOccurrences(of: shipped, with: """
              <score role="preliminary" column="初审分" label="初审"/>
              <score role="reviewed" column="审定分" note="审定说明" label="审定" adjusted-label="审定调整"/>
        """)
        xml = xml.replacingOccurrences(of: #"<column id="核定分" header="核定分" kind="points"/>"#, with: #"<column id="审定分" header="审定分" kind="points"/>"#)
        try xml.write(toFile: dir + "/s/scheme.xml", atomically: true, encoding: .utf8)
        var s = Scenario()
        s.scheme = dir + "/s"
        s.data["a.csv"] = "年度,代码,四上企业数,首席质量官聘任数\n2025,341302100,10,9\n"
        s.assessments = """
        年度,代码,条目,自评分,初审分,审定分,说明
        2025,341302100,1.1,2,1.5,1,
        2025,341302100,1.2,1,,0.5,
        2025,341302100,15.3,2,,1,复核后认定
        """
        let r = try s.run()
        // 1.1: 初审分 now comes first; 1.2: no 初审分, so 审定分.
        #expect(r.criterion("341302100", "1.1").points == Rational(3, 2) && r.criterion("341302100", "1.1").source == .preliminary)
        #expect(r.criterion("341302100", "1.2").points == Rational(1, 2) && r.criterion("341302100", "1.2").source == .reviewed)
        // A reviewed score still replaces a computed one, its remark under the scheme's word.
        #expect(r.criterion("341302100", "15.3").source == .adjusted && r.criterion("341302100", "15.3").note.hasSuffix("；审定说明：复核后认定"))
    }

    @Test func manualScoresFallBackAndAutoScoresCanBeAdjusted() throws {
        var s = Scenario()
        s.data["a.csv"] = "年度,代码,四上企业数,首席质量官聘任数\n2025,341302100,10,9\n"
        s.assessments = """
        年度,代码,条目,自评分,初审分,核定分,说明,佐证材料
        2025,341302100,1.1,2,1.5,1,,档案盒A-01
        2025,341302100,1.2,1,0.5,,,
        2025,341302100,1.3,2,,,,
        2025,341302100,4.2,2,,,超过满分,
        2025,341302100,14.1,3,,,,
        2025,341302100,15.3,2,,1,复核后认定,
        2025,341302100,第5项,3,,,,
        2025,341302100,22.1,1,,,,
        2025,341302100,22.2,0.5,,,,
        2025,341302100,22.3,1,,,,
        2025,341302100,22.4,1,,,,
        2025,341302100,22.5,1,,,,
        2025,341302100,31.1,1,,,,
        2025,341302100,31.2,1,,,,
        2025,341302100,32.1,1,,,,
        2025,341302100,33.1,1,,,,
        2025,341302100,34.1,1,,,,
        2025,341302101,4.1,1,,,,
        2025,341302101,4.1,0,,,,
        """
        let r = try s.run()
        #expect(r.criterion("341302100", "1.1").points == Rational(1) && r.criterion("341302100", "1.1").source == .reviewed)
        #expect(r.criterion("341302100", "1.1").evidence == "档案盒A-01")
        #expect(r.criterion("341302100", "1.2").points == Rational(1, 2) && r.criterion("341302100", "1.2").source == .preliminary)
        #expect(r.criterion("341302100", "1.3").points == Rational(2) && r.criterion("341302100", "1.3").source == .selfScored)
        #expect(r.criterion("341302100", "2.1").source == .unscored && r.criterion("341302100", "2.1").points == Rational(0))
        // 4.2 is worth 1: a self-score of 2 is rejected and not counted.
        #expect(r.criterion("341302100", "4.2").source == .unscored)
        #expect(r.diagnostics.contains { $0.code == "over-maximum" && $0.location.line == 5 })
        // 14.1 computed 0 (9/10 聘任率 90%); self-score 3 → a discrepancy for the county; so is 15.3
        // (self 2, computed 0 for lack of data), even though a 核定分 then overrides it.
        #expect(r.criterion("341302100", "14.1").points == Rational(0))
        #expect(r.unit("341302100").score!.discrepancies.map(\.criterion) == ["14.1", "15.3"])
        // 15.3 has no data (0) but a 核定分 of 1 overrides it: 核定调整.
        #expect(r.criterion("341302100", "15.3").points == Rational(1) && r.criterion("341302100", "15.3").source == .adjusted)
        // 第5项 reads as criterion 5.1.
        #expect(r.criterion("341302100", "5.1").points == Rational(3))
        // Item 22: 4.5 typed, capped at 3 (满分3分).
        #expect(r.item("341302100", 22).points == Rational(3))
        // Bonus: 5 of 5.
        #expect(r.unit("341302100").score!.bonus == Rational(5))
        // Two rows for 夹沟镇 4.1 with different 自评分: both rejected.
        #expect(r.criterion("341302101", "4.1").source == .unscored)
        #expect(r.diagnostics.filter { $0.code == "conflict" && $0.unit == "341302101" }.count == 2)
        // Totals: category 1 = 1 + 0.5 + 2 (item 1) + 3 (item 5) = 6.5.
        let cat = r.unit("341302100").score!.categories[0]
        #expect(cat.points == Rational(13, 2))
    }

    @Test func bonusAndCategoryCaps() throws {
        var s = Scenario()
        var rows = "年度,代码,条目,自评分,初审分,核定分\n"
        for c in ["27.1", "31.1", "31.2", "32.1", "33.1", "34.1"] { rows += "2025,341302100,\(c),,,1\n" }
        s.assessments = rows
        // Safety items 26–30 can add to 13 at most (declared 14).
        s.data["a.csv"] = """
        年度,代码,双随机差异化措施应用率,企业年报应公示户数,企业年报已公示户数,市以上特色乡镇称号,国抽省抽不合格后处理完成,涉刑案件未移交数,市级以上点名区域性质量问题数,药品重大质量安全事故数,较大食品安全事故数,严重工程质量事故数,环境舆情受批评数,特种设备重大事故数,特种设备使用登记率,重点监控设备定期检验率,重大隐患整改率
        2025,341302100,80,10,10,是,是,0,0,0,0,0,0,0,100,100,100
        """
        let r = try s.run()
        let safety = r.unit("341302100").score!.categories.first { $0.category.id == "safety" }!
        #expect(safety.points == Rational(13))
        #expect(r.unit("341302100").score!.bonus == Rational(5))
        #expect(r.unit("341302100").score!.total == r.unit("341302100").score!.base + Rational(5))
    }

    // MARK: Eligibility and stages

    @Test func eligibilityNeedsThreeYearsAndNamesFailures() throws {
        var s = Scenario()
        s.data["a.csv"] = """
        年度,代码,四上企业数,首席质量官聘任数,标准总监聘任数,质量安全员聘任数,重大质量安全事件数
        2023,341302100,12,12,12,12,0
        2024,341302100,12,12,12,12,0
        2025,341302100,12,12,12,12,0
        2024,341302101,12,12,12,12,0
        2025,341302101,12,12,12,12,0
        2023,341302102,8,8,8,8,0
        2024,341302102,8,8,8,8,
        2025,341302102,8,8,8,8,0
        """
        let r = try s.run()
        #expect(r.unit("341302100").eligibility!.status == .eligible)
        let b = r.unit("341302101").eligibility!
        #expect(b.status == .undetermined && b.missing == ["E5"])   // 2023 missing
        let c = r.unit("341302102").eligibility!
        #expect(c.status == .ineligible && c.failed == ["E4a"] && c.missing == ["E5"])
    }

    @Test func everyStageAtTheAsOfDate() throws {
        var s = Scenario()
        s.units = "代码,名称,层级,上级代码\n341300,宿州市,市,\n341302,埇桥区,区,341300\n"
            + (0..<12).map { "3413021\(String(format: "%02d", $0)),镇\($0),镇,341302" }.joined(separator: "\n") + "\n"
        s.asOf = Day(2026, 11, 23)!
        // A report year needs data rows (else nothing is built): one cell of the as-of year.
        s.data["a.csv"] = "年度,代码,四上企业数\n2026,341302100,10\n"
        s.applications = """
        代码,创建类别,申报日期,推荐日期,推荐结论,备案日期,审查结论,验收日期,验收结论,公示日期,命名日期,撤销日期
        341302101,制造业,2026-05-01,,,,,,,,,
        341302102,制造业,2026-05-01,2026-05-20,,,,,,,,
        341302103,制造业,2026-05-01,2026-05-20,不予推荐,2026-06-01,,,,,,
        341302104,制造业,2025-05-01,2025-05-20,,2025-06-01,,,,,,
        341302105,制造业,2024-05-01,2024-05-20,,2024-06-01,,,,,,
        341302106,农业,2023-05-01,2023-05-20,,2023-06-01,,2025-05-01,不通过,,,
        341302107,农业,2023-05-01,2023-05-20,,2023-06-01,,2025-05-01,,2025-05-10,,
        341302108,服务业,2020-05-01,2020-05-20,,2020-06-01,,2022-05-01,,,2022-06-01,
        341302109,制造业,2019-05-01,2019-05-20,,2019-06-01,,2021-05-01,,,2021-12-31,
        341302110,制造业,2016-05-01,2016-05-20,,2016-06-01,,2018-05-01,,,2018-06-01,
        341302111,制造业,2019-05-01,2019-05-20,,2019-06-01,,2021-05-01,,,2021-06-01,2025-01-01
        """
        let r = try s.run()
        func stage(_ i: Int) -> StageResult { r.unit("3413021\(String(format: "%02d", i))").stage! }
        #expect(stage(0).stage == "not-applied")
        #expect(stage(1).stage == "applied")
        #expect(stage(2).stage == "recommended")
        #expect(stage(3).stage == "declined")
        #expect(r.diagnostics.contains { $0.code == "ignored-date" })   // 备案 after 不予推荐
        #expect(stage(4).stage == "filed" && !stage(4).overdue)          // until 2027-06-01
        #expect(stage(5).stage == "filed" && stage(5).overdue)           // 2024-06-01 + 2 years < as-of
        #expect(stage(6).stage == "acceptance-failed")
        #expect(stage(7).stage == "accepted")
        #expect(stage(8).stage == "named" && !stage(8).expiring && stage(8).expires == Day(2027, 6, 1))
        #expect(stage(9).stage == "named" && stage(9).expiring && stage(9).expires == Day(2026, 12, 31))
        #expect(stage(10).stage == "expired")
        #expect(stage(11).stage == "revoked")
        let goal = r.unit("341300").goal!
        #expect(goal[0].named == 1 && goal[0].creating == 2 && goal[0].gap == 9)   // 制造业: 镇9 named; 镇4, 镇5 filed
        #expect(goal[1].named == 1 && goal[1].creating == 1 && goal[1].gap == 4)   // 服务业 镇8 named; 农业 镇7 accepted
    }

    @Test func datesOutOfOrderAndFutureDates() throws {
        var s = Scenario()
        s.data["a.csv"] = "年度,代码,四上企业数\n2026,341302100,10\n"
        s.applications = """
        代码,申报日期,推荐日期,备案日期,验收日期,命名日期
        341302100,2025-05-01,2025-04-01,2025-06-01,,
        341302101,2025-05-01,2025-05-20,2027-01-01,,
        341302102,2025-05-01,,,,2025-09-01
        """
        let r = try s.run()
        #expect(r.unit("341302100").stage!.stage == "filed")             // 推荐日期 before 申报 is rejected
        #expect(r.diagnostics.contains { $0.code == "date-order" && $0.unit == "341302100" })
        #expect(r.unit("341302101").stage!.stage == "recommended")       // 备案 in the future has not happened
        #expect(r.unit("341302102").stage!.stage == "named")             // used, with a warning
        #expect(r.diagnostics.contains { $0.code == "missing-step" && $0.unit == "341302102" })
    }

    @Test func namedTownWithAnIncidentGoesToRevocationReview() throws {
        var s = Scenario()
        s.data["a.csv"] = "年度,代码,特种设备重大事故数\n2025,341302100,1\n2025,341302101,0\n"
        s.applications = "代码,申报日期,推荐日期,备案日期,验收日期,命名日期\n341302100,2022-01-01,2022-01-10,2022-02-01,2023-12-01,2024-01-01\n341302101,2022-01-01,2022-01-10,2022-02-01,2023-12-01,2024-01-01\n"
        let r = try s.run()
        #expect(r.unit("341302100").stage!.revocationReview)
        #expect(!r.unit("341302101").stage!.revocationReview)
    }

    /// io-contract.md "Nothing a user typed is silently dropped": each of these was used as if
    /// fine, or dropped without a word.
    /// An application row of a unit not assessed is reported, the row named by the lifecycle's
    /// first step (申报 → 申报行) and the tier by the scheme (乡镇（街道）).
    @Test func anApplicationRowOfAnotherTierIsNamedByTheFirstStep() throws {
        var s = Scenario()
        s.applications = "代码,创建类别,申报日期\n341302,制造业,2025-01-01\n"
        s.data["a.csv"] = "年度,代码,四上企业数\n2025,341302100,10\n"
        let r = try s.run()
        #expect(r.diagnostics.first { $0.code == "not-a-town" }?.message == "申报行的单位“埇桥区”不是乡镇（街道），未使用")
    }

    @Test func nothingInTheSheetsIsSilentlyDropped() throws {
        var s = Scenario()
        s.units += "\n341302103,曹村镇,镇,341302\n341302104,大店镇,镇,341302"
        s.data["a.csv"] = """
        年度,代码,四上企业数,特种设备重大事故数,药品重大质量安全事故数
        2025,341302100,10,0,0
        2025,341302103,10,#N/A,0
        """
        s.assessments = """
        年度,代码,条目,自评分,核定分
        ,341302100,1.1,2,2
        2025,341302,1.1,2,2
        2025,341302100,1.2,1,1
        2025,341302100,99.9,1,1
        """
        s.applications = """
        代码,创建类别,申报日期,推荐日期,推荐结论,备案日期,审查结论,验收日期,命名日期
        341302100,制造业,2025-01-01,2025-01-10,,2025-02-01,不同意,,
        341302101,制造业,2025-01-01,,推荐,,,,
        341302102,工业,2025-01-01,2025-01-10,,2025-02-01,,,
        341302103,农业,2020-01-01,2020-01-10,,2020-02-01,,2022-01-01,2022-03-01
        """
        let r = try s.run()
        func problem(_ code: String, _ unit: String) -> Diagnostic? { r.diagnostics.first { $0.code == code && $0.unit == unit } }
        // An assessment row without 年度: an error at its cell (A2), not a silent skip.
        #expect(problem("missing-value", "341302100")?.location.cell == "A2")
        #expect(r.criterion("341302100", "1.1").points == Rational(0))
        #expect(r.criterion("341302100", "1.2").points == Rational(1))
        // A row naming the county: reported, on the county.
        #expect(problem("not-a-town", "341302")?.location.line == 3)
        // The messages' programme words are the scheme's (<assessment label>, <rubric name>, <tier short>, <goal name>).
        #expect(problem("not-a-town", "341302")?.message == "评分行的单位“埇桥区”是区级单位；自查打分只适用于乡镇（街道），本行未使用")
        #expect(problem("unknown-criterion", "341302100")?.message.contains("不是评估细则中的条目（应为 4.2、5 或 第5项 这样的写法）") == true)
        #expect(problem("unknown-category", "341302102")?.message.hasSuffix("），该乡镇未计入全市创建目标") == true)
        #expect(r.unit("341302102").stage!.notes.contains("创建类别“工业”无法识别，未计入全市创建目标（见数据问题）"))
        // 审查结论 “不同意” is no spelling the scheme knows: an error, and the town is not filed.
        let a = r.unit("341302100").stage!
        #expect(problem("type-error", "341302100")?.location.cell == "G2")
        #expect(a.stage == "recommended" && a.notes.contains { $0.contains("不同意") })
        // A conclusion whose date is blank: an error at the conclusion, the town stays applied.
        #expect(problem("conclusion-without-date", "341302101")?.location.cell == "E3")
        #expect(r.unit("341302101").stage!.stage == "applied")
        // A 创建类别 the goal does not count: an error, and left out of the goal.
        #expect(problem("unknown-category", "341302102")?.location.cell == "B4")
        #expect(r.unit("341302102").stage!.stage == "filed" && !r.unit("341302102").stage!.notes.isEmpty)
        #expect(r.unit("341300").goal!.allSatisfy { $0.creating == 0 })
        // A named town whose incident cell was rejected: revocation review unknown, not "no".
        let named = r.unit("341302103").stage!
        #expect(named.stage == "named" && !named.revocationReview && named.revocationReviewUnknown)
    }

    @Test func theSchemeCheckFindsTheDocumentsOwnInconsistencies() throws {
        let scheme = try loadScheme(repoPath("templates/suzhou-town"))
        let c = checkConsistency(scheme.rubric!)
        #expect(c.warnings.map(\.place) == ["第22项", "质量工作成效", "质量安全水平"])
        #expect(c.highestBase == Rational(99))
        #expect(scheme.rubric!.criteria.count == 77)
    }
}

/// Every target and threshold criterion exactly on its threshold, and just under it where the
/// value would round to the threshold.
@Suite struct ThresholdTests {
    @Test func eachTargetOnAndJustUnder() throws {
        var s = Scenario()
        s.data["a.csv"] = """
        年度,代码,大中型工程验收项目数,大中型工程一次验收合格数,住宅工程应分户验收数,住宅工程已分户验收数,公路工程交工验收数,公路工程交工验收合格数,水利工程验收数,水利工程一次验收合格数,生产性服务业顾客满意度,生活性服务业顾客满意度,空气质量优良率,空气质量优良率考核目标,食用农产品抽检批次,食用农产品抽检合格批次,双随机差异化措施应用率
        2025,341302100,4,4,200,200,3,3,5,5,80,80,80,80,100,96,70
        2025,341302101,2000,1999,2000,1999,2000,1999,2000,1999,79.999,79.995,79.999,80,1000,959,69.999
        """
        let r = try s.run()
        for t in ["T3", "T4", "T5", "T6", "T7", "T8", "T10"] {
            #expect(r.target("341302100", t).status == .met, "\(t) on")
            #expect(r.target("341302101", t).status == .unmet, "\(t) under")
        }
        #expect(r.criterion("341302100", "15.3").points == Rational(2))   // 96/100 = 96%
        #expect(r.criterion("341302101", "15.3").points == Rational(0))   // 95.9%
        #expect(r.criterion("341302100", "26.1").points == Rational(1))
        #expect(r.criterion("341302101", "26.1").points == Rational(0))
        // Cut, not rounded: 1999/2000 prints 99.95%, 79.999 prints 79.99, never "100%" or "80".
        let rows = targetRows(r.unit("341302101"), scheme: r.assessment.scheme)
        var shown: [String: String] = [:]
        for case .object(let o) in rows { if case .text(let id)? = o["id"], case .text(let v)? = o["value"] { shown[id] = v } }
        #expect(shown["T3"]?.hasPrefix("99.95%") == true)
        #expect(shown["T7"] == "79.99")
        #expect(shown["T10"] == "79.99%")
    }
}
