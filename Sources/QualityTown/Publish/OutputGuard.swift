import Foundation
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Whose is `--output`? (io-contract.md: qtown never deletes or overwrites what it did not write)

/// The name of the file qtown writes into every output folder it publishes (and into a folder
/// `qtown form` or `qtown blank` writes into), so a later run knows the folder is qtown's to replace.
public let outputMarkerName = ".qtown-output"

/// The marker's bytes: the same every run (outputs stay byte-identical), saying in the users'
/// language what the folder is and that it is replaced whole.
public let outputMarkerBytes: [UInt8] = Array("""
    本文件夹由 qtown 生成，每次运行会被整体替换：请不要在这里存放自己的文件。
    This folder was written by qtown and is replaced whole by each run.

    """.utf8)

/// What `--output` holds now, which decides whether qtown may replace it or write into it.
public enum OutputState: Sendable, Equatable {
    /// Nothing there: qtown creates it.
    case missing
    /// An empty folder.
    case empty
    /// A folder carrying qtown's marker file.
    case marked
    /// A folder written by a qtown older than the marker, recognised by its layout alone:
    /// `index.html` or `index.xhtml`, `assets/` with files, and year folders holding only the
    /// pages, the data-quality and changes pages and results.json/csv (see `isLegacyOutput`).
    case legacyOutput
    /// A plain file (or anything that is not a folder).
    case notAFolder
    /// A folder holding something qtown did not write: its first entries (sorted; folders end
    /// in `/`) and how many entries it holds.
    case foreign(entries: [String], count: Int)

    /// Whether qtown may replace this output (or write one file into it).
    public var replaceable: Bool {
        switch self {
        case .missing, .empty, .marked, .legacyOutput: return true
        case .notAFolder, .foreign: return false
        }
    }
}

/// Looks at what `path` holds, without changing anything.
public func inspectOutput(_ path: String) -> OutputState {
    var st = stat()
    guard stat(path, &st) == 0 else { return .missing }
    guard (st.st_mode & S_IFMT) == S_IFDIR else { return .notAFolder }
    let entries = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    if entries.isEmpty { return .empty }
    if entries.contains(outputMarkerName) && isRegularFile(path + "/" + outputMarkerName) { return .marked }
    if isLegacyOutput(path, entries: entries) { return .legacyOutput }
    let shown = entries.prefix(5).map { isFolder(path + "/" + $0) ? $0 + "/" : $0 }
    return .foreign(entries: Array(shown), count: entries.count)
}

/// Throws (exit status 2, nothing written) unless qtown may replace `output` or write into it;
/// the message names the place and what is there, and says what to do.
public func requireReplaceableOutput(_ output: String) throws(PublishError) {
    let path = StagedOutput.absolute(output)
    switch inspectOutput(path) {
    case .missing, .empty, .marked, .legacyOutput:
        return
    case .notAFolder:
        throw PublishError(description: "--output \(path) 是一个已有的文件，不是 qtown 生成的文件夹；qtown 不会替换或删除它。"
                           + "请用 --output 指定一个新的或空的文件夹")
    case .foreign(let entries, let count):
        let listed = entries.map { quoted($0) }.joined(separator: "、") + (count > entries.count ? " 等 \(count) 项" : "")
        throw PublishError(description: "--output \(path) 是已有的文件夹，里面有不是 qtown 写的内容（\(listed)）；"
                           + "qtown 只替换不存在的、空的或由 qtown 生成（带 \(outputMarkerName) 标记文件）的文件夹，不会删除或覆盖其中的文件。"
                           + "请用 --output 指定一个新的或空的文件夹")
    }
}

/// Writes qtown's marker file into `folder` (which must exist), replacing any marker there.
public func writeOutputMarker(in folder: String) throws(PublishError) {
    try writeFile(folder + "/" + outputMarkerName, outputMarkerBytes)
}

/// The names a year folder of qtown's output holds (the page folders, the year's own pages and
/// results), in either page format.
private let legacyYearEntries: Set<String> = [
    "cities", "counties", "towns", "forms", "results.json", "results.csv",
    "data-quality.html", "data-quality.xhtml", "changes.html", "changes.xhtml",
]

/// Whether a folder without the marker has exactly the layout qtown has always written (older
/// versions wrote no marker): `index.html`/`index.xhtml` and `assets/` at the top, every other
/// entry a year folder (four digits) holding only `legacyYearEntries`, and the page folders only
/// `CODE.html`/`CODE.xhtml` files. Anything else (a stray file, another folder) makes it foreign.
func isLegacyOutput(_ path: String, entries: [String]) -> Bool {
    guard entries.contains(where: { $0 == "index.html" || $0 == "index.xhtml" }), entries.contains("assets") else { return false }
    for e in entries {
        let full = path + "/" + e
        switch e {
        case "index.html", "index.xhtml":
            guard isRegularFile(full) else { return false }
        case "assets":
            guard isFolder(full) else { return false }
            let files = (try? FileManager.default.contentsOfDirectory(atPath: full)) ?? []
            guard !files.isEmpty, files.allSatisfy({ $0.hasSuffix(".css") && isRegularFile(full + "/" + $0) }) else { return false }
        default:
            guard e.count == 4, e.allSatisfy(\.isASCII), Int(e) != nil, isFolder(full) else { return false }
            for y in (try? FileManager.default.contentsOfDirectory(atPath: full)) ?? [] {
                guard legacyYearEntries.contains(y) else { return false }
                let inner = full + "/" + y
                if y.contains(".") {
                    guard isRegularFile(inner) else { return false }
                    continue
                }
                guard isFolder(inner) else { return false }
                for page in (try? FileManager.default.contentsOfDirectory(atPath: inner)) ?? [] {
                    let stem = page.hasSuffix(".html") ? page.dropLast(5) : page.hasSuffix(".xhtml") ? page.dropLast(6) : ""
                    guard !stem.isEmpty, !stem.hasPrefix("."), isRegularFile(inner + "/" + page) else { return false }
                }
            }
        }
    }
    return true
}

private func isFolder(_ path: String) -> Bool {
    var st = stat()
    return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
}

private func isRegularFile(_ path: String) -> Bool {
    var st = stat()
    return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
}

/// For commands that write files into an output in place (`qtown form`, `qtown blank`): refuses
/// an output qtown may not write into, creates it when missing, and marks it as qtown's.
public func claimOutputFolder(_ output: String) throws(PublishError) {
    try requireReplaceableOutput(output)
    let path = StagedOutput.absolute(output)
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        throw PublishError(description: "无法创建输出文件夹 \(path)：\(error.localizedDescription)")
    }
    if !isRegularFile(path + "/" + outputMarkerName) { try writeOutputMarker(in: path) }
}

/// `qtown blank`: writes each empty sheet into `output` (claimed as qtown's), but never over a
/// sheet already there with other bytes — staff fill these sheets in where they were written,
/// so such a file is theirs now: it is kept and listed in `kept`.
public func writeBlankSheets(_ sheets: [OutputPage], output: String) throws(PublishError) -> (written: [String], kept: [String]) {
    try claimOutputFolder(output)
    let base = StagedOutput.absolute(output)
    var written: [String] = [], kept: [String] = []
    for sheet in sheets {
        let rel = try StagedOutput.checkedPath(sheet.path)
        if let there = readFileBytes(base + "/" + rel), there != sheet.bytes {
            kept.append(rel)
            continue
        }
        try replaceFileAtomically(output: output, relative: rel, bytes: sheet.bytes)
        written.append(rel)
    }
    return (written, kept)
}
