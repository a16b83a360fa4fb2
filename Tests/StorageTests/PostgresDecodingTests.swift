import Foundation
import TestSupport
import Testing

@testable import Storage

@Suite("PostgreSQL text decoding")
struct PostgresDecodingTests {
    private func decode(_ text: String, as type: UInt32) -> DatabaseValue {
        var bytes = Array(text.utf8CString)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            DatabaseValue(PostgresColumnDecoder(type: type).field(buffer.baseAddress!, length: buffer.count - 1))
        }
    }

    @Test func integersCoverTheWholeRange() {
        #expect(decode("-9223372036854775808", as: PostgresType.int8) == .integer(.min))
        #expect(decode("9223372036854775807", as: PostgresType.int8) == .integer(.max))
        #expect(decode("42", as: PostgresType.int2) == .integer(42))
        let tooWide = "9223372036854775808"
        #expect(decode(tooWide, as: PostgresType.int8) == .text(tooWide))
    }

    @Test func realsIncludeSpecialValues() {
        #expect(decode("1.5", as: PostgresType.numeric) == .real(1.5))
        #expect(decode("-Infinity", as: PostgresType.float8) == .real(-.infinity))
        guard case .real(let nan) = decode("NaN", as: PostgresType.float4) else {
            Issue.record("NaN did not decode as real")
            return
        }
        #expect(nan.isNaN)
    }

    @Test(arguments: [
        ("2025-12-03 19:40:51.123456+00", 1_764_790_851.123_456),
        ("2025-12-03 19:40:51+00", 1_764_790_851),
        ("2025-12-04 01:10:51.5+05:30", 1_764_790_851.5),
        ("2025-12-03 16:40:51-03", 1_764_790_851),
        ("1969-12-31 23:59:59.5+00", -0.5),
        ("2000-02-29 00:00:00", 951_782_400),
        ("1900-03-01 00:00:00+00", -2_203_891_200),
    ])
    func timestampsDecodeWithTheirOffsets(text: String, seconds: Double) throws {
        let value = decode(text, as: PostgresType.timestamptz)
        guard case .timestamp(let date) = value else {
            Issue.record("\(text) decoded as \(value.kindName)")
            return
        }
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_001)
    }

    @Test func unrepresentableTimestampsStayText() {
        #expect(decode("infinity", as: PostgresType.timestamptz) == .text("infinity"))
        let beforeCommonEra = "0044-03-15 12:00:00+00 BC"
        #expect(decode(beforeCommonEra, as: PostgresType.timestamptz) == .text(beforeCommonEra))
    }

    @Test func byteaDecodesHex() {
        #expect(decode("\\x00ff7F", as: PostgresType.bytea) == .blob([0, 255, 127]))
        #expect(decode("\\x", as: PostgresType.bytea) == .blob([]))
        #expect(decode("t", as: PostgresType.bool) == .bool(true))
        #expect(decode("f", as: PostgresType.bool) == .bool(false))
        #expect(decode("{\"a\":1}", as: 3802) == .text("{\"a\":1}"))
    }
}
