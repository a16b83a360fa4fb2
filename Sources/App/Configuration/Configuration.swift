import Core
import Foundation
import HTTP

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
