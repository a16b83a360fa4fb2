import Audit
import Core
import Foundation
import HTTP

/// The audit page's filters, read from its query string and checked field by field.
///
/// Times are typed into `datetime-local` inputs, which send `2026-05-01T09:30` without a zone,
/// so a time without one is read as UTC; RFC 3339 times, as the API takes them, are read too.
struct AuditFilterForm {
    /// Entries per page when the query does not say.
    static let defaultLimit = 50

    /// The filter the query asks for; meaningful only while `errors` is empty.
    private(set) var filter = AuditFilter()
    /// The id below which the page starts: the previous page's last entry.
    private(set) var before: Int64?
    /// Entries per page.
    private(set) var limit = defaultLimit
    /// What is wrong with each malformed parameter, by its name.
    private(set) var errors: [String: String] = [:]
    /// The action as typed.
    private(set) var action = ""

    /// Reads the filters of `query`; empty fields filter nothing.
    init(_ query: QueryParameters) {
        func value(_ name: String) -> String? {
            guard let text = query[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        filter.actor = value("actor")
        filter.target = value("target")
        action = value("action") ?? ""
        filter.action = value("action").map(AuditFilter.ActionMatch.init)
        if let outcome = value("outcome") {
            filter.outcome = AuditOutcome(rawValue: outcome)
            if filter.outcome == nil { errors["outcome"] = "Choose success, failure or denied." }
        }
        for (name, keyPath) in [("from", \AuditFilter.from), ("to", \AuditFilter.to)] {
            guard let text = value(name) else { continue }
            filter[keyPath: keyPath] = Self.time(text)
            if filter[keyPath: keyPath] == nil {
                errors[name] = "Enter a date and time in UTC, such as 2026-05-01T09:30."
            }
        }
        if let from = filter.from, let to = filter.to, to <= from {
            errors["to"] = "Choose a time after the start."
        }
        if let text = value("before") {
            before = Int64(text).flatMap { $0 > 0 ? $0 : nil }
            if before == nil { errors["before"] = "The link to older entries is malformed; start from the newest." }
        }
        if let text = value("limit") {
            let count = Int(text).flatMap { (1...AuditQuery.maximumLimit).contains($0) ? $0 : nil }
            limit = count ?? Self.defaultLimit
            if count == nil { errors["limit"] = "Show 1 to \(AuditQuery.maximumLimit) entries per page." }
        }
    }

    /// A time as a `datetime-local` input or an RFC 3339 client sends it.
    private static func time(_ text: String) -> Date? {
        Timestamp.parse(text) ?? Timestamp.parse(text + "Z") ?? Timestamp.parse(text + ":00Z")
    }

    /// The value a `datetime-local` input shows for `date`: UTC to the second, without a zone.
    static func inputValue(_ date: Date?) -> String {
        date.map { String(Timestamp.rfc3339($0).dropLast()) } ?? ""
    }

    /// The query string that asks for these filters again, `?` included; empty without any.
    ///
    /// Times are written in RFC 3339 to the millisecond, which both this page and the API read.
    /// `before` starts the page further back, and `paging` keeps the page size.
    func query(before: Int64? = nil, paging: Bool = true) -> String {
        var pairs: [(String, String)] = []
        if let actor = filter.actor { pairs.append(("actor", actor)) }
        if !action.isEmpty { pairs.append(("action", action)) }
        if let outcome = filter.outcome { pairs.append(("outcome", outcome.rawValue)) }
        if let target = filter.target { pairs.append(("target", target)) }
        if let from = filter.from { pairs.append(("from", Timestamp.rfc3339(from, fractionalDigits: 3))) }
        if let to = filter.to { pairs.append(("to", Timestamp.rfc3339(to, fractionalDigits: 3))) }
        if paging, limit != Self.defaultLimit { pairs.append(("limit", String(limit))) }
        if let before { pairs.append(("before", String(before))) }
        guard !pairs.isEmpty else { return "" }
        return "?"
            + pairs.map { PercentEncoding.encodeComponent($0.0) + "=" + PercentEncoding.encodeComponent($0.1) }
            .joined(separator: "&")
    }
}
