import Foundation
import HTTP

/// The demo REST API, served in development only: support tickets, paged, with `updated_since`
/// for incremental syncs, as a real ticketing system would offer them.
struct DemoRoutes {
    /// The path of the tickets endpoint.
    static let ticketsPath = "/demo/api/tickets"

    func register(on router: inout Router) {
        router.add(
            .get, Self.ticketsPath,
            RouteMetadata(
                access: .anyone, summary: "Demo support tickets (development only).", tags: ["demo"], hidden: true)
        ) { request in
            let page = max(1, Int(request.query["page"] ?? "1") ?? 1)
            let perPage = min(500, max(1, Int(request.query["per_page"] ?? "100") ?? 100))
            let since = request.query["updated_since"]
            let now = Date()
            let tickets = (1...DemoData.ticketCount).compactMap { DemoData.ticket($0, now: now) }
                .filter { ticket in since.map { (ticket["updated_at"] as? String ?? "") >= $0 } ?? true }
                .sorted {
                    let left = $0["updated_at"] as? String ?? ""
                    let right = $1["updated_at"] as? String ?? ""
                    return left == right ? ($0["id"] as? Int ?? 0) < ($1["id"] as? Int ?? 0) : left < right
                }
            let slice = Array(tickets.dropFirst((page - 1) * perPage).prefix(perPage))
            let body: [String: Any] = [
                "data": slice, "meta": ["page": page, "per_page": perPage, "total": tickets.count],
            ]
            let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
            return Response.json(Array(data))
        }
    }
}
