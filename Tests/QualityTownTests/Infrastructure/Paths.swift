import Foundation

/// The repository root (found from this file's path), so tests read templates/ and fixtures/
/// exactly as committed.
func repoPath(_ relative: String = "") -> String {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }  // Infrastructure, QualityTownTests, Tests, root
    return relative.isEmpty ? url.path : url.path + "/" + relative
}

/// A fixture folder under Tests/QualityTownTests/Fixtures.
func fixturePath(_ name: String) -> String {
    repoPath("Tests/QualityTownTests/Fixtures/" + name)
}

/// A fresh temporary folder, removed by the caller when done.
func temporaryFolder(_ label: String = "qtown") -> String {
    let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
