import CSimdJSON

/// Parses the JSON bodies of a REST source's pages with simdjson, one page at a time.
///
/// ``load(_:)`` validates a whole page before anything is read from it; ``records(at:)`` and
/// ``value(at:)`` then read the loaded page. The parser's buffers and its table of field names
/// carry over from page to page, so a run converts each field name to a `String` once, not once
/// per record. A parser belongs to one read and is not shared between threads.
final class JSONPageParser {
    /// The largest page body accepted, in bytes.
    static let maximumPageBytes = 64 << 20
    /// How deeply arrays and objects may nest inside a page.
    static let maximumDepth = 128
    /// How many distinct field names are kept from page to page before the table starts over, so
    /// that a source inventing new names on every page cannot grow it without end.
    static let maximumRememberedNames = 10_000

    /// The C parser; owned by this object and destroyed with it.
    private let handle: OpaquePointer
    /// The parser's name table as strings, by index; refreshed after each read of records.
    private var names: [String] = []

    /// Creates a parser; its buffers grow to the largest page it sees.
    init() {
        guard let handle = csj_parser_create(Self.maximumPageBytes, Self.maximumDepth) else {
            fatalError("simdjson could not allocate a parser: out of memory")
        }
        self.handle = handle
    }

    deinit {
        csj_parser_destroy(handle)
    }

    /// Parses `body` as the current page, replacing the previous one.
    ///
    /// Throws ``SyncError/Kind/sourceData`` when the body is not valid JSON or UTF-8, nests too
    /// deeply or is too large.
    func load(_ body: [UInt8]) throws(SyncError) {
        if names.count > Self.maximumRememberedNames {
            csj_forget_names(handle)
            names.removeAll(keepingCapacity: true)
        }
        let status = body.withUnsafeBufferPointer { csj_parse(handle, $0.baseAddress, $0.count) }
        guard status == CSJ_OK else {
            throw SyncError(.sourceData, describe(status, path: ""))
        }
    }

    /// The records of the loaded page: the array at the dotted `path`, or the page itself when the
    /// path is empty, whose elements must all be objects.
    func records(at path: String) throws(SyncError) -> RecordBatch {
        var result = csj_records()
        let status = path.withCString { csj_read_records(handle, $0, path.utf8.count, &result) }
        guard status == CSJ_OK else {
            if status == CSJ_NOT_AN_OBJECT {
                throw SyncError(.sourceData, "Record \(result.failed_index + 1) of the page is not a JSON object.")
            }
            throw SyncError(.sourceData, describe(status, path: path))
        }
        refreshNames()
        // The events and their text stay valid only until the next call on the parser (csimdjson.h),
        // so the batch copies every value out before this method returns.
        return RecordBatch(
            events: UnsafeBufferPointer(start: result.events, count: result.event_count), text: result.text,
            names: names)
    }

    /// The value at the dotted `path` of the loaded page, or nil when there is none; path components
    /// made of digits index arrays.
    func value(at path: String) throws(SyncError) -> RecordValue? {
        var event = csj_event()
        var text: UnsafePointer<UInt8>?
        let status = path.withCString { csj_read_value(handle, $0, path.utf8.count, &event, &text) }
        guard status == CSJ_OK else { throw SyncError(.sourceData, describe(status, path: path)) }
        return event.kind == CSJ_ABSENT.rawValue ? nil : RecordValue(event, text: text)
    }

    /// Copies names the C table gained since the last call.
    private func refreshNames() {
        let count = csj_name_count(handle)
        while names.count < count {
            var length = 0
            let bytes = csj_name(handle, UInt32(names.count), &length)
            names.append(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self))
        }
    }

    private func describe(_ status: csj_status, path: String) -> String {
        switch status {
        case CSJ_INVALID_UTF8: "The page is not valid UTF-8."
        case CSJ_TOO_DEEP: "The page nests arrays and objects more than \(Self.maximumDepth) levels deep."
        case CSJ_TOO_LARGE: "The page is larger than \(Self.maximumPageBytes >> 20) MiB."
        case CSJ_OUT_OF_MEMORY: "Memory ran out while reading the page."
        case CSJ_PATH_MISSING: "The page has nothing at \(path)."
        case CSJ_NOT_AN_ARRAY where path.isEmpty: "The page is not a JSON array."
        case CSJ_NOT_AN_ARRAY: "The value at \(path) is not an array."
        default: "The page is not valid JSON (\(String(cString: csj_error_detail(handle))))."
        }
    }
}

extension RecordBatch {
    /// Creates a batch from the events of `csj_read_records`.
    ///
    /// `names` is the parser's name table, by index; each name is looked up in the batch's field
    /// table once per page rather than once per record.
    fileprivate init(events: UnsafeBufferPointer<csj_event>, text: UnsafePointer<UInt8>?, names: [String]) {
        self.init()
        var positions = [Int](repeating: -1, count: names.count)
        var index = 0
        while index < events.count {
            let memberCount = Int(events[index].field)
            var values = [RecordValue](repeating: .null, count: fieldNames.count)
            for member in events[(index + 1)..<(index + 1 + memberCount)] {
                let name = Int(member.field)
                var position = positions[name]
                if position < 0 {
                    position = self.position(ofField: names[name])
                    positions[name] = position
                }
                if position >= values.count {
                    values.append(contentsOf: repeatElement(.null, count: position + 1 - values.count))
                }
                values[position] = RecordValue(member, text: text)
            }
            append(values)
            index += memberCount + 1
        }
    }
}

extension RecordValue {
    /// The value a parser event describes; text kinds read from `text`.
    fileprivate init(_ event: csj_event, text: UnsafePointer<UInt8>?) {
        switch event.kind {
        case CSJ_FALSE.rawValue: self = .bool(false)
        case CSJ_TRUE.rawValue: self = .bool(true)
        case CSJ_INTEGER.rawValue: self = .integer(event.payload.integer)
        case CSJ_REAL.rawValue: self = .real(event.payload.real)
        case CSJ_TEXT.rawValue: self = .text(Self.string(event.payload.text, in: text))
        case CSJ_JSON.rawValue: self = .json(Self.string(event.payload.text, in: text))
        default: self = .null
        }
    }

    private static func string(_ span: csj_span, in text: UnsafePointer<UInt8>?) -> String {
        guard let text else { return "" }
        return String(
            decoding: UnsafeBufferPointer(start: text + Int(span.offset), count: Int(span.length)), as: UTF8.self)
    }
}
