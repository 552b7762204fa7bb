// MARK: - County rollups, the committee's city report and the 附件2 filing form

/// Short text for a matrix cell: the value and the status word.
func matrixCell(_ t: TargetResult, scheme: Scheme) -> TemplateValue {
    let ind = scheme.indicator(t.target.indicator)
    let percent = scheme.rates.contains { $0.id == t.target.indicator } || ind?.kind == .percent
    var value = figureText(t.figure, percent: percent, flag: ind?.kind == .flag)
    if t.figure.state == .value, let v = t.figure.number, let th = t.threshold, ind?.kind != .flag {
        value = distinctDisplays(v, th, percent: percent).0
    }
    if t.figure.state != .value { value = "" }
    return .object(["value": .t(value), "status": .t(t.status.label), "statusClass": .t(statusClass(t.status))])
}

/// A town's row in a ranking: totals per category, eligibility and stage.
func rankingRows(_ towns: [UnitResult], scheme: Scheme, tree: UnitTree, format: OutputFormat, year: Int, root: String) -> [TemplateValue] {
    // Towns without data of their own are not ranked (they would all share the first place on 0).
    let scored = towns.filter { $0.score != nil && $0.hasData }.sorted {
        $0.score!.total != $1.score!.total ? $0.score!.total > $1.score!.total : $0.unit.code < $1.unit.code
    }
    var rank = 0
    var previous: Rational?
    return scored.enumerated().map { i, r in
        let s = r.score!
        if s.total != previous { rank = i + 1 }
        previous = s.total
        return .object([
            "rank": .t(rank),
            "name": .t(r.unit.name),
            "link": .t("\(root)towns/\(r.unit.code).\(format.fileExtension)"),
            "county": .t(tree.ancestor(of: r.unit.code, at: .county)?.name ?? "—"),
            "categories": .list(s.categories.map { .t($0.points.plain()) }),
            "base": .t(s.base.plain()),
            "bonus": .t(s.bonus.plain()),
            "total": .t(s.total.plain()),
            "eligibility": .t(r.eligibility.map { scheme.eligibilityLabel($0.status) } ?? "—"),
            "stage": .t(r.stage.map { scheme.stageLabel($0.stage) } ?? "—"),
            "flags": .t(stageFlags(r.stage, scheme: scheme)),
        ])
    }
}

/// The towns left out of a ranking for want of data of their own, named in one sentence (or null).
func unrankedText(_ towns: [UnitResult], scheme: Scheme) -> TemplateValue {
    let names = towns.filter { $0.score != nil && !$0.hasData }.map(\.unit.name)
    guard !names.isEmpty else { return .null }
    return .t("本年度没有本\(scheme.assessedName)自身数据、未参加排名：" + names.joined(separator: "、") + "（共 \(names.count) 个）。")
}

/// Overdue / expiring / revocation review, in the scheme's words (`<lifecycle><flag>`).
func stageFlags(_ s: StageResult?, scheme: Scheme) -> String {
    guard let s else { return "" }
    var f: [String] = []
    if s.overdue { f.append(scheme.stageFlag("overdue")) }
    if s.expiring { f.append(scheme.stageFlag("expiring")) }
    if s.revocationReview { f.append(scheme.stageFlag("revocation-review")) }
    if s.revocationReviewUnknown { f.append(scheme.stageFlag("revocation-unknown")) }
    return f.joined(separator: "、")
}

/// The towns × targets matrix. A target none of the towns has data for is left out of the
/// matrix and named once in `empty` (not 缺数据 in each of 45 rows).
func matrixValue(_ towns: [UnitResult], scheme: Scheme, format: OutputFormat, root: String) -> TemplateValue {
    let shown = scheme.targets.indices.filter { i in towns.isEmpty || towns.contains { $0.targets[i].status != .noData } }
    let empty = scheme.targets.indices.filter { !shown.contains($0) }.map { "\(scheme.targets[$0].id) \(scheme.targets[$0].label)" }
    return .object([
        "targets": .list(shown.map { i in .object(["id": .t(scheme.targets[i].id), "label": .t(scheme.targets[i].label)]) }),
        "rows": .list(towns.map { r in
            .object([
                "name": .t(r.unit.name),
                "link": .t("\(root)towns/\(r.unit.code).\(format.fileExtension)"),
                "cells": .list(shown.map { matrixCell(r.targets[$0], scheme: scheme) }),
            ])
        }),
        "empty": empty.isEmpty ? .null : .t("以下目标所辖\(scheme.assessedName)均无数据（缺数据），未列入上表：" + empty.joined(separator: "；") + "。"),
    ])
}

/// A county's nightly rollup.
func countyView(_ report: Report, _ county: UnitResult, format: OutputFormat) -> TemplateValue {
    let a = report.assessment, scheme = a.scheme, ext = format.fileExtension
    let towns = descendants(of: county.unit.code, in: a.tree).filter { $0.level.tier == .town }
        .sorted { $0.code < $1.code }.compactMap { a.result($0.code) }
    let city = a.tree.ancestor(of: county.unit.code, at: .city)
    let words = scheme.page("county")
    let values = ["unit": county.unit.name, "city": city?.name ?? "", "county": county.unit.name, "year": String(a.year),
                  "asOf": a.asOf.chinese, "scheme": scheme.name]
    var trail: [(label: String, link: String)] = [("报告目录", "../../index.\(ext)")]
    if let city { trail.append((PageWording.fill(scheme.page("city").link ?? "", ["unit": city.name]), "../cities/\(city.code).\(ext)")) }
    trail.append((PageWording.fill(scheme.page("forms-bundle").ownLink ?? "", values), "../forms/county-\(county.unit.code).\(ext)"))
    let frame = PageFrame(title: PageWording.fill(words.title, values), subtitle: PageWording.fill(words.subtitle, values),
                          root: "../../", scheme: scheme, asOf: a.asOf, format: format,
                          document: words.document.map { PageWording.fill($0, values) }, unit: county.unit.name, trail: trail)
    var notes = SourceNotes()
    let targets = targetRows(county, scheme: scheme, notes: &notes)
    let townCodes = Set(towns.map(\.unit.code))
    var discrepancies: [TemplateValue] = []
    for t in towns {
        for d in t.score?.discrepancies ?? [] {
            discrepancies.append(.object(["town": .t(t.unit.name), "link": .t("../towns/\(t.unit.code).\(ext)"), "criterion": .t(d.criterion),
                                          "self": .t(d.selfScore.plain()), "computed": .t(d.computed.plain()),
                                          "where": .t(d.location.description + (d.location.cell.map { "（\($0)）" } ?? ""))]))
        }
    }
    let problems: [TemplateValue] = towns.compactMap { t in
        let ds = report.problems(of: t.unit.code)
        guard !ds.isEmpty else { return nil }
        let errors = ds.filter { $0.severity == .error }.count
        return .object(["town": .t(t.unit.name), "errors": .t(errors), "warnings": .t(ds.count - errors),
                        "link": .t("../data-quality.\(ext)#unit-\(anchorID(t.unit.code))")])
    }
    let ownProblems = report.problems(of: county.unit.code).count + townCodes.reduce(0) { $0 + report.problems(of: $1).count }
        + report.fileProblems.count
    return .object([
        "page": frame.value,
        "year": .t(a.year),
        "county": .object(["name": .t(county.unit.name), "code": .t(county.unit.code), "level": .t(county.unit.level.rawValue),
                           "city": .opt(city?.name), "towns": .t(towns.count)]),
        "cityLink": .opt(city.map { "../cities/\($0.code).\(ext)" }),
        "formsLink": .t("../forms/county-\(county.unit.code).\(ext)"),
        "targets": .list(targets),
        "sources": notes.value,
        "matrix": matrixValue(towns, scheme: scheme, format: format, root: "../"),
        "categoryNames": .list((scheme.rubric?.categories ?? []).map { .t($0.name) }),
        "ranking": .list(rankingRows(towns, scheme: scheme, tree: a.tree, format: format, year: a.year, root: "../")),
        "unranked": unrankedText(towns, scheme: scheme),
        "remarks": report.remarks(of: county.unit.code),
        "discrepancies": .list(discrepancies),
        "problems": .list(problems),
        "problemCount": .t(ownProblems),
        "dataQuality": .t("../data-quality.\(ext)"),
        "changes": .t("../changes.\(ext)"),
    ])
}

// MARK: - City report

/// Horizontal bars: label, value and the bar's geometry (SVG units), with the numbers for the table.
struct Bar {
    var label: String
    var value: Rational
    var text: String
}

func barChart(_ bars: [Bar], maximum: Rational, unit: String) -> TemplateValue {
    let width = 420, rowH = 26, left = 150
    let rows: [TemplateValue] = bars.enumerated().map { i, b in
        let w = maximum > Rational(0) ? (b.value / maximum * Rational(width)).cut(0) : "0"
        return .object([
            "label": .t(b.label), "text": .t(b.text),
            "y": .t(String(i * rowH + 8)), "ty": .t(String(i * rowH + 25)),
            "x": .t(String(left)), "w": .t(w),
            "vx": .t(String(left + (Int(w) ?? 0) + 6)),
        ])
    }
    // Room right of the longest bar for its label (`95.97%（143/149）`); drawn in a viewBox, so
    // the chart scales to the printable width, labels included.
    let total = left + width + 170, height = bars.count * rowH + 20
    return .object(["rows": .list(rows), "height": .t(String(height)), "width": .t(String(total)),
                    "viewBox": .t("0 0 \(total) \(height)"), "axis": .t(String(left)), "unit": .t(unit)])
}

/// The committee's city report.
func cityView(_ report: Report, _ city: UnitResult, format: OutputFormat) -> TemplateValue {
    let a = report.assessment, scheme = a.scheme, ext = format.fileExtension, read = report.read
    let counties = a.tree.children(of: city.unit.code).filter { $0.level.tier == .county }.compactMap { a.result($0.code) }
    let allTowns = descendants(of: city.unit.code, in: a.tree).filter { $0.level.tier == .town }.sorted { $0.code < $1.code }.compactMap { a.result($0.code) }
    let words = scheme.page("city")
    let values = ["unit": city.unit.name, "city": city.unit.name, "year": String(a.year), "asOf": a.asOf.chinese, "scheme": scheme.name]
    let frame = PageFrame(title: PageWording.fill(words.title, values), subtitle: PageWording.fill(words.subtitle, values),
                          root: "../../", scheme: scheme, asOf: a.asOf, format: format,
                          document: words.document.map { PageWording.fill($0, values) },
                          unit: "\(city.unit.name) · \(a.year) 年度", trail: [("报告目录", "../../index.\(ext)")])
    // Pooled targets side by side: city, then each county.
    let columns = [city] + counties
    let targetsSide: [TemplateValue] = scheme.targets.enumerated().map { i, t in
        .object(["id": .t(t.id), "label": .t(t.label), "requirement": .t(t.requirement),
                 "cells": .list(columns.map { matrixCell($0.targets[i], scheme: scheme) })])
    }
    // Goal progress.
    let goal: [TemplateValue] = (city.goal ?? []).map { g in
        .object(["label": .t(g.group.label), "goal": .t(g.group.target), "named": .t(g.named), "creating": .t(g.creating), "gap": .t(g.gap)])
    }
    var goalBars: [Bar] = []
    for g in city.goal ?? [] {
        goalBars.append(Bar(label: "\(g.group.label) \(scheme.goal?.namedLabel ?? "")", value: Rational(g.named), text: "\(g.named) / \(g.group.target)"))
        goalBars.append(Bar(label: "\(g.group.label) \(scheme.goal?.creatingLabel ?? "")", value: Rational(g.creating), text: "\(g.creating)"))
    }
    let goalMax = Rational(max(1, (city.goal ?? []).map(\.group.target).max() ?? 1))
    // Pipeline.
    func townRef(_ r: UnitResult) -> TemplateObject {
        ["name": .t(r.unit.name), "link": .t("../towns/\(r.unit.code).\(ext)"),
         "county": .t(a.tree.ancestor(of: r.unit.code, at: .county)?.name ?? "—"), "category": .t(r.stage?.category ?? "—")]
    }
    let creatingStages = scheme.lifecycle?.creatingStages ?? []
    let creating: [TemplateValue] = allTowns.filter { $0.stage.map { creatingStages.contains($0.stage) } ?? false }.map { r in
        var o = townRef(r)
        o["stage"] = .t(scheme.stageLabel(r.stage!.stage))
        o["deadline"] = .t(r.stage!.deadline?.chinese ?? "—")
        o["overdue"] = .t(r.stage!.overdue ? scheme.stageFlag("overdue") : "")
        return .object(o)
    }
    let expiring: [TemplateValue] = allTowns.filter { $0.stage?.expiring == true }.map { r in
        var o = townRef(r); o["expires"] = .t(r.stage!.expires!.chinese); return .object(o)
    }
    let reviews: [TemplateValue] = allTowns.filter { $0.stage?.revocationReview == true }.map { r in
        let ids = scheme.lifecycle?.revocationIndicators ?? []
        let what = ids.compactMap { id -> String? in
            let f = r.figures[id] ?? .noData
            guard f.state == .value, let v = f.number, v > Rational(0) else { return nil }
            return "\(scheme.indicator(id)?.header ?? id) \(v.plain())"
        }.joined(separator: "、")
        var o = townRef(r); o["what"] = .t(what); return .object(o)
    }
    // Charts: score distribution by county (dots), target attainment by county (bars).
    let axisLeft = 150, axisWidth = 420, rowH = 30
    let maxScore = Rational(105)
    var distRows: [TemplateValue] = []
    var distTable: [TemplateValue] = []
    var attainBars: [Bar] = []
    for (i, c) in counties.enumerated() {
        let towns = allTowns.filter { a.tree.isAncestor(c.unit.code, of: $0.unit.code) }
        let totals = towns.compactMap { $0.score?.total }.sorted()
        let dots: [TemplateValue] = totals.map { t in
            .object(["cx": .t((Rational(axisLeft) + t / maxScore * Rational(axisWidth)).cut(1)), "cy": .t(String(i * rowH + 18))])
        }
        distRows.append(.object(["label": .t(c.unit.name), "y": .t(String(i * rowH + 23)), "dots": .list(dots),
                                 "lineY": .t(String(i * rowH + 18))]))
        let mean = totals.isEmpty ? nil : totals.reduce(Rational(0), +) / Rational(totals.count)
        distTable.append(.object(["county": .t(c.unit.name), "towns": .t(totals.count),
                                  "min": .t(totals.first?.plain() ?? "—"), "max": .t(totals.last?.plain() ?? "—"),
                                  "mean": .t(mean.map { displayNumber($0, percent: false) } ?? "—")]))
        let judged = towns.flatMap(\.targets).filter { $0.status != .notApplicable }
        let met = judged.filter { $0.status == .met }.count
        let share = judged.isEmpty ? Rational(0) : Rational(met * 100, judged.count)
        attainBars.append(Bar(label: c.unit.name, value: share, text: "\(displayNumber(share, percent: true))（\(met)/\(judged.count)）"))
    }
    let ticks: [TemplateValue] = stride(from: 0, through: 100, by: 20).map { v in
        .object(["x": .t((Rational(axisLeft) + Rational(v) / maxScore * Rational(axisWidth)).cut(1)), "label": .t(String(v))])
    }
    // Methodology.
    let consistency = scheme.rubric.map(checkConsistency)
    let rules: [TemplateValue] = (scheme.rubric?.criteria ?? []).filter { !$0.rule.isManual }.map { c in
        .object(["id": .t(c.id), "clause": .t("\(scheme.rubric!.clause) 第\(scheme.rubric!.item(ofCriterion: c.id)!.number)项"),
                 "rule": .t(describeRule(c.rule, scheme: scheme)), "points": .t(c.points.map { "\($0.plain())分" } ?? "按规则计分")])
    }
    let files: [TemplateValue] = read.inputs.files.map { f in
        .object(["path": .t(f.path), "encoding": .t(f.encoding?.rawValue ?? "（不是文本）"), "rows": .t(f.rows), "sha256": .t(f.sha256)])
    }
    let errors = report.diagnostics.filter { $0.severity == .error }.count
    let byFile = Dictionary(grouping: report.diagnostics, by: \.location.file)
    let problemFiles: [TemplateValue] = read.inputs.files.compactMap { f in
        guard let ds = byFile[f.path], !ds.isEmpty else { return nil }
        let e = ds.filter { $0.severity == .error }.count
        return .object(["file": .t(f.path), "errors": .t(e), "warnings": .t(ds.count - e)])
    }
    let problems: TemplateValue = .object(["errors": .t(errors), "warnings": .t(report.diagnostics.count - errors),
                                           "byFile": .list(problemFiles), "link": .t("../data-quality.\(ext)")])
    return .object([
        "page": frame.value,
        "year": .t(a.year),
        "city": .object(["name": .t(city.unit.name), "code": .t(city.unit.code), "towns": .t(allTowns.count), "counties": .t(counties.count)]),
        "columns": .list(columns.map { .object(["name": .t($0.unit.name), "link": .opt($0.unit.code == city.unit.code ? nil : "../counties/\($0.unit.code).\(ext)")]) }),
        "targetsSide": .list(targetsSide),
        "goal": .list(goal),
        "goalYear": .t(scheme.goal.map { String($0.year) } ?? ""),
        "goalClause": .t(scheme.goal?.clause ?? ""),
        "goalChart": barChart(goalBars, maximum: goalMax, unit: "个"),
        "creating": .list(creating),
        "expiring": .list(expiring),
        "expiringDays": .t(scheme.lifecycle.map { String($0.expiringDays) } ?? ""),
        "reviews": .list(reviews),
        "ranking": .list(rankingRows(allTowns, scheme: scheme, tree: a.tree, format: format, year: a.year, root: "../")),
        "unranked": unrankedText(allTowns, scheme: scheme),
        "categoryNames": .list((scheme.rubric?.categories ?? []).map { .t($0.name) }),
        "distribution": .object(["rows": .list(distRows), "ticks": .list(ticks), "height": .t(String(counties.count * rowH + 40)),
                                 "viewBox": .t("0 0 650 \(counties.count * rowH + 40)"),
                                 "axisY": .t(String(counties.count * rowH + 8)), "tickY": .t(String(counties.count * rowH + 24)),
                                 "x1": .t(String(axisLeft)), "x2": .t(String(axisLeft + axisWidth))]),
        "distributionTable": .list(distTable),
        "attainment": barChart(attainBars, maximum: Rational(100), unit: "%"),
        "attainmentTable": .list(attainBars.map { .object(["label": .t($0.label), "text": .t($0.text)]) }),
        "rules": .list(rules),
        "targetRules": .list(scheme.targets.map { .object(["id": .t($0.id), "label": .t($0.label), "clause": .t($0.clause), "requirement": .t($0.requirement)]) }),
        "consistency": .list((consistency?.warnings ?? []).map { .t($0.message) }),
        "highestBase": .t(consistency?.highestBase.plain() ?? "—"),
        "declaredTotal": .t(scheme.rubric?.declaredTotal.plain() ?? "—"),
        "files": .list(files),
        "problems": problems,
    ])
}

// MARK: - 附件2 申报备案表

/// Paragraphs of a multi-line cell.
func paragraphs(_ text: String?) -> TemplateValue {
    guard let text, !text.isEmpty else { return .list([]) }
    return .list(text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: true)
        .map { .t(String($0).trimmingCharacters(in: .whitespaces)) })
}

/// A date split for `____年__月__日`: blank parts stay blank for the pen.
func dateParts(_ d: Day?) -> TemplateValue {
    .object(["y": .t(d.map { String($0.year) } ?? ""), "m": .t(d.map { String($0.month) } ?? ""), "d": .t(d.map { String($0.day) } ?? "")])
}

/// Ruled lines to write on by pen, as the seed lays out 附件2 on A4: about half a page for the
/// 请示, the 推荐意见 box and the 自查报告 box (`n` empty items for the template to repeat).
private func ruled(_ n: Int) -> TemplateValue { .list(Array(repeating: .t(""), count: n)) }

/// The values of one town's 附件2 form (blank where it has no application): the town's own
/// 自评分 in its 自查打分表, an empty one where it has no application.
func formValue(_ report: Report, _ r: UnitResult, format: OutputFormat, parts: ScoreTableParts? = nil) -> TemplateValue {
    let a = report.assessment, scheme = a.scheme
    let row = r.stage?.application
    func textCell(_ c: String) -> String? { row.flatMap { text($0, c) } }
    func dayCell(_ c: String) -> Day? {
        guard let cell = row?.cells[c], case .value(.day(let d)) = cell.read else { return nil }
        return d
    }
    let county = a.tree.ancestor(of: r.unit.code, at: .county)
    let countyName = county.map { scheme.withoutSuffix($0.name, tier: .county) } ?? ""
    let city = a.tree.ancestor(of: r.unit.code, at: .city)?.name ?? ""
    // The town's own scores when it has filed; an empty table to fill by pen when it has not.
    let score: TemplateValue
    if row == nil || r.score == nil {
        score = scheme.rubric.map { blankScoreTableValue($0, parts: parts) } ?? .null
    } else {
        score = scoreTableValue(r, scheme: scheme, parts: parts, kind: .selfAssessment)
    }
    var form: TemplateObject = [
        "city": .t(city),
        "town": .t(r.unit.name),
        "hasApplication": .bool(row != nil),
        "county": .t(countyName),
    ]
    // The application's values the scheme puts on the form (<page id="form"><field>).
    for f in scheme.page("form").fields {
        if f.isDate {
            form[f.name] = dateParts(dayCell(f.column))
        } else if let lines = f.lines {
            let text = paragraphs(textCell(f.column))
            form[f.name] = text
            form[f.name + "Lines"] = ruled(text.isTruthy ? 0 : lines)
        } else {
            form[f.name] = .t(textCell(f.column) ?? "")
        }
    }
    for (name, value) in [
        ("score", score),
        ("blankScore", .bool(row == nil || r.score == nil)),
        ("rubricClause", .t(scheme.rubric?.clause ?? "")),
        ("year", .t(a.year)),
    ] as [(String, TemplateValue)] { form[name] = value }
    return .object(form)
}

/// A town's 附件2 form as the shared part `form-doc.xhtml#formDoc` (printed on its own page and
/// in its county's bundle).
func formDocument(_ form: TemplateValue) -> TemplateValue {
    .part(SharedPart("formDoc", in: "form-doc.xhtml", context: ["form": form]))
}

/// A town's filing form page; `form`: its `formDocument` when already made (shared with the bundle).
func formView(_ report: Report, _ r: UnitResult, format: OutputFormat, root: String, parts: ScoreTableParts? = nil,
              form: TemplateValue? = nil) -> TemplateValue {
    let a = report.assessment, scheme = a.scheme, ext = format.fileExtension
    let city = a.tree.ancestor(of: r.unit.code, at: .city)?.name ?? ""
    let county = a.tree.ancestor(of: r.unit.code, at: .county)
    let words = scheme.page("form")
    let values = ["unit": r.unit.name, "city": city, "county": county?.name ?? "", "year": String(a.year), "asOf": a.asOf.chinese, "scheme": scheme.name]
    let frame = PageFrame(title: PageWording.fill(words.title, values), subtitle: PageWording.fill(words.subtitle, values), root: root,
                          scheme: scheme, asOf: a.asOf, format: format,
                          document: words.document.map { PageWording.fill($0, values) }, unit: r.unit.name + (county.map { "（\($0.name)）" } ?? ""),
                          trail: [("报告目录", "\(root)index.\(ext)"),
                                  (PageWording.fill(scheme.page("town").link ?? "", ["unit": r.unit.name]), "../towns/\(r.unit.code).\(ext)")]
                              + (county.map { [(PageWording.fill(scheme.page("county").link ?? "", ["unit": $0.name]), "../counties/\($0.code).\(ext)"),
                                               (PageWording.fill(scheme.page("forms-bundle").link ?? "", ["unit": $0.name]), "county-\($0.code).\(ext)")] } ?? []))
    return .object(["page": frame.value, "form": form ?? formDocument(formValue(report, r, format: format, parts: parts))])
}

/// The towns whose forms a county's bundle holds, in code order.
func formTowns(_ report: Report, _ county: UnitResult) -> [UnitResult] {
    let a = report.assessment
    // (A town's form is written with its nearest county's pages: never twice.)
    return descendants(of: county.unit.code, in: a.tree)
        .filter { $0.level.tier == .town && a.tree.ancestor(of: $0.code, at: .county)?.code == county.unit.code }
        .sorted { $0.code < $1.code }.compactMap { a.result($0.code) }
}

/// Every town's form of one county in one document, each starting on a new page: printed in
/// one action (linked from the county page). `forms`: the towns' `formDocument`s (`formTowns`).
func formsBundleView(_ report: Report, _ county: UnitResult, format: OutputFormat, forms: [TemplateValue]) -> TemplateValue {
    let a = report.assessment, scheme = a.scheme, ext = format.fileExtension
    let city = a.tree.ancestor(of: county.unit.code, at: .city)?.name ?? ""
    let words = scheme.page("forms-bundle")
    let values = ["unit": county.unit.name, "city": city, "county": county.unit.name, "year": String(a.year), "asOf": a.asOf.chinese, "scheme": scheme.name]
    let frame = PageFrame(title: PageWording.fill(words.title, values), subtitle: PageWording.fill(words.subtitle, values), root: "../../",
                          scheme: scheme, asOf: a.asOf, format: format, document: words.document.map { PageWording.fill($0, values) },
                          unit: "\(county.unit.name) · \(forms.count) 个\(scheme.assessedName)",
                          trail: [("报告目录", "../../index.\(ext)"),
                                  (PageWording.fill(scheme.page("county").link ?? "", ["unit": county.unit.name]), "../counties/\(county.unit.code).\(ext)")])
    return .object(["page": frame.value, "forms": .list(forms)])
}
