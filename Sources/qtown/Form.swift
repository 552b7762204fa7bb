import ArgumentParser
import Foundation
import QualityTown

/// `qtown form --unit NAME`: one assessed unit's form page (the scheme's `<page id="form">`, for
/// Suzhou its 附件2 filing form), written into the existing output. The help names no programme's
/// document: it is generated before any scheme is read.
struct Form: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "生成一个被评估单位的表格页（方案中的 form 页面）并打印其路径（不重新生成整个报告）。",
        discussion: """
        单位用代码或名称指定；两个单位同名时加上所在的县区，例如 --unit 名称@县区。\
        表格写到 输出文件夹/年度/forms/代码.html（--format xhtml 时为 .xhtml），只替换这一个文件；\
        输出文件夹须是 qtown 生成的（或不存在、为空），否则以退出状态 2 拒绝。\
        表格的标题与各栏取自方案（scheme.xml 的 <pages>）。
        """
    )

    @Option(help: ArgumentHelp("被评估单位的代码、名称，或 名称@县区。", valueName: "单位"))
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
