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
        // The level as written (most rows): normalising cannot change it.
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

    /// Adds a unit as units.csv's reader found it (its parent may come later in the file).
    mutating func add(_ u: Unit) {
        byCode[u.code] = units.count
        byName[normalizeName(u.name), default: []].append(units.count)
        units.append(u)
    }

    /// Indexes every unit's children, once the whole file is read.
    mutating func indexChildren() {
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

extension UnitTree {
    /// Makes a unit a root (its parent is unknown or a cycle): it is kept so its data is used.
    mutating func detachParent(of code: String) {
        guard let i = byCode[code] else { return }
        units[i].parent = nil
    }
}
