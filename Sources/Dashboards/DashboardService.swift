import Core
import Foundation
import Storage
import Sync

/// One widget of a dashboard with what it shows now: its result, or why it has none.
public struct WidgetData: Sendable {
    /// The widget.
    public let widget: Widget
    /// The result, or the error that stands in its place: its source was deleted
    /// (``DashboardError/Kind/sourceMissing``), it no longer fits its source's fields
    /// (``DashboardError/Kind/invalidDefinition``), or its query failed (``DashboardError/Kind/storage``).
    public let outcome: Result<WidgetResult, DashboardError>
    /// The result as ``WidgetResult/write(to:)`` writes it, kept with it in the cache so that
    /// responses insert it as it is; empty when there is no result.
    public let resultJSON: [UInt8]
    /// Whether the result came from the cache rather than a query.
    public let cached: Bool

    init(widget: Widget, rendered: WidgetResultCache.Rendered, cached: Bool) {
        self.widget = widget
        outcome = .success(rendered.result)
        resultJSON = rendered.json
        self.cached = cached
    }

    init(widget: Widget, error: DashboardError) {
        self.widget = widget
        outcome = .failure(error)
        resultJSON = []
        cached = false
    }
}

/// Dashboards and their widgets' results: stored definitions checked against their sources,
/// and results computed by one query per widget and cached until the next sync of the source
/// commits.
public final class DashboardService: Sendable {
    private let store: DashboardStore
    private let database: any Database
    private let sources: SourceStore
    private let cache: WidgetResultCache
    private let logger: Logger

    /// Creates the service; at most `cacheCapacity` widget results are kept in memory.
    public init(database: any Database, logger: Logger, cacheCapacity: Int = 256) {
        self.database = database
        store = DashboardStore(database: database)
        sources = SourceStore(database: database)
        cache = WidgetResultCache(capacity: cacheCapacity)
        self.logger = logger
    }

    /// The SQL dialect of the store the widgets' statements run on.
    public var dialect: SQLDialect {
        database.dialect
    }

    /// Every dashboard, by name.
    public func list() throws(DashboardError) -> [Dashboard] {
        try store.list()
    }

    /// The dashboard with `id`, or nil.
    public func find(id: Int64) throws(DashboardError) -> Dashboard? {
        try store.find(id: id)
    }

    /// Checks `definition` against its sources, then stores it as a new dashboard.
    public func create(_ definition: DashboardDefinition, now: Date = Date()) throws(DashboardError) -> Dashboard {
        try validate(definition, now: now)
        return try store.create(definition, now: now)
    }

    /// Checks `definition` against its sources, then replaces dashboard `id` with it.
    public func update(id: Int64, to definition: DashboardDefinition, now: Date = Date()) throws(DashboardError)
        -> Dashboard
    {
        try validate(definition, now: now)
        return try store.update(id: id, to: definition, now: now)
    }

    /// Deletes dashboard `id`.
    public func delete(id: Int64) throws(DashboardError) {
        try store.delete(id: id)
    }

    /// Checks every widget of `definition` against its source's current columns: the source
    /// exists, every field named exists, metrics aggregate numbers and time axes timestamps.
    ///
    /// The error's fields are paths such as `widgets[2].metric.field`; its message names the
    /// widgets by title.
    public func validate(_ definition: DashboardDefinition, now: Date = Date()) throws(DashboardError) {
        let schemasBySource = try schemas(of: definition.sourceIDs)
        var problems: [String: String] = [:]
        var titles: [String] = []
        for (index, widget) in definition.widgets.enumerated() {
            let path = "widgets[\(index)]"
            guard let schema = schemasBySource[widget.sourceID] else {
                problems[path + ".sourceId"] = "No source has the id \(widget.sourceID)."
                titles.append(widget.title)
                continue
            }
            do throws(DashboardError) {
                _ = try WidgetQuery(widget: widget, schema: schema, dialect: database.dialect, now: now)
            } catch {
                problems.merge(error.nested(under: path).fields) { first, _ in first }
                titles.append(widget.title)
            }
        }
        guard problems.isEmpty else {
            let names = titles.map { "“\($0)”" }.joined(separator: ", ")
            throw DashboardError(
                .invalidDefinition, "Some widgets do not fit their sources: \(names).", fields: problems)
        }
    }

    /// Every widget's SQL statement with its parameters, in the dashboard's order, as
    /// ``data(for:now:)`` would run it on this database at `now`, or the error that would stand in
    /// place of its result.
    ///
    /// Nothing is run. A source not synced yet has no record table: its widgets get the statement
    /// that will run after its first sync, while their result stays empty without a query until then.
    public func statements(for dashboard: Dashboard, now: Date = Date()) throws(DashboardError) -> [WidgetStatement] {
        let schemasBySource = try schemas(of: dashboard.definition.sourceIDs)
        return dashboard.widgets.map { widget in
            guard let schema = schemasBySource[widget.sourceID] else {
                return WidgetStatement(widget: widget, error: Self.sourceMissing)
            }
            do throws(DashboardError) {
                let query = try WidgetQuery(widget: widget, schema: schema, dialect: database.dialect, now: now)
                return WidgetStatement(widget: widget, query: query)
            } catch {
                return WidgetStatement(widget: widget, error: Self.noLongerFits(error))
            }
        }
    }

    /// Every widget's result, in the dashboard's order, each from the cache while its source's
    /// data version is the one it was computed at, else from one query.
    ///
    /// One query reads the versions of all the dashboard's sources, so a dashboard whose results
    /// are all cached costs that query alone. A widget whose source is gone, whose fields vanished
    /// or whose query failed carries its error and leaves the others untouched; times counted back
    /// from the present (periods, the latest buckets) are counted from `now`.
    public func data(for dashboard: Dashboard, now: Date = Date()) throws(DashboardError) -> [WidgetData] {
        let widgets = dashboard.widgets
        let versions = try DashboardError.mapping {
            try sources.dataVersions(sourceIDs: dashboard.definition.sourceIDs)
        }
        var data = [WidgetData?](repeating: nil, count: widgets.count)
        var misses: [(index: Int, key: WidgetResultCache.Key, version: Int64)] = []
        for (index, widget) in widgets.enumerated() {
            guard let version = versions[widget.sourceID] else {
                data[index] = WidgetData(widget: widget, error: Self.sourceMissing)
                continue
            }
            let key = WidgetResultCache.Key(widget: widget, anchor: WidgetQuery.anchor(of: widget, now: now))
            if let rendered = cache.result(for: key, version: version) {
                data[index] = WidgetData(widget: widget, rendered: rendered, cached: true)
            } else {
                misses.append((index, key, version))
            }
        }
        guard !misses.isEmpty else { return data.compactMap { $0 } }

        let computed = try DashboardError.mapping {
            try database.read { connection in
                var schemas: [Int64: RecordTableSchema] = [:]
                return misses.map { miss in
                    let widget = widgets[miss.index]
                    switch compute(widget, now: now, schemas: &schemas, on: connection) {
                    case .success(let rendered):
                        cache.store(rendered, for: miss.key, version: miss.version)
                        return (miss.index, WidgetData(widget: widget, rendered: rendered, cached: false))
                    case .failure(let error):
                        return (miss.index, WidgetData(widget: widget, error: error))
                    }
                }
            }
        }
        for (index, widgetData) in computed {
            data[index] = widgetData
        }
        return data.compactMap { $0 }
    }

    /// The schemas of the sources among `sourceIDs` that exist, by source id.
    private func schemas(of sourceIDs: Set<Int64>) throws(DashboardError) -> [Int64: RecordTableSchema] {
        let existing = try DashboardError.mapping { try sources.dataVersions(sourceIDs: sourceIDs) }
        let schemas = try DashboardError.mapping {
            try database.read { connection in
                try existing.keys.map { try RecordTableSchema.load(sourceID: $0, on: connection) }
            }
        }
        return Dictionary(uniqueKeysWithValues: schemas.map { ($0.sourceID, $0) })
    }

    /// What a widget whose source was deleted carries instead of a result.
    private static let sourceMissing = DashboardError(.sourceMissing, "The widget's source has been deleted.")

    /// What a stored widget carries instead of a result when compiling it against its source's
    /// columns found `error`; the fields are paths within the widget.
    private static func noLongerFits(_ error: DashboardError) -> DashboardError {
        DashboardError(.invalidDefinition, "The widget no longer fits its source.", fields: error.fields)
    }

    /// Runs `widget`'s query on `connection`, loading its source's schema unless `schemas` has it,
    /// and writes the result's JSON.
    private func compute(
        _ widget: Widget, now: Date, schemas: inout [Int64: RecordTableSchema], on connection: any DatabaseConnection
    ) -> Result<WidgetResultCache.Rendered, DashboardError> {
        do {
            let schema =
                try schemas[widget.sourceID] ?? RecordTableSchema.load(sourceID: widget.sourceID, on: connection)
            schemas[widget.sourceID] = schema
            let query = try WidgetQuery(widget: widget, schema: schema, dialect: connection.dialect, now: now)
            let rows = schema.exists ? try connection.query(query.sql, query.parameters) : []
            let result = try query.result(from: rows)
            var writer = JSONWriter(capacity: 1024)
            result.write(to: &writer)
            return .success(WidgetResultCache.Rendered(result: result, json: writer.bytes))
        } catch let error as DashboardError {
            return .failure(Self.noLongerFits(error))
        } catch {
            logger.error(
                "widget query failed", ["widget": widget.id, "sourceId": String(widget.sourceID), "error": "\(error)"])
            return .failure(DashboardError(.storage, "The widget's query failed."))
        }
    }
}
