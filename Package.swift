// swift-tools-version:6.0
// gashell — learn gradient accumulation by driving a real training run.
import PackageDescription

// The engine's loops must be optimised even in debug builds, or `swift test`
// (which trains real models in its transcripts) spends minutes in unoptimised
// index arithmetic. Debug info and testability stay on.
let fastInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
  name: "gashell",
  products: [
    .executable(name: "gashell", targets: ["gashell"]),
    .executable(name: "gabench", targets: ["gabench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2")
  ],
  targets: [
    // C libraries, each reached through a module map and a one-line shim.
    .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                   providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "CEditLine", path: "Sources/CEditLine", pkgConfig: "libedit",
                   providers: [.apt(["libedit-dev"])]),

    .target(name: "Engine", dependencies: ["CBLAS"], swiftSettings: fastInDebug),
    .target(name: "Datasets", dependencies: ["Engine", "CZlib"], swiftSettings: fastInDebug),
    .target(name: "Shell", dependencies: ["Engine", "Datasets"]),
    .target(name: "LineEditing", dependencies: ["CEditLine"]),
    .executableTarget(name: "gashell", dependencies: [
      "Shell", "LineEditing", .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]),
    .executableTarget(name: "gabench", dependencies: [
      "Engine", "Datasets", "CBLAS", .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ], swiftSettings: fastInDebug),

    .testTarget(name: "EngineTests", dependencies: ["Engine"]),
    .testTarget(name: "DatasetsTests", dependencies: ["Datasets"]),
    .testTarget(name: "ShellTests", dependencies: ["Shell", "Engine", "Datasets"]),
    .testTarget(name: "TranscriptTests", dependencies: ["Shell"]),
    .testTarget(name: "LineEditingTests", dependencies: ["LineEditing"]),
  ]
)
