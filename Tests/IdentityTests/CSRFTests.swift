import Core
import Foundation
import Testing

@testable import Identity

@Suite("CSRFTokens") struct CSRFTests {
    let tokens = CSRFTokens(key: Array("a CSRF key of more than thirty-two bytes".utf8))
    let session = "0123456789abcdef0123456789abcdef"

    @Test func tokenIsValidForItsSession() {
        let token = tokens.make(sessionID: session)
        #expect(tokens.isValid(token, sessionID: session))
        #expect(token.count == 64)
        #expect(!token.contains("=") && !token.contains("+") && !token.contains("/"))
    }

    @Test func tokensAreFreshEachTime() {
        #expect(tokens.make(sessionID: session) != tokens.make(sessionID: session))
    }

    @Test func tokenIsRefusedForAnotherSession() {
        let token = tokens.make(sessionID: session)
        #expect(!tokens.isValid(token, sessionID: "fedcba9876543210fedcba9876543210"))
        #expect(!tokens.isValid(token, sessionID: ""))
        #expect(!tokens.isValid(token, sessionID: session + "0"))
    }

    @Test func tamperedNonceOrMACIsRefused() throws {
        let token = tokens.make(sessionID: session)
        let bytes = try #require(Base64URL.decode(Array(token.utf8)))
        for index in [0, 15, 16, 47] {
            var edited = bytes
            edited[index] ^= 0x01
            #expect(!tokens.isValid(Base64URL.encode(edited), sessionID: session), "byte \(index)")
        }
        #expect(!tokens.isValid(Base64URL.encode(bytes.prefix(47)), sessionID: session))
        #expect(!tokens.isValid(Base64URL.encode(bytes + [0]), sessionID: session))
    }

    @Test func tokenFromAnotherKeyIsRefused() {
        let other = CSRFTokens(key: Array("a different key, also long enough here".utf8))
        #expect(!tokens.isValid(other.make(sessionID: session), sessionID: session))
    }

    @Test(arguments: ["", "x", String(repeating: "A", count: 64), String(repeating: "A", count: 10_000)])
    func malformedTokensAreRefused(token: String) {
        #expect(!tokens.isValid(token, sessionID: session))
    }

    @Test func paddedOrStandardBase64IsRefused() {
        let token = tokens.make(sessionID: session)
        #expect(!tokens.isValid(token + "==", sessionID: session))
        let standard = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        if standard != token {
            #expect(!tokens.isValid(standard, sessionID: session))
        }
    }
}
