// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "MacroOpt",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "macroopt", targets: ["macroopt"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
  ],
  targets: [
    // MARK: - C shims (system libraries; macros re-exported as static inline functions)
    .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                   providers: [.apt(["libopenmpi-dev"])]),
    .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                   providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
                   providers: [.apt(["libssl-dev"])]),
    .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-openmpi",
                   providers: [.apt(["libhdf5-openmpi-dev"])]),
    // Real C functions that cannot be static inline: the async-signal-safe flag, setvbuf.
    .target(name: "CShims", path: "Sources/CShims"),
    // Vector exp and fused log-sum-exp, per-ISA variants chosen at load time (issue 17).
    .target(name: "CVecMath", path: "Sources/CVecMath"),

    // MARK: - Typed wrappers (the only modules that call C)
    .target(name: "BLASKit", dependencies: ["CBLAS", "CVecMath"]),
    .target(name: "MPIKit", dependencies: ["CMPI", "CShims"]),
    .target(name: "HashKit", dependencies: ["CCrypto"]),

    // MARK: - Numerics and engine
    .target(name: "MacroCore", dependencies: ["BLASKit"]),
    .target(name: "MacroEngine", dependencies: ["MacroCore", "MPIKit", "BLASKit", "HashKit"]),
    .target(name: "MacroIO", dependencies: ["MacroCore", "MacroEngine", "MPIKit", "BLASKit", "HashKit", "CHDF5", "CShims",
                                            .product(name: "TOMLKit", package: "TOMLKit")]),

    // MARK: - Command line
    .executableTarget(name: "macroopt", dependencies: [
      "MacroCore", "MacroEngine", "MacroIO", "MPIKit", "BLASKit", "HashKit", "CShims",
      .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]),
    // MARK: - Test programs (launched under mpirun by the tests; not installed)
    // MPIKit's collectives and point-to-point checks (MPIKitTests).
    .executableTarget(name: "mpikit-check", dependencies: ["MPIKit"], path: "Tests/Support/mpikit-check"),
    // The distributed setup and halo exchange against the whole-problem reference (DistributedRunTests).
    .executableTarget(name: "engine-check", dependencies: ["MacroEngine", "MPIKit"], path: "Tests/Support/engine-check"),

    // MARK: - Test support (not public API)
    .target(name: "_TestSupport", dependencies: ["MPIKit"]),

    // MARK: - Tests (mirror Sources/)
    .testTarget(name: "BLASKitTests", dependencies: ["BLASKit", "_TestSupport"]),
    .testTarget(name: "HashKitTests", dependencies: ["HashKit", "_TestSupport"]),
    .testTarget(name: "MPIKitTests", dependencies: ["MPIKit", "_TestSupport"]),
    .testTarget(name: "MacroCoreTests", dependencies: ["MacroCore", "BLASKit", "_TestSupport"]),
    .testTarget(name: "MacroEngineTests", dependencies: ["MacroEngine", "MacroCore", "MPIKit", "_TestSupport"]),
    .testTarget(name: "MacroIOTests", dependencies: ["MacroIO", "MacroEngine", "MacroCore", "HashKit", "_TestSupport"]),
    .testTarget(name: "MacroOptCLITests", dependencies: ["_TestSupport"]),
  ]
)
