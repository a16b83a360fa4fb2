import Core
import Foundation
import HTTP
import Sync

/// A source as the API shows it: everything to admins, no connection details to viewers.
struct SourceResource: Encodable {
    let id: Int64
    let name: String
    let kind: SourceKind
    let mode: SyncMode
    let status: String
    let recordCount: Int64
    let lastSyncedAt: String?
    let nextSyncAt: String?
    let latestRun: SyncRunResource?
    let definition: SourceDefinition?
    let createdAt: String?
    let updatedAt: String?

    /// `status` is the latest run's status, or `never` before the first run.
    init(_ source: Source, latestRun: SyncRun?, detailed: Bool) {
        id = source.id
        name = source.name
        kind = source.definition.kind
        mode = source.definition.mode
        status = latestRun?.status.rawValue ?? "never"
        recordCount = source.recordCount
        lastSyncedAt = source.lastSyncedAt.map(APITime.text)
        nextSyncAt = source.nextSyncAt.map(APITime.text)
        self.latestRun = latestRun.map { SyncRunResource($0, sourceName: source.name) }
        definition = detailed ? source.definition : nil
        createdAt = detailed ? APITime.text(source.createdAt) : nil
        updatedAt = detailed ? APITime.text(source.updatedAt) : nil
    }

    static let schema = JSONSchema.object(
        properties: [
            ("id", .integer()), ("name", .string()), ("kind", .string(allowed: SourceKind.allCases.map(\.rawValue))),
            ("mode", .string(allowed: SyncMode.allCases.map(\.rawValue))),
            ("status", .string(description: "The latest run's status, or never.")), ("recordCount", .integer()),
            ("lastSyncedAt", .nullable(.string(format: "date-time"))),
            ("nextSyncAt", .nullable(.string(format: "date-time"))), ("latestRun", .nullable(SyncRunResource.schema)),
            ("definition", .object(properties: [], description: "The full definition; admins only.")),
            ("createdAt", .string(format: "date-time")), ("updatedAt", .string(format: "date-time")),
        ],
        required: ["id", "name", "kind", "mode", "status", "recordCount"])
}

/// A sync run as the API shows it, with its live progress.
struct SyncRunResource: Encodable {
    let id: Int64
    let sourceId: Int64
    let sourceName: String?
    let status: SyncRunStatus
    let trigger: SyncTrigger
    let requestedBy: String
    let phase: String
    let queuedAt: String
    let startedAt: String?
    let finishedAt: String?
    let attempts: Int
    let cancelRequested: Bool
    let recordsRead: Int64
    let recordsWritten: Int64
    let pages: Int64
    let elapsedSeconds: Double?
    let recordsPerSecond: Double?
    let error: String?

    init(_ run: SyncRun, sourceName: String?) {
        id = run.id
        sourceId = run.sourceID
        self.sourceName = sourceName
        status = run.status
        trigger = run.trigger
        requestedBy = run.requestedBy
        phase = run.phase
        queuedAt = APITime.text(run.queuedAt)
        startedAt = run.startedAt.map(APITime.text)
        finishedAt = run.finishedAt.map(APITime.text)
        attempts = run.attempts
        cancelRequested = run.cancelRequested
        recordsRead = run.recordsRead
        recordsWritten = run.recordsWritten
        pages = run.pages
        elapsedSeconds = run.elapsedSeconds().map { ($0 * 1000).rounded() / 1000 }
        recordsPerSecond = run.recordsPerSecond().map { $0.rounded() }
        error = run.error
    }

    static let schema = JSONSchema.object(
        properties: [
            ("id", .integer()), ("sourceId", .integer()), ("sourceName", .nullable(.string())),
            ("status", .string(allowed: SyncRunStatus.allCases.map(\.rawValue))),
            ("trigger", .string(allowed: SyncTrigger.allCases.map(\.rawValue))), ("requestedBy", .string()),
            ("phase", .string()), ("queuedAt", .string(format: "date-time")),
            ("startedAt", .nullable(.string(format: "date-time"))),
            ("finishedAt", .nullable(.string(format: "date-time"))), ("attempts", .integer()),
            ("cancelRequested", .boolean()), ("recordsRead", .integer()), ("recordsWritten", .integer()),
            ("pages", .integer()), ("elapsedSeconds", .nullable(.number())),
            ("recordsPerSecond", .nullable(.number())), ("error", .nullable(.string())),
        ],
        required: ["id", "sourceId", "status", "trigger", "phase", "queuedAt", "recordsRead", "recordsWritten"])
}

/// Times in API bodies: RFC 3339 in UTC with milliseconds.
enum APITime {
    static func text(_ date: Date) -> String {
        Timestamp.rfc3339(date, fractionalDigits: 3)
    }
}
