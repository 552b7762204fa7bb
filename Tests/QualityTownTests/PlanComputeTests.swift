import Testing
import Foundation
@testable import QualityTown

/// Statuses, scorecards, ranks and stages of a plan (quzhou-city.md §2, §3), hand-computed.
@Suite struct PlanComputeTests {
    static let d1 = Party(kind: .department, name: "市市场监管局")
    static let d2 = Party(kind: .department, name: "市住建局")
    static let d3 = Party(kind: .department, name: "市委宣传部")
    static let d4 = Party(kind: .department, name: "市发改委")
    static let d5 = Party(kind: .department, name: "市教育局")
    static let c1 = Party(kind: .county, name: "柯城区", code: "330802")
    static let c2 = Party(kind: .county, name: "衢江区", code: "330803")
    static let c3 = Party(kind: .county, name: "常山县", code: "330822")
    static let asOf = day("2019-06-30")

    static func assign(_ id: TaskID, leads: [Party], partners: [Party] = [], counties: [Party] = [], _ deadline: Deadline) -> TaskAssignment {
        TaskAssignment(task: id, leads: leads, partners: partners, counties: counties, deadline: deadline,
                       deadlineText: "", location: SourceLocation(file: "tasks.csv"))
    }

    static func report(_ id: TaskID, _ who: Party, _ state: ProgressState, _ reported: String, completed: String? = nil,
                       order: Int) -> ProgressReport {
        let wording = ["notStarted": "未启动", "inProgress": "推进中", "done": "已完成", "paused": "暂缓"][state.rawValue]!
        return ProgressReport(task: id, reporter: who, state: state, wording: wording, completed: completed.map(day), note: "",
                              reported: day(reported), order: order, location: SourceLocation(file: "progress.csv", line: order + 1))
    }

    /// The scenario of the scorecard test (as-of 2019-06-30).
    static let results: PlanResults = {
        let a: [TaskAssignment] = [
            assign(tid(1, 1), leads: [d1], .day(day("2018-05-31"))),
            assign(tid(1, 2), leads: [d1], counties: [c1], .day(day("2018-12-31"))),
            assign(tid(1, 3), leads: [d1], .day(day("2019-06-30"))),        // deadline = as-of
            assign(tid(1, 4), leads: [d2], .day(day("2019-03-31"))),
            assign(tid(1, 5), leads: [d2], .ongoing),
            assign(tid(1, 6), leads: [d2], .ongoing),
            assign(tid(2, 1), leads: [d3], partners: [d1], .day(day("2019-12-31"))),
            assign(tid(2, 2), leads: [d3], counties: [c1, c2], .day(day("2018-12-31"))),
            assign(tid(2, 3), leads: [d4], Deadline.none),
            assign(tid(2, 4), leads: [d4], .day(day("2019-05-31"))),
            assign(tid(2, 5), leads: [d3], counties: [c1], .day(day("2019-12-31"))),
        ]
        var n = 0
        func r(_ id: TaskID, _ who: Party, _ s: ProgressState, _ on: String, completed: String? = nil) -> ProgressReport {
            n += 1
            return report(id, who, s, on, completed: completed, order: n)
        }
        let reports = [
            r(tid(1, 1), d1, .inProgress, "2018-05-01"),
            r(tid(1, 1), d1, .done, "2018-05-21", completed: "2018-05-20"),
            r(tid(1, 2), d1, .done, "2019-01-15", completed: "2019-01-10"),                 // late
            r(tid(1, 2), c1, .done, "2019-01-02", completed: "2018-12-31"),                 // exactly on the deadline
            r(tid(1, 3), d1, .inProgress, "2019-06-01"),
            r(tid(1, 5), d2, .inProgress, "2019-03-31"),                                     // 91 days: stale
            r(tid(1, 6), d2, .paused, "2019-04-01"),                                         // 90 days: not stale
            r(tid(2, 1), d1, .inProgress, "2019-05-01"),                                     // a partner: shown only
            r(tid(2, 2), d3, .done, "2018-11-02", completed: "2018-11-01"),
            r(tid(2, 2), c1, .paused, "2019-05-01"),
            r(tid(2, 2), c2, .inProgress, "2019-05-01"),
            r(tid(2, 3), d4, .inProgress, "2019-06-15"),
            r(tid(2, 3), d4, .notStarted, "2019-06-15"),                                     // tie: the later row counts
            r(tid(2, 4), d4, .notStarted, "2019-01-01"),
            r(tid(2, 4), d4, .done, "2019-07-01", completed: "2019-06-20"),                 // after the as-of date
            r(tid(2, 5), d3, .done, "2019-01-01", completed: "2019-01-01"),
            r(tid(2, 5), c1, .paused, "2019-06-01"),
        ]
        return evaluatePlan(tasks: quzhouPlan.tasks, stages: quzhouPlan.stages,
                            assignments: Dictionary(uniqueKeysWithValues: a.map { ($0.task, $0) }), reports: reports,
                            departments: [d1, d2, d3, d4, d5], counties: [c1, c2, c3], asOf: asOf)
    }()

    func task(_ id: TaskID) -> TaskProgress { Self.results.tasks.first { $0.task.id == id }! }
    func party(_ id: TaskID, _ p: Party) -> PartyOnTask { task(id).parties.first { $0.party == p }! }
    func card(_ p: Party) -> Scorecard { Self.results.scorecards.first { $0.party == p }! }
    /// assigned, due, the six exclusive columns, stale.
    func columns(_ c: Scorecard) -> [Int] { [c.assigned, c.due, c.doneOnTime, c.doneLate, c.overdue, c.paused, c.open, c.notReported, c.stale] }

    @Test func partyStatuses() {
        // done on time; done late; done exactly on the deadline (on time).
        #expect(party(tid(1, 1), Self.d1).status == .done && party(tid(1, 1), Self.d1).onTime == true)
        #expect(party(tid(1, 1), Self.d1).completed == day("2018-05-20") && party(tid(1, 1), Self.d1).reported == day("2018-05-21"))
        #expect(party(tid(1, 2), Self.d1).onTime == false)
        #expect(party(tid(1, 2), Self.c1).onTime == true && party(tid(1, 2), Self.c1).role == .county)
        // open, deadline equal to the as-of date: not overdue.
        let p13 = party(tid(1, 3), Self.d1)
        #expect(p13.status == .open && !p13.overdue && p13.onTime == nil && p13.progress == "推进中")
        // not reported after the deadline: overdue, by 91 days.
        let p14 = party(tid(1, 4), Self.d2)
        #expect(p14.status == .notReported && p14.overdue && p14.daysOverdue == 91 && p14.progress == nil && p14.reported == nil)
        // stale at 91 days, not at 90; ongoing is never overdue; paused never overdue.
        #expect(party(tid(1, 5), Self.d2).stale && !party(tid(1, 5), Self.d2).overdue)
        #expect(!party(tid(1, 6), Self.d2).stale && party(tid(1, 6), Self.d2).status == .paused)
        #expect(party(tid(2, 2), Self.c1).status == .paused && !party(tid(2, 2), Self.c1).overdue)
        #expect(party(tid(2, 2), Self.c2).status == .open && party(tid(2, 2), Self.c2).overdue)
        // A tie on 报送日期: the later row.
        #expect(party(tid(2, 3), Self.d4).progress == "未启动" && party(tid(2, 3), Self.d4).status == .open)
        // The report after the as-of date is not known: still open, overdue and stale (180 days).
        let p24 = party(tid(2, 4), Self.d4)
        #expect(p24.status == .open && p24.overdue && p24.stale && p24.reported == day("2019-01-01"))
        // A partner that reported is listed, with its role.
        #expect(party(tid(2, 1), Self.d1).role == .partner && party(tid(2, 1), Self.d1).status == .open)
    }

    @Test func taskStatuses() {
        #expect(task(tid(1, 1)).status == .done && task(tid(1, 1)).onTime == true)
        #expect(task(tid(1, 2)).status == .done && task(tid(1, 2)).onTime == false)   // one party late
        #expect(task(tid(1, 3)).status == .open && task(tid(1, 3)).onTime == nil)
        #expect(task(tid(1, 4)).status == .overdue)
        #expect(task(tid(1, 5)).status == .open)
        #expect(task(tid(1, 6)).status == .paused)
        // Only a partner reported: the task is still not reported.
        #expect(task(tid(2, 1)).status == .notReported && task(tid(2, 1)).parties.count == 2)
        // Done, paused and overdue parties: overdue comes first.
        #expect(task(tid(2, 2)).status == .overdue)
        #expect(task(tid(2, 3)).status == .open)
        #expect(task(tid(2, 4)).status == .overdue)
        // One party done, the other paused: paused.
        #expect(task(tid(2, 5)).status == .paused)
        #expect(task(tid(3, 1)).status == .unassigned && task(tid(3, 1)).parties.isEmpty && task(tid(3, 1)).onTime == nil)
        #expect(Self.results.tasks.count == 38)
    }

    @Test func taskStatusOrderFirstThatApplies() {
        func p(_ s: PartyTaskStatus, overdue: Bool = false, onTime: Bool? = nil) -> PartyOnTask {
            PartyOnTask(party: Self.d1, role: .lead, status: s, progress: nil, completed: nil, onTime: onTime, overdue: overdue,
                        stale: false, reported: nil, note: nil, daysOverdue: nil)
        }
        #expect(taskStatus(counted: [p(.done, onTime: true), p(.done, onTime: true)]) == (.done, true))
        #expect(taskStatus(counted: [p(.done, onTime: true), p(.done, onTime: false)]) == (.done, false))
        #expect(taskStatus(counted: [p(.paused), p(.notReported, overdue: true)]).0 == .overdue)
        #expect(taskStatus(counted: [p(.notReported), p(.notReported)]).0 == .notReported)
        #expect(taskStatus(counted: [p(.paused), p(.paused)]).0 == .paused)
        #expect(taskStatus(counted: [p(.paused), p(.notReported)]).0 == .open)
        #expect(taskStatus(counted: [p(.done, onTime: true), p(.open)]).0 == .open)
    }

    @Test func scorecardsEachColumn() {
        // 市市场监管局: 1.1 done on time (due), 1.2 done late (due), 1.3 open (deadline = as-of: not due);
        // its partner report on 2.1 counts nothing. Rate 1/2.
        var c = card(Self.d1)
        #expect(columns(c) == [3, 2, 1, 1, 0, 0, 1, 0, 0])
        #expect(c.onTimeRate == Rational(50))
        // 市住建局: 1.4 overdue (due), 1.5 open and stale (ongoing), 1.6 paused (ongoing). Rate 0/1.
        c = card(Self.d2)
        #expect(columns(c) == [3, 1, 0, 0, 1, 1, 1, 0, 1])
        #expect(c.onTimeRate == Rational(0))
        // 市委宣传部: 2.1 not reported (not due), 2.2 done on time (due), 2.5 done on time (not due). Rate 1/1.
        c = card(Self.d3)
        #expect(columns(c) == [3, 1, 2, 0, 0, 0, 0, 1, 0])
        #expect(c.onTimeRate == Rational(100))
        // 市发改委: 2.3 open (no deadline), 2.4 overdue and stale (due). Rate 0/1.
        c = card(Self.d4)
        #expect(columns(c) == [2, 1, 0, 0, 1, 0, 1, 0, 1])
        // No task: zeros, no rate, no rank.
        c = card(Self.d5)
        #expect(c.assigned == 0 && c.onTimeRate == nil && c.rank == nil)
        // 柯城区: 1.2 done on time (due), 2.2 paused (due), 2.5 paused (not due): rate 1/2.
        c = card(Self.c1)
        #expect((c.assigned, c.due, c.doneOnTime, c.paused, c.open) == (3, 2, 1, 2, 0))
        #expect(c.onTimeRate == Rational(50))
        // 衢江区: 2.2 overdue.
        c = card(Self.c2)
        #expect((c.assigned, c.due, c.overdue) == (1, 1, 1) && c.onTimeRate == Rational(0))
        #expect(card(Self.c3).assigned == 0 && card(Self.c3).rank == nil)
        // Every department and every county listed, in their order.
        #expect(Self.results.scorecards.map(\.party) == [Self.d1, Self.d2, Self.d3, Self.d4, Self.d5, Self.c1, Self.c2, Self.c3])
    }

    @Test func onTimeRateIsAnExactFraction() {
        let a = (1...3).map { Self.assign(tid(3, $0), leads: [Self.d1], .day(day("2019-01-31"))) }
        let reports = [Self.report(tid(3, 1), Self.d1, .done, "2019-01-31", completed: "2019-01-31", order: 1)]
        let r = evaluatePlan(tasks: quzhouPlan.tasks, stages: [], assignments: Dictionary(uniqueKeysWithValues: a.map { ($0.task, $0) }),
                             reports: reports, departments: [Self.d1], counties: [], asOf: Self.asOf)
        #expect(r.scorecards[0].onTimeRate == Rational(100, 3))
        #expect(r.scorecards[0].onTimeRate!.cut(2) == "33.33")
    }

    @Test func ranksWithinKindTiesShareTheBestRank() {
        // Departments 市委宣传部 100, 市市场监管局 50, 市住建局 0, 市发改委 0: 1, 2, 3, 3.
        #expect(card(Self.d3).rank == 1 && card(Self.d1).rank == 2 && card(Self.d2).rank == 3 && card(Self.d4).rank == 3)
        // Counties ranked apart: 柯城区 50 → 1, 衢江区 0 → 2.
        #expect(card(Self.c1).rank == 1 && card(Self.c2).rank == 2)
        // 1, 2, 2, 4 and null.
        func sc(_ p: Party, _ rate: Rational?) -> Scorecard {
            var s = Scorecard(party: p)
            s.onTimeRate = rate
            return s
        }
        var cards = [sc(Self.d1, Rational(50)), sc(Self.d2, Rational(100)), sc(Self.d3, Rational(50)), sc(Self.d4, Rational(0)),
                     sc(Self.d5, nil), sc(Self.c1, Rational(0)), sc(Self.c2, Rational(100, 3))]
        rankScorecards(&cards)
        #expect(cards.map(\.rank) == [2, 1, 2, 4, nil, 2, 1])
    }

    @Test func stagesAndDaysLeft() {
        let s = Self.results.stages
        #expect(s.map(\.state) == [.done, .done, .current, .upcoming, .upcoming])
        // 2019-06-30 → 2020-09-30: 366 (through 2020-06-30, a leap year) + 92.
        #expect(s.map(\.daysLeft) == [nil, nil, 458, nil, nil])
        let first = stageStatuses(quzhouPlan.stages, asOf: day("2018-05-01"))
        #expect(first.map(\.state) == [.current, .current, .current, .upcoming, .upcoming])
        #expect(first.map(\.daysLeft) == [30, 244, 883, nil, nil])
        // The last day of a stage: current, 0 days left; the next day: done.
        let last = stageStatuses(quzhouPlan.stages, asOf: day("2020-12-31"))
        #expect(last.map(\.state) == [.done, .done, .done, .current, .current])
        #expect(last.map(\.daysLeft) == [nil, nil, nil, 0, 0])
        let overlap = stageStatuses(quzhouPlan.stages, asOf: day("2020-09-01"))
        #expect(overlap.map(\.state) == [.done, .done, .current, .current, .upcoming])
        #expect(overlap.map(\.daysLeft) == [nil, nil, 29, 121, nil])
        #expect(stageStatuses(quzhouPlan.stages, asOf: day("2021-01-01")).allSatisfy { $0.state == .done && $0.daysLeft == nil })
        #expect(stageStatuses(quzhouPlan.stages, asOf: day("2018-04-30")).allSatisfy { $0.state == .upcoming })
    }

    @Test func fromSheetsToStatuses() {
        // The readers and the evaluation together: a county reports through its name, the
        // responsibility row names every county, a completion exactly on the deadline is on time.
        var f = PlanSheetsFixture()
        let sheet = f.tasks("""
        任务编号,牵头单位,配合单位,责任县区,完成时限
        （六）1,住建局,市监局,各县（市、区）,2019年6月底
        """)
        let reports = f.progress("""
        任务编号,报送单位,进展状态,完成日期,进展说明,报送日期
        6.1,住建局,完成,2019-06-30,,2019-06-30
        6.1,柯城区,已完成,2019-05-01,,2019-05-02
        6.1,330803,推进中,,,2019-06-01
        6.1,市监局,推进中,,,2019-06-01
        """, sheet: sheet, asOf: day("2019-07-01"))
        #expect(f.diagnostics.items.filter { $0.code != "unassigned" }.isEmpty)
        let r = evaluatePlan(tasks: quzhouPlan.tasks, stages: quzhouPlan.stages, assignments: sheet.assignments, reports: reports,
                             departments: f.departments.departments.map(\.party), counties: f.counties.parties, asOf: day("2019-07-01"))
        let t = r.tasks.first { $0.task.id == tid(6, 1) }!
        #expect(t.status == .overdue)   // 衢江区 open, 常山县… not reported, deadline passed
        #expect(t.parties.count == 1 + 6 + 1)
        #expect(t.parties.first { $0.party.name == "市住建局" }!.onTime == true)
        #expect(t.parties.filter { $0.overdue && $0.role != .partner }.map(\.party.name) == ["衢江区", "常山县", "开化县", "龙游县", "江山市"])
        // A partner's fields follow the same rules (open after the deadline: overdue), and decide nothing (§6).
        let partner = t.parties.last!
        #expect(partner.role == .partner && partner.party.name == "市市场监管局" && partner.overdue)
        #expect(r.scorecards.first { $0.party.name == "市市场监管局" }!.assigned == 0)
        #expect(r.scorecards.first { $0.party.name == "市市场监管局" }!.overdue == 0)
        #expect(r.scorecards.count == 5 + 6)
        #expect(r.tasks.filter { $0.status == .unassigned }.count == 37)
    }
}
