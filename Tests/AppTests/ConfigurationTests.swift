import Core
import Testing

@testable import App

@Suite("Configuration") struct ConfigurationTests {
    @Test func defaultsAreDevelopmentOnLoopbackWithSQLite() throws {
        let configuration = try Configuration(environment: [:])
        #expect(configuration.mode == .development)
        #expect(configuration.server.host == "127.0.0.1")
        #expect(configuration.server.port == 8080)
        #expect(configuration.databaseURL == "sqlite:./var/syncline.db")
        #expect(configuration.publicURL == "http://127.0.0.1:8080")
        #expect(configuration.server.connectionTimeoutSeconds == 30)
        #expect(configuration.server.defaultBodyLimit == 1024 * 1024)
        #expect(configuration.logLevel == .info)
        #expect(!configuration.isPublicURLSecure)
    }

    @Test func everyProblemIsReportedOnItsOwnLine() {
        let environment = [
            "SYNCLINE_MODE": "staging",
            "SYNCLINE_LISTEN": "localhost:80",
            "SYNCLINE_HTTP_TIMEOUT": "0",
            "SYNCLINE_HTTP_THREADS": "many",
            "SYNCLINE_DATABASE_URL": "mysql://db",
            "SYNCLINE_LOG_LEVEL": "loud",
            "SYNCLINE_TLS_CERT": "/tmp/only-cert.pem",
            "SYNCLINE_METRICS_TOKEN": "short",
            "SYNCLINE_LISTEM": "typo",
        ]
        #expect {
            _ = try Configuration(environment: environment)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            let text = error.description
            return error.problems.count == 9
                && text.contains("SYNCLINE_MODE must be development or production, not staging")
                && text.contains("SYNCLINE_LISTEN must be ADDRESS:PORT")
                && text.contains("SYNCLINE_HTTP_TIMEOUT must be a whole number from 1 to 3600, not 0")
                && text.contains("SYNCLINE_HTTP_THREADS must be a whole number")
                && text.contains("SYNCLINE_DATABASE_URL must start with")
                && text.contains("SYNCLINE_LOG_LEVEL must be")
                && text.contains("SYNCLINE_TLS_CERT and SYNCLINE_TLS_KEY must be set together")
                && text.contains("SYNCLINE_METRICS_TOKEN must be at least 32 characters")
                && text.contains("SYNCLINE_LISTEM is not a known setting")
        }
    }

    @Test func productionRefusesPlainHTTPUnlessBehindTLSProxy() throws {
        #expect(throws: ConfigurationError.self) {
            _ = try Configuration(environment: ["SYNCLINE_MODE": "production"])
        }
        let proxied = try Configuration(
            environment: Self.productionSecrets.merging([
                "SYNCLINE_MODE": "production", "SYNCLINE_BEHIND_TLS_PROXY": "true",
                "SYNCLINE_PUBLIC_URL": "https://data.example.com/",
            ]) { $1 })
        #expect(proxied.publicURL == "https://data.example.com")
        #expect(proxied.publicOrigin == "https://data.example.com")
        #expect(proxied.isPublicURLSecure)
        #expect(proxied.identityConfiguration.sessionCookieName == "__Host-syncline_session")
    }

    private static let productionSecrets = [
        "SYNCLINE_SESSION_SECRET": String(repeating: "k", count: 32),
        "SYNCLINE_AUDIT_KEY": String(repeating: "a", count: 32),
    ]

    @Test func productionRefusesMissingOrShortSecrets() {
        let base = [
            "SYNCLINE_MODE": "production", "SYNCLINE_BEHIND_TLS_PROXY": "true",
            "SYNCLINE_PUBLIC_URL": "https://x.example",
        ]
        let cases: [([String: String], String)] = [
            ([:], "production needs SYNCLINE_SESSION_SECRET"),
            ([:], "production needs SYNCLINE_AUDIT_KEY"),
            (
                ["SYNCLINE_SESSION_SECRET": String(repeating: "k", count: 31)],
                "SYNCLINE_SESSION_SECRET must be at least 32 bytes"
            ),
            (
                ["SYNCLINE_SESSION_SECRET_PREVIOUS": "short"],
                "SYNCLINE_SESSION_SECRET_PREVIOUS must be at least 32 bytes"
            ),
            (["SYNCLINE_AUDIT_KEY": "short"], "SYNCLINE_AUDIT_KEY must be at least 32 bytes"),
        ]
        for (extra, expected) in cases {
            let environment = base.merging(extra) { $1 }
            #expect {
                _ = try Configuration(environment: environment)
            } throws: { error in
                (error as? ConfigurationError)?.problems.contains { $0.hasPrefix(expected) } == true
            }
        }
    }

    @Test func developmentMakesDoWithoutSecretsAndSaysSo() throws {
        let first = try Configuration(environment: [:])
        let second = try Configuration(environment: [:])
        #expect(first.sessionSecret.count == 32 && first.sessionSecret != second.sessionSecret)
        #expect(first.auditKey == second.auditKey)
        #expect(first.warnings.count == 2)
        let configured = try Configuration(environment: Self.productionSecrets)
        #expect(configured.warnings.isEmpty)
        #expect(configured.sessionSecret == Array(String(repeating: "k", count: 32).utf8))
    }

    @Test func trustedProxiesAndLimitsParse() throws {
        let configuration = try Configuration(environment: [
            "SYNCLINE_TRUSTED_PROXIES": "10.0.0.0/8, ::1", "SYNCLINE_RATE_LIMIT_PER_IP": "0",
            "SYNCLINE_LOGIN_MAX_FAILURES": "3",
        ])
        #expect(configuration.trustedProxies.map(\.description) == ["10.0.0.0/8", "::1/128"])
        #expect(configuration.identityConfiguration.requestsPerMinutePerAddress == 0)
        #expect(configuration.identityConfiguration.loginThrottle.maxFailures == 3)
        #expect(throws: ConfigurationError.self) {
            _ = try Configuration(environment: ["SYNCLINE_TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal"])
        }
        #expect(throws: ConfigurationError.self) {
            _ = try Configuration(environment: ["SYNCLINE_LOGIN_LOCKOUT": "600", "SYNCLINE_LOGIN_MAX_LOCKOUT": "60"])
        }
    }

    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080), ("0.0.0.0:0", "0.0.0.0", 0), ("[::1]:9000", "::1", 9000),
    ])
    func listenAddressesParse(text: String, host: String, port: Int) throws {
        let parsed = try #require(Configuration.parseListenAddress(text))
        #expect(parsed.0 == host)
        #expect(Int(parsed.1) == port)
    }

    @Test(arguments: ["8080", "example.com:80", "127.0.0.1:99999", "[::1]9000", "::1:80", "127.0.0.1:"])
    func badListenAddressesAreRefused(text: String) {
        #expect(Configuration.parseListenAddress(text) == nil)
    }

    @Test func everyVariableIsDocumentedInServeHelp() {
        var output = CommandOutput(passThrough: false)
        #expect(CommandLineInterface().run(["serve", "--help"], environment: [:], output: &output) == 0)
        for variable in ConfigurationVariable.all {
            #expect(output.standardOutput.contains(variable.name))
        }
    }
}
