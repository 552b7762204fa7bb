import ArgumentParser
import Foundation
import QualityTown

/// `qtown form --unit 符离镇`: one town's 附件2 filing form, written into the existing output.
struct Form: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "生成一个乡镇（街道）的附件2 申报备案表并打印其路径（不重新生成整个报告）。",
        discussion: """
        The unit is given by code or by name (add the county, e.g. --unit 城关镇@砀山县, when two towns share a name). \
        The form is written atomically as output/YEAR/forms/CODE.html (.xhtml with --format xhtml), replacing only that file.
        """
    )

    @Option(help: "乡镇（街道）的代码或名称。") var unit: String
    @OptionGroup var input: InputOptions
    @Option(help: "输出文件夹。") var output: String = "output"
    @Option(help: "页面格式：html 或 xhtml。") var format: OutputFormat = .html

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
