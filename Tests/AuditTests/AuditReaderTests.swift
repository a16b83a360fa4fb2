import Audit
import Foundation
import Storage
import TestSupport
import Testing

@Suite("Audit queries")
struct AuditReaderTests {
    /// Eight events with known actors, actions, outcomes, targets and times (one second apart).
    static let events: [AuditEvent] = [
        ("alice", "auth.login", AuditOutcome.success, "web"),
        ("bob", "auth.login", .failure, "web"),
        ("alice", "auth.logout", .success, "web"),
        ("carol", "user.create", .success, "dave"),
        ("bob", "authx.other", .denied, "api"),
        ("alice", "auth_login", .success, "api"),
        ("carol", "auth.token", .denied, "api"),
        ("bob", "user.delete", .success, "dave"),
    ].enumerated().map { index, fields in
        AuditEvent(
            occurredAt: baseTime.addingTimeInterval(Double(index)), actor: fields.0, action: fields.1,
            target: fields.3, outcome: fields.2)
    }

    private func ids(_ reader: AuditReader, _ filter: AuditFilter) throws -> [Int64] {
        try reader.page(AuditQuery(filter: filter, limit: 500)).entries.map(\.id)
    }

    @Test(arguments: TestStore.all)
    func filtersSelectMatchingEntries(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            write(Self.events, to: database)
            let reader = AuditReader(database: database)
            #expect(try ids(reader, AuditFilter()) == [8, 7, 6, 5, 4, 3, 2, 1])
            #expect(try ids(reader, AuditFilter(actor: "alice")) == [6, 3, 1])
            #expect(try ids(reader, AuditFilter(action: .exact("auth.login"))) == [2, 1])
            #expect(try ids(reader, AuditFilter(action: .prefix("auth."))) == [7, 3, 2, 1])
            #expect(try ids(reader, AuditFilter(action: .prefix("auth_"))) == [6])
            #expect(try ids(reader, AuditFilter(action: .prefix("AUTH."))) == [])
            #expect(try ids(reader, AuditFilter(outcome: .denied)) == [7, 5])
            #expect(try ids(reader, AuditFilter(target: "dave")) == [8, 4])
            let window = AuditFilter(from: baseTime.addingTimeInterval(2), to: baseTime.addingTimeInterval(5))
            #expect(try ids(reader, window) == [5, 4, 3])
            let combined = AuditFilter(actor: "bob", action: .prefix("auth"), from: baseTime.addingTimeInterval(1))
            #expect(try ids(reader, combined) == [5, 2])
        }
    }

    @Test(arguments: TestStore.all)
    func pagesCoverEveryEntryOnce(store: TestStore) throws {
        try withAuditDatabase(store) { database throws in
            writeSamples(137, to: database)
            let reader = AuditReader(database: database)
            for filter in [AuditFilter(), AuditFilter(action: .exact("auth.login"))] {
                var seen: [Int64] = []
                var query = AuditQuery(filter: filter, limit: 20)
                var pages = 0
                while true {
                    let page = try reader.page(query)
                    pages += 1
                    #expect(page.entries.count <= 20)
                    seen += page.entries.map(\.id)
                    guard let next = page.nextBefore else { break }
                    query.before = next
                }
                let expected = try ids(reader, filter)
                #expect(seen == expected)
                #expect(Set(seen).count == seen.count)
                #expect(pages == (expected.count + 19) / 20)
            }
        }
    }

    @Test
    func limitsOutOfRangeAreRefused() throws {
        try withAuditDatabase(.sqlite) { database throws in
            let reader = AuditReader(database: database)
            for limit in [0, -1, 501] {
                #expect(throws: AuditError.self) { try reader.page(AuditQuery(limit: limit)) }
            }
            #expect(try reader.page(AuditQuery(limit: 500)).entries.isEmpty)
        }
    }
}
