import Foundation
import Testing
@testable import QualityTown

/// What the national-scale changes must not change: reading in parallel gives the same inputs,
/// sheets keep only the report year's rows but still check every row, and the changes page
/// reads results.json one unit at a time with the same fields a full parse would give.
@Suite struct ScaleTests {
    /// Results of the parallel map, reversed, keep every value once, in order: none lost, none
    /// freed twice (each is freed exactly once, when the array goes).
    @Test func resultsMovedAndReversedAreEachKeptOnce() {
        final class Tracked: @unchecked Sendable {
            let n: Int
            let freed: Counter
            init(_ n: Int, _ freed: Counter) { (self.n, self.freed) = (n, freed) }
            deinit { freed.add() }
        }
        final class Counter: @unchecked Sendable {
            private let lock = NSLock()
            private var value = 0
            func add() { lock.lock(); value += 1; lock.unlock() }
            var count: Int { lock.lock(); defer { lock.unlock() }; return value }
        }
        for n in [0, 1, 2, 3, 10, 101] {
            let freed = Counter()
            do {
                var a = parallelMap(Array(0..<n), workers: 3) { (Tracked($0, freed), "单位\($0)") }
                #expect(a.map(\.0.n) == Array(0..<n) && a.map(\.1) == (0..<n).map { "单位\($0)" })
                a.reverse()
                #expect(a.map(\.0.n) == Array((0..<n).reversed()) && a.map(\.1) == (0..<n).reversed().map { "单位\($0)" })
                #expect(freed.count == 0)
            }
            #expect(freed.count == n)
        }
    }

    @Test func readingOnSeveralThreadsGivesTheSameInputs() throws {
        let scheme = try loadScheme(locateScheme(repoPath("templates/suzhou-town")))
        let one = try readInputs(folder: fixturePath("cases/ingest/inputs"), scheme: scheme, workers: 1)
        let four = try readInputs(folder: fixturePath("cases/ingest/inputs"), scheme: scheme, workers: 4)
        #expect(one.observations == four.observations)
        #expect(one.diagnostics.map(\.line) == four.diagnostics.map(\.line))
        #expect(one.files.map(\.path) == four.files.map(\.path))
        #expect(one.observationCount == one.observations.count && !one.observations.isEmpty)
    }

    @Test func datasetBuiltInSlicesGivesTheSameFiguresAndProblems() throws {
        // The bundled inputs, and the ingest fixture with its conflicts, mixed periods and rates
        // above 100%: built whole, and cut into slices of at least 10 cells on three threads.
        let scheme = try loadScheme(locateScheme(repoPath("templates/suzhou-town")))
        for (folder, atLeast) in [(repoPath("inputs"), 1000), (fixturePath("cases/ingest/inputs"), 40)] {
            let inputs = try readInputs(folder: folder, scheme: scheme, workers: 1)
            var bagOne = DiagnosticBag(), bagSliced = DiagnosticBag()
            let one = buildDataset(inputs, scheme: scheme, diagnostics: &bagOne, workers: 1)
            let sliced = buildDataset(inputs, scheme: scheme, diagnostics: &bagSliced, workers: 3, minimumSlice: 10)
            // Keys too wide to pack (a country many times this size) are numbered densely first.
            var bagDense = DiagnosticBag()
            let dense = buildDataset(inputs, scheme: scheme, diagnostics: &bagDense, workers: 3, minimumSlice: 10, keyLimit: 0)
            #expect(inputs.observations.count >= atLeast)
            #expect(one.figures == sliced.figures && !one.figures.isEmpty)
            #expect(bagOne.items == bagSliced.items)
            #expect(one.figures == dense.figures && bagOne.items == bagDense.items)
        }
    }

    @Test func sheetsReadInSlicesGiveTheSameRowsAndProblems() throws {
        // The bundled inputs: 698 assessment rows and 15 applications (with multi-line cells), read whole, in
        // four slices at once, and with far more threads than a sheet has rows per slice (300: the last
        // slices once began past the sheet's end).
        let scheme = try loadScheme(locateScheme(repoPath("templates/suzhou-town")))
        let one = try readInputs(folder: repoPath("inputs"), scheme: scheme, workers: 1)
        for workers in [4, 300] {
        let four = try readInputs(folder: repoPath("inputs"), scheme: scheme, workers: workers)
        #expect(one.diagnostics.map(\.line) == four.diagnostics.map(\.line))
        for id in ["assessments", "applications"] {
            let a = one.sheets[id] ?? [], b = four.sheets[id] ?? []
            #expect(a.count == b.count && a.count >= 15)
            #expect(zip(a, b).allSatisfy { x, y in
                x.unit == y.unit && x.location == y.location
                    && x.cells.ids.allSatisfy { x.cells[$0]?.read == y.cells[$0]?.read && x.cells[$0]?.location == y.cells[$0]?.location }
            })
        }
        }
    }

    @Test func otherYearsSheetRowsAreCheckedButNotKept() throws {
        var s = Scenario()
        s.data["a.csv"] = """
        年度,代码,工业产品抽查批次,工业产品抽查合格批次
        2024,341302100,10,10
        2025,341302100,20,19
        """
        s.assessments = """
        年度,代码,条目,自评分,初审分,核定分,说明,佐证材料
        2024,341302100,1.1,两分,,,,
        2024,341302100,1.2,1,,,,
        2025,341302100,1.1,2,,,,
        """
        let r = try s.run()
        #expect(r.read.year == 2025)
        // The 2024 row's bad cell is still reported, with its cell …
        let bad = try #require(r.diagnostics.first { $0.location.file == "assessments.csv" && $0.code == "type-error" })
        #expect(bad.location.cell == "D2" && bad.message.contains("两分"))
        // … but only 2025's rows are kept for scoring …
        let rows = try s.read().inputs.sheets["assessments"] ?? []
        #expect(rows.count == 1)
        #expect(rows.first?.cells["条目"]?.read == .value(.text("1.1")))
        #expect(rows.first?.cells["自评分"]?.location.cell == "D4")
        // … and let go once read into the score, which has the 2025 row's 2 points.
        #expect(r.read.inputs.sheets["assessments"] == nil)
        #expect(r.criterion("341302100", "1.1").points == Rational(2))
        #expect(r.criterion("341302100", "1.1").sources.map(\.cell) == ["D4"])
        // The data cells are let go after computing; their number is kept.
        #expect(r.read.inputs.observations.isEmpty && r.read.inputs.observationCount == 4)
        #expect(r.read.inputs.years == [2024, 2025])
    }

    @Test func assessmentRowsInAnyOrderGiveTheSameEntries() throws {
        // The bundled sheet with its first 60 rows given again (merged with their first copy),
        // read as it is and with the (town, 条目) groups shuffled, each group's rows keeping
        // their order: every town gets the same entries, and the same problems are found.
        let scheme = try loadScheme(locateScheme(repoPath("templates/suzhou-town")))
        let rubric = try #require(scheme.rubric)
        let inputs = try readInputs(folder: repoPath("inputs"), scheme: scheme, workers: 1)
        let rows = inputs.sheets["assessments"] ?? []
        #expect(rows.count >= 600)
        let given = rows + rows.prefix(60)
        func group(_ r: SheetRow) -> String { r.unit + "|" + ((r.cells["条目"]?.read).map { "\($0)" } ?? "") }
        let shuffled = given.enumerated().sorted { a, b in
            let (ga, gb) = (String(group(a.element).reversed()), String(group(b.element).reversed()))
            return ga != gb ? ga < gb : a.offset < b.offset
        }.map(\.element)
        #expect(shuffled.map(\.location) != given.map(\.location))
        var bagA = DiagnosticBag(), bagB = DiagnosticBag()
        let a = readAssessments(given, rubric: rubric, year: 2025, diagnostics: &bagA)
        let b = readAssessments(shuffled, rubric: rubric, year: 2025, diagnostics: &bagB)
        let towns = Set(rows.map(\.unit))
        #expect(towns.count >= 10 && Set(a.ranges.keys) == towns && Set(b.ranges.keys) == towns)
        for t in towns {
            #expect(a.town(t).all == b.town(t).all)
            #expect(a.town(t).all.map(\.target) == a.town(t).all.map(\.target).sorted())
        }
        // The repeated rows were merged: each town still has one entry per 条目.
        var bagOnce = DiagnosticBag()
        let once = readAssessments(rows, rubric: rubric, year: 2025, diagnostics: &bagOnce)
        #expect(a.entries.count == once.entries.count && a.entries.count >= 500)
        #expect(Set(bagA.items) == Set(bagB.items))
    }

    @Test func yearsOfCellsAreFoundWhateverTheirOrder() {
        let cells = [2024, 2024, 2025, 2024, 2023, 2023, 2025].map {
            Observation(unit: "341302100", year: $0, period: .year, indicator: "x", value: nil, source: SourceLocation(file: "a.csv"))
        }
        #expect(distinctYears(cells) == [2023, 2024, 2025])
        #expect(distinctYears([]).isEmpty)
    }

    @Test func jsonIntegersAndIndentsAreWrittenAsBefore() {
        var rng = SplitMix(seed: 7)
        let values = [0, 9, 10, -1, -10, 99, 100, Int.max, Int.min] + (0..<200).map { _ in Int(truncatingIfNeeded: rng.next()) >> Int(rng.next() % 63) }
        for v in values {
            var s: [UInt8] = []
            JSON.int(v).write(into: &s, indent: 0)
            #expect(String(decoding: s, as: UTF8.self) == String(v))
        }
        for indent in [0, 1, 31, 32, 33, 70] {
            var s: [UInt8] = []
            JSON.pad(indent, into: &s)
            #expect(s == [UInt8](repeating: 0x20, count: 2 * indent))
        }
    }

    /// results.json's figures, written from bytes laid out once per indent, are the bytes of
    /// the member-by-member writer: every state, integers and fractions, rates and others.
    @Test func figuresInResultsAreWrittenAsMemberByMember() {
        let cell = SourceLocation(file: "data/a.csv", line: 2, column: 3)
        let figures: [(Figure, Bool)] = [
            (Figure(state: .value, number: Rational(98), sources: [cell]), false),
            (Figure(state: .value, number: Rational(-7, 3), approximate: true), false),
            (Figure(state: .value, numerator: Rational(197), denominator: Rational(200)), true),
            (Figure(state: .value, numerator: Rational(1, 2), denominator: Rational(3)), true),
            (Figure(state: .notApplicable, numerator: Rational(0), denominator: Rational(0)), true),
            (.noData, true), (.noData, false), (Figure(state: .error, sources: [cell]), false),
            (Figure(state: .error, sources: [cell]), true),
        ]
        for indent in [0, 1, 4, 40] {
            let layout = FigureJSONLayout(indent: indent)
            for (f, isRate) in figures {
                var a: [UInt8] = [], b: [UInt8] = []
                writeFigureJSON(f, isRate: isRate, into: &a, indent: indent)
                layout.write(f, isRate: isRate, into: &b)
                #expect(String(decoding: b, as: UTF8.self) == String(decoding: a, as: UTF8.self), "\(f) at \(indent)")
            }
        }
    }

    @Test func resultsJSONIsReadUnitByUnitWithEveryField() throws {
        var s = Scenario()
        s.data["a.csv"] = """
        年度,代码,工业产品抽查批次,工业产品抽查合格批次
        2025,341302100,20,19
        2025,341302101,3,3
        """
        let r = try s.run()
        let bytes = resultsJSON(r.assessment, problems: r.diagnostics, inputs: r.read.inputs.files)
        let flat = try #require(flattenResults(bytes))
        #expect(flat.order == r.assessment.units.map(\.unit.code))
        let fuli = try #require(flat.units["341302100"])
        #expect(fuli.name == "符离镇" && fuli.parent == "341302")
        #expect(fuli.fields["indicator.ind_sampled"] == "20")
        #expect(fuli.fields["target.T2"] == "met")
        #expect(flat.inputs["data/a.csv"] == r.read.inputs.files.first { $0.path == "data/a.csv" }?.sha256)
        // A cut-off or foreign file is "nothing to compare", never a crash.
        #expect(flattenResults(Array(bytes.prefix(bytes.count / 2))) == nil)
        #expect(flattenResults(Array("[1, 2]".utf8)) == nil)
        #expect(flattenResults(Array("{\"units\": [{\"code\": \"1\", \"name\": \"\\u7b26\\ud83d\\ude00\"}]}".utf8))?.units["1"]?.name == "符😀")
    }
}
