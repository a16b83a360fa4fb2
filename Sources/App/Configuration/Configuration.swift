import API
import Core
import Foundation
import HTTP
import Identity
import Sync

/// Every problem found in the environment, one line each, so all can be fixed in one go.
public struct ConfigurationError: Error, CustomStringConvertible {
    /// One line per invalid setting, naming its variable.
    public let problems: [String]

    /// The problems, one per line.
    public var description: String { problems.joined(separator: "\n") }
}

/// The server's settings, read from `SYNCLINE_*` environment variables and validated as a whole.
public struct Configuration: Sendable {
    /// How strict the server is about its own settings.
    public enum Mode: String, Sendable {
        /// For local work: plain HTTP and any public URL are accepted.
        case development
        /// For real deployments: requires TLS, directly or through a proxy, and an https public URL.
        case production
    }

    /// Development or production, from `SYNCLINE_MODE`.
    public var mode: Mode
    /// The URL people use to reach the server, without a trailing slash.
    public var publicURL: String
    /// Where the control database lives: `sqlite:PATH` or a `postgres://` URL.
    public var databaseURL: String
    /// How many database connections to keep; for SQLite, the reader connections.
    public var databasePoolSize: Int
    /// The least severe level written to the log.
    public var logLevel: LogLevel
    /// Listening address, connection limits and TLS for the HTTP server.
    public var server: ServerConfiguration
    /// Whether a proxy in front terminates TLS, which lets production run without its own.
    public var behindTLSProxy: Bool
    /// The bearer token that may read `/metrics`; when nil, metrics cannot be read over HTTP.
    public var metricsToken: String?
    /// Signs session tokens; generated per process in development when unset.
    public var sessionSecret: [UInt8]
    /// The secret before the current one, still accepted for verifying during a rotation.
    public var previousSessionSecret: [UInt8]?
    /// Keys the audit log's hash chain; a fixed development key when unset in development.
    public var auditKey: [UInt8]
    /// Proxies whose `X-Forwarded-For` is believed.
    public var trustedProxies: [IPNetwork]
    /// The common-password list new passwords are checked against.
    public var passwordListPath: String
    /// API requests per minute from one address (0: no limit).
    public var requestsPerMinutePerAddress: Int
    /// API requests per minute of one user (0: no limit).
    public var requestsPerMinutePerUser: Int
    /// Failed sign-ins within the window that lock a username or address.
    public var loginMaxFailures: Int
    /// How far back failed sign-ins count, in seconds.
    public var loginWindowSeconds: Int
    /// The first lockout in seconds; later ones double up to `loginMaxLockoutSeconds`.
    public var loginLockoutSeconds: Int
    /// The longest lockout in seconds.
    public var loginMaxLockoutSeconds: Int
    /// Whether every API request is recorded in the audit log.
    public var auditsAPIAccess: Bool
    /// Days audit entries are kept; 0 keeps them forever.
    public var auditRetentionDays: Int
    /// The directory CSV and SQLite sources read their files from.
    public var importDirectory: String
    /// Whether the demo API is served and an empty database gets the demo sources (development only).
    public var demo: Bool
    /// The largest CSV file accepted by upload, in bytes.
    public var uploadLimit: Int
    /// Which hosts REST sources may reach; unrestricted (but for link-local addresses) when unset.
    public var egress: EgressPolicy
    /// The `SYNCLINE_SOURCE_…` variables that source definitions may name as secrets.
    public var sourceVariables: [String: String]
    /// The sync service's workers, lease and timers.
    public var sync: SyncServiceConfiguration
    /// Records per batch, and so per transaction, in a sync.
    public var syncBatchSize: Int
    /// Manual syncs one source may start per minute (a burst of as many).
    public var manualSyncsPerSourcePerMinute: Int
    /// Manual syncs one admin may start per minute (a burst of as many).
    public var manualSyncsPerUserPerMinute: Int
    /// Problems that do not stop a development server but should be seen, one line each.
    public private(set) var warnings: [String] = []

    /// The development audit key, used only when `SYNCLINE_AUDIT_KEY` is unset in development, so
    /// a development database keeps one verifiable chain across restarts.
    static let developmentAuditKey = Array("syncline-development-audit-key-not-secret".utf8)

    /// Reads and checks the environment; throws with every problem found.
    public init(environment: [String: String]) throws(ConfigurationError) {
        var reader = EnvironmentReader(environment: environment)

        let modeText = reader.text("SYNCLINE_MODE") ?? "development"
        let mode = Mode(rawValue: modeText)
        if mode == nil { reader.problem("SYNCLINE_MODE must be development or production, not \(modeText)") }
        self.mode = mode ?? .development

        server = ServerConfiguration()
        let listen = reader.text("SYNCLINE_LISTEN") ?? "127.0.0.1:8080"
        if let (host, port) = Configuration.parseListenAddress(listen) {
            server.host = host
            server.port = port
        } else {
            reader.problem("SYNCLINE_LISTEN must be ADDRESS:PORT with a numeric address, not \(listen)")
        }
        server.threads =
            reader.integer("SYNCLINE_HTTP_THREADS", in: 1...256)
            ?? max(4, 2 * ProcessInfo.processInfo.activeProcessorCount)
        server.connectionLimit = reader.integer("SYNCLINE_HTTP_MAX_CONNECTIONS", in: 1...100_000) ?? 1000
        server.perAddressConnectionLimit = reader.integer("SYNCLINE_HTTP_MAX_CONNECTIONS_PER_IP", in: 1...100_000) ?? 64
        server.connectionTimeoutSeconds = reader.integer("SYNCLINE_HTTP_TIMEOUT", in: 1...3600) ?? 30
        server.defaultBodyLimit = reader.integer("SYNCLINE_HTTP_MAX_BODY", in: 1...(1 << 30)) ?? 1024 * 1024
        server.headerMemoryLimit = reader.integer("SYNCLINE_HTTP_MAX_HEADER", in: 4096...(1 << 20)) ?? 32 * 1024

        let certificatePath = reader.text("SYNCLINE_TLS_CERT")
        let keyPath = reader.text("SYNCLINE_TLS_KEY")
        switch (certificatePath, keyPath) {
        case (let certificatePath?, let keyPath?):
            let certificate = reader.file(certificatePath, variable: "SYNCLINE_TLS_CERT")
            let key = reader.file(keyPath, variable: "SYNCLINE_TLS_KEY")
            if let certificate, let key {
                server.tls = TLSConfiguration(certificatePEM: certificate, privateKeyPEM: key)
            }
        case (nil, nil):
            break
        default:
            reader.problem("SYNCLINE_TLS_CERT and SYNCLINE_TLS_KEY must be set together")
        }
        behindTLSProxy = reader.boolean("SYNCLINE_BEHIND_TLS_PROXY") ?? false

        let scheme = server.tls == nil ? "http" : "https"
        let defaultURL = "\(scheme)://\(listen)"
        publicURL = reader.text("SYNCLINE_PUBLIC_URL") ?? defaultURL
        if let url = URL(string: publicURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil {
            publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        } else {
            reader.problem("SYNCLINE_PUBLIC_URL must be an http:// or https:// URL, not \(publicURL)")
        }

        databaseURL = reader.text("SYNCLINE_DATABASE_URL") ?? "sqlite:./var/syncline.db"
        if !(databaseURL.hasPrefix("sqlite:") || databaseURL.hasPrefix("postgres://")
            || databaseURL.hasPrefix("postgresql://"))
        {
            reader.problem("SYNCLINE_DATABASE_URL must start with sqlite:, postgres:// or postgresql://")
        }
        databasePoolSize = reader.integer("SYNCLINE_DATABASE_POOL_SIZE", in: 1...500) ?? 10

        let levelText = reader.text("SYNCLINE_LOG_LEVEL") ?? "info"
        let level = LogLevel(name: levelText)
        if level == nil { reader.problem("SYNCLINE_LOG_LEVEL must be debug, info, warning or error, not \(levelText)") }
        logLevel = level ?? .info

        metricsToken = reader.text("SYNCLINE_METRICS_TOKEN")
        if let metricsToken, metricsToken.utf8.count < 32 {
            reader.problem("SYNCLINE_METRICS_TOKEN must be at least 32 characters")
        }

        let minimumSecret = 32
        var warnings: [String] = []
        if let secret = reader.text("SYNCLINE_SESSION_SECRET") {
            sessionSecret = Array(secret.utf8)
            if secret.utf8.count < minimumSecret {
                if self.mode == .production {
                    reader.problem("SYNCLINE_SESSION_SECRET must be at least \(minimumSecret) bytes")
                } else {
                    warnings.append("SYNCLINE_SESSION_SECRET is shorter than \(minimumSecret) bytes")
                }
            }
        } else {
            sessionSecret = Crypto.randomBytes(32)
            if self.mode == .production {
                reader.problem("production needs SYNCLINE_SESSION_SECRET (at least \(minimumSecret) random bytes)")
            } else {
                warnings.append("SYNCLINE_SESSION_SECRET is not set: using a random one, so sessions end at restart")
            }
        }
        previousSessionSecret = reader.text("SYNCLINE_SESSION_SECRET_PREVIOUS").map { Array($0.utf8) }
        if let previous = previousSessionSecret, previous.count < minimumSecret, self.mode == .production {
            reader.problem("SYNCLINE_SESSION_SECRET_PREVIOUS must be at least \(minimumSecret) bytes")
        }
        if let key = reader.text("SYNCLINE_AUDIT_KEY") {
            auditKey = Array(key.utf8)
            if key.utf8.count < minimumSecret, self.mode == .production {
                reader.problem("SYNCLINE_AUDIT_KEY must be at least \(minimumSecret) bytes")
            }
        } else {
            auditKey = Configuration.developmentAuditKey
            if self.mode == .production {
                reader.problem("production needs SYNCLINE_AUDIT_KEY (at least \(minimumSecret) random bytes)")
            } else {
                warnings.append("SYNCLINE_AUDIT_KEY is not set: the audit chain uses a public development key")
            }
        }

        trustedProxies = []
        for entry in (reader.text("SYNCLINE_TRUSTED_PROXIES") ?? "").split(separator: ",") {
            let text = entry.trimmingCharacters(in: .whitespaces)
            if let network = IPNetwork(text) {
                trustedProxies.append(network)
            } else {
                reader.problem("SYNCLINE_TRUSTED_PROXIES: \(text) is not an address or CIDR block")
            }
        }
        passwordListPath = reader.text("SYNCLINE_PASSWORD_LIST") ?? "/usr/share/john/password.lst"
        requestsPerMinutePerAddress = reader.integer("SYNCLINE_RATE_LIMIT_PER_IP", in: 0...1_000_000) ?? 1200
        requestsPerMinutePerUser = reader.integer("SYNCLINE_RATE_LIMIT_PER_USER", in: 0...1_000_000) ?? 600
        loginMaxFailures = reader.integer("SYNCLINE_LOGIN_MAX_FAILURES", in: 1...1000) ?? 5
        loginWindowSeconds = reader.integer("SYNCLINE_LOGIN_WINDOW", in: 1...86_400) ?? 900
        loginLockoutSeconds = reader.integer("SYNCLINE_LOGIN_LOCKOUT", in: 1...86_400) ?? 60
        loginMaxLockoutSeconds = reader.integer("SYNCLINE_LOGIN_MAX_LOCKOUT", in: 1...86_400) ?? 900
        if loginMaxLockoutSeconds < loginLockoutSeconds {
            reader.problem("SYNCLINE_LOGIN_MAX_LOCKOUT must not be shorter than SYNCLINE_LOGIN_LOCKOUT")
        }
        auditsAPIAccess = reader.boolean("SYNCLINE_AUDIT_API_ACCESS") ?? true
        auditRetentionDays = reader.integer("SYNCLINE_AUDIT_RETENTION_DAYS", in: 0...36_500) ?? 0

        importDirectory = reader.text("SYNCLINE_IMPORT_DIR") ?? "./var/import"
        server.spoolDirectory = importDirectory + "/" + SourceRoutes.uploadFolder
        uploadLimit = reader.integer("SYNCLINE_UPLOAD_MAX_BYTES", in: 1...(1 << 40)) ?? 512 * 1024 * 1024
        let allowlist = reader.text("SYNCLINE_EGRESS_ALLOW") ?? ""
        if let policy = EgressPolicy(allowlist: allowlist) {
            egress = policy
        } else {
            egress = .unrestricted
            reader.problem("SYNCLINE_EGRESS_ALLOW must list host names, *.domains, addresses or CIDR blocks")
        }
        demo = reader.boolean("SYNCLINE_DEMO") ?? (self.mode == .development)
        if demo && self.mode == .production {
            reader.problem("SYNCLINE_DEMO cannot be on in production")
        }
        sourceVariables = environment.filter { $0.key.hasPrefix(SourceDefinition.secretVariablePrefix) }
        sync = SyncServiceConfiguration(
            workers: reader.integer("SYNCLINE_SYNC_WORKERS", in: 1...64) ?? 2,
            lease: .seconds(reader.integer("SYNCLINE_SYNC_LEASE", in: 3...3600) ?? 30),
            pollInterval: .seconds(reader.integer("SYNCLINE_SYNC_POLL", in: 1...3600) ?? 2),
            schedulerInterval: .seconds(reader.integer("SYNCLINE_SYNC_POLL", in: 1...3600) ?? 2))
        syncBatchSize =
            reader.integer("SYNCLINE_SYNC_BATCH", in: 1...100_000) ?? ConnectorContext.defaultBatchSize
        manualSyncsPerSourcePerMinute = reader.integer("SYNCLINE_SYNC_MANUAL_PER_SOURCE", in: 1...10_000) ?? 2
        manualSyncsPerUserPerMinute = reader.integer("SYNCLINE_SYNC_MANUAL_PER_USER", in: 1...10_000) ?? 10
        self.warnings = warnings

        if self.mode == .production {
            if server.tls == nil && !behindTLSProxy {
                reader.problem(
                    "production needs SYNCLINE_TLS_CERT and SYNCLINE_TLS_KEY, "
                        + "or SYNCLINE_BEHIND_TLS_PROXY=true when a proxy terminates TLS")
            }
            if !publicURL.hasPrefix("https://") {
                reader.problem("production needs an https:// SYNCLINE_PUBLIC_URL")
            }
        }

        for name in environment.keys.sorted() where name.hasPrefix("SYNCLINE_") && !Configuration.isKnown(name) {
            reader.problem("\(name) is not a known setting (see `syncline serve --help`)")
        }
        if !reader.problems.isEmpty { throw ConfigurationError(problems: reader.problems) }
    }

    /// Whether the public URL is HTTPS, which decides cookie prefixes and the `Secure` flag.
    public var isPublicURLSecure: Bool { publicURL.hasPrefix("https://") }

    /// The public URL's origin, `scheme://host[:port]`, as browsers send it in `Origin`.
    public var publicOrigin: String {
        guard let url = URL(string: publicURL), let scheme = url.scheme, let host = url.host else { return publicURL }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost)" + (url.port.map { ":\($0)" } ?? "")
    }

    /// The identity layer's settings.
    public var identityConfiguration: IdentityConfiguration {
        var settings = IdentityConfiguration(
            audience: publicOrigin, publicOrigin: publicOrigin, secureCookies: isPublicURLSecure,
            sessionSecret: sessionSecret, previousSessionSecret: previousSessionSecret)
        settings.trustedProxies = trustedProxies
        settings.requestsPerMinutePerAddress = requestsPerMinutePerAddress
        settings.requestsPerMinutePerUser = requestsPerMinutePerUser
        settings.loginThrottle.maxFailures = loginMaxFailures
        settings.loginThrottle.window = .seconds(loginWindowSeconds)
        settings.loginThrottle.lockout = .seconds(loginLockoutSeconds)
        settings.loginThrottle.maxLockout = .seconds(loginMaxLockoutSeconds)
        return settings
    }

    /// Splits `127.0.0.1:8080` or `[::1]:8080` into a numeric address and port.
    static func parseListenAddress(_ text: String) -> (String, UInt16)? {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return nil
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = UInt16(portText), isNumericAddress(String(host)) else { return nil }
        return (String(host), port)
    }

    private static func isNumericAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// Variables read by layers added later are declared in `ConfigurationVariable.all` too.
    static func isKnown(_ name: String) -> Bool {
        ConfigurationVariable.all.contains { $0.name == name } || name.hasPrefix("SYNCLINE_SOURCE_")
            || name.hasPrefix("SYNCLINE_TEST_")
    }
}

/// Reads typed values and collects a problem line for every invalid one.
struct EnvironmentReader {
    let environment: [String: String]
    private(set) var problems: [String] = []

    init(environment: [String: String]) {
        self.environment = environment
    }

    mutating func problem(_ line: String) {
        problems.append(line)
    }

    /// The value, or nil when unset or empty.
    func text(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    mutating func integer(_ name: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = text(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            problem("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(text)")
            return nil
        }
        return value
    }

    mutating func boolean(_ name: String) -> Bool? {
        guard let text = text(name) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default:
            problem("\(name) must be true or false, not \(text)")
            return nil
        }
    }

    mutating func file(_ path: String, variable: String) -> String? {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            problem("\(variable): cannot read \(path)")
            return nil
        }
    }
}
