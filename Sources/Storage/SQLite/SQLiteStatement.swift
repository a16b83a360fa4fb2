import CSQLite
import Core

/// One prepared `sqlite3_stmt`, finalized when the object goes away.
///
/// Not `Sendable`: it belongs to one ``SQLiteConnection`` and is used on the thread that has
/// borrowed that connection.
final class SQLiteStatement {
    let handle: OpaquePointer
    let sql: String
    /// How many values the statement needs, its highest placeholder number; slot n takes value n-1.
    private let valueCount: Int
    /// Whether a borrower is using the statement; a nested use of the same SQL prepares a copy.
    var isInUse = false
    /// When the cache last lent the statement, for evicting the least recently used.
    var lastUse: UInt64 = 0
    /// The column names of the last execution; see `columns()`.
    private var cachedColumns: ResultColumns?
    /// The text and blob bytes bound in place, from `bind` until `reset`.
    private var boundBytes: UnsafeMutableRawBufferPointer?

    /// Prepares `sql`, which must hold exactly one statement with `$n` placeholders.
    ///
    /// SQLite numbers `$n` placeholders in the order they first appear, and finds each among the
    /// names before it, which grows with the square of their count; they are handed to it as
    /// `?n`, whose slot is `n` itself.
    init(sql: String, database: OpaquePointer, persistent: Bool) throws(DatabaseError) {
        var statement: OpaquePointer?
        var remainder = ""
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let (numbered, highestPlaceholder) = Self.numberingPlaceholders(sql)
        let status = numbered.withCString { text in
            var tail: UnsafePointer<CChar>?
            let status = sqlite3_prepare_v3(database, text, -1, flags, &statement, &tail)
            if let tail { remainder = String(cString: tail) }
            return status
        }
        guard status == SQLITE_OK else {
            throw SQLiteConnection.error(status, database: database, sql: sql)
        }
        guard let statement else {
            throw DatabaseError(.misuse, message: "the SQL text holds no statement", sql: sql)
        }
        guard remainder.allSatisfy({ $0.isWhitespace || $0 == ";" }) else {
            sqlite3_finalize(statement)
            throw DatabaseError(
                .misuse,
                message: "the SQL text holds more than one statement; run scripts with "
                    + "executeScript",
                sql: sql
            )
        }

        // Any other placeholder (`?`, `:name`, `$name`) takes a slot past the highest `$n`.
        guard Int(sqlite3_bind_parameter_count(statement)) == highestPlaceholder else {
            sqlite3_finalize(statement)
            throw DatabaseError(.misuse, message: "placeholders must be written $1, $2, …", sql: sql)
        }
        self.handle = statement
        self.sql = sql
        self.valueCount = highestPlaceholder
    }

    /// `sql` with each `$n` outside quotes and comments written `?n`, and the highest `n`.
    static func numberingPlaceholders(_ sql: String) -> (sql: String, highest: Int) {
        var bytes = Array(sql.utf8)
        var highest = 0
        var index = 0
        func isDigit(_ position: Int) -> Bool {
            position < bytes.count && bytes[position] &- UInt8(ascii: "0") < 10
        }
        func skip(past terminator: [UInt8], from start: Int) -> Int {
            var position = start
            while position < bytes.count {
                if bytes[position...].starts(with: terminator) { return position + terminator.count }
                position += 1
            }
            return position
        }
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                index = skip(past: [bytes[index]], from: index + 1)
            case UInt8(ascii: "["):
                index = skip(past: [UInt8(ascii: "]")], from: index + 1)
            case UInt8(ascii: "-") where bytes[min(index + 1, bytes.count - 1)] == UInt8(ascii: "-"):
                index = skip(past: [UInt8(ascii: "\n")], from: index + 2)
            case UInt8(ascii: "/") where bytes[min(index + 1, bytes.count - 1)] == UInt8(ascii: "*"):
                index = skip(past: Array("*/".utf8), from: index + 2)
            case UInt8(ascii: "$") where isDigit(index + 1):
                bytes[index] = UInt8(ascii: "?")
                var number = 0
                index += 1
                while isDigit(index) {
                    number = min(number * 10 + Int(bytes[index] &- UInt8(ascii: "0")), Int(Int32.max))
                    index += 1
                }
                highest = max(highest, number)
            default:
                index += 1
            }
        }
        return (String(decoding: bytes, as: UTF8.self), highest)
    }

    deinit {
        sqlite3_finalize(handle)
        boundBytes?.deallocate()
    }

    /// Binds `values` to the placeholders by number, until ``reset()``.
    ///
    /// Text and blobs are copied into one buffer for the whole statement and bound in place from
    /// there (`SQLITE_STATIC`): SQLite's own copy would take a `malloc`, a copy and a `free` for
    /// every value, which in a multi-row INSERT costs more than the buffer and one copy. The
    /// buffer lives until ``reset()`` has cleared the bindings.
    func bind(_ values: [DatabaseValue], database: OpaquePointer) throws(DatabaseError) {
        guard values.count == valueCount else {
            throw DatabaseError(
                .misuse,
                message: "the statement takes \(valueCount) values but \(values.count) were given",
                sql: sql
            )
        }
        if boundBytes != nil { reset() }
        var byteCount = 0
        for value in values {
            byteCount += Self.boundByteCount(of: value)
        }
        let storage = byteCount > 0 ? UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 1) : nil
        boundBytes = storage
        var offset = 0
        for (index, value) in values.enumerated() {
            let status = bind(value, to: Int32(index + 1), storage: storage, offset: &offset)
            guard status == SQLITE_OK else {
                throw SQLiteConnection.error(status, database: database, sql: sql)
            }
        }
    }

    /// How many bytes `value` takes in the bound-bytes buffer: a text's or blob's length, room for
    /// a timestamp's text, or 0 for values bound otherwise and for those too long to bind at all.
    private static func boundByteCount(of value: DatabaseValue) -> Int {
        let count: Int
        switch value {
        case .text(let text): count = text.utf8.count
        case .blob(let bytes): count = bytes.count
        case .timestamp: count = Timestamp.longestFixedWidthText
        case .null, .integer, .real, .bool: count = 0
        }
        return count <= Int32.max ? count : 0
    }

    /// Binds one value; text and blob bytes, and a timestamp's text, go to `storage` at `offset`,
    /// which moves past them.
    private func bind(
        _ value: DatabaseValue, to slot: Int32, storage: UnsafeMutableRawBufferPointer?, offset: inout Int
    ) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(handle, slot)
        case .integer(let number):
            return sqlite3_bind_int64(handle, slot, number)
        case .real(let number):
            return sqlite3_bind_double(handle, slot, number)
        case .bool(let flag):
            return sqlite3_bind_int64(handle, slot, flag ? 1 : 0)
        case .text(var text):
            return text.withUTF8 { utf8 in
                guard utf8.count <= Int32.max else { return SQLITE_TOOBIG }
                let target = copy(UnsafeRawBufferPointer(utf8), to: storage, offset: &offset)
                return syncline_sqlite3_bind_text_in_place(
                    handle, slot, target.assumingMemoryBound(to: CChar.self), Int32(utf8.count))
            }
        case .timestamp(let date):
            // Written straight into the bound bytes; a year past 9999 takes the general formatter.
            if let storage, storage.count - offset >= Timestamp.longestFixedWidthText,
                let count = DatabaseValue.writeTimestampText(date, to: storage.baseAddress! + offset)
            {
                defer { offset += count }
                return syncline_sqlite3_bind_text_in_place(
                    handle, slot, (storage.baseAddress! + offset).assumingMemoryBound(to: CChar.self), Int32(count))
            }
            let text = DatabaseValue.timestampText(date)
            return text.withCString { syncline_sqlite3_bind_text(handle, slot, $0, Int32(text.utf8.count)) }
        case .blob(let bytes):
            guard bytes.count <= Int32.max else { return SQLITE_TOOBIG }
            // A null pointer would bind NULL, so an empty blob is bound as a zero-length blob.
            guard !bytes.isEmpty else { return sqlite3_bind_zeroblob(handle, slot, 0) }
            return bytes.withUnsafeBytes { source in
                let target = copy(source, to: storage, offset: &offset)
                return syncline_sqlite3_bind_blob_in_place(handle, slot, target, Int32(source.count))
            }
        }
    }

    /// Copies `source` into `storage` at `offset`, moves `offset` past it and returns where it went.
    ///
    /// Empty bytes go nowhere and get a pointer to a byte of their own: a null pointer would bind
    /// NULL instead of an empty value.
    private func copy(
        _ source: UnsafeRawBufferPointer, to storage: UnsafeMutableRawBufferPointer?, offset: inout Int
    ) -> UnsafeMutableRawPointer {
        guard let storage, !source.isEmpty else { return Self.emptyBytes }
        let target = storage.baseAddress! + offset
        UnsafeMutableRawBufferPointer(rebasing: storage[offset..<offset + source.count]).copyMemory(from: source)
        offset += source.count
        return target
    }

    /// Where empty text points; never written, and never freed.
    private nonisolated(unsafe) static let emptyBytes = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

    /// Advances to the next row; false when the statement is done.
    func step(database: OpaquePointer, parameters: [DatabaseValue]) throws(DatabaseError) -> Bool {
        let status = sqlite3_step(handle)
        if status == SQLITE_ROW { return true }
        if status == SQLITE_DONE { return false }
        throw SQLiteConnection.error(status, database: database, sql: sql)
            .redactingParameters(parameters)
    }

    /// The result's column names, read once per execution because a schema change may alter them.
    ///
    /// While the names stay the same, the previous execution's `ResultColumns` (with its name
    /// table and JSON keys) is reused.
    func columns() -> ResultColumns {
        let count = Int(sqlite3_column_count(handle))
        if let cached = cachedColumns, cached.names.count == count,
            cached.names.indices.allSatisfy({ isColumn($0, named: cached.names[$0]) })
        {
            return cached
        }
        var names: [String] = []
        names.reserveCapacity(count)
        for index in 0..<Int32(count) {
            names.append(sqlite3_column_name(handle, index).map { String(cString: $0) } ?? "")
        }
        let columns = ResultColumns(names: names)
        cachedColumns = columns
        return columns
    }

    private func isColumn(_ index: Int, named name: String) -> Bool {
        guard let current = sqlite3_column_name(handle, Int32(index)) else { return name.isEmpty }
        var offset = 0
        for byte in name.utf8 {
            guard UInt8(bitPattern: current[offset]) == byte else { return false }
            offset += 1
        }
        return current[offset] == 0
    }

    /// The current row, read in place.
    func view(columns: ResultColumns) -> RowView {
        RowView(columns: columns, source: .sqlite(statement: handle))
    }

    /// Makes the statement ready for the next use, clears the bindings and frees the bound bytes.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        boundBytes?.deallocate()
        boundBytes = nil
    }
}
