import Foundation
import CQTownSystem
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Writing the output folder atomically

/// Why publishing failed (exit status 2; the previous output is left as it was).
public struct PublishError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// A run's output, written into a staging folder beside `--output` and swapped in at the end.
///
/// 1. `init` refuses an output qtown may not replace (`requireReplaceableOutput`: a plain file,
///    a folder holding what qtown did not write), makes `.<name>.staging-<pid>` in the output's
///    parent folder (same file system, so the swap is a rename) holding qtown's marker file, and
///    removes staging folders left by runs that were killed.
/// 2. `carryOver` hard-links the previous output's other years into the staging folder.
/// 3. `write` puts each page; paths are checked to stay inside the folder.
/// 4. `publish` exchanges staging and output in one `renameat2(RENAME_EXCHANGE)`, then deletes
///    the old tree. A kill at any moment leaves either the complete old or the complete new output.
public final class StagedOutput: @unchecked Sendable {
    public let output: String
    public let staging: String
    private var published = false

    public init(output: String) throws(PublishError) {
        let out = StagedOutput.absolute(output)
        self.output = out
        let parent = (out as NSString).deletingLastPathComponent
        let name = (out as NSString).lastPathComponent
        guard !name.isEmpty, name != "/", name != "." else { throw PublishError(description: "输出文件夹 \(output) 不合适") }
        try requireReplaceableOutput(out)
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw PublishError(description: "无法创建输出文件夹的上级 \(parent)：\(error.localizedDescription)")
        }
        StagedOutput.removeStale(parent: parent, name: name)
        staging = parent + "/.\(name).staging-\(getpid())"
        try? FileManager.default.removeItem(atPath: staging)
        guard mkdir(staging, 0o755) == 0 else {
            throw PublishError(description: "无法创建临时文件夹 \(staging)：\(systemReason(errno))")
        }
        try writeOutputMarker(in: staging)
    }

    deinit {
        if !published { try? FileManager.default.removeItem(atPath: staging) }
    }

    static func absolute(_ p: String) -> String {
        var path = p
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }

    /// Staging folders of runs that were killed (their process is gone) are removed.
    static func removeStale(parent: String, name: String) {
        let prefix = ".\(name).staging-"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix(prefix) {
            if let pid = Int32(entry.dropFirst(prefix.count)), pid != getpid(), kill(pid, 0) == 0 { continue }
            try? FileManager.default.removeItem(atPath: parent + "/" + entry)
        }
    }

    /// Checks that `relative` names a file inside the output (no `..`, no absolute path, no
    /// empty or hidden component) so no name or code can choose where a file lands.
    public static func checkedPath(_ relative: String) throws(PublishError) -> String {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard !relative.hasPrefix("/"), !parts.isEmpty,
              parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && !$0.hasPrefix(".") && !$0.contains("\0") })
        else { throw PublishError(description: "拒绝写入输出文件夹之外或不合法的路径 \(quoted(relative))") }
        return relative
    }

    /// Makes a folder inside the staging folder (before parallel writes into it).
    public func makeFolder(_ relative: String) throws(PublishError) {
        let rel = try StagedOutput.checkedPath(relative)
        do {
            try FileManager.default.createDirectory(atPath: staging + "/" + rel, withIntermediateDirectories: true)
        } catch {
            throw PublishError(description: "无法创建文件夹 \(rel)：\(error.localizedDescription)")
        }
    }

    /// Writes one file into the staging folder, creating its folder when missing. Safe to call
    /// from several threads for different files.
    public func write(_ relative: String, _ bytes: [UInt8]) throws(PublishError) {
        let rel = try StagedOutput.checkedPath(relative)
        let path = staging + "/" + rel
        let dir = (path as NSString).deletingLastPathComponent
        if access(dir, F_OK) != 0 {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw PublishError(description: "无法创建文件夹 \(dir)：\(error.localizedDescription)")
            }
        }
        try writeFile(path, bytes)
    }

    /// Hard-links (or copies, across file systems) the previous output's year folders other than
    /// `exceptYear` into the staging folder, so other years survive this run.
    public func carryOver(exceptYear: Int) throws(PublishError) {
        let fm = FileManager.default
        for entry in (try? fm.contentsOfDirectory(atPath: output)) ?? [] {
            guard let y = Int(entry), entry.count == 4, y != exceptYear else { continue }
            try linkTree(from: output + "/" + entry, to: staging + "/" + entry)
        }
    }

    private func linkTree(from: String, to: String) throws(PublishError) {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: from, isDirectory: &isDir) else { return }
        if isDir.boolValue {
            guard mkdir(to, 0o755) == 0 || errno == EEXIST else {
                throw PublishError(description: "无法创建文件夹 \(to)：\(systemReason(errno))")
            }
            for e in ((try? fm.contentsOfDirectory(atPath: from)) ?? []).sorted() {
                try linkTree(from: from + "/" + e, to: to + "/" + e)
            }
        } else if link(from, to) != 0 {
            guard let data = fm.contents(atPath: from) else {
                throw PublishError(description: "无法读取上次输出中的 \(from)")
            }
            try writeFile(to, [UInt8](data))
        }
    }

    /// Years whose folders the published output will hold (carried over or written).
    public func years() -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? [])
            .compactMap { $0.count == 4 ? Int($0) : nil }.sorted()
    }

    /// Swaps the staging folder in as the output and removes the previous tree.
    public func publish() throws(PublishError) {
        syncTree(staging)
        if access(output, F_OK) != 0 {
            guard rename(staging, output) == 0 else {
                throw PublishError(description: "无法把结果移入 \(output)：\(systemReason(errno))")
            }
        } else if qtown_rename_exchange(staging, output) != 0 {
            // File systems without RENAME_EXCHANGE: two renames (a short moment without output).
            let old = staging + ".old"
            guard rename(output, old) == 0, rename(staging, output) == 0 else {
                throw PublishError(description: "无法替换输出文件夹 \(output)：\(systemReason(errno))")
            }
            try? FileManager.default.removeItem(atPath: old)
            published = true
            return
        }
        published = true
        // After the exchange the staging path holds the previous output.
        try? FileManager.default.removeItem(atPath: staging)
        syncPath((output as NSString).deletingLastPathComponent)
    }
}

extension StagedOutput {
    /// A file of the staging folder written piece by piece (its folder must exist).
    public func stream(_ relative: String) throws(PublishError) -> FileStream {
        let rel = try StagedOutput.checkedPath(relative)
        return try FileStream(path: staging + "/" + rel)
    }
}

/// A new file written in pieces; the first failure is kept and thrown by `close`. Owns its
/// descriptor (closed in deinit if `close` was never called).
public final class FileStream {
    private var fd: Int32
    private let path: String
    private var failure: PublishError?

    init(path: String) throws(PublishError) {
        fd = try createFile(path)
        self.path = path
    }

    /// Appends bytes (after a failure, does nothing).
    public func write(_ bytes: [UInt8]) {
        guard failure == nil, fd >= 0 else { return }
        do throws(PublishError) { try writeAll(fd, bytes, path: path) } catch { failure = error }
    }

    /// Closes the file; throws the first write failure.
    public func close() throws(PublishError) {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
        if let failure { throw failure }
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }
}

/// A new file open for writing (replacing any file there, never writing through a hard link).
private func createFile(_ path: String) throws(PublishError) -> Int32 {
    // A new file, never one already there (whatever it links to): anything in its place is
    // removed first. The staging folder is new, so nearly always there is nothing to remove.
    var fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    if fd < 0 && errno == EEXIST {
        unlink(path)
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    }
    guard fd >= 0 else { throw PublishError(description: "无法创建文件 \(path)：\(systemReason(errno))") }
    return fd
}

/// Writes bytes to a new file (replacing any file there, never writing through a hard link).
func writeFile(_ path: String, _ bytes: [UInt8]) throws(PublishError) {
    let fd = try createFile(path)
    defer { close(fd) }
    try writeAll(fd, bytes, path: path)
}

/// Writes all of `bytes` to an open file.
private func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(PublishError) {
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
        if n < 0 {
            if errno == EINTR { continue }
            let why = systemReason(errno)
            throw PublishError(description: "写入 \(path) 失败：\(why)")
        }
        offset += n
    }
}

/// Flushes a file or folder to disk so a power cut after the swap cannot leave empty files.
private func syncPath(_ path: String) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd >= 0 {
        fsync(fd)
        close(fd)
    }
}

/// `syncfs` on the staging folder's file system: one call instead of one fsync per page.
private func syncTree(_ path: String) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd >= 0 {
        qtown_syncfs(fd)
        close(fd)
    }
}

/// Replaces one file inside an existing output atomically (write beside it, then rename), for
/// `qtown form`.
public func replaceFileAtomically(output: String, relative: String, bytes: [UInt8]) throws(PublishError) {
    let rel = try StagedOutput.checkedPath(relative)
    let path = StagedOutput.absolute(output) + "/" + rel
    let dir = (path as NSString).deletingLastPathComponent
    do {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    } catch {
        throw PublishError(description: "无法创建文件夹 \(dir)：\(error.localizedDescription)")
    }
    let tmp = dir + "/.\((path as NSString).lastPathComponent).tmp-\(getpid())"
    try writeFile(tmp, bytes)
    syncPath(tmp)
    guard rename(tmp, path) == 0 else {
        unlink(tmp)
        throw PublishError(description: "无法写入 \(path)：\(systemReason(errno))")
    }
}

/// The reason for a failed system call, in the words an office user reads (the system's own
/// text, in English, follows for the administrator).
func systemReason(_ code: Int32) -> String {
    let system = String(cString: strerror(code))
    switch code {
    case ENOSPC: return "磁盘空间已满（\(system)）"
    case EROFS: return "输出位置是只读的（\(system)）"
    case EACCES, EPERM: return "没有写入权限（\(system)）"
    case EDQUOT: return "超出磁盘配额（\(system)）"
    default: return system
    }
}

/// A file's bytes read straight into an array (no intermediate `Data` copy), or nil when it
/// cannot be read.
func readFileBytes(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { return nil }
    let size = Int(st.st_size)
    var failed = false
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buf, count in
        var done = 0
        while done < size {
            let n = read(fd, buf.baseAddress! + done, size - done)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { failed = n < 0; break }
            done += n
        }
        count = done
    }
    return failed ? nil : bytes
}
