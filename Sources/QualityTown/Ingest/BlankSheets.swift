// MARK: - What `qtown blank` writes: the empty input sheets a scheme asks for
//
// The sheets' columns are the readers' (units.csv, the plan's sheets) and the scheme's (data and
// sheet columns), so the blank sheets are written here, next to the readers that read them back.

/// The empty sheets of `qtown blank`: UTF-8 with BOM, canonical headers only.
public func blankSheets(_ s: Scheme) -> [OutputPage] {
    func sheet(_ path: String, _ headers: [String]) -> OutputPage {
        OutputPage(path: path, bytes: [0xEF, 0xBB, 0xBF] + Array((csvLine(headers) + "\r\n").utf8))
    }
    var out = [sheet("units.csv", unitColumns.map(\.header))]
    var departments: [String] = []
    for i in s.indicators where !departments.contains(i.department) { departments.append(i.department) }
    for d in departments {
        let headers = ["年度", "月份", "代码", "名称"] + s.indicators.filter { $0.department == d }.map(\.header)
        out.append(sheet("data/\(d).csv", headers))
    }
    for sh in s.sheets {
        let keys = ["代码", "名称"].filter { k in !sh.columns.contains { $0.id == k } }
        let cols = sh.columns.map(\.header)
        let headers = sh.requiredOneOf.isEmpty ? cols : (cols.first == "年度" ? ["年度"] + keys + cols.dropFirst() : keys + cols)
        out.append(sheet(sh.file, headers))
    }
    if let plan = s.plan { out += planBlankSheets(plan) }
    return out
}

/// The plan's empty sheets: departments.csv, tasks.csv, progress.csv, reference.csv and one
/// data sheet with every indicator column (UTF-8 with BOM, canonical headers only).
public func planBlankSheets(_ p: PlanDefinition) -> [OutputPage] {
    func sheet(_ path: String, _ headers: [String]) -> OutputPage {
        OutputPage(path: path, bytes: [0xEF, 0xBB, 0xBF] + Array((csvLine(headers) + "\r\n").utf8))
    }
    return [
        sheet("departments.csv", departmentColumns.map(\.header)),
        sheet("tasks.csv", ["任务编号", "牵头单位", "配合单位", "责任县区", "完成时限"]),
        sheet("progress.csv", progressColumns.map(\.header)),
        sheet("reference.csv", referenceColumns.map(\.header)),
        sheet("data/量化指标.csv", ["代码", "名称", "年度", "月份"] + p.indicators.map(\.header)),
    ]
}
