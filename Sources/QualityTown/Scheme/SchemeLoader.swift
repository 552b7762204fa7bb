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
    let xsdPath = (dir as NSString).deletingLastPathComponent + "/scheme.xsd"
    guard let xsdData = fm.contents(atPath: xsdPath) else { throw SchemeError("找不到方案格式文件 \(xsdPath)", file: display) }
    let (xsdDoc, xsdMessages) = XMLDocument.parseXML([UInt8](xsdData), name: "scheme.xsd")
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
    var reader = SchemeReader(file: display, dir: dir)
    return try reader.read(root)
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
            }
            sheets.append(SheetSpec(id: e.attribute("id")!, file: e.attribute("file")!, title: e.attribute("title")!,
                                    columns: columns, required: required, requiredOneOf: oneOf))
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
        if let r = child(root, "rubric") { scheme.rubric = readRubric(r, known: known) }
        if let e = child(root, "eligibility") {
            var conditions: [EligibilityCondition] = []
            var manual: [(String, String)] = []
            for c in e.childElements {
                if c.name == "manual-condition" { manual.append((c.attribute("clause")!, c.attribute("text")!)); continue }
                guard let ruleEl = c.childElements.first else { continue }
                conditions.append(EligibilityCondition(id: c.attribute("id")!, clause: c.attribute("clause")!, text: c.attribute("text")!,
                                                       rule: readRule(ruleEl, known: known), eachYear: c.attribute("each-year") == "true"))
            }
            scheme.eligibility = Eligibility(years: Int(e.attribute("years")!)!, conditions: conditions, manual: manual)
        }
        if let e = child(root, "lifecycle") {
            let rev = child(e, "revocation")
            let revIDs = rev?.attribute("indicators")?.split(separator: " ").map(String.init) ?? []
            for i in revIDs where !known.contains(i) { problem("撤销条件引用了未定义的指标 \(i)", rev!) }
            let steps = e.childElements.filter { $0.name == "step" }.map { st in
                LifecycleStep(column: st.attribute("column")!, stage: st.attribute("stage").flatMap(StageName.init(rawValue:)),
                              label: st.attribute("label")!, conclusion: st.attribute("conclusion"),
                              positive: st.attribute("positive")?.split(separator: " ").map(String.init) ?? [],
                              negative: st.attribute("negative")?.split(separator: " ").map(String.init) ?? [],
                              failed: st.attribute("failed").flatMap(StageName.init(rawValue:)), optional: st.attribute("optional") == "true")
            }
            for st in steps where st.conclusion != nil && (st.failed == nil || st.positive.isEmpty || st.negative.isEmpty) {
                problem("步骤“\(st.label)”有结论列，需要 positive、negative 和 failed", e)
            }
            var labels: [StageName: String] = [:]
            for st in e.childElements where st.name == "stage" {
                if let id = StageName(rawValue: st.attribute("id")!) { labels[id] = st.attribute("label")! }
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
            let unsaid = Lifecycle.noticeIDs.filter { notices[$0] == nil }
            if !unsaid.isEmpty {
                problem("生命周期缺少提示：" + unsaid.map { "<notice id=\"\($0)\" text=\"…\"/>" }.joined(separator: "、"), e)
            }
            let unnamed = StageName.allCases.filter { labels[$0] == nil }
            if !unnamed.isEmpty {
                problem("生命周期缺少阶段名称：" + unnamed.map { "<stage id=\"\($0.rawValue)\" label=\"…\"/>" }.joined(separator: "、"), e)
            }
            scheme.lifecycle = Lifecycle(steps: steps, categoryColumn: e.attribute("category-column"), creationYears: Int(e.attribute("creation-years")!)!, nameYears: Int(e.attribute("name-years")!)!,
                                         expiringDays: Int(e.attribute("expiring-days")!)!, clause: e.attribute("clause")!,
                                         revocationIndicators: revIDs, revocationClause: rev?.attribute("clause") ?? "", stageLabels: labels, notices: notices)
        }
        if let e = child(root, "goal") {
            scheme.goal = Goal(year: Int(e.attribute("year")!)!, clause: e.attribute("clause")!, groups: e.childElements.map { g in
                Goal.Group(id: g.attribute("id")!, label: g.attribute("label")!,
                           categories: g.attribute("categories")!.split(separator: " ").map(String.init), target: Int(g.attribute("target")!)!)
            })
        }
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
            scheme.pages[id] = PageWording(title: e.attribute("title")!, subtitle: e.attribute("subtitle")!, document: e.attribute("document"),
                                           link: e.attribute("link"), ownLink: e.attribute("own-link"), shortLink: e.attribute("short-link"))
        }
        // The unit pages (town, county, city, forms) are written for every scheme without a plan.
        if child(root, "plan") == nil {
            let missing = PageWording.required.filter { scheme.pages[$0] == nil }
            if !missing.isEmpty {
                problem("方案缺少页面用语 <pages> 中的 " + missing.map { "<page id=\"\($0)\">" }.joined(separator: "、") + "（页面标题与链接文字）", pagesElement ?? root)
            }
        }
        if !problems.isEmpty { throw SchemeError(problems: problems) }
        // A plan (tasks, parties, stages, rule targets) is a document of its own beside scheme.xml.
        if let e = child(root, "plan") {
            scheme.plan = try loadPlanDefinition(dir + "/" + e.attribute("href")!)
        }
        return scheme
    }

    func decimal(_ e: XMLElement, _ name: String) -> Rational? { e.attribute(name).flatMap { parseDecimal($0, allowPercent: false) } }

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
            return .rank(indicator: e.attribute("indicator")!, tiers: tiers, zeroScoresNothing: e.attribute("zero-scores") != "false", within: within)
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

    mutating func readRubric(_ r: XMLElement, known: Set<String>) -> Rubric {
        var categories: [RubricCategory] = []
        for c in r.childElements {
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
            categories.append(RubricCategory(id: c.attribute("id")!, name: c.attribute("name")!, declared: decimal(c, "declared")!,
                                             bonus: c.attribute("bonus") == "true", items: items, line: c.line))
        }
        let numbers = categories.flatMap(\.items).map(\.number)
        if numbers != Array(1...max(1, numbers.count)) { problem("评估细则的序号应从 1 起连续编号", r) }
        return Rubric(clause: r.attribute("clause")!, declaredTotal: decimal(r, "declared-total")!, bonusCap: decimal(r, "bonus-cap")!,
                      categories: categories)
    }
}
