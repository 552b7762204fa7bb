import CQTownSystem

// MARK: - SHA-256 of input files (methodology page, change tracking)
// Written here rather than pulling in swift-crypto: one function, FIPS 180-4, tested against
// the standard vectors. Where the processor has SHA instructions (x86-64 SHA-NI), whole
// blocks are compressed with them (CQTownSystem): a country's inputs are a hundred megabytes,
// two and a half seconds of compression in Swift.

/// Whether the processor's SHA instructions compress the blocks (checked once).
let sha256UsesProcessor = qtown_sha256_hw_available() != 0

/// The round constants (one table, in CQTownSystem, for both compressions).
private let k = Array(UnsafeBufferPointer(start: qtown_sha256_constants(), count: 64))

/// The SHA-256 digest of `bytes` as 64 lowercase hex digits. Whole blocks are read in place
/// (a country's inputs are a hundred megabytes: copying them to pad the end, and indexing
/// arrays with bounds checks, took most of the time); only the last block or two are padded.
public func sha256Hex(_ bytes: [UInt8]) -> String {
    sha256Hex(bytes, processor: sha256UsesProcessor)
}

/// `sha256Hex`, with the processor's SHA instructions or without (the tests compare both).
func sha256Hex(_ bytes: [UInt8], processor: Bool) -> String {
    var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    let full = bytes.count / 64
    var tail = Array(bytes[(full * 64)...])
    tail.append(0x80)
    while tail.count % 64 != 56 { tail.append(0) }
    let bitLength = UInt64(bytes.count) * 8
    for i in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }
    if processor {
        var state: [UInt32] = [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7]
        state.withUnsafeMutableBufferPointer { st in
            bytes.withUnsafeBufferPointer { m in
                if full > 0 { qtown_sha256_hw_blocks(st.baseAddress!, m.baseAddress!, full) }
            }
            tail.withUnsafeBufferPointer { t in qtown_sha256_hw_blocks(st.baseAddress!, t.baseAddress!, t.count / 64) }
        }
        h = (state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7])
    } else {
        sha256Blocks(bytes, full: full, tail: tail, into: &h)
    }
    let hex = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(64)
    for v in [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7] {
        for s in stride(from: 28, through: 0, by: -4) { out.append(hex[Int((v >> UInt32(s)) & 0xF)]) }
    }
    return String(decoding: out, as: UTF8.self)
}

/// The portable compression of `full` whole blocks of `bytes`, then of the padded `tail`.
private func sha256Blocks(_ bytes: [UInt8], full: Int, tail: [UInt8],
                          into h: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)) {
    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
        k.withUnsafeBufferPointer { k in
            @inline(__always) func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
            func block(_ p: UnsafePointer<UInt8>) {
                for i in 0..<16 {
                    let j = i * 4
                    w[i] = UInt32(p[j]) << 24 | UInt32(p[j + 1]) << 16 | UInt32(p[j + 2]) << 8 | UInt32(p[j + 3])
                }
                for i in 16..<64 {
                    let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                    let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                    w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
                }
                var (a, b, c, d, e, f, g, hh) = h
                for i in 0..<64 {
                    let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
                    let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ maj
                    hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
                }
                h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e, h.5 &+ f, h.6 &+ g, h.7 &+ hh)
            }
            bytes.withUnsafeBufferPointer { m in
                for i in 0..<full { block(m.baseAddress! + i * 64) }
            }
            tail.withUnsafeBufferPointer { t in
                for j in stride(from: 0, to: t.count, by: 64) { block(t.baseAddress! + j) }
            }
        }
    }
}
