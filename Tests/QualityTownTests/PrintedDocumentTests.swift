import Testing
import Foundation
@testable import QualityTown

/// Issue 17: the documents people print, sign and file.
@Suite struct PrintedDocumentTests {
    static let site: (pages: [String: [UInt8]], root: String)? = {
        let out = temporaryFolder("print")
        guard let r = try? runQtown(["--inputs", repoPath("inputs"), "--output", out, "--as-of", "2026-11-23"]), r.status == 0 else { return nil }
        return (readTree(out), out)
    }()

    func page(_ path: String) throws -> String {
        let site = try #require(Self.site)
        return String(decoding: try #require(site.pages[path]), as: UTF8.self)
    }

    @Test func theFormShowsTheTownsSelfScoreAndTheTownPageTheCommitteesScore() throws {
        // 符离镇 1.1: 自评分 2, 核定分 1.5 (inputs/assessments.csv line 2).
        let form = try page("2025/forms/341302100.html"), town = try page("2025/towns/341302100.html")
        #expect(form.contains("<span class=\"breakdown\"><span>1.1</span>：<span>2</span>"))
        #expect(town.contains("<span class=\"breakdown\"><span>1.1</span>：<span>1.5</span>"))
        // Totals: the town's own (its 自评分, capped as 附件1 caps them: 84) and the committee's (78.5).
        func total(_ page: String) -> String? {
            guard let r = page.range(of: "<tr class=\"total\">") else { return nil }
            return page[r.upperBound...].firstMatch(of: /<strong>([^<]*)<\/strong>/).map { String($0.1) }
        }
        #expect(total(form) == "84" && total(town) == "78.5")
        // 加分项 the town did not score are claims not made.
        #expect(form.contains("<span class=\"cid\">32.1</span> <span>未申报加分</span>"))
        // No file references and no reviewer's notes on the signed form; the 备注 says in words.
        #expect(!form.contains("assessments.csv") && !form.contains("data/") && !form.contains("自评与核算不一致"))
        #expect(form.contains("1.1</span> <span>自评；佐证：创建台账11号</span>"))
        #expect(form.contains("数据核算："))
        // The disagreement (第9项: 自评 4, 核算 2.5) is on the town page, for the reviewer.
        #expect(town.contains("自评与核算不一致") && town.contains("assessments.csv:47:5（E47）"))
    }

    @Test func cellsAreCitedByNoteNumbersListedAtTheEndOfThePage() throws {
        let town = try page("2025/towns/341302100.html")
        #expect(town.contains("<a class=\"note-ref\" href=\"#src-1\">[<span>1</span>]</a>"))
        #expect(town.contains("<li id=\"src-1\">"))
        // In the sources list, not in a table cell.
        let list = try #require(town.range(of: "<section class=\"sources\">"))
        #expect(!town[..<list.lowerBound].contains("assessments.csv:2:7"))
        #expect(town[list.lowerBound...].contains("assessments.csv:2:7（G2）"))
    }

    @Test func theBlankFormCarriesTheSeedsGuidanceRuledLinesAndAnEmptyScoreTable() throws {
        let blank = try page("2025/forms/341302102.html")
        for text in ["参考格式为：", "正文内容主要阐述申请创建备案缘由等等", "内容主要包括：近年来质量强镇建设基本情况、主要措施、取得成效、下一步工作打算等方面。",
                     "<span class=\"seal\">（盖章）</span>", "<span class=\"seal\">（加盖章）</span>"] {
            #expect(blank.contains(text), "\(text)")
        }
        #expect(blank.components(separatedBy: "<span class=\"ruled\"></span>").count - 1 == 10 + 5 + 18)
        // Every 得分 blank, totals blank: nothing pre-printed to cross out.
        let table = String(blank[try #require(blank.range(of: "score-attachment"))!.lowerBound...])
        #expect(table.contains("<strong></strong>") && !table.contains("<strong>0</strong>") && !table.contains("未评分"))
        // A filled form has no guidance text and no ruled lines where text was given.
        let filled = try page("2025/forms/341302100.html")
        #expect(!filled.contains("参考格式为") && !filled.contains("class=\"ruled\""))
    }

    @Test func aCountysFormsAreOneDocumentLinkedFromTheCountyPage() throws {
        let site = try #require(Self.site)
        let county = try page("2025/counties/341302.html")
        #expect(county.contains("href=\"../forms/county-341302.html\""))
        let bundle = try page("2025/forms/county-341302.html")
        let towns = site.pages.keys.filter { $0.hasPrefix("2025/towns/341302") }.count
        #expect(towns > 1 && bundle.components(separatedBy: "<article class=\"form-doc\">").count - 1 == towns)
    }

    @Test func pagesLinkToTheirTownCountyCityAndForm() throws {
        let town = try page("2025/towns/341302100.html")
        for link in ["../counties/341302.html", "../cities/341300.html", "../forms/341302100.html", "../../index.html"] {
            #expect(town.contains("href=\"\(link)\""), "\(link)")
        }
        let form = try page("2025/forms/341302100.html")
        #expect(form.contains("href=\"../towns/341302100.html\"") && form.contains("href=\"county-341302.html\""))
        #expect(try page("2025/counties/341302.html").contains("href=\"../cities/341300.html\""))
    }

    @Test func theRunningHeaderNamesTheDocumentAndTheUnit() throws {
        #expect(try page("2025/towns/341302100.html").contains("--qtown-unit: \"符离镇（埇桥区）\""))
        // Quotes and backslashes in a name cannot end the CSS string.
        #expect(printStyle(document: "a\"b\\c\nd", unit: "") == "--qtown-doc: \"a\\\"b\\\\c d\"; --qtown-unit: \"\"")
    }

    /// Rates and percentages print as percentages (cut, never rounded), not as bare numbers.
    @Test func percentagesArePrintedAsPercentages() throws {
        let root = temporaryFolder("changes")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.copyItem(atPath: repoPath("inputs"), toPath: root + "/in")
        let args = ["--inputs", root + "/in", "--output", root + "/out", "--as-of", "2026-11-23"]
        #expect(try runQtown(args).status == 0)
        // 符离镇's 2025 工业产品抽查合格批次 53 → 50 of 53: 100% → 94.33%.
        let path = root + "/in/data/市场监管局-年度汇总.csv"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "2025,341302100,符离镇,53,53,", with: "2025,341302100,符离镇,53,50,").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try runQtown(args).status == 0)
        let page = try String(contentsOfFile: root + "/out/2025/changes.html", encoding: .utf8)
        #expect(page.contains("<td>100%</td><td>94.33%</td>"))
        #expect(!page.contains("94.3396"))
    }
}
