import Storage
import TestSupport
import Testing

// Without SYNCLINE_TEST_POSTGRES_URL the PostgreSQL cases drop out of every parameterized test,
// and this test shows as skipped with the reason, so the gap is visible in the test report.
@Test(.enabled(if: PostgresTestServer.isIncluded, PostgresTestServer.skipReason))
func postgresServerIsReachable() throws {
    let url = try PostgresTestServer.requireURL()
    let database = try PostgresDatabase(url: url, logger: testLogger)
    defer { database.close() }
    let version = try database.read { try $0.queryOne("SHOW server_version_num")?.string(0) }
    #expect(Int(version ?? "") ?? 0 >= 150_000)
}
