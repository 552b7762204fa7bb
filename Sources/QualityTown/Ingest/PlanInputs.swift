import Foundation

// MARK: - A plan's inputs folder read (quzhou-city.md §3, §4): units.csv, the plan's four sheets
// (departments, tasks, progress, reference: files and columns as the scheme's <sheets> names them)
// and data/*.csv, with the plan readers (PlanSheets.swift, PlanData.swift)

/// Reads the inputs folder of a plan: units.csv (required), the departments, tasks, progress and
/// reference sheets and data/*.csv. A missing departments or tasks sheet is an error (the run
/// goes on with what there is); no folder or no units.csv stops the run.
public func readPlanInputs(folder: String, scheme: Scheme, plan: PlanDefinition, asOf: Day) throws(InputError) -> PlanInputs {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    guard fm.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
        throw InputError(description: "输入文件夹 \(folder) 不存在")
    }
    guard let unitBytes = fm.contents(atPath: folder + "/units.csv") else {
        throw InputError(description: "输入文件夹 \(folder) 中没有 units.csv（单位表：代码, 名称, 层级, 上级代码）")
    }
    guard let sheets = plan.sheets else {
        throw InputError(description: "方案 \(scheme.id) 的计划没有输入表（<sheets>）")
    }
    var reader = InputReader(folder: folder, scheme: scheme)
    reader.readUnits([UInt8](unitBytes))
    let tree = reader.tree
    // The plan is for one city (quzhou-city.md, Units): the first city of units.csv.
    let city = tree.units.first { $0.level.tier == .city }
    let cities = tree.units.filter { $0.level.tier == .city }
    if let city, cities.count > 1 {
        reader.bag.warning("more-than-one-city", "units.csv 中有 \(cities.count) 个市（\(cities.map(\.name).joined(separator: "、"))）；计划只用于第一个：\(city.name)（\(city.code)）",
                           at: city.location)
    }
    if city == nil {
        reader.bag.error("no-city", "units.csv 中没有层级为“市”的单位：计划的\(sheets.tasks.header("counties"))和指标汇总需要一个市", at: SourceLocation(file: "units.csv"))
    }
    let counties = CountyDirectory(tree: tree, city: city?.code)
    // Without departments.csv or tasks.csv every task is unassigned (an error); without
    // progress.csv no party has reported, without reference.csv the targets that need a
    // reference value have no data (warnings: both are the state of a plan's first days).
    func sheet(_ spec: SheetSpec, required: Bool = true) -> CSVTable? {
        let name = spec.file
        guard let bytes = fm.contents(atPath: folder + "/" + name) else {
            let message = "输入文件夹中没有 \(name)（列：\(spec.listedHeaders.joined(separator: ", "))）"
            if required {
                reader.bag.error("missing-file", message, at: SourceLocation(file: name))
            } else {
                reader.bag.warning("missing-file", message + "，按没有任何行处理", at: SourceLocation(file: name))
            }
            return nil
        }
        return reader.open([UInt8](bytes), path: name, role: .sheet(name))
    }
    var bag = DiagnosticBag()
    var departments = DepartmentDirectory()
    if let t = sheet(sheets.departments) {
        departments = readDepartments(t, file: sheets.departments.file, sheets: sheets, words: plan.words, diagnostics: &bag)
    }
    var tasks = TaskSheet()
    if let t = sheet(sheets.tasks) {
        tasks = readTasks(t, file: sheets.tasks.file, tasks: plan.tasks, stages: plan.stages, vocabulary: plan.vocabulary,
                          sheets: sheets, words: plan.words, departments: departments, counties: counties, diagnostics: &bag)
    } else {
        tasks.unassigned = plan.tasks.map(\.id)
    }
    var reports: [ProgressReport] = []
    if let t = sheet(sheets.progress, required: false) {
        reports = readProgress(t, file: sheets.progress.file, assignments: tasks.assignments, tasks: plan.tasks,
                               vocabulary: plan.vocabulary, sheets: sheets, words: plan.words, departments: departments,
                               counties: counties, asOf: asOf, diagnostics: &bag)
    }
    var reference = ReferenceTable()
    if let t = sheet(sheets.reference, required: false) {
        reference = readReference(t, file: sheets.reference.file, labels: plan.references, sheets: sheets, diagnostics: &bag)
    }
    var data = PlanData()
    let dataDir = folder + "/data"
    let names = ((try? fm.contentsOfDirectory(atPath: dataDir)) ?? []).filter { !$0.hasPrefix(".") && !$0.hasPrefix("~$") }.sorted()
    for name in names {
        let path = "data/" + name
        var sub: ObjCBool = false
        guard fm.fileExists(atPath: dataDir + "/" + name, isDirectory: &sub), !sub.boolValue else { continue }
        if !name.lowercased().hasSuffix(".csv") && !name.lowercased().hasSuffix(".txt") {
            bag.warning("not-csv-name", "data/ 中的文件 \(name) 不是 .csv，未读取；请“另存为”CSV 后放入", at: SourceLocation(file: path))
            continue
        }
        guard let bytes = fm.contents(atPath: dataDir + "/" + name) else {
            bag.error("unreadable", "无法读取文件（权限？）", at: SourceLocation(file: path))
            continue
        }
        guard let t = reader.open([UInt8](bytes), path: path, role: .data) else { continue }
        readPlanDataFile(t, file: path, indicators: plan.indicators, words: plan.words, tree: tree, city: city, counties: counties,
                         data: &data, diagnostics: &bag)
    }
    checkPlanRates(&data, plan: plan, units: [city].compactMap { $0 } + counties.counties, diagnostics: &bag)
    let diagnostics = (reader.bag.items + bag.items).sorted { $0.location < $1.location }
    return PlanInputs(folder: folder, units: tree, city: city, counties: counties, departments: departments, sheet: tasks,
                      reports: reports, reference: reference, data: data, files: reader.files, diagnostics: diagnostics)
}

/// A rate whose numerator is above its denominator (or positive over a zero denominator) is an
/// error at the numerator's cells (io-contract.md): that cell is rejected and "a rejected cell is
/// not used", so the numerator's own figure is an error for that unit and year too (left out of
/// the city's sum, which is then approximate), and so is the rate; the page says why. A rate per 10,000 may exceed its denominator. A figure whose sum
/// over periods, or a rate whose quotient, leaves 64-bit integers is an error (`overflow`) at its
/// cells: never a trap, never unexplained (io-contract.md, Errors).
func checkPlanRates(_ data: inout PlanData, plan: PlanDefinition, units: [Unit], diagnostics: inout DiagnosticBag) {
    let kinds = Dictionary(plan.indicators.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    for unit in units {
        for year in data.years {
            for ind in plan.indicators {
                guard let cells = data.cells[PlanData.slot(unit.code, year, ind.id)], cells.allSatisfy({ $0.value != nil }),
                      data.measure(unit.code, ind.id, year: year, kind: ind.kind) == .error else { continue }
                diagnostics.append(overflowDiagnostic("\(unit.name) \(year) 年“\(ind.header)”各期", at: cells.map(\.location).sorted(), unit: unit.code))
            }
            for r in plan.rates {
                guard let ni = kinds[r.numerator], let di = kinds[r.denominator],
                      case .value(let n) = data.measure(unit.code, ni.id, year: year, kind: ni.kind),
                      case .value(let d) = data.measure(unit.code, di.id, year: year, kind: di.kind) else { continue }
                let bad = d == Rational(0) ? n != Rational(0) : (!r.mayExceed && n > d)
                if !bad, ratio(.value(n), .value(d), scale: r.scale, mayExceed: r.mayExceed) == .error {
                    let cells = (data.sources(unit.code, ni.id, year: year) + data.sources(unit.code, di.id, year: year)).sorted()
                    diagnostics.append(overflowDiagnostic("\(unit.name) \(year) 年“\(r.label)”", at: cells, unit: unit.code))
                    continue
                }
                guard bad, let at = data.sources(unit.code, ni.id, year: year).last else { continue }
                diagnostics.error("numerator-above-denominator",
                                  "\(unit.name) \(year) 年“\(ni.header)”\(n.plain()) 大于“\(di.header)”\(d.plain())，该值未使用，“\(ni.header)”与“\(r.label)”记为数据错误",
                                  at: at, unit: unit.code)
                data.reject(unit.code, ni.id, year: year)
            }
        }
    }
}
