// MARK: - The town page: stage, eligibility, targets, and the 自查打分表 laid out as 附件1

extension Report {
    /// The remarks (备注, 说明) the departments wrote on a unit's rows of the report year, in file
    /// order, as page values (text and where it was written).
    public func remarks(of code: String) -> TemplateValue {
        let rows = read.inputs.remarks.filter { $0.unit == code && $0.year == read.year }
        return .list(rows.map { .object(["text": .t($0.text), "where": .t(sourceList([$0.location]))]) })
    }
}

/// `sourceList` of cells as a figure or score stores them (one cell: no array is made).
func sourceList(_ sources: InlineSources, limit: Int = 6, prefix: String = "") -> String {
    guard let one = sources.only, limit > 0 else { return sourceList(sources.wrappedValue, limit: limit, prefix: prefix) }
    var out: [UInt8] = []
    out.reserveCapacity(48 + prefix.utf8.count)
    out.append(contentsOf: prefix.utf8)
    one.appendDescription(to: &out, withCell: true)
    return String(decoding: out, as: UTF8.self)
}

/// `data/a.csv:12:4（D12）`, at most `limit` of them, then a count; after `prefix` when there
/// are any (none: "").
func sourceList(_ sources: [SourceLocation], limit: Int = 6, prefix: String = "") -> String {
    guard !sources.isEmpty else { return "" }
    // Figures keep their cells sorted and distinct already (most of the time): checked in one
    // pass rather than hashing every path.
    var inOrder = true
    for i in sources.indices.dropFirst() where !(sources[i - 1] < sources[i]) {
        inOrder = false
        break
    }
    // Otherwise sorted, then each repeat dropped (the repeats of a cell are next to each other
    // once sorted: no hashing of every cell).
    var unique = sources
    if !inOrder {
        unique.sort()
        var kept = 0
        for i in unique.indices where kept == 0 || unique[i] != unique[kept - 1] {
            unique[kept] = unique[i]
            kept += 1
        }
        unique.removeLast(unique.count - kept)
    }
    // Written as bytes into one buffer (the pages of a large build list millions of cells, and a
    // string for each part would cost more than the page's other work).
    var out: [UInt8] = []
    out.reserveCapacity(48 * min(unique.count, limit) + prefix.utf8.count)
    out.append(contentsOf: prefix.utf8)
    let start = out.count
    for (k, s) in unique.prefix(limit).enumerated() {
        if k > 0 { out.append(contentsOf: "、".utf8) }
        s.appendDescription(to: &out, withCell: true)
    }
    if unique.count > limit { out.append(contentsOf: ((out.count == start ? "" : "、") + "等共 \(unique.count) 处").utf8) }
    return String(decoding: out, as: UTF8.self)
}

/// A figure as the pages print it: cut, never rounded; states in words.
func figureText(_ f: Figure, percent: Bool, flag: Bool) -> String {
    switch f.state {
    case .noData: return "缺数据"
    case .error: return "数据错误"
    case .notApplicable: return "不适用"
    case .value:
        if flag { return f.number == Rational(1) ? "是" : "否" }
        return displayNumber(f.number!, percent: percent) + (f.approximate ? "（约）" : "")
    }
}

/// CSS class of a status (the word is always printed too).
func statusClass(_ s: TargetStatus) -> String { "status-" + s.rawValue }

/// The targets table rows of a unit (town or pooled).
func targetRows(_ r: UnitResult, scheme: Scheme) -> [TemplateValue] {
    r.targets.enumerated().map { i, t in
        let ind = scheme.indicator(t.target.indicator)
        let isRate = scheme.rates.contains { $0.id == t.target.indicator }
        let percent = isRate || ind?.kind == .percent
        let flag = ind?.kind == .flag
        var value = figureText(t.figure, percent: percent, flag: flag)
        var threshold = t.target.op == .isTrue ? "是" : (t.threshold.map { displayNumber($0, percent: percent) } ?? "—")
        if t.target.ref != nil, t.threshold == nil { threshold = "缺考核目标" }
        if t.figure.state == .value, let v = t.figure.number, let th = t.threshold, !flag {
            // A displayed value never contradicts its status: print more digits until they differ.
            let (a, b) = distinctDisplays(v, th, percent: percent)
            value = a + (t.figure.approximate ? "（约）" : "")
            threshold = b
        }
        // The counts of a rate on a line of their own under the percentage (a narrow column).
        var counts = ""
        if isRate, t.figure.state == .value, let n = t.figure.numerator, let d = t.figure.denominator {
            counts = "（\(n.plain())/\(d.plain())）"
        }
        let prev = r.previousTargets[i]
        var refNote = ""
        if let ref = t.target.ref { refNote = "本单位“\(scheme.indicator(ref)?.header ?? ref)”" }
        return .object([
            "id": .t(t.target.id),
            "label": .t(t.target.label),
            "clause": .t(t.target.clause),
            "requirement": .t(t.target.requirement),
            "value": .t(value),
            "counts": .t(counts),
            "previous": .t(figureText(prev.figure, percent: percent, flag: flag)),
            "threshold": .t(t.target.ref != nil ? "\(t.target.op.symbol) \(threshold)（\(refNote)）" : "\(t.target.op.symbol) \(threshold)"),
            "status": .t(t.status.label),
            "statusClass": .t(statusClass(t.status)),
            "sources": .t((t.figure.inheritedFrom != nil ? "取自\(scheme.tierName(.county))行：" : "") + sourceList(t.figure.$sources)),
            "note": .null,
        ])
    }
}

/// A page's source notes: the cells behind each figure, listed once at the end of the page and
/// referred to by number from the figure (a printed cell holds a number, not file names).
struct SourceNotes {
    private(set) var entries: [TemplateValue] = []

    /// A note for `what` citing `cells`; its number and link, or null when there are no cells.
    mutating func add(_ what: String, _ cells: String) -> TemplateValue {
        guard !cells.isEmpty else { return .null }
        let n = entries.count + 1
        entries.append(.object(["n": .t(n), "anchor": .t("src-\(n)"), "what": .t(what), "cells": .t(cells)]))
        return .object(["n": .t(n), "link": .t("#src-\(n)")])
    }

    var value: TemplateValue { .list(entries) }
}

/// Target rows whose cells are cited by note numbers (`note`) instead of in the row.
func targetRows(_ r: UnitResult, scheme: Scheme, notes: inout SourceNotes) -> [TemplateValue] {
    targetRows(r, scheme: scheme).map { row in
        guard case .object(var o) = row, case .text(let cells)? = o["sources"], case .text(let id)? = o["id"],
              case .text(let label)? = o["label"] else { return row }
        o["note"] = notes.add("\(id) \(label)", cells)
        return .object(o)
    }
}

/// What the 自查打分表 shows of the rubric alone (numbers, texts, points, labels), as template
/// values made once per run: every town's table shares them.
struct ScoreTableParts: Sendable {
    struct Item: Sendable {
        let number, area, declared, cap: TemplateValue
        let category: String
        let maximum: Rational
        let maximumText: String
        let criteria: [Criterion]
        /// The 评分方法 cell of its criteria: the same shared part for every town.
        let method: TemplateValue
    }

    struct Criterion: Sendable {
        let id: String
        let text, points: TemplateValue
        let manual: Bool
    }

    /// In the rubric's order of items.
    let items: [Item]
    /// The items' numbers, to tell that a score is of this rubric.
    let numbers: [Int]
    /// Per category: its id and the label its first row shows.
    let categories: [(id: String, label: TemplateValue)]
    /// Per item (rubric order): its category's id.
    let categoryOfItem: [String]
    let bonusCap: TemplateValue

    /// The 评分方法 cell of these criteria (id, text, points), the shared part
    /// `score-table.xhtml#methodCell`: made once a run for the rubric's items, so every town's
    /// table copies the same bytes.
    static func method(_ criteria: [Criterion]) -> TemplateValue {
        .part(SharedPart("methodCell", in: "score-table.xhtml", context: [
            "method": .list(criteria.map { .object(["id": .t($0.id), "text": $0.text, "points": $0.points]) }),
        ]))
    }

    init(_ rubric: Rubric) {
        var items: [Item] = []
        for item in rubric.items {
            let criteria = item.criteria.map { c in
                Criterion(id: c.id, text: .t(c.text), points: .t(c.points.map { "\($0.plain())分" } ?? "按规则计分"), manual: c.rule.isManual)
            }
            items.append(Item(number: .t(item.number), area: .t(item.area), declared: .t(item.declared?.plain() ?? ""),
                              cap: .opt(item.cap.map { "满分\($0.plain())分" }), category: item.category, maximum: item.maximum,
                              maximumText: item.maximum.plain(), criteria: criteria, method: ScoreTableParts.method(criteria)))
        }
        self.items = items
        numbers = rubric.items.map(\.number)
        categories = rubric.categories.map { ($0.id, .t("\($0.name)（\($0.declared.plain())分）")) }
        categoryOfItem = items.map(\.category)
        bonusCap = .t(rubric.bonusCap.plain())
    }
}

/// Whose scores a 自查打分表 shows.
enum ScoreTableKind {
    /// The committee's: each criterion's score as judged (核定分, else 初审分, else 自评分, or the
    /// data's), its cells cited by note numbers (town page).
    case committee
    /// The town's own, for the 附件2 form it signs: its 自评分; a criterion computed from data
    /// that the town did not score shows the computed score (数据核算) unless its data are
    /// missing or in error; a 加分项 criterion it did not score is not claimed (0, 未申报加分);
    /// anything else is left blank for the pen, and so is every total that adds a blank. No
    /// file references: the 备注 says in words how a score arose.
    case selfAssessment
    /// Nothing filled in (a town without an application, or without a score): every 得分,
    /// 备注 and total blank, to fill by pen.
    case blank
}

/// The 自查打分表 as template values: one row per item, criteria listed inside, totals below.
func scoreTableValue(_ s: TownScore, rubric: Rubric, parts: ScoreTableParts? = nil, kind: ScoreTableKind = .committee) -> TemplateValue {
    var notes = SourceNotes()
    return scoreTableValue(s, rubric: rubric, parts: parts, kind: kind, notes: &notes)
}

/// The same, citing cells by numbers added to `notes` (committee's table only).
func scoreTableValue(_ s: TownScore, rubric: Rubric, parts: ScoreTableParts? = nil, kind: ScoreTableKind,
                     notes: inout SourceNotes) -> TemplateValue {
    if kind == .blank { return blankScoreTableValue(rubric, parts: parts) }
    // Parts made for another rubric (its items numbered otherwise) are made again for this one.
    let parts = parts.flatMap { $0.numbers == rubric.items.map(\.number) ? $0 : nil } ?? ScoreTableParts(rubric)
    var rows: [TemplateValue] = []
    rows.reserveCapacity(s.items.count)
    // The town's own points per item (nil: a blank to fill by pen), for the totals of its form.
    var ownItems: [(category: String, points: Rational?)] = []
    // 加分项 are claims: one the town did not score is not claimed (0), not a blank.
    // A bonus category's remark for an unclaimed manual criterion (<category unclaimed>), by id.
    let bonusCategories = Dictionary(uniqueKeysWithValues: rubric.categories.filter(\.bonus).map { ($0.id, $0.unclaimed) })
    // By category, then in the rubric's order (items are scored in the rubric's order). Scores
    // and parts are read in place (binding each item and criterion copied all of its texts).
    s.items.withUnsafeBufferPointer { items in
        parts.items.withUnsafeBufferPointer { partItems in
            for cat in parts.categories {
                var k = 0
                // Items told by their category (an item's parts are not copied to be tested).
                for i in items.indices where parts.categoryOfItem[items[i].itemIndex] == cat.id {
                    defer { k += 1 }
                    let it = items.baseAddress! + i, part = partItems.baseAddress! + items[i].itemIndex
                    let (row, own) = scoreRow(it, part, category: k == 0 ? cat.label : .t(""), kind: kind, assessment: rubric.assessment,
                                              bonus: bonusCategories[cat.id],
                                              discrepancies: s.discrepancies, notes: &notes)
                    rows.append(row)
                    ownItems.append((cat.id, own))
                }
            }
        }
    }
    switch kind {
    case .committee:
        let cats: [TemplateValue] = s.categories.map { c in
            .object([
                "name": .t(c.category.name),
                "declared": .t(c.category.declared.plain()),
                "score": .t(c.points.plain()),
                "note": .opt(c.sum > c.category.declared ? "合计 \(c.sum.plain()) 分，按类别满分计" : nil),
            ])
        }
        return .object([
            "rows": .list(rows),
            "categories": .list(cats),
            "base": .t(s.base.plain()),
            "bonus": .t(s.bonus.plain()),
            "bonusCap": parts.bonusCap,
            "total": .t(s.total.plain()),
            "totalNote": .t(rubric.totalNote),
            "tableClass": .t("grid score-table"),
        ])
    case .selfAssessment, .blank:
        // The town's totals, capped as 附件1 caps them (item, category, 加分); blank when any
        // part is.
        var cats: [TemplateValue] = []
        var base: Rational? = Rational(0), bonusSum: Rational? = Rational(0)
        for c in rubric.categories {
            let mine = ownItems.filter { $0.category == c.id }
            let sum: Rational? = kind == .blank || mine.contains { $0.points == nil } ? nil : mine.reduce(Rational(0)) { $0 + $1.points! }
            let capped = sum.map { min($0, c.declared) }
            if c.bonus { bonusSum = bonusSum.flatMap { b in sum.map { b + $0 } } } else { base = base.flatMap { b in capped.map { b + $0 } } }
            cats.append(.object([
                "name": .t(c.name),
                "declared": .t(c.declared.plain()),
                "score": .t(capped?.plain() ?? ""),
                "note": .opt(sum.map { $0 > c.declared ? "合计 \($0.plain()) 分，按类别满分计" : nil } ?? nil),
            ]))
        }
        let bonus = bonusSum.map { min($0, rubric.bonusCap) }
        let total = base.flatMap { b in bonus.map { b + $0 } }
        return .object([
            "rows": .list(rows),
            "categories": .list(cats),
            "base": .t(base?.plain() ?? ""),
            "bonus": .t(bonus?.plain() ?? ""),
            "bonusCap": parts.bonusCap,
            "total": .t(total?.plain() ?? ""),
            "totalNote": .t(""),
            "tableClass": .t("grid score-table"),
        ])
    }
}

/// One row of the 自查打分表: an item's parts and its score, read in place; and the item's
/// points as the table counts them (nil: blank).
private func scoreRow(_ it: UnsafePointer<ItemScore>, _ part: UnsafePointer<ScoreTableParts.Item>, category: TemplateValue,
                      kind: ScoreTableKind, assessment: AssessmentColumns, bonus: String?, discrepancies: [Discrepancy], notes: inout SourceNotes) -> (TemplateValue, Rational?) {
    var inOrder = it.pointee.criteria.count == part.pointee.criteria.count
    let number = String(it.pointee.item.number)
    // A whole-item 自评分 the data disagree with (discrepancies keep it) or the one the item was
    // scored by: the town scored the item as a whole.
    let wholeSelf: Rational? = kind != .selfAssessment ? nil
        : discrepancies.first { $0.criterion == number }?.selfScore ?? (it.pointee.wholeItem == .selfScored ? it.pointee.points : nil)
    var ownSum: Rational? = Rational(0)
    let criteria: [TemplateValue] = part.pointee.criteria.withUnsafeBufferPointer { declared in
        it.pointee.criteria.withUnsafeBufferPointer { scored in
            var criteria: [TemplateValue] = []
            criteria.reserveCapacity(scored.count)
            for j in scored.indices {
                let c = scored.baseAddress! + j
                // Scores come in the item's order of criteria; the rubric's 评分方法 list is the
                // row's unless they do not.
                let inPlace = j < declared.count && declared[j].id == c.pointee.id
                if !inPlace { inOrder = false }
                let manual = inPlace ? declared[j].manual : declared.first { $0.id == c.pointee.id }!.manual
                let source = c.pointee.source
                var score = "", remark = "", note: TemplateValue = .null
                switch kind {
                case .committee:
                    score = c.pointee.points.plain()
                    remark = assessment.label(source)
                    if source == .computed || source == .adjusted || source == .noData || source == .error || source == .notApplicable {
                        if !c.pointee.note.isEmpty { remark += "：" + c.pointee.note }
                    } else if !c.pointee.note.isEmpty {
                        remark += "；\(assessment.remark)：" + c.pointee.note
                    }
                    if source == .adjusted, let comp = c.pointee.computed { remark += "（核算 \(comp.plain()) 分）" }
                    if let e = c.pointee.evidence { remark += "；\(assessment.evidence)：" + e }
                    note = notes.add("\(c.pointee.id) 得分", sourceList(c.pointee.$sources))
                case .selfAssessment:
                    var points: Rational?
                    if wholeSelf != nil {
                        remark = ""
                    } else if let own = c.pointee.selfScore {
                        points = own
                        remark = assessment.ownLabel
                    } else if manual, let bonus {
                        points = Rational(0)
                        remark = bonus
                    } else if manual {
                        remark = assessment.missingLabel
                    } else {
                        // Computed from data, not scored by the town: the data's score, said so.
                        let computed = c.pointee.computed ?? c.pointee.points
                        let data = c.pointee.source == .adjusted ? ScoreSource.computed : c.pointee.source
                        switch data {
                        case .noData: remark = "缺数据"
                        case .error: remark = "数据错误"
                        case .notApplicable: points = computed; remark = "不适用"
                        default:
                            points = computed
                            remark = "数据核算" + (dataNote(c.pointee.note, reviewedNote: assessment.reviewedNote).map { "：" + $0 } ?? "")
                        }
                    }
                    if let e = c.pointee.evidence, points != nil { remark += "；佐证：" + e }
                    score = points?.plain() ?? ""
                    if wholeSelf == nil { ownSum = ownSum.flatMap { s in points.map { s + $0 } } }
                case .blank:
                    // (Blank tables are made from the rubric alone, `blankScoreTableValue`; blank here too.)
                    ownSum = nil
                }
                // (Its text and points are in the row's `method`, the same for every town.)
                criteria.append(.object([
                    "id": .t(c.pointee.id),
                    "score": .t(score),
                    "remark": .t(remark),
                    "note": note,
                ]))
            }
            return criteria
        }
    }
    var itemRemark: String?
    var itemScore: String
    var own: Rational?
    switch kind {
    case .committee:
        itemScore = it.pointee.points.plain()
        own = it.pointee.points
        if it.pointee.sum > part.pointee.maximum { itemRemark = "各条合计 \(it.pointee.sum.plain()) 分，按本项满分 \(part.pointee.maximumText) 分计" }
        if let w = it.pointee.wholeItem { itemRemark = "整项评分（\(assessment.label(w))）：\(it.pointee.points.plain()) 分" }
    case .selfAssessment:
        if let w = wholeSelf {
            own = w
            itemRemark = "整项" + assessment.ownLabel
        } else {
            own = ownSum.map { min($0, part.pointee.maximum) }
            if let sum = ownSum, sum > part.pointee.maximum { itemRemark = "各条合计 \(sum.plain()) 分，按本项满分 \(part.pointee.maximumText) 分计" }
        }
        itemScore = own?.plain() ?? ""
    case .blank:
        itemScore = ""
    }
    let declared = part.pointee.criteria
    return (.object([
        "number": part.pointee.number,
        "category": category,
        "area": part.pointee.area,
        "declared": part.pointee.declared,
        "cap": part.pointee.cap,
        "score": .t(itemScore),
        // An item the town scored as a whole shows that score only (no per-criterion lines).
        "criteria": .list(wholeSelf == nil ? criteria : []),
        "method": inOrder ? part.pointee.method : ScoreTableParts.method(it.pointee.criteria.map { c in declared.first { $0.id == c.id }! }),
        "itemRemark": .opt(itemRemark),
    ]), own)
}

/// A computed criterion's figures as the form's 备注 says them: the rule's note
/// (`首席质量官聘任率 13/13 = 100%，要求 = 100%`) without the committee's remark (`reviewedNote`,
/// the scheme's 核定说明, which `scoreTown` appends).
private func dataNote(_ note: String, reviewedNote: String) -> String? {
    let figures = note.range(of: "；\(reviewedNote)：").map { String(note[..<$0.lowerBound]) } ?? note
    return figures.isEmpty ? nil : figures
}

/// An empty 自查打分表 (附件1's items and methods, every 得分, 备注 and total blank), to fill by pen.
func blankScoreTableValue(_ rubric: Rubric, parts: ScoreTableParts? = nil) -> TemplateValue {
    let parts = parts.flatMap { $0.numbers == rubric.items.map(\.number) ? $0 : nil } ?? ScoreTableParts(rubric)
    var rows: [TemplateValue] = []
    for cat in parts.categories {
        var k = 0
        for item in parts.items where item.category == cat.id {
            rows.append(.object([
                "number": item.number, "category": k == 0 ? cat.label : .t(""), "area": item.area, "declared": item.declared,
                "cap": item.cap, "score": .t(""),
                "criteria": .list(item.criteria.map { .object(["id": .t($0.id), "score": .t(""), "remark": .t(""), "note": .null]) }),
                "method": item.method, "itemRemark": .null,
            ]))
            k += 1
        }
    }
    return .object([
        "rows": .list(rows),
        "categories": .list(rubric.categories.map { .object(["name": .t($0.name), "declared": .t($0.declared.plain()), "score": .t(""), "note": .null]) }),
        "base": .t(""), "bonus": .t(""), "bonusCap": parts.bonusCap, "total": .t(""), "totalNote": .t(""),
        // Room to write in: a wider 得分 column.
        "tableClass": .t("grid score-table blank-score"),
    ])
}

/// A town's 自查打分表 as template values, or null when the scheme has no rubric or the town no score.
func scoreTableValue(_ r: UnitResult, scheme: Scheme, parts: ScoreTableParts? = nil, kind: ScoreTableKind = .committee) -> TemplateValue {
    var notes = SourceNotes()
    return scoreTableValue(r, scheme: scheme, parts: parts, kind: kind, notes: &notes)
}

/// The same, citing cells by numbers added to `notes`.
func scoreTableValue(_ r: UnitResult, scheme: Scheme, parts: ScoreTableParts? = nil, kind: ScoreTableKind,
                     notes: inout SourceNotes) -> TemplateValue {
    guard let s = r.score, let rubric = scheme.rubric else { return .null }
    return scoreTableValue(s, rubric: rubric, parts: parts, kind: kind, notes: &notes)
}

/// A town's page. `parts`: the rubric's parts shared by every town's table.
func townView(_ report: Report, _ r: UnitResult, format: OutputFormat, parts: ScoreTableParts? = nil) -> TemplateValue {
    let a = report.assessment, scheme = a.scheme, ext = format.fileExtension
    let county = a.tree.ancestor(of: r.unit.code, at: .county)
    let city = a.tree.ancestor(of: r.unit.code, at: .city)
    let words = scheme.page("town")
    let values = ["unit": r.unit.name, "city": city?.name ?? "", "county": county?.name ?? "", "year": String(a.year),
                  "asOf": a.asOf.chinese, "scheme": scheme.name]
    var trail: [(label: String, link: String)] = [("报告目录", "../../index.\(ext)")]
    if let city { trail.append((PageWording.fill(scheme.page("city").link ?? "", ["unit": city.name]), "../cities/\(city.code).\(ext)")) }
    if let county { trail.append((PageWording.fill(scheme.page("county").link ?? "", ["unit": county.name]), "../counties/\(county.code).\(ext)")) }
    trail.append((PageWording.fill(scheme.page("form").ownLink ?? "", values), "../forms/\(r.unit.code).\(ext)"))
    let frame = PageFrame(title: PageWording.fill(words.title, values), subtitle: PageWording.fill(words.subtitle, values), root: "../../",
                          scheme: scheme, asOf: a.asOf, format: format,
                          document: words.document.map { PageWording.fill($0, values) },
                          unit: r.unit.name + (county.map { "（\($0.name)）" } ?? ""), trail: trail)
    // Note numbers: the targets' cells first, then the scores'.
    var notes = SourceNotes()
    let targets = targetRows(r, scheme: scheme, notes: &notes)
    let score = scoreTableValue(r, scheme: scheme, parts: parts, kind: .committee, notes: &notes)
    var stage: TemplateValue = .null
    if let s = r.stage {
        var flags: [String] = []
        let clause = scheme.lifecycle?.revocationClause ?? "", days = scheme.lifecycle.map { String($0.expiringDays) } ?? ""
        if s.overdue, let d = s.deadline { flags.append(scheme.lifecycleNotice("overdue", ["date": d.chinese])) }
        if let d = s.deadline, !s.overdue { flags.append(scheme.lifecycleNotice("deadline", ["date": d.chinese])) }
        if s.expiring, let e = s.expires { flags.append(scheme.lifecycleNotice("expiring", ["date": e.chinese, "days": days])) }
        if let e = s.expires, !s.expiring, s.stage == scheme.lifecycle?.nameStage { flags.append(scheme.lifecycleNotice("valid-until", ["date": e.chinese])) }
        if let e = s.expires, s.stage == scheme.lifecycle?.lapsedStage { flags.append(scheme.lifecycleNotice("expired", ["date": e.chinese])) }
        if s.revocationReview { flags.append(scheme.lifecycleNotice("revocation-review", ["clause": clause])) }
        if s.revocationReviewUnknown { flags.append(scheme.lifecycleNotice("revocation-unknown", ["clause": clause])) }
        flags += s.notes
        stage = .object([
            "label": .t(scheme.stageLabel(s.stage)),
            "category": .opt(s.category),
            "flags": .list(flags.map { .t($0) }),
            "steps": .list(s.steps.map { .object(["label": .t($0.label), "date": .t($0.date.chinese)]) }),
        ])
    }
    var eligibility: TemplateValue = .null
    if let e = r.eligibility {
        eligibility = .object([
            "status": .t(scheme.eligibilityLabel(e.status)),
            "statusClass": .t("eligibility-" + e.status.rawValue),
            "conditions": .list(e.conditions.map { c in
                .object([
                    "id": .t(c.condition.id),
                    "clause": .t(c.condition.clause),
                    "text": .t(c.condition.text),
                    "state": .t(c.state == "holds" ? "符合" : c.state == "fails" ? "不符合" : "缺数据"),
                    "stateClass": .t(c.state == "holds" ? "status-met" : c.state == "fails" ? "status-unmet" : "status-no-data"),
                    "notes": .t(c.notes.joined(separator: "；")),
                ])
            }),
            "manual": .list((scheme.eligibility?.manual ?? []).map { .object(["clause": .t($0.clause), "text": .t($0.text)]) }),
        ])
    }
    // Where the town's 自评分 and the data disagree: for the reviewer, here (its form shows the 自评分).
    let discrepancies: [TemplateValue] = (r.score?.discrepancies ?? []).map { d in
        .object(["criterion": .t(d.criterion), "self": .t(d.selfScore.plain()), "computed": .t(d.computed.plain()),
                 "where": .t(d.location.description + (d.location.cell.map { "（\($0)）" } ?? ""))])
    }
    return .object([
        "page": frame.value,
        "year": .t(a.year),
        "previousYear": .t(a.year - 1),
        "town": .object([
            "name": .t(r.unit.name),
            "code": .t(r.unit.code),
            "level": .t(r.unit.level.rawValue),
            "county": .opt(county?.name),
            "city": .opt(city?.name),
        ]),
        "stage": stage,
        "eligibility": eligibility,
        "targets": .list(targets),
        "score": score,
        "sources": notes.value,
        "countyLink": .opt(county.map { "../counties/\($0.code).\(ext)" }),
        "cityLink": .opt(city.map { "../cities/\($0.code).\(ext)" }),
        "formLink": .t("../forms/\(r.unit.code).\(ext)"),
        "rubricClause": .t(scheme.rubric?.clause ?? ""),
        "discrepancies": .list(discrepancies),
        "remarks": report.remarks(of: r.unit.code),
        "problemCount": .t(report.problemCount(affecting: r.unit.code)),
        "dataQuality": .t("../data-quality.\(format.fileExtension)#unit-\(anchorID(r.unit.code))"),
    ])
}
