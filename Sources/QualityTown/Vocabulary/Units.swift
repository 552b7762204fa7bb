// MARK: - units.csv → the administrative tree

/// Administrative levels of units.csv (`层级`).
public enum UnitLevel: String, Sendable, Codable, CaseIterable {
    case province = "省"
    case city = "市"
    case county = "县"
    case district = "区"
    case countyCity = "县级市"
    case park = "园区"
    case town = "镇"
    case township = "乡"
    case street = "街道"

    /// The tier used for pooling: towns (镇/乡/街道), counties (县/区/县级市/园区), cities, provinces.
    public var tier: UnitTier {
        switch self {
        case .province: return .province
        case .city: return .city
        case .county, .district, .countyCity, .park: return .county
        case .town, .township, .street: return .town
        }
    }

    /// Reads the spellings users write (`自治县` reads as 县, `地级市` as 市…).
    public init?(spelling: String) {
        // The level as written (most rows of a national units.csv): normalising cannot change it.
        if let l = UnitLevel(rawValue: spelling) { self = l; return }
        let s = normalizeHeader(spelling)
        if let l = UnitLevel(rawValue: s) { self = l; return }
        switch s {
        case "省份", "自治区", "直辖市": self = .province
        case "地级市", "地区", "自治州", "盟": self = .city
        case "自治县", "旗": self = .county
        case "市辖区", "县区": self = .district
        case "开发区", "经开区", "高新区", "市直园区", "管委会": self = .park
        case "民族乡", "苏木": self = .township
        case "社区", "街办": self = .street
        default: return nil
        }
    }
}

/// Tiers of the tree used for pooling and pages.
public enum UnitTier: Int, Sendable, Codable, Comparable {
    case town = 0, county, city, province
    public static func < (a: UnitTier, b: UnitTier) -> Bool { a.rawValue < b.rawValue }
}

/// One unit of the tree.
public struct Unit: Sendable, Hashable {
    public var code: String
    public var name: String
    public var level: UnitLevel
    public var parent: String?
    /// Where the unit was defined (units.csv line), for provenance.
    public var location: SourceLocation
}

/// The administrative tree, any depth, with lookups by code and by name.
public struct UnitTree: Sendable {
    /// Units in file order.
    public private(set) var units: [Unit] = []
    private var byCode: [String: Int] = [:]
    private var byName: [String: [Int]] = [:]
    private var childIndex: [String: [Int]] = [:]

    public init() {}

    public func unit(_ code: String) -> Unit? { byCode[code].map { units[$0] } }

    /// The position of `code` in `units`.
    public func index(of code: String) -> Int? { byCode[code] }

    /// The children of `code` in file order (roots when nil).
    public func children(of code: String?) -> [Unit] {
        if let code { return (childIndex[code] ?? []).map { units[$0] } }
        return units.filter { $0.parent == nil }
    }

    /// The nearest ancestor of `code` at `tier` (the unit itself when it is at that tier).
    public func ancestor(of code: String, at tier: UnitTier) -> Unit? {
        var cur = unit(code)
        var guardCount = 0
        while let u = cur, guardCount < 64 {
            if u.level.tier == tier { return u }
            cur = u.parent.flatMap { unit($0) }
            guardCount += 1
        }
        return nil
    }

    /// Units with this exact (normalised) name.
    public func units(named name: String) -> [Unit] { (byName[normalizeName(name)] ?? []).map { units[$0] } }

    /// Up to `limit` unit names closest to `name` (edit distance), for "did you mean" hints.
    public func nearestNames(to name: String, limit: Int = 3) -> [String] {
        QualityTown.nearestNames(to: name, among: units.map { ($0.name, $0.name) }, limit: limit)
    }

    fileprivate mutating func add(_ u: Unit) {
        byCode[u.code] = units.count
        byName[normalizeName(u.name), default: []].append(units.count)
        units.append(u)
    }

    fileprivate mutating func indexChildren() {
        childIndex = [:]
        for (i, u) in units.enumerated() { if let p = u.parent { childIndex[p, default: []].append(i) } }
    }
}

/// Names compared without spaces and full-width forms.
func normalizeName(_ s: String) -> String {
    String(halfWidth(trimCell(s)).unicodeScalars.filter { !isCellSpace($0) })
}

/// Up to `limit` names whose spelling is within a few edits of `text` (half its length, at least
/// 2), nearest first, each name once: "did you mean" hints. `among`: (spelling, name shown) pairs,
/// so a department is found by its 名称 or any 简称 and shown by its 名称.
func nearestNames(to text: String, among candidates: [(spelling: String, name: String)], limit: Int = 3) -> [String] {
    let target = Array(normalizeName(text))
    guard !target.isEmpty else { return [] }
    var scored: [(Int, String)] = []
    for c in candidates {
        if let d = editDistance(target, Array(normalizeName(c.spelling)), bound: Swift.max(2, target.count / 2)) { scored.append((d, c.name)) }
    }
    scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
    var out: [String] = []
    for (_, n) in scored where !out.contains(n) {
        out.append(n)
        if out.count == limit { break }
    }
    return out
}

/// Levenshtein distance over characters, or nil when it exceeds `bound` (cut early: big trees).
func editDistance(_ a: [Character], _ b: [Character], bound: Int) -> Int? {
    if Swift.abs(a.count - b.count) > bound { return nil }
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...Swift.max(a.count, 1) where !a.isEmpty {
        cur[0] = i
        var rowMin = cur[0]
        for j in stride(from: 1, through: b.count, by: 1) {
            cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            rowMin = Swift.min(rowMin, cur[j])
        }
        if rowMin > bound { return nil }
        swap(&prev, &cur)
    }
    let d = a.isEmpty ? b.count : prev[b.count]
    return d <= bound ? d : nil
}

/// Key columns of units.csv.
public let unitColumns: [ColumnSpec] = [
    ColumnSpec(id: "代码", header: "代码", aliases: ["单位代码", "行政区划代码", "区划代码"], kind: .code),
    ColumnSpec(id: "名称", header: "名称", aliases: ["单位名称", "乡镇名称", "名字"], kind: .text),
    ColumnSpec(id: "层级", header: "层级", aliases: ["级别", "类型"], kind: .text),
    ColumnSpec(id: "上级代码", header: "上级代码", aliases: ["上级", "上级单位代码", "所属代码"], kind: .code),
]

/// Reads units.csv into a tree. Rows with a bad code, level or parent are reported; a unit whose
/// parent is unknown is kept as a root (and reported) so its data is still used.
public func readUnits(_ table: CSVTable, file: String, diagnostics: inout DiagnosticBag) -> UnitTree {
    var tree = UnitTree()
    guard let header = table.records.first else {
        diagnostics.error("empty-file", "units.csv 是空文件：需要列 代码, 名称, 层级, 上级代码", at: SourceLocation(file: file))
        return tree
    }
    let map = mapHeader(header, known: unitColumns, file: file, diagnostics: &diagnostics)
    for key in ["代码", "名称", "层级"] where map.index[key] == nil {
        diagnostics.error("missing-key-column", "units.csv 缺少关键列“\(key)”；需要列 代码, 名称, 层级, 上级代码", at: SourceLocation(file: file, line: header.line))
    }
    var unknownCells: [Int: [SourceLocation]] = [:]
    defer { diagnostics.append(contentsOf: unknownColumnDiagnostics(map, cells: unknownCells, file: file)) }
    guard let codeCol = map.index["代码"], let nameCol = map.index["名称"], let levelCol = map.index["层级"] else { return tree }
    var pending: [Unit] = []
    var seen: [String: SourceLocation] = [:]
    for record in table.records.dropFirst() where !record.isBlank {
        func field(_ col: Int) -> CSVField? { col <= record.fields.count ? record.fields[col - 1] : nil }
        func loc(_ col: Int) -> SourceLocation {
            SourceLocation(file: file, line: field(col)?.line ?? record.line, column: col, row: record.row)
        }
        reportExtraCells(record, map: map, file: file, diagnostics: &diagnostics)
        collectUnknownColumnCells(record, map: map, file: file, into: &unknownCells)
        let codeRead = readCell(field(codeCol)?.text ?? "", as: .code, header: "代码", at: loc(codeCol))
        let name = trimCell(field(nameCol)?.text ?? "")
        let levelText = trimCell(field(levelCol)?.text ?? "")
        guard case .value(.text(let code)) = codeRead else {
            if case .rejected(let d) = codeRead { diagnostics.append(d) } else {
                diagnostics.error("missing-value", "单位行缺少“代码”，该行（\(quoted(name))）未使用", at: loc(codeCol))
            }
            continue
        }
        guard !name.isEmpty else {
            diagnostics.error("missing-value", "代码 \(code) 的单位缺少“名称”，该行未使用", at: loc(nameCol))
            continue
        }
        guard let level = UnitLevel(spelling: levelText) else {
            diagnostics.error("type-error", "“层级”列的值\(quoted(levelText))无法识别，应为 省、市、县、区、县级市、园区、镇、乡 或 街道；单位 \(code) \(name) 未使用", at: loc(levelCol))
            continue
        }
        if let prev = seen[code] {
            diagnostics.error("duplicate-unit", "代码 \(code)（\(quoted(name))）与第 \(prev.line ?? 0) 行重复，本行未使用", at: loc(codeCol))
            continue
        }
        var parent: String?
        if let pc = map.index["上级代码"] {
            switch readCell(field(pc)?.text ?? "", as: .code, header: "上级代码", at: loc(pc)) {
            case .value(.text(let p)): parent = p
            case .rejected(let d): diagnostics.append(d)
            default: break
            }
        }
        seen[code] = loc(codeCol)
        pending.append(Unit(code: code, name: name, level: level, parent: parent,
                            location: SourceLocation(file: file, line: record.line, row: record.row)))
    }
    let codes = Set(pending.map(\.code))
    for var u in pending {
        if let p = u.parent, !codes.contains(p) {
            diagnostics.error("unknown-parent", "单位 \(u.code) \(u.name) 的上级代码 \(p) 不在 units.csv 中；暂按顶层单位处理",
                              at: u.location)
            u.parent = nil
        }
        tree.add(u)
    }
    // Cycles (A's parent B, B's parent A) would make ancestors endless: cut them at the repeat.
    for u in tree.units {
        var visited: Set<String> = [u.code]
        var cur = u.parent
        while let c = cur {
            if visited.contains(c) {
                diagnostics.error("parent-cycle", "单位 \(u.code) \(u.name) 的上级关系形成循环（经过 \(c)）；请检查“上级代码”", at: u.location)
                tree.detachParent(of: u.code)
                break
            }
            visited.insert(c)
            cur = tree.unit(c)?.parent
        }
    }
    for u in tree.units {
        if let p = u.parent.flatMap({ tree.unit($0) }), p.level.tier <= u.level.tier {
            diagnostics.warning("level-order", "单位 \(u.code) \(u.name)（\(u.level.rawValue)）的上级 \(p.code) \(p.name) 是\(p.level.rawValue)，层级不高于它", at: u.location)
        }
    }
    tree.indexChildren()
    return tree
}

extension UnitTree {
    fileprivate mutating func detachParent(of code: String) {
        guard let i = byCode[code] else { return }
        units[i].parent = nil
    }
}

/// Cells to the right of the last header are data nobody can name: list each non-blank one.
func reportExtraCells(_ record: CSVRecord, map: HeaderMap, file: String, diagnostics: inout DiagnosticBag) {
    for f in record.fields where f.column > map.width && !isBlankCell(f.text) {
        diagnostics.warning("extra-cell", "单元格\(quoted(trimCell(f.text)))在最后一个列标题的右边，没有列名，未使用",
                            at: SourceLocation(file: file, line: f.line, column: f.column, row: record.row))
    }
}
