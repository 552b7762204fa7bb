import ArgumentParser
import Foundation
import QualityTown

/// `qtown`: the command line. Each subcommand is a thin layer over the QualityTown library.
/// Exit status (io-contract.md): 0 all good; 1 reports written but the inputs had errors;
/// 2 nothing written (bad arguments, unreadable scheme or templates, no inputs).
@main
struct Qtown: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qtown",
        abstract: "按方案读取各部门导出的 CSV，汇总、判定、评分并生成可打印的报告。",
        discussion: """
        不写子命令时运行 build：读取 ./inputs，写出 ./output（打开 output/index.html）。\
        方案是 templates/ 下的一个文件夹（--scheme，默认 suzhou-town；qtown scheme list 列出全部）。
        退出状态：0 一切正常；1 已写出报告，但输入数据有错误（逐条列在标准错误上）；\
        2 什么也没写（参数错误、方案或模板无法读取、没有输入、--output 不是 qtown 可以替换的文件夹）。
        """,
        subcommands: [Build.self, Check.self, Form.self, SchemeCommand.self, Blank.self],
        defaultSubcommand: Build.self
    )

    /// Parses and runs, mapping every argument problem to exit status 2 (not ArgumentParser's 64);
    /// the parser's messages and help pages are printed in Chinese (`chineseArgumentMessage`).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(chineseArgumentMessage(fullMessage(for: error)))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((chineseArgumentMessage(fullMessage(for: error)) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
