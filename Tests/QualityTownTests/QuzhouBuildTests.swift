import Testing
import Foundation
@testable import QualityTown

/// `qtown build --scheme quzhou-city` end to end: the sample of examples/quzhou-city through the
/// command line, and a small hand-made case (Fixtures/cases/quzhou-bulletin) whose every status,
/// scorecard and stage is worked out by hand below and whose bulletin is a golden file.
@Suite(.serialized) struct QuzhouBuildTests {
    /// results.json as plain JSON objects.
    static func results(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    static func list(_ o: [String: Any], _ key: String) -> [[String: Any]] { o[key] as? [[String: Any]] ?? [] }

    static func item(_ xs: [[String: Any]], _ key: String, _ value: String) -> [String: Any]? {
        xs.first { ($0[key] as? String) == value }
    }

    @Test func sampleBuildsEndToEnd() throws {
        let out = temporaryFolder("qtown-quzhou")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try runQtown(["build", "--scheme", "quzhou-city", "--inputs", repoPath("examples/quzhou-city"),
                              "--output", out + "/site", "--as-of", "2020-12-31"])
        // The sample plants six errors in progress.csv (README): pages written, exit 1.
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("progress.csv:1500:2: error:") && r.stderr.contains("[unknown-department] (B1500)"))
        let site = out + "/site"
        for page in ["index.html", "2020/plan/responsibility.html", "2020/plan/bulletin.html", "2020/cities/330800.html",
                     "2020/counties/330803.html", "2020/departments/01.html", "2020/data-quality.html", "2020/results.csv",
                     "assets/style.css", "assets/plan.css"] {
            #expect(FileManager.default.fileExists(atPath: site + "/" + page), "\(page)")
        }
        let json = try Self.results(site + "/2020/results.json")
        #expect(json["scheme"] as? String == "quzhou-city" && json["year"] as? Int == 2020 && json["asOf"] as? String == "2020-12-31")
        // Stages at the plan's last day: three done, the last two current with 0 days left.
        let stages = Self.list(json, "stages")
        #expect(stages.map { $0["state"] as? String } == ["done", "done", "done", "current", "current"])
        #expect(stages.map { $0["daysLeft"] as? Int } == [nil, nil, nil, 0, 0])
        let tasks = Self.list(json, "tasks")
        #expect(tasks.count == 38)
        // 1.3's lead completed exactly on its deadline (2018年12月 → 2018-12-31): on time.
        let t13 = try #require(Self.item(tasks, "id", "1.3"))
        #expect(t13["deadline"] as? String == "2018-12-31")
        let lead13 = try #require((t13["parties"] as? [[String: Any]])?.first)
        #expect(lead13["completed"] as? String == "2018-12-31" && lead13["onTime"] as? Bool == true)
        #expect(Self.item(tasks, "id", "1.5")?["status"] as? String == "not-reported")
        #expect(Self.item(tasks, "id", "1.5")?["ongoing"] as? Bool == true)
        #expect(Self.item(tasks, "id", "5.2")?["status"] as? String == "paused")
        // Every department and county has a scorecard.
        #expect(Self.list(json, "parties").count == 23 + 6)
        let units = Self.list(json, "units")
        func target(_ code: String, _ id: String) -> [String: Any]? {
            (Self.item(units, "code", code)?["targets"] as? [String: Any])?[id] as? [String: Any]
        }
        // 衢江区 2020: 80 of 82 new buildings to the energy standard → 97.56…%, Q1 unmet.
        #expect(target("330803", "Q1")?["status"] as? String == "unmet")
        #expect((target("330803", "Q1")?["value"] as? Double).map { abs($0 - 8000.0 / 82) < 1e-9 } == true)
        // 江山市 2020: 1 death over 14,374 units = 0.6957 per 10,000 ≥ 0.25 → Q5 unmet, with its reference.
        #expect(target("330881", "Q5")?["status"] as? String == "unmet")
        #expect(target("330881", "Q5")?["reference"] as? Double == 0.25)
        #expect(target("330881", "Q7")?["status"] as? String == "met")
        // 开化县: no affordable housing started (Q3 not applicable), no exports and no zone (Q7 no-data).
        #expect(target("330824", "Q3")?["status"] as? String == "not-applicable")
        #expect(target("330824", "Q7")?["status"] as? String == "no-data")
        #expect(target("330824", "Q7")?["demoZones"] as? Int == 0)
        // Equal to last year is not higher: 常山县 Q9, 柯城区 Q8 unmet, each with `previous`.
        #expect(target("330822", "Q9")?["status"] as? String == "unmet")
        #expect(target("330802", "Q8")?["status"] as? String == "unmet")
        #expect(target("330802", "Q8")?["previous"] as? Double == 63.2)
        // Q12 for the city only.
        #expect(target("330800", "Q12") != nil && target("330802", "Q12") == nil)
        let bulletin = try String(contentsOfFile: site + "/2020/plan/bulletin.html", encoding: .utf8)
        #expect(bulletin.contains("督查通报") && bulletin.contains("整改提升阶段"))
        let table = try String(contentsOfFile: site + "/2020/plan/responsibility.html", encoding: .utf8)
        #expect(table.contains("landscape-document") && table.contains("附件2"))
    }

    /// The hand-made case read at 2019-06-30.
    static func buildCase() throws -> (site: String, cleanup: () -> Void) {
        let out = temporaryFolder("qtown-quzhou-case")
        let options = BuildOptions(inputs: fixturePath("cases/quzhou-bulletin/inputs"), output: out + "/site",
                                   scheme: repoPath("templates/quzhou-city"), asOf: day("2019-06-30"), jobs: 1, quiet: true)
        let summary = try runBuild(options)
        #expect(summary.year == 2019)
        // The two rows of task 2.4 are both rejected (conflict), nothing else is an error.
        #expect(summary.diagnostics.filter { $0.severity == .error }.map(\.code) == ["conflict", "conflict"])
        return (out + "/site", { try? FileManager.default.removeItem(atPath: out) })
    }

    @Test func handMadeCaseStatusesScorecardsStages() throws {
        let (site, cleanup) = try Self.buildCase()
        defer { cleanup() }
        let json = try Self.results(site + "/2019/results.json")
        let tasks = Self.list(json, "tasks")
        func status(_ id: String) -> String? { Self.item(tasks, "id", id)?["status"] as? String }
        func party(_ id: String, _ name: String) -> [String: Any]? {
            Self.item((Self.item(tasks, "id", id)?["parties"] as? [[String: Any]]) ?? [], "name", name)
        }
        // 1.1 (deadline 动员部署阶段 = 2018-05-31): lead done on time, 柯城区 done late, 衢江区 never
        // reported → overdue; the partner's report is shown and decides nothing.
        #expect(status("1.1") == "overdue")
        #expect(party("1.1", "市市场监管局")?["onTime"] as? Bool == true)
        #expect(party("1.1", "柯城区")?["onTime"] as? Bool == false)
        #expect(party("1.1", "衢江区")?["overdue"] as? Bool == true && party("1.1", "衢江区")?["status"] as? String == "not-reported")
        #expect(party("1.1", "市委宣传部")?["role"] as? String == "partner")
        // 1.2 (长期): open, never overdue; stale (121 days without a report).
        #expect(status("1.2") == "open" && party("1.2", "市委宣传部")?["stale"] as? Bool == true)
        // 1.3: deadline 2019年6月 = the as-of date, not overdue; two reports on one day, the later row wins.
        #expect(status("1.3") == "open")
        #expect(party("1.3", "市住建局")?["progress"] as? String == "推进中" && party("1.3", "市住建局")?["overdue"] as? Bool == false)
        // 2.1: 90 days since the lead's report is not stale, 91 days (柯城区) is.
        #expect(party("2.1", "市市场监管局")?["stale"] as? Bool == false)
        #expect(party("2.1", "柯城区")?["stale"] as? Bool == true)
        #expect(Self.item(tasks, "id", "2.1")?["counties"] as? [String] == ["330802", "330803", "330822", "330824", "330825", "330881"])
        #expect(status("2.2") == "overdue")
        // 2.3: paused (a 已完成 dated after the as-of date is not yet known).
        #expect(status("2.3") == "paused")
        #expect(status("2.4") == "unassigned")
        // 2.5: 已完成 without 完成日期 → 报送日期 2019-01-20, before 2019.1's last day: on time.
        #expect(status("2.5") == "done" && Self.item(tasks, "id", "2.5")?["onTime"] as? Bool == true)
        #expect(status("2.6") == "not-reported")
        let parties = Self.list(json, "parties")
        func card(_ name: String) -> [Int?] {
            let p = Self.item(parties, "name", name) ?? [:]
            return ["assigned", "due", "doneOnTime", "doneLate", "overdue", "paused", "open", "notReported", "stale", "onTimeRate", "rank"]
                .map { p[$0] as? Int }
        }
        //                                     assigned due onTime late overdue paused open notRep stale rate rank
        #expect(card("市市场监管局") == [2, 1, 1, 0, 0, 1, 0, 0, 0, 100, 1])
        #expect(card("市统计局") == [2, 2, 1, 0, 0, 1, 0, 0, 0, 50, 2])
        #expect(card("市住建局") == [3, 1, 0, 0, 1, 0, 1, 1, 1, 0, 3])
        #expect(card("市委宣传部") == [1, 0, 0, 0, 0, 0, 1, 0, 1, nil, nil])
        // Counties: a tie at 0% shares rank 1; nothing due, no rank.
        #expect(card("柯城区") == [2, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1])
        #expect(card("衢江区") == [2, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1])
        #expect(card("江山市") == [1, 0, 0, 0, 0, 0, 0, 1, 0, nil, nil])
        let stages = Self.list(json, "stages")
        #expect(stages.map { $0["state"] as? String } == ["done", "done", "current", "upcoming", "upcoming"])
        #expect(stages[2]["daysLeft"] as? Int == 458)
        // Indicators: the city's counts are pooled from the counties (its own row is a warning):
        // (12 + 4) / (12 + 5) → Q1 unmet; its own 农业标准化生产普及率 62 > last year's mean 60.
        let units = Self.list(json, "units")
        func target(_ code: String, _ id: String) -> [String: Any]? {
            (Self.item(units, "code", code)?["targets"] as? [String: Any])?[id] as? [String: Any]
        }
        #expect(target("330800", "Q1")?["status"] as? String == "unmet")
        #expect((target("330800", "Q1")?["value"] as? Double).map { abs($0 - 1600.0 / 17) < 1e-9 } == true)
        #expect(target("330800", "Q8")?["status"] as? String == "met" && target("330800", "Q8")?["previous"] as? Int == 60)
        #expect(target("330802", "Q8")?["status"] as? String == "unmet")
        #expect(target("330803", "Q8")?["status"] as? String == "no-data")
        #expect(target("330803", "Q1")?["value"] as? Int == 80)
        #expect(target("330802", "Q5")?["status"] as? String == "no-data")
        // A missing reference value makes the target no-data, and is named (results.json and the page).
        #expect(target("330802", "Q6")?["status"] as? String == "no-data")
        let missing = target("330802", "Q6")?["missing"] as? [[String: Any]]
        #expect(missing?.first?["what"] as? String == "ccc_goal" && missing?.first?["year"] as? Int == 2019)
        let page = try String(contentsOfFile: site + "/2019/counties/330802.html", encoding: .utf8)
        #expect(page.contains("缺2019年强制性认证产品监督抽查合格率目标"))
        // The responsibility table marks the unassigned tasks and gives each deadline as written and as a day.
        let table = try String(contentsOfFile: site + "/2019/plan/responsibility.html", encoding: .utf8)
        #expect(table.contains("未分解") && table.contains("2019年6月") && table.contains("2019-06-30"))
    }

    @Test func goldenBulletin() throws {
        let (site, cleanup) = try Self.buildCase()
        defer { cleanup() }
        var files: [String: [UInt8]] = [:]
        for path in ["2019/plan/bulletin.html", "2019/results.json"] {
            files[path] = try [UInt8](Data(contentsOf: URL(fileURLWithPath: site + "/" + path)))
        }
        Golden.compare(case: "quzhou-bulletin", files: files)
    }

    @Test func checkReportsWhatBuildReportsAndBuildsAreByteIdentical() throws {
        let out = temporaryFolder("qtown-quzhou-twice")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let args = ["--scheme", "quzhou-city", "--inputs", repoPath("examples/quzhou-city"), "--as-of", "2020-12-31"]
        let a = try runQtown(["build"] + args + ["--output", out + "/a"])
        let b = try runQtown(["build"] + args + ["--output", out + "/b"])
        let c = try runQtown(["check"] + args)
        #expect(a.status == 1 && b.status == 1 && c.status == 1)
        #expect(c.stderr == a.stderr && b.stderr == a.stderr)
        let files = Golden.allFiles(under: out + "/a").filter { !$0.hasPrefix(".") }
        #expect(files.count > 30 && files == Golden.allFiles(under: out + "/b").filter { !$0.hasPrefix(".") })
        for f in files {
            #expect(FileManager.default.contents(atPath: out + "/a/" + f) == FileManager.default.contents(atPath: out + "/b/" + f), "\(f)")
        }
    }

    @Test func schemeListShowAndBlank() throws {
        let list = try runQtown(["scheme", "list"])
        #expect(list.status == 0 && list.stdout.contains("quzhou-city") && list.stdout.contains("suzhou-town"))
        let show = try runQtown(["scheme", "show", "quzhou-city"])
        #expect(show.status == 0)
        #expect(show.stdout.contains("9.4\t质量成果全民共享") && show.stdout.contains("Q12\t") && show.stdout.contains("申报验收阶段"))
        let out = temporaryFolder("qtown-quzhou-blank")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let blank = try runQtown(["blank", "--scheme", "quzhou-city", "--output", out + "/blank"])
        #expect(blank.status == 0)
        for f in ["units.csv", "departments.csv", "tasks.csv", "progress.csv", "reference.csv", "data/量化指标.csv"] {
            #expect(FileManager.default.fileExists(atPath: out + "/blank/" + f), "\(f)")
        }
        let tasks = try String(contentsOfFile: out + "/blank/tasks.csv", encoding: .utf8)
        #expect(tasks.contains("任务编号,牵头单位,配合单位,责任县区,完成时限"))
    }
}
