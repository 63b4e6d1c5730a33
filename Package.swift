// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Tocsin",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tocsin", targets: ["TocsinCLI"]),
        .executable(name: "tocsin-bench", targets: ["TocsinBench"]),
        .library(name: "TocsinCore", targets: ["TocsinCore"]),
        .library(name: "TocsinAPI", targets: ["TocsinAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        // X.509 certificates: SNS signs each message with the key of a certificate it names.
        .package(url: "https://github.com/apple/swift-certificates.git", exact: "1.21.1"),
        // The web console's templates (logic-less, HTML-escaping by default).
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", exact: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", exact: "1.35.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", exact: "2.0.1"),
        // PostgreSQL, for several instances sharing one database (`--db postgres://…`).
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
        // TLS to PostgreSQL (`sslmode`); the version postgres-nio resolves with.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
    ],
    targets: [
        // Pure domain: types and decisions. Foundation only, no I/O, time from an injected clock.
        .target(name: "TocsinCore"),

        // The HTTP API's request and response types: the JSON names clients see, and nothing else.
        .target(name: "TocsinAPI", dependencies: ["TocsinCore"]),

        // The API's client: the CLI and live drills call a server through it.
        .target(name: "TocsinClient", dependencies: ["TocsinCore", "TocsinAPI", "TocsinDelivery"]),

        // The one place SQL lives: schema, migrations, repositories; and the escalation engine
        // (Engine/: its loop, its statements and the effects of its decisions).
        .target(
            name: "TocsinStore",
            dependencies: [
                "TocsinCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // sqlite3_wal_hook, which GRDB does not wrap (WALCheckpointer).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // libcurl from the system (pkg-config libcurl, apt libcurl4-openssl-dev).
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Typed wrappers for libcurl's variadic setopt/getinfo.
        .target(name: "CCurlShim", dependencies: ["CCurl"]),

        // Outbound HTTP (and later SMTP) on dedicated threads, message rendering, signing.
        .target(
            name: "TocsinDelivery",
            dependencies: [
                "TocsinCore",
                "TocsinAPI",
                "TocsinStore",
                "CCurlShim",
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // HTTP routes, auth, background services, logging, lifecycle.
        .target(
            name: "TocsinServer",
            dependencies: [
                "TocsinCore",
                "TocsinAPI",
                "TocsinClient",
                "TocsinStore",
                "TocsinDelivery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),

        // The `tocsin` command.
        .executableTarget(
            name: "TocsinCLI",
            dependencies: [
                "TocsinCore",
                "TocsinAPI",
                "TocsinClient",
                "TocsinStore",
                "TocsinDelivery",
                "TocsinServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Benchmarks of the engine, the dispatcher and the HTTP floor, on 127.0.0.1 (see BENCHMARKS.md).
        .executableTarget(
            name: "TocsinBench",
            dependencies: [
                "TocsinCore", "TocsinStore", "TocsinDelivery", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/TocsinBench"
        ),

        // Fixtures and helpers shared by the test targets.
        .target(
            name: "TocsinTestSupport",
            dependencies: [
                "TocsinCore", "TocsinAPI", "TocsinStore", "TocsinDelivery",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            path: "Tests/TocsinTestSupport"
        ),
        .testTarget(
            name: "TocsinCoreTests",
            dependencies: [
                "TocsinCore",
                "TocsinTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "TocsinStoreTests",
            dependencies: [
                "TocsinStore", "TocsinTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "TocsinServerTests",
            dependencies: [
                "TocsinServer",
                "TocsinAPI",
                "TocsinTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "TocsinDeliveryTests", dependencies: ["TocsinDelivery", "TocsinTestSupport"]),
        .testTarget(
            name: "TocsinEndToEndTests",
            dependencies: ["TocsinTestSupport", "TocsinDelivery", "TocsinCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
