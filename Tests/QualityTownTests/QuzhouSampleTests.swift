import Testing
import Foundation
@testable import QualityTown

/// examples/quzhou-city (scripts/make-quzhou-inputs) read with the plan readers: only the planted
/// problems are reported, every task is assigned, and every status the bulletin shows occurs.
@Suite struct QuzhouSampleTests {
    struct Sample {
        var diagnostics = DiagnosticBag()
        var encodings: [String: TextEncoding] = [:]
        var departments = DepartmentDirectory()
        var counties = CountyDirectory(city: nil, counties: [])
        var sheet = TaskSheet()
        var reports: [ProgressReport] = []
        var reference = ReferenceTable()

        mutating func table(_ name: String) -> CSVTable {
            let bytes = FileManager.default.contents(atPath: repoPath("examples/quzhou-city/" + name)).map { [UInt8]($0) } ?? []
            let decoded = decodeSpreadsheetText(bytes, file: name)
            encodings[name] = decoded.encoding
            diagnostics.append(contentsOf: decoded.diagnostics)
            let t = parseCSV(decoded.utf8, file: name)
            diagnostics.append(contentsOf: t.diagnostics)
            return t
        }
    }

    static let asOf = day("2020-12-31")

    static let sample: Sample = {
        var s = Sample()
        var bag = DiagnosticBag()
        let tree = readUnits(s.table("units.csv"), file: "units.csv", diagnostics: &bag)
        s.counties = CountyDirectory(tree: tree, city: "330800")
        s.departments = readDepartments(s.table("departments.csv"), file: "departments.csv", sheets: quzhouSheets,
                                        words: quzhouPlan.words, diagnostics: &bag)
        s.sheet = readTasks(s.table("tasks.csv"), file: "tasks.csv", tasks: quzhouPlan.tasks, stages: quzhouPlan.stages,
                            vocabulary: quzhouPlan.vocabulary, sheets: quzhouSheets, words: quzhouPlan.words,
                            departments: s.departments, counties: s.counties, diagnostics: &bag)
        s.reports = readProgress(s.table("progress.csv"), file: "progress.csv", assignments: s.sheet.assignments,
                                 tasks: quzhouPlan.tasks, vocabulary: quzhouPlan.vocabulary, sheets: quzhouSheets,
                                 words: quzhouPlan.words, departments: s.departments,
                                 counties: s.counties, asOf: asOf, diagnostics: &bag)
        s.reference = readReference(s.table("reference.csv"), file: "reference.csv", labels: quzhouPlan.references,
                                    sheets: quzhouSheets, diagnostics: &bag)
        s.diagnostics.append(contentsOf: bag.items)
        return s
    }()

    @Test func encodingsAsTheREADMESays() {
        let s = Self.sample
        #expect(s.encodings["departments.csv"] == .gb18030)
        #expect(s.encodings["tasks.csv"] == .utf8BOM)
        #expect(s.counties.counties.map(\.code) == ["330802", "330803", "330822", "330824", "330825", "330881"])
        #expect(s.departments.departments.count == 23)
        #expect(s.departments.resolve("市人社局")?.name == "市人力社保局")
    }

    @Test func onlyThePlantedProblems() {
        let s = Self.sample
        let problems = s.diagnostics.items.filter { $0.code != "missing-completion-date" }
        #expect(problems.map(\.code).sorted() == ["completion-date-ignored", "date-order", "future-report", "not-a-party",
                                                   "type-error", "unknown-department", "unknown-task", "unknown-unit"],
                "\(problems.map(\.line))")
        #expect(problems.allSatisfy { $0.location.file == "progress.csv" && $0.location.cell != nil })
        let missingDates = s.diagnostics.items.filter { $0.code == "missing-completion-date" }
        #expect(!missingDates.isEmpty && missingDates.allSatisfy { $0.severity == .warning })
        #expect(s.sheet.unassigned.isEmpty && s.sheet.assignments.count == 38)
        #expect(s.reference.measure("se_national", 2019) == .value(Rational(28, 100)))
        #expect(s.reference.measure("exp_goal", 2020) == .value(Rational(995, 10)))
    }

    @Test func everyStatusOccurs() {
        let s = Self.sample
        let r = evaluatePlan(tasks: quzhouPlan.tasks, stages: quzhouPlan.stages, assignments: s.sheet.assignments, reports: s.reports,
                             departments: s.departments.departments.map(\.party), counties: s.counties.parties, asOf: Self.asOf)
        let counted = r.tasks.flatMap(\.parties).filter { $0.role != .partner }
        #expect(Set(counted.map(\.status)) == [.done, .open, .paused, .notReported])
        #expect(counted.contains { $0.onTime == false } && counted.contains { $0.onTime == true })
        #expect(counted.contains(where: \.overdue) && counted.contains(where: \.stale))
        #expect(r.tasks.flatMap(\.parties).contains { $0.role == .partner })
        let statuses = Set(r.tasks.map(\.status))
        #expect(statuses.isSuperset(of: [.done, .overdue, .open, .paused, .notReported]))
        #expect(r.tasks.first { $0.task.id == tid(1, 5) }!.status == .notReported)
        #expect(r.tasks.first { $0.task.id == tid(5, 2) }!.status == .paused)
        // 1.3's lead completed on its deadline (2018-12-31): on time.
        let p13 = r.tasks.first { $0.task.id == tid(1, 3) }!.parties[0]
        #expect(p13.completed == day("2018-12-31") && p13.onTime == true)
        // 9.4's deadline is the as-of date: its open lead is not overdue.
        #expect(r.tasks.first { $0.task.id == tid(9, 4) }!.parties.allSatisfy { !$0.overdue })
        #expect(r.stages.map(\.state) == [.done, .done, .done, .current, .current])
        #expect(r.scorecards.count == 23 + 6)
        #expect(r.scorecards.filter { $0.party.kind == .county }.allSatisfy { $0.rank != nil })
    }
}
