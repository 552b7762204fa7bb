// MARK: - units.csv → the administrative tree (the types are the shared vocabulary: Vocabulary/Units.swift)

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

/// Cells to the right of the last header are data nobody can name: list each non-blank one.
func reportExtraCells(_ record: CSVRecord, map: HeaderMap, file: String, diagnostics: inout DiagnosticBag) {
    for f in record.fields where f.column > map.width && !isBlankCell(f.text) {
        diagnostics.warning("extra-cell", "单元格\(quoted(trimCell(f.text)))在最后一个列标题的右边，没有列名，未使用",
                            at: SourceLocation(file: file, line: f.line, column: f.column, row: record.row))
    }
}
