import Foundation
@testable import QualityTown

/// The quzhou-city plan as committed (templates/quzhou-city/plan.xml, with its sheets from
/// scheme.xml), loaded once.
let quzhouPlan: PlanDefinition = {
    do {
        return try loadScheme(repoPath("templates/quzhou-city")).plan!
    } catch {
        fatalError("quzhou-city does not load: \(error)")
    }
}()

/// The quzhou-city plan's sheets (scheme.xml's <sheets>).
let quzhouSheets: PlanSheetSet = quzhouPlan.sheets!

/// 衢州市 and its six county-level units under a province (quzhou-city.md, Units).
let quzhouUnitsCSV = """
代码,名称,层级,上级代码
330000,浙江省,省,
330800,衢州市,市,330000
330802,柯城区,区,330800
330803,衢江区,区,330800
330822,常山县,县,330800
330824,开化县,县,330800
330825,龙游县,县,330800
330881,江山市,县级市,330800
330700,金华市,市,330000
330702,婺城区,区,330700
"""

/// A few departments with 简称 (lists in every separator).
let quzhouDepartmentsCSV = """
名称,简称
市市场监管局,市场监管局、市监局
市住建局,住建局；市住房城乡建设局
市委宣传部,宣传部
市发改委,发改委
市教育局,教育局
"""

/// Readers' inputs for the plan sheets, built from CSV texts.
struct PlanSheetsFixture {
    var diagnostics = DiagnosticBag()
    let tree: UnitTree
    let counties: CountyDirectory
    let departments: DepartmentDirectory

    init(units: String = quzhouUnitsCSV, departments deps: String = quzhouDepartmentsCSV) {
        var bag = DiagnosticBag()
        tree = readUnits(parseCSV(Array(units.utf8), file: "units.csv"), file: "units.csv", diagnostics: &bag)
        counties = CountyDirectory(tree: tree, city: "330800")
        departments = readDepartments(parseCSV(Array(deps.utf8), file: "departments.csv"), file: "departments.csv",
                                      sheets: quzhouSheets, words: quzhouPlan.words, diagnostics: &bag)
        diagnostics = bag
    }

    /// Reads a tasks.csv text.
    mutating func tasks(_ text: String) -> TaskSheet {
        readTasks(parseCSV(Array(text.utf8), file: "tasks.csv"), file: "tasks.csv", tasks: quzhouPlan.tasks,
                  stages: quzhouPlan.stages, vocabulary: quzhouPlan.vocabulary, sheets: quzhouSheets, words: quzhouPlan.words,
                  departments: departments,
                  counties: counties, diagnostics: &diagnostics)
    }

    /// Reads a progress.csv text against `sheet`.
    mutating func progress(_ text: String, sheet: TaskSheet, asOf: Day) -> [ProgressReport] {
        readProgress(parseCSV(Array(text.utf8), file: "progress.csv"), file: "progress.csv", assignments: sheet.assignments,
                     tasks: quzhouPlan.tasks, vocabulary: quzhouPlan.vocabulary, sheets: quzhouSheets, words: quzhouPlan.words,
                     departments: departments,
                     counties: counties, asOf: asOf, diagnostics: &diagnostics)
    }

    /// The diagnostics with `code`, as (cell, severity).
    func found(_ code: String) -> [(cell: String?, severity: Severity)] {
        diagnostics.items.filter { $0.code == code }.map { ($0.location.cell, $0.severity) }
    }

    /// Cells of the diagnostics with `code`.
    func cells(_ code: String) -> [String] { found(code).compactMap(\.cell) }

    /// Every code reported, in order.
    var codes: [String] { diagnostics.items.map(\.code) }
}

/// `Day` from `YYYY-MM-DD` (tests only).
func day(_ s: String) -> Day {
    let p = s.split(separator: "-").map { Int($0)! }
    return Day(p[0], p[1], p[2])!
}

/// The task id `a.n` (tests only).
func tid(_ a: Int, _ n: Int) -> TaskID { TaskID(area: a, number: n) }
