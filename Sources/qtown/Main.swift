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
        abstract: "质量强镇（街道）创建：读取各部门导出的 CSV，汇总、判定、评分并生成报告。",
        discussion: """
        Without a subcommand, runs `build` on ./inputs into ./output.
        Exit status: 0 all good; 1 reports written but the inputs had errors; 2 nothing written.
        """,
        subcommands: [Build.self, Check.self, Form.self, SchemeCommand.self, Blank.self],
        defaultSubcommand: Build.self
    )

    /// Parses and runs, mapping every argument problem to exit status 2 (not ArgumentParser's 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
