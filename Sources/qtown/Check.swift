import ArgumentParser
import Foundation
import QualityTown

/// `qtown check`: validate the inputs only; write nothing.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "只检查输入数据，不写任何文件。",
        discussion: """
        每个问题一行：`文件:行:列: error|warning: 说明 [代码] (Excel 单元格)`，与同样参数的 build 报告的问题完全相同\
        （全部计算，但不写任何文件）。\
        退出状态：0 没有错误；1 输入数据有错误；2 输入根本无法读取（或报告年度没有数据）。
        """
    )

    @OptionGroup var input: InputOptions

    @Flag(help: "只输出错误。")
    var quiet = false

    func run() throws {
        let options = BuildOptions(inputs: input.inputs, scheme: input.scheme, year: input.year, asOf: input.asOfDay)
        // The same reading and computing as `build` (so the same problems), without rendering.
        do {
            if let scheme = try planScheme(options) {
                let plan = try analysePlan(options, scheme: scheme, progress: progressPrinter(quiet: quiet))
                report(plan.diagnostics, quiet: quiet)
                let errors = plan.diagnostics.filter { $0.severity == .error }.count
                print("qtown check: \(plan.year) 年度，\(plan.inputs.files.count) 个文件，\(plan.inputs.units.units.count) 个单位，\(plan.inputs.data.cellCount) 个数据单元格；错误 \(errors) 项，警告 \(plan.diagnostics.count - errors) 项")
                if errors > 0 { throw ExitCode(1) }
                return
            }
        } catch let e as PipelineError {
            fail(e)
        }
        let result: Report
        do {
            result = try analyse(options, progress: progressPrinter(quiet: quiet))
        } catch {
            fail(error)
        }
        report(result.diagnostics, quiet: quiet)
        let errors = result.diagnostics.filter { $0.severity == .error }.count
        let read = result.read
        print("qtown check: \(read.year) 年度，\(read.inputs.files.count) 个文件，\(read.inputs.units.units.count) 个单位，\(read.inputs.observationCount) 个数据单元格；错误 \(errors) 项，警告 \(result.diagnostics.count - errors) 项")
        if errors > 0 { throw ExitCode(1) }
    }
}
