// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "qtown",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "qtown", targets: ["qtown"]),
        .library(name: "QualityTown", targets: ["QualityTown"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // libxml2 from the system (Debian: libxml2-dev); only Sources/QualityTown/XML imports it.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"]), .brew(["libxml2"])]
        ),
        // One libc call Swift's Glibc module does not expose (renameat2), used by Publish/.
        .target(name: "CQTownSystem"),
        .target(
            name: "QualityTown",
            dependencies: ["CLibXML2", "CQTownSystem", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(
            name: "qtown",
            dependencies: [
                "QualityTown",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "QualityTownTests",
            // qtown is a dependency so the binary is built for the end-to-end tests.
            dependencies: ["QualityTown", "qtown"],
            // Fixtures are read from the source tree (Infrastructure/Paths.swift), not bundled.
            exclude: ["Fixtures"]
        ),
    ]
)
