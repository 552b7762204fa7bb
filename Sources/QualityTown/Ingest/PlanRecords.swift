// MARK: - What the plan's sheets say once read: parties, assignments, deadlines, progress
//
// tasks.csv and progress.csv (quzhou-city.md §3) read into these (PlanSheets.swift); the compute
// stage (Compute/Plan.swift) derives statuses and scorecards from them.

/// When a task is due: a day, ongoing (never due), or none (the deadline was unreadable; never due,
/// and not ongoing either).
public enum Deadline: Sendable, Hashable {
    case day(Day)
    case ongoing
    case none

    /// The day, when there is one.
    public var day: Day? {
        if case .day(let d) = self { return d }
        return nil
    }
}

/// What kind of party a name is: a department (departments.csv) or a county-level unit.
public enum PartyKind: String, Sendable, Codable, Hashable {
    case department, county
}

/// A party of the plan, by its canonical name (名称) and, for a county, its code.
public struct Party: Sendable, Hashable {
    public var kind: PartyKind
    public var name: String
    /// The unit code of a county; nil for a department.
    public var code: String?

    public init(kind: PartyKind, name: String, code: String? = nil) {
        self.kind = kind
        self.name = name
        self.code = code
    }

    /// Departments are known by name, counties by code.
    public var key: String { code ?? name }
}

/// A party's role on a task: counted (lead, county) or shown only (partner, `配合单位`).
public enum PartyRole: String, Sendable, Codable {
    case lead, county, partner
}

/// One task's row of the responsibility table, read and resolved.
public struct TaskAssignment: Sendable, Hashable {
    public var task: TaskID
    /// 牵头单位, canonical names, in the order written.
    public var leads: [Party]
    /// 配合单位 that are not also leads.
    public var partners: [Party]
    /// 责任县区.
    public var counties: [Party]
    public var deadline: Deadline
    /// 完成时限 as written.
    public var deadlineText: String
    /// The row it came from.
    public var location: SourceLocation

    public init(task: TaskID, leads: [Party], partners: [Party], counties: [Party], deadline: Deadline,
                deadlineText: String, location: SourceLocation) {
        self.task = task
        self.leads = leads
        self.partners = partners
        self.counties = counties
        self.deadline = deadline
        self.deadlineText = deadlineText
        self.location = location
    }

    /// The parties whose progress decides the task: leads and responsible counties (§3 Parties).
    public var counted: [(party: Party, role: PartyRole)] {
        leads.map { ($0, .lead) } + counties.map { ($0, .county) }
    }

    /// The role of `party` on this task, if it has one (a lead that is also a partner is a lead).
    public func role(of party: Party) -> PartyRole? {
        if leads.contains(party) { return .lead }
        if counties.contains(party) { return .county }
        if partners.contains(party) { return .partner }
        return nil
    }
}

/// One usable progress report: checked, resolved, dated no later than the as-of date.
public struct ProgressReport: Sendable, Hashable {
    public var task: TaskID
    public var reporter: Party
    public var state: ProgressState
    /// The canonical wording of the state (the scheme's first spelling of it).
    public var wording: String
    /// 完成日期 (for a done report: as given, or 报送日期 when it was missing).
    public var completed: Day?
    /// 进展说明.
    public var note: String
    /// 报送日期.
    public var reported: Day
    /// Position in the file order of all reports: on a tie of 报送日期 the later row wins.
    public var order: Int
    public var location: SourceLocation

    public init(task: TaskID, reporter: Party, state: ProgressState, wording: String, completed: Day?, note: String,
                reported: Day, order: Int, location: SourceLocation) {
        self.task = task
        self.reporter = reporter
        self.state = state
        self.wording = wording
        self.completed = completed
        self.note = note
        self.reported = reported
        self.order = order
        self.location = location
    }
}
