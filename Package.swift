// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Syncline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "syncline", targets: ["syncline"]),
        .executable(name: "syncline-bench-server", targets: ["syncline-bench-server"]),
    ],
    targets: [
        // C libraries from Debian's packages, found through pkg-config.
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        // simdjson (libsimdjson-dev) is C++: this small C++ target wraps it in a C API that Swift imports.
        .target(name: "CSimdJSON", linkerSettings: [.linkedLibrary("simdjson")]),
        // A SQLite VFS that writes the WAL in large pieces.
        .target(name: "CSQLiteWAL", linkerSettings: [.linkedLibrary("sqlite3")]),

        // Layers, lowest first; each imports only the layers below it.
        .target(name: "Core", dependencies: ["COpenSSL"]),
        .target(name: "Storage", dependencies: ["Core", "CSQLite", "CSQLiteWAL", "CPostgres"]),
        .target(name: "HTTP", dependencies: ["Core", "CMicroHTTPD"]),
        .target(name: "Audit", dependencies: ["Core", "Storage"]),
        .target(name: "Identity", dependencies: ["Core", "Storage", "HTTP", "Audit", "CArgon2"]),
        .target(name: "Sync", dependencies: ["Core", "Storage", "Audit", "CSimdJSON"]),
        .target(name: "Dashboards", dependencies: ["Core", "Storage", "Sync"]),
        .target(name: "API", dependencies: ["Core", "Storage", "HTTP", "Audit", "Identity", "Sync", "Dashboards"]),
        // Server-rendered pages, their assets, and charts drawn as SVG.
        .target(name: "Web", dependencies: ["Core", "Storage", "HTTP", "Audit", "Identity", "Sync", "Dashboards"]),
        .target(
            name: "App",
            dependencies: ["Core", "Storage", "HTTP", "Audit", "Identity", "Sync", "Dashboards", "API", "Web"]),
        .executableTarget(name: "syncline", dependencies: ["App"]),
        .executableTarget(
            name: "syncline-bench-server", dependencies: ["App", "Audit", "Core", "HTTP", "Identity", "Storage"],
            path: "bench/Server"),

        // Helpers shared by the test targets: a raw HTTP client, a REST source, command line tools.
        .target(name: "TestSupport", dependencies: ["Core", "Storage", "Sync"], path: "Tests/TestSupport"),
        .testTarget(name: "CoreTests", dependencies: ["Core"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"]),
        .testTarget(name: "IdentityTests", dependencies: ["Identity", "TestSupport"]),
        .testTarget(name: "AppTests", dependencies: ["App", "TestSupport"]),
        .testTarget(name: "AuditTests", dependencies: ["Audit", "TestSupport"]),
        .testTarget(name: "SyncTests", dependencies: ["Sync", "TestSupport"]),
        .testTarget(name: "DashboardsTests", dependencies: ["Dashboards", "TestSupport"]),
        .testTarget(name: "WebTests", dependencies: ["Web", "Core"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
