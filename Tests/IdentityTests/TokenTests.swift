import Core
import Foundation
import Testing

@testable import Identity

@Suite("TokenIssuer") struct TokenIssuerTests {
    let issuer = TokenIssuer(keys: TokenKeys(current: Forge.secret), issuer: Forge.issuer, audience: Forge.audience)

    @Test func headerIsExactlyAlgTypKid() throws {
        let token = issuer.issue(subject: "user-1", role: .viewer, now: Forge.now).token
        let header = try Self.decode(token.split(separator: ".")[0])
        #expect(header == #"{"alg":"HS256","typ":"JWT","kid":"\#(Forge.kid)"}"#)
    }

    @Test func claimsCarryEveryFieldWithAnHourOfLifetime() throws {
        let issued = issuer.issue(subject: "user-1", role: .viewer, now: Forge.now)
        let payload = try Self.decode(issued.token.split(separator: ".")[1])
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["iss", "aud", "sub", "role", "iat", "exp", "jti"])
        #expect(object["iss"] as? String == "syncline")
        #expect(object["aud"] as? String == "https://syncline.example.org")
        #expect(object["sub"] as? String == "user-1")
        #expect(object["role"] as? String == "viewer")
        #expect(object["iat"] as? Int == 1_800_000_000)
        #expect(object["exp"] as? Int == 1_800_003_600)
        #expect(object["jti"] as? String == issued.id)
        #expect(issued.expiresAt.timeIntervalSince(issued.issuedAt) == 3_600)
    }

    @Test func compactSerializationHasNoPaddingAndAValidMAC() {
        let token = issuer.issue(subject: "user-1", role: .admin, now: Forge.now).token
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        #expect(parts.count == 3)
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        #expect(parts.allSatisfy { $0.allSatisfy(allowed.contains) })
        #expect(parts[2] == Forge.mac(parts[0] + "." + parts[1]))
    }

    @Test func tokenIDsAreRandom128BitHex() {
        let ids = (0..<100).map { _ in issuer.issue(subject: "user-1", role: .viewer, now: Forge.now).id }
        #expect(Set(ids).count == 100)
        #expect(ids.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) && $0 == $0.lowercased() })
    }

    @Test func shorterLifetimeIsWrittenAndVerified() throws {
        let short = TokenIssuer(
            keys: TokenKeys(current: Forge.secret), issuer: Forge.issuer, audience: Forge.audience,
            lifetime: .seconds(300))
        let issued = short.issue(subject: "user-1", role: .viewer, now: Forge.now)
        #expect(issued.expiresAt == Forge.now.addingTimeInterval(300))
        #expect(try Forge.verifier.verify(issued.token, now: Forge.now).expiresAt == issued.expiresAt)
        #expect(Forge.refusal(issued.token, now: Forge.now.addingTimeInterval(361)) == .expired)
    }

    @Test func subjectsNeedingEscapesRoundTrip() throws {
        let subject = "name \"quoted\" \\ back/slash \u{1} é 😀"
        let token = issuer.issue(subject: subject, role: .viewer, now: Forge.now).token
        #expect(try Forge.verifier.verify(token, now: Forge.now).subject == subject)
    }

    private static func decode(_ segment: Substring) throws -> String {
        let standard = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let padded = standard + String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return String(decoding: try #require(Data(base64Encoded: padded)), as: UTF8.self)
    }
}

@Suite("TokenVerifier") struct TokenVerifierTests {
    @Test func zeroLeewayIsExact() {
        let strict = TokenVerifier(
            keys: TokenKeys(current: Forge.secret), issuer: Forge.issuer, audience: Forge.audience, leeway: .zero)
        let token = Forge.sign(payload: Forge.claims(iat: "1799996400", exp: "1800000000"))
        #expect(Forge.refusal(token, verifier: strict) == nil)
        #expect(Forge.refusal(token, verifier: strict, now: Forge.now.addingTimeInterval(0.5)) == .expired)
        let future = Forge.sign(payload: Forge.claims(iat: "1800000001", exp: "1800003000"))
        #expect(Forge.refusal(future, verifier: strict) == .notYetValid)
    }

    @Test func errorDescriptionsNeverContainTheToken() {
        let token = Forge.sign(payload: Forge.claims(sub: #""secret-subject-value""#, exp: "1800009999"))
        do {
            _ = try Forge.verifier.verify(token, now: Forge.now)
            Issue.record("a token with a two-hour lifetime was accepted")
        } catch {
            #expect(error.reason == .lifetime)
            #expect(!error.description.contains(token))
            #expect(!error.description.contains("secret-subject-value"))
            #expect(error.description.contains("lifetime"))
        }
    }

    @Test func reasonCodesAreStable() {
        let codes = TokenError.Reason.allCases.map { TokenError($0).code }
        #expect(
            codes == [
                "malformed", "too_large", "duplicate_key", "algorithm", "header", "type", "unknown_key", "signature",
                "claims", "issuer", "audience", "lifetime", "expired", "not_yet_valid",
            ])
    }
}

@Suite("TokenKeys") struct TokenKeysTests {
    @Test func keyIDsAreDerivedStableAndDistinct() {
        let first = TokenKeys(current: Forge.secret)
        let again = TokenKeys(current: Forge.secret)
        let other = TokenKeys(current: Forge.otherSecret)
        #expect(first.current.id == again.current.id)
        #expect(first.current.id != other.current.id)
        #expect(first.current.id.count == 16 && first.current.id.allSatisfy(\.isHexDigit))
        let plainHash = Crypto.hex(Crypto.sha256(Forge.secret)).prefix(16)
        #expect(first.current.id != String(plainHash))
    }

    @Test func lookupFindsCurrentAndPreviousOnly() {
        let keys = TokenKeys(current: Forge.otherSecret, previous: Forge.secret)
        #expect(keys.key(id: keys.current.id)?.id == keys.current.id)
        #expect(keys.key(id: Forge.kid)?.id == Forge.kid)
        #expect(keys.key(id: "0000000000000000") == nil)
        #expect(TokenKeys(current: Forge.secret, previous: Forge.secret).previous == nil)
    }

    @Test func validatingInitializerRefusesShortSecrets() throws {
        let short = [UInt8](repeating: 0x61, count: 31)
        let enough = [UInt8](repeating: 0x62, count: 32)
        #expect(throws: TokenKeyError(secret: .current, length: 31)) {
            _ = try TokenKeys(validatingCurrent: short)
        }
        #expect(throws: TokenKeyError(secret: .previous, length: 31)) {
            _ = try TokenKeys(validatingCurrent: enough, previous: short)
        }
        let keys = try TokenKeys(validatingCurrent: enough, previous: Forge.secret)
        #expect(keys.previous?.id == Forge.kid)
        #expect(!TokenKeyError(secret: .current, length: 31).description.contains("aaaa"))
    }
}

@Suite("Base64URL") struct Base64URLTests {
    @Test func encodingMatchesFoundationForEveryRemainder() {
        for length in 0..<70 {
            let bytes = Crypto.randomBytes(length)
            let encoded = Base64URL.encode(bytes)
            #expect(encoded == Forge.encode(bytes))
            #expect(Base64URL.decode(Array(encoded.utf8)) == bytes)
        }
    }

    @Test(arguments: ["A", "AAAAA", "AB", "ABC", "AA==", "AA=", "A+", "A/", "AA A", "QQ", "QUI"])
    func strictDecodingRefusesNonCanonicalText(text: String) {
        let accepted: Set<String> = ["QQ", "QUI"]
        #expect((Base64URL.decode(Array(text.utf8)) != nil) == accepted.contains(text), "\(text)")
    }
}

@Suite("StrictJSONObject") struct StrictJSONObjectTests {
    private func parse(_ text: String) -> [String: JSONScalar]? {
        try? StrictJSONObject.parse(Array(text.utf8))
    }

    @Test func flatObjectsOfStringsAndIntegersParse() {
        #expect(
            parse(#" { "a" : "x" , "b":-12,"c":0 } "#) == ["a": .string("x"), "b": .integer(-12), "c": .integer(0)])
        #expect(parse("{}") == [:])
        #expect(parse(#"{"max":9223372036854775807}"#) == ["max": .integer(.max)])
    }

    @Test func escapesAndSurrogatePairsResolve() {
        let text = #"{"s":"\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00"}"#
        #expect(parse(text) == ["s": .string("\"\\/\u{8}\u{c}\n\r\té😀")])
    }

    @Test(arguments: [
        "", " ", "[]", "\"a\"", "{", "}", #"{"a"}"#, #"{"a":}"#, #"{"a":1,}"#, #"{,"a":1}"#, #"{"a":1}x"#,
        #"{"a":1}{}"#, #"{"a":true}"#, #"{"a":null}"#, #"{"a":{}}"#, #"{"a":[1]}"#, #"{"a":1.0}"#,
        #"{"a":1e3}"#, #"{"a":01}"#, #"{"a":-}"#, #"{"a":+1}"#, #"{"a":9223372036854775808}"#,
        #"{"a":"\x"}"#, #"{"a":"\u12"}"#, #"{"a":"\uD83D"}"#, #"{"a":"\uDE00"}"#, #"{"a":"\uD83Dx"}"#,
        "{\"a\":\"tab\there\"}", "{\"a\":\"nl\nhere\"}", #"{'a':1}"#, #"{a:1}"#, #"{"a":"unterminated}"#,
    ])
    func everythingElseIsRefused(text: String) {
        #expect(parse(text) == nil, "\(text)")
    }

    @Test func duplicateKeysAreReportedAsSuch() {
        #expect(throws: StrictJSONError.duplicateKey) {
            try StrictJSONObject.parse(Array(#"{"a":1,"b":2,"a":1}"#.utf8))
        }
        #expect(throws: StrictJSONError.duplicateKey) {
            try StrictJSONObject.parse(Array(#"{"é":1,"\u00e9":2}"#.utf8))
        }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: StrictJSONError.malformed) {
            try StrictJSONObject.parse(Array(#"{"a":""#.utf8) + [0xFF] + Array(#""}"#.utf8))
        }
    }
}
