import Testing
import Foundation
@testable import QualityTown

/// The plan sheets (quzhou-city.md §3, §6): every spelling, every rule, each problem at its cell.
@Suite struct PlanSheetTests {
    // MARK: Cell forms

    @Test func taskIDsInEverySpelling() {
        for s in ["1.1", "1-1", "1．1", "（一）1", "(一)1", "一、1", "一.1", " 1.1 ", "１.１", "（ 一 ）1"] {
            #expect(parseTaskID(s) == tid(1, 1), "\(s)")
        }
        #expect(parseTaskID("（三）5") == tid(3, 5))
        #expect(parseTaskID("九、4") == tid(9, 4))
        #expect(parseTaskID("十.1") == tid(10, 1))   // parsed; not a plan task (the reader says unknown-task)
        for s in ["", "1", "1.", "A.1", "1、1", "一-1", "(一)", "1.1.1", "一一.1"] {
            #expect(parseTaskID(s) == nil, "\(s)")
        }
    }

    @Test func listsSplitAtEverySeparatorDroppingBlanksAndRepeats() {
        #expect(splitList("市场监管局、住建局，发改委,教育局；宣传部;甲/乙\n丙\r\n丁、 、住建局") ==
                ["市场监管局", "住建局", "发改委", "教育局", "宣传部", "甲", "乙", "丙", "丁"])
        #expect(splitList("") == [])
        #expect(splitList(" 、，") == [])
        #expect(splitList("各县（市、区）、柯城区") == ["各县（市、区）", "柯城区"])
    }

    @Test func everyDeadlineSpelling() {
        func read(_ s: String) -> DeadlineRead {
            parseDeadline(s, stages: quzhouPlan.stages, vocabulary: quzhouPlan.vocabulary)
        }
        // Dates in any spelling of io-contract.md.
        for s in ["2018-12-31", "2018/12/31", "2018.12.31", "2018年12月31日", "43465", "２０１８－１２－３１"] {
            #expect(read(s) == .day(day("2018-12-31")), "\(s)")
        }
        // Months: the last day (February of a leap year too).
        for s in ["2018年12月", "2018-12", "2018.12", "2018/12", "2018年12月底", "2018年12月前", "2018-12底", "2018/12前"] {
            #expect(read(s) == .day(day("2018-12-31")), "\(s)")
        }
        #expect(read("2020年2月") == .day(day("2020-02-29")))
        #expect(read("2019-2") == .day(day("2019-02-28")))
        #expect(read("2018年6月底") == .day(day("2018-06-30")))
        // Years.
        for s in ["2019年", "2019年底", "2019年前"] { #expect(read(s) == .day(day("2019-12-31")), "\(s)") }
        // Stage names, with or without 阶段 → the stage's end (四、创建步骤).
        #expect(read("动员部署阶段") == .day(day("2018-05-31")))
        #expect(read("动员部署") == .day(day("2018-05-31")))
        #expect(read("创建实施阶段") == .day(day("2020-09-30")))
        #expect(read("整改提升") == .day(day("2020-12-31")))
        #expect(read("申报争取获批") == .day(day("2018-12-31")))
        // Ongoing words.
        for s in ["长期", "持续", "持续推进", "长期坚持", " 长期 "] { #expect(read(s) == .ongoing, "\(s)") }
        // Anything else.
        for s in ["", "尽快", "2018年13月", "2018-02-30", "2019", "2019年底前", "12月", "2018年12月31日前", "年底", "持续开展"] {
            #expect(read(s) == .bad, "\(s)")
        }
    }

    // MARK: departments.csv

    @Test func departmentsResolveByNameOrAnyShortName() {
        let f = PlanSheetsFixture()
        #expect(f.diagnostics.items.isEmpty)
        #expect(f.departments.resolve("市市场监管局")?.name == "市市场监管局")
        #expect(f.departments.resolve("市监局")?.name == "市市场监管局")
        #expect(f.departments.resolve(" 市场监管局\u{3000}")?.name == "市市场监管局")
        #expect(f.departments.resolve("市住房城乡建设局")?.name == "市住建局")
        #expect(f.departments.resolve("市场监督局") == nil)
        #expect(f.departments.nearestNames(to: "市场监督局").first == "市市场监管局")
    }

    @Test func aShortNameTakenTwiceIsAConflict() {
        let f = PlanSheetsFixture(departments: "名称,简称\n市市场监管局,市监局\n市商务局,商务局、市监局\n市市场监管局,\n")
        #expect(f.cells("conflict") == ["B3"])
        #expect(f.cells("duplicate-department") == ["A4"])
        #expect(f.departments.resolve("市监局")?.name == "市市场监管局")
        #expect(f.departments.resolve("商务局")?.name == "市商务局")
    }

    // MARK: tasks.csv

    @Test func tasksRowsResolveListsCountiesAndDeadlines() {
        var f = PlanSheetsFixture()
        let sheet = f.tasks("""
        任务编号,牵头单位,配合单位,责任县区,完成时限
        1-1,市监局,"住建局、宣传部，市监局",,动员部署阶段
        （一）2,市场监管局/发改委,,各县（市、区）,2018年底
        一、3,住建局,,"各县(市区)、柯城区",长期
        一.4,宣传部,,"柯城区,330803 ,江山市",2019-06
        (一)5,教育局,,各县（市，区）,2019-03-31
        """)
        #expect(f.diagnostics.items.filter { $0.code != "unassigned" }.isEmpty, "\(f.diagnostics.items.map(\.line))")
        let a11 = sheet.assignments[tid(1, 1)]!
        #expect(a11.leads.map(\.name) == ["市市场监管局"])
        // A department both lead and partner counts as lead only (§6).
        #expect(a11.partners.map(\.name) == ["市住建局", "市委宣传部"])
        #expect(a11.counties.isEmpty)
        #expect(a11.deadline == .day(day("2018-05-31")) && a11.deadlineText == "动员部署阶段")
        let a12 = sheet.assignments[tid(1, 2)]!
        #expect(a12.leads.map(\.name) == ["市市场监管局", "市发改委"])
        #expect(a12.counties.map(\.code) == ["330802", "330803", "330822", "330824", "330825", "330881"])
        #expect(a12.deadline == .day(day("2018-12-31")))
        // Any bracket, any width, with or without 、; a county named again is dropped.
        #expect(sheet.assignments[tid(1, 3)]!.counties.count == 6)
        #expect(sheet.assignments[tid(1, 3)]!.deadline == .ongoing)
        #expect(sheet.assignments[tid(1, 5)]!.counties.count == 6)
        // By name or code; canonical names.
        #expect(sheet.assignments[tid(1, 4)]!.counties.map(\.name) == ["柯城区", "衢江区", "江山市"])
        #expect(sheet.assignments[tid(1, 4)]!.deadline == .day(day("2019-06-30")))
        // Every other plan task is unassigned: one warning each.
        #expect(sheet.unassigned.count == 38 - 5)
    }

    /// §6: 各县（市、区） means every county-level unit of the city in units.csv — 县, 区, 县级市 and
    /// 园区 — and no unit of another city or below a county.
    @Test func allCountiesIsEveryCountyLevelUnitOfTheCityIncludingParks() {
        var f = PlanSheetsFixture(units: quzhouUnitsCSV + "\n330871,衢州智造新城,园区,330800\n330802001,信安街道,街道,330802\n")
        let sheet = f.tasks("任务编号,牵头单位,配合单位,责任县区,完成时限\n1.1,市监局,,【各县（市，区）】,2018年\n1.2,市监局,,各县(市 区),2018年\n")
        #expect(sheet.assignments[tid(1, 1)]!.counties.map(\.code) == ["330802", "330803", "330822", "330824", "330825", "330881", "330871"])
        #expect(sheet.assignments[tid(1, 2)]!.counties.count == 7)
        #expect(f.diagnostics.items.filter { $0.code != "unassigned" }.isEmpty)
    }

    @Test func unassignedTasksAreWarnedOncePerTask() {
        var f = PlanSheetsFixture()
        let sheet = f.tasks("任务编号,牵头单位,配合单位,责任县区,完成时限\n1.1,市监局,,,2018年\n")
        #expect(sheet.unassigned.count == 37)
        #expect(f.found("unassigned").count == 37)
        #expect(f.found("unassigned").allSatisfy { $0.severity == .warning })
    }

    @Test func badTasksRowsAreReportedAtTheirCells() {
        var f = PlanSheetsFixture()
        let sheet = f.tasks("""
        任务编号,牵头单位,配合单位,责任县区,完成时限
        4.4,市监局,,,2019年
        10.1,市监局,,,2019年
        1.3,市监局,,,2019年
        1.3,住建局,,,2019年
        1.4,,,,2019年
        1.5,市场监督局,,,2019年
        1.6,市监局,不存在局,柯城县,尽快
        2.1,市监局,,,
        """)
        #expect(f.cells("unknown-task") == ["A2", "A3"])
        // Both rows of 1.3 rejected, each naming the other.
        #expect(f.cells("conflict") == ["A4", "A5"])
        let conflicts = f.diagnostics.items.filter { $0.code == "conflict" }
        #expect(conflicts[0].message.contains("A5") && conflicts[1].message.contains("A4"))
        #expect(sheet.assignments[tid(1, 3)] == nil)
        // Blank lead, or no known lead: missing-lead, row not used.
        #expect(f.cells("missing-lead") == ["B6", "B7"])
        #expect(sheet.assignments[tid(1, 4)] == nil && sheet.assignments[tid(1, 5)] == nil)
        // The unknown names, with a suggestion.
        #expect(f.cells("unknown-department") == ["B7", "C8"])
        #expect(f.diagnostics.items.first { $0.code == "unknown-department" }!.message.contains("市市场监管局"))
        #expect(f.cells("unknown-unit") == ["D8"])
        #expect(f.diagnostics.items.first { $0.code == "unknown-unit" }!.message.contains("柯城区"))
        // A bad or blank 完成时限: the task is kept without a deadline.
        #expect(f.cells("bad-deadline") == ["E8", "E9"])
        #expect(sheet.assignments[tid(1, 6)]!.deadline == Deadline.none)
        #expect(sheet.assignments[tid(1, 6)]!.partners.isEmpty && sheet.assignments[tid(1, 6)]!.counties.isEmpty)
        #expect(sheet.assignments[tid(2, 1)]!.deadline == Deadline.none)
        #expect(sheet.unassigned.contains(tid(1, 3)) && sheet.unassigned.contains(tid(1, 4)))
        #expect(f.diagnostics.items.filter { $0.code != "unassigned" }.allSatisfy { $0.severity == .error })
    }

    @Test func cellsNoColumnCoversAreListed() {
        var f = PlanSheetsFixture()
        let sheet = f.tasks("任务编号,牵头单位,备注,完成时限\n1.1,市监局,已上报,2018年\n1.2,市监局,,2018年,多余\n")
        #expect(sheet.assignments.count == 2)
        #expect(f.cells("unknown-header") == ["C1"])
        // The unknown column's cells are listed under its one warning.
        #expect(f.diagnostics.items.first { $0.code == "unknown-header" }?.cells.compactMap(\.cell) == ["C2"])
        #expect(f.cells("extra-cell") == ["E3"])
        var g = PlanSheetsFixture()
        _ = g.tasks("任务编号,配合单位\n1.1,市监局\n")
        #expect(g.codes.filter { $0 == "missing-key-column" }.count == 2)
        #expect(g.found("unassigned").count == 38)
    }

    // MARK: progress.csv

    let sheetText = """
    任务编号,牵头单位,配合单位,责任县区,完成时限
    1.1,市监局,住建局,柯城区,2018年12月
    1.2,宣传部,,,长期
    """

    @Test func progressRulesEachAtItsCell() {
        var f = PlanSheetsFixture()
        let sheet = f.tasks(sheetText)
        let asOf = day("2019-06-30")
        let reports = f.progress("""
        任务编号,报送单位,进展状态,完成日期,进展说明,报送日期
        1-1,市监局,推进中,,第一次,2018-06-01
        4.4,市监局,推进中,,,2018-06-01
        1.1,市场监督局,推进中,,,2018-06-01
        1.1,柯城县,推进中,,,2018-06-01
        1.1,330899,推进中,,,2018-06-01
        1.1,发改委,推进中,,,2018-06-01
        1.1,衢州市,推进中,,,2018-06-01
        1.3,市监局,推进中,,,2018-06-01
        1.1,市监局,推进中,,,
        1.1,市监局,推进中,,,2018-13-01
        1.1,市监局,做完了,,,2018-06-01
        1.1,市监局,已完成,2018-06-02,,2018-06-01
        1.1,市监局,已完成,,无日期,2018-07-01
        1.1,柯城区,正在推进,2018-06-01,,2018-08-01
        1.1,住建局,完成,2019-07-01,未来,2019-07-02
        1.1,市监局,已完成,2018-06-31,,2018-07-01
        1.1,衢江区,暂缓,,,2018-06-01
        （一）2,宣传部,进行中,,说明,2019-06-30
        """, sheet: sheet, asOf: asOf)
        #expect(f.cells("unknown-task") == ["A3"])
        #expect(f.cells("unknown-department") == ["B4"])
        // Looks like a unit (ends in 县/区/市, or digits): unknown-unit.
        #expect(f.cells("unknown-unit") == ["B5", "B6"])
        // Not a party: a department with no role, the city itself, a county not responsible,
        // a report on an unassigned task.
        #expect(f.cells("not-a-party") == ["B7", "B8", "B9", "B18"])
        #expect(f.cells("missing-value") == ["F10"])
        #expect(f.cells("out-of-range") == ["F11", "D17"])
        #expect(f.cells("type-error") == ["C12"])
        #expect(f.cells("date-order") == ["D13"])
        #expect(f.found("missing-completion-date").map(\.cell) == ["D14"])
        #expect(f.found("missing-completion-date").allSatisfy { $0.severity == .warning })
        #expect(f.found("completion-date-ignored").map(\.cell) == ["D15"])
        #expect(f.found("completion-date-ignored").allSatisfy { $0.severity == .warning })
        // A future report gets only future-report.
        #expect(f.found("future-report").map(\.cell) == ["F16"])
        #expect(f.diagnostics.items.filter { $0.location.row == 16 }.count == 1)
        // Used: rows 2, 14, 15, 19; canonical wording; completion date from 报送日期 when missing.
        #expect(reports.map { $0.location.row } == [2, 14, 15, 19])
        #expect(reports[1].state == .done && reports[1].completed == day("2018-07-01") && reports[1].note == "无日期")
        #expect(reports[2].wording == "推进中" && reports[2].completed == nil && reports[2].reporter.code == "330802")
        #expect(reports[3].wording == "推进中" && reports[3].task == tid(1, 2))
    }

    @Test func aReportOnTheAsOfDateIsUsedAndTheNextDayIsFuture() {
        var f = PlanSheetsFixture()
        let sheet = f.tasks(sheetText)
        let reports = f.progress("""
        任务编号,报送单位,进展状态,完成日期,进展说明,报送日期
        1.1,市监局,推进中,,,2019-06-30
        1.1,市监局,推进中,,,2019-07-01
        """, sheet: sheet, asOf: day("2019-06-30"))
        #expect(reports.count == 1)
        #expect(f.cells("future-report") == ["F3"])
    }

    // MARK: reference.csv

    @Test func referenceValuesUnknownAndConflicting() {
        var bag = DiagnosticBag()
        let ref = readReference(parseCSV(Array("""
        指标,年度,值,来源
        全国特种设备万台设备事故死亡率,2019,0.3,国家市场监管总局
        强制性认证产品监督抽查合格率目标,2019,95%,省局
        出口食品检验合格率目标,2019,97,省局
        出口食品检验合格率目标,2019,97,重复（相同）
        市民质量满意度前列名次,2019,10,
        市民质量满意度前列名次,2019,8,
        全国平均,2019,1,
        """.utf8), file: "reference.csv"), file: "reference.csv", labels: quzhouPlan.references, sheets: quzhouSheets, diagnostics: &bag)
        #expect(ref.measure("se_national", 2019) == .value(Rational(3, 10)))
        #expect(ref.measure("ccc_goal", 2019) == .value(Rational(95)))
        #expect(ref.measure("exp_goal", 2019) == .value(Rational(97)))
        #expect(ref.measure("rank_goal", 2019) == .error)
        #expect(ref.measure("se_national", 2018) == .noData)
        #expect(bag.items.filter { $0.code == "conflict" }.map { $0.location.cell } == ["C7", "C6"])
        #expect(bag.items.filter { $0.code == "unknown-reference" }.map { $0.location.cell } == ["A8"])
    }
}
