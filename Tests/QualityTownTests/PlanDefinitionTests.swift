import Testing
import Foundation
@testable import QualityTown

/// templates/quzhou-city/plan.xml against the seed (quzhou-city.md §1, §2, §4).
@Suite struct PlanDefinitionTests {
    @Test func thirtyEightTasksInNineAreas() {
        let tasks = quzhouPlan.tasks
        #expect(tasks.count == 38)
        let perArea = (1...9).map { a in tasks.filter { $0.id.area == a }.count }
        #expect(perArea == [6, 6, 6, 3, 3, 4, 3, 3, 4])
        #expect(Set(tasks.map(\.areaTitle)).count == 9)
        #expect(tasks.map(\.id) == tasks.map(\.id).sorted())
        let areaTitles = (1...9).map { a in tasks.first { $0.id.area == a }!.areaTitle }
        #expect(areaTitles == ["完善质量工作机制", "打造城市质量文化", "夯实质量基础保障", "强化质量安全监管", "着力提升产品质量",
                               "不断提高工程质量", "持续提升服务质量", "不断改善生态环境质量", "质量成果全民共享"])
    }

    @Test func titlesTextsAndClausesAreTheDocuments() {
        let t = Dictionary(uniqueKeysWithValues: quzhouPlan.tasks.map { ($0.id, $0) })
        #expect(t[tid(1, 1)]!.clause == "三、主要任务（一）1")
        #expect(t[tid(6, 4)]!.clause == "三、主要任务（六）4")
        #expect(t[tid(4, 3)]!.text == "探索建立产品质量伤害监测体系。")
        #expect(t[tid(4, 3)]!.title == "探索建立产品质量伤害监测体系")
        #expect(t[tid(1, 2)]!.title == "加强对质量工作的组织领导")
        #expect(t[tid(6, 3)]!.text.hasSuffix("工程一次验收合格率达到100%。"))
        #expect(t[tid(9, 4)]!.text == "定期开展市民质量满意度调查测评,及时解决广大市民关心的质量问题,市民质量满意度调查测评结果居全国创建城市前列。")
        // Every title is its text up to the first 。, and every text is a line of the seed.
        let seed = (try? String(contentsOfFile: "/work/shared/seeds/002_608db670428384d2.txt", encoding: .utf8)) ?? ""
        for task in quzhouPlan.tasks {
            #expect(task.title == String(task.text.prefix { $0 != "。" }))
            if !seed.isEmpty { #expect(seed.contains("\n\(task.id.number).\(task.text)\n"), "\(task.id)") }
        }
    }

    @Test func stagesTargetsAndWords() {
        #expect(quzhouPlan.stages.map(\.name) == ["动员部署阶段", "申报争取获批阶段", "创建实施阶段", "整改提升阶段", "申报验收阶段"])
        #expect(quzhouPlan.stages.map { "\($0.from)…\($0.to)" } == ["2018-05-01…2018-05-31", "2018-05-01…2018-12-31",
                                                                     "2018-05-01…2020-09-30", "2020-09-01…2020-12-31",
                                                                     "2020-12-01…2020-12-31"])
        #expect(quzhouPlan.stages.map(\.clause) == ["一", "二", "三", "四", "五"].map { "四、创建步骤（\($0)）" })
        #expect(quzhouPlan.targets.map(\.id) == (1...12).map { "Q\($0)" })
        #expect(quzhouPlan.targets.first { $0.id == "Q7" }!.clause == "三、主要任务（四）1")
        #expect(quzhouPlan.targets.first { $0.id == "Q7" }!.form ==
                .either(.compare(indicator: "demo_zones", .ge, .constant(Rational(1))),
                        .compare(indicator: "exp_rate", .ge, .reference("exp_goal"))))
        #expect(quzhouPlan.targets.first { $0.id == "Q8" }!.form == .compare(indicator: "agri_std", .gt, .previousYear))
        #expect(quzhouPlan.indicators.count == 22 && quzhouPlan.rates.count == 9)
        #expect(quzhouPlan.rates.first { $0.id == "se_death_rate" }!.scale == Rational(10_000))
        #expect(quzhouPlan.references.count == 4)
        #expect(quzhouPlan.vocabulary.progressState("进行中")! == (.inProgress, "推进中"))
        #expect(quzhouPlan.vocabulary.progressState("完成")! == (.done, "已完成"))
        #expect(quzhouPlan.vocabulary.progressState("暂缓")! == (.paused, "暂缓"))
        #expect(quzhouPlan.vocabulary.progressState("未启动")! == (.notStarted, "未启动"))
        #expect(quzhouPlan.vocabulary.progressState("已暂停") == nil)
    }

    @Test func aTitleThatIsNotTheTextIsRefused() {
        let xml = """
        <plan id="x"><vocabulary><progress state="notStarted"><word>a</word></progress><progress state="inProgress"><word>b</word></progress>
        <progress state="done"><word>c</word></progress><progress state="paused"><word>d</word></progress></vocabulary>
        <tasks><area number="1" title="A"><task number="1" title="错的标题">正文。其余。</task></area></tasks>
        <targets><target id="T"><compare indicator="nope" op="eq" value="1"/></target></targets></plan>
        """
        do {
            _ = try parsePlanDefinition(Array(xml.utf8), name: "plan.xml")
            Issue.record("accepted")
        } catch {
            // The title and the unknown indicator, and the page words a plan must give (<labels>, <pages>).
            #expect(error.problems.count == 4)
            #expect(error.problems.contains { $0.message.contains("<labels>") } && error.problems.contains { $0.message.contains("<pages>") })
            #expect(error.problems.allSatisfy { $0.location.line != nil })
        }
    }

    /// plan.xml is validated against templates/plan.xsd: an attribute or element it does not
    /// declare, or one in the wrong place, is refused with its line, not ignored (a misspelt
    /// `clause` would lose a citation without a word).
    @Test func aPlanThatIsNotWhatPlanXSDDeclaresIsRefused() throws {
        let plan = try String(contentsOfFile: repoPath("templates/quzhou-city/plan.xml"), encoding: .utf8)
        let edits = [
            (#"<stage name="动员部署阶段""#, #"<stage clase="四、创建步骤（一）" name="动员部署阶段""#, "clase"),
            (#"id="quzhou-city""#, #"id="quzhou-city" issuer="衢州市人民政府办公室""#, "issuer"),
            ("<labels>", "<labels><note>备查</note>", "note"),
            ("<stages>", "<task number=\"1\" title=\"t\" clause=\"c\">t</task><stages>", "task"),
            (#"from="2018-05-01""#, #"from="2018年5月""#, "from"),
        ]
        for (from, to, name) in edits {
            let edited = plan.replacingOccurrences(of: from, with: to)
            #expect(edited != plan)
            do {
                _ = try parsePlanDefinition(Array(edited.utf8), name: "plan.xml", schema: repoPath("templates/plan.xsd"))
                Issue.record("accepted: \(name)")
            } catch {
                #expect(!error.problems.isEmpty && error.problems.allSatisfy { $0.code == "scheme-invalid" && $0.location.line != nil },
                        "\(error.problems.map(\.message))")
                #expect(error.problems.contains { $0.message.contains("\(name)'") }, "\(error.problems.map(\.message))")
            }
        }
        // The bundled plan is valid and reads whole.
        _ = try loadPlanDefinition(repoPath("templates/quzhou-city/plan.xml"))
    }
}
