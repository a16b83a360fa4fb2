import Foundation
import Synchronization

/// Severity of a log line, lowest first.
public enum LogLevel: Int, Comparable, Sendable, CaseIterable {
    case debug, info, warning, error

    /// The lowercase name written in the `level` field.
    public var name: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        }
    }

    /// Parses a level from its name, as given in configuration.
    public init?(name: String) {
        guard let level = LogLevel.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = level
    }

    /// Orders levels by severity, so `.debug < .error`.
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Key/value pairs attached to a log line.
public typealias LogMetadata = [String: String]

/// Receives finished log lines; implementations must be safe to call from any thread.
public protocol LogSink: Sendable {
    /// Writes one finished line, without a trailing newline.
    func write(_ line: String)
}

/// A structured logger: every line is one JSON object with time, level, message and metadata.
///
/// A logger is a value: `with(_:)` returns a copy carrying more metadata (a request id, a source),
/// so the same sink serves every layer and each line says where it came from.
public struct Logger: Sendable {
    /// The component name written in each line's `logger` field.
    public let label: String
    /// The least severe level this logger writes; lines below it are dropped before rendering.
    public let minimumLevel: LogLevel
    /// Key/value pairs added to every line, such as a request id.
    public private(set) var metadata: LogMetadata
    private let sink: any LogSink

    /// Creates a logger with no metadata that writes lines at `level` and above to `sink`.
    public init(label: String, level: LogLevel = .info, sink: any LogSink = StandardStreamSink.standardOutput) {
        self.label = label
        self.minimumLevel = level
        self.metadata = [:]
        self.sink = sink
    }

    /// A copy of this logger that adds `extra` to every line.
    public func with(_ extra: LogMetadata) -> Logger {
        var copy = self
        copy.metadata.merge(extra) { _, new in new }
        return copy
    }

    /// A copy of this logger with another label, keeping its metadata and sink.
    public func labeled(_ label: String) -> Logger {
        var copy = Logger(label: label, level: minimumLevel, sink: sink)
        copy.metadata = metadata
        return copy
    }

    /// Logs detail for diagnosing a problem; dropped at the default `info` level.
    public func debug(_ message: @autoclosure () -> String, _ extra: @autoclosure () -> LogMetadata = [:]) {
        log(.debug, message(), extra())
    }

    /// Logs a lifecycle event, such as start-up or shutdown.
    public func info(_ message: @autoclosure () -> String, _ extra: @autoclosure () -> LogMetadata = [:]) {
        log(.info, message(), extra())
    }

    /// Logs something an operator should look at soon.
    public func warning(_ message: @autoclosure () -> String, _ extra: @autoclosure () -> LogMetadata = [:]) {
        log(.warning, message(), extra())
    }

    /// Logs a failure an operator should act on.
    public func error(_ message: @autoclosure () -> String, _ extra: @autoclosure () -> LogMetadata = [:]) {
        log(.error, message(), extra())
    }

    /// Whether lines at `level` would be written, so callers can skip building costly metadata.
    public func isEnabled(_ level: LogLevel) -> Bool { level >= minimumLevel }

    private func log(_ level: LogLevel, _ message: @autoclosure () -> String, _ extra: @autoclosure () -> LogMetadata) {
        guard isEnabled(level) else { return }
        var fields = metadata
        fields.merge(extra()) { _, new in new }
        sink.write(LogLine.render(time: Date(), level: level, label: label, message: message(), fields: fields))
    }
}

/// Renders one log line as a JSON object with a stable key order.
enum LogLine {
    static func render(time: Date, level: LogLevel, label: String, message: String, fields: LogMetadata) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("time")
        writer.string(Timestamp.rfc3339(time, fractionalDigits: 3))
        writer.key("level")
        writer.string(level.name)
        writer.key("logger")
        writer.string(label)
        writer.key("message")
        writer.string(message)
        for key in fields.keys.sorted() {
            writer.key(key)
            writer.string(fields[key]!)
        }
        writer.endObject()
        return writer.text
    }
}

/// Writes each line to standard output or error with one `write` call, so lines from threads
/// never interleave.
public final class StandardStreamSink: LogSink {
    /// Standard output, where the server logs; one sink per stream, so every logger shares its lock.
    public static let standardOutput = StandardStreamSink(fileDescriptor: 1)
    /// Standard error, where command line tools log so their own output stays clean.
    public static let standardError = StandardStreamSink(fileDescriptor: 2)
    private let fileDescriptor: Int32
    private let lock = Mutex(())

    private init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    /// Writes `line` and a newline to the stream, retrying after `EINTR`.
    public func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }
}

/// Keeps lines in memory; tests read them back to check what was logged.
public final class MemoryLogSink: LogSink {
    private let storage = Mutex<[String]>([])

    /// Creates a sink holding no lines.
    public init() {}

    /// Appends `line` to the in-memory list.
    public func write(_ line: String) {
        storage.withLock { $0.append(line) }
    }

    /// Every line written so far.
    public var lines: [String] { storage.withLock { $0 } }
}
