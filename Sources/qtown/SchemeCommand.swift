import ArgumentParser
import Foundation
import QualityTown

/// `qtown scheme list|show|check`: the programmes qtown knows, their rubric and consistency.
struct SchemeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheme",
        abstract: "列出方案、以表格显示方案的内容、检查方案文件中声明的分值是否自洽。",
        discussion: "一个方案是 templates/ 下的一个文件夹，内有 scheme.xml（按 templates/scheme.xsd 检查）和它的页面模板。",
        subcommands: [List.self, Show.self, CheckScheme.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "列出可用的方案。", discussion: "依次查找 $QTOWN_TEMPLATES、./templates 和程序所在位置旁的 templates。")
        func run() throws {
            for s in availableSchemes() { print("\(s.id)\t\(s.name)\t\(s.directory)") }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "以表格显示方案的内容：评分细则与目标，或计划的阶段、任务与目标。",
                                                        discussion: "每条一行，各列以制表符分隔（可粘贴到 Excel）；表头取自方案。")
        @Argument(help: ArgumentHelp("方案名或方案文件夹。", valueName: "方案")) var scheme: String = "suzhou-town"
        func run() throws {
            let s = try loadOrExit(scheme)
            print(rubricTable(s))
        }
    }

    struct CheckScheme: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "check", abstract: "检查声明的分值与各部分之和是否一致，并给出可达到的最高基础分。",
                                                        discussion: "每处不一致打印为一条 warning，带 scheme.xml 中的行号。方案能读取时退出状态为 0（不一致是文件本身的），不能读取时为 2。")
        @Argument(help: ArgumentHelp("方案名或方案文件夹。", valueName: "方案")) var scheme: String = "suzhou-town"
        func run() throws {
            let s = try loadOrExit(scheme)
            guard let rubric = s.rubric else { print("\(s.id)：方案没有评分细则（<rubric>），无需检查分值"); return }
            let r = checkConsistency(rubric)
            let file = (s.directory as NSString).lastPathComponent + "/scheme.xml"
            for w in r.warnings {
                print("\(file)\(w.line > 0 ? ":\(w.line)" : ""): warning: \(w.message)")
            }
            print("\(s.name)：声明总分 \(rubric.declaredTotal.plain()) 分（加分另计，最多 \(rubric.bonusCap.plain()) 分）；可达到的最高基础分 \(r.highestBase.plain()) 分\(rubric.totalNote.isEmpty ? "" : "；" + rubric.totalNote)")
        }
    }
}

/// Loads a scheme or exits 2 with its problems.
func loadOrExit(_ name: String) throws -> Scheme {
    do {
        return try loadScheme(locateScheme(name))
    } catch {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
        throw ExitCode(2)
    }
}
