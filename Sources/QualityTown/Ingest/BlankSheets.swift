// MARK: - What `qtown blank` writes: the empty input sheets a scheme asks for
//
// The sheets' columns are the reader's (units.csv) and the scheme's (data and sheet columns, a
// plan's sheets among them), so the blank sheets are written here, next to the readers that read
// them back.

/// An empty sheet: UTF-8 with BOM (Excel and WPS then read it as UTF-8), the header line only.
private func sheet(_ path: String, _ headers: [String]) -> OutputPage {
    OutputPage(path: path, bytes: [0xEF, 0xBB, 0xBF] + Array((csvLine(headers) + "\r\n").utf8))
}

/// The empty sheets of `qtown blank`: UTF-8 with BOM, canonical headers only.
public func blankSheets(_ s: Scheme) -> [OutputPage] {
    var out = [sheet("units.csv", unitColumns.map(\.header))]
    var departments: [String] = []
    for i in s.indicators where !departments.contains(i.department) { departments.append(i.department) }
    for d in departments {
        let headers = ["年度", "月份", "代码", "名称"] + s.indicators.filter { $0.department == d }.map(\.header)
        out.append(sheet("data/\(d).csv", headers))
    }
    for sh in s.sheets {
        let keys = ["代码", "名称"].filter { k in !sh.columns.contains { $0.id == k } }
        let cols = sh.listedHeaders
        let headers = sh.requiredOneOf.isEmpty ? cols : (cols.first == "年度" ? ["年度"] + keys + cols.dropFirst() : keys + cols)
        out.append(sheet(sh.file, headers))
    }
    if let plan = s.plan { out += planBlankSheets(plan) }
    return out
}

/// The plan's empty indicator sheet, `data/NAME.csv` as the plan names it, with every indicator
/// column (UTF-8 with BOM, canonical headers only); its other sheets are the scheme's <sheets>.
public func planBlankSheets(_ p: PlanDefinition) -> [OutputPage] {
    let headers = ["代码", "名称", "年度", "月份"] + p.indicators.map(\.header)
    return [sheet("data/\(p.indicatorSheet).csv", headers)]
}
