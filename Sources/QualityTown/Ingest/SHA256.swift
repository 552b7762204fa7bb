import Crypto

// MARK: - SHA-256 of input files (methodology page, change tracking)

/// The SHA-256 digest of `bytes` as 64 lowercase hex digits (swift-crypto; on Linux its
/// BoringSSL uses the processor's SHA instructions where it has them).
public func sha256Hex(_ bytes: [UInt8]) -> String {
    let hex = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(64)
    for b in SHA256.hash(data: bytes) {
        out.append(hex[Int(b >> 4)])
        out.append(hex[Int(b & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}
