import Foundation

// MARK: - The argument parser's own English, in the users' language

/// Rewrites a message of swift-argument-parser (an argument error with its `Help:`/`Usage:`
/// lines, or a `--help` page) in Chinese. The parser has no localisation: its fixed words
/// (`USAGE:`, `OPTIONS:`, `(default: …)`, `Show help information.`) and its error sentences
/// are English, so the command line passes each message through here before printing it.
/// Our own texts (abstracts, option help, validation errors) are Chinese already and pass
/// through unchanged; a sentence this function does not know stays English (a parser upgrade
/// that rewords one shows up in `CommandLineTests`, which look for English words in `--help`
/// and in the errors).
public func chineseArgumentMessage(_ message: String) -> String {
    var text = message
    // Whole-text rules first: the parser wraps long help lines, so `(default: …)` may span two lines.
    text = replacing(text, #"(?:(?<=\S) )?\(values:\s+([^;()]*?);\s+default:\s+([^()]*?)\)"#) { g in
        "（可选值：\(list(g[1]))；默认：\(collapse(g[2]))）"
    }
    text = replacing(text, #"(?:(?<=\S) )?\(values:\s+([^()]*?)\)"#) { g in "（可选值：\(list(g[1]))）" }
    text = replacing(text, #"(?:(?<=\S) )?\(default:\s+([^()]*?)\)"#) { g in "（默认：\(collapse(g[1]))）" }
    var out: [String] = []
    for line in text.components(separatedBy: "\n") {
        out.append(realigned(translateLine(line).replacingOccurrences(of: "<subcommand>", with: "<子命令>")))
    }
    return out.joined(separator: "\n")
}

/// The parser pads an option's name to column 26 counting characters; a Chinese value name
/// (`<文件夹>`) is two columns a character on a terminal, so the padding is counted again in columns.
private func realigned(_ line: String) -> String {
    guard line.hasPrefix("  "), let m = match(line, #"^(  \S(?:.*?\S)?)( {2,})(\S.*)$"#) else { return line }
    let width = columns(m[1])
    guard width != m[1].count, width < 24 else { return line }
    return m[1] + String(repeating: " ", count: 26 - width) + m[3]
}

/// Terminal columns of a text: East Asian wide and full-width characters take two.
func columns(_ s: String) -> Int {
    s.unicodeScalars.reduce(0) { n, u in
        let v = u.value
        let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v)
        return n + (wide ? 2 : 1)
    }
}

private func translateLine(_ line: String) -> String {
    let prefixes: [(String, String)] = [
        ("Error: ", "错误："), ("Help:  ", "说明："), ("Usage: ", "用法："),
        ("OVERVIEW: ", "概述："), ("USAGE: ", "用法："),
    ]
    for (english, chinese) in prefixes where line.hasPrefix(english) {
        let rest = String(line.dropFirst(english.count))
        return chinese + (english == "Error: " ? translateError(rest) : rest)
    }
    switch line {
    case "OPTIONS:": return "选项："
    case "ARGUMENTS:": return "参数："
    case "SUBCOMMANDS:": return "子命令："
    default: break
    }
    var l = line
    if let m = match(l, #"^(\s*)See '([^']+)' for more information\.$"#) { return "\(m[1])详见 \(m[2])" }
    if let m = match(l, #"^(\s*)See '([^']+) <subcommand>' for detailed help\.$"#) { return "\(m[1])各子命令的说明：\(m[2]) <子命令>" }
    l = l.replacingOccurrences(of: "Show help information.", with: "显示帮助信息。")
    l = l.replacingOccurrences(of: "Show subcommand help information.", with: "显示子命令的帮助信息。")
    // `build (default)` in the subcommand list (realigned below).
    if let m = match(l, #"^(\s+\S+) \(default\)( +)(.*)$"#) { l = "\(m[1])（默认）\(m[2])\(m[3])" }
    return l
}

/// The parser's error sentences (ErrorMessageGenerator in swift-argument-parser 1.x).
private func translateError(_ s: String) -> String {
    if let m = match(s, #"^The value '(.*)' is invalid for '([^']+)'\. Please provide one of (.+)\.$"#) {
        return "\(quoted(m[1])) 不是 \(m[2]) 可取的值；可取：\(m[3].replacingOccurrences(of: "'", with: "").replacingOccurrences(of: " and ", with: "、").replacingOccurrences(of: " or ", with: "、").replacingOccurrences(of: ", ", with: "、"))"
    }
    if let m = match(s, #"^The value '(.*)' is invalid for '([^']+)': (.+)$"#) { return "\(quoted(m[1])) 不是 \(m[2]) 可取的值：\(m[3])" }
    if let m = match(s, #"^The value '(.*)' is invalid for '([^']+)'$"#) {
        let number = m[2].hasSuffix("<年度>") || m[2].hasSuffix("<线程数>")
        return "\(quoted(m[1])) 不是 \(m[2]) 可取的值" + (number ? "（应为整数）" : "")
    }
    if let m = match(s, #"^The value '(.*)' is invalid\.?(.*)$"#) { return "\(quoted(m[1])) 不是可取的值\(m[2])" }
    if let m = match(s, #"^Missing expected argument '([^']+)'$"#) { return "缺少必需的参数 \(m[1])" }
    if let m = match(s, #"^Missing one of: (.+)$"#) { return "缺少以下之一：\(m[1].replacingOccurrences(of: "'", with: "").replacingOccurrences(of: ", ", with: "、"))" }
    if let m = match(s, #"^Missing value for '([^']+)'$"#) { return "\(m[1]) 后面缺少值" }
    if let m = match(s, #"^Unknown option '([^']+)'\. Did you mean '([^']+)'\?$"#) { return "没有选项 \(m[1])；是否是 \(m[2])？" }
    if let m = match(s, #"^Unknown option '([^']+)'$"#) { return "没有选项 \(m[1])" }
    if let m = match(s, #"^Unexpected argument '(.*)'$"#) { return "无法识别的参数 \(quoted(m[1]))（子命令或选项写错了？）" }
    if let m = match(s, #"^(\d+) unexpected arguments: '(.*)'$"#) {
        return "\(m[1]) 个无法识别的参数：" + m[2].components(separatedBy: "', '").map { quoted($0) }.joined(separator: "、")
    }
    if let m = match(s, #"^The option '([^']+)' does not take any value, but '(.*)' was specified\.$"#) { return "选项 \(m[1]) 不带值，却给了 \(quoted(m[2]))" }
    if let m = match(s, #"^Invalid option: (.+)$"#) { return "无效的选项：\(m[1])" }
    if s == "Missing required subcommand." { return "缺少子命令" }
    if let m = match(s, #"^Value to be set with (.+) had already been set with (.+)$"#) { return "\(m[1]) 与前面的 \(m[2]) 重复" }
    return s
}

private func list(_ s: String) -> String {
    collapse(s).replacingOccurrences(of: ", ", with: "、")
}

/// A value the parser wrapped over two lines, back on one.
private func collapse(_ s: String) -> String {
    s.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
}

private func match(_ s: String, _ pattern: String) -> [String]? {
    guard let re = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]),
          let m = re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) else { return nil }
    return (0..<m.numberOfRanges).map { i in Range(m.range(at: i), in: s).map { String(s[$0]) } ?? "" }
}

private func replacing(_ s: String, _ pattern: String, _ with: ([String]) -> String) -> String {
    guard let re = try? NSRegularExpression(pattern: pattern, options: []) else { return s }
    var out = ""
    var last = s.startIndex
    for m in re.matches(in: s, range: NSRange(s.startIndex..., in: s)) {
        guard let r = Range(m.range, in: s) else { continue }
        let groups = (0..<m.numberOfRanges).map { i in Range(m.range(at: i), in: s).map { String(s[$0]) } ?? "" }
        out += s[last..<r.lowerBound] + with(groups)
        last = r.upperBound
    }
    return out + s[last...]
}
