import Core
import Foundation
import Synchronization
import Testing

@testable import Identity

/// Parameters cheap enough to hash hundreds of times in a test run.
private let cheap = Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1)

@Suite("PasswordHasher") struct PasswordHasherTests {
    let hasher = try! PasswordHasher(parameters: cheap)

    @Test func hashThenVerifyRoundTrips() throws {
        let phc = try hasher.hash(password: "correct horse battery staple")
        #expect(hasher.verify(password: "correct horse battery staple", against: phc))
    }

    @Test func wrongPasswordFails() throws {
        let phc = try hasher.hash(password: "correct horse battery staple")
        #expect(!hasher.verify(password: "correct horse battery stapler", against: phc))
        #expect(!hasher.verify(password: "", against: phc))
    }

    @Test func saltsDifferBetweenHashesOfOnePassword() throws {
        let first = try hasher.hash(password: "same password twice")
        let second = try hasher.hash(password: "same password twice")
        #expect(first != second)
    }

    @Test func realParametersWriteOWASPPHCString() throws {
        let owasp = try PasswordHasher()
        let phc = try owasp.hash(password: "a password at full cost")
        #expect(phc.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        let fields = phc.split(separator: "$", omittingEmptySubsequences: false)
        #expect(fields.count == 6)
        #expect(fields[4].count == 22) // 16 bytes of salt in unpadded base64
        #expect(fields[5].count == 43) // 32 bytes of tag in unpadded base64
        #expect(owasp.verify(password: "a password at full cost", against: phc))
        #expect(!owasp.verify(password: "a password at full cosT", against: phc))
        #expect(!owasp.needsRehash(phc))
    }

    @Test func needsRehashWhenAnyParameterDiffers() throws {
        let phc = try hasher.hash(password: "some password here")
        #expect(!hasher.needsRehash(phc))

        let variants = [
            Argon2Parameters(memoryKiB: 128, iterations: 1, parallelism: 1),
            Argon2Parameters(memoryKiB: 64, iterations: 2, parallelism: 1),
            Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 2),
            Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1, saltLength: 32),
            Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1, tagLength: 16),
        ]
        for parameters in variants {
            let other = try PasswordHasher(parameters: parameters)
            #expect(other.needsRehash(phc), "\(parameters)")
            #expect(other.verify(password: "some password here", against: phc), "old hashes still verify")
        }
        #expect(hasher.needsRehash("not a hash"))
    }

    @Test(arguments: [
        "",
        "plain text",
        "$argon2id$",
        "$argon2id$v=19$m=64,t=1,p=1$",
        "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$",
        "$argon2id$v=19$m=64,t=1,p=1$$aGFzaA",
        "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo$extra",
        "$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo",
        "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo",
        "$argon2d$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo",
        "$argon2id$v=19$m=-1,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo",
        "$argon2id$v=19$m=99999999999,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo",
        "$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo",
        "$argon2id$v=19$m=64,t=0,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo",
        "$argon2id$v=19$m=64,t=1,p=0$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo",
        "$argon2id$v=19$m=64,t=1,p=1$c2Fs*HNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo",
        "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo==",
        "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo\u{0}",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
        "{SSHA}c2FsdGVkaGFzaA==",
    ])
    func malformedOrForeignHashesFail(phc: String) {
        #expect(!hasher.verify(password: "any password at all", against: phc))
    }

    @Test func longPasswordsAreNotTruncated() throws {
        let password = String(repeating: "abcdefghij", count: 20)
        #expect(password.count == 200)
        let phc = try hasher.hash(password: password)
        #expect(hasher.verify(password: password, against: phc))
        #expect(!hasher.verify(password: String(password.dropLast()) + "k", against: phc))
        #expect(!hasher.verify(password: String(password.dropLast()), against: phc))
        #expect(!hasher.verify(password: String(password.prefix(72)), against: phc))
    }

    @Test func nonASCIIPasswordsAreHashedAsWholeUTF8() throws {
        let password = "pässwörd-密码-パスワード-🔑🔑"
        let phc = try hasher.hash(password: password)
        #expect(hasher.verify(password: password, against: phc))
        #expect(!hasher.verify(password: String(password.dropLast()) + "🔒", against: phc))
        // The same text with a decomposed "ä" is a different byte string, so it does not match.
        #expect(!hasher.verify(password: "pa\u{308}sswörd-密码-パスワード-🔑🔑", against: phc))
    }

    @Test func dummyVerifyCostsAboutAsMuchAsARealOne() throws {
        let slow = try PasswordHasher(parameters: Argon2Parameters(memoryKiB: 8_192, iterations: 2, parallelism: 1))
        let phc = try slow.hash(password: "a real user's password")
        let clock = ContinuousClock()
        var real = Duration.zero
        var dummy = Duration.zero
        for _ in 0..<5 {
            real += clock.measure { _ = slow.verify(password: "a guessed password", against: phc) }
            dummy += clock.measure { slow.dummyVerify(password: "a guessed password") }
        }
        #expect(dummy > real / 3 && dummy < real * 3, "real \(real), dummy \(dummy)")
    }

    @Test func parametersLibargon2RefusesAreReported() {
        #expect(throws: PasswordHashingError.self) {
            _ = try PasswordHasher(parameters: Argon2Parameters(memoryKiB: 1, iterations: 1, parallelism: 1))
        }
        #expect(throws: PasswordHashingError.self) {
            _ = try PasswordHasher(parameters: Argon2Parameters(memoryKiB: 64, iterations: 0, parallelism: 1))
        }
    }
}

@Suite("PasswordHashingPool") struct PasswordHashingPoolTests {
    @Test func jobsRunAndReturnResults() throws {
        let pool = PasswordHashingPool(hasher: try PasswordHasher(parameters: cheap))
        defer { pool.shutDown() }
        let phc = try pool.hash(password: "through the pool")
        #expect(try pool.verify(password: "through the pool", against: phc))
        #expect(try !pool.verify(password: "through the poo1", against: phc))
        try pool.dummyVerify(password: "nobody")
        #expect(try pool.submit { _ in 6 * 7 } == 42)
    }

    @Test func jobsRunOnAnotherThread() throws {
        let pool = PasswordHashingPool(
            hasher: try PasswordHasher(parameters: cheap), configuration: .init(threadCount: 1))
        defer { pool.shutDown() }
        let caller = pthread_self()
        let worker = try pool.submit { _ in pthread_self() }
        #expect(pthread_equal(caller, worker) == 0)
        #expect(try pool.submit { _ in pthread_self() } == worker, "one thread serves every job")
    }

    @Test func hashingThreadsRunAtLowerPriority() throws {
        let pool = PasswordHashingPool(
            hasher: try PasswordHasher(parameters: cheap), configuration: .init(threadCount: 1))
        defer { pool.shutDown() }
        let callerNice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        let workerNice = try pool.submit { _ in
            getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        }
        #expect(workerNice == min(callerNice + 10, 19))
    }

    @Test func fullQueueThrowsBusyAtOnce() throws {
        let metrics = MetricsRegistry()
        let pool = PasswordHashingPool(
            hasher: try PasswordHasher(parameters: cheap),
            configuration: .init(threadCount: 1, queueCapacity: 1), metrics: metrics)
        defer { pool.shutDown() }
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchGroup()

        // One job holds the only thread, a second waits in the only queue slot.
        DispatchQueue.global().async(group: finished) {
            _ = try? pool.submit { _ in
                started.signal()
                release.wait()
            }
        }
        started.wait()
        DispatchQueue.global().async(group: finished) {
            _ = try? pool.submit { _ in () }
        }
        while pool.queueDepth < 1 {
            Thread.sleep(forTimeInterval: 0.001)
        }

        let clock = ContinuousClock()
        let start = clock.now
        #expect(throws: PasswordHashingPoolError.busy) {
            try pool.submit { _ in () }
        }
        #expect(clock.now - start < .milliseconds(100))
        #expect(metrics.render().contains("syncline_password_hashing_rejections_total 1\n"))
        #expect(metrics.render().contains("syncline_password_hashing_queue_depth 1\n"))

        release.signal()
        finished.wait()
        #expect(try pool.submit { _ in true })
    }

    @Test func resultsStayCorrectUnderConcurrency() throws {
        let pool = PasswordHashingPool(
            hasher: try PasswordHasher(parameters: cheap),
            configuration: .init(threadCount: 2, queueCapacity: 64))
        defer { pool.shutDown() }
        let failures = Atomic(0)
        DispatchQueue.concurrentPerform(iterations: 32) { index in
            let password = "password number \(index)"
            guard let phc = try? pool.hash(password: password),
                (try? pool.verify(password: password, against: phc)) == true,
                (try? pool.verify(password: "password number \(index + 1)", against: phc)) == false
            else {
                failures.add(1, ordering: .relaxed)
                return
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
    }

    @Test func shutDownFinishesQueuedJobsThenRefuses() throws {
        let metrics = MetricsRegistry()
        let pool = PasswordHashingPool(
            hasher: try PasswordHasher(parameters: cheap),
            configuration: .init(threadCount: 1, queueCapacity: 8), metrics: metrics)
        let done = Atomic(0)
        let group = DispatchGroup()
        for _ in 0..<4 {
            DispatchQueue.global().async(group: group) {
                if (try? pool.submit { _ in Thread.sleep(forTimeInterval: 0.01) }) != nil {
                    done.add(1, ordering: .relaxed)
                }
            }
        }
        while pool.queueDepth + done.load(ordering: .relaxed) < 3 {
            Thread.sleep(forTimeInterval: 0.001)
        }
        pool.shutDown()
        group.wait()
        #expect(done.load(ordering: .relaxed) >= 3)
        #expect(throws: PasswordHashingPoolError.shutDown) {
            try pool.submit { _ in () }
        }
        #expect(metrics.render().contains("syncline_password_hashing_jobs_total"))
        pool.shutDown()
    }
}

@Suite("PasswordPolicy") struct PasswordPolicyTests {
    let policy = try! PasswordPolicy()

    @Test func lengthLimitsCountCharacters() throws {
        #expect(throws: PasswordPolicyError.tooShort(minimum: 12)) {
            try policy.validate(password: "elevenchars", username: "alice")
        }
        try policy.validate(password: "twelve chars", username: "alice")
        try policy.validate(password: String(repeating: "x", count: 255) + "y", username: "alice")
        #expect(throws: PasswordPolicyError.tooLong(maximum: 256)) {
            try policy.validate(password: String(repeating: "x", count: 256) + "y", username: "alice")
        }
        // Twelve characters, many more bytes: length is counted in characters.
        try policy.validate(password: "🔑🔑🔑🔑éééé密密密密", username: "alice")
        #expect(throws: PasswordPolicyError.tooShort(minimum: 12)) {
            try policy.validate(password: "🔑🔑🔑🔑éééé密密密", username: "alice")
        }
    }

    @Test func spacesAreNotTrimmedBeforeCounting() throws {
        try policy.validate(password: "  ten chars ", username: "alice")
        #expect(throws: PasswordPolicyError.tooShort(minimum: 12)) {
            try policy.validate(password: " tenchars  ", username: "alice")
        }
    }

    @Test func debianListIsLoadedWithoutComments() {
        #expect(policy.commonPasswordCount > 3_000)
        #expect(throws: PasswordPolicyError.common) {
            try policy.validate(password: "winniethepooh", username: "alice")
        }
    }

    @Test(arguments: ["winniethepooh", "WinnieThePooh", "WINNIETHEPOOH"])
    func listedPasswordsAreRefusedIgnoringCase(password: String) {
        #expect(throws: PasswordPolicyError.common) {
            try policy.validate(password: password, username: "alice")
        }
    }

    @Test func listFromAFileSkipsCommentLines() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("list-\(UUID()).lst").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let list = "#!comment: #!comment lines are skipped\nCorrectHorseBattery\r\n\nsecond-entry-long\n"
        try Data(list.utf8).write(to: URL(fileURLWithPath: path))
        let policy = try PasswordPolicy(commonPasswordListPath: path)

        #expect(policy.commonPasswordCount == 2)
        #expect(throws: PasswordPolicyError.common) {
            try policy.validate(password: "correcthorsebattery", username: "alice")
        }
        #expect(throws: PasswordPolicyError.common) {
            try policy.validate(password: "SECOND-ENTRY-LONG", username: "alice")
        }
        try policy.validate(password: "#!comment: #!comment lines are skipped", username: "alice")
    }

    @Test func usernameIsRefusedIgnoringCase() {
        #expect(throws: PasswordPolicyError.sameAsUsername) {
            try policy.validate(password: "Administrator", username: "administrator")
        }
        #expect(throws: PasswordPolicyError.sameAsUsername) {
            try policy.validate(password: "jane.doe@example.org", username: "Jane.Doe@Example.org")
        }
    }

    @Test func errorsNameTheirRule() {
        #expect(PasswordPolicyError.tooShort(minimum: 12).description.contains("at least 12 characters"))
        #expect(PasswordPolicyError.tooLong(maximum: 256).description.contains("at most 256 characters"))
        #expect(PasswordPolicyError.common.description.contains("common"))
        #expect(PasswordPolicyError.sameAsUsername.description.contains("username"))
    }

    @Test func missingListFileIsAClearError() {
        let path = "/nonexistent/syncline/passwords.lst"
        #expect {
            _ = try PasswordPolicy(commonPasswordListPath: path)
        } throws: { error in
            guard let error = error as? CommonPasswordListError else { return false }
            return error.path == path && error.description.contains(path)
                && error.reason == "No such file or directory"
        }
    }
}
