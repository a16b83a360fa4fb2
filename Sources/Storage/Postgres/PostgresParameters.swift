import CPostgres
import Core
import Foundation

/// Bound values laid out for `PQexecPrepared`: one buffer, plus pointer, length and format arrays.
///
/// Every value is sent in text format except blobs, which go in binary format so four
/// megabytes stay four megabytes instead of eight of hex. Non-copyable so the buffer the
/// pointers refer to is freed exactly once, after the call that reads it.
struct PostgresParameters: ~Copyable {
    /// The type each placeholder is declared with when the statement is prepared.
    ///
    /// Text and NULL are left unspecified (0) so the server infers the type from the context,
    /// which lets text feed `jsonb`, `date` or numeric columns as literals would.
    let types: [Oid]
    /// Pointers into `storage`; nil for NULL.
    let values: [UnsafePointer<CChar>?]
    /// Byte lengths; libpq reads them for binary values only.
    let lengths: [Int32]
    /// 0 for text format, 1 for binary.
    let formats: [Int32]
    private let storage: UnsafeMutableRawBufferPointer

    init(_ parameters: [DatabaseValue], sql: String) throws(DatabaseError) {
        var encoded: [[UInt8]?] = []
        encoded.reserveCapacity(parameters.count)
        var types: [Oid] = []
        var formats: [Int32] = []
        var total = 0
        for parameter in parameters {
            let (type, bytes, format) = try Self.encode(parameter, sql: sql)
            types.append(type)
            formats.append(format)
            encoded.append(bytes)
            total += (bytes?.count ?? 0) + 1
        }

        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(total, 1), alignment: 1)
        var values: [UnsafePointer<CChar>?] = []
        var lengths: [Int32] = []
        var offset = 0
        for bytes in encoded {
            guard let bytes else {
                values.append(nil)
                lengths.append(0)
                continue
            }
            let start = storage.baseAddress! + offset
            bytes.withUnsafeBytes { source in
                let target = UnsafeMutableRawBufferPointer(start: start, count: source.count)
                target.copyMemory(from: source)
            }
            // Text values are read up to a terminating NUL.
            storage[offset + bytes.count] = 0
            values.append(UnsafePointer(start.assumingMemoryBound(to: CChar.self)))
            lengths.append(Int32(bytes.count))
            offset += bytes.count + 1
        }
        self.types = types
        self.values = values
        self.lengths = lengths
        self.formats = formats
        self.storage = storage
    }

    deinit {
        storage.deallocate()
    }

    var count: Int32 { Int32(types.count) }

    private static func encode(
        _ value: DatabaseValue,
        sql: String
    ) throws(DatabaseError) -> (Oid, [UInt8]?, Int32) {
        switch value {
        case .null:
            return (0, nil, 0)
        case .integer(let number):
            var bytes: [UInt8] = []
            appendInteger(number, to: &bytes)
            return (PostgresType.int8, bytes, 0)
        case .real(let number):
            return (PostgresType.float8, Array(realText(number).utf8), 0)
        case .bool(let flag):
            return (PostgresType.bool, [flag ? UInt8(ascii: "t") : UInt8(ascii: "f")], 0)
        case .timestamp(let date):
            var bytes: [UInt8] = []
            appendTimestamp(date, to: &bytes)
            return (PostgresType.timestamptz, bytes, 0)
        case .text(let text):
            let bytes = Array(text.utf8)
            guard !bytes.contains(0) else { throw nulRefused(sql: sql) }
            return (0, bytes, 0)
        case .blob(let bytes):
            guard bytes.count <= Int32.max else {
                throw DatabaseError(.misuse, message: "a blob parameter exceeds 2 GiB", sql: sql)
            }
            return (PostgresType.bytea, bytes, 1)
        }
    }

    /// Appends `value` as a field of `COPY`'s text format: `\N` for NULL, and backslash,
    /// newline, carriage return and tab escaped with a backslash.
    ///
    /// Values are written straight into `data`, with no string or array of their own, since a
    /// load writes a dozen of them for every row.
    static func appendCopyText(_ value: DatabaseValue, to data: inout [UInt8], sql: String) throws(DatabaseError) {
        switch value {
        case .null:
            data.append(backslash)
            data.append(UInt8(ascii: "N"))
        case .text(var text):
            let escaped = text.withUTF8 { appendEscaped($0, to: &data) }
            guard escaped else { throw nulRefused(sql: sql) }
        case .blob(let bytes):
            // bytea's hex input form, its own backslash escaped for COPY.
            data += [backslash, backslash, UInt8(ascii: "x")]
            for byte in bytes {
                data.append(hexDigits[Int(byte >> 4)])
                data.append(hexDigits[Int(byte & 0x0F)])
            }
        case .integer(let number):
            appendInteger(number, to: &data)
        case .real(let number):
            data.append(contentsOf: realText(number).utf8)
        case .bool(let flag):
            data.append(flag ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case .timestamp(let date):
            appendTimestamp(date, to: &data)
        }
    }

    private static func nulRefused(sql: String) -> DatabaseError {
        DatabaseError(.misuse, message: "PostgreSQL text cannot contain the NUL character", sql: sql)
    }

    private static let backslash = UInt8(ascii: "\\")
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `bytes` with COPY's special characters escaped; false, leaving part of them
    /// appended, when they hold a NUL, which PostgreSQL text cannot.
    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to data: inout [UInt8]) -> Bool {
        var plain = 0
        for index in bytes.indices {
            let byte = bytes[index]
            // One comparison passes nearly every byte: the special ones are all below 0x0E or 0x5C.
            guard byte < 0x0E || byte == backslash else { continue }
            let escape: UInt8
            switch byte {
            case 0: return false
            case backslash: escape = backslash
            case 0x0A: escape = UInt8(ascii: "n")
            case 0x0D: escape = UInt8(ascii: "r")
            case 0x09: escape = UInt8(ascii: "t")
            default: continue
            }
            data.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain..<index]))
            data.append(backslash)
            data.append(escape)
            plain = index + 1
        }
        data.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plain...]))
        return true
    }

    /// Appends `number` in decimal, as bound values and COPY both send it.
    private static func appendInteger(_ number: Int64, to data: inout [UInt8]) {
        if number < 0 { data.append(UInt8(ascii: "-")) }
        // At most 20 digits, written from the end of 24 bytes on the stack.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var remaining = number.magnitude
            var position = buffer.count
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0
            data.append(contentsOf: buffer[position...])
        }
    }

    /// Appends ``DatabaseValue/timestampText(_:)`` of `date`, written in place for years 0–9999.
    private static func appendTimestamp(_ date: Date, to data: inout [UInt8]) {
        let written = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Timestamp.longestFixedWidthText) {
            buffer in
            DatabaseValue.writeTimestampText(date, to: buffer.baseAddress!).map {
                data.append(contentsOf: buffer.prefix($0))
            }
        }
        if written == nil { data.append(contentsOf: DatabaseValue.timestampText(date).utf8) }
    }

    private static func realText(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
        return String(number)
    }
}
