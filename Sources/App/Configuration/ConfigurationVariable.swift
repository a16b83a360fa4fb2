import Sync

/// One documented `SYNCLINE_*` environment variable; `serve --help` and the docs list them all.
public struct ConfigurationVariable: Sendable {
    /// The variable's name, such as `SYNCLINE_LISTEN`.
    public let name: String
    /// The default as shown to people; empty when there is none.
    public let defaultValue: String
    /// A short description, shown by `serve --help`.
    public let summary: String

    /// Every variable the server reads, in the order `--help` shows them.
    public static let all: [ConfigurationVariable] = [
        .init(
            name: "SYNCLINE_MODE", defaultValue: "development",
            summary: "development or production; production refuses unsafe settings"),
        .init(
            name: "SYNCLINE_LISTEN", defaultValue: "127.0.0.1:8080",
            summary: "address and port to listen on; [::1]:8080 for IPv6"),
        .init(
            name: "SYNCLINE_PUBLIC_URL", defaultValue: "http://LISTEN",
            summary: "the URL people use to reach the server"),
        .init(
            name: "SYNCLINE_DATABASE_URL", defaultValue: "sqlite:./var/syncline.db",
            summary: "sqlite:PATH or postgres://user@host:port/db?sslmode=verify-full"),
        .init(
            name: "SYNCLINE_DATABASE_POOL_SIZE", defaultValue: "10",
            summary: "PostgreSQL connections (SQLite: reader connections)"),
        .init(
            name: "SYNCLINE_TLS_CERT", defaultValue: "",
            summary: "PEM certificate chain file; with SYNCLINE_TLS_KEY, serve HTTPS (TLS 1.2 and 1.3)"),
        .init(name: "SYNCLINE_TLS_KEY", defaultValue: "", summary: "PEM private key file"),
        .init(
            name: "SYNCLINE_BEHIND_TLS_PROXY", defaultValue: "false",
            summary: "true when a proxy terminates TLS; lets production run without its own TLS"),
        .init(name: "SYNCLINE_LOG_LEVEL", defaultValue: "info", summary: "debug, info, warning or error"),
        .init(
            name: "SYNCLINE_HTTP_THREADS", defaultValue: "2 per core, at least 4",
            summary: "HTTP worker threads"),
        .init(name: "SYNCLINE_HTTP_MAX_CONNECTIONS", defaultValue: "1000", summary: "open connections in all"),
        .init(
            name: "SYNCLINE_HTTP_MAX_CONNECTIONS_PER_IP", defaultValue: "64",
            summary: "open connections from one address"),
        .init(name: "SYNCLINE_HTTP_TIMEOUT", defaultValue: "30", summary: "seconds before an idle connection closes"),
        .init(
            name: "SYNCLINE_HTTP_MAX_BODY", defaultValue: "1048576",
            summary: "request body limit in bytes for routes without their own"),
        .init(
            name: "SYNCLINE_HTTP_MAX_HEADER", defaultValue: "32768",
            summary: "bytes for the request line and headers (414 or 431 beyond)"),
        .init(
            name: "SYNCLINE_METRICS_TOKEN", defaultValue: "",
            summary: "bearer token that may read /metrics (at least 32 characters)"),
        .init(
            name: "SYNCLINE_SESSION_SECRET", defaultValue: "random per start in development",
            summary: "signs session tokens (HS256); at least 32 bytes, required in production"),
        .init(
            name: "SYNCLINE_SESSION_SECRET_PREVIOUS", defaultValue: "",
            summary: "the secret before the current one; tokens it signed stay valid during a rotation"),
        .init(
            name: "SYNCLINE_AUDIT_KEY", defaultValue: "a public key in development",
            summary: "keys the audit log's HMAC chain; at least 32 bytes, required in production"),
        .init(
            name: "SYNCLINE_TRUSTED_PROXIES", defaultValue: "",
            summary: "comma-separated addresses or CIDR blocks whose X-Forwarded-For is believed"),
        .init(
            name: "SYNCLINE_PASSWORD_LIST", defaultValue: "/usr/share/john/password.lst",
            summary: "common passwords refused for new passwords, one per line"),
        .init(
            name: "SYNCLINE_RATE_LIMIT_PER_IP", defaultValue: "1200",
            summary: "requests per minute from one client address (0: no limit)"),
        .init(
            name: "SYNCLINE_RATE_LIMIT_PER_USER", defaultValue: "600",
            summary: "API requests per minute of one signed-in user (0: no limit)"),
        .init(
            name: "SYNCLINE_LOGIN_MAX_FAILURES", defaultValue: "5",
            summary: "failed sign-ins within the window that lock a username or address"),
        .init(
            name: "SYNCLINE_LOGIN_WINDOW", defaultValue: "900",
            summary: "seconds over which failed sign-ins are counted"),
        .init(
            name: "SYNCLINE_LOGIN_LOCKOUT", defaultValue: "60",
            summary: "seconds of the first lockout; each later lockout doubles it"),
        .init(
            name: "SYNCLINE_LOGIN_MAX_LOCKOUT", defaultValue: "900", summary: "the longest lockout in seconds"),
        .init(
            name: "SYNCLINE_AUDIT_API_ACCESS", defaultValue: "true",
            summary: "record every API request (method, route, status, user, duration) in the audit log"),
        .init(
            name: "SYNCLINE_AUDIT_RETENTION_DAYS", defaultValue: "0",
            summary: "days audit entries are kept; older ones are pruned daily (0: keep forever)"),
        .init(
            name: "SYNCLINE_IMPORT_DIR", defaultValue: "./var/import",
            summary: "the only directory CSV and SQLite sources may read files from"),
        .init(
            name: "SYNCLINE_EGRESS_ALLOW", defaultValue: "",
            summary: "hosts, *.domains and CIDR blocks REST sources may reach (link-local always refused)"),
        .init(
            name: "SYNCLINE_DEMO", defaultValue: "true in development",
            summary: "serve the demo tickets API and give an empty database the demo sources (development only)"),
        .init(
            name: "SYNCLINE_UPLOAD_MAX_BYTES", defaultValue: "536870912",
            summary: "the largest CSV file a source may be given by upload"),
        .init(name: "SYNCLINE_SYNC_WORKERS", defaultValue: "2", summary: "syncs this instance runs at once"),
        .init(
            name: "SYNCLINE_SYNC_LEASE", defaultValue: "30",
            summary: "seconds a running sync stays claimed without a heartbeat before another instance takes it"),
        .init(
            name: "SYNCLINE_SYNC_POLL", defaultValue: "2",
            summary: "seconds between looks for due schedules and for runs queued elsewhere"),
        .init(
            name: "SYNCLINE_SYNC_BATCH", defaultValue: String(ConnectorContext.defaultBatchSize),
            summary: "records per batch and transaction"),
        .init(
            name: "SYNCLINE_SYNC_MANUAL_PER_SOURCE", defaultValue: "2",
            summary: "manual syncs per minute of one source"),
        .init(
            name: "SYNCLINE_SYNC_MANUAL_PER_USER", defaultValue: "10",
            summary: "manual syncs per minute started by one admin"),
    ]
}
