import Crypto

// MARK: - SHA-256 of input files (methodology page, change tracking)

/// The SHA-256 digest of `bytes` as 64 lowercase hex digits (swift-crypto; on Linux its
/// BoringSSL uses the processor's SHA instructions where it has them).
public func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}
