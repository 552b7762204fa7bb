import Testing
import Foundation
@testable import QualityTown

/// issue 16.2: `--output` is replaced only when it does not exist, is empty, or is qtown's;
/// anything else is refused with exit 2, named, and left exactly as it was. `qtown form` likewise.
@Suite(.serialized) struct OutputOwnershipTests {
    let inputs = repoPath("inputs")

    /// Every file and folder under `dir` (hidden ones too) with its bytes, to prove nothing moved.
    func snapshot(_ dir: String) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        let e = FileManager.default.enumerator(atPath: dir)
        while let p = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: dir + "/" + p, isDirectory: &isDir)
            out[p] = isDir.boolValue ? [] : (FileManager.default.contents(atPath: dir + "/" + p).map { [UInt8]($0) } ?? [0xFF])
        }
        return out
    }

    @Test func aPlainFileIsRefusedAndUnchanged() throws {
        let root = temporaryFolder("guard")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "我的笔记\n".write(toFile: root + "/notes.txt", atomically: true, encoding: .utf8)
        for command in [[], ["form", "--unit", "符离镇"]] {
            let r = try runQtown(command + ["--inputs", inputs, "--output", root + "/notes.txt", "--as-of", "2026-11-23"])
            #expect(r.status == 2, "\(command): \(r.stderr)")
            #expect(r.stderr.contains(root + "/notes.txt") && r.stderr.contains("是一个已有的文件"), "\(r.stderr)")
            #expect(try String(contentsOfFile: root + "/notes.txt", encoding: .utf8) == "我的笔记\n")
            // Nothing beside it either (no staging folder, no output).
            #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["notes.txt"])
        }
    }

    @Test func aFolderOfOtherFilesIsRefusedNamedAndUntouched() throws {
        let root = temporaryFolder("guard")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let docs = root + "/docs"
        try FileManager.default.createDirectory(atPath: docs + "/sub", withIntermediateDirectories: true)
        try "草稿".write(toFile: docs + "/报告草稿.docx", atomically: true, encoding: .utf8)
        try "x".write(toFile: docs + "/sub/x.txt", atomically: true, encoding: .utf8)
        let before = snapshot(root)
        for command in [[], ["build"], ["form", "--unit", "符离镇"], ["blank"]] {
            let r = try runQtown(command + (command == ["blank"] ? [] : ["--inputs", inputs, "--as-of", "2026-11-23"]) + ["--output", docs])
            #expect(r.status == 2, "\(command): \(r.stderr)")
            #expect(r.stderr.contains(docs) && r.stderr.contains("“报告草稿.docx”") && r.stderr.contains("“sub/”"), "\(r.stderr)")
            #expect(snapshot(root) == before, "\(command)")
        }
    }

    @Test func anEmptyFolderIsAcceptedAndMarked() throws {
        let root = temporaryFolder("guard")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/site", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/forms", withIntermediateDirectories: true)
        #expect(try runQtown(["--inputs", inputs, "--output", root + "/site", "--as-of", "2026-11-23"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: root + "/site/index.html"))
        #expect(FileManager.default.contents(atPath: root + "/site/" + outputMarkerName).map { [UInt8]($0) } == outputMarkerBytes)
        #expect(try runQtown(["form", "--unit", "符离镇", "--inputs", inputs, "--output", root + "/forms", "--as-of", "2026-11-23"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: root + "/forms/2025/forms/341302100.html"))
        #expect(FileManager.default.fileExists(atPath: root + "/forms/" + outputMarkerName))
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: root)) == ["site", "forms"])
    }

    @Test func qtownsOwnOutputIsReplacedAndAnOlderOnesLayoutRecognised() throws {
        let root = temporaryFolder("guard")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let out = root + "/output"
        let args = ["--inputs", inputs, "--output", out, "--as-of", "2026-11-23"]
        #expect(try runQtown(args).status == 0)
        #expect(inspectOutput(out) == .marked)
        #expect(try runQtown(args).status == 0)
        #expect(try runQtown(["form", "--unit", "341302101"] + args).status == 0)
        // An output of a qtown older than the marker: recognised by its layout, replaced, marked.
        try FileManager.default.removeItem(atPath: out + "/" + outputMarkerName)
        #expect(inspectOutput(out) == .legacyOutput)
        #expect(try runQtown(["form", "--unit", "符离镇"] + args).status == 0)
        try FileManager.default.removeItem(atPath: out + "/" + outputMarkerName)
        #expect(try runQtown(args).status == 0)
        #expect(inspectOutput(out) == .marked)
        // The same layout with one file qtown never writes is not qtown's.
        try FileManager.default.removeItem(atPath: out + "/" + outputMarkerName)
        try "mine".write(toFile: out + "/2025/towns/notes.txt", atomically: true, encoding: .utf8)
        #expect(inspectOutput(out) == .foreign(entries: ["2025/", "assets/", "index.html"], count: 3))
        let before = snapshot(out)
        let r = try runQtown(args)
        #expect(r.status == 2 && r.stderr.contains("“2025/”"))
        #expect(snapshot(out) == before)
    }

    /// `qtown blank` writes sheets staff then fill in where they are: a sheet changed since is theirs.
    @Test func blankNeverOverwritesAFilledInSheet() throws {
        let root = temporaryFolder("guard")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = try runQtown(["blank", "--output", root + "/blank"])
        #expect(first.status == 0 && first.stdout.contains(root + "/blank/units.csv"))
        #expect(inspectOutput(root + "/blank") == .marked)
        try "代码,名称,层级,上级代码\n341300,宿州市,市,\n".write(toFile: root + "/blank/units.csv", atomically: true, encoding: .utf8)
        let again = try runQtown(["blank", "--output", root + "/blank"])
        #expect(again.status == 0 && again.stderr.contains("保留已有的 \(root)/blank/units.csv") && !again.stdout.contains("units.csv"))
        #expect(try String(contentsOfFile: root + "/blank/units.csv", encoding: .utf8).contains("宿州市"))
        #expect(again.stdout.contains(root + "/blank/assessments.csv"))
    }

    @Test func stagedOutputItselfRefusesWhatIsNotQtowns() throws {
        let root = temporaryFolder("guard")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "x".write(toFile: root + "/file", atomically: true, encoding: .utf8)
        #expect(throws: PublishError.self) { try StagedOutput(output: root + "/file") }
        #expect(inspectOutput(root + "/file") == .notAFolder)
        #expect(inspectOutput(root + "/none") == .missing)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["file"])
    }
}

/// issue 16.11: help, argument errors and unit suggestions in Chinese, matched within the right
/// level of the tree; a missing inputs folder named in full with the `--inputs` hint.
@Suite(.serialized) struct UsersLanguageTests {
    let inputs = repoPath("inputs")

    /// Three English words in a row: a sentence the users cannot read.
    func english(_ text: String) -> [String] {
        // Commands quoted in the text (`qtown scheme show`) are not sentences.
        let plain = text.replacing(try! Regex(#"qtown( [a-z]+)*"#), with: "qtown")
        let re = try! Regex(#"[A-Za-z]{2,}[ ,.']+[a-z]{2,}[ ,.']+[a-z]{2,}"#)
        return plain.matches(of: re).map { String(plain[$0.range]) }
    }

    @Test func helpIsChinese() throws {
        for command in [[], ["build"], ["check"], ["form"], ["scheme"], ["scheme", "show"], ["scheme", "check"], ["blank"], ["help", "form"]] {
            let r = try runQtown(command + (command.first == "help" ? [] : ["--help"]))
            #expect(r.status == 0, "\(command)")
            #expect(r.stdout.contains("用法：qtown") && r.stdout.contains("选项：") && r.stdout.contains("显示帮助信息"), "\(command): \(r.stdout)")
            for word in ["USAGE", "OPTIONS", "OVERVIEW", "SUBCOMMANDS", "ARGUMENTS", "default:", "values:", "Show help", "See '"] {
                #expect(!r.stdout.contains(word), "\(command): \(word)")
            }
            #expect(english(r.stdout).isEmpty, "\(command): \(english(r.stdout))")
        }
        let build = try runQtown(["build", "--help"]).stdout
        #expect(build.contains("--inputs <文件夹>") && build.contains("（默认：inputs）") && build.contains("（可选值：html、xhtml；默认：html）"))
        // Columns counted on a terminal: a Chinese value name is two columns a character.
        #expect(build.contains("\n  --inputs <文件夹>       输入文件夹") && build.contains("\n  --jobs <线程数>         并行渲染"), "\(build)")
        // The option's help wraps: its continuation line (holding the default) starts at column 26.
        let continuation = build.split(separator: "\n").first { $0.contains("（默认：inputs）") } ?? ""
        #expect(continuation.hasPrefix(String(repeating: " ", count: 26)) && !continuation.hasPrefix(String(repeating: " ", count: 27)), "\(build)")
    }

    @Test func argumentErrorsAreChineseAndExitTwo() throws {
        let cases: [([String], String)] = [
            (["--format", "pdf"], "“pdf” 不是 --format <格式> 可取的值；可取：html、xhtml"),
            (["--year", "abc"], "“abc” 不是 --year <年度> 可取的值（应为整数）"),
            (["--year", "3000"], "--year 3000 不是合理的年度"),
            (["--as-of", "2026-13-01"], "--as-of 2026-13-01 不是日期"),
            (["--jobs", "0"], "--jobs 至少为 1"),
            (["--inptus", "x"], "没有选项 --inptus；是否是 --inputs？"),
            (["--output"], "--output <文件夹> 后面缺少值"),
            (["--quiet=3"], "选项 --quiet 不带值"),
            (["frobnicate"], "无法识别的参数 “frobnicate”"),
            (["form"], "缺少必需的参数 --unit <单位>"),
        ]
        for (args, message) in cases {
            let r = try runQtown(args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.hasPrefix("错误：") && r.stderr.contains(message), "\(args): \(r.stderr)")
            #expect(r.stderr.contains("用法：qtown") && english(r.stderr).isEmpty, "\(args): \(r.stderr)")
        }
    }

    func form(_ unit: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let out = temporaryFolder("form")
        defer { try? FileManager.default.removeItem(atPath: out) }
        return try runQtown(["form", "--unit", unit, "--inputs", inputs, "--output", out, "--as-of", "2026-11-23"])
    }

    @Test func aCountyOrCityIsSaidToBeOneAndItsTownsListed() throws {
        for unit in ["埇桥区", "341302"] {
            let r = try form(unit)
            #expect(r.status == 2)
            #expect(r.stderr.contains("埇桥区（代码 341302）是县区（区），不是乡镇（街道）") && r.stderr.contains("符离镇、夹沟镇"), "\(r.stderr)")
            #expect(r.stderr.contains("--unit 符离镇") && !r.stderr.contains("没有名为"), "\(r.stderr)")
        }
        let city = try form("宿州市")
        #expect(city.status == 2 && city.stderr.contains("宿州市（代码 341300）是市，不是乡镇（街道）") && city.stderr.contains("埇桥区、砀山县"))
        #expect(city.stderr.contains("--unit 符离镇@埇桥区"))
    }

    @Test func suggestionsAreTownsNotCounties() throws {
        let r = try form("符离")
        #expect(r.status == 2 && r.stderr.contains("是否是：符离镇？"), "\(r.stderr)")
        #expect(!r.stderr.contains("泗县") && !r.stderr.contains("萧县"))
        let typo = try form("符篱镇")
        #expect(typo.stderr.contains("是否是：符离镇？"), "\(typo.stderr)")
    }

    @Test func aTownInAnotherCountyIsSaidWhereItIs() throws {
        let r = try form("符离镇@萧县")
        #expect(r.status == 2 && r.stderr.contains("符离镇不在萧县，它属于埇桥区"), "\(r.stderr)")
        #expect(try form("符离镇@埇桥区").status == 0)
        #expect(try form("符离镇＠埇桥区").status == 0)
        let county = try form("符离镇@某县")
        #expect(county.status == 2 && county.stderr.contains("没有名为“某县”的县区"))
    }

    /// Two towns of one name, and suggestions kept within the county given.
    @Test func lookUpWithinTheTree() throws {
        var s = Scenario()
        s.units += """

        341321,砀山县,县,341300
        341321100,城关镇,镇,341321
        341321101,符离集镇,镇,341321
        341322,萧县,县,341300
        341322100,城关镇,镇,341322
        """
        // A data row for the report year (a year without data rows is refused).
        s.data["a.csv"] = "年度,代码,四上企业数\n2025,341302100,3\n"
        let read = try s.read(), tree = read.inputs.units
        // The messages' words are the scheme's (<tier name>).
        let words = LookupWords(town: read.scheme.assessedName, county: read.scheme.tierName(.county))
        guard case .notFound(let blank) = tree.lookUpTown(" ", words: words) else { Issue.record("a blank is no town"); return }
        #expect(blank == "没有给出乡镇（街道）：请写代码、名称或 名称@县区，例如 --unit 符离镇", "\(blank)")
        guard case .notFound(let twice) = tree.lookUpTown("城关镇", words: words) else { Issue.record("城关镇 is two towns"); return }
        #expect(twice.contains("城关镇@砀山县") && twice.contains("城关镇@萧县") && twice.contains("341321100"))
        #expect(tree.lookUpTown("城关镇@萧县", words: words) == .found(tree.unit("341322100")!))
        #expect(tree.lookUpTown(" 341302100 ", words: words) == .found(tree.unit("341302100")!))
        guard case .notFound(let near) = tree.lookUpTown("符离", words: words) else { Issue.record("符离 is no town"); return }
        #expect(near.contains("是否是：符离镇、符离集镇？"), "\(near)")
        guard case .notFound(let inside) = tree.lookUpTown("符离@砀山县", words: words) else { Issue.record("符离 is no town"); return }
        #expect(inside.contains("砀山县没有名为“符离”的乡镇（街道）；是否是：符离集镇？"), "\(inside)")
        guard case .notFound(let two) = tree.lookUpTown("城关镇@埇桥区", words: words) else { Issue.record("城关镇 is not in 埇桥区"); return }
        #expect(two.contains("城关镇不在埇桥区，它属于砀山县、萧县"), "\(two)")
    }

    @Test func aMissingInputsFolderIsNamedInFullWithTheHint() throws {
        let cwd = URL(fileURLWithPath: temporaryFolder("cwd")).resolvingSymlinksInPath().path
        defer { try? FileManager.default.removeItem(atPath: cwd) }
        for command in [[], ["check"], ["form", "--unit", "符离镇"]] {
            let r = try runQtown(command + ["--inputs", "nope"], cwd: cwd)
            #expect(r.status == 2)
            #expect(r.stderr.contains("输入文件夹 \(cwd)/nope 不存在") && r.stderr.contains("请用 --inputs 指定"), "\(command): \(r.stderr)")
        }
        // The default, run from a folder without inputs/.
        let r = try runQtown([], cwd: cwd)
        #expect(r.status == 2 && r.stderr.contains("输入文件夹 \(cwd)/inputs 不存在"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cwd).isEmpty)
    }
}

/// issue 16.12: scripts/nightly's last line (what cron mails) gives the year, pages written,
/// errors, warnings, the exit status and the log's path.
@Suite(.serialized) struct NightlyTests {
    func nightly(_ env: [String: String]) throws -> (status: Int32, lines: [String]) {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var binary = runner.appendingPathComponent("qtown").path
        if !FileManager.default.fileExists(atPath: binary) { binary = repoPath(".build/debug/qtown") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: repoPath("scripts/nightly"))
        var e = ProcessInfo.processInfo.environment
        e.merge(env) { _, b in b }
        e["QTOWN_BIN"] = binary
        e["QTOWN_TEMPLATES"] = repoPath("templates")
        p.environment = e
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init))
    }

    @Test func theLastLineSaysWhatHappenedAndWhereTheLogIs() throws {
        let root = temporaryFolder("nightly")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let env = ["QTOWN_INPUTS": repoPath("inputs"), "QTOWN_OUTPUT": root + "/out", "QTOWN_LOGS": root + "/logs"]
        let good = try nightly(env)
        #expect(good.status == 0)
        let last = try #require(good.lines.last)
        let shape = try Regex(#"^qtown nightly: 2025 年度，写出 (\d+) 个页面，错误 0 项，警告 (\d+) 项，退出状态 0；日志 (/\S+\.log)$"#)
        let m = try #require(last.wholeMatch(of: shape), "\(last)")
        // Every file written is counted (pages, results, the stylesheet), the marker aside.
        #expect(Int(m.output[1].substring!)! == readTree(root + "/out").count)
        let log = String(m.output[3].substring!)
        #expect(log.hasPrefix(root + "/logs/nightly-"))
        let logText = try String(contentsOfFile: log, encoding: .utf8)
        #expect(logText.hasSuffix(last + "\n") && logText.contains("jemalloc: "))
        // Nothing written: says so, with qtown's reason and the log.
        let bad = try nightly(env.merging(["QTOWN_INPUTS": root + "/missing"]) { _, b in b })
        #expect(bad.status == 2)
        let failed = try #require(bad.lines.last)
        #expect(failed.hasPrefix("qtown nightly: 失败，没有写出页面（退出状态 2）：输入文件夹 \(root)/missing 不存在"), "\(failed)")
        #expect(failed.contains("；日志 \(root)/logs/nightly-"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/logs").count == 2)
    }

    @Test func aRunWhileAnotherHoldsTheLockSaysSoAndExits75() throws {
        let root = temporaryFolder("nightly")
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Another run: flock on the output's lock file, held for a few seconds.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [root + "/.out.nightly.lock", "-c", "echo held > \(root)/held; sleep 3"]
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: root + "/held") { usleep(50_000) }
        let r = try nightly(["QTOWN_INPUTS": repoPath("inputs"), "QTOWN_OUTPUT": root + "/out", "QTOWN_LOGS": root + "/logs"])
        #expect(r.status == 75)
        let last = try #require(r.lines.last)
        #expect(last.hasPrefix("qtown nightly: 上一次运行还没有结束（锁 \(root)/.out.nightly.lock 被占用") && last.hasSuffix("本次跳过（退出状态 75）"), "\(last)")
        #expect(!FileManager.default.fileExists(atPath: root + "/out"))
    }
}
