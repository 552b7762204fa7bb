import ArgumentParser
import Foundation
import QualityTown

/// `qtown form --unit 符离镇`: one town's 附件2 filing form, written into the existing output.
struct Form: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "生成一个乡镇（街道）的附件2 申报备案表并打印其路径（不重新生成整个报告）。",
        discussion: """
        乡镇（街道）用代码或名称指定；两个乡镇同名时加上县区，例如 --unit 城关镇@砀山县。\
        表格写到 输出文件夹/年度/forms/代码.html（--format xhtml 时为 .xhtml），只替换这一个文件；\
        输出文件夹须是 qtown 生成的（或不存在、为空），否则以退出状态 2 拒绝。
        """
    )

    @Option(help: ArgumentHelp("乡镇（街道）的代码、名称，或 名称@县区。", valueName: "乡镇"))
    var unit: String
    @OptionGroup var input: InputOptions
    @Option(help: ArgumentHelp("输出文件夹（qtown 生成的报告文件夹）。", valueName: "文件夹")) var output: String = "output"
    @Option(help: ArgumentHelp("页面格式：html 或 xhtml。", valueName: "格式")) var format: OutputFormat = .html

    func run() throws {
        let options = BuildOptions(inputs: input.inputs, output: output, scheme: input.scheme, year: input.year, asOf: input.asOfDay, format: format)
        do {
            let path = try writeForm(options, unit: unit)
            print(path)
        } catch {
            fail(error)
        }
    }
}
