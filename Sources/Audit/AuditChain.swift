import Core
import Foundation
import Storage

/// The hash chain's rules: how an entry's hash and the head's MAC are computed.
///
/// Every value is encoded with a length prefix (or at a fixed width), so no field can bleed into
/// its neighbour, and each kind of input starts with its own domain tag, so an entry hash can
/// never be mistaken for a head MAC.
enum AuditChain {
    /// The `previous_hash` of the first entry ever written, and the prune anchor's hash before
    /// any pruning.
    static let genesisHash = String(repeating: "0", count: 64)

    /// The canonical encoding of an entry's own values, which does not depend on its place in the
    /// chain and so can be built on the recording thread before the writer assigns the id.
    static func content<Text: Collection<UInt8>>(of fields: AuditEntryFields<Text>) -> [UInt8] {
        var canonical = CanonicalBytes()
        canonical.append(fields.milliseconds)
        canonical.append(fields.actor)
        canonical.append(fields.action)
        canonical.append(fields.target)
        canonical.append(fields.outcome)
        canonical.append(fields.ip)
        canonical.append(fields.userAgent)
        canonical.append(fields.details)
        return canonical.bytes
    }

    fileprivate static let entryDomain = "syncline.audit.entry.v1"
    fileprivate static let headDomain = "syncline.audit.head.v1"
}

/// Computes entry hashes and head MACs under one key, with one keyed HMAC context and one buffer
/// for the canonical bytes, both reused from one entry to the next.
///
/// Not `Sendable`, like the context it holds: a writer makes one per transaction, a verifier one
/// per walk.
final class AuditChainHasher {
    private let mac: HMACSHA256
    private var canonical = CanonicalBytes()

    init(key: [UInt8]) {
        mac = HMACSHA256(key: key)
    }

    /// The hash of one entry as lowercase hex: HMAC-SHA-256 over its canonical bytes, which are
    /// the domain tag, the previous hash, the id and then `content` (see ``AuditChain/content(of:)``).
    func entryHash<Hash: Collection<UInt8>>(previousHash: Hash, id: Int64, content: [UInt8]) -> String {
        canonical.start(domain: AuditChain.entryDomain)
        canonical.append(previousHash)
        canonical.append(id)
        canonical.appendEncoded(content)
        return code()
    }

    /// The MAC of the head row over its four values, as lowercase hex.
    func headMAC(_ head: AuditChainHead) -> String {
        canonical.start(domain: AuditChain.headDomain)
        canonical.append(head.lastID)
        canonical.append(head.lastHash.utf8)
        canonical.append(head.prunedThroughID)
        canonical.append(head.prunedThroughHash.utf8)
        return code()
    }

    /// The HMAC of the canonical bytes, hex-encoded straight into the string's storage.
    private func code() -> String {
        withUnsafeTemporaryAllocation(byteCount: HMACSHA256.byteCount, alignment: 1) { code in
            canonical.bytes.withUnsafeBytes { mac.authenticate($0, into: code) }
            return String(unsafeUninitializedCapacity: code.count * 2) { text in
                for (index, byte) in code.enumerated() {
                    text[2 * index] = Self.hexDigits[Int(byte >> 4)]
                    text[2 * index + 1] = Self.hexDigits[Int(byte & 0x0F)]
                }
                return code.count * 2
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

/// The hashed values of one entry other than its id and previous hash, as UTF-8 bytes of any
/// container.
///
/// The recorder fills it from strings, the verifier from the driver's buffers, so both hash the
/// same bytes without the verifier building a `String` per column.
struct AuditEntryFields<Text: Collection<UInt8>> {
    var milliseconds: Int64
    var actor: Text
    var action: Text
    var target: Text
    var outcome: Text
    var ip: Text
    var userAgent: Text
    /// The details object exactly as stored: JSON with keys in ascending order.
    var details: Text
}

/// A byte string built from length-prefixed fields and fixed-width integers.
private struct CanonicalBytes {
    private(set) var bytes: [UInt8] = []

    /// Empties the bytes, keeping their storage, and starts again with `domain`.
    mutating func start(domain: String) {
        bytes.removeAll(keepingCapacity: true)
        append(domain.utf8)
    }

    /// Appends bytes that are already canonically encoded.
    mutating func appendEncoded(_ encoded: [UInt8]) {
        bytes.append(contentsOf: encoded)
    }

    /// Appends the field's length as 8 bytes, big-endian, then the field.
    mutating func append<Field: Collection<UInt8>>(_ field: Field) {
        append(Int64(field.count))
        bytes.append(contentsOf: field)
    }

    /// Appends `number` as 8 bytes, big-endian.
    mutating func append(_ number: Int64) {
        withUnsafeBytes(of: number.bigEndian) { bytes.append(contentsOf: $0) }
    }
}

/// The single `audit_chain` row: where the chain ends and where it starts after pruning.
struct AuditChainHead: Hashable {
    var lastID: Int64
    var lastHash: String
    var prunedThroughID: Int64
    var prunedThroughHash: String
    var mac: String

    /// The head of a chain with no entries yet.
    static func empty(hasher: AuditChainHasher) -> AuditChainHead {
        var head = AuditChainHead(
            lastID: 0, lastHash: AuditChain.genesisHash, prunedThroughID: 0,
            prunedThroughHash: AuditChain.genesisHash, mac: "")
        head.seal(hasher: hasher)
        return head
    }

    /// Whether the stored MAC matches the four values under the hasher's key.
    func isAuthentic(hasher: AuditChainHasher) -> Bool {
        Crypto.constantTimeEquals(Array(mac.utf8), Array(hasher.headMAC(self).utf8))
    }

    /// Recomputes the MAC after the values changed.
    mutating func seal(hasher: AuditChainHasher) {
        mac = hasher.headMAC(self)
    }

    private static let columns = "last_id, last_hash, pruned_through_id, pruned_through_hash, mac"

    /// Reads the head, locking its row when asked.
    ///
    /// With `locking`, PostgreSQL holds the row lock until the transaction ends, so concurrent
    /// writers (other server instances) extend the chain one after the other. SQLite needs no
    /// lock: its write transaction already excludes every other writer.
    static func load(
        from connection: any DatabaseConnection, locking: Bool
    ) throws(DatabaseError) -> AuditChainHead? {
        var sql = "SELECT \(columns) FROM audit_chain WHERE id = 1"
        if locking && connection.dialect == .postgres { sql += " FOR UPDATE" }
        guard let row = try connection.queryOne(sql) else { return nil }
        return AuditChainHead(
            lastID: try row.int(0), lastHash: try row.string(1), prunedThroughID: try row.int(2),
            prunedThroughHash: try row.string(3), mac: try row.string(4))
    }

    /// Reads and locks the head inside a write transaction, creating it on first use, and
    /// refuses one whose MAC fails, so a tampered head is never sealed again under the key.
    static func lockForWriting(
        _ connection: any DatabaseConnection, hasher: AuditChainHasher
    ) throws -> AuditChainHead {
        if let head = try load(from: connection, locking: true) {
            guard head.isAuthentic(hasher: hasher) else { throw tampered }
            return head
        }
        guard try connection.queryOne("SELECT id FROM audit_events LIMIT 1") == nil else {
            throw AuditError(.headTampered, message: "the audit_chain row is missing while audit entries exist")
        }
        let empty = AuditChainHead.empty(hasher: hasher)
        // Another instance may create the row at the same moment; the loser's insert does nothing
        // and it then reads (and waits for) the winner's row.
        try connection.execute(
            "INSERT INTO audit_chain (id, \(columns)) VALUES (1, $1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
            empty.values)
        guard let head = try load(from: connection, locking: true), head.isAuthentic(hasher: hasher) else {
            throw tampered
        }
        return head
    }

    /// Writes the head's values and MAC back.
    func save(to connection: any DatabaseConnection) throws(DatabaseError) {
        try connection.execute(
            """
            UPDATE audit_chain SET last_id = $1, last_hash = $2, pruned_through_id = $3, \
            pruned_through_hash = $4, mac = $5 WHERE id = 1
            """,
            values)
    }

    private var values: [DatabaseValue] {
        [.integer(lastID), .text(lastHash), .integer(prunedThroughID), .text(prunedThroughHash), .text(mac)]
    }

    private static let tampered = AuditError(
        .headTampered,
        message: "the audit_chain row fails its MAC; it was edited or SYNCLINE_AUDIT_KEY changed")
}

/// The precision audit times are kept at: milliseconds, which both stores hold exactly.
enum AuditTime {
    /// `date` cut to whole milliseconds since 1970, after rounding to the microsecond the way
    /// the stores do, so a date read back from either store maps to the same number.
    static func milliseconds(_ date: Date) -> Int64 {
        let microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        return microseconds >= 0 ? microseconds / 1000 : (microseconds - 999) / 1000
    }

    /// The milliseconds of a stored time, or nil when it is not on a whole millisecond (it was
    /// not written by the audit log).
    static func storedMilliseconds(_ date: Date) -> Int64? {
        let microseconds = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let milliseconds = (microseconds / 1000).rounded()
        guard milliseconds * 1000 == microseconds else { return nil }
        return Int64(milliseconds)
    }

    /// The date at `milliseconds` since 1970.
    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// RFC 3339 text in UTC with exactly three fractional digits: `2026-12-04T05:01:02.345Z`.
    static func text(milliseconds: Int64) -> String {
        rfc3339(milliseconds: milliseconds, fractionalDigits: 3)
    }

    /// The text SQLite keeps a timestamp as: six fractional digits, like a bound `.timestamp`.
    ///
    /// It matches the storage layer's form byte for byte, so range filters compare stored and
    /// bound times alike; formatting it here skips the storage layer's general (and much slower)
    /// formatter on the write path.
    static func sqliteText(milliseconds: Int64) -> String {
        rfc3339(milliseconds: milliseconds, fractionalDigits: 6)
    }

    /// Formats through the civil calendar directly; outside years 0–9999 it defers to
    /// `Timestamp`, whose output there is not fixed-width anyway.
    private static func rfc3339(milliseconds: Int64, fractionalDigits: Int) -> String {
        let fraction = ((milliseconds % 1000) + 1000) % 1000
        let seconds = (milliseconds - fraction) / 1000
        let secondOfDay = ((seconds % 86_400) + 86_400) % 86_400
        let (year, month, day) = civilDate(daysSince1970: (seconds - secondOfDay) / 86_400)
        guard (0...9999).contains(year) else {
            let date = Date(timeIntervalSince1970: Double(seconds) + Double(fraction) / 1000 + 0.000_000_5)
            return Timestamp.rfc3339(date, fractionalDigits: fractionalDigits)
        }

        var text: [UInt8] = []
        text.reserveCapacity(27)
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(year, 4)
        text.append(UInt8(ascii: "-"))
        digits(month, 2)
        text.append(UInt8(ascii: "-"))
        digits(day, 2)
        text.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2)
        text.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2)
        text.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        text.append(UInt8(ascii: "."))
        digits(fraction, 3)
        for _ in 3..<fractionalDigits { text.append(UInt8(ascii: "0")) }
        text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    /// The proleptic Gregorian date of a day count, by the days-from-civil algorithm run backwards
    /// over 400-year eras (each exactly 146,097 days).
    private static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468 // days since 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153 // 0 is March
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// The details object as stored: compact JSON with keys in ascending order, so the same details
/// always give the same text and hash.
enum AuditDetails {
    /// The stored text of `details`.
    static func encode(_ details: [String: String]) -> String {
        var writer = JSONWriter(capacity: 64)
        writer.beginObject()
        for key in details.keys.sorted() {
            writer.key(key)
            writer.string(details[key]!)
        }
        writer.endObject()
        return writer.text
    }

    /// The details held by stored text, or nil when it is not a JSON object of strings.
    static func decode<Bytes: Collection<UInt8>>(_ text: Bytes) -> [String: String]? {
        try? JSONDecoder().decode([String: String].self, from: Data(text))
    }
}
