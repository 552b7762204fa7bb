// MARK: - Views: what each page shows, as template values (no markup here)

/// Shorthands for building template values.
extension TemplateValue {
    static func t(_ s: String) -> TemplateValue { .text(s) }
    static func t(_ i: Int) -> TemplateValue { .text(String(i)) }
    static func opt(_ s: String?) -> TemplateValue { s.map { .text($0) } ?? .null }
}

/// The frame every page fills: titles, the path back to the output root, the run's facts, the
/// running header printed on every page, and the links to the pages around it.
struct PageFrame {
    var title: String
    var subtitle: String
    /// `""` for pages at the root, `"../"` for pages in YEAR/.
    var root: String
    var scheme: Scheme
    var asOf: Day
    var format: OutputFormat
    /// The running header: the document (left) and its unit (right); by default the title and
    /// the as-of date (pages of a whole run).
    var document: String? = nil
    var unit: String? = nil
    /// Links to the pages around this one (the index, the city, the county, the town, its form):
    /// label and href, in that order.
    var trail: [(label: String, link: String)] = []

    var value: TemplateValue {
        .object([
            "title": .t(title),
            "subtitle": .t(subtitle),
            "stylesheet": .t(root + "assets/style.css"),
            "home": .t(root + "index." + format.fileExtension),
            "schemeName": .t(scheme.name),
            "schemeSource": .t(scheme.source),
            "asOf": .t(asOf.chinese),
            "printStyle": .t(printStyle(document: document ?? title, unit: unit ?? "截至 \(asOf.chinese)")),
            "trail": .list(trail.map { .object(["label": .t($0.label), "link": .t($0.link)]) }),
        ])
    }
}

/// The custom properties the stylesheet's page margin boxes print (`--qtown-doc`, `--qtown-unit`),
/// as CSS strings: quotes and backslashes escaped, line breaks and control characters as spaces.
func printStyle(document: String, unit: String) -> String {
    func css(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            if u == "\"" || u == "\\" { out += "\\" + String(u) } else if u.value < 0x20 || u.value == 0x7F { out += " " } else { out.unicodeScalars.append(u) }
        }
        return out + "\""
    }
    return "--qtown-doc: \(css(document)); --qtown-unit: \(css(unit))"
}

/// Labels for input roles, as office staff call the files.
func roleLabel(_ role: InputRole, scheme: Scheme) -> String {
    switch role {
    case .units: return "单位表"
    case .data: return "部门数据"
    case .sheet(let id): return scheme.sheets.first { $0.id == id }?.title ?? id
    }
}

/// The entry page: years, input files (encoding, rows, problems) and the units tree.
func indexView(_ report: Report, years: [Int], format: OutputFormat) -> TemplateValue {
    let read = report.read
    let frame = PageFrame(title: read.scheme.name, subtitle: "报告目录", root: "", scheme: read.scheme, asOf: read.asOf, format: format)
    let ext = format.fileExtension
    let byFile = Dictionary(grouping: report.diagnostics, by: \.location.file)
    let files: [TemplateValue] = read.inputs.files.map { f in
        let ds = byFile[f.path] ?? []
        let errors = ds.filter { $0.severity == .error }.count
        let warnings = ds.count - errors
        return .object([
            "path": .t(f.path),
            "role": .t(roleLabel(f.role, scheme: read.scheme)),
            "encoding": .t(f.encoding?.rawValue ?? "（不是文本）"),
            "separator": .t(f.separator?.label ?? "—"),
            "rows": .t(f.rows),
            "errors": .t(errors),
            "warnings": .t(warnings),
            "hasProblems": .bool(errors + warnings > 0),
            "problemsLink": .t("\(read.year)/data-quality.\(ext)#file-\(anchorID(f.path))"),
            "sha256": .t(f.sha256),
        ])
    }
    let tree = read.inputs.units
    let formLabel = read.scheme.page("form").shortLink, formsBundleLabel = read.scheme.page("forms-bundle").shortLink
    func node(_ u: Unit) -> TemplateValue {
        let kids = tree.children(of: u.code)
        return .object([
            "name": .t(u.name),
            "code": .t(u.code),
            "level": .t(u.level.rawValue),
            "children": .list(kids.map(node)),
            "hasChildren": .bool(!kids.isEmpty),
            "link": .opt(pageLink(u, year: read.year, ext: ext)),
            // A town's 附件2 form; a county's forms in one printable document.
            "form": .opt(u.level.tier == .town ? "\(read.year)/forms/\(u.code).\(ext)"
                : u.level.tier == .county ? "\(read.year)/forms/county-\(u.code).\(ext)" : nil),
            "formLabel": .t((u.level.tier == .county ? formsBundleLabel : formLabel) ?? ""),
        ])
    }
    let tiers = Dictionary(grouping: tree.units, by: \.level.tier)
    return .object([
        "page": frame.value,
        "year": .t(read.year),
        "years": .list(years.reversed().map { y in
            .object(["year": .t(y), "dataQuality": .t("\(y)/data-quality.\(ext)"), "current": .bool(y == read.year),
                     "results": .t("\(y)/results.json"), "csv": .t("\(y)/results.csv"), "changes": .t("\(y)/changes.\(ext)"),
                     "cities": .list(tree.units.filter { $0.level.tier == .city }.map { c in
                         .object(["name": .t(c.name), "link": .t("\(y)/cities/\(c.code).\(ext)")]) })])
        }),
        "files": .list(files),
        "units": .list(tree.children(of: nil).map(node)),
        "counts": .object([
            "towns": .t(tiers[.town]?.count ?? 0),
            "counties": .t(tiers[.county]?.count ?? 0),
            "cities": .t(tiers[.city]?.count ?? 0),
            "errors": .t(report.diagnostics.filter { $0.severity == .error }.count),
            "warnings": .t(report.diagnostics.filter { $0.severity == .warning }.count),
            "observations": .t(read.inputs.observationCount),
        ]),
    ])
}

/// The page of a unit in a year's folder (towns, counties, cities; provinces have none).
func pageLink(_ u: Unit, year: Int, ext: String) -> String? {
    switch u.level.tier {
    case .town: return "\(year)/towns/\(u.code).\(ext)"
    case .county: return "\(year)/counties/\(u.code).\(ext)"
    case .city: return "\(year)/cities/\(u.code).\(ext)"
    case .province: return nil
    }
}

/// A stable, safe and unique fragment id for a file path or unit code: ASCII letters and digits
/// as they are, anything else as `-`, its code point in hex, `-` (`data/农.csv` →
/// `data-2f-519c-2e-csv`). Two different paths never share an id (a path of Chinese file names
/// made of `-` alone sent every link to the first file), and a file keeps its id from run to run.
func anchorID(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars {
        if ("a"..."z").contains(u) || ("A"..."Z").contains(u) || ("0"..."9").contains(u) {
            out.unicodeScalars.append(u)
        } else {
            out += "-" + String(u.value, radix: 16) + "-"
        }
    }
    return out
}

/// One diagnostic as a table row.
func diagnosticRow(_ d: Diagnostic, units: UnitTree) -> TemplateValue {
    let unitName = d.unit.flatMap { units.unit($0)?.name }
    return .object([
        "where": .t(d.location.description),
        "file": .t(d.location.file),
        "cell": .opt(d.location.cell),
        "severity": .t(d.severity.label),
        "severityClass": .t(d.severity == .error ? "diag-error" : "diag-warning"),
        "code": .t(d.code),
        "message": .t(d.message),
        "unit": .opt(unitName.map { "\($0)（\(d.unit!)）" }),
        // The cells a problem stands for, listed under it (folded on screen).
        "cells": .opt(d.cells.isEmpty ? nil : d.cells.map { $0.cell ?? $0.description }.joined(separator: "、")),
        "cellCount": .t(d.cells.count),
    ])
}

/// Errors, then warnings, each in file order.
func errorsFirst(_ ds: [Diagnostic]) -> [Diagnostic] {
    ds.filter { $0.severity == .error } + ds.filter { $0.severity != .error }
}

extension TemplateValue {
    /// A data-quality group with at least one error.
    fileprivate var hasErrors: Bool {
        guard case .object(let o) = self, case .text(let e)? = o["errors"] else { return false }
        return e != "0"
    }
}

/// The data-quality page: every diagnostic, grouped by file and by unit.
func dataQualityView(_ report: Report, format: OutputFormat) -> TemplateValue {
    let read = report.read
    let frame = PageFrame(title: "\(read.year) 年度数据质量", subtitle: "输入数据中的错误与警告", root: "../",
                          scheme: read.scheme, asOf: read.asOf, format: format)
    return dataQualityValue(report.diagnostics, files: read.inputs.files.map(\.path), units: read.inputs.units,
                            year: read.year, page: frame.value)
}

/// The data-quality page's values for any scheme: the problems grouped by file (files with errors
/// first, then in the order they were read) and by unit, errors first within each group.
func dataQualityValue(_ diagnostics: [Diagnostic], files: [String], units: UnitTree, year: Int, page: TemplateValue) -> TemplateValue {
    var fileOrder = files
    for d in diagnostics where !fileOrder.contains(d.location.file) { fileOrder.append(d.location.file) }
    let byFile = Dictionary(grouping: diagnostics, by: \.location.file)
    let fileGroups: [TemplateValue] = fileOrder.compactMap { path in
        guard let ds = byFile[path], !ds.isEmpty else { return nil }
        let errors = ds.filter { $0.severity == .error }.count
        return .object([
            "file": .t(path),
            "anchor": .t("file-" + anchorID(path)),
            "errors": .t(errors),
            "warnings": .t(ds.count - errors),
            "rows": .list(errorsFirst(ds).map { diagnosticRow($0, units: units) }),
        ])
    }
    let byUnit = Dictionary(grouping: diagnostics.filter { $0.unit != nil }, by: { $0.unit! })
    let unitGroups: [TemplateValue] = units.units.compactMap { u in
        guard let ds = byUnit[u.code] else { return nil }
        let county = units.ancestor(of: u.code, at: .county)
        let errors = ds.filter { $0.severity == .error }.count
        return .object([
            "name": .t(u.name),
            "code": .t(u.code),
            "county": .opt(county.map { $0.code == u.code ? nil : $0.name } ?? nil),
            "anchor": .t("unit-" + anchorID(u.code)),
            "errors": .t(errors),
            "warnings": .t(ds.count - errors),
            "rows": .list(errorsFirst(ds).map { diagnosticRow($0, units: units) }),
        ])
    }
    let unassigned = diagnostics.filter { $0.unit == nil }
    let errors = diagnostics.filter { $0.severity == .error }.count
    return .object([
        "page": page,
        "year": .t(year),
        "errors": .t(errors),
        "warnings": .t(diagnostics.count - errors),
        "clean": .bool(diagnostics.isEmpty),
        // Files with errors first (then in the order they were read), so a reader finds the errors first.
        "files": .list(fileGroups.enumerated().sorted { l, r in
            let le = l.element.hasErrors, re = r.element.hasErrors
            return le != re ? le : l.offset < r.offset
        }.map(\.element)),
        "units": .list(unitGroups),
        "unassigned": .list(errorsFirst(unassigned).map { diagnosticRow($0, units: units) }),
        "unassignedCount": .t(unassigned.count),
    ])
}

import Foundation
