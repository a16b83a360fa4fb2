import Core
import Foundation
import TestSupport
import Testing

@testable import Storage

@Suite("Database URLs")
struct DatabaseLocationTests {
    @Test(arguments: [
        ("sqlite:./var/syncline.db", "./var/syncline.db"),
        ("sqlite:var/syncline.db", "var/syncline.db"),
        ("sqlite:/var/lib/syncline/syncline.db", "/var/lib/syncline/syncline.db"),
        ("sqlite:///var/lib/syncline/syncline.db", "/var/lib/syncline/syncline.db"),
    ])
    func sqliteURLsNameAPath(url: String, path: String) throws {
        let location = try DatabaseLocation(url: url)
        #expect(location == .sqlite(path: path))
        #expect(location.dialect == .sqlite)
    }

    @Test(arguments: [
        "postgres://syncline@db.internal:5432/syncline",
        "postgresql://syncline:pw@db.internal/syncline?sslmode=verify-full&sslrootcert=/etc/ca.pem",
        "postgres:///syncline?host=/run/postgresql",
    ])
    func postgresURLsAreKeptWhole(url: String) throws {
        let location = try DatabaseLocation(url: url)
        #expect(location == .postgres(url: url))
        #expect(location.dialect == .postgres)
    }

    @Test func descriptionHidesThePassword() throws {
        let location = try DatabaseLocation(
            url: "postgres://app:s3cret-pass@db:5432/syncline?sslmode=require"
        )
        #expect(location.description == "postgres://app:***@db:5432/syncline?sslmode=require")
        let query = try DatabaseLocation(
            url: "postgres://db/syncline?user=app&password=s3cret-pass"
        )
        #expect(!query.description.contains("s3cret-pass"))
    }

    @Test(
        arguments: [
            ("", nil),
            ("sqlite:", nil),
            ("sqlite://relative.db", nil),
            ("mysql://root:topsecret@db/app", "\"mysql\""),
            ("./var/syncline.db", nil),
            ("postgres://app:pa%zzword@db/syncline", nil),
            ("postgres://db/syncline?sslmod=require", "\"sslmod\""),
        ] as [(String, String?)])
    func malformedURLsAreRefusedWithoutEchoingSecrets(url: String, mentions: String?) throws {
        let failure = #expect(throws: DatabaseError.self) { try DatabaseLocation(url: url) }
        #expect(failure?.kind == .invalidURL)
        let description = failure?.description ?? ""
        #expect(!description.contains("topsecret"))
        #expect(!description.contains("zzword"))
        if let mentions { #expect(description.contains(mentions)) }
    }

    @Test func openingAnSQLiteURLCreatesTheFile() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("syncline-location-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("data/syncline.db").path
        let database = try DatabaseLocation.open(url: "sqlite:" + path, logger: testLogger)
        defer { database.close() }
        #expect(database.dialect == .sqlite)
        #expect(FileManager.default.fileExists(atPath: path))
    }
}
