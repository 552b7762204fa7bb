// MARK: - assessments.csv → scores per town (suzhou-town.md §3 "inputs/assessments.csv rows")

/// What a row of assessments.csv scores: one criterion, or a whole item.
enum ScoreTarget: Hashable {
    case criterion(String)
    case item(Int)
}

/// The reviewed fields of one (town, 条目), after rejections and conflicts.
struct AssessmentEntry: Equatable {
    var fields = ScoreFieldValues()
    /// 说明 and 佐证材料, joined with "；" when several rows were merged.
    var remark: String?
    var evidence: String?
    var location: SourceLocation
    /// What the row scores, as a position in `AssessmentTargets` (criteria, then items).
    var target: Int32
}

/// The three point fields of an entry, each a value and its cell, in 96 bytes (not a dictionary
/// per entry: a sheet may have millions of entries).
struct ScoreFieldValues: Equatable {
    @PackedRational private var reviewed: Rational?
    @PackedRational private var preliminary: Rational?
    @PackedRational private var selfScored: Rational?
    /// Where an absent field is (a constant: making a location looks its file name up).
    private static let nowhere = SourceLocation(file: "")
    private var reviewedAt = nowhere, preliminaryAt = nowhere, selfScoredAt = nowhere

    /// The value and cell of `field`, when given.
    subscript(field: ScoreRole) -> (value: Rational, location: SourceLocation)? {
        get {
            switch field {
            case .reviewed: return reviewed.map { ($0, reviewedAt) }
            case .preliminary: return preliminary.map { ($0, preliminaryAt) }
            case .selfScored: return selfScored.map { ($0, selfScoredAt) }
            }
        }
        set {
            let at = newValue?.location ?? ScoreFieldValues.nowhere
            switch field {
            case .reviewed: (reviewed, reviewedAt) = (newValue?.value, at)
            case .preliminary: (preliminary, preliminaryAt) = (newValue?.value, at)
            case .selfScored: (selfScored, selfScoredAt) = (newValue?.value, at)
            }
        }
    }
}

/// The positions of what rows can score: the rubric's criteria in order, then its items.
struct AssessmentTargets {
    let rubric: Rubric
    private let criterionIndex: [String: Int]

    init(_ rubric: Rubric) {
        self.rubric = rubric
        criterionIndex = Dictionary(rubric.criteria.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    var count: Int { rubric.criteria.count + rubric.items.count }

    func index(_ t: ScoreTarget) -> Int? {
        switch t {
        case .criterion(let id): return criterionIndex[id]
        case .item(let n): return rubric.items.firstIndex { $0.number == n }.map { rubric.criteria.count + $0 }
        }
    }
}

/// Every town's entries in one array, grouped by town in sheet order and by target within a
/// town.
struct AssessmentBook: Sendable {
    var entries: [AssessmentEntry] = []
    var ranges: [String: Range<Int>] = [:]
    var targetCount = 0

    /// The entries of `unit`, by target.
    func town(_ unit: String) -> TownAssessments {
        TownAssessments(entries: ranges[unit].map { entries[$0] } ?? [], targetCount: targetCount)
    }
}

/// One town's entries, looked up by the position of a criterion or an item in the rubric.
struct TownAssessments {
    private let entries: ArraySlice<AssessmentEntry>
    private var slot: [Int32]

    init(entries: ArraySlice<AssessmentEntry>, targetCount: Int) {
        self.entries = entries
        slot = [Int32](repeating: -1, count: entries.isEmpty ? 0 : targetCount)
        for i in entries.indices { slot[Int(entries[i].target)] = Int32(i) }
    }

    /// Every entry, in target order.
    var all: [AssessmentEntry] { Array(entries) }

    /// The entry at target position `t` (criteria first, then items).
    subscript(target t: Int) -> AssessmentEntry? {
        guard t < slot.count, slot[t] >= 0 else { return nil }
        return entries[Int(slot[t])]
    }
}

/// Reads the report year's assessment rows: 条目 spellings (`4.2`, `5`, `第5项`), maxima (a
/// criterion's points; the item cap for per-unit criteria and whole-item rows), and conflicts
/// (two rows with different values for the same field: that field is rejected in both).
///
/// `expected`: how many rows there are (the entries' arrays are made that size at once rather
/// than grown by doubling, which copies every entry).
///
/// `units`: rows naming a unit not of the assessed tier are reported (scores are a town's), not
/// used; `name` is the tier's units in the scheme's words.
func readAssessments(_ rows: some Sequence<SheetRow>, rubric: Rubric, year: Int, expected: Int = 0,
                     units: (tree: UnitTree, tier: UnitTier, name: String)? = nil,
                     diagnostics: inout DiagnosticBag) -> AssessmentBook {
    // The sheet's columns and the point columns' order are the scheme's (<rubric><assessment>).
    let columns = rubric.assessment, scoreOrder = columns.order
    let targets = AssessmentTargets(rubric)
    // Entries in sheet order, each with its town's number (towns numbered as first seen).
    var read: [AssessmentEntry] = [], unitOf: [Int32] = []
    read.reserveCapacity(expected)
    unitOf.reserveCapacity(expected)
    var unitNumbers = FirstSeenNumbers()
    var lastUnit = "", lastNumber: Int32 = -1
    // Column positions are looked up once per file layout, and each spelling of 条目 parsed once
    // (a sheet's rows name the same few dozen criteria over and over).
    var layoutOf: SheetCells?
    var iYear: Int?, iItem: Int?, iRemark: Int?, iEvidence: Int?
    var iFields: [Int?] = []
    var parsed: [String: (target: ScoreTarget, index: Int32, maximum: Rational, what: String)?] = [:]
    for row in rows {
        if layoutOf.map({ !$0.sameLayout(as: row.cells) }) ?? true {
            layoutOf = row.cells
            (iYear, iItem) = (row.cells.index(of: columns.year), row.cells.index(of: columns.item))
            (iRemark, iEvidence) = (row.cells.index(of: columns.remark), row.cells.index(of: columns.evidence))
            iFields = scoreOrder.map { row.cells.index(of: columns.columns[$0]!) }
        }
        func cell(_ i: Int?) -> SheetCell? { i.map { row.cells[index: $0] } }
        switch cell(iYear)?.read {
        case .value(.integer(let y))?:
            guard y == year else { continue }
        case .rejected?:
            continue  // reported where the cell was read
        default:
            diagnostics.error("missing-value", "评分行缺少“\(columns.year)”，不知道是哪一年的评分，本行未使用；请填写\(columns.year)",
                              at: cell(iYear)?.location ?? row.location, unit: row.unit)
            continue
        }
        if let units, let u = units.tree.unit(row.unit), u.level.tier != units.tier {
            diagnostics.warning("not-a-town", "评分行的单位“\(u.name)”是\(u.level.rawValue)级单位；\(columns.label)只适用于\(units.name)，本行未使用",
                                at: row.location, unit: row.unit)
            continue
        }
        guard let item = cell(iItem), case .value(.text(let raw)) = item.read else {
            diagnostics.error("missing-value", "评分行缺少“\(columns.item)”，未使用", at: row.location, unit: row.unit)
            continue
        }
        let known: (target: ScoreTarget, index: Int32, maximum: Rational, what: String)?
        if let p = parsed[raw] {
            known = p
        } else {
            known = parseScoreTarget(raw, rubric: rubric).flatMap { t in
                targets.index(t).map { i in
                    let (maximum, what) = maximumPoints(t, rubric: rubric)
                    return (t, Int32(i), maximum, what)
                }
            }
            parsed[raw] = known
        }
        guard let (_, index, maximum, what) = known else {
            diagnostics.error("unknown-criterion", "“\(columns.item)”\(quoted(raw))不是\(rubric.name)中的条目（应为 4.2、5 或 第5项 这样的写法）", at: item.location, unit: row.unit)
            continue
        }
        var entry = AssessmentEntry(location: row.location, target: index)
        for (k, f) in scoreOrder.enumerated() {
            guard let c = cell(iFields[k]), case .value(let v) = c.read, let r = v.rational else { continue }
            if r > maximum {
                diagnostics.error("over-maximum", "“\(columns.columns[f]!)” \(r.plain()) 超过\(what)的满分 \(maximum.plain())，该分数未采用", at: c.location, unit: row.unit)
                continue
            }
            entry.fields[f] = (r, c.location)
        }
        if case .value(.text(let t))? = cell(iRemark)?.read { entry.remark = t }
        if case .value(.text(let t))? = cell(iEvidence)?.read { entry.evidence = t }
        if lastNumber < 0 || row.unit != lastUnit {
            lastNumber = Int32(unitNumbers.number(row.unit))
            lastUnit = row.unit
        }
        read.append(entry)
        unitOf.append(lastNumber)
    }
    // Grouped by (town, target), sheet order kept within a group: one integer per entry, the
    // town and target in the high bits (as many as the rubric's targets need), the position in
    // the low 32, one integer sort.
    let targetBits = max(1, Int.bitWidth - max(0, targets.count - 1).leadingZeroBitCount)
    precondition(read.count < 1 << 32 && unitNumbers.list.count < 1 << (32 - targetBits), "too many assessment rows or towns for one sort key")
    let townShift = UInt64(32 + targetBits)
    let order = read.indices.map { k in UInt64(unitOf[k]) << townShift | UInt64(read[k].target) << 32 | UInt64(k) }.sorted()
    unitOf = []
    // The entries are put in that order in place, one cycle of the permutation at a time (by
    // swaps: the cycle's first entry travels to its last slot, no entry is copied), and each group
    // merged into its first slot (a second array of entries would double the sheet's memory).
    var placed = [Bool](repeating: false, count: read.count)
    for i in read.indices where !placed[i] {
        var j = i
        while true {
            placed[j] = true
            let k = Int(order[j] & 0xFFFF_FFFF)
            if k == i { break }
            read.swapAt(j, k)
            j = k
        }
    }
    placed = []
    var book = AssessmentBook(targetCount: targets.count)
    var start = 0, townStart = 0, kept = 0
    while start < order.count {
        var end = start + 1
        while end < order.count, order[end] >> 32 == order[start] >> 32 { end += 1 }
        let unit = unitNumbers.list[Int(order[start] >> townShift)]
        // One row for the criterion (the usual case): nothing to merge or to conflict.
        if end - start == 1 {
            read[kept] = read[start]
        } else {
            let group = read[start..<end]
            var merged = AssessmentEntry(location: group.first!.location, target: group.first!.target)
            for f in scoreOrder {
                let given = group.compactMap { $0.fields[f] }
                let distinct = Set(given.map(\.value))
                if distinct.count > 1 {
                    let shown = given.map { "\($0.value.plain())（\($0.location.description)）" }.joined(separator: "、")
                    for g in given {
                        diagnostics.error("conflict", "同一条目的“\(columns.columns[f]!)”有不同的值 \(shown)，都不采用", at: g.location, unit: unit)
                    }
                } else if let first = given.first {
                    merged.fields[f] = first
                }
            }
            let remarks = group.compactMap(\.remark), evidence = group.compactMap(\.evidence)
            merged.remark = remarks.isEmpty ? nil : remarks.joined(separator: "；")
            merged.evidence = evidence.isEmpty ? nil : evidence.joined(separator: "；")
            read[kept] = merged
        }
        kept += 1
        if end == order.count || order[end] >> townShift != order[start] >> townShift {
            book.ranges[unit] = townStart..<kept
            townStart = kept
        }
        start = end
    }
    read.removeLast(read.count - kept)
    book.entries = read
    return book
}

/// `4.2` → criterion; `5`, `第5项` → criterion 5.1 when item 5 has one criterion, else the item.
func parseScoreTarget(_ raw: String, rubric: Rubric) -> ScoreTarget? {
    var s = halfWidth(raw).trimmingCharacters(in: .whitespaces)
    if s.hasPrefix("第") { s.removeFirst() }
    if s.hasSuffix("项") { s.removeLast() }
    if s.contains(".") {
        return rubric.criteria.contains { $0.id == s } ? .criterion(s) : nil
    }
    guard let n = Int(s), let item = rubric.items.first(where: { $0.number == n }) else { return nil }
    return item.criteria.count == 1 ? .criterion(item.criteria[0].id) : .item(n)
}

/// The most a row for `target` may give, and what it is called in messages.
func maximumPoints(_ target: ScoreTarget, rubric: Rubric) -> (Rational, String) {
    switch target {
    case .item(let n):
        return (rubric.items.first { $0.number == n }!.maximum, "第\(n)项")
    case .criterion(let id):
        let item = rubric.item(ofCriterion: id)!
        let c = item.criteria.first { $0.id == id }!
        if let p = c.points { return (p, "条目 \(id)") }
        return (item.maximum, "第\(item.number)项")
    }
}

/// Scores every criterion, item and category of one town (suzhou-town.md §3).
func scoreTown(_ unit: String, rubric: Rubric, context: RuleContext, assessments: TownAssessments,
               diagnostics: inout DiagnosticBag) -> TownScore {
    var items: [ItemScore] = []
    var discrepancies: [Discrepancy] = []
    let rubricItems = rubric.items
    // The point columns in the order a manual score falls back through them (核定分 → 初审分 → 自评分).
    let order = rubric.assessment.order
    func source(_ role: ScoreRole) -> ScoreSource {
        switch role {
        case .reviewed: return .reviewed
        case .preliminary: return .preliminary
        case .selfScored: return .selfScored
        }
    }
    // Positions in `AssessmentTargets`: criteria in document order, then items.
    var criterionPosition = 0
    // The town's figures of the year, which every computed criterion reads.
    let figures = context.dataset.figures[UnitYear(unit: unit, year: context.year)] ?? FigureTable()
    // The rubric is read in place (binding each item and criterion copied all of its texts and
    // rules: a sixth of the scoring's time was their reference counting).
    rubricItems.withUnsafeBufferPointer { itemsIn in
        for k in itemsIn.indices {
            let item = itemsIn.baseAddress! + k
            item.pointee.criteria.withUnsafeBufferPointer { crits in
                var criteria: [CriterionScore] = []
                criteria.reserveCapacity(crits.count)
                let whole = assessments[target: rubric.criteria.count + k]
                if whole != nil, crits.indices.contains(where: { assessments[target: criterionPosition + $0] != nil }) {
                    diagnostics.warning("whole-item-wins", "第\(item.pointee.number)项同时有整项评分行和分条目评分行，按整项评分行计分", at: whole!.location, unit: unit)
                }
                for j in crits.indices {
                    let c = crits.baseAddress! + j
                    let entry = assessments[target: criterionPosition]
                    criterionPosition += 1
                    var score = CriterionScore(id: c.pointee.id, points: Rational(0), maximum: c.pointee.points, source: .unscored, note: "",
                                               sources: [], selfScore: entry?.fields[.selfScored]?.value,
                                               evidence: entry?.evidence.flatMap { $0.isEmpty ? nil : $0 })
                    let remark = entry?.remark ?? ""
                    if c.pointee.rule.isManual {
                        if let f = order.first(where: { entry?.fields[$0] != nil }), let v = entry?.fields[f] {
                            score.points = v.value; score.source = source(f); score.$sources = InlineSources(one: v.location)
                        }
                        score.note = remark
                    } else {
                        let o = context.evaluate(c.pointee.rule, unit: unit, figures: figures)
                        let full = c.pointee.points ?? Rational(0)
                        switch o.state {
                        case .holds: score.points = o.points ?? full; score.source = .computed
                        case .fails: score.points = Rational(0); score.source = .computed
                        case .notApplicable: score.points = o.points ?? full; score.source = .notApplicable
                        case .noData: score.source = .noData
                        case .error: score.source = .error
                        }
                        score.computed = score.points
                        score.note = o.note
                        score.sources = o.sources
                        if let v = entry?.fields[.reviewed] {
                            score.points = v.value
                            score.source = .adjusted
                            score.sources.append(v.location)
                            if !remark.isEmpty { score.note += "；\(rubric.assessment.reviewedNote)：" + remark }
                        }
                        if let s = entry?.fields[.selfScored], s.value != score.computed! {
                            discrepancies.append(Discrepancy(criterion: c.pointee.id, selfScore: s.value, computed: score.computed!, location: s.location))
                        }
                    }
                    criteria.append(score)
                }
                let maximum = item.pointee.maximum
                let sum = criteria.reduce(Rational(0)) { $0 + $1.points }
                var itemScore = ItemScore(of: rubricItems, k, points: min(sum, maximum), sum: sum, criteria: criteria)
                if let whole {
                    let allManual = crits.allSatisfy { $0.rule.isManual }
                    // A reviewed score sets any item; the others only an item people score whole.
                    if let f = order.first(where: { whole.fields[$0] != nil && ($0 == .reviewed || allManual) }), let v = whole.fields[f] {
                        itemScore.points = v.value
                        itemScore.wholeItem = f == .reviewed && !allManual ? .adjusted : source(f)
                    }
                    if !allManual, let s = whole.fields[.selfScored], s.value != min(sum, maximum) {
                        discrepancies.append(Discrepancy(criterion: String(item.pointee.number), selfScore: s.value, computed: min(sum, maximum), location: s.location))
                    }
                }
                items.append(itemScore)
            }
        }
    }
    var categories: [CategoryScore] = []
    for cat in rubric.categories {
        let sum = items.filter { $0.item.category == cat.id }.reduce(Rational(0)) { $0 + $1.points }
        categories.append(CategoryScore(category: cat, points: min(sum, cat.declared), sum: sum))
    }
    let base = categories.filter { !$0.category.bonus }.reduce(Rational(0)) { $0 + $1.points }
    let bonusSum = categories.filter(\.category.bonus).reduce(Rational(0)) { $0 + $1.sum }
    let bonus = min(bonusSum, rubric.bonusCap)
    return TownScore(items: items, categories: categories, base: base, bonus: bonus, total: base + bonus, discrepancies: discrepancies)
}
