import Foundation
@testable import QualityTown

/// A small inputs folder written from strings, read and computed like a real run.
struct Scenario {
    var units = """
    代码,名称,层级,上级代码
    340000,安徽省,省,
    341300,宿州市,市,340000
    341302,埇桥区,区,341300
    341302100,符离镇,镇,341302
    341302101,夹沟镇,镇,341302
    341302102,褚兰镇,镇,341302
    """
    /// File name under data/ → CSV text.
    var data: [String: String] = [:]
    var assessments: String?
    var applications: String?
    var year: Int? = nil
    var asOf = Day(2026, 11, 23)!
    /// The scheme folder (a copy beside a scheme.xsd, for a test that edits the scheme).
    var scheme = repoPath("templates/suzhou-town")

    /// Runs read + compute; returns the report (the folder is removed).
    func run() throws -> Report {
        computeStage(try read())
    }

    /// Runs the read stage only (the folder is removed).
    func read() throws -> ReadResult {
        let dir = temporaryFolder("scenario")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        try units.write(toFile: dir + "/units.csv", atomically: true, encoding: .utf8)
        for (name, text) in data { try text.write(toFile: dir + "/data/" + name, atomically: true, encoding: .utf8) }
        if let a = assessments { try a.write(toFile: dir + "/assessments.csv", atomically: true, encoding: .utf8) }
        if let a = applications { try a.write(toFile: dir + "/applications.csv", atomically: true, encoding: .utf8) }
        let options = BuildOptions(inputs: dir, scheme: scheme, year: year, asOf: asOf)
        return try readStage(options)
    }
}

extension Report {
    func unit(_ code: String) -> UnitResult { assessment.result(code)! }
    func target(_ code: String, _ id: String) -> TargetResult { unit(code).targets.first { $0.target.id == id }! }
    func criterion(_ code: String, _ id: String) -> CriterionScore {
        unit(code).score!.items.flatMap(\.criteria).first { $0.id == id }!
    }
    func item(_ code: String, _ n: Int) -> ItemScore { unit(code).score!.items.first { $0.item.number == n }! }
    func figure(_ code: String, _ id: String) -> Figure { unit(code).figures[id] ?? .noData }
    func codes(_ code: String) -> [String] { diagnostics.filter { $0.unit == code }.map(\.code) }
}
