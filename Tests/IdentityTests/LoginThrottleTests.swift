import Foundation
import Storage
import TestSupport
import Testing

@testable import Identity

@Suite("Login throttle") struct LoginThrottleTests {
    private static func throttle(_ database: any Database) -> LoginThrottle {
        var configuration = LoginThrottleConfiguration()
        configuration.maxFailures = 3
        configuration.window = .seconds(600)
        configuration.lockout = .seconds(60)
        configuration.maxLockout = .seconds(200)
        return LoginThrottle(database: database, configuration: configuration)
    }

    private static let keys = LoginThrottle.keys(username: "eve", address: "192.0.2.1")
    private static let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: TestStore.all)
    func locksAfterTooManyFailuresAndDoublesUpToTheCap(store: TestStore) throws {
        try withControlDatabase(store) { database in
            let throttle = Self.throttle(database)
            var now = Self.start
            #expect(try throttle.recordFailure(Self.keys, now: now) == nil)
            #expect(try throttle.recordFailure(Self.keys, now: now) == nil)
            #expect(try throttle.lockedFor(Self.keys, now: now) == nil)
            #expect(try throttle.recordFailure(Self.keys, now: now) == 60)
            #expect(try throttle.lockedFor(Self.keys, now: now) == 60)
            #expect(try throttle.lockedFor(Self.keys, now: now.addingTimeInterval(59.5)) == 1)
            #expect(try throttle.lockedFor(Self.keys, now: now.addingTimeInterval(61)) == nil)

            var locks: [Int?] = []
            for _ in 0..<3 {
                now = now.addingTimeInterval(1000)
                for _ in 0..<3 { locks.append(try throttle.recordFailure(Self.keys, now: now)) }
            }
            #expect(locks.compactMap { $0 } == [120, 200, 200])
        }
    }

    @Test(arguments: TestStore.all)
    func failuresOutsideTheWindowDoNotCount(store: TestStore) throws {
        try withControlDatabase(store) { database in
            let throttle = Self.throttle(database)
            try throttle.recordFailure(Self.keys, now: Self.start)
            try throttle.recordFailure(Self.keys, now: Self.start)
            let later = Self.start.addingTimeInterval(601)
            #expect(try throttle.recordFailure(Self.keys, now: later) == nil)
            #expect(try throttle.recordFailure(Self.keys, now: later) == nil)
            #expect(try throttle.recordFailure(Self.keys, now: later) == 60)
        }
    }

    @Test(arguments: TestStore.all)
    func successClearsTheUsernameButNotTheAddress(store: TestStore) throws {
        try withControlDatabase(store) { database in
            let throttle = Self.throttle(database)
            try throttle.recordFailure(Self.keys, now: Self.start)
            try throttle.recordFailure(Self.keys, now: Self.start)
            try throttle.recordSuccess(Self.keys[0])
            let otherUser = LoginThrottle.keys(username: "mallory", address: "192.0.2.1")
            #expect(try throttle.recordFailure(otherUser, now: Self.start) == 60)
            #expect(try throttle.lockedFor(Self.keys, now: Self.start) == 60)
            #expect(
                try throttle.lockedFor(LoginThrottle.keys(username: "eve", address: "198.51.100.9"), now: Self.start)
                    == nil)
        }
    }
}
