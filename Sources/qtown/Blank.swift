import ArgumentParser
import Foundation
import QualityTown

/// `qtown blank`: empty input sheets with the scheme's canonical headers.
struct Blank: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "生成方案的空白输入表（单位表、指标数据表和方案声明的各张表），供在 Excel/WPS 中填写。",
        discussion: "写出只有标准列标题的 CSV（UTF-8 带 BOM，Excel/WPS 可直接打开）：units.csv、data/ 下的指标数据表，以及方案 scheme.xml 的 <sheets> 中声明的表（文件名与列标题取自方案）。输出文件夹须不存在、为空或由 qtown 生成。"
    )

    @Option(help: ArgumentHelp("方案名或方案文件夹。", valueName: "方案")) var scheme: String = "suzhou-town"
    @Option(help: ArgumentHelp("写入的文件夹。", valueName: "文件夹")) var output: String = "blank"

    func run() throws {
        let s = try loadOrExit(scheme)
        let result: (written: [String], kept: [String])
        do {
            result = try writeBlankSheets(blankSheets(s), output: output)
        } catch {
            FileHandle.standardError.write(Data("qtown: publish: error: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        for k in result.kept {
            FileHandle.standardError.write(Data("qtown blank: 保留已有的 \(output)/\(k)：内容与空白表不同（可能已经填写），没有覆盖；要重新生成，请先把它移走\n".utf8))
        }
        for w in result.written { print("\(output)/\(w)") }
    }
}
