import Foundation
import TestSupport
import Testing

@testable import App

/// The dashboard pages on a live server: the editor builds a dashboard, the view draws it, and
/// viewers read without the controls that change anything.
@Suite("Dashboard pages") struct DashboardPagesTests {
    private static let orders = """
        id,region,amount,ordered_at
        1,EU,100,2026-01-05T10:00:00Z
        2,US,80,2026-01-06T11:30:00Z
        3,EU,20,2026-02-01T09:15:00Z
        4,<b>APAC</b>,5,2026-02-03T12:00:00Z
        """

    @Test(arguments: TestStore.all)
    func anAdminBuildsADashboardThatAViewerCanReadButNotChange(store: TestStore) throws {
        let app = try RunningApplication(store)
        try app.addUser("root", role: .admin)
        try app.addUser("vic", role: .viewer)
        let token = try app.token("root")
        try app.importFile("orders.csv", Self.orders)
        let client = try app.client()
        let created = try client.postJSON(
            "/api/v1/sources", ["name": "orders", "kind": "csv", "primaryKey": "id", "csv": ["path": "orders.csv"]],
            headers: [("Authorization", "Bearer \(token)")])
        let sourceID = try #require(try created.json()["id"] as? Int)
        let started = try client.request(
            "POST", "/api/v1/sources/\(sourceID)/syncs", headers: [("Authorization", "Bearer \(token)")])
        let run = try app.waitForRun(try #require(try started.json()["id"] as? Int), token: token)
        #expect(run["status"] as? String == "succeeded")

        let admin = try Browser(app, "root")
        let made = try admin.post("/dashboards", ["name": "Sales", "description": "By region"])
        #expect(made.status == 303)
        let editor = try #require(made.header("Location"))
        #expect(editor.hasSuffix("/edit"))
        let dashboardPath = String(editor.dropLast("/edit".count))

        let widget = [
            "title": "Revenue by region", "kind": "bar", "source": String(sourceID), "aggregate": "sum",
            "metricField": "amount", "groupBy": "region", "sort": "value-desc", "limit": "5",
        ]
        var wrong = widget
        wrong["metricField"] = "region"
        let refused = try admin.post(dashboardPath + "/widgets", wrong)
        #expect(refused.status == 422)
        #expect(refused.text.contains("field-error") || refused.text.contains("notice-error"))
        try expectSafePage(refused)

        #expect(try admin.post(dashboardPath + "/widgets", widget).status == 303)
        var kpi = widget
        kpi["title"] = "Orders"
        kpi["kind"] = "number"
        kpi["aggregate"] = "count"
        #expect(try admin.post(dashboardPath + "/widgets", kpi).status == 303)

        let view = try admin.get(dashboardPath)
        #expect(view.status == 200)
        try expectSafePage(view)
        let page = view.text
        #expect(page.contains("role=\"img\""))
        #expect(page.contains("EU: 120"))
        #expect(page.contains("&lt;b&gt;APAC&lt;/b&gt;"))
        #expect(!page.contains("<b>APAC</b>"))
        #expect(page.contains("href=\"\(dashboardPath)/edit\""))
        let orderOfWidgets = page.range(of: "Revenue by region")!.lowerBound < page.range(of: ">Orders<")!.lowerBound
        #expect(orderOfWidgets)

        let viewer = try Browser(app, "vic")
        let seen = try viewer.get(dashboardPath)
        #expect(seen.status == 200)
        #expect(!seen.text.contains("/edit\""))
        #expect(try viewer.get(dashboardPath + "/edit").status == 403)
        #expect(try viewer.post(dashboardPath + "/widgets", widget).status == 403)
        #expect(try viewer.get("/dashboards").text.contains("Sales"))
        #expect(try app.auditEvents().contains { $0.action == "dashboard.create" && $0.actor == "root" })
    }
}
