import Testing
import Foundation
import let QualityTown.outputMarkerName

/// Golden files: a case folder `Fixtures/cases/<case>/` holds `inputs/` and `expected/`. A test
/// builds the case and compares each expected file with what was written, as a line diff.
/// Re-record on purpose with `QTOWN_RECORD=1 swift test`: the recording run writes the files
/// and fails, so a recording can never pass unnoticed.
enum Golden {
    static var recording: Bool { ProcessInfo.processInfo.environment["QTOWN_RECORD"] == "1" }

    /// Compares `actual` (relative path → bytes) with the case's expected folder.
    static func compare(case name: String, files actual: [String: [UInt8]], sourceLocation: SourceLocation = #_sourceLocation) {
        let expectedDir = fixturePath("cases/\(name)/expected")
        if recording {
            try? FileManager.default.removeItem(atPath: expectedDir)
            for (path, bytes) in actual {
                let full = expectedDir + "/" + path
                try? FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                _ = FileManager.default.createFile(atPath: full, contents: Data(bytes))
            }
            Issue.record("recorded golden files for \(name) (QTOWN_RECORD=1): review with git diff, then run again", sourceLocation: sourceLocation)
            return
        }
        let expectedFiles = Set(allFiles(under: expectedDir))
        #expect(expectedFiles == Set(actual.keys), "files of case \(name)", sourceLocation: sourceLocation)
        for path in expectedFiles.sorted() {
            guard let got = actual[path] else { continue }
            let want = (try? Data(contentsOf: URL(fileURLWithPath: expectedDir + "/" + path))).map { [UInt8]($0) } ?? []
            if got != want {
                let diff = lineDiff(String(decoding: want, as: UTF8.self), String(decoding: got, as: UTF8.self))
                Issue.record(Comment(rawValue: "\(name)/\(path) differs from golden:\n\(diff)"), sourceLocation: sourceLocation)
            }
        }
    }

    static func allFiles(under dir: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + p, isDirectory: &isDir), !isDir.boolValue { out.append(p) }
        }
        return out.sorted()
    }

    /// A short unified-style diff: the first differing lines with their numbers.
    static func lineDiff(_ a: String, _ b: String, context: Int = 2, limit: Int = 40) -> String {
        let x = a.components(separatedBy: "\n"), y = b.components(separatedBy: "\n")
        var out: [String] = []
        var i = 0
        while i < max(x.count, y.count), out.count < limit {
            let l = i < x.count ? x[i] : nil, r = i < y.count ? y[i] : nil
            if l != r {
                for k in max(0, i - context)..<i where out.isEmpty { out.append("  \(k + 1)  \(x[k])") }
                if let l { out.append("- \(i + 1)  \(l)") }
                if let r { out.append("+ \(i + 1)  \(r)") }
            }
            i += 1
        }
        return out.joined(separator: "\n")
    }
}

/// Runs the built `qtown` binary with arguments, returning exit status, stdout and stderr.
func runQtown(_ arguments: [String], cwd: String? = nil, environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    let runner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var binary = runner.appendingPathComponent("qtown").path
    if !FileManager.default.fileExists(atPath: binary) { binary = repoPath(".build/debug/qtown") }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: binary)
    p.arguments = arguments
    p.currentDirectoryURL = URL(fileURLWithPath: cwd ?? repoPath())
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { _, b in b }
    env["QTOWN_TEMPLATES"] = repoPath("templates")
    p.environment = env
    // Standard error goes to a file, not a second pipe: a child that fills one pipe (64 KB) while
    // the test reads the other to its end would wait forever.
    let errPath = NSTemporaryDirectory() + "qtown-stderr-" + UUID().uuidString
    guard FileManager.default.createFile(atPath: errPath, contents: nil), let errFile = FileHandle(forWritingAtPath: errPath) else {
        throw CocoaError(.fileWriteUnknown)
    }
    defer { try? FileManager.default.removeItem(atPath: errPath) }
    let out = Pipe()
    p.standardOutput = out
    p.standardError = errFile
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    try? errFile.close()
    let e = FileManager.default.contents(atPath: errPath) ?? Data()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// Every file under an output folder, relative path → bytes; qtown's marker file (the same
/// bytes in every output, checked by OutputOwnershipTests) is left out.
func readTree(_ dir: String) -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    for p in Golden.allFiles(under: dir) where p != outputMarkerName {
        out[p] = (try? Data(contentsOf: URL(fileURLWithPath: dir + "/" + p))).map { [UInt8]($0) }
    }
    return out
}
