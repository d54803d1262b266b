// swift-tools-version: 6.1
import PackageDescription

import Foundation

/// The vector instruction set the numeric kernels are compiled for.
///
/// The kernels use 16-lane SIMD types; compiled for the x86-64 baseline (SSE2) each becomes
/// four 4-lane operations. `ADAPTEVAL_TARGET_CPU` overrides (any LLVM CPU name, or `generic`);
/// otherwise the build machine's /proc/cpuinfo picks skylake-avx512 (AVX-512) or haswell (AVX2 + FMA).
func targetCPU() -> String? {
    if let chosen = Context.environment["ADAPTEVAL_TARGET_CPU"] {
        return chosen == "generic" ? nil : chosen
    }
    #if arch(x86_64) && os(Linux)
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]) {
            return "skylake-avx512"
        }
        if flags.isSuperset(of: ["avx2", "fma", "bmi2"]) { return "haswell" }
    #endif
    return nil
}

/// Release settings for the numeric modules (debug builds of them are 10-50× slower). Bounds
/// checks stay on (no -Ounchecked) so a bug traps instead of corrupting memory.
let numericSettings: [SwiftSetting] = [
    .unsafeFlags(
        ["-cross-module-optimization"] + (targetCPU().map { ["-target-cpu", $0] } ?? []),
        .when(configuration: .release))
]

let package = Package(
    name: "AdaptEval",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "adapteval", targets: ["adapteval"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "Tensor", dependencies: ["CBLAS"], swiftSettings: numericSettings),
        .target(name: "NN", dependencies: ["Tensor", "Evaluation"], swiftSettings: numericSettings),
        .target(name: "Transformers", dependencies: ["NN", "Evaluation"], swiftSettings: numericSettings),
        .target(name: "Adaptation", dependencies: ["Transformers", "Evaluation"], swiftSettings: numericSettings),
        .target(name: "Evaluation"),
        .target(name: "Probes", dependencies: ["Evaluation"]),
        .target(name: "Backends", dependencies: ["Adaptation", "Evaluation"], swiftSettings: numericSettings),
        .target(
            name: "ResultStore",
            dependencies: ["Evaluation", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "Suites",
            dependencies: [
                "Adaptation", "Evaluation", "Probes", "Backends", "ResultStore", "Reports", .product(name: "Yams", package: "Yams"),
            ]),
        .target(name: "Reports", dependencies: ["Evaluation", "ResultStore"]),
        .executableTarget(
            name: "adapteval",
            dependencies: [
                "Transformers", "Adaptation", "Backends", "Evaluation", "Probes", "ResultStore", "Suites", "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Tests/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "TestSupport", dependencies: ["Transformers", "CZlib"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "NNTests", dependencies: ["NN"]),
        .testTarget(name: "TransformersTests", dependencies: ["Transformers", "TestSupport"]),
        .testTarget(name: "AdaptationTests", dependencies: ["Adaptation", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "TestSupport"]),
        .testTarget(name: "ProbesTests", dependencies: ["Probes", "TestSupport"]),
        .testTarget(name: "BackendsTests", dependencies: ["Backends", "Probes", "ResultStore", "TestSupport"]),
        .testTarget(name: "ResultStoreTests", dependencies: ["ResultStore", "TestSupport"]),
        .testTarget(name: "SuitesTests", dependencies: ["Suites", "Reports", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "TestSupport"], exclude: ["Golden"]),
        .testTarget(
            name: "AdaptEvalCLITests",
            dependencies: ["Transformers", "ResultStore", "Reports", "TestSupport", .product(name: "Yams", package: "Yams")],
            exclude: ["Golden"]),
    ]
)
