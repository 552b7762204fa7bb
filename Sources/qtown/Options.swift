import ArgumentParser
import Foundation
import QualityTown

/// Options shared by the commands that read inputs (io-contract.md "Command line").
struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("输入文件夹：units.csv（单位表）、data/ 下的指标数据表，以及方案 scheme.xml 的 <sheets> 中声明的各张表。", valueName: "文件夹"))
    var inputs: String = "inputs"

    @Option(help: ArgumentHelp("方案名（templates/ 下的文件夹名）或方案文件夹路径。", valueName: "方案"))
    var scheme: String = "suzhou-town"

    @Option(help: ArgumentHelp("报告年度（默认：数据中最新的年度）。", valueName: "年度"))
    var year: Int?

    @Option(name: .customLong("as-of"), help: ArgumentHelp("截至日期 YYYY-MM-DD（默认：本机时区的今天）。", valueName: "日期"))
    var asOf: String?

    func validate() throws {
        if let y = year, !(1900...2100).contains(y) { throw ValidationError("--year \(y) 不是合理的年度（应在 1900–2100 之间）") }
        if let a = asOf, Self.parseDay(a) == nil { throw ValidationError("--as-of \(a) 不是日期，应为 YYYY-MM-DD") }
    }

    static func parseDay(_ s: String) -> Day? {
        let parts = s.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return Day(parts[0], parts[1], parts[2])
    }

    /// `--as-of`, else today in the machine's local time zone.
    var asOfDay: Day {
        if let a = asOf, let d = Self.parseDay(a) { return d }
        let c = Calendar.current.dateComponents(in: TimeZone.current, from: Date())
        return Day(c.year!, c.month!, c.day!)!
    }
}

/// Options of commands that write pages.
struct OutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("输出文件夹。", valueName: "文件夹"))
    var output: String = "output"

    @Option(help: ArgumentHelp("页面格式：html 或 xhtml。", valueName: "格式"))
    var format: OutputFormat = .html

    @Option(help: ArgumentHelp("并行渲染的线程数。", valueName: "线程数"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "只输出错误（适合 cron）。")
    var quiet = false

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs 至少为 1") }
    }
}

extension OutputFormat: ExpressibleByArgument {}

/// Writes diagnostics to stderr, one per line (`file:line:column: severity: message`).
func report(_ diagnostics: [Diagnostic], quiet: Bool) {
    var out = ""
    for d in diagnostics where !quiet || d.severity == .error {
        out += d.line + "\n"
    }
    FileHandle.standardError.write(Data(out.utf8))
}

/// Prints a stage's progress on a terminal only (cron sees just the summary and the problems).
func progressPrinter(quiet: Bool) -> (ProgressEvent) -> Void {
    let tty = isatty(2) == 1
    return { event in
        guard tty, !quiet else { return }
        switch event {
        case .stageStarted(let stage, let what):
            FileHandle.standardError.write(Data("[\(stage.label)] \(what)…\n".utf8))
        case .stageFinished(let stage, let what):
            FileHandle.standardError.write(Data("[\(stage.label)] 完成：\(what)\n".utf8))
        }
    }
}

/// Prints a pipeline failure and exits 2 (nothing written).
func fail(_ error: PipelineError) -> Never {
    FileHandle.standardError.write(Data("qtown: error: [\(error.stage.label)] \(error.message)\n".utf8))
    exit(2)
}
