import Testing
import Foundation
@testable import QualityTown

/// Invariants of pooling: county and city figures do not depend on row order, on splitting a
/// year into months, or on splitting rows (or columns) across files.
@Suite struct PoolingPropertyTests {
    struct TownYear { var code: String; var sampled: Int; var passed: Int; var cases: Int; var ent: Int }

    static func units(_ n: Int) -> String {
        var s = "代码,名称,层级,上级代码\n340000,安徽省,省,\n341300,宿州市,市,340000\n341302,埇桥区,区,341300\n341321,砀山县,县,341300\n"
        for i in 0..<n { s += "\(i % 2 == 0 ? "341302" : "341321")\(100 + i),镇\(i),镇,\(i % 2 == 0 ? "341302" : "341321")\n" }
        // A town directly under the city pools straight into it.
        s += "341300900,直属街道,街道,341300\n"
        return s
    }

    static func data(_ rng: inout CSVTests.Rng, towns n: Int) -> [TownYear] {
        var out = (0..<n).map { i -> TownYear in
            let s = rng.int(60)
            return TownYear(code: "\(i % 2 == 0 ? "341302" : "341321")\(100 + i)", sampled: s, passed: s == 0 ? 0 : s - rng.int(min(s, 4) + 1),
                            cases: rng.int(5), ent: rng.int(30))
        }
        out.append(TownYear(code: "341300900", sampled: 7, passed: 7, cases: 1, ent: 3))
        return out
    }

    /// The figures compared across layouts.
    func pooled(_ r: Report) -> [String] {
        ["340000", "341300", "341302", "341321"].flatMap { code -> [String] in
            let rate = r.figure(code, "agri_rate"), cases = r.figure(code, "aid_cases"), ent = r.figure(code, "ent_4up")
            return ["\(code) \(rate.state) \(rate.numerator.map(\.description) ?? "-")/\(rate.denominator.map(\.description) ?? "-")",
                    "\(code) cases \(cases.number.map(\.description) ?? "-")", "\(code) ent \(ent.number.map(\.description) ?? "-")",
                    "\(code) T1 \(r.target(code, "T1").status)"]
        }
    }

    func run(_ files: [String: String], towns: Int) throws -> Report {
        var s = Scenario()
        s.units = Self.units(towns)
        s.data = files
        return try s.run()
    }

    let header = "年度,代码,农产品抽检批次,农产品抽检合格批次,质量帮扶典型案例数,四上企业数"

    func row(_ t: TownYear) -> String { "2025,\(t.code),\(t.sampled),\(t.passed),\(t.cases),\(t.ent)" }

    @Test func rowOrderMonthsAndFilesDoNotChangePooledFigures() throws {
        var rng = CSVTests.Rng(state: 99)
        for trial in 0..<8 {
            let n = 4 + rng.int(9)
            let towns = Self.data(&rng, towns: n)
            let base = try run(["a.csv": ([header] + towns.map(row)).joined(separator: "\n")], towns: n)
            let expected = pooled(base)
            #expect(base.diagnostics.filter { $0.severity == .error }.isEmpty)

            // 1. Rows shuffled.
            var shuffled = towns
            for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, rng.int(i + 1)) }
            #expect(pooled(try run(["a.csv": ([header] + shuffled.map(row)).joined(separator: "\n")], towns: n)) == expected, "trial \(trial) order")

            // 2. Each town's year split into months (flows summed; the stock given in December).
            var monthly = ["年度,月份,代码,农产品抽检批次,农产品抽检合格批次,质量帮扶典型案例数,四上企业数"]
            for t in towns {
                let months = 1 + rng.int(12)
                var passed = [Int](repeating: 0, count: months), failed = [Int](repeating: 0, count: months), cases = [Int](repeating: 0, count: months)
                for _ in 0..<t.passed { passed[rng.int(months)] += 1 }
                for _ in 0..<(t.sampled - t.passed) { failed[rng.int(months)] += 1 }
                for _ in 0..<t.cases { cases[rng.int(months)] += 1 }
                for m in 0..<months {
                    let month = 12 - months + m + 1
                    monthly.append("2025,\(month),\(t.code),\(passed[m] + failed[m]),\(passed[m]),\(cases[m]),\(m == months - 1 ? String(t.ent) : "")")
                }
            }
            #expect(pooled(try run(["m.csv": monthly.joined(separator: "\n")], towns: n)) == expected, "trial \(trial) months")

            // 3. Rows spread over several files, and columns split between two departments.
            var files: [String: [String]] = [:]
            for t in towns {
                let f = "part\(rng.int(3)).csv"
                files[f, default: [header]].append(row(t))
            }
            var split = files.mapValues { $0.joined(separator: "\n") }
            #expect(pooled(try run(split, towns: n)) == expected, "trial \(trial) files")
            split = ["x.csv": (["年度,代码,农产品抽检批次,质量帮扶典型案例数"] + towns.map { "2025,\($0.code),\($0.sampled),\($0.cases)" }).joined(separator: "\n"),
                     "y.csv": (["年度,代码,农产品抽检合格批次,四上企业数"] + towns.map { "2025,\($0.code),\($0.passed),\($0.ent)" }).joined(separator: "\n")]
            #expect(pooled(try run(split, towns: n)) == expected, "trial \(trial) columns")
        }
    }
}
