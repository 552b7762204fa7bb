import Foundation

// MARK: - `--unit CODE|NAME|名称@县区` → one town, or a message that helps pick one

/// The outcome of looking a town up as staff type it (`qtown form --unit …`).
public enum TownLookup: Sendable, Equatable {
    case found(Unit)
    /// No single town: the message (Chinese, without the `--unit` prefix) says why and how to
    /// pick one — the unit is a county or a city, the name is shared, the town lies in another
    /// county than the one given, or the nearest town names.
    case notFound(String)
}

/// The programme's words a town look-up speaks in (issue 19.1: a programme is data): the
/// assessed tier's units (`<tier name>`, 乡镇（街道）) and the county tier's (县区), from the
/// scheme (`Scheme.lookupWords`).
public struct LookupWords: Sendable {
    public var town: String
    public var county: String
    public init(town: String, county: String) { self.town = town; self.county = county }
}

/// How a level is named to staff when a town was expected: the scheme's tier words for towns
/// and counties (a county's own level beside it, 县区（区）), the units.csv level (市, 省) above.
private func levelWord(_ u: Unit, _ words: LookupWords) -> String {
    switch u.level.tier {
    case .town: return words.town
    case .county: return "\(words.county)（\(u.level.rawValue)）"
    case .city, .province: return u.level.rawValue
    }
}

extension UnitTree {
    /// A town by code, by unique name, or by `名称@县区` (the county, or any unit above the town;
    /// `＠` also reads as `@`). Suggestions are looked for among towns only (names starting with
    /// what was typed, then containing it, then by edit distance), within the county when one is
    /// given: `符离` suggests 符离镇, never a county that happens to be a few edits away.
    /// `words`: the scheme's words for towns and counties in the messages.
    public func lookUpTown(_ query: String, words: LookupWords) -> TownLookup {
        let text = trimCell(query).replacingOccurrences(of: "＠", with: "@")
        // The example is the first town of units.csv (the inputs' own names, not a programme's).
        let example = units.first { $0.level.tier == .town }.map { "，例如 --unit \($0.name)" } ?? ""
        guard !text.isEmpty else { return .notFound("没有给出\(words.town)：请写代码、名称或 名称@\(words.county)" + example) }
        if let u = unit(text) {
            return u.level.tier == .town ? .found(u) : .notFound(notATown(u, typed: text, words))
        }
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map { trimCell(String($0)) }
        let name = parts[0]
        let within = parts.count == 2 && !parts[1].isEmpty ? parts[1] : nil
        let named = units(named: name)
        let towns = named.filter { $0.level.tier == .town }
        var scope: [Unit]? = nil
        if let within {
            let places = units(named: within) + (unit(within).map { [$0] } ?? [])
            guard !places.isEmpty else {
                let near = nearest(to: within, among: units.filter { $0.level.tier == .county || $0.level.tier == .city }, limit: 3)
                return .notFound("没有名为\(quoted(within))的\(words.county)" + (near.isEmpty ? "" : "；是否是：\(near.map(\.name).joined(separator: "、"))？"))
            }
            scope = places
            let inside = towns.filter { t in places.contains { isAncestor($0.code, of: t.code) } }
            if inside.count == 1 { return .found(inside[0]) }
            if inside.count > 1 { return .notFound(ambiguous(inside, words)) }
            if !towns.isEmpty {
                let real = towns.map { countyName(of: $0) }
                return .notFound("\(towns[0].name)不在\(within)，它属于\(real.joined(separator: "、"))；请写 --unit \(towns.count == 1 ? towns[0].name : towns[0].name + "@" + real[0])"
                                 + (towns.count == 1 ? "（或 \(towns[0].name)@\(real[0])）" : ""))
            }
        } else {
            if towns.count == 1 { return .found(towns[0]) }
            if towns.count > 1 { return .notFound(ambiguous(towns, words)) }
        }
        if towns.isEmpty, let other = named.first {
            return .notFound(notATown(other, typed: name, words))
        }
        // Nothing by that name: the nearest towns, within the county given if any.
        let pool = units.filter { t in t.level.tier == .town && (scope.map { s in s.contains { isAncestor($0.code, of: t.code) } } ?? true) }
        let near = nearest(to: name, among: pool, limit: 5)
        let place = within.map { "\($0)没有" } ?? "没有"
        return .notFound("\(place)名为\(quoted(name))的\(words.town)"
                         + (near.isEmpty ? "；请写\(words.town)的代码或 units.csv 中的名称" : "；是否是：\(near.map(label).joined(separator: "、"))？"))
    }

    /// The town with its county, as staff would write it to tell two apart (`符离镇@埇桥区`).
    private func label(_ t: Unit) -> String {
        units(named: t.name).count > 1 ? "\(t.name)@\(countyName(of: t))" : t.name
    }

    private func countyName(of t: Unit) -> String {
        ancestor(of: t.code, at: .county)?.name ?? ancestor(of: t.code, at: .city)?.name ?? "（无上级）"
    }

    private func ambiguous(_ towns: [Unit], _ words: LookupWords) -> String {
        "有 \(towns.count) 个\(words.town)叫\(towns[0].name)（\(towns.map { "\($0.name)@\(countyName(of: $0))，代码 \($0.code)" }.joined(separator: "；"))）；请写代码或 名称@\(words.county)，例如 --unit \(towns[0].name)@\(countyName(of: towns[0]))"
    }

    /// A county, city or province given where a town was expected: say what it is and how to
    /// pick one of its towns.
    private func notATown(_ u: Unit, typed: String, _ words: LookupWords) -> String {
        // (qtown form writes one town's page; the page's own name is the programme's.)
        let head = "\(u.name)（代码 \(u.code)）是\(levelWord(u, words))，不是\(words.town)；qtown form 写的是一个\(words.town)的页面"
        let below = descendantTowns(of: u.code)
        guard let first = below.first else { return head + "，而 units.csv 中\(u.name)下面没有\(words.town)" }
        if u.level.tier == .county {
            let shown = below.prefix(10).map(\.name).joined(separator: "、")
            return head + "。\(u.name)的\(words.town)有：\(shown)\(below.count > 10 ? " 等 \(below.count) 个" : "（共 \(below.count) 个）")；"
                + "请写其中一个的名称或代码，例如 --unit \(label(first)) 或 --unit \(first.code)"
        }
        let counties = children(of: u.code).filter { $0.level.tier == .county || $0.level.tier == .city }
        let shown = counties.prefix(10).map(\.name).joined(separator: "、")
        return head + (counties.isEmpty ? "" : "。\(u.name)下有：\(shown)\(counties.count > 10 ? " 等 \(counties.count) 个" : "")")
            + "；请写一个\(words.town)的名称、代码或 名称@\(words.county)，例如 --unit \(first.name)@\(countyName(of: first))"
    }

    /// Towns below `code`, in file order.
    private func descendantTowns(of code: String) -> [Unit] {
        var out: [Unit] = []
        var stack = children(of: code).reversed() as [Unit]
        while let u = stack.popLast() {
            if u.level.tier == .town { out.append(u) }
            stack.append(contentsOf: children(of: u.code).reversed())
        }
        return out
    }

    /// Up to `limit` units of `pool` nearest to what was typed: names starting with it (a level
    /// suffix such as 镇/乡/街道 typed wrongly is ignored), then names containing it, then by
    /// edit distance; ties in file order.
    private func nearest(to typed: String, among pool: [Unit], limit: Int) -> [Unit] {
        let full = normalizeName(typed)
        guard !full.isEmpty else { return [] }
        var stem = full
        for suffix in ["街道", "镇", "乡", "区", "县", "市"] where stem.count > suffix.count + 1 && stem.hasSuffix(suffix) {
            stem.removeLast(suffix.count)
            break
        }
        var picked: [Unit] = []
        var seen: Set<String> = []
        func take(_ us: [Unit]) {
            for u in us where picked.count < limit && seen.insert(u.code).inserted { picked.append(u) }
        }
        let names = pool.map { (u: $0, n: normalizeName($0.name)) }
        take(names.filter { $0.n.hasPrefix(stem) }.map(\.u))
        take(names.filter { $0.n.contains(stem) }.map(\.u))
        if picked.count < limit {
            let target = Array(full)
            let bound = Swift.max(1, target.count / 2)
            var scored: [(Int, Int, Unit)] = []
            for (i, x) in names.enumerated() {
                if let d = editDistance(target, Array(x.n), bound: bound) { scored.append((d, i, x.u)) }
            }
            scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            take(scored.map(\.2))
        }
        return picked
    }
}

/// The inputs folder is missing (or is a file): named with its full path (cron and shortcuts
/// run from folders staff do not see), with the `--inputs` hint and what the folder holds.
public func missingInputsMessage(_ folder: String, isFile: Bool = false) -> String {
    let cwd = FileManager.default.currentDirectoryPath
    let full = URL(fileURLWithPath: folder, relativeTo: URL(fileURLWithPath: cwd, isDirectory: true)).standardizedFileURL.path
    let what = isFile ? "输入文件夹 \(full) 是一个文件，不是文件夹" : "输入文件夹 \(full) 不存在"
    let relative = folder.hasPrefix("/") ? "" : "（\(quoted(folder)) 相对于当前文件夹 \(cwd)）"
    return what + relative + "；请用 --inputs 指定存放 units.csv、data/、assessments.csv、applications.csv 的文件夹，例如 --inputs /path/to/inputs"
}
