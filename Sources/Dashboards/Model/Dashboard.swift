import Foundation
import Storage

/// What a dashboard is made of: its name, description and widgets in order.
public struct DashboardDefinition: Sendable, Hashable {
    /// The longest name accepted, in characters.
    public static let maximumNameLength = 100
    /// The most widgets one dashboard holds.
    public static let maximumWidgets = 50

    /// The name, unique among dashboards.
    public var name: String
    /// A few words on what the dashboard shows; may be empty.
    public var description: String
    /// The widgets in the order they are shown.
    public var widgets: [Widget]

    /// Creates a definition.
    public init(name: String, description: String = "", widgets: [Widget] = []) {
        self.name = name
        self.description = description
        self.widgets = widgets
    }

    /// Every source the widgets read.
    public var sourceIDs: Set<Int64> {
        Set(widgets.map(\.sourceID))
    }
}

/// A dashboard as stored.
public struct Dashboard: Sendable, Hashable {
    /// The dashboard's id, used in URLs.
    public let id: Int64
    /// The name, description and widgets.
    public var definition: DashboardDefinition
    /// When the dashboard was created.
    public let createdAt: Date
    /// When the dashboard last changed.
    public var updatedAt: Date

    /// The name, unique among dashboards.
    public var name: String { definition.name }
    /// A few words on what the dashboard shows.
    public var description: String { definition.description }
    /// The widgets in the order they are shown.
    public var widgets: [Widget] { definition.widgets }

    /// Creates a dashboard value, such as an unsaved one whose widgets are previewed with
    /// ``DashboardService/data(for:now:)``.
    public init(id: Int64, definition: DashboardDefinition, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.definition = definition
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    static let columns = "id, name, description, widgets, created_at, updated_at"

    init(row: Row) throws {
        id = try row.int(0)
        let name = try row.string(1)
        let description = try row.string(2)
        do {
            definition = DashboardDefinition(
                name: name, description: description, widgets: try Widget.list(jsonText: try row.string(3)))
        } catch {
            throw DashboardError(.storage, "Dashboard \(id) has stored widgets that no longer read.")
        }
        createdAt = try row.date(4)
        updatedAt = try row.date(5)
    }
}
