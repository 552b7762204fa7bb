import Foundation

// MARK: - Bytes → text: which encoding a spreadsheet export used

/// The encoding a file was read in, as reported per file on the index page.
public enum TextEncoding: String, Sendable, Codable {
    case utf8 = "UTF-8"
    case utf8BOM = "UTF-8 (BOM)"
    case gb18030 = "GB18030"
    case utf16LE = "UTF-16LE (BOM)"
    case utf16BE = "UTF-16BE (BOM)"
}

/// A file's text as UTF-8 bytes, with the encoding it was read in and the problems met.
public struct DecodedText: Sendable {
    public var utf8: [UInt8]
    public var encoding: TextEncoding
    /// Encoding problems (each with its line), and a `not-csv` error for binary files.
    public var diagnostics: [Diagnostic]
    /// False when the file is not text at all (xlsx, xls, pdf…): nothing else should be read.
    public var isText: Bool
}

/// Decodes a CSV export: BOM first, else strict UTF-8, else GB18030 (Chinese Excel's "CSV").
/// Undecodable bytes become U+FFFD and are reported with their line, so the rest of the file
/// is still read. Binary files (an .xlsx renamed to .csv) are one `not-csv` error.
public func decodeSpreadsheetText(_ bytes: [UInt8], file: String) -> DecodedText {
    if let kind = binarySignature(bytes) {
        let d = Diagnostic(.error, "not-csv",
                           "文件不是 CSV 文本，而是\(kind)：请在 Excel/WPS 中“另存为”→“CSV UTF-8（逗号分隔）”后再放入输入文件夹",
                           at: SourceLocation(file: file))
        return DecodedText(utf8: [], encoding: .utf8, diagnostics: [d], isText: false)
    }
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
        var out = DecodedText(utf8: Array(bytes[3...]), encoding: .utf8BOM, diagnostics: [], isText: true)
        if let bad = firstInvalidUTF8(out.utf8) {
            out.diagnostics.append(encodingError(file: file, bytes: out.utf8, at: bad, encoding: "UTF-8"))
            out.utf8 = Array(String(decoding: out.utf8, as: UTF8.self).utf8)
        }
        return out.rejectingNUL(file: file)
    }
    if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
        let little = bytes[0] == 0xFF
        return decodeUTF16(Array(bytes[2...]), littleEndian: little, file: file)
    }
    if firstInvalidUTF8(bytes) == nil {
        return DecodedText(utf8: bytes, encoding: .utf8, diagnostics: [], isText: true).rejectingNUL(file: file)
    }
    // A UTF-8 export with a few damaged bytes (a cell pasted from elsewhere, a truncated copy)
    // stays UTF-8: its Chinese text is made of valid three-byte sequences, which GBK text almost
    // never forms. Reading it as GB18030 would turn every header into mojibake.
    let census = utf8Census(bytes)
    if census.valid >= 8, census.invalid * 4 <= census.valid, let first = census.firstInvalid {
        var d = encodingError(file: file, bytes: bytes, at: first, encoding: "UTF-8")
        if census.invalid > 1 { d.message += "（共 \(census.invalid) 处无法识别的字节）" }
        let repaired = Array(String(decoding: bytes, as: UTF8.self).utf8)
        return DecodedText(utf8: repaired, encoding: .utf8, diagnostics: [d], isText: true).rejectingNUL(file: file)
    }
    let (text, badOffsets) = convertGB18030(bytes)
    var out = DecodedText(utf8: text, encoding: .gb18030, diagnostics: [], isText: true)
    if let first = badOffsets.first {
        var d = encodingError(file: file, bytes: bytes, at: first, encoding: "UTF-8 或 GB18030")
        if badOffsets.count > 1 { d.message += "（共 \(badOffsets.count) 处无法识别的字节）" }
        out.diagnostics.append(d)
    }
    return out.rejectingNUL(file: file)
}

extension DecodedText {
    /// NUL characters are never part of a spreadsheet cell: report the first, drop them all.
    fileprivate func rejectingNUL(file: String) -> DecodedText {
        guard let i = utf8.firstIndex(of: 0) else { return self }
        var out = self
        let count = utf8.lazy.filter { $0 == 0 }.count
        out.diagnostics.append(Diagnostic(.error, "nul-byte",
            "文件含有 \(count) 个空字符（NUL），已忽略；文件可能不是 CSV 文本或已损坏",
            at: SourceLocation(file: file, line: lineNumber(in: utf8, at: i))))
        out.utf8.removeAll { $0 == 0 }
        return out
    }
}

/// Names the binary format when the bytes start like one (so the user is told what to do).
func binarySignature(_ b: [UInt8]) -> String? {
    if b.starts(with: [0x50, 0x4B, 0x03, 0x04]) || b.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
        return " Excel 工作簿（.xlsx，ZIP 格式）"
    }
    if b.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) { return " Excel 97-2003 工作簿（.xls）" }
    if b.starts(with: Array("%PDF".utf8)) { return " PDF 文档" }
    return nil
}

/// The 1-based line of byte offset `i` (CRLF, LF and CR each end a line).
func lineNumber(in bytes: [UInt8], at i: Int) -> Int {
    var line = 1
    var k = 0
    let end = Swift.min(i, bytes.count)
    while k < end {
        if bytes[k] == 0x0A { line += 1 } else if bytes[k] == 0x0D {
            line += 1
            if k + 1 < end, bytes[k + 1] == 0x0A { k += 1 }
        }
        k += 1
    }
    return line
}

private func encodingError(file: String, bytes: [UInt8], at offset: Int, encoding: String) -> Diagnostic {
    let hex = bytes[offset..<Swift.min(bytes.count, offset + 4)].map { String(format: "%02X", $0) }.joined(separator: " ")
    return Diagnostic(.error, "encoding-error",
                      "第 \(offset + 1) 字节起的“\(hex)”不是有效的 \(encoding) 编码，已替换为 �；请另存为 CSV UTF-8",
                      at: SourceLocation(file: file, line: lineNumber(in: bytes, at: offset)))
}

/// Valid multi-byte UTF-8 sequences of three or four bytes, invalid sequences (each run of
/// undecodable bytes counted once), and the offset of the first invalid one.
func utf8Census(_ b: [UInt8]) -> (valid: Int, invalid: Int, firstInvalid: Int?) {
    var valid = 0, invalid = 0
    var first: Int?
    var i = 0
    var inBadRun = false
    while i < b.count {
        if b[i] < 0x80 { i += 1; inBadRun = false; continue }
        if let n = validUTF8Sequence(b, at: i) {
            if n >= 3 { valid += 1 }
            i += n
            inBadRun = false
        } else {
            if !inBadRun { invalid += 1; inBadRun = true }
            if first == nil { first = i }
            i += 1
        }
    }
    return (valid, invalid, first)
}

/// The length of the valid UTF-8 sequence starting at `i` (a non-ASCII lead byte), or nil.
private func validUTF8Sequence(_ b: [UInt8], at i: Int) -> Int? {
    let c = b[i]
    var need = 0
    var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
    switch c {
    case 0xC2...0xDF: need = 1
    case 0xE0: need = 2; lo = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF: need = 2
    case 0xED: need = 2; hi = 0x9F
    case 0xF0: need = 3; lo = 0x90
    case 0xF1...0xF3: need = 3
    case 0xF4: need = 3; hi = 0x8F
    default: return nil
    }
    if i + need >= b.count { return nil }
    for k in 1...need {
        let x = b[i + k]
        let (l, h): (UInt8, UInt8) = k == 1 ? (lo, hi) : (0x80, 0xBF)
        if x < l || x > h { return nil }
    }
    return need + 1
}

/// Offset of the first byte that breaks strict UTF-8 (overlongs, surrogates, > U+10FFFF), or nil.
func firstInvalidUTF8(_ b: [UInt8]) -> Int? {
    var i = 0
    while i < b.count {
        if b[i] < 0x80 { i += 1; continue }
        guard let n = validUTF8Sequence(b, at: i) else { return i }
        i += n
    }
    return nil
}

private func decodeUTF16(_ b: [UInt8], littleEndian: Bool, file: String) -> DecodedText {
    var units: [UInt16] = []
    units.reserveCapacity(b.count / 2)
    var i = 0
    while i + 1 < b.count {
        units.append(littleEndian ? UInt16(b[i]) | UInt16(b[i + 1]) << 8 : UInt16(b[i]) << 8 | UInt16(b[i + 1]))
        i += 2
    }
    var diags: [Diagnostic] = []
    var out: [UInt8] = []
    out.reserveCapacity(units.count * 2)
    var line = 1
    var reported = false
    var it = units.makeIterator()
    var decoder = UTF16()
    loop: while true {
        switch decoder.decode(&it) {
        case .scalarValue(let s):
            if s == "\n" { line += 1 }
            out.append(contentsOf: Array(String(s).utf8))
        case .emptyInput:
            break loop
        case .error:
            out.append(contentsOf: [0xEF, 0xBF, 0xBD])
            if !reported {
                reported = true
                diags.append(Diagnostic(.error, "encoding-error", "UTF-16 文本中有不成对的代理项，已替换为 �",
                                        at: SourceLocation(file: file, line: line)))
            }
        }
    }
    if b.count % 2 == 1 {
        diags.append(Diagnostic(.error, "encoding-error", "UTF-16 文件的字节数为奇数，最后一个字节已忽略",
                                at: SourceLocation(file: file, line: line)))
    }
    let enc: TextEncoding = littleEndian ? .utf16LE : .utf16BE
    return DecodedText(utf8: out, encoding: enc, diagnostics: diags, isText: true).rejectingNUL(file: file)
}

/// GB18030 → UTF-8 with glibc's iconv; returns the offsets of bytes it could not convert
/// (each replaced by U+FFFD and skipped).
func convertGB18030(_ input: [UInt8]) -> ([UInt8], [Int]) {
    let cd = iconv_open("UTF-8", "GB18030")
    guard cd != iconv_t(bitPattern: -1) else {
        // No converter on this system: keep the bytes readable as UTF-8 with replacements.
        return (Array(String(decoding: input, as: UTF8.self).utf8), [firstInvalidUTF8(input) ?? 0])
    }
    defer { iconv_close(cd) }
    var out = [UInt8](repeating: 0, count: input.count * 2 + 16)
    var bad: [Int] = []
    var produced = 0
    var consumed = 0
    input.withUnsafeBufferPointer { inBuf in
        while consumed < input.count {
            var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: inBuf.baseAddress! + consumed)
                .assumingMemoryBound(to: CChar.self)
            var inLeft = input.count - consumed
            if out.count - produced < inLeft * 2 + 16 { out.append(contentsOf: [UInt8](repeating: 0, count: inLeft * 2 + 16)) }
            var outLeft = out.count - produced
            let r = out.withUnsafeMutableBufferPointer { ob -> Int in
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(ob.baseAddress! + produced).assumingMemoryBound(to: CChar.self)
                let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                return r
            }
            let newConsumed = input.count - inLeft
            produced = out.count - outLeft
            consumed = newConsumed
            if r == -1 {
                let e = errno
                if e == E2BIG { continue }
                // EILSEQ or EINVAL (truncated at end): replace one byte and go on.
                bad.append(consumed)
                if out.count - produced < 3 { out.append(contentsOf: [0, 0, 0, 0]) }
                out[produced] = 0xEF; out[produced + 1] = 0xBF; out[produced + 2] = 0xBD
                produced += 3
                consumed += 1
            }
        }
    }
    out.removeSubrange(produced...)
    return (out, bad)
}
