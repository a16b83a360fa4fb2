import Core
import Foundation
import Testing

@testable import Identity

/// Builds tokens by hand, from arbitrary header and payload bytes, independent of `TokenIssuer`.
enum Forge {
    static let secret = Array("a token secret of well over thirty-two bytes".utf8)
    static let otherSecret = Array("another token secret, also more than 32 bytes".utf8)
    static let issuer = "syncline"
    static let audience = "https://syncline.example.org"
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let kid = TokenKeys(current: secret).current.id
    static let jti = "0123456789abcdef0123456789abcdef"

    static let verifier = TokenVerifier(keys: TokenKeys(current: secret), issuer: issuer, audience: audience)

    /// Unpadded base64url through Foundation's standard base64, so the code under test is not used.
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func encode(_ text: String) -> String { encode(Array(text.utf8)) }

    /// The HS256 MAC over `header.payload`, both already encoded.
    static func mac(_ signingInput: String, secret: [UInt8] = secret) -> String {
        encode(Crypto.hmacSHA256(key: secret, Array(signingInput.utf8)))
    }

    /// A token of encoded segments signed with `secret`.
    static func sign(headerSegment: String, payloadSegment: String, secret: [UInt8] = secret) -> String {
        let input = headerSegment + "." + payloadSegment
        return input + "." + mac(input, secret: secret)
    }

    /// A token of raw header and payload bytes signed with `secret`.
    static func sign(header: [UInt8], payload: [UInt8], secret: [UInt8] = secret) -> String {
        sign(headerSegment: encode(header), payloadSegment: encode(payload), secret: secret)
    }

    /// A token of JSON header and payload text signed with `secret`.
    static func sign(header: String = standardHeader(), payload: String = claims(), secret: [UInt8] = secret) -> String
    {
        sign(header: Array(header.utf8), payload: Array(payload.utf8), secret: secret)
    }

    static func standardHeader(alg: String = "HS256", typ: String = "JWT", kid: String = kid) -> String {
        #"{"alg":"\#(alg)","typ":"\#(typ)","kid":"\#(kid)"}"#
    }

    /// A claims object; each value is raw JSON text, nil leaves the claim out.
    static func claims(
        iss: String? = #""syncline""#, aud: String? = #""https://syncline.example.org""#,
        sub: String? = #""user-1""#, role: String? = #""viewer""#, iat: String? = "1800000000",
        exp: String? = "1800003600", jti: String? = #""0123456789abcdef0123456789abcdef""#,
        extra: String? = nil
    ) -> String {
        let fields = [
            ("iss", iss), ("aud", aud), ("sub", sub), ("role", role), ("iat", iat), ("exp", exp), ("jti", jti),
        ]
        var members = fields.compactMap { name, value in value.map { #""\#(name)":\#($0)"# } }
        if let extra { members.append(extra) }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// The reason `verifier` refuses `token` at `now`, or nil when it accepts it.
    static func refusal(
        _ token: String, verifier: TokenVerifier = verifier, now: Date = now
    ) -> TokenError.Reason? {
        do {
            _ = try verifier.verify(token, now: now)
            return nil
        } catch {
            return error.reason
        }
    }
}

@Suite("Token attacks") struct TokenAttackTests {
    @Test func handForgedValidTokenIsAcceptedSoTheForgeIsSound() {
        #expect(Forge.refusal(Forge.sign()) == nil)
    }

    @Test(arguments: ["none", "None", "NONE", "nOnE"])
    func algorithmNoneIsRefusedWithOrWithoutSignature(alg: String) {
        let header = Forge.encode(Forge.standardHeader(alg: alg))
        let payload = Forge.encode(Forge.claims())
        #expect(Forge.refusal(header + "." + payload + ".") == .algorithm)
        #expect(Forge.refusal(Forge.sign(headerSegment: header, payloadSegment: payload)) == .algorithm)
        let noKid = Forge.encode(#"{"alg":"\#(alg)","typ":"JWT"}"#)
        #expect(Forge.refusal(noKid + "." + payload + ".") == .algorithm)
    }

    @Test func strippedSignatureIsRefused() {
        let token = Forge.sign()
        let unsigned = String(token[..<token.lastIndex(of: ".")!])
        #expect(Forge.refusal(unsigned + ".") == .signature)
        #expect(Forge.refusal(unsigned) == .malformed)
    }

    @Test func payloadEditedFromViewerToAdminKeepingTheSignatureIsRefused() throws {
        let issued = TokenIssuer(keys: TokenKeys(current: Forge.secret), issuer: Forge.issuer, audience: Forge.audience)
            .issue(subject: "user-1", role: .viewer, now: Forge.now)
        let parts = issued.token.split(separator: ".").map(String.init)
        let payload = try #require(Data(base64Encoded: Self.padded(parts[1])))
        let edited = String(decoding: payload, as: UTF8.self).replacingOccurrences(of: "viewer", with: "admin")
        #expect(edited.contains(#""role":"admin""#))

        let forged = parts[0] + "." + Forge.encode(edited) + "." + parts[2]
        #expect(Forge.refusal(forged) == .signature)
        #expect(Forge.refusal(issued.token) == nil)
    }

    @Test func tokenSignedWithAnotherSecretIsRefused() {
        #expect(Forge.refusal(Forge.sign(secret: Forge.otherSecret)) == .signature)

        let otherIssuer = TokenIssuer(
            keys: TokenKeys(current: Forge.otherSecret), issuer: Forge.issuer, audience: Forge.audience)
        let token = otherIssuer.issue(subject: "user-1", role: .admin, now: Forge.now).token
        #expect(Forge.refusal(token) == .unknownKey)
    }

    @Test(arguments: ["HS512", "HS384", "RS256", "ES256", "PS256", "hs256", "HS256 ", ""])
    func otherAlgorithmsAreRefused(alg: String) {
        #expect(Forge.refusal(Forge.sign(header: Forge.standardHeader(alg: alg))) == .algorithm)
    }

    @Test func algorithmOfAnotherTypeIsRefused() {
        let header = #"{"alg":256,"typ":"JWT","kid":"\#(Forge.kid)"}"#
        #expect(Forge.refusal(Forge.sign(header: header)) == .algorithm)
    }

    @Test(arguments: [
        #""jwk":"eyJrdHkiOiJvY3QiLCJrIjoiQUFBQSJ9""#,
        #""jku":"https://attacker.example/keys.json""#,
        #""x5u":"https://attacker.example/cert.pem""#,
        #""x5c":"MIIBszCCAVmgAwIBAgIJAL""#,
        #""crit":"exp""#,
        #""cty":"JWT""#,
        #""b64":0"#,
    ])
    func keyLocatingAndOtherExtraHeadersAreRefused(member: String) {
        let header = #"{"alg":"HS256","typ":"JWT","kid":"\#(Forge.kid)",\#(member)}"#
        #expect(Forge.refusal(Forge.sign(header: header)) == .header)
    }

    @Test func headerWithoutKidOrTypIsRefused() {
        #expect(Forge.refusal(Forge.sign(header: #"{"alg":"HS256","typ":"JWT"}"#)) == .header)
        #expect(Forge.refusal(Forge.sign(header: #"{"alg":"HS256","kid":"\#(Forge.kid)"}"#)) == .header)
    }

    @Test(arguments: ["../../etc/passwd", "' OR 1=1 --", "", "0123456789abcdef", "\\u0000", "*", Forge.kid + " "])
    func injectedOrUnknownKeyIDsAreRefused(kid: String) {
        #expect(Forge.refusal(Forge.sign(header: Forge.standardHeader(kid: kid))) == .unknownKey)
    }

    @Test func keyIDOfAnotherTypeIsRefused() {
        #expect(Forge.refusal(Forge.sign(header: #"{"alg":"HS256","typ":"JWT","kid":1}"#)) == .unknownKey)
    }

    @Test func expiredTokenIsRefusedAfterTheLeeway() {
        let token = Forge.sign(payload: Forge.claims(iat: "1799996000", exp: "1799999000"))
        #expect(Forge.refusal(token) == .expired)
        let barely = Forge.sign(payload: Forge.claims(iat: "1799996400", exp: "1799999940"))
        #expect(Forge.refusal(barely) == nil, "within the 60 s leeway")
        #expect(Forge.refusal(barely, now: Forge.now.addingTimeInterval(1)) == .expired)
    }

    @Test func tokenIssuedInTheFutureIsRefused() {
        let token = Forge.sign(payload: Forge.claims(iat: "1800000120", exp: "1800003000"))
        #expect(Forge.refusal(token) == .notYetValid)
        let skewed = Forge.sign(payload: Forge.claims(iat: "1800000060", exp: "1800003000"))
        #expect(Forge.refusal(skewed) == nil, "within the 60 s leeway")
    }

    @Test func missingClaimsAreRefused() {
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(exp: nil))) == .claims)
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(iat: nil))) == .claims)
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(sub: nil))) == .claims)
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(role: nil))) == .claims)
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(jti: nil))) == .claims)
        #expect(Forge.refusal(Forge.sign(payload: "{}")) == .claims)
    }

    @Test func claimsOfTheWrongTypeOrValueAreRefused() {
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(exp: #""1800003600""#))) == .claims)
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(role: #""superadmin""#))) == .claims)
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(role: #""Admin""#))) == .claims)
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(sub: #""""#))) == .claims)
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(jti: #""short""#))) == .claims)
        #expect(
            Forge.refusal(Forge.sign(payload: Forge.claims(jti: #""0123456789ABCDEF0123456789ABCDEF""#))) == .claims)
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(extra: #""admin":1"#))) == .claims)
        #expect(
            Forge.refusal(Forge.sign(payload: Forge.claims(aud: #"["https://syncline.example.org"]"#))) == .malformed)
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(exp: "1800003600.5"))) == .malformed)
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(exp: "18e8"))) == .malformed)
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(extra: #""nested":{"role":"admin"}"#))) == .malformed)
    }

    @Test func lifetimeOverSixtyMinutesIsRefused() {
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(exp: "1800003601"))) == .lifetime)
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(exp: "1800000000"))) == .lifetime)
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(exp: "1799999999"))) == .lifetime)
        let overflow = Forge.claims(iat: "-9223372036854775808", exp: "9223372036854775807")
        #expect(Forge.refusal(Forge.sign(payload: overflow)) == .lifetime)
    }

    @Test func wrongAudienceIsRefused() {
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(aud: #""https://other.example.org""#))) == .audience)
    }

    @Test func wrongIssuerIsRefused() {
        #expect(Forge.refusal(Forge.sign(payload: Forge.claims(iss: #""Syncline""#))) == .issuer)
    }

    @Test(arguments: ["jwt", "JWS", "at+jwt", ""])
    func wrongTypeIsRefused(typ: String) {
        #expect(Forge.refusal(Forge.sign(header: Forge.standardHeader(typ: typ))) == .type)
    }

    @Test func duplicateHeaderKeysAreRefused() {
        let plain = #"{"alg":"HS256","typ":"JWT","kid":"\#(Forge.kid)","alg":"none"}"#
        #expect(Forge.refusal(Forge.sign(header: plain)) == .duplicateKey)
        let escaped = #"{"alg":"HS256","typ":"JWT","kid":"\#(Forge.kid)","\u0061lg":"HS256"}"#
        #expect(Forge.refusal(Forge.sign(header: escaped)) == .duplicateKey)
    }

    @Test func duplicatePayloadKeysAreRefused() {
        let payload = Forge.claims(extra: #""role":"admin""#)
        #expect(Forge.refusal(Forge.sign(payload: payload)) == .duplicateKey)
    }

    @Test func paddedSegmentsAreRefused() {
        let parts = Forge.sign().split(separator: ".").map(String.init)
        for index in 0..<3 {
            var padded = parts
            padded[index] += "="
            #expect(Forge.refusal(padded.joined(separator: ".")) == .malformed, "segment \(index)")
        }
        let standardPadded = Data(Forge.standardHeader().utf8).base64EncodedString()
        #expect(standardPadded.hasSuffix("="))
        let token = Forge.sign(headerSegment: standardPadded, payloadSegment: Forge.encode(Forge.claims()))
        #expect(Forge.refusal(token) == .malformed)
    }

    @Test(arguments: ["+", "/", " ", "\n", "%", "\u{e9}", "."])
    func charactersOutsideBase64URLAreRefused(character: String) {
        let parts = Forge.sign().split(separator: ".").map(String.init)
        let payload = String(parts[1].prefix(8)) + character + String(parts[1].dropFirst(9))
        #expect(Forge.refusal(parts[0] + "." + payload + "." + parts[2]) == .malformed)
        let signature = character + String(parts[2].dropFirst())
        #expect(Forge.refusal(parts[0] + "." + parts[1] + "." + signature) == .malformed)
    }

    @Test func nonCanonicalBase64URLIsRefused() {
        // 32 MAC bytes take 43 symbols; the last carries two unused bits, which must be zero.
        let token = Forge.sign()
        let last = token.last!
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let twin = alphabet[alphabet.firstIndex(of: last)! + 1]
        #expect(Forge.refusal(String(token.dropLast()) + String(twin)) == .malformed)
    }

    @Test func payloadIsNotReadBeforeTheSignatureIsChecked() {
        let header = Forge.encode(Forge.standardHeader())
        let unsigned = header + "." + Forge.encode([0x7B, 0xFF, 0xFE]) + "." + Forge.mac("something else")
        #expect(Forge.refusal(unsigned) == .signature)
        let truncated = header + "." + Forge.encode(#"{"sub":"#) + "." + Forge.mac("something else")
        #expect(Forge.refusal(truncated) == .signature)
    }

    @Test func oversizeTokenIsRefused() {
        let big = Forge.sign(payload: Forge.claims(sub: "\"" + String(repeating: "u", count: 4_000) + "\""))
        #expect(big.utf8.count > TokenVerifier.maximumTokenLength)
        #expect(Forge.refusal(big) == .tooLarge)
        let fits = Forge.sign(payload: Forge.claims(sub: "\"" + String(repeating: "u", count: 2_500) + "\""))
        #expect(fits.utf8.count <= TokenVerifier.maximumTokenLength)
        #expect(Forge.refusal(fits) == nil)
    }

    @Test func nonUTF8PayloadIsRefused() {
        var payload = Array(Forge.claims().utf8)
        let subject = payload.firstIndex(of: UInt8(ascii: "u"))!
        payload[subject] = 0xFF
        #expect(Forge.refusal(Forge.sign(header: Array(Forge.standardHeader().utf8), payload: payload)) == .malformed)
        let overlong = Array(#"{"sub":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8)
        #expect(Forge.refusal(Forge.sign(header: Array(Forge.standardHeader().utf8), payload: overlong)) == .malformed)
    }

    @Test func nonUTF8HeaderIsRefused() {
        let header = Array(#"{"alg":"HS256","typ":"JWT","kid":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8)
        #expect(Forge.refusal(Forge.sign(header: header, payload: Array(Forge.claims().utf8))) == .malformed)
    }

    @Test func wrongSegmentCountsAreRefused() {
        let token = Forge.sign()
        #expect(Forge.refusal(token + ".") == .malformed)
        #expect(Forge.refusal(token + "." + token) == .malformed)
        #expect(Forge.refusal("." + token) == .malformed)
        #expect(Forge.refusal("") == .malformed)
        #expect(Forge.refusal("..") == .malformed)
    }

    @Test func rotationAcceptsThePreviousKeyOnlyWhileItIsConfigured() throws {
        let oldIssuer = TokenIssuer(
            keys: TokenKeys(current: Forge.secret), issuer: Forge.issuer, audience: Forge.audience)
        let token = oldIssuer.issue(subject: "user-1", role: .admin, now: Forge.now).token

        let rotated = TokenKeys(current: Forge.otherSecret, previous: Forge.secret)
        let during = TokenVerifier(keys: rotated, issuer: Forge.issuer, audience: Forge.audience)
        #expect(try during.verify(token, now: Forge.now).role == .admin)

        let newToken = TokenIssuer(keys: rotated, issuer: Forge.issuer, audience: Forge.audience)
            .issue(subject: "user-2", role: .viewer, now: Forge.now).token
        #expect(try during.verify(newToken, now: Forge.now).subject == "user-2")

        let after = TokenVerifier(
            keys: TokenKeys(current: Forge.otherSecret), issuer: Forge.issuer, audience: Forge.audience)
        #expect(Forge.refusal(token, verifier: after) == .unknownKey)
        #expect(Forge.refusal(newToken, verifier: after) == nil)
    }

    @Test func validTokenIsAcceptedWithEveryClaimReadBack() throws {
        let issuer = TokenIssuer(keys: TokenKeys(current: Forge.secret), issuer: Forge.issuer, audience: Forge.audience)
        let issued = issuer.issue(subject: "7f2c5a4e", role: .admin, now: Forge.now.addingTimeInterval(0.75))
        let claims = try Forge.verifier.verify(issued.token, now: Forge.now.addingTimeInterval(1_800))
        #expect(claims.subject == "7f2c5a4e")
        #expect(claims.role == .admin)
        #expect(claims.issuedAt == Forge.now)
        #expect(claims.expiresAt == Forge.now.addingTimeInterval(3_600))
        #expect(claims.id == issued.id)
        #expect(claims.issuedAt == issued.issuedAt)
        #expect(claims.expiresAt == issued.expiresAt)
    }

    private static func padded(_ segment: String) -> String {
        let standard = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        return standard + String(repeating: "=", count: (4 - standard.count % 4) % 4)
    }
}
