// MARK: - A plan's statuses, scorecards and stages at the as-of date
//
// The engine's capability for a programme run as a plan of tasks (quzhou-city.md §1–§3): from
// the tasks and stages the scheme declares (Scheme/PlanTerms.swift) and the assignments and
// progress reports read from the sheets (Ingest/PlanRecords.swift), each party's status on each
// task, scorecards ranked within each kind of party, and where the plan's stages (四、创建步骤)
// stand. Nothing here names a programme: tasks, stages and words come in as data.

// MARK: - Stages

/// Where the as-of date stands against a stage.
public enum StageState: String, Sendable, Codable {
    case done, current, upcoming
}

/// A stage at the as-of date: `daysLeft` = to − as-of for a current stage (0 on its last day),
/// nil otherwise (quzhou-city.md §2).
public struct StageStatus: Sendable, Hashable {
    public var stage: PlanStage
    public var state: StageState
    public var daysLeft: Int?
}

/// Every stage's state at `asOf`, in the plan's order.
public func stageStatuses(_ stages: [PlanStage], asOf: Day) -> [StageStatus] {
    stages.map { s in
        if asOf > s.to { return StageStatus(stage: s, state: .done, daysLeft: nil) }
        if asOf < s.from { return StageStatus(stage: s, state: .upcoming, daysLeft: nil) }
        return StageStatus(stage: s, state: .current, daysLeft: s.to.ordinal - asOf.ordinal)
    }
}

// MARK: - Statuses

/// A party's status on a task at the as-of date (§3 A counted party's status).
public enum PartyTaskStatus: String, Sendable, Codable {
    case done, open, paused
    case notReported = "not-reported"
}

/// One party on one task at the as-of date.
public struct PartyOnTask: Sendable, Hashable {
    public var party: Party
    public var role: PartyRole
    public var status: PartyTaskStatus
    /// The latest report's canonical wording, nil when not reported.
    public var progress: String?
    public var completed: Day?
    /// nil unless done.
    public var onTime: Bool?
    public var overdue: Bool
    public var stale: Bool
    /// The latest report's 报送日期.
    public var reported: Day?
    /// The latest report's 进展说明.
    public var note: String?
    /// The latest report's days overdue at the as-of date (as-of − deadline), when overdue.
    public var daysOverdue: Int?
}

/// A task's status at the as-of date (§3 A task's status; the first that applies).
public enum PlanTaskStatus: String, Sendable, Codable {
    case unassigned, done, overdue
    case notReported = "not-reported"
    case paused, open
}

/// A task at the as-of date: its row of the responsibility table (nil when unassigned), its status
/// and its parties (counted ones always, partners only when they reported).
public struct TaskProgress: Sendable, Hashable {
    public var task: PlanTask
    public var assignment: TaskAssignment?
    public var status: PlanTaskStatus
    /// nil unless done.
    public var onTime: Bool?
    public var parties: [PartyOnTask]
}

/// A party's record over the tasks where it is a counted party (§3 A party's scorecard).
public struct Scorecard: Sendable, Hashable {
    public var party: Party
    public var assigned = 0
    /// Tasks with a deadline before the as-of date.
    public var due = 0
    // Each task in exactly one of the six columns below.
    public var doneOnTime = 0
    public var doneLate = 0
    public var overdue = 0
    public var paused = 0
    public var open = 0
    public var notReported = 0
    /// Counted apart from the six.
    public var stale = 0
    /// Due tasks done on time among due tasks, × 100, exact; nil when nothing is due.
    public var onTimeRate: Rational?
    /// Among parties of the same kind, higher rate first, ties sharing the best rank; nil without a rate.
    public var rank: Int?

    public init(party: Party) { self.party = party }
}

/// Everything a plan gives at the as-of date.
public struct PlanResults: Sendable {
    public var asOf: Day
    public var tasks: [TaskProgress]
    public var scorecards: [Scorecard]
    public var stages: [StageStatus]
}

/// How long without a report makes an open or paused party stale (§3: more than 90 days).
public let defaultStaleDays = 90

/// The latest usable report of each (task, party): greatest 报送日期, on a tie the later row.
public func latestReports(_ reports: [ProgressReport]) -> [TaskID: [Party: ProgressReport]] {
    var out: [TaskID: [Party: ProgressReport]] = [:]
    for r in reports {
        if let prev = out[r.task]?[r.reporter], (prev.reported, prev.order) > (r.reported, r.order) { continue }
        out[r.task, default: [:]][r.reporter] = r
    }
    return out
}

/// One party's status on a task with a given deadline, from its latest report (nil: none).
public func partyStatus(_ party: Party, role: PartyRole, latest: ProgressReport?, deadline: Deadline, asOf: Day,
                        staleDays: Int = defaultStaleDays) -> PartyOnTask {
    var p = PartyOnTask(party: party, role: role, status: .notReported, progress: nil, completed: nil, onTime: nil,
                        overdue: false, stale: false, reported: nil, note: nil, daysOverdue: nil)
    if let r = latest {
        p.progress = r.wording
        p.reported = r.reported
        p.note = r.note
        switch r.state {
        case .done:
            p.status = .done
            p.completed = r.completed
            // An ongoing task, or one without a readable deadline, is done on time.
            if let d = deadline.day, let c = r.completed { p.onTime = c <= d } else { p.onTime = true }
        case .paused: p.status = .paused
        case .notStarted, .inProgress: p.status = .open
        }
    }
    // Paused is listed apart and never overdue (§3, decision).
    if let d = deadline.day, asOf > d, p.status == .open || p.status == .notReported {
        p.overdue = true
        p.daysOverdue = asOf.ordinal - d.ordinal
    }
    if let r = latest, p.status == .open || p.status == .paused, asOf.ordinal - r.reported.ordinal > staleDays {
        p.stale = true
    }
    return p
}

/// A task's status from its counted parties (§3; the first that applies).
public func taskStatus(counted: [PartyOnTask]) -> (PlanTaskStatus, onTime: Bool?) {
    if !counted.isEmpty, counted.allSatisfy({ $0.status == .done }) {
        return (.done, counted.allSatisfy { $0.onTime == true })
    }
    if counted.contains(where: \.overdue) { return (.overdue, nil) }
    if counted.allSatisfy({ $0.status == .notReported }) { return (.notReported, nil) }
    if counted.filter({ $0.status != .done }).allSatisfy({ $0.status == .paused }) { return (.paused, nil) }
    return (.open, nil)
}

/// Statuses, scorecards and stages of a plan at `asOf`. `assignments` holds the usable rows of
/// the responsibility table; `reports` the usable reports (any dated after `asOf` is not yet known
/// and left out); `departments` and `counties` every party a scorecard is made for, in their
/// listing order. `staleDays` is the scheme's (quzhou-city.md §3: 90).
public func evaluatePlan(tasks: [PlanTask], stages: [PlanStage], assignments: [TaskID: TaskAssignment],
                         reports: [ProgressReport], departments: [Party], counties: [Party], asOf: Day,
                         staleDays: Int = defaultStaleDays) -> PlanResults {
    let latest = latestReports(reports.filter { $0.reported <= asOf })
    var cards: [Party: Scorecard] = [:]
    var dueOnTime: [Party: Int] = [:]
    for p in departments + counties { cards[p] = Scorecard(party: p) }
    var out: [TaskProgress] = []
    for task in tasks {
        guard let a = assignments[task.id] else {
            out.append(TaskProgress(task: task, assignment: nil, status: .unassigned, onTime: nil, parties: []))
            continue
        }
        let mine = latest[task.id] ?? [:]
        let counted = a.counted.map { partyStatus($0.party, role: $0.role, latest: mine[$0.party], deadline: a.deadline,
                                                  asOf: asOf, staleDays: staleDays) }
        // Partners are shown when they reported; they decide nothing (§3, decision).
        let partners = a.partners.compactMap { p in
            mine[p].map { partyStatus(p, role: .partner, latest: $0, deadline: a.deadline, asOf: asOf, staleDays: staleDays) }
        }
        let (status, onTime) = taskStatus(counted: counted)
        out.append(TaskProgress(task: task, assignment: a, status: status, onTime: onTime, parties: counted + partners))
        let isDue = a.deadline.day.map { $0 < asOf } ?? false
        for p in counted {
            var c = cards[p.party] ?? Scorecard(party: p.party)
            c.assigned += 1
            if isDue { c.due += 1 }
            switch p.status {
            case .done:
                if p.onTime == true {
                    c.doneOnTime += 1
                } else {
                    c.doneLate += 1
                }
            case .paused: c.paused += 1
            case .open: if p.overdue { c.overdue += 1 } else { c.open += 1 }
            case .notReported: if p.overdue { c.overdue += 1 } else { c.notReported += 1 }
            }
            if p.stale { c.stale += 1 }
            if isDue, p.status == .done, p.onTime == true { dueOnTime[p.party, default: 0] += 1 }
            cards[p.party] = c
        }
    }
    var listed = (departments + counties).map { cards[$0]! }
    let extra = cards.keys.filter { !Set(departments + counties).contains($0) }
        .sorted { ($0.kind.rawValue, $0.key) < ($1.kind.rawValue, $1.key) }
    listed += extra.map { cards[$0]! }
    for i in listed.indices {
        let c = listed[i]
        listed[i].onTimeRate = c.due == 0 ? nil : Rational((dueOnTime[c.party] ?? 0) * 100, c.due)
    }
    rankScorecards(&listed)
    return PlanResults(asOf: asOf, tasks: out, scorecards: listed, stages: stageStatuses(stages, asOf: asOf))
}

/// Ranks by onTimeRate within each kind, higher first; equal rates share the best rank and the
/// next rank skips (1, 2, 2, 4); no rate, no rank.
public func rankScorecards(_ cards: inout [Scorecard]) {
    for kind in [PartyKind.department, .county] {
        let rates = cards.filter { $0.party.kind == kind }.compactMap(\.onTimeRate)
        for i in cards.indices where cards[i].party.kind == kind {
            guard let r = cards[i].onTimeRate else { cards[i].rank = nil; continue }
            cards[i].rank = 1 + rates.filter { $0 > r }.count
        }
    }
}
