// MARK: - Declared totals against the sums of their parts (suzhou-town.md §6)

/// One place where the document's declared total differs from the sum of its parts.
public struct ConsistencyWarning: Sendable {
    /// `第22项`, `质量工作成效`, `总分`.
    public var place: String
    public var declared: Rational
    public var summed: Rational
    /// What explains it, where something does (a cap in the text…).
    public var explanation: String
    public var line: Int

    public var message: String {
        "\(place)：声明 \(declared.plain()) 分，各部分合计 \(summed.plain()) 分" + (explanation.isEmpty ? "" : "；\(explanation)")
    }
}

/// The result of checking a rubric.
public struct ConsistencyReport: Sendable {
    public var warnings: [ConsistencyWarning]
    /// The highest base score any town can reach (categories capped, item caps applied).
    public var highestBase: Rational
    public var declaredBase: Rational
}

/// Checks criteria → item, items → category, categories → total, and the bonus.
public func checkConsistency(_ rubric: Rubric) -> ConsistencyReport {
    var warnings: [ConsistencyWarning] = []
    var reachableBase = Rational(0)
    var declaredBase = Rational(0)
    for cat in rubric.categories {
        var declaredItems = Rational(0)
        var reachableItems = Rational(0)
        for item in cat.items {
            let fixed = item.criteria.compactMap(\.points).reduce(Rational(0), +)
            let hasPerUnit = item.criteria.contains { $0.points == nil }
            let declared = item.declared ?? fixed
            declaredItems = declaredItems + declared
            reachableItems = reachableItems + item.maximum
            // Per-unit criteria have no fixed points: only the text cap bounds them.
            if !hasPerUnit, let d = item.declared, d != fixed {
                var why = ""
                if let cap = item.cap { why = "正文写明“满分\(cap.plain())分”，按 \(cap.plain()) 分封顶" }
                warnings.append(ConsistencyWarning(place: "第\(item.number)项", declared: d, summed: fixed, explanation: why, line: item.line))
            } else if !hasPerUnit, let cap = item.cap, cap != declared {
                warnings.append(ConsistencyWarning(place: "第\(item.number)项", declared: declared, summed: fixed,
                                                   explanation: "正文写明“满分\(cap.plain())分”，按 \(cap.plain()) 分封顶", line: item.line))
            }
        }
        if declaredItems != cat.declared {
            var why = ""
            if reachableItems != declaredItems {
                why = "按各项实际上限合计 \(reachableItems.plain()) 分"
            }
            why += (why.isEmpty ? "" : "，") + "该类最多得 \(min(reachableItems, cat.declared).plain()) 分"
            warnings.append(ConsistencyWarning(place: cat.name, declared: cat.declared, summed: declaredItems, explanation: why, line: cat.line))
        }
        if !cat.bonus {
            reachableBase = reachableBase + min(reachableItems, cat.declared)
            declaredBase = declaredBase + cat.declared
        }
    }
    if declaredBase != rubric.declaredTotal {
        warnings.append(ConsistencyWarning(place: "总分", declared: rubric.declaredTotal, summed: declaredBase, explanation: "", line: 0))
    }
    return ConsistencyReport(warnings: warnings, highestBase: reachableBase, declaredBase: declaredBase)
}
