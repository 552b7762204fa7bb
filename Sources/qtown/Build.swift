import ArgumentParser
import Foundation
import QualityTown

/// `qtown build`: read, check, compute and write every page of the report year.
struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "生成报告：读取输入，写出 index.html 与各年度页面（默认命令）。",
        discussion: """
        读取全部输入文件，把每个问题写到标准错误，每行一条：`文件:行:列: error|warning: 说明 [代码] (Excel 单元格)`。\
        输出文件夹整体替换：中途被终止时上一次的输出保持原样；其他年度的文件夹保留。\
        --output 只替换不存在的、空的或由 qtown 生成的文件夹（带 .qtown-output 标记文件），\
        其他文件或文件夹一概不动，以退出状态 2 拒绝。
        """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var out: OutputOptions

    @Flag(help: ArgumentHelp("每个阶段所用时间（写到标准错误）。", visibility: .hidden))
    var timings = false

    func run() throws {
        let options = BuildOptions(inputs: input.inputs, output: out.output, scheme: input.scheme, year: input.year,
                                   asOf: input.asOfDay, format: out.format, jobs: out.jobs, quiet: out.quiet)
        let summary: BuildSummary
        do {
            summary = try runBuild(options, progress: progressPrinter(quiet: out.quiet))
        } catch {
            fail(error)
        }
        report(summary.diagnostics, quiet: out.quiet)
        if timings {
            let line = summary.timings.map { "\($0.stage)=\(String(format: "%.3f", $0.seconds))" }.joined(separator: " ")
            let rss = summary.resident.map { "\($0.stage)_rss=\($0.megabytes)MB" }.joined(separator: " ")
            FileHandle.standardError.write(Data("timings: \(line) observations=\(summary.observations) pages=\(summary.pages.count) \(rss)\n".utf8))
        }
        print("qtown: \(summary.year) 年度，读取 \(summary.files) 个文件、\(summary.units) 个单位；写出 \(summary.pages.count) 个页面到 \(summary.output)；错误 \(summary.errors) 项，警告 \(summary.warnings) 项")
        if summary.errors > 0 { throw ExitCode(1) }
    }
}
