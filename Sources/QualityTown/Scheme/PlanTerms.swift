// MARK: - The parts of a plan a scheme declares (quzhou-city.md §1–§3, §6)
//
// Tasks, stages, the words of progress and the rule targets are read from scheme.xml
// (PlanDefinition.swift); the readers and the compute stage use them as given.

/// A task's id: area number and task number within the area (`三、主要任务（一）1` is 1.1).
public struct TaskID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var area: Int
    public var number: Int

    public init(area: Int, number: Int) {
        self.area = area
        self.number = number
    }

    public static func < (a: TaskID, b: TaskID) -> Bool { (a.area, a.number) < (b.area, b.number) }

    /// `1.1`, as results.json writes it.
    public var description: String { "\(area).\(number)" }
}

/// One task of a plan, as the scheme holds it (quzhou-city.md §1).
public struct PlanTask: Sendable, Hashable {
    public var id: TaskID
    /// The area's title (`完善质量工作机制`).
    public var areaTitle: String
    /// The text up to (not including) the first `。`.
    public var title: String
    /// The full text as in the document.
    public var text: String
    /// Where the document says it (`三、主要任务（一）1`).
    public var clause: String

    public init(id: TaskID, areaTitle: String, title: String, text: String, clause: String) {
        self.id = id
        self.areaTitle = areaTitle
        self.title = title
        self.text = text
        self.clause = clause
    }
}

/// A stage of a plan: a named span of days; stages may overlap (四、创建步骤).
public struct PlanStage: Sendable, Hashable {
    public var name: String
    public var from: Day
    public var to: Day
    /// Where the plan sets the stage (`四、创建步骤（一）`).
    public var clause: String

    public init(name: String, from: Day, to: Day, clause: String = "") {
        self.name = name
        self.from = from
        self.to = to
        self.clause = clause
    }
}

/// The progress a report states. The words that spell each are the scheme's (`PlanVocabulary`).
public enum ProgressState: String, Sendable, Codable, CaseIterable {
    case notStarted, inProgress, done, paused
}

/// The spellings of one progress state; the first is the canonical wording (`推进中` for 进行中).
public struct ProgressWords: Sendable, Hashable {
    public var state: ProgressState
    public var words: [String]

    public init(state: ProgressState, words: [String]) {
        self.state = state
        self.words = words
    }
}

/// The words a scheme gives the plan sheets' readers.
public struct PlanVocabulary: Sendable, Hashable {
    /// Spellings of each progress state (进展状态).
    public var progress: [ProgressWords]
    /// 完成时限 spellings meaning ongoing: no deadline, never due (`长期`, `持续`…).
    public var ongoing: [String]
    /// Phrases of 责任县区 meaning every county-level unit of the city (`各县（市、区）`); matched
    /// ignoring brackets, their width and 、.
    public var allCounties: [String]
    /// A suffix stage names may be written without (`阶段`).
    public var stageSuffix: String

    public init(progress: [ProgressWords], ongoing: [String], allCounties: [String], stageSuffix: String) {
        self.progress = progress
        self.ongoing = ongoing
        self.allCounties = allCounties
        self.stageSuffix = stageSuffix
    }

    /// The state a 进展状态 cell spells, with its canonical wording; nil when none does.
    public func progressState(_ text: String) -> (ProgressState, wording: String)? {
        let t = normalizeName(text)
        for p in progress where p.words.contains(where: { normalizeName($0) == t }) {
            return (p.state, p.words.first ?? t)
        }
        return nil
    }

    /// Every accepted spelling, for messages.
    var progressSpellings: String { progress.flatMap(\.words).joined(separator: "、") }
}

/// What a rule compares a figure with.
public enum RuleOperand: Sendable, Hashable {
    /// A fixed number (`= 100%`).
    case constant(Rational)
    /// A value set from outside for the year (reference.csv), by its key.
    case reference(String)
    /// The unit's own figure of the previous year.
    case previousYear
}

/// One rule: an indicator compared with an operand, or either of two rules (Q7's form).
public indirect enum RuleForm: Sendable, Hashable {
    case compare(indicator: String, Comparison, RuleOperand)
    case either(RuleForm, RuleForm)
}

/// A target of a plan-type scheme: an id, its rule and the clause it comes from.
public struct RuleTarget: Sendable, Hashable {
    public var id: String
    public var form: RuleForm
    public var clause: String
    /// Only judged for units of this tier (Q12: the city only); nil for every unit.
    public var onlyTier: UnitTier?

    public init(id: String, form: RuleForm, clause: String, onlyTier: UnitTier? = nil) {
        self.id = id
        self.form = form
        self.clause = clause
        self.onlyTier = onlyTier
    }
}
