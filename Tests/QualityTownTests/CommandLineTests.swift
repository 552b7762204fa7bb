import Testing
import Foundation
@testable import QualityTown

/// The binary itself: exit statuses, stderr lines, files written, golden pages.
@Suite(.serialized) struct CommandLineTests {
    let ingest = fixturePath("cases/ingest/inputs")

    @Test func buildOnTheIngestCaseWritesPagesAndExitsOne() throws {
        let out = temporaryFolder("out")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try runQtown(["--inputs", ingest, "--output", out + "/site", "--as-of", "2026-11-23"])
        #expect(r.status == 1, "\(r.stderr)")
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(!lines.isEmpty)
        let shape = try Regex(#"^[^:\s]+(:\d+(:\d+)?)?: (error|warning): .+ \[[a-z-]+\]( \([A-Z]+\d+\))?$"#)
        for l in lines { #expect(l.wholeMatch(of: shape) != nil, "\(l)") }
        #expect(lines.contains { $0.hasPrefix("data/07-bad.csv:4:3: error: ") && $0.hasSuffix("[negative] (C4)") })
        #expect(r.stdout.contains("错误 30 项"))
        let files = readTree(out + "/site")
        let towns = ["341302100", "341302101", "341302102", "341321100", "341321101"].map { "2025/towns/\($0).html" }
        let forms = towns.map { $0.replacingOccurrences(of: "towns", with: "forms") }
        // Each county's forms in one printable document (issue 17.6).
        let documents = ["2025/cities/341300.html", "2025/counties/341302.html", "2025/counties/341321.html",
                         "2025/forms/county-341302.html", "2025/forms/county-341321.html"]
        #expect(Set(files.keys) == Set(["index.html", "2025/data-quality.html", "2025/changes.html", "2025/results.json", "2025/results.csv", "assets/style.css"] + towns + forms + documents))
        Golden.compare(case: "ingest", files: files.filter { !$0.key.hasPrefix("assets/") })
        // Nothing outside the output folder: only the published folder is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["site"])
    }

    /// The line scripts/bench reads: seconds and resident memory for every stage, in order.
    @Test func timingsGiveEachStagesSecondsAndMemory() throws {
        let out = temporaryFolder("out")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try runQtown(["--inputs", ingest, "--output", out + "/site", "--as-of", "2026-11-23", "--quiet", "--timings"])
        #expect(r.status == 1)
        let line = try #require(r.stderr.split(separator: "\n").first { $0.hasPrefix("timings: ") })
        let fields = line.dropFirst("timings: ".count).split(separator: " ").map { $0.split(separator: "=").map(String.init) }
        #expect(fields.map { $0[0] } == ["read", "compute", "render", "write", "observations", "pages",
                                         "read_rss", "compute_rss", "render_rss", "write_rss"])
        #expect(fields.prefix(4).allSatisfy { Double($0[1]).map { $0 >= 0 } ?? false })
        #expect(fields.suffix(4).allSatisfy { $0[1].hasSuffix("MB") && (Int($0[1].dropLast(2)) ?? 0) > 0 })
    }

    @Test func checkWritesNothing() throws {
        let out = temporaryFolder("out")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try runQtown(["check", "--inputs", ingest], cwd: out)
        #expect(r.status == 1)
        #expect(r.stderr.contains("[scientific-code] (B3)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
        // Exactly the problems `build` reports, those found while computing included (conflicts
        // between files, scores over a maximum, dates out of order).
        let b = try runQtown(["--inputs", ingest, "--output", out + "/site", "--as-of", "2026-11-23"])
        let c = try runQtown(["check", "--inputs", ingest, "--as-of", "2026-11-23"], cwd: out)
        #expect(b.status == c.status)
        #expect(c.stderr == b.stderr)
        #expect(c.stderr.contains("[conflict]"))
    }

    @Test func badArgumentsAndMissingInputsExitTwoAndWriteNothing() throws {
        let out = temporaryFolder("out")
        defer { try? FileManager.default.removeItem(atPath: out) }
        for args in [["--format", "pdf"], ["--as-of", "2026-13-01"], ["--inputs", out + "/nope"], ["--scheme", "no-such-scheme"],
                     ["--jobs", "0"], ["frobnicate"]] {
            let r = try runQtown(args + ["--output", out + "/site"])
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(!r.stderr.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: out + "/site"), "\(args)")
        }
        let help = try runQtown(["--help"])
        #expect(help.status == 0 && help.stdout.contains("用法：qtown"))
    }

    @Test func xhtmlFormatWritesWellFormedXHTML() throws {
        let out = temporaryFolder("out")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try runQtown(["--inputs", ingest, "--output", out, "--as-of", "2026-11-23", "--format", "xhtml"])
        #expect(r.status == 1)
        let files = readTree(out)
        #expect(Set(files.keys).isSuperset(of: ["index.xhtml", "2025/data-quality.xhtml", "2025/towns/341302100.xhtml", "assets/style.css"]))
        for (path, bytes) in files where path.hasSuffix(".xhtml") {
            let (doc, messages) = XMLDocument.parseXML(bytes, name: path)
            #expect(messages.isEmpty, "\(path): \(messages)")
            #expect(doc?.root?.namespaceURI == XMLNamespaceURI.xhtml)
            // Links between pages stay within the format.
            #expect(!String(decoding: bytes, as: UTF8.self).contains(".html\""), "\(path)")
        }
    }

    @Test func otherYearsSurviveAndTheIndexLinksThem() throws {
        let out = temporaryFolder("out"), inputs = temporaryFolder("in")
        defer { for f in [out, inputs] { try? FileManager.default.removeItem(atPath: f) } }
        // The ingest case and one row of 2024.
        try FileManager.default.copyItem(atPath: ingest, toPath: inputs)
        try "年度,代码,四上企业数\n2024,341302100,11\n".write(toFile: inputs + "/data/20-2024.csv", atomically: true, encoding: .utf8)
        #expect(try runQtown(["--inputs", inputs, "--output", out, "--year", "2024", "--as-of", "2026-11-23"]).status == 1)
        #expect(try runQtown(["--inputs", inputs, "--output", out, "--as-of", "2026-11-23"]).status == 1)
        #expect(FileManager.default.fileExists(atPath: out + "/2024/data-quality.html"))
        #expect(FileManager.default.fileExists(atPath: out + "/2025/data-quality.html"))
        let index = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(index.contains(#"href="2024/data-quality.html""#) && index.contains(#"href="2025/data-quality.html""#))
        // No staging folder is left beside the output.
        let parent = (out as NSString).deletingLastPathComponent
        let name = (out as NSString).lastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).filter { $0.hasPrefix(".\(name).staging") }.isEmpty)
    }

    /// A report year without data rows writes nothing and says which years have data; `check`
    /// says the same (issue: 103 pages of 缺数据 with every town ranked first).
    @Test func aYearWithoutDataExitsTwoNamingTheYearsWithData() throws {
        let out = temporaryFolder("out"), empty = temporaryFolder("empty")
        defer { for f in [out, empty] { try? FileManager.default.removeItem(atPath: f) } }
        for command in [["--output", out + "/site"], ["check"]] {
            let r = try runQtown(command + ["--inputs", repoPath("inputs"), "--year", "2030", "--as-of", "2026-11-23"])
            #expect(r.status == 2)
            #expect(r.stderr.contains("2030 年度没有任何数据行") && r.stderr.contains("2023、2024、2025"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out + "/site"))
        // An empty data/ folder: exit 2 too, never a silent report of the as-of year.
        try FileManager.default.createDirectory(atPath: empty + "/data", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: repoPath("inputs/units.csv"), toPath: empty + "/units.csv")
        let r = try runQtown(["--inputs", empty, "--output", out + "/site", "--as-of", "2026-11-23"])
        #expect(r.status == 2 && r.stderr.contains("没有任何数据行"), "\(r.stderr)")
    }

    @Test func hostileNamesAppearAsTextAndFilesStayInside() throws {
        let root = temporaryFolder("hostile")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let inputs = root + "/inputs"
        try FileManager.default.createDirectory(atPath: inputs + "/data", withIntermediateDirectories: true)
        try """
        代码,名称,层级,上级代码
        341300,宿州市,市,
        341302,"<script>alert(1)</script>",区,341300
        341302100,../x,镇,341302
        341302101,"甲&amp;乙 ""引号"" 镇",镇,341302
        """.write(toFile: inputs + "/units.csv", atomically: true, encoding: .utf8)
        try "年度,名称,四上企业数\n2025,../x,12\n2025,../y,3\n".write(toFile: inputs + "/data/a.csv", atomically: true, encoding: .utf8)
        let r = try runQtown(["--inputs", inputs, "--output", root + "/out", "--as-of", "2026-11-23"])
        #expect(r.status == 1)
        let index = try String(contentsOfFile: root + "/out/index.html", encoding: .utf8)
        // Every page: the names are text, never markup, and every file is inside the output.
        let pages = readTree(root + "/out").filter { $0.key.hasSuffix(".html") }
        #expect(pages.keys.contains("2025/counties/341302.html") && pages.keys.contains("2025/forms/341302100.html") && pages.keys.contains("2025/cities/341300.html"))
        for (path, bytes) in pages {
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!text.contains("<script>alert"), "\(path)")
            let (doc, messages) = XMLDocument.parseHTML(bytes, name: path)
            #expect(doc != nil && messages.filter { !$0.isUnknownHTMLTag }.isEmpty, "\(path): \(messages)")
        }
        #expect(pages["2025/counties/341302.html"].map { String(decoding: $0, as: UTF8.self).contains("&lt;script&gt;alert(1)&lt;/script&gt;") } == true)
        #expect(!index.contains("<script>"))
        #expect(index.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(index.contains("甲&amp;amp;乙 \"引号\" 镇"))
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: root)) == ["inputs", "out"])
        #expect(!FileManager.default.fileExists(atPath: root + "/x"))
        let (doc, _) = XMLDocument.parseHTML(Array(index.utf8), name: "index.html")
        #expect(doc != nil)
    }
}

@Suite struct PublishTests {
    @Test func pathsCannotLeaveTheOutput() {
        for bad in ["../x", "/etc/passwd", "a/../../b", ".hidden", "a//b", "", "2025/.."] {
            #expect(throws: PublishError.self, "\(bad)") { try StagedOutput.checkedPath(bad) }
        }
        #expect((try? StagedOutput.checkedPath("2025/towns/341302100.html")) != nil)
    }

    @Test func systemErrorsAreSaidInUsersWordsWithTheSystemsText() {
        #expect(systemReason(ENOSPC).hasPrefix("磁盘空间已满（") && systemReason(ENOSPC).contains("No space"))
        #expect(systemReason(EROFS).hasPrefix("输出位置是只读的（"))
        #expect(systemReason(EACCES).hasPrefix("没有写入权限（"))
        #expect(systemReason(ENOENT) == String(cString: strerror(ENOENT)))
    }

    @Test func anAbandonedRunLeavesThePreviousOutputUntouched() throws {
        let root = temporaryFolder("publish")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let out = root + "/output"
        do {
            let s = try StagedOutput(output: out)
            try s.write("index.html", Array("old".utf8))
            try s.write("2024/a.html", Array("2024".utf8))
            try s.publish()
        }
        do {
            // A run that writes and then dies before publish (here: is dropped).
            let s = try StagedOutput(output: out)
            try s.write("index.html", Array("new".utf8))
        }
        #expect(try String(contentsOfFile: out + "/index.html", encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["output"])
        do {
            let s = try StagedOutput(output: out)
            try s.carryOver(exceptYear: 2025)
            try s.write("index.html", Array("new".utf8))
            try s.write("2025/b.html", Array("2025".utf8))
            #expect(s.years() == [2024, 2025])
            try s.publish()
        }
        #expect(try String(contentsOfFile: out + "/index.html", encoding: .utf8) == "new")
        #expect(try String(contentsOfFile: out + "/2024/a.html", encoding: .utf8) == "2024")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["output"])
    }

    @Test func aFileWrittenReplacesWhateverIsThereNeverWritingThroughIt() throws {
        let root = temporaryFolder("publish")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let target = root + "/target.txt"
        try writeFile(target, Array("keep".utf8))
        #expect(link(target, root + "/hard.txt") == 0)
        #expect(symlink(target, root + "/soft.txt") == 0)
        try writeFile(root + "/hard.txt", Array("hard".utf8))
        try writeFile(root + "/soft.txt", Array("soft".utf8))
        try writeFile(root + "/new.txt", Array("new".utf8))
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep")
        for (name, text) in [("hard", "hard"), ("soft", "soft"), ("new", "new")] {
            let path = root + "/\(name).txt"
            #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
            #expect((try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular)
        }
    }

    @Test func staleStagingOfAKilledRunIsRemoved() throws {
        let root = temporaryFolder("publish")
        defer { try? FileManager.default.removeItem(atPath: root) }
        // pid 999999999 cannot exist: its staging folder is from a killed run.
        try FileManager.default.createDirectory(atPath: root + "/.output.staging-999999999/2025", withIntermediateDirectories: true)
        let s = try StagedOutput(output: root + "/output")
        try s.write("index.html", [0x61])
        try s.publish()
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["output"])
    }
}

/// The bundled sample inputs, built as the README says: a golden town page and results.csv,
/// and the facts of results.json other systems read.
@Suite struct SampleGoldenTests {
    @Test func sampleTownPageAndResults() throws {
        let out = temporaryFolder("sample")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try runQtown(["--inputs", repoPath("inputs"), "--output", out, "--as-of", "2026-11-23"])
        #expect(r.status == 0, "\(r.stderr)")
        let files = readTree(out)
        let picked = ["2025/towns/341302101.html", "2025/towns/341322100.html", "2025/results.csv", "2025/counties/341302.html",
                      "2025/cities/341300.html", "2025/forms/341302100.html", "2025/forms/341302102.html"]
        Golden.compare(case: "sample", files: files.filter { picked.contains($0.key) })
        // The 备注 column is the department's remark: no warning, shown on the town's page.
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let chulan = String(decoding: files["2025/towns/341302102.html"]!, as: UTF8.self)
        #expect(chulan.contains("已与统计口径核对") && chulan.contains("data/市场监管局-年度汇总.csv:94:29（AC94）"))
        // results.json: the contract's shape, full precision (not the cut display).
        let json = try JSONSerialization.jsonObject(with: Data(files["2025/results.json"]!)) as! [String: Any]
        #expect(json["scheme"] as? String == "suzhou-town" && json["year"] as? Int == 2025 && json["asOf"] as? String == "2026-11-23")
        let units = json["units"] as! [[String: Any]]
        #expect(units.count == 53)
        let jiagou = units.first { $0["code"] as? String == "341302101" }!
        let agri = (jiagou["indicators"] as! [String: Any])["agri_rate"] as! [String: Any]
        #expect(agri["numerator"] as? Int == 440 && agri["denominator"] as? Int == 449)
        #expect(agri["value"] as? Double == 44000.0 / 449.0)
        let t1 = (jiagou["targets"] as! [String: Any])["T1"] as! [String: Any]
        #expect(t1["status"] as? String == "unmet" && t1["threshold"] as? Int == 98)
        let longcheng = units.first { $0["code"] as? String == "341322100" }!
        let stage = longcheng["stage"] as! [String: Any]
        #expect(stage["stage"] as? String == "named" && stage["revocationReview"] as? Bool == true && stage["expires"] as? String == "2027-06-18")
        let city = units.first { $0["code"] as? String == "341300" }!
        #expect((city["goal"] as! [String: Any])["manufacturing"] != nil)
        #expect(city["score"] == nil && city["stage"] == nil)
    }
}

@Suite(.serialized) struct FormCommandTests {
    @Test func oneFormIsWrittenAndItsPathPrinted() throws {
        let out = temporaryFolder("form")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try runQtown(["form", "--unit", "符离镇", "--inputs", repoPath("inputs"), "--output", out, "--as-of", "2026-11-23"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == out + "/2025/forms/341302100.html")
        // Only that form (and the stylesheet it links): the city is not rendered.
        #expect(Set(readTree(out).keys) == ["2025/forms/341302100.html", "assets/style.css"])
        let page = try String(contentsOfFile: out + "/2025/forms/341302100.html", encoding: .utf8)
        #expect(page.contains("申报备案表") && page.contains("（盖章）") && page.contains("自查打分表"))
        // By code, too; an unknown name suggests the nearest.
        #expect(try runQtown(["form", "--unit", "341302101", "--inputs", repoPath("inputs"), "--output", out]).status == 0)
        let bad = try runQtown(["form", "--unit", "符篱镇", "--inputs", repoPath("inputs"), "--output", out])
        #expect(bad.status == 2 && bad.stderr.contains("符离镇"))
    }

    @Test func aBlankFormHasBlanksNotNullOrZero() throws {
        let out = temporaryFolder("form")
        defer { try? FileManager.default.removeItem(atPath: out) }
        // 褚兰镇 (341302102) has no application: the blank form, to fill by pen.
        #expect(try runQtown(["form", "--unit", "褚兰镇", "--inputs", repoPath("inputs"), "--output", out]).status == 0)
        let page = try String(contentsOfFile: out + "/2025/forms/341302102.html", encoding: .utf8)
        // The form's own fields (before the attached scoring table): blanks, never null or 0.
        let fields = String(page[..<page.range(of: "score-attachment")!.lowerBound])
        #expect(!fields.contains("null") && !fields.contains(">0<"))
        #expect(page.contains("申报单位：") && page.contains(" 年 ") && page.contains("（盖章）"))
        let (doc, _) = XMLDocument.parseHTML(Array(page.utf8), name: "form")
        #expect(doc != nil)
    }
}

@Suite struct DeterminismTests {
    @Test func outputsAreByteIdenticalWhateverJobsIs() throws {
        let root = temporaryFolder("jobs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        for j in ["1", "2", "5"] {
            let r = try runQtown(["--inputs", repoPath("inputs"), "--output", root + "/out\(j)", "--as-of", "2026-11-23", "--jobs", j])
            #expect(r.status == 0)
        }
        let one = readTree(root + "/out1")
        #expect(one.count > 100)
        #expect(readTree(root + "/out2") == one)
        #expect(readTree(root + "/out5") == one)
    }
}

@Suite struct ChangesTests {
    @Test func editingOneCellShowsThatChangeAndItsConsequencesOnly() throws {
        let root = temporaryFolder("changes")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.copyItem(atPath: repoPath("inputs"), toPath: root + "/in")
        let args = ["--inputs", root + "/in", "--output", root + "/out", "--as-of", "2026-11-23"]
        #expect(try runQtown(args).status == 0)
        let first = try String(contentsOfFile: root + "/out/2025/changes.html", encoding: .utf8)
        #expect(first.contains("第一次运行"))
        // Again with nothing changed: nothing to report.
        #expect(try runQtown(args).status == 0)
        #expect(try String(contentsOfFile: root + "/out/2025/changes.html", encoding: .utf8).contains("都没有变化"))
        // 夹沟镇 (341302101): 49 of 50 → 440 of 449 agricultural samples is already in the data; edit its
        // 2025 life-service satisfaction from the file instead: one cell.
        let path = root + "/in/data/商务局-服务业满意度.csv"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.components(separatedBy: "\r\n")
        let i = lines.firstIndex { $0.hasPrefix("2025,341302101,") }!
        var cells = lines[i].components(separatedBy: ",")
        cells[4] = "70.5"
        text = (lines[..<i] + [cells.joined(separator: ",")] + lines[(i + 1)...]).joined(separator: "\r\n")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try runQtown(args).status == 0)
        let page = try String(contentsOfFile: root + "/out/2025/changes.html", encoding: .utf8)
        #expect(page.contains("data/商务局-服务业满意度.csv"))
        #expect(page.contains("unit-341302101"))
        #expect(page.contains("70.5"))
        #expect(page.contains("T8 生活性服务业顾客满意度判定"))
        // Nothing else changed: no other input file, and no unit outside the town's ancestors
        // and the towns whose rank moved.
        #expect(page.components(separatedBy: "内容已改变").count == 2)
        let (doc, _) = XMLDocument.parseHTML(Array(page.utf8), name: "changes")
        #expect(doc != nil)
        // A summary first (issue 17.7).
        let summary = try #require(page.range(of: "<h2>概要</h2>")), detail = try #require(page.range(of: "各单位的变化"))
        #expect(summary.lowerBound < detail.lowerBound && page.contains("1 个输入文件的内容有变化"))
    }
}
