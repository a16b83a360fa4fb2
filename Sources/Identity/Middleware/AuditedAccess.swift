import Audit
import Core
import Foundation
import HTTP

/// Works out who the client is and records one `api.access` audit event per API request:
/// method, route template, status, user, duration and address.
///
/// It runs outside ``AccessControl`` so refusals (401, 403, 429) are recorded too.
public struct AuditedAccess: Middleware {
    private let addresses: ClientAddressResolver
    private let audit: any AuditRecorder
    private let recordsAPIAccess: Bool
    private let pathPrefix: String

    /// Records requests whose path starts with `pathPrefix`, unless `recordsAPIAccess` is off
    /// (refusals by ``AccessControl`` are audited either way).
    public init(
        addresses: ClientAddressResolver, audit: any AuditRecorder, recordsAPIAccess: Bool = true,
        pathPrefix: String = "/api/"
    ) {
        self.addresses = addresses
        self.audit = audit
        self.recordsAPIAccess = recordsAPIAccess
        self.pathPrefix = pathPrefix
    }

    /// Attaches the client context, runs the chain, and records the outcome.
    public func respond(to request: Request, next: Responder) throws -> Response {
        var request = request
        let client = ClientContext(
            address: addresses.clientAddress(of: request), userAgent: request.headers["User-Agent"] ?? "")
        request.attributes[ClientContextKey.self] = client
        guard recordsAPIAccess, request.path.hasPrefix(pathPrefix) else { return try next(request) }

        let record = AccessRecord()
        request.attributes[AccessRecordKey.self] = record
        let started = ContinuousClock.now
        let status: Int
        do {
            let response = try next(request)
            status = response.status
            finish(request, record, client, status: status, started: started)
            return response
        } catch {
            status = (error as? any HTTPResponseError)?.status ?? 500
            finish(request, record, client, status: status, started: started)
            throw error
        }
    }

    private func finish(
        _ request: Request, _ record: AccessRecord, _ client: ClientContext, status: Int,
        started: ContinuousClock.Instant
    ) {
        let tenthsOfMilliseconds = Int(((ContinuousClock.now - started).seconds * 10_000).rounded())
        audit.record(
            AuditEvent(
                actor: record.actor ?? "anonymous", action: "api.access",
                target: request.route?.template ?? "unmatched",
                outcome: status < 400
                    ? .success : (status == 401 || status == 403 || status == 429 ? .denied : .failure),
                ip: client.address.description, userAgent: client.userAgent,
                details: [
                    "method": request.method.rawValue, "status": String(status),
                    "durationMs": String(tenthsOfMilliseconds / 10) + "." + String(tenthsOfMilliseconds % 10),
                ]))
    }
}
