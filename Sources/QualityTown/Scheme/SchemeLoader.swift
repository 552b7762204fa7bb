import Foundation

// MARK: - Finding and loading templates/<scheme>/scheme.xml

/// Why a scheme could not be loaded (exit status 2), with file and line for each problem.
public struct SchemeError: Error, Sendable, CustomStringConvertible {
    public var problems: [Diagnostic]
    public var description: String { problems.map(\.line).joined(separator: "\n") }

    init(_ message: String, file: String, line: Int? = nil) {
        problems = [Diagnostic(.error, "scheme-error", message, at: SourceLocation(file: file, line: line), stage: .scheme)]
    }

    init(problems: [Diagnostic]) { self.problems = problems }
}

/// Folders that may hold `templates/`: `$QTOWN_TEMPLATES`, the working directory, and the
/// folders above the executable (a checkout's `.build/debug/qtown` finds the checkout's).
func templateRoots() -> [String] {
    var roots: [String] = []
    if let env = ProcessInfo.processInfo.environment["QTOWN_TEMPLATES"], !env.isEmpty { roots.append(env) }
    roots.append(FileManager.default.currentDirectoryPath + "/templates")
    var exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<5 {
        roots.append(exe.path + "/templates")
        roots.append(exe.path + "/share/qtown/templates")
        exe.deleteLastPathComponent()
    }
    return roots
}

/// Resolves `--scheme`: a folder path holding scheme.xml, or a name under a templates root.
public func locateScheme(_ nameOrPath: String) throws(SchemeError) -> String {
    let fm = FileManager.default
    if nameOrPath.contains("/") || fm.fileExists(atPath: nameOrPath + "/scheme.xml") {
        guard fm.fileExists(atPath: nameOrPath + "/scheme.xml") else {
            throw SchemeError("方案文件夹 \(nameOrPath) 中没有 scheme.xml", file: nameOrPath)
        }
        return nameOrPath
    }
    for root in templateRoots() where fm.fileExists(atPath: root + "/" + nameOrPath + "/scheme.xml") {
        return root + "/" + nameOrPath
    }
    let known = templateRoots().flatMap { root in
        ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter { fm.fileExists(atPath: root + "/" + $0 + "/scheme.xml") }
    }
    throw SchemeError("找不到方案“\(nameOrPath)”" + (known.isEmpty ? "（没有找到 templates/ 文件夹）" : "；已有方案：" + Set(known).sorted().joined(separator: "、")),
                      file: nameOrPath)
}

/// Loads and checks a scheme folder: scheme.xml validated against ../scheme.xsd, then
/// cross-references (rates and weights name known indicators; headers are distinct).
public func loadScheme(_ dir: String) throws(SchemeError) -> Scheme {
    let fm = FileManager.default
    let file = dir + "/scheme.xml"
    let display = (dir as NSString).lastPathComponent + "/scheme.xml"
    guard let data = fm.contents(atPath: file) else { throw SchemeError("无法读取 \(file)", file: display) }
    let (parsed, messages) = XMLDocument.parseXML([UInt8](data), name: display)
    guard let doc = parsed, let root = doc.root else {
        throw SchemeError(problems: messages.map { $0.diagnostic(stage: .scheme, code: "scheme-error") })
    }
    try validate(doc, against: (dir as NSString).deletingLastPathComponent + "/scheme.xsd", display: display)
    var reader = SchemeReader(file: display, dir: dir)
    return try reader.read(root)
}

/// Validates a scheme's document (scheme.xml, plan.xml) against its schema in templates/
/// (`scheme.xsd`, `plan.xsd`) through libxml2; a violation is thrown with its line.
func validate(_ doc: XMLDocument, against xsdPath: String, display: String) throws(SchemeError) {
    let name = (xsdPath as NSString).lastPathComponent
    guard let xsdData = FileManager.default.contents(atPath: xsdPath) else { throw SchemeError("找不到方案格式文件 \(xsdPath)", file: display) }
    let (xsdDoc, xsdMessages) = XMLDocument.parseXML([UInt8](xsdData), name: name)
    guard let xsdDoc else { throw SchemeError(problems: xsdMessages.map { $0.diagnostic(stage: .scheme, code: "scheme-error") }) }
    let schema: XMLSchema
    do {
        schema = try XMLSchema(xsdDoc)
    } catch {
        throw SchemeError(problems: error.messages.map { $0.diagnostic(stage: .scheme, code: "scheme-error") })
    }
    let violations = schema.validate(doc)
    if !violations.isEmpty {
        throw SchemeError(problems: violations.map { $0.diagnostic(stage: .scheme, code: "scheme-invalid") })
    }
}

/// Reads a validated scheme document into values and checks what a schema cannot.
private struct SchemeReader {
    let file: String
    let dir: String
    var problems: [Diagnostic] = []

    init(file: String, dir: String) {
        self.file = file
        self.dir = dir
    }

    mutating func problem(_ message: String, _ e: XMLElement) {
        problems.append(Diagnostic(.error, "scheme-error", message, at: SourceLocation(file: file, line: e.line), stage: .scheme))
    }

    func child(_ e: XMLElement, _ name: String) -> XMLElement? { e.childElements.first { $0.name == name } }

    func aliases(_ e: XMLElement) -> [String] { e.childElements.filter { $0.name == "alias" }.map(\.textContent) }

    mutating func read(_ root: XMLElement) throws(SchemeError) -> Scheme {
        var indicators: [Indicator] = []
        var lines: [String: XMLElement] = [:]
        for e in child(root, "indicators")?.childElements ?? [] {
            let kind = IndicatorKind(rawValue: e.attribute("kind") ?? "")!
            var range: ClosedRange<Int>?
            if kind == .level {
                let lo = Int(e.attribute("min") ?? "0") ?? 0, hi = Int(e.attribute("max") ?? "5") ?? 5
                if lo > hi { problem("指标 \(e.attribute("id")!) 的 min 大于 max", e) } else { range = lo...hi }
            }
            let ind = Indicator(id: e.attribute("id")!, header: e.attribute("header")!, aliases: aliases(e), kind: kind,
                                range: range, weight: e.attribute("weight"),
                                countyLevel: e.attribute("county-level") == "true" || e.attribute("county-level") == "1",
                                department: e.attribute("department") ?? "")
            if kind == .score && ind.weight == nil { problem("得分类指标 \(ind.id) 需要 weight（样本数指标）", e) }
            indicators.append(ind)
            lines[ind.id] = e
        }
        let ids = Set(indicators.map(\.id))
        for ind in indicators {
            if let w = ind.weight, !ids.contains(w) { problem("指标 \(ind.id) 的权重 \(w) 不是已定义的指标", lines[ind.id]!) }
        }
        var headers: [String: String] = [:]
        for ind in indicators {
            for h in [ind.header] + ind.aliases {
                let n = normalizeHeader(h)
                if let other = headers[n], other != ind.id { problem("列名“\(h)”同时属于 \(other) 和 \(ind.id)", lines[ind.id]!) }
                headers[n] = ind.id
            }
        }
        var rates: [DerivedRate] = []
        for e in child(root, "rates")?.childElements ?? [] {
            let r = DerivedRate(id: e.attribute("id")!, label: e.attribute("label")!,
                                numerator: e.attribute("numerator")!, denominator: e.attribute("denominator")!)
            for part in [r.numerator, r.denominator] where !ids.contains(part) {
                problem("比率 \(r.id) 引用了未定义的指标 \(part)", e)
            }
            if ids.contains(r.id) { problem("比率 \(r.id) 与指标同名", e) }
            rates.append(r)
        }
        var sheets: [SheetSpec] = []
        for e in child(root, "sheets")?.childElements ?? [] {
            var columns: [ColumnSpec] = []
            var required: [String] = []
            var oneOf: [[String]] = []
            var unread: Set<String> = []
            for c in e.childElements {
                if c.name == "unit-key" { oneOf.append(["代码", "名称"]); continue }
                let kind: CellKind
                switch c.attribute("kind")! {
                case "count": kind = .count
                case "percent": kind = .percent
                case "score": kind = .score
                case "points": kind = .points
                case "flag": kind = .flag
                case "year": kind = .year
                case "month": kind = .month
                case "quarter": kind = .quarter
                case "date": kind = .date
                case "code": kind = .code
                case "amount": kind = .amount
                case "rank": kind = .rank
                default: kind = .text
                }
                let spec = ColumnSpec(id: c.attribute("id")!, header: c.attribute("header")!, aliases: aliases(c), kind: kind)
                columns.append(spec)
                if c.attribute("required") == "true" { required.append(spec.id) }
                if c.attribute("blank") == "false" { unread.insert(spec.id) }
            }
            sheets.append(SheetSpec(id: e.attribute("id")!, file: e.attribute("file")!, title: e.attribute("title")!,
                                    columns: columns, required: required, requiredOneOf: oneOf, unread: unread))
        }
        var scheme = Scheme(id: root.attribute("id")!, name: root.attribute("name")!, source: root.attribute("source")!,
                            indicators: indicators, rates: rates, sheets: sheets, directory: dir)
        for (i, ind) in indicators.enumerated() { scheme.indicatorIndex[ind.id] = i }
        let known = ids.union(rates.map(\.id))
        scheme.targets = (child(root, "targets")?.childElements ?? []).map { e in
            let t = Target(id: e.attribute("id")!, indicator: e.attribute("indicator")!, op: Comparison(rawValue: e.attribute("op")!)!,
                           value: e.attribute("value").flatMap { $0 == "true" ? Rational(1) : parseDecimal($0, allowPercent: false) },
                           ref: e.attribute("ref"), label: e.attribute("label")!, clause: e.attribute("clause")!,
                           requirement: e.attribute("requirement")!)
            for i in [t.indicator] + (t.ref.map { [$0] } ?? []) where !known.contains(i) { problem("目标 \(t.id) 引用了未定义的指标 \(i)", e) }
            if t.value == nil && t.ref == nil { problem("目标 \(t.id) 需要 value 或 ref", e) }
            return t
        }
        if let r = child(root, "rubric") { scheme.rubric = readRubric(r, known: known, sheets: sheets) }
        if let e = child(root, "eligibility") {
            var conditions: [EligibilityCondition] = []
            var manual: [(String, String)] = []
            var statusLabels: [EligibilityStatus: String] = [:]
            for c in e.childElements {
                if c.name == "status" { statusLabels[EligibilityStatus(rawValue: c.attribute("id")!)!] = c.attribute("label")!; continue }
                if c.name == "manual-condition" { manual.append((c.attribute("clause")!, c.attribute("text")!)); continue }
                guard let ruleEl = c.childElements.first else { continue }
                conditions.append(EligibilityCondition(id: c.attribute("id")!, clause: c.attribute("clause")!, text: c.attribute("text")!,
                                                       rule: readRule(ruleEl, known: known), eachYear: c.attribute("each-year") == "true"))
            }
            let unnamed = EligibilityStatus.allCases.filter { statusLabels[$0] == nil }
            if !unnamed.isEmpty {
                problem("申报资格缺少结论的名称：" + unnamed.map { "<status id=\"\($0.rawValue)\" label=\"…\"/>" }.joined(separator: "、"), e)
            }
            scheme.eligibility = Eligibility(years: Int(e.attribute("years")!)!, conditions: conditions, manual: manual, statusLabels: statusLabels)
        }
        if let e = child(root, "lifecycle") {
            // Every column the lifecycle reads is a column of its sheet.
            let sheetID = e.attribute("sheet")!
            if let sheet = sheetNamed(sheetID, "生命周期", e, sheets: sheets) {
                let named = e.childElements.filter { $0.name == "step" }.flatMap { st in
                    [("步骤“\(st.attribute("label")!)”的 column", st.attribute("column"), st), ("步骤“\(st.attribute("label")!)”的 conclusion", st.attribute("conclusion"), st)]
                } + [("category-column", e.attribute("category-column"), e)]
                for (what, column, at) in named { if let column { columnOf(sheet, column, "生命周期 \(what)", at) } }
            }
            let rev = child(e, "revocation")
            let revIDs = rev?.attribute("indicators")?.split(separator: " ").map(String.init) ?? []
            for i in revIDs where !known.contains(i) { problem("撤销条件引用了未定义的指标 \(i)", rev!) }
            // The stages, in document order: every stage a step, role or the goal names must be one.
            var labels: [StageID: String] = [:]
            var stages: [StageID] = []
            for st in e.childElements where st.name == "stage" {
                stages.append(st.attribute("id")!)
                labels[st.attribute("id")!] = st.attribute("label")!
            }
            func declared(_ id: String, _ what: String, _ at: XMLElement) {
                if labels[id] == nil {
                    problem("生命周期的 \(what) 引用了未声明的阶段 \(id)（已声明：" + stages.joined(separator: "、") + "）；请添加 <stage id=\"\(id)\" label=\"…\"/>", at)
                }
            }
            let steps = e.childElements.filter { $0.name == "step" }.map { st in
                let step = LifecycleStep(column: st.attribute("column")!, stage: st.attribute("stage"),
                                         label: st.attribute("label")!, conclusion: st.attribute("conclusion"),
                                         positive: st.attribute("positive")?.split(separator: " ").map(String.init) ?? [],
                                         negative: st.attribute("negative")?.split(separator: " ").map(String.init) ?? [],
                                         failed: st.attribute("failed"), optional: st.attribute("optional") == "true")
                if let s = step.stage { declared(s, "步骤“\(step.label)”的 stage", st) }
                if let s = step.failed { declared(s, "步骤“\(step.label)”的 failed", st) }
                return step
            }
            for st in steps where st.conclusion != nil && (st.failed == nil || st.positive.isEmpty || st.negative.isEmpty) {
                problem("步骤“\(st.label)”有结论列，需要 positive、negative 和 failed", e)
            }
            let roles = ["initial", "creation-stage", "name-stage", "lapsed-stage"].map { ($0, e.attribute($0)!) }
            for (name, id) in roles { declared(id, name, e) }
            let creating = e.attribute("creating-stages")!.split(separator: " ").map(String.init)
            for id in creating { declared(id, "creating-stages", e) }
            // The creation and name periods start on the date of the step that reaches their stage.
            for (name, id) in roles where name == "creation-stage" || name == "name-stage" {
                if labels[id] != nil, !steps.contains(where: { $0.stage == id }) {
                    problem("生命周期的 \(name)“\(id)”不是任何步骤（<step stage>）到达的阶段，期限无从起算", e)
                }
            }
            var notices: [String: String] = [:]
            for n in e.childElements where n.name == "notice" {
                let id = n.attribute("id")!, text = n.attribute("text")!
                if let used = PageWording.names(in: text) {
                    for u in used where !Lifecycle.noticePlaceholders.contains(u) {
                        problem("生命周期提示 \(id) 中的 {\(u)} 不是可用的占位符（可用：" + Lifecycle.noticePlaceholders.sorted().map { "{\($0)}" }.joined(separator: "、") + "）", n)
                    }
                } else {
                    problem("生命周期提示 \(id)“\(text)”中花括号不成对", n)
                }
                notices[id] = text
            }
            var flags: [String: String] = [:]
            for f in e.childElements where f.name == "flag" { flags[f.attribute("id")!] = f.attribute("label")! }
            let unmarked = Lifecycle.flagIDs.filter { flags[$0] == nil }
            if !unmarked.isEmpty {
                problem("生命周期缺少阶段标记：" + unmarked.map { "<flag id=\"\($0)\" label=\"…\"/>" }.joined(separator: "、"), e)
            }
            let unsaid = Lifecycle.noticeIDs.filter { notices[$0] == nil }
            if !unsaid.isEmpty {
                problem("生命周期缺少提示：" + unsaid.map { "<notice id=\"\($0)\" text=\"…\"/>" }.joined(separator: "、"), e)
            }
            scheme.lifecycle = Lifecycle(sheet: sheetID, steps: steps, categoryColumn: e.attribute("category-column"), creationYears: Int(e.attribute("creation-years")!)!, nameYears: Int(e.attribute("name-years")!)!,
                                         expiringDays: Int(e.attribute("expiring-days")!)!, clause: e.attribute("clause")!,
                                         revocationIndicators: revIDs, revocationClause: rev?.attribute("clause") ?? "", stages: stages, stageLabels: labels,
                                         initial: roles[0].1, creationStage: roles[1].1, nameStage: roles[2].1, lapsedStage: roles[3].1,
                                         creatingStages: creating, notices: notices, flags: flags)
        }
        if let e = child(root, "goal") {
            // The goal counts towns by the lifecycle's stages.
            if scheme.lifecycle == nil { problem("创建目标 <goal> 按生命周期的阶段计数，方案需要 <lifecycle>", e) }
            scheme.goal = Goal(year: Int(e.attribute("year")!)!, clause: e.attribute("clause")!, groups: e.childElements.map { g in
                Goal.Group(id: g.attribute("id")!, label: g.attribute("label")!,
                           categories: g.attribute("categories")!.split(separator: " ").map(String.init), target: Int(g.attribute("target")!)!)
            }, name: e.attribute("name")!, namedLabel: e.attribute("named-label")!, creatingLabel: e.attribute("creating-label")!)
        }
        readTiers(root, into: &scheme)
        let pagesElement = child(root, "pages")
        for e in pagesElement?.childElements ?? [] {
            let id = e.attribute("id")!
            for name in ["title", "subtitle", "document", "link", "own-link", "short-link"] {
                guard let pattern = e.attribute(name) else { continue }
                guard let used = PageWording.names(in: pattern) else {
                    problem("页面 \(id) 的 \(name)“\(pattern)”中花括号不成对", e); continue
                }
                for u in used where !PageWording.placeholders.contains(u) {
                    problem("页面 \(id) 的 \(name) 中的 {\(u)} 不是可用的占位符（可用：" + PageWording.placeholders.sorted().map { "{\($0)}" }.joined(separator: "、") + "）", e)
                }
            }
            // A page's values from the application row: columns of the lifecycle's sheet.
            var fields: [PageField] = []
            let sheet = scheme.lifecycle.flatMap { l in sheets.first { $0.id == l.sheet } }
            for f in e.childElements where f.name == "field" {
                let name = f.attribute("name")!, column = f.attribute("column")!, lines = f.attribute("lines").flatMap { Int($0) }
                guard let sheet else { problem("页面 \(id) 的栏目 \(name) 取申报表的列，方案需要 <lifecycle sheet>", f); continue }
                guard let spec = sheet.columns.first(where: { $0.id == column }) else {
                    problem("页面 \(id) 的栏目 \(name) 的列“\(column)”不是输入表 \(sheet.id)（\(sheet.file)）的列", f); continue
                }
                let isDate = spec.kind == .date
                if isDate && lines != nil { problem("页面 \(id) 的栏目 \(name) 是日期列“\(column)”，不能有 lines", f) }
                fields.append(PageField(name: name, column: column, isDate: isDate, lines: lines))
            }
            scheme.pages[id] = PageWording(title: e.attribute("title")!, subtitle: e.attribute("subtitle")!, document: e.attribute("document"),
                                           link: e.attribute("link"), ownLink: e.attribute("own-link"), shortLink: e.attribute("short-link"),
                                           fields: fields)
        }
        let fieldsElement = child(root, "fields")
        for e in fieldsElement?.childElements ?? [] {
            let id = e.attribute("id")!, label = e.attribute("label")!
            let allowed = FieldWording.placeholders[id] ?? []
            if let used = PageWording.names(in: label) {
                for u in used where !allowed.contains(u) {
                    problem("字段 \(id) 的名称中的 {\(u)} 不是可用的占位符" + (allowed.isEmpty ? "（该字段没有占位符）" : "（可用：" + allowed.sorted().map { "{\($0)}" }.joined(separator: "、") + "）"), e)
                }
            } else {
                problem("字段 \(id) 的名称“\(label)”中花括号不成对", e)
            }
            scheme.fields[id] = label
        }
        // The unit pages (town, county, city, forms), results.csv and the changes page are written
        // for every scheme without a plan.
        if child(root, "plan") == nil {
            let unnamed = FieldWording.required.filter { scheme.fields[$0] == nil }
            if !unnamed.isEmpty {
                problem("方案缺少结果字段的名称 <fields> 中的 " + unnamed.map { "<field id=\"\($0)\">" }.joined(separator: "、") + "（results.csv 列名与变化页字段名）", fieldsElement ?? root)
            }
            let missing = PageWording.required.filter { scheme.pages[$0] == nil }
            if !missing.isEmpty {
                problem("方案缺少页面用语 <pages> 中的 " + missing.map { "<page id=\"\($0)\">" }.joined(separator: "、") + "（页面标题与链接文字）", pagesElement ?? root)
            }
        }
        if !problems.isEmpty { throw SchemeError(problems: problems) }
        // A plan (tasks, parties, stages, rule targets) is a document of its own beside scheme.xml.
        if let e = child(root, "plan") {
            scheme.plan = try loadPlanDefinition(dir + "/" + e.attribute("href")!)
            // The plan's sheets are the scheme's <sheets>, found by the engine's ids.
            let (set, missing) = PlanSheetSet.resolve(sheets)
            for m in missing { problem(m, child(root, "sheets") ?? root) }
            if !problems.isEmpty { throw SchemeError(problems: problems) }
            scheme.plan?.sheets = set
        }
        return scheme
    }

    func decimal(_ e: XMLElement, _ name: String) -> Rational? { e.attribute(name).flatMap { parseDecimal($0, allowPercent: false) } }

    /// The sheet `id` of <sheets>, or a problem naming `who` (the element that refers to it).
    mutating func sheetNamed(_ id: String, _ who: String, _ at: XMLElement, sheets: [SheetSpec]) -> SheetSpec? {
        if let s = sheets.first(where: { $0.id == id }) { return s }
        problem("\(who) 引用的输入表 \(id) 不在 <sheets> 中（已有：" + sheets.map(\.id).joined(separator: "、") + "）", at)
        return nil
    }

    /// Checks that `column` is a column id of `sheet`, else a problem naming `what`.
    mutating func columnOf(_ sheet: SheetSpec, _ column: String, _ what: String, _ at: XMLElement) {
        if !sheet.columns.contains(where: { $0.id == column }) {
            problem("\(what)“\(column)”不是输入表 \(sheet.id)（\(sheet.file)）的列", at)
        }
    }

    /// `<tiers>`: the assessed tier and the tiers' words. A scheme that scores, judges
    /// eligibility or walks a lifecycle needs it, with a name and a short name for the assessed
    /// tier, a `whole` for every tier a rule ranks within or compares with, a name for every tier
    /// a compare rule pools at (不属于任何市), and a name for the town and county tiers and a short
    /// name for the town tier when the scheme has indicators (data rows: 取自县区行, 应按乡镇填报).
    mutating func readTiers(_ root: XMLElement, into scheme: inout Scheme) {
        func tier(_ s: String) -> UnitTier {
            switch s { case "town": return .town; case "county": return .county; case "city": return .city; default: return .province }
        }
        func tierID(_ t: UnitTier) -> String { ["town", "county", "city", "province"][t.rawValue] }
        let e = child(root, "tiers")
        if let e {
            scheme.assessedTier = tier(e.attribute("assessed")!)
            for t in e.childElements {
                scheme.tierWords[tier(t.attribute("id")!)] = TierWords(name: t.attribute("name"), short: t.attribute("short"), whole: t.attribute("whole"),
                                                                      suffixes: t.attribute("suffixes")?.split(separator: " ").map(String.init) ?? [])
            }
        }
        let judged = ["rubric", "eligibility", "lifecycle"].filter { child(root, $0) != nil }
        guard let assessed = scheme.assessedTier else {
            if !judged.isEmpty { problem("方案有 " + judged.map { "<\($0)>" }.joined(separator: "、") + "，需要 <tiers assessed=\"…\"> 说明它们适用于哪一层级的单位", root) }
            return
        }
        if scheme.tierWords[assessed]?.name == nil {
            problem("<tiers> 需要被评估层级 \(tierID(assessed)) 的名称：<tier id=\"\(tierID(assessed))\" name=\"…\"/>", e!)
        }
        if scheme.tierWords[assessed]?.short == nil {
            problem("<tiers> 需要被评估层级 \(tierID(assessed)) 的简称（用于“有数据的乡镇”这类计数与说明）：<tier id=\"\(tierID(assessed))\" short=\"…\"/>", e!)
        }
        var used: [UnitTier] = [], pooled: [UnitTier] = []
        func collect(_ r: Rule) {
            switch r {
            case .rank(_, _, _, let within): used.append(within)
            case .compare(_, _, let tier): used.append(tier); pooled.append(tier)
            case .allOf(let rules), .countOf(let rules, _): rules.forEach(collect)
            default: break
            }
        }
        scheme.rubric?.criteria.forEach { collect($0.rule) }
        scheme.eligibility?.conditions.forEach { collect($0.rule) }
        for t in [UnitTier.town, .county, .city, .province] where used.contains(t) && scheme.tierWords[t]?.whole == nil {
            problem("规则在 \(tierID(t)) 层级内排名或比较，<tiers> 需要它的称谓：<tier id=\"\(tierID(t))\" whole=\"…\"/>", e!)
        }
        // A unit outside every area a compare rule pools at is told so by the tier's name.
        for t in [UnitTier.town, .county, .city, .province] where pooled.contains(t) && scheme.tierWords[t]?.name == nil {
            problem("规则与 \(tierID(t)) 层级的汇总值比较，<tiers> 需要它的名称（“不属于任何…”）：<tier id=\"\(tierID(t))\" name=\"…\"/>", e!)
        }
        // Indicator rows are told by the tiers they come from: a county's row (本行是县区…不是县区级
        // 指标，应按乡镇填报), a town's figure taken from it (取自县区行), a city's row (只按乡镇（街道）
        // 填报后汇总). The assessed tier's words are checked above.
        if !scheme.indicators.isEmpty {
            for t in [UnitTier.town, .county] where t != assessed && scheme.tierWords[t]?.name == nil {
                problem("指标数据按乡镇填报、县区行另有说明，<tiers> 需要 \(tierID(t)) 层级的名称（“本行是…”“取自…行”）：<tier id=\"\(tierID(t))\" name=\"…\"/>", e!)
            }
            if assessed != .town && scheme.tierWords[.town]?.short == nil {
                problem("指标数据按乡镇填报，<tiers> 需要 town 层级的简称（“应按…填报”）：<tier id=\"town\" short=\"…\"/>", e!)
            }
        }
    }

    /// A rule element (its form is fixed by the schema).
    mutating func readRule(_ e: XMLElement, known: Set<String>) -> Rule {
        for i in [e.attribute("indicator")].compactMap({ $0 }) where !known.contains(i) { problem("规则引用了未定义的指标 \(i)", e) }
        switch e.name {
        case "threshold":
            return .threshold(indicator: e.attribute("indicator")!, op: Comparison(rawValue: e.attribute("op")!)!, value: decimal(e, "value")!)
        case "flag":
            return .flag(indicator: e.attribute("indicator")!)
        case "tiers":
            let tiers = e.childElements.map { (atLeast: decimal($0, "at-least")!, points: decimal($0, "points")!) }.sorted { $0.atLeast > $1.atLeast }
            return .tiers(indicator: e.attribute("indicator")!, tiers: tiers)
        case "rank":
            let tiers = e.childElements.map { (upTo: Int($0.attribute("up-to")!)!, points: decimal($0, "points")!) }.sorted { $0.upTo < $1.upTo }
            let within: UnitTier = e.attribute("within") == "county" ? .county : (e.attribute("within") == "province" ? .province : .city)
            // zero-scores defaults to true (the schema): its note is then required.
            let zeroScores = e.attribute("zero-scores") != "false"
            if zeroScores && e.attribute("zero-note") == nil {
                problem("排名规则 <rank indicator=\"\(e.attribute("indicator")!)\"> 为 0 不得分（zero-scores），需要 zero-note（说明为 0 不得分的文字）", e)
            }
            return .rank(indicator: e.attribute("indicator")!, tiers: tiers, zeroNote: zeroScores ? e.attribute("zero-note") ?? "" : nil, within: within)
        case "per-unit":
            let terms = e.childElements.map { t -> (indicator: String, points: Rational) in
                if !known.contains(t.attribute("indicator")!) { problem("规则引用了未定义的指标 \(t.attribute("indicator")!)", t) }
                return (t.attribute("indicator")!, decimal(t, "points")!)
            }
            return .perUnit(terms: terms, missingPartCountsZero: e.attribute("missing-part") != "no-data")
        case "compare":
            let tier: UnitTier = e.attribute("pooled") == "county" ? .county : (e.attribute("pooled") == "province" ? .province : .city)
            return .compare(indicator: e.attribute("indicator")!, op: Comparison(rawValue: e.attribute("op")!)!, pooledAt: tier)
        case "all-of":
            return .allOf(e.childElements.map { readRule($0, known: known) })
        case "count-of":
            return .countOf(e.childElements.map { readRule($0, known: known) }, atLeast: Int(e.attribute("at-least")!)!)
        default:
            return .manual
        }
    }

    mutating func readRubric(_ r: XMLElement, known: Set<String>, sheets: [SheetSpec]) -> Rubric {
        // The sheet of scores people give, and its columns (each a column of that sheet).
        let a = child(r, "assessment")!
        var order: [ScoreRole] = [], columns: [ScoreRole: String] = [:], note = "", labels: [ScoreRole: String] = [:], adjusted = ""
        var own = "", missing = ""
        for s in a.childElements {
            let role = ScoreRole(rawValue: s.attribute("role")!)!
            order.append(role)
            columns[role] = s.attribute("column")!
            labels[role] = s.attribute("label")!
            if role == .reviewed {
                if let n = s.attribute("note") { note = n } else { problem("评分表的 reviewed 分数列需要 note（核定分替代核算分数时其说明的名称）", s) }
                if let l = s.attribute("adjusted-label") { adjusted = l } else { problem("评分表的 reviewed 分数列需要 adjusted-label（核定分替代核算分数时的标注）", s) }
            }
            if role == .selfScored {
                if let l = s.attribute("own-label") { own = l } else { problem("评分表的 self 分数列需要 own-label（乡镇自己的打分表上自评条目的标注）", s) }
                if let l = s.attribute("missing-label") { missing = l } else { problem("评分表的 self 分数列需要 missing-label（乡镇自己的打分表上未自评的人工条目的标注）", s) }
            }
        }
        let missingRoles = ScoreRole.allCases.filter { columns[$0] == nil }
        if !missingRoles.isEmpty {
            problem("评分表 <assessment> 缺少分数列：" + missingRoles.map { "<score role=\"\($0.rawValue)\" column=\"…\"/>" }.joined(separator: "、"), a)
        }
        let assessment = AssessmentColumns(sheet: a.attribute("sheet")!, year: a.attribute("year")!, item: a.attribute("item")!,
                                           remark: a.attribute("remark")!, evidence: a.attribute("evidence")!, order: order, columns: columns,
                                           reviewedNote: note, label: a.attribute("label")!, labels: labels, adjustedLabel: adjusted,
                                           ownLabel: own, missingLabel: missing)
        if let sheet = sheetNamed(assessment.sheet, "评分表 <assessment>", a, sheets: sheets) {
            for (what, column) in [("year", assessment.year), ("item", assessment.item), ("remark", assessment.remark), ("evidence", assessment.evidence)] {
                columnOf(sheet, column, "评分表的 \(what) 列", a)
            }
            for s in a.childElements { columnOf(sheet, s.attribute("column")!, "评分表的 \(s.attribute("role")!) 分数列", s) }
        }
        var categories: [RubricCategory] = []
        for c in r.childElements where c.name == "category" {
            var items: [RubricItem] = []
            for i in c.childElements {
                let n = Int(i.attribute("n")!)!
                var criteria: [Criterion] = []
                for (k, cr) in i.childElements.enumerated() {
                    let id = cr.attribute("id")!
                    if id != "\(n).\(k + 1)" { problem("第\(n)项的第\(k + 1)条应编号为 \(n).\(k + 1)，而不是 \(id)", cr) }
                    let rule = readRule(cr.childElements[0], known: known)
                    let points = decimal(cr, "points")
                    if points == nil, case .perUnit = rule {} else if points == nil { problem("评分条目 \(id) 缺少 points", cr) }
                    criteria.append(Criterion(id: id, points: points, text: cr.attribute("text")!, rule: rule))
                }
                items.append(RubricItem(number: n, category: c.attribute("id")!, area: i.attribute("area") ?? "",
                                        declared: decimal(i, "declared"), cap: decimal(i, "cap"), criteria: criteria, line: i.line))
            }
            var category = RubricCategory(id: c.attribute("id")!, name: c.attribute("name")!, declared: decimal(c, "declared")!,
                                          bonus: c.attribute("bonus") == "true", items: items, line: c.line)
            if category.bonus {
                if let u = c.attribute("unclaimed") { category.unclaimed = u } else { problem("加分类别 \(category.id) 需要 unclaimed（未申报的加分条目在自查打分表中的说明）", c) }
            }
            categories.append(category)
        }
        let numbers = categories.flatMap(\.items).map(\.number)
        if numbers != Array(1...max(1, numbers.count)) { problem("评估细则的序号应从 1 起连续编号", r) }
        var rubric = Rubric(clause: r.attribute("clause")!, assessment: assessment, declaredTotal: decimal(r, "declared-total")!, bonusCap: decimal(r, "bonus-cap")!,
                            categories: categories)
        rubric.name = r.attribute("name")!
        rubric.totalNote = r.attribute("total-note")!
        // rank-within defaults to city (the schema), as results.csv's 全市名次 says.
        rubric.rankWithin = r.attribute("rank-within") == "county" ? .county : (r.attribute("rank-within") == "province" ? .province : .city)
        return rubric
    }
}
