// MARK: - A programme as data: the parts of a scheme the reading stage needs

/// How an indicator's values combine over periods and units (suzhou-town.md §1).
public enum IndicatorKind: String, Sendable, Codable {
    /// Integer ≥ 0, a flow: summed over the periods of a year and over units.
    case count
    /// Integer ≥ 0, a year-end figure: the latest period, summed over units.
    case stock
    /// 是/否, latest period.
    case flag
    /// 0–100, mean weighted by a sample-size column.
    case score
    /// 0–100 given directly; latest period; pooled as a plain mean (approximate).
    case percent
    /// Integer within a range (stars); latest period.
    case level

    /// Which cell reader its column uses.
    func cellKind(range: ClosedRange<Int>?) -> CellKind {
        switch self {
        case .count, .stock: return .count
        case .flag: return .flag
        case .score: return .score
        case .percent: return .percent
        case .level: return .level(range ?? 0...5)
        }
    }
}

/// One indicator column of the scheme.
public struct Indicator: Sendable, Hashable {
    public var id: String
    /// Canonical Chinese header (blank sheets use it).
    public var header: String
    public var aliases: [String]
    public var kind: IndicatorKind
    /// For `level`: the allowed range.
    public var range: ClosedRange<Int>?
    /// For `score`: the indicator holding its sample size (the weight).
    public var weight: String?
    /// May be given on a county's row and then reaches its towns (乡镇所在县区…).
    public var countyLevel: Bool
    /// Department whose export usually carries it (for `qtown blank`).
    public var department: String

    /// The column spec the reader matches headers with.
    public var column: ColumnSpec {
        ColumnSpec(id: id, header: header, aliases: aliases, kind: kind.cellKind(range: range))
    }
}

/// A rate derived as an exact ratio of summed counts: numerator / denominator.
public struct DerivedRate: Sendable, Hashable {
    public var id: String
    public var label: String
    public var numerator: String
    public var denominator: String
}

/// A non-indicator input sheet the scheme reads (assessments.csv, applications.csv…).
public struct SheetSpec: Sendable {
    public var id: String
    /// File name inside the inputs folder.
    public var file: String
    public var title: String
    public var columns: [ColumnSpec]
    /// Column ids that must be present (the file is unusable without them).
    public var required: [String]
    /// Groups of column ids of which at least one must be present (代码 or 名称).
    public var requiredOneOf: [[String]]
}

/// The scheme: for now, what reading and validating inputs needs (indicators, rates, sheets).
/// Loaded from `templates/<scheme>/scheme.xml`; no rule of a scheme is written in Swift.
public struct Scheme: Sendable {
    public var id: String
    public var name: String
    /// The document it encodes (title), shown on pages.
    public var source: String
    public var indicators: [Indicator]
    public var rates: [DerivedRate]
    public var sheets: [SheetSpec]
    /// The folder the scheme was loaded from (holds its templates and CSS).
    public var directory: String

    /// Indicators by id.
    public func indicator(_ id: String) -> Indicator? { indicators.first { $0.id == id } }
}
