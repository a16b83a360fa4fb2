import Core
import Dashboards
import Foundation
import Sync

/// The demo's two dashboards, "Sales overview" over the orders and "Customers" over the
/// tickets, created once their sources' first syncs have given them columns.
enum DemoDashboards {
    /// Waits on a thread of its own for the runs `runIDs` to end, then creates the dashboards;
    /// gives up quietly when the runs fail or the server stops first.
    static func create(after runIDs: [Int64], orders: Int64, tickets: Int64, application: Application) {
        let thread = Thread {
            let deadline = Date().addingTimeInterval(600)
            while Date() < deadline {
                guard let runs = try? runIDs.map({ try application.sync.queue.find(id: $0) }) else { return }
                if runs.allSatisfy({ $0?.status == .succeeded }) { break }
                if runs.contains(where: { $0 == nil || ($0!.status.isFinished && $0!.status != .succeeded) }) { return }
                Thread.sleep(forTimeInterval: 0.5)
            }
            do {
                for text in [sales(orders), customers(tickets)] {
                    let definition = try DashboardDefinition(
                        json: try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))
                    _ = try application.dashboards.create(definition)
                }
                application.logger.labeled("demo").info("demo dashboards created")
            } catch {
                application.logger.labeled("demo").warning(
                    "demo dashboards not created", ["error": String(describing: error)])
            }
        }
        thread.name = "demo-dashboards"
        thread.start()
    }

    static func sales(_ source: Int64) -> String {
        """
        {"name": "Sales overview", "description": "Orders of the last two years from the bundled CSV.",
         "widgets": [
          {"title": "Revenue this month", "kind": "number", "sourceId": \(source),
           "metric": {"aggregate": "sum", "field": "amount"},
           "time": {"field": "ordered_at", "bucket": "month", "last": 1},
           "filters": [{"field": "status", "op": "eq", "value": "completed"}]},
          {"title": "Orders this month", "kind": "number", "sourceId": \(source), "metric": {"aggregate": "count"},
           "time": {"field": "ordered_at", "bucket": "month", "last": 1}},
          {"title": "Average order", "kind": "number", "sourceId": \(source),
           "metric": {"aggregate": "avg", "field": "amount"},
           "time": {"field": "ordered_at", "bucket": "month", "last": 1}},
          {"title": "Revenue by week", "kind": "line", "sourceId": \(source),
           "metric": {"aggregate": "sum", "field": "amount"},
           "time": {"field": "ordered_at", "bucket": "week", "last": 52}},
          {"title": "Revenue by region", "kind": "bar", "sourceId": \(source),
           "metric": {"aggregate": "sum", "field": "amount"}, "groupBy": "region", "limit": 6},
          {"title": "Orders by channel", "kind": "donut", "sourceId": \(source), "metric": {"aggregate": "count"},
           "groupBy": "channel"},
          {"title": "Revenue by category", "kind": "pie", "sourceId": \(source),
           "metric": {"aggregate": "sum", "field": "amount"}, "groupBy": "category"},
          {"title": "Top customers", "kind": "table", "sourceId": \(source),
           "metric": {"aggregate": "sum", "field": "amount"}, "groupBy": "customer", "limit": 10}
         ]}
        """
    }

    static func customers(_ source: Int64) -> String {
        """
        {"name": "Customers", "description": "Support tickets from the demo ticketing API, synced incrementally.",
         "widgets": [
          {"title": "Open tickets", "kind": "number", "sourceId": \(source), "metric": {"aggregate": "count"},
           "filters": [{"field": "status", "op": "eq", "value": "open"}]},
          {"title": "Average satisfaction", "kind": "number", "sourceId": \(source),
           "metric": {"aggregate": "avg", "field": "satisfaction"}},
          {"title": "Tickets opened per day", "kind": "line", "sourceId": \(source), "metric": {"aggregate": "count"},
           "time": {"field": "created_at", "bucket": "day", "last": 60}},
          {"title": "Tickets by priority", "kind": "pie", "sourceId": \(source), "metric": {"aggregate": "count"},
           "groupBy": "priority"},
          {"title": "Tickets by status", "kind": "bar", "sourceId": \(source), "metric": {"aggregate": "count"},
           "groupBy": "status"},
          {"title": "Customers with most tickets", "kind": "table", "sourceId": \(source),
           "metric": {"aggregate": "count"}, "groupBy": "customer", "limit": 10},
          {"title": "Latest tickets", "kind": "table", "sourceId": \(source),
           "columns": ["id", "subject", "customer", "status", "priority", "updated_at"],
           "sort": {"by": "field", "field": "updated_at", "direction": "desc"}, "limit": 10}
         ]}
        """
    }
}
