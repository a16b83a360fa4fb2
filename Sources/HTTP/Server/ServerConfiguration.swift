import Foundation

/// Settings of the HTTP server; the app fills them from `SYNCLINE_*` variables.
public struct ServerConfiguration: Sendable {
    /// A numeric IPv4 or IPv6 address to listen on.
    public var host = "127.0.0.1"
    /// The port; 0 picks a free one (see `HTTPServer.port`).
    public var port: UInt16 = 8080
    /// Worker threads, each with its own epoll loop; handlers run on them and may block briefly.
    public var threads = 4
    /// Open connections across all clients; further ones are refused.
    public var connectionLimit = 1000
    /// Open connections from one address.
    public var perAddressConnectionLimit = 64
    /// Seconds of inactivity after which a connection is closed, so a slow client cannot hold a slot.
    public var connectionTimeoutSeconds = 30
    /// Bytes per connection for the request line and headers; beyond it requests get 414 or 431.
    public var headerMemoryLimit = 32 * 1024
    /// The body limit for routes that declare none.
    public var defaultBodyLimit = 1024 * 1024
    /// Where the bodies of spooling routes are written while they arrive.
    public var spoolDirectory = FileManager.default.temporaryDirectory.path
    /// Serve HTTPS (TLS 1.2 and 1.3 only) with this certificate and key.
    public var tls: TLSConfiguration?

    /// Creates the default settings: loopback port 8080, four threads, plain HTTP.
    public init() {}
}

/// A certificate chain and private key, both PEM text.
public struct TLSConfiguration: Sendable {
    /// The server certificate followed by any intermediate certificates.
    public var certificatePEM: String
    /// The private key that matches the server certificate.
    public var privateKeyPEM: String
    /// GnuTLS priorities: the library's normal suite list limited to TLS 1.3 and 1.2.
    public var priorities = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

    /// Creates a configuration from PEM text, using the default TLS 1.2/1.3 priorities.
    public init(certificatePEM: String, privateKeyPEM: String) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }
}
