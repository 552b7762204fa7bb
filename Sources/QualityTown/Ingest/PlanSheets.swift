import Foundation
// MARK: - A plan's sheets: departments, tasks, progress, reference
//
// quzhou-city.md §3 and §4 (reference.csv), read with the same decoding, CSV and cell readers as
// every other sheet; every problem is a Diagnostic at its cell. The words that belong to a
// programme come from the scheme: the sheets' file names, headers and aliases (`PlanSheetSet`,
// the scheme's <sheets>, read by the engine's column ids), its progress wordings, ongoing
// deadlines, stage names and the phrase for "every county" (`PlanVocabulary`), and the names of
// its party kinds in messages (`PlanWords`).

// MARK: - Cell forms

/// Chinese numerals one to ninety-nine as area numbers are written (`一`, `十`, `十二`, `二十一`).
func chineseNumber(_ s: Substring) -> Int? {
    let digits: [Character: Int] = ["一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9]
    if s.isEmpty { return nil }
    if s.count == 1 { return s == "十" ? 10 : digits[s.first!] }
    guard let ten = s.firstIndex(of: "十") else { return nil }
    let before = s[..<ten], after = s[s.index(after: ten)...]
    let tens = before.isEmpty ? 1 : (before.count == 1 ? digits[before.first!] : nil)
    let ones = after.isEmpty ? 0 : (after.count == 1 ? digits[after.first!] : nil)
    guard let tens, let ones else { return nil }
    return tens * 10 + ones
}

/// A task id in any spelling of §3: `1.1`, `1-1`, `1．1`, `（一）1`, `(一)1`, `一、1`, `一.1`;
/// nil when the text is none of them. Whether the task exists is the caller's question.
public func parseTaskID(_ raw: String) -> TaskID? {
    let t = String(halfWidth(trimCell(raw)).unicodeScalars.filter { !isCellSpace($0) })
    func number(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.count <= 3, s.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(s)
    }
    // (一)1 — the area in brackets (full-width brackets became ASCII above).
    if t.hasPrefix("("), let close = t.firstIndex(of: ")") {
        let inner = t[t.index(after: t.startIndex)..<close]
        let area = chineseNumber(inner) ?? number(inner)
        guard let area, let n = number(t[t.index(after: close)...]) else { return nil }
        return TaskID(area: area, number: n)
    }
    for sep in [".", "-", "、"] {
        guard let r = t.range(of: sep) else { continue }
        let head = t[..<r.lowerBound], tail = t[r.upperBound...]
        guard let n = number(tail) else { return nil }
        if let a = number(head) { return sep == "、" ? nil : TaskID(area: a, number: n) }
        if sep != "-", let a = chineseNumber(head) { return TaskID(area: a, number: n) }
        return nil
    }
    return nil
}

/// Splits a list cell at `、`, `，`, `,`, `；`, `;`, `/` and line breaks; blanks and repeats dropped
/// (§3 Lists). A separator inside brackets does not split (`各县（市、区）` is one entry).
public func splitList(_ raw: String) -> [String] {
    let seps: Set<Character> = ["、", "，", ",", "；", ";", "/", "\n", "\r", "\r\n"]
    let open: Set<Character> = ["（", "(", "【", "[", "〔"], close: Set<Character> = ["）", ")", "】", "]", "〕"]
    var out: [String] = []
    var part = ""
    var depth = 0
    func end() {
        let s = trimCell(part)
        if !s.isEmpty, !out.contains(s) { out.append(s) }
        part = ""
    }
    for c in raw {
        if open.contains(c) { depth += 1 } else if close.contains(c) { depth = Swift.max(0, depth - 1) }
        if depth == 0 && seps.contains(c) { end() } else { part.append(c) }
    }
    end()
    return out
}

/// A phrase compared without brackets of either width, spaces and `、` (`各县（市、区）` equals
/// `各县(市区)`).
func bracketless(_ s: String) -> String {
    let drop: Set<Unicode.Scalar> = ["(", ")", "[", "]", "【", "】", "〔", "〕", "、", ","]
    return String(halfWidth(s).unicodeScalars.filter { !drop.contains($0) && !isCellSpace($0) })
}

/// A 完成时限 as read (§3): the deadline, and what the cell said when it is not a plain day.
public enum DeadlineRead: Sendable, Hashable {
    case day(Day)
    case ongoing
    /// Unreadable: error `bad-deadline`; the task has no deadline.
    case bad
}

/// Reads a 完成时限: a date; a month (`2018年12月`, `2018-12`, `2018.12`, `2018/12`, optionally
/// with `底` or `前`) → its last day; a year (`2019年`, `2019年底`, `2019年前`) → 31 December; a
/// stage name with or without the suffix → its `to`; an ongoing word → ongoing; else bad.
public func parseDeadline(_ raw: String, stages: [PlanStage], vocabulary: PlanVocabulary) -> DeadlineRead {
    var t = trimmedWhitespace(halfWidth(trimCell(raw)))
    if t.hasPrefix("'") { t = trimCell(String(t.dropFirst())) }
    t = String(t.unicodeScalars.filter { !isCellSpace($0) })
    if t.isEmpty { return .bad }
    if vocabulary.ongoing.contains(where: { normalizeName($0) == t }) { return .ongoing }
    let suffix = vocabulary.stageSuffix
    func bare(_ s: String) -> String { !suffix.isEmpty && s.hasSuffix(suffix) ? String(s.dropLast(suffix.count)) : s }
    if let s = stages.first(where: { normalizeName($0.name) == t || bare(normalizeName($0.name)) == bare(t) }) {
        return .day(s.to)
    }
    // Month and year forms first: `2018.12` would otherwise read as a number.
    var u = Substring(t)
    if u.hasSuffix("底") || u.hasSuffix("前") { u = u.dropLast() }
    func digits(_ s: Substring, _ range: ClosedRange<Int>) -> Int? {
        guard range.contains(s.count), s.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(s)
    }
    if u.hasSuffix("年"), let y = digits(u.dropLast(), 4...4) {
        return Day(y, 12, 31).map(DeadlineRead.day) ?? .bad
    }
    if u.hasSuffix("月"), let nian = u.firstIndex(of: "年"), let y = digits(u[..<nian], 4...4),
       let m = digits(u[u.index(after: nian)..<u.index(before: u.endIndex)], 1...2) {
        guard (1...12).contains(m) else { return .bad }
        return Day(y, m, Day.daysIn(month: m, year: y)).map(DeadlineRead.day) ?? .bad
    }
    for sep in ["-", ".", "/"] {
        let parts = u.split(separator: Character(sep), omittingEmptySubsequences: false)
        if parts.count == 2, let y = digits(parts[0], 4...4), let m = digits(parts[1], 1...2) {
            guard (1...12).contains(m) else { return .bad }
            return Day(y, m, Day.daysIn(month: m, year: y)).map(DeadlineRead.day) ?? .bad
        }
    }
    // `底`/`前` belong to months and years only; a bare number is no deadline (a year needs 年,
    // and no one types a date as an Excel serial of four digits) — decision.
    if u.count != t.count || (t.count <= 4 && t.allSatisfy(\.isASCIIDigit)) { return .bad }
    if case .success(let d)? = parseDate(t) { return .day(d) }
    return .bad
}

// MARK: - departments.csv

/// An organisation that can lead or support a task: its 名称 and 简称.
public struct Department: Sendable, Hashable {
    public var name: String
    public var shortNames: [String]
    public var location: SourceLocation

    /// As a party of the plan.
    public var party: Party { Party(kind: .department, name: name) }
}

/// The departments of departments.csv, found by 名称 or any 简称 after cell normalisation.
public struct DepartmentDirectory: Sendable {
    public private(set) var departments: [Department] = []
    private var byName: [String: Int] = [:]

    public init() {}

    /// Builds a directory from departments (later duplicates of a name or 简称 are the caller's to report).
    public init(_ departments: [Department]) {
        for d in departments { _ = add(d) }
    }

    /// The department `text` names, by 名称 or 简称.
    public func resolve(_ text: String) -> Department? { byName[normalizeName(text)].map { departments[$0] } }

    /// Up to `limit` names (名称 or 简称) closest to `text`, for "did you mean" hints.
    public func nearestNames(to text: String, limit: Int = 3) -> [String] {
        QualityTown.nearestNames(to: text, among: departments.flatMap { d in ([d.name] + d.shortNames).map { ($0, d.name) } }, limit: limit)
    }

    /// Adds `d`; returns the names (名称 or 简称) already taken by another department, which are not
    /// added for it.
    mutating func add(_ d: Department) -> [String] {
        var taken: [String] = []
        var keep = d
        keep.shortNames = []
        let i = departments.count
        for n in [d.name] + d.shortNames {
            let k = normalizeName(n)
            if let j = byName[k], j != i { taken.append(n); continue }
            byName[k] = i
            if n != d.name && !keep.shortNames.contains(n) { keep.shortNames.append(n) }
        }
        departments.append(keep)
        return taken
    }
}

/// `\(file) 是空文件：需要列 …`, listing the sheet's columns.
func emptyPlanSheet(_ sheet: SheetSpec, file: String, diagnostics: inout DiagnosticBag) {
    diagnostics.error("empty-file", "\(file) 是空文件：需要列 \(sheet.listedHeaders.joined(separator: ", "))", at: SourceLocation(file: file))
}

/// One error for each required (key) column of `sheet` the header lacks, listing the sheet's
/// columns; true when there was one (the sheet's rows are then not read).
func missingKeyColumns(_ map: HeaderMap, _ sheet: SheetSpec, file: String, line: Int, diagnostics: inout DiagnosticBag) -> Bool {
    var missing = false
    for key in sheet.required where map.index[key] == nil {
        diagnostics.error("missing-key-column", "\(file) 缺少关键列“\(sheet.header(key))”；需要列 \(sheet.listedHeaders.joined(separator: ", "))",
                          at: SourceLocation(file: file, line: line))
        missing = true
    }
    return missing
}

/// Reads the departments sheet (名称 and 简称 as the scheme heads them; 简称 is a list). A repeated
/// 名称 is an error (the later row not used); a 简称 that already names another department is an
/// error (not used for this one).
public func readDepartments(_ table: CSVTable, file: String, sheets: PlanSheetSet, words: PlanWords,
                            diagnostics: inout DiagnosticBag) -> DepartmentDirectory {
    var dir = DepartmentDirectory()
    let sheet = sheets.departments
    guard let header = table.records.first else {
        emptyPlanSheet(sheet, file: file, diagnostics: &diagnostics)
        return dir
    }
    let map = mapHeader(header, known: sheet.columns, file: file, diagnostics: &diagnostics)
    var unknownCells: [Int: [SourceLocation]] = [:]
    defer { diagnostics.append(contentsOf: unknownColumnDiagnostics(map, cells: unknownCells, file: file)) }
    guard !missingKeyColumns(map, sheet, file: file, line: header.line, diagnostics: &diagnostics), let nameCol = map.index["name"] else { return dir }
    let nameH = sheet.header("name"), shortH = sheet.header("short"), department = words.label("kind.department")
    for record in table.records.dropFirst() where !record.isBlank {
        let cells = RowCells(record: record, file: file)
        reportUnusedCells(record, map: map, file: file, into: &unknownCells, diagnostics: &diagnostics)
        let name = trimCell(cells.text(nameCol))
        guard !name.isEmpty else {
            diagnostics.error("missing-value", "\(department)行缺少“\(nameH)”，该行未使用", at: cells.location(nameCol))
            continue
        }
        if let prev = dir.resolve(name) {
            diagnostics.error("duplicate-department", "\(department)\(nameH)\(quoted(name))已在 \(prev.location.description) 出现（作为\(nameH)或\(shortH)），本行未使用",
                              at: cells.location(nameCol))
            continue
        }
        let shorts = map.index["short"].map { splitList(cells.text($0)) } ?? []
        let d = Department(name: name, shortNames: shorts.filter { normalizeName($0) != normalizeName(name) },
                           location: cells.location(nameCol))
        for taken in dir.add(d) {
            diagnostics.error("conflict", "\(shortH)\(quoted(taken))已是另一个\(department)（\(dir.resolve(taken)?.name ?? "")）的\(nameH)或\(shortH)，不作为“\(name)”的\(shortH)",
                              at: cells.location(map.index["short"] ?? nameCol))
        }
    }
    return dir
}

// MARK: - Shared row helpers

/// A record's cells by column, with their positions.
struct RowCells {
    let record: CSVRecord
    let file: String

    func field(_ col: Int) -> CSVField? { col >= 1 && col <= record.fields.count ? record.fields[col - 1] : nil }
    func text(_ col: Int) -> String { field(col)?.text ?? "" }
    func location(_ col: Int) -> SourceLocation {
        SourceLocation(file: file, line: field(col)?.line ?? record.line, column: col, row: record.row)
    }
}

/// The county-level units a plan's 责任县区 may name, found by code or 名称.
public struct CountyDirectory: Sendable {
    public var city: Unit?
    public var counties: [Unit]

    /// The county-level units under `city` in `tree` (all county-level units when `city` is nil).
    public init(tree: UnitTree, city: String?) {
        self.city = city.flatMap { tree.unit($0) }
        counties = tree.units.filter { u in
            u.level.tier == .county && (city == nil || tree.ancestor(of: u.code, at: .city)?.code == city)
        }
    }

    public init(city: Unit?, counties: [Unit]) {
        self.city = city
        self.counties = counties
    }

    /// The county `text` names (code or 名称).
    public func resolve(_ text: String) -> Unit? {
        let t = normalizeName(text)
        return counties.first { $0.code == t || normalizeName($0.name) == t }
    }

    /// True when `text` names the city itself.
    public func isCity(_ text: String) -> Bool {
        guard let city else { return false }
        let t = normalizeName(text)
        return city.code == t || normalizeName(city.name) == t
    }

    /// Up to `limit` county names closest to `text`.
    public func nearestNames(to text: String, limit: Int = 3) -> [String] {
        let target = Array(normalizeName(text))
        var scored: [(Int, String)] = []
        for u in counties {
            if let d = editDistance(target, Array(normalizeName(u.name)), bound: Swift.max(2, target.count / 2)) {
                scored.append((d, u.name))
            }
        }
        scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return scored.prefix(limit).map { $0.1 }
    }

    /// Every county as a party, in units.csv order.
    public var parties: [Party] { counties.map { Party(kind: .county, name: $0.name, code: $0.code) } }
}

/// Cells no column name covers: right of the last header (a warning each), or under an unknown
/// header (gathered for the column's one warning, `unknownColumnDiagnostics`); never silently
/// dropped (io-contract.md, Errors).
func reportUnusedCells(_ record: CSVRecord, map: HeaderMap, file: String, into unknown: inout [Int: [SourceLocation]],
                       diagnostics: inout DiagnosticBag) {
    reportExtraCells(record, map: map, file: file, diagnostics: &diagnostics)
    collectUnknownColumnCells(record, map: map, file: file, into: &unknown)
}

/// `（是否应为：A、B？）` when there are suggestions.
func suggestion(_ names: [String]) -> String {
    names.isEmpty ? "" : "（是否应为：\(names.joined(separator: "、"))？）"
}

// MARK: - tasks.csv (附件2 工作责任分解表)

/// The responsibility table read: usable rows by task, and the tasks without one.
public struct TaskSheet: Sendable {
    public var assignments: [TaskID: TaskAssignment] = [:]
    /// Plan tasks with no usable row (one warning each).
    public var unassigned: [TaskID] = []
}

/// Reads tasks.csv against the plan's tasks (§3, §6): ids in any spelling, lists of departments
/// and counties, 完成时限 in any form. Unknown task, missing lead and conflicting rows are not used.
public func readTasks(_ table: CSVTable, file: String, tasks: [PlanTask], stages: [PlanStage],
                      vocabulary: PlanVocabulary, sheets: PlanSheetSet, words: PlanWords,
                      departments: DepartmentDirectory, counties: CountyDirectory,
                      diagnostics: inout DiagnosticBag) -> TaskSheet {
    var sheet = TaskSheet()
    let spec = sheets.tasks
    let known = Set(tasks.map(\.id))
    guard let header = table.records.first else {
        emptyPlanSheet(spec, file: file, diagnostics: &diagnostics)
        sheet.unassigned = tasks.map(\.id)
        return sheet
    }
    let map = mapHeader(header, known: spec.columns, file: file, diagnostics: &diagnostics)
    var unknownCells: [Int: [SourceLocation]] = [:]
    defer { diagnostics.append(contentsOf: unknownColumnDiagnostics(map, cells: unknownCells, file: file)) }
    let missingKey = missingKeyColumns(map, spec, file: file, line: header.line, diagnostics: &diagnostics)
    let taskH = spec.header("task"), leadH = spec.header("lead"), partnersH = spec.header("partners")
    let countiesH = spec.header("counties"), deadlineH = spec.header("deadline")
    let departmentsFile = sheets.departments.file, countyKind = words.label("kind.county")
    var rows: [TaskID: [(TaskAssignment?, SourceLocation)]] = [:]
    if !missingKey, let idCol = map.index["task"], let leadCol = map.index["lead"], let dueCol = map.index["deadline"] {
        for record in table.records.dropFirst() where !record.isBlank {
            let cells = RowCells(record: record, file: file)
            reportUnusedCells(record, map: map, file: file, into: &unknownCells, diagnostics: &diagnostics)
            let idText = trimCell(cells.text(idCol))
            guard let id = parseTaskID(idText), known.contains(id) else {
                diagnostics.error("unknown-task", "\(taskH)\(quoted(idText))不是方案中的任务（应为 1.1 … 的形式，如 1.1、1-1、（一）1、一、1），该行未使用",
                                  at: cells.location(idCol))
                continue
            }
            func departmentsIn(_ col: Int, _ label: String) -> [Party] {
                var out: [Party] = []
                for name in splitList(cells.text(col)) {
                    guard let d = departments.resolve(name) else {
                        diagnostics.error("unknown-department", "\(label)\(quoted(name))不在 \(departmentsFile) 中\(suggestion(departments.nearestNames(to: name)))，该单位未使用",
                                          at: cells.location(col))
                        continue
                    }
                    if !out.contains(d.party) { out.append(d.party) }
                }
                return out
            }
            let leads = departmentsIn(leadCol, leadH)
            let partners = map.index["partners"].map { departmentsIn($0, partnersH) }?.filter { !leads.contains($0) } ?? []
            var countyParties: [Party] = []
            if let col = map.index["counties"] {
                for name in splitList(cells.text(col)) {
                    if vocabulary.allCounties.contains(where: { bracketless($0) == bracketless(name) }) {
                        for p in counties.parties where !countyParties.contains(p) { countyParties.append(p) }
                        continue
                    }
                    guard let u = counties.resolve(name) else {
                        diagnostics.error("unknown-unit", "\(countiesH)\(quoted(name))不是本市的\(countyKind)\(suggestion(counties.nearestNames(to: name)))，该单位未使用",
                                          at: cells.location(col))
                        continue
                    }
                    let p = Party(kind: .county, name: u.name, code: u.code)
                    if !countyParties.contains(p) { countyParties.append(p) }
                }
            }
            let dueText = trimCell(cells.text(dueCol))
            let deadline: Deadline
            switch parseDeadline(dueText, stages: stages, vocabulary: vocabulary) {
            case .day(let d): deadline = .day(d)
            case .ongoing: deadline = .ongoing
            case .bad:
                deadline = .none
                diagnostics.error("bad-deadline", "\(deadlineH)\(quoted(dueText))无法识别，应为日期（2018-12-31）、月份（2018年12月、2018-12，可加“底”或“前”）、年份（2019年、2019年底、2019年前）、阶段名称或“\(vocabulary.ongoing.joined(separator: "、"))”；该任务按无时限处理",
                                  at: cells.location(dueCol))
            }
            let loc = cells.location(idCol)
            if leads.isEmpty {
                diagnostics.error("missing-lead", "任务 \(id) 没有可识别的\(leadH)\(trimCell(cells.text(leadCol)).isEmpty ? "（为空）" : "")，该行未使用",
                                  at: cells.location(leadCol))
                rows[id, default: []].append((nil, loc))
                continue
            }
            rows[id, default: []].append((TaskAssignment(task: id, leads: leads, partners: partners, counties: countyParties,
                                                          deadline: deadline, deadlineText: dueText, location: loc), loc))
        }
    }
    for (id, list) in rows.sorted(by: { $0.key < $1.key }) {
        if list.count == 1 {
            if let a = list[0].0 { sheet.assignments[id] = a }
            continue
        }
        // A task on two rows: each row is rejected, naming the others (§6).
        for (i, row) in list.enumerated() {
            let others = list.enumerated().filter { $0.offset != i }.map { "第 \($0.element.1.row ?? 0) 行（\($0.element.1.cell ?? "")）" }
            diagnostics.error("conflict", "任务 \(id) 在 \(file) 中出现多次（另见\(others.joined(separator: "、"))），这些行都未使用",
                              at: row.1)
        }
    }
    for t in tasks where sheet.assignments[t.id] == nil {
        sheet.unassigned.append(t.id)
        diagnostics.warning("unassigned", "任务 \(t.id)（\(t.title)）在 \(file) 中没有可用的行，\(words.label("note.unassigned"))", at: SourceLocation(file: file))
    }
    return sheet
}

// MARK: - progress.csv (进展报送)

/// True when a name looks like an administrative unit rather than a department: digits, or
/// ending in 县, 区 or 市 (§6).
func looksLikeUnit(_ s: String) -> Bool {
    let t = normalizeName(s)
    return t.contains(where: \.isASCIIDigit) || t.hasSuffix("县") || t.hasSuffix("区") || t.hasSuffix("市")
}

/// Reads progress.csv (§3, §6). Returns the usable reports dated no later than `asOf`, in file
/// order (`order` numbers them across calls from `firstOrder`).
public func readProgress(_ table: CSVTable, file: String, assignments: [TaskID: TaskAssignment], tasks: [PlanTask],
                         vocabulary: PlanVocabulary, sheets: PlanSheetSet, words: PlanWords,
                         departments: DepartmentDirectory, counties: CountyDirectory,
                         asOf: Day, firstOrder: Int = 0, diagnostics: inout DiagnosticBag) -> [ProgressReport] {
    var out: [ProgressReport] = []
    let spec = sheets.progress
    let known = Set(tasks.map(\.id))
    guard let header = table.records.first else {
        emptyPlanSheet(spec, file: file, diagnostics: &diagnostics)
        return out
    }
    let map = mapHeader(header, known: spec.columns, file: file, diagnostics: &diagnostics)
    var unknownCells: [Int: [SourceLocation]] = [:]
    defer { diagnostics.append(contentsOf: unknownColumnDiagnostics(map, cells: unknownCells, file: file)) }
    guard !missingKeyColumns(map, spec, file: file, line: header.line, diagnostics: &diagnostics),
          let idCol = map.index["task"], let whoCol = map.index["reporter"],
          let stateCol = map.index["state"], let dateCol = map.index["reported"] else { return out }
    let doneCol = map.index["completed"], noteCol = map.index["note"]
    let taskH = spec.header("task"), whoH = spec.header("reporter"), stateH = spec.header("state")
    let doneH = spec.header("completed"), dateH = spec.header("reported")
    let roles = [sheets.tasks.header("lead"), sheets.tasks.header("partners"), sheets.tasks.header("counties")]
    let departmentsFile = sheets.departments.file, countyKind = words.label("kind.county")
    var order = firstOrder
    for record in table.records.dropFirst() where !record.isBlank {
        let cells = RowCells(record: record, file: file)
        reportUnusedCells(record, map: map, file: file, into: &unknownCells, diagnostics: &diagnostics)
        order += 1
        var errors: [Diagnostic] = []
        // 报送日期 first: a report dated after the as-of date is not yet known, and gets only
        // `future-report` (§6).
        var reported: Day?
        switch readCell(cells.text(dateCol), as: .date, header: dateH, at: cells.location(dateCol)) {
        case .value(.day(let d)): reported = d
        case .rejected(let d): errors.append(d)
        default:
            errors.append(Diagnostic(.error, "missing-value", "缺少“\(dateH)”，该报送未使用", at: cells.location(dateCol)))
        }
        if let r = reported, r > asOf {
            diagnostics.warning("future-report", "\(dateH) \(r) 晚于统计日期 \(asOf)，该报送尚不计入", at: cells.location(dateCol))
            continue
        }
        let idText = trimCell(cells.text(idCol))
        let id = parseTaskID(idText).flatMap { known.contains($0) ? $0 : nil }
        if id == nil {
            errors.append(Diagnostic(.error, "unknown-task", "\(taskH)\(quoted(idText))不是方案中的任务，该报送未使用", at: cells.location(idCol)))
        }
        let who = trimCell(cells.text(whoCol))
        var reporter: Party?
        var reporterIsCity = false
        if who.isEmpty {
            errors.append(Diagnostic(.error, "missing-value", "缺少“\(whoH)”，该报送未使用", at: cells.location(whoCol)))
        } else if let d = departments.resolve(who) {
            reporter = d.party
        } else if let u = counties.resolve(who) {
            reporter = Party(kind: .county, name: u.name, code: u.code)
        } else if counties.isCity(who) {
            reporterIsCity = true
        } else if looksLikeUnit(who) {
            errors.append(Diagnostic(.error, "unknown-unit", "\(whoH)\(quoted(who))不是本市的\(countyKind)\(suggestion(counties.nearestNames(to: who)))，该报送未使用",
                                     at: cells.location(whoCol)))
        } else {
            errors.append(Diagnostic(.error, "unknown-department", "\(whoH)\(quoted(who))不在 \(departmentsFile) 中\(suggestion(departments.nearestNames(to: who)))，该报送未使用",
                                     at: cells.location(whoCol)))
        }
        let stateText = trimCell(cells.text(stateCol))
        let state = vocabulary.progressState(stateText)
        if state == nil {
            errors.append(Diagnostic(.error, "type-error", "“\(stateH)”列的值\(quoted(stateText))无法识别，应为 \(vocabulary.progressSpellings)；该报送未使用",
                                     at: cells.location(stateCol)))
        }
        var completed: Day?
        var completedText = ""
        if let col = doneCol {
            completedText = trimCell(cells.text(col))
            switch readCell(cells.text(col), as: .date, header: doneH, at: cells.location(col)) {
            case .value(.day(let d)): completed = d
            case .rejected(let d): errors.append(d)
            default: break
            }
            if let c = completed, let r = reported, c > r {
                errors.append(Diagnostic(.error, "date-order", "\(doneH) \(c) 晚于\(dateH) \(r)，该报送未使用", at: cells.location(col)))
            }
        }
        // Not a party: a report on an unassigned task, by the city itself, or by a unit or
        // department with no role on the task (§3, §6).
        if let id, reporter != nil || reporterIsCity {
            let a = assignments[id]
            if reporterIsCity || a == nil || a!.role(of: reporter!) == nil {
                let why = a == nil ? "任务 \(id) \(words.label("note.unassigned"))（\(words.label("note.no-row"))）" : "不是任务 \(id) 的\(roles[0])、\(roles[1])或\(roles[2])"
                errors.append(Diagnostic(.error, "not-a-party", "\(whoH)\(quoted(who))\(why)，该报送未使用", at: cells.location(whoCol)))
            }
        }
        if !errors.isEmpty {
            diagnostics.append(contentsOf: errors)
            continue
        }
        guard let id, let reporter, let (st, wording) = state, let reported else { continue }
        if st == .done && completed == nil {
            diagnostics.warning("missing-completion-date", "\(stateH)为“\(wording)”但没有\(doneH)，按\(dateH) \(reported) 计为\(doneH)",
                                at: cells.location(doneCol ?? stateCol))
            completed = reported
        } else if st != .done && completed != nil {
            diagnostics.warning("completion-date-ignored", "\(stateH)为“\(wording)”，\(doneH)\(quoted(completedText))不使用",
                                at: cells.location(doneCol!))
            completed = nil
        }
        out.append(ProgressReport(task: id, reporter: reporter, state: st, wording: wording, completed: completed,
                                  note: noteCol.map { trimCell(cells.text($0)) } ?? "", reported: reported,
                                  order: order, location: SourceLocation(file: file, line: record.line, row: record.row)))
    }
    return out
}

// MARK: - reference.csv (values set from outside)

/// A value set from outside for a year, with where it was given.
public struct ReferenceValue: Sendable, Hashable {
    public var key: String
    public var year: Int
    /// `.value`, or `.error` after a conflict.
    public var value: Measure
    public var source: String
    public var location: SourceLocation
}

/// The values of reference.csv by (key, year).
public struct ReferenceTable: Sendable {
    public var values: [String: ReferenceValue] = [:]

    public init() {}

    static func slot(_ key: String, _ year: Int) -> String { "\(key)@\(year)" }

    /// The value for `key` in `year`: `.noData` when absent, `.error` when given in conflict.
    public func measure(_ key: String, _ year: Int) -> Measure { values[Self.slot(key, year)]?.value ?? .noData }
}

/// Reads reference.csv. `labels` maps each accepted 指标 (as the scheme names it) to its key.
/// An unknown 指标 is an error; the same (指标, 年度) twice with different values a conflict (§4).
public func readReference(_ table: CSVTable, file: String, labels: [String: String], sheets: PlanSheetSet,
                          diagnostics: inout DiagnosticBag) -> ReferenceTable {
    var ref = ReferenceTable()
    let spec = sheets.reference
    guard let header = table.records.first else {
        emptyPlanSheet(spec, file: file, diagnostics: &diagnostics)
        return ref
    }
    let map = mapHeader(header, known: spec.columns, file: file, diagnostics: &diagnostics)
    var unknownCells: [Int: [SourceLocation]] = [:]
    defer { diagnostics.append(contentsOf: unknownColumnDiagnostics(map, cells: unknownCells, file: file)) }
    guard !missingKeyColumns(map, spec, file: file, line: header.line, diagnostics: &diagnostics),
          let nameCol = map.index["indicator"], let yearCol = map.index["year"], let valueCol = map.index["value"] else { return ref }
    let nameH = spec.header("indicator"), yearH = spec.header("year"), valueH = spec.header("value")
    let byLabel = Dictionary(labels.map { (normalizeHeader($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
    for record in table.records.dropFirst() where !record.isBlank {
        let cells = RowCells(record: record, file: file)
        reportUnusedCells(record, map: map, file: file, into: &unknownCells, diagnostics: &diagnostics)
        let label = trimCell(cells.text(nameCol))
        guard let key = byLabel[normalizeHeader(label)] else {
            diagnostics.error("unknown-reference", "\(nameH)\(quoted(label))不是本方案的参考值，应为 \(labels.keys.sorted().joined(separator: "、"))；该行未使用",
                              at: cells.location(nameCol))
            continue
        }
        var year: Int?
        switch readCell(cells.text(yearCol), as: .year, header: yearH, at: cells.location(yearCol)) {
        case .value(.integer(let y)): year = y
        case .rejected(let d): diagnostics.append(d)
        default: diagnostics.error("missing-value", "缺少“\(yearH)”，该行未使用", at: cells.location(yearCol))
        }
        var raw = cells.text(valueCol)
        if halfWidth(trimCell(raw)).hasSuffix("%") { raw = String(halfWidth(trimCell(raw)).dropLast()) }
        var value: Rational?
        switch readCell(raw, as: .points, header: valueH, at: cells.location(valueCol)) {
        case .value(let v): value = v.rational
        case .rejected(let d): diagnostics.append(d)
        default: diagnostics.error("missing-value", "\(nameH)\(quoted(label))缺少“\(valueH)”，该行未使用", at: cells.location(valueCol))
        }
        guard let year, let value else { continue }
        let slot = ReferenceTable.slot(key, year)
        let source = map.index["source"].map { trimCell(cells.text($0)) } ?? ""
        if let prev = ref.values[slot] {
            if prev.value == .value(value) { continue }
            diagnostics.error("conflict", "\(label) \(year) 年的值 \(value.plain()) 与 \(prev.location.description)（\(prev.location.cell ?? "")）的值不同，两处都不使用",
                              at: cells.location(valueCol))
            if case .value(let earlier) = prev.value {
                diagnostics.error("conflict", "\(label) \(year) 年的值 \(earlier.plain()) 与 \(cells.location(valueCol).description)（\(cells.location(valueCol).cell ?? "")）的值 \(value.plain()) 不同，两处都不使用",
                                  at: prev.location)
            }
            ref.values[slot]?.value = .error
            continue
        }
        ref.values[slot] = ReferenceValue(key: key, year: year, value: .value(value), source: source, location: cells.location(valueCol))
    }
    return ref
}
