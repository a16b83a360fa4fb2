import Core
import Foundation
import TestSupport
import Testing

@testable import Storage

@Suite("Connection pools")
struct PoolTests {
    @Test(arguments: TestStore.all)
    func checkoutTimesOutWhenEveryConnectionIsHeld(store: TestStore) throws {
        let metrics = MetricsRegistry()
        try withTestDatabase(
            store, poolSize: 1, acquireTimeout: .milliseconds(200), metrics: metrics
        ) { database in
            let started = ContinuousClock.now
            let failure = try database.read { _ in
                let inUse = "syncline_db_pool_connections{state=\"in_use\"} 1"
                #expect(metrics.render().contains(inUse))
                return #expect(throws: DatabaseError.self) {
                    try database.read { _ in }
                }
            }
            let elapsed = ContinuousClock.now - started
            #expect(failure?.kind == .poolTimeout)
            #expect(failure?.isTransient == true)
            #expect(failure?.message.contains("stayed busy") == true)
            #expect(elapsed >= .milliseconds(200))

            let statistics = database.poolStatistics
            #expect(statistics.timeouts == 1)
            #expect(statistics.waits == 1)
            #expect(statistics.inUse == 0)
            let rendered = metrics.render()
            #expect(rendered.contains("syncline_db_pool_waits_total 1"))
            #expect(rendered.contains("syncline_db_pool_timeouts_total 1"))
            #expect(rendered.contains("syncline_db_pool_connections{state=\"in_use\"} 0"))

            // The held connection went back, so the pool serves again.
            #expect(try database.read { try $0.queryOne("SELECT 1")?.int(0) } == 1)
        }
    }

    @Test(arguments: TestStore.all)
    func waiterGetsTheConnectionWhenItIsReturned(store: TestStore) throws {
        try withTestDatabase(store, poolSize: 1, acquireTimeout: .seconds(10)) { database in
            let holding = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) {
                _ = try? database.read { _ in
                    holding.signal()
                    release.wait()
                }
            }
            holding.wait()
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { release.signal() }
            let value = try database.read { try $0.queryOne("SELECT 7")?.int(0) }
            group.wait()
            #expect(value == 7)
            #expect(database.poolStatistics.waits == 1)
            #expect(database.poolStatistics.timeouts == 0)
        }
    }

    @Test(arguments: TestStore.all)
    func closedDatabaseRefusesWork(store: TestStore) throws {
        try withTestDatabase(store) { database in
            database.close()
            let failure = #expect(throws: DatabaseError.self) { try database.read { _ in } }
            #expect(failure?.kind == .closed)
        }
    }

    @Test(.enabled(if: PostgresTestServer.isIncluded, PostgresTestServer.skipReason))
    func terminatedBackendIsReplacedOnCheckout() throws {
        try withPostgresTestDatabase { url in
            let database = try PostgresDatabase(url: url, maxConnections: 1, logger: testLogger)
            defer { database.close() }
            let killer = try PostgresDatabase(url: url, maxConnections: 1, logger: testLogger)
            defer { killer.close() }

            let before = try backendProcessID(database)
            try terminate(before, using: killer)

            let after = try backendProcessID(database)
            #expect(after != before)
            #expect(database.poolStatistics.discarded == 1)
        }
    }

    @Test(.enabled(if: PostgresTestServer.isIncluded, PostgresTestServer.skipReason))
    func backendTerminatedWhileBorrowedIsNotReused() throws {
        try withPostgresTestDatabase { url in
            let database = try PostgresDatabase(url: url, maxConnections: 1, logger: testLogger)
            defer { database.close() }
            let killer = try PostgresDatabase(url: url, maxConnections: 1, logger: testLogger)
            defer { killer.close() }

            var before: Int64 = 0
            let failure = try database.read { connection in
                before = try #require(try connection.queryOne("SELECT pg_backend_pid()")?.int(0))
                try terminate(before, using: killer)
                return #expect(throws: DatabaseError.self) { try connection.queryOne("SELECT 1") }
            }
            #expect(failure?.isConnectionError == true)

            let after = try database.read { try $0.queryOne("SELECT pg_backend_pid()")?.int(0) }
            #expect(after != nil && after != before)
        }
    }

    @Test(.enabled(if: PostgresTestServer.isIncluded, PostgresTestServer.skipReason))
    func connectionsOlderThanTheLifetimeAreRecycled() throws {
        try withPostgresTestDatabase { url in
            let database = try PostgresDatabase(
                url: url, maxConnections: 1, maxLifetime: .milliseconds(50), logger: testLogger
            )
            defer { database.close() }
            let first = try database.read { try $0.queryOne("SELECT pg_backend_pid()")?.int(0) }
            Thread.sleep(forTimeInterval: 0.1)
            let second = try database.read { try $0.queryOne("SELECT pg_backend_pid()")?.int(0) }
            #expect(first != second)
            #expect(database.poolStatistics.discarded >= 1)
        }
    }

    @Test(.enabled(if: PostgresTestServer.isIncluded, PostgresTestServer.skipReason))
    func unreachableServerFailsClearly() throws {
        let failure = #expect(throws: DatabaseError.self) {
            try PostgresDatabase(
                url: "postgres://nobody:hunter2secret@127.0.0.1:1/none", logger: testLogger
            )
        }
        #expect(failure?.kind == .connection)
        #expect(failure?.isConnectionError == true)
        #expect(failure?.description.contains("hunter2secret") == false)
    }

    private func backendProcessID(_ database: PostgresDatabase) throws -> Int64 {
        try #require(try database.read { try $0.queryOne("SELECT pg_backend_pid()")?.int(0) })
    }

    /// Ends the backend `pid` and waits until it has exited, as `pg_terminate_backend` can.
    private func terminate(_ pid: Int64, using killer: PostgresDatabase) throws {
        let ended = try killer.read {
            try $0.queryOne(
                "SELECT pg_terminate_backend($1::integer, 5000)", [.integer(pid)]
            )?.bool(0)
        }
        try #require(ended == true)
    }
}
