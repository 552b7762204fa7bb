import ArgumentParser
import Foundation
import QualityTown

/// `qtown blank`: empty input sheets with the scheme's canonical headers.
struct Blank: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "生成空白输入表（每个部门一张，另有评分表和申报表），供在 Excel/WPS 中填写。",
        discussion: "写出只有标准列标题的 CSV（UTF-8 带 BOM，Excel/WPS 可直接打开）：units.csv、data/<部门>.csv 以及方案的表（assessments.csv、applications.csv）。输出文件夹须不存在、为空或由 qtown 生成。"
    )

    @Option(help: ArgumentHelp("方案名或方案文件夹。", valueName: "方案")) var scheme: String = "suzhou-town"
    @Option(help: ArgumentHelp("写入的文件夹。", valueName: "文件夹")) var output: String = "blank"

    func run() throws {
        let s = try loadOrExit(scheme)
        var written: [String] = []
        do {
            try claimOutputFolder(output)
            for sheet in blankSheets(s) {
                try replaceFileAtomically(output: output, relative: sheet.path, bytes: sheet.bytes)
                written.append(sheet.path)
            }
        } catch {
            FileHandle.standardError.write(Data("qtown: publish: error: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        for w in written { print("\(output)/\(w)") }
    }
}
