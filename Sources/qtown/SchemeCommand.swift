import ArgumentParser
import Foundation
import QualityTown

/// `qtown scheme list|show|check`: the programmes qtown knows, their rubric and consistency.
struct SchemeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheme",
        abstract: "列出方案、显示评估细则、检查方案文件中声明的分值是否自洽。",
        discussion: "A scheme is a folder under templates/ holding scheme.xml (checked against templates/scheme.xsd) and its page templates.",
        subcommands: [List.self, Show.self, CheckScheme.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "列出可用的方案。", discussion: "Looks in $QTOWN_TEMPLATES, ./templates and beside the executable.")
        func run() throws {
            for s in availableSchemes() { print("\(s.id)\t\(s.name)\t\(s.directory)") }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "以表格显示方案的评估细则（附件1）与创建目标。",
                                                        discussion: "One line per criterion: 序号, 条目, 类别, 指标内容, 分数, 规则.")
        @Argument(help: "方案名或方案文件夹。") var scheme: String = "suzhou-town"
        func run() throws {
            let s = try loadOrExit(scheme)
            print(rubricTable(s))
        }
    }

    struct CheckScheme: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "check", abstract: "检查声明的分值与各部分之和是否一致，并给出可达到的最高基础分。",
                                                        discussion: "Prints each mismatch as a warning with its line in scheme.xml. Exit 0 when the scheme loads (mismatches are the document's own), 2 when it does not.")
        @Argument(help: "方案名或方案文件夹。") var scheme: String = "suzhou-town"
        func run() throws {
            let s = try loadOrExit(scheme)
            guard let rubric = s.rubric else { print("\(s.id)：没有评估细则，无需检查分值"); return }
            let r = checkConsistency(rubric)
            let file = (s.directory as NSString).lastPathComponent + "/scheme.xml"
            for w in r.warnings {
                print("\(file)\(w.line > 0 ? ":\(w.line)" : ""): warning: \(w.message)")
            }
            print("\(s.name)：声明总分 \(rubric.declaredTotal.plain()) 分（加分另计，最多 \(rubric.bonusCap.plain()) 分）；可达到的最高基础分 \(r.highestBase.plain()) 分；文件未设验收及格线")
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
