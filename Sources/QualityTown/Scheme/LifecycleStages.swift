// MARK: - A town's stage in the programme: the ids a lifecycle walks through

/// Where a town is in the programme at the as-of date. The ids (results.json `stage`) are the
/// lifecycle capability's and stay an enum for now (the walk in `walkLifecycle` and the goal
/// count name them); their words are the scheme's (`<lifecycle><stage id label>`,
/// `Scheme.stageLabel`).
public enum StageName: String, Sendable, Codable, CaseIterable {
    case notApplied = "not-applied"
    case applied, recommended, declined, filed
    case acceptanceFailed = "acceptance-failed"
    case accepted, named, expired, revoked
}
