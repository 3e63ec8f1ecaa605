// swift-tools-version:6.0
// gashell — learn gradient accumulation by driving a real training run.
import PackageDescription

// The engine's loops must be optimised even in debug builds, or `swift test`
// (which trains real models in its transcripts) spends minutes in unoptimised
// index arithmetic. Debug info and testability stay on.
let fastInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

// The engine's own loops (im2col, pooling, ReLU, the optimizers) in AVX2 registers: Swift
// compiles for the baseline x86-64 (SSE2) otherwise, half the width. Every machine gashell
// runs on here has AVX2 (Haswell, 2013, and later). It changes no result: Swift never fuses a
// multiply and an add, and the sums keep their order.
#if arch(x86_64)
let vectorISA: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let vectorISA: [SwiftSetting] = []
#endif

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
    // The Jupyter kernel's transport and message signing. libcrypto rather than swift-crypto:
    // one HMAC call is not worth the 1–1.5 minutes swift-crypto adds to every clean build.
    .systemLibrary(name: "CZeroMQ", path: "Sources/CZeroMQ", pkgConfig: "libzmq",
                   providers: [.apt(["libzmq3-dev"])]),
    .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
                   providers: [.apt(["libssl-dev"])]),

    .target(name: "Engine", dependencies: ["CBLAS"], swiftSettings: fastInDebug + vectorISA),
    .target(name: "Datasets", dependencies: ["Engine", "CZlib"], swiftSettings: fastInDebug),
    .target(name: "Shell", dependencies: ["Engine", "Datasets"]),
    .target(name: "LineEditing", dependencies: ["CEditLine"]),
    .target(name: "Kernel", dependencies: ["Shell", "Engine", "LineEditing", "CZeroMQ", "CCrypto"]),
    .executableTarget(name: "gashell", dependencies: [
      "Shell", "LineEditing", "Kernel", .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ], swiftSettings: [.unsafeFlags(["-parse-as-library"])]),   // @main in main.swift beside another file
    .executableTarget(name: "gabench", dependencies: [
      "Engine", "Datasets", "CBLAS", .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ], swiftSettings: fastInDebug),

    // The fuzzers' crash note, shared by three test targets (a library: test targets cannot import each other).
    .target(name: "FuzzSupport", path: "Tests/FuzzSupport"),
    .testTarget(name: "EngineTests", dependencies: ["Engine", "FuzzSupport"]),
    .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "FuzzSupport"]),
    .testTarget(name: "ShellTests", dependencies: ["Shell", "Engine", "Datasets", "FuzzSupport"]),
    .testTarget(name: "TranscriptTests", dependencies: ["Shell"]),
    .testTarget(name: "LineEditingTests", dependencies: ["LineEditing"]),
    .testTarget(name: "KernelTests", dependencies: ["Kernel", "Shell"]),
  ]
)
