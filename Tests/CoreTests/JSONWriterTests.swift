import Foundation
import Testing

@testable import Core

@Suite("JSONWriter") struct JSONWriterTests {
    @Test func nestedContainersGetCommasInTheRightPlaces() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("a")
        writer.integer(1)
        writer.key("list")
        writer.beginArray()
        writer.bool(true)
        writer.null()
        writer.beginObject()
        writer.endObject()
        writer.string("x")
        writer.endArray()
        writer.key("n")
        writer.number(1.5)
        writer.endObject()
        #expect(writer.text == #"{"a":1,"list":[true,null,{},"x"],"n":1.5}"#)
    }

    @Test(arguments: [Int64.min, -1, 0, 7, 1_234_567_890, Int64.max])
    func integersMatchTheirDecimalText(value: Int64) {
        var writer = JSONWriter()
        writer.integer(value)
        #expect(writer.text == String(value))
    }

    @Test func stringsAreEscapedAndStayValidJSON() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t cr \r nul \u{0} del \u{7f} bell \u{7} é 😀 </script>"
        var writer = JSONWriter()
        writer.beginArray()
        writer.string(tricky)
        writer.endArray()
        #expect(writer.text.contains(#"\u0000"#))
        #expect(writer.text.contains(#"\n"#))
        #expect(!writer.text.contains("\n"))
        let decoded = try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String]
        #expect(decoded == [tricky])
    }

    @Test func bytesAreEscapedWhereverTheyFallInAWord() throws {
        for length in 0..<20 {
            for position in 0..<max(length, 1) {
                var text = Array(repeating: UInt8(ascii: "a"), count: length)
                if position < length { text[position] = UInt8(ascii: "\"") }
                var writer = JSONWriter()
                text.withUnsafeBytes { writer.string(utf8: $0) }
                let decoded = try JSONSerialization.jsonObject(with: Data(writer.bytes), options: .fragmentsAllowed)
                #expect(decoded as? String == String(decoding: text, as: UTF8.self))
            }
        }
    }

    @Test func invalidUTF8IsRepairedAndValidUTF8KeptAsIs() {
        let cases: [([UInt8], String)] = [
            (Array("é 😀 \u{7f}".utf8), "\"é 😀 \\u007f\""),
            ([0x61, 0xFF, 0x62], "\"a\u{FFFD}b\""),
            ([0xE2, 0x82], "\"\u{FFFD}\""),
            ([0xED, 0xA0, 0x80], "\"\u{FFFD}\u{FFFD}\u{FFFD}\""),
            ([0xC0, 0xAF], "\"\u{FFFD}\u{FFFD}\""),
        ]
        for (bytes, expected) in cases {
            var writer = JSONWriter()
            bytes.withUnsafeBytes { writer.string(utf8: $0) }
            #expect(writer.text == expected)
        }
    }

    @Test func encodedKeysMatchPlainKeys() {
        var plain = JSONWriter()
        var encoded = JSONWriter()
        plain.beginObject()
        encoded.beginObject()
        for name in ["id", "quote\"d", "é", "thirteen_char", "a name longer than sixteen bytes"] {
            plain.key(name)
            plain.integer(1)
            encoded.key(JSONKey(name))
            encoded.integer(1)
        }
        plain.endObject()
        encoded.endObject()
        #expect(encoded.text == plain.text)
        #expect(plain.text.hasPrefix(#"{"id":1,"quote\"d":1,"é":1,"thirteen_char":1,"#))
    }

    @Test func copiesOfAWriterDoNotShareLaterWrites() {
        var first = JSONWriter(capacity: 1)
        first.beginArray()
        first.string("a")
        var second = first
        second.string("b")
        first.endArray()
        second.endArray()
        #expect(first.text == #"["a"]"#)
        #expect(second.text == #"["a","b"]"#)
    }

    @Test func numbersMatchTheirDescription() {
        var values: [Double] = [
            0.001, 0.000_999, 0.1, 0.3, 0.5, 1, 5, 12.3, 100, 1e-4, 0.3 + 0.1 * 2, -2.5, -0.0, 1e15, 1e15 - 1,
            999_999_999.999_999, 14_285.714_285_714_286, 0x1p52 + 0.5, 123_456.789,
        ]
        // A fixed linear congruential sequence: decimals with up to ten digits over a power of ten,
        // and arbitrary bit patterns.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<100_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let scale = [1.0, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7][Int(state % 8)]
            let sign: Double = state & 0x100 == 0 ? 1 : -1
            values.append(sign * Double((state >> 20) % 10_000_000_000) / scale)
            values.append(Double(bitPattern: state))
        }
        for value in values where value.isFinite {
            var writer = JSONWriter()
            writer.number(value)
            #expect(writer.text == value.description, "\(value.bitPattern)")
        }
    }

    @Test func nonFiniteNumbersBecomeNull() {
        var writer = JSONWriter()
        writer.beginArray()
        writer.number(.nan)
        writer.number(.infinity)
        writer.endArray()
        #expect(writer.text == "[null,null]")
    }
}

@Suite("Timestamp") struct TimestampTests {
    @Test func formatsUTCWithFraction() {
        let date = Date(timeIntervalSince1970: 1_796_327_451.123_456)
        #expect(Timestamp.rfc3339(date) == "2026-12-03T19:50:51Z")
        #expect(Timestamp.rfc3339(date, fractionalDigits: 3) == "2026-12-03T19:50:51.123Z")
    }

    @Test func parsesZuluAndOffsets() throws {
        let zulu = try #require(Timestamp.parse("2026-12-03T19:50:51.5Z"))
        #expect(zulu.timeIntervalSince1970 == 1_796_327_451.5)
        let offset = try #require(Timestamp.parse("2026-12-03T21:50:51+02:00"))
        #expect(offset.timeIntervalSince1970 == 1_796_327_451)
    }

    @Test(arguments: [
        "", "2026-12-03", "2026-13-01T00:00:00Z", "2026-12-03T19:50:51", "2026-12-03T19:50:51.Z",
        "2026-12-03T25:00:00Z", "2026-12-03T19:50:51+0200", "2026-12-03T19:50:51Zjunk",
    ])
    func refusesMalformedText(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }
}

@Suite("Metrics") struct MetricsTests {
    @Test func rendersPrometheusTextFormat() {
        let registry = MetricsRegistry()
        let requests = registry.counter("requests_total", help: "Requests.", labels: ["route", "status"])
        let latency = registry.histogram("latency_seconds", help: "Latency.", labels: ["route"], buckets: [0.1, 1])
        registry.gauge("pool_idle", help: "Idle.") { 3 }
        requests.increment(["/a", "200"])
        requests.increment(["/a", "200"])
        requests.increment(["/b\"\n", "500"])
        latency.observe(0.05, ["/a"])
        latency.observe(0.5, ["/a"])
        latency.observe(5, ["/a"])
        let text = registry.render()
        #expect(text.contains("# TYPE requests_total counter\n"))
        #expect(text.contains(#"requests_total{route="/a",status="200"} 2"#))
        #expect(text.contains(#"requests_total{route="/b\"\n",status="500"} 1"#))
        #expect(text.contains(#"latency_seconds_bucket{route="/a",le="0.1"} 1"#))
        #expect(text.contains(#"latency_seconds_bucket{route="/a",le="1"} 2"#))
        #expect(text.contains(#"latency_seconds_bucket{route="/a",le="+Inf"} 3"#))
        #expect(text.contains(#"latency_seconds_count{route="/a"} 3"#))
        #expect(text.contains("pool_idle 3\n"))
    }
}

@Suite("Logger") struct LoggerTests {
    @Test func writesOneJSONObjectPerLineWithMetadata() throws {
        let sink = MemoryLogSink()
        let logger = Logger(label: "test", level: .info, sink: sink).with(["requestId": "r1"])
        logger.debug("hidden")
        logger.info("user said\nhello\r\n{\"forged\":true}", ["user": "a\"b"])
        #expect(sink.lines.count == 1)
        let line = try #require(sink.lines.first)
        #expect(!line.contains("\n"))
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(fields["message"] == "user said\nhello\r\n{\"forged\":true}")
        #expect(fields["requestId"] == "r1")
        #expect(fields["user"] == "a\"b")
        #expect(fields["level"] == "info")
        #expect(fields["forged"] == nil)
    }
}

@Suite("Crypto") struct CryptoTests {
    @Test func hmacMatchesRFC4231TestCase2() {
        let mac = Crypto.hmacSHA256(key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8))
        #expect(Crypto.hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func reusedHMACContextMatchesOneShotHMAC() {
        let keys = [[], Array("Jefe".utf8), [UInt8](repeating: 0xAA, count: 131)]
        let messages = [[], Array("what do ya want for nothing?".utf8), (0..<300).map { UInt8($0 % 251) }]
        for key in keys {
            let context = HMACSHA256(key: key)
            for message in messages + messages {
                var code = [UInt8](repeating: 0, count: HMACSHA256.byteCount)
                context.start()
                // The message in two parts, split off-centre.
                message.withUnsafeBytes { input in
                    context.update(UnsafeRawBufferPointer(rebasing: input[..<(input.count / 3)]))
                    context.update(UnsafeRawBufferPointer(rebasing: input[(input.count / 3)...]))
                }
                code.withUnsafeMutableBytes { context.finish(into: $0) }
                #expect(
                    code == Crypto.hmacSHA256(key: key, message), "key of \(key.count), message of \(message.count)")
            }
        }
    }

    @Test func sha256OfEmptyInput() {
        #expect(
            Crypto.hex(Crypto.sha256([UInt8]()))
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func constantTimeEquality() {
        #expect(Crypto.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEquals([1, 2], [1, 2, 3]))
    }

    @Test func randomBytesDiffer() {
        #expect(Crypto.randomBytes(16) != Crypto.randomBytes(16))
        #expect(Crypto.randomBytes(32).count == 32)
    }
}

@Suite("IPAddress") struct IPAddressTests {
    @Test(arguments: ["127.0.0.1", "192.0.2.255", "::1", "2001:db8::7"])
    func roundTripsText(text: String) throws {
        #expect(try #require(IPAddress(text)).description == text)
    }

    @Test(arguments: ["", "localhost", "256.0.0.1", "1.2.3", "::g"])
    func refusesNonNumericText(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func bytesDecideTheFamily() {
        #expect(IPAddress(bytes: [10, 0, 0, 1])?.isIPv4 == true)
        #expect(IPAddress(bytes: [UInt8](repeating: 0, count: 16))?.isIPv4 == false)
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
    }
}
