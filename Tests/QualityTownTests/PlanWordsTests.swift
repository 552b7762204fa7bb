import Testing
import Foundation
@testable import QualityTown

/// Issue 19: a plan's words are the scheme's. A copy of templates/quzhou-city with a sheet's file
/// name, a column header, a status label and a page title renamed in its data, built over the
/// Quzhou sample with the inputs renamed to match: the new words are in the pages, the messages
/// and the blank sheets, and the old ones are not.
@Suite(.serialized) struct PlanWordsTests {
    /// A templates folder holding scheme.xsd, common/ and an edited copy of quzhou-city; returns
    /// the scheme's folder.
    static func editedScheme(in root: String, scheme: (String) -> String = { $0 }, plan: (String) -> String = { $0 }) throws -> String {
        let fm = FileManager.default
        let templates = root + "/templates"
        try fm.createDirectory(atPath: templates, withIntermediateDirectories: true)
        try fm.copyItem(atPath: repoPath("templates/scheme.xsd"), toPath: templates + "/scheme.xsd")
        try fm.copyItem(atPath: repoPath("templates/plan.xsd"), toPath: templates + "/plan.xsd")
        try fm.copyItem(atPath: repoPath("templates/common"), toPath: templates + "/common")
        let dir = templates + "/quzhou-city"
        try fm.copyItem(atPath: repoPath("templates/quzhou-city"), toPath: dir)
        func edit(_ file: String, _ change: (String) -> String) throws {
            let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
            try change(text).write(toFile: dir + "/" + file, atomically: true, encoding: .utf8)
        }
        try edit("scheme.xml", scheme)
        try edit("plan.xml", plan)
        return dir
    }

    /// Replaces `old` by `new` exactly `count` times (so a test never passes on an edit that did nothing).
    static func replace(_ text: String, _ old: String, _ new: String, count: Int = 1) -> String {
        let parts = text.components(separatedBy: old)
        #expect(parts.count - 1 == count, "\(old) occurs \(parts.count - 1) times")
        return parts.joined(separator: new)
    }

    /// departments.csv → 部门名单.csv, the lead column 牵头单位 → 主办单位, the overdue label 逾期 →
    /// 超期未办, the responsibility table's title …工作责任分解表 → …任务分工表.
    static func renamed(in root: String) throws -> String {
        try editedScheme(in: root, scheme: { s in
            var s = replace(s, #"file="departments.csv""#, #"file="部门名单.csv""#)
            s = replace(s, #"header="牵头单位""#, #"header="主办单位""#)
            return s
        }, plan: { p in
            var p = replace(p, #"<label id="task.overdue" label="逾期"/>"#, #"<label id="task.overdue" label="超期未办"/>"#)
            p = replace(p, #"title="{plan}工作责任分解表""#, #"title="{plan}任务分工表""#)
            return p
        })
    }

    /// The Quzhou sample with departments.csv renamed, tasks.csv headed 主办单位 (`header`), and
    /// task 1.2's lead given a second, unknown department.
    static func sample(in root: String, header: String = "主办单位") throws -> String {
        let fm = FileManager.default
        let inputs = root + "/inputs"
        try fm.copyItem(atPath: repoPath("examples/quzhou-city"), toPath: inputs)
        try fm.moveItem(atPath: inputs + "/departments.csv", toPath: inputs + "/部门名单.csv")
        var tasks = try String(contentsOfFile: inputs + "/tasks.csv", encoding: .utf8)
        tasks = replace(tasks, "任务编号,工作任务,牵头单位,配合单位", "任务编号,工作任务,\(header),配合单位")
        tasks = replace(tasks, "1.2,加强对质量工作的组织领导,市政府办公室,", "1.2,加强对质量工作的组织领导,市政府办公室、市不存在局,")
        try tasks.write(toFile: inputs + "/tasks.csv", atomically: true, encoding: .utf8)
        return inputs
    }

    @Test func renamedWordsComeOutAndTheOldOnesDoNot() throws {
        let root = temporaryFolder("qtown-plan-words")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let scheme = try Self.renamed(in: root)
        let inputs = try Self.sample(in: root)
        let site = root + "/site"
        let r = try runQtown(["build", "--scheme", scheme, "--inputs", inputs, "--output", site, "--as-of", "2020-12-31"])
        #expect(r.status == 1, "\(r.stderr)")
        // The renamed sheet is read (no missing-file), and its header names the unknown lead.
        #expect(!r.stderr.contains("[missing-file]") && !r.stderr.contains("[missing-key-column]"), "\(r.stderr)")
        #expect(r.stderr.contains("主办单位“市不存在局”不在 部门名单.csv 中"), "\(r.stderr)")
        #expect(!r.stderr.contains("牵头单位") && !r.stderr.contains("departments.csv"), "\(r.stderr)")
        // Leads were read under the new header: 1.2 has its lead.
        let json = try QuzhouBuildTests.results(site + "/2020/results.json")
        let t12 = try #require(QuzhouBuildTests.item(QuzhouBuildTests.list(json, "tasks"), "id", "1.2"))
        #expect((t12["lead"] as? [String]) == ["市政府办公室"])
        // The status label in the bulletin's counts, the page title of the responsibility table.
        let bulletin = try String(contentsOfFile: site + "/2020/plan/bulletin.html", encoding: .utf8)
        #expect(bulletin.contains("<th>超期未办</th>") && !bulletin.contains("<th>逾期</th>"))
        let table = try String(contentsOfFile: site + "/2020/plan/responsibility.html", encoding: .utf8)
        #expect(table.contains("衢州市争创全国质量强市示范城市任务分工表") && !table.contains("工作责任分解表</"))

        // The blank sheets follow the scheme: the renamed file and header, 工作任务 (blank="false") left out.
        let blank = root + "/blank"
        let b = try runQtown(["blank", "--scheme", scheme, "--output", blank])
        #expect(b.status == 0, "\(b.stderr)")
        #expect(FileManager.default.fileExists(atPath: blank + "/部门名单.csv") && !FileManager.default.fileExists(atPath: blank + "/departments.csv"))
        let blankTasks = try [UInt8](Data(contentsOf: URL(fileURLWithPath: blank + "/tasks.csv")))
        #expect(blankTasks == [0xEF, 0xBB, 0xBF] + Array("任务编号,主办单位,配合单位,责任县区,完成时限\r\n".utf8))
    }

    @Test func theOldHeaderIsNoLongerAColumn() throws {
        let root = temporaryFolder("qtown-plan-words")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let scheme = try Self.renamed(in: root)
        let inputs = try Self.sample(in: root, header: "牵头单位")
        let r = try runQtown(["check", "--scheme", scheme, "--inputs", inputs, "--as-of", "2020-12-31"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("tasks.csv 缺少关键列“主办单位”；需要列 任务编号, 主办单位, 配合单位, 责任县区, 完成时限"), "\(r.stderr)")
        #expect(r.stderr.contains("列标题“牵头单位”不是本方案的指标或关键列"), "\(r.stderr)")
    }

    @Test func aPlanSheetWithoutTheEnginesColumnsOrKeysIsRefused() throws {
        let root = temporaryFolder("qtown-plan-words")
        defer { try? FileManager.default.removeItem(atPath: root) }
        // The lead column not required, progress's reporter column gone and its 报送日期 declared as text.
        let dir = try Self.editedScheme(in: root, scheme: { s in
            var s = Self.replace(s, #"header="牵头单位" kind="text" required="true""#, #"header="牵头单位" kind="text""#)
            s = Self.replace(s, #"<column id="reporter" "#, #"<column id="who" "#)
            s = Self.replace(s, #"header="报送日期" kind="date""#, #"header="报送日期" kind="text""#)
            return s
        })
        do {
            _ = try loadScheme(dir)
            Issue.record("accepted")
        } catch {
            let messages = error.problems.map(\.message)
            #expect(messages.contains { $0.contains("输入表 tasks 的列 lead") && $0.contains("required") }, "\(messages)")
            #expect(messages.contains { $0.contains("输入表 progress 缺少列 <column id=\"reporter\">") }, "\(messages)")
            #expect(messages.contains { $0.contains("输入表 progress 的列 reported 按 date 读取：kind=\"text\" 应为 kind=\"date\"") }, "\(messages)")
            #expect(messages.count == 3, "\(messages)")
        }
    }

    @Test func everyLabelAndPageTitleIsRequiredAndPlaceholdersChecked() throws {
        let root = temporaryFolder("qtown-plan-words")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dir = try Self.editedScheme(in: root, plan: { p in
            var p = Self.replace(p, #"    <label id="kind.county" label="县（市、区）"/>"# + "\n", "")
            p = Self.replace(p, #"subtitle="截至 {asOf}""#, #"subtitle="截至 {day}""#)
            return p
        })
        do {
            _ = try loadScheme(dir)
            Issue.record("accepted")
        } catch {
            let messages = error.problems.map(\.message)
            #expect(messages.contains { $0.contains(#"<label id="kind.county">"#) }, "\(messages)")
            #expect(messages.contains { $0.contains("{day}") }, "\(messages)")
        }
    }
}
