import ArgumentParser
import Foundation
import QualityTown

/// `qtown blank`: empty input sheets with the scheme's canonical headers.
struct Blank: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "生成空白输入表（每个部门一张，另有评分表和申报表），供在 Excel/WPS 中填写。",
        discussion: "Writes UTF-8 CSV with BOM holding only the canonical headers: units.csv, data/<部门>.csv, and the scheme's sheets (assessments.csv, applications.csv)."
    )

    @Option(help: "方案名或方案文件夹。") var scheme: String = "suzhou-town"
    @Option(help: "写入的文件夹。") var output: String = "blank"

    func run() throws {
        let s = try loadOrExit(scheme)
        var written: [String] = []
        do {
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
