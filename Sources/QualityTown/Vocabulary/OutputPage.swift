// MARK: - A file to write: what the render stage hands to publishing (and blank sheets)

/// One rendered file of the output folder.
public struct OutputPage: Sendable {
    public var path: String
    public var bytes: [UInt8]
}
