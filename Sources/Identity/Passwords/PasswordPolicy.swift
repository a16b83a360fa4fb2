import Foundation

/// A rule a new password breaks, with a message that names the rule.
public enum PasswordPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer characters than the minimum.
    case tooShort(minimum: Int)
    /// More characters than the maximum.
    case tooLong(maximum: Int)
    /// On the list of common passwords.
    case common
    /// The same as the username, ignoring case.
    case sameAsUsername

    /// A stable short code for API error bodies and logs.
    public var code: String {
        switch self {
        case .tooShort: "too_short"
        case .tooLong: "too_long"
        case .common: "common"
        case .sameAsUsername: "same_as_username"
        }
    }

    /// A sentence for the person choosing the password.
    public var description: String {
        switch self {
        case .tooShort(let minimum): "The password must be at least \(minimum) characters long."
        case .tooLong(let maximum): "The password must be at most \(maximum) characters long."
        case .common: "The password is on a list of commonly used passwords; choose another."
        case .sameAsUsername: "The password must not be the same as the username."
        }
    }
}

/// A common-password list file that could not be read.
public struct CommonPasswordListError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file that was asked for.
    public let path: String
    /// What went wrong, from the system.
    public let reason: String

    /// The path and the reason in one sentence.
    public var description: String {
        "cannot read the common password list at \(path): \(reason)"
    }
}

/// The rules a new password must meet: 12 to 256 characters, not a common password, not the
/// username.
///
/// Characters are Swift `Character`s (extended grapheme clusters), so "é" written with a combining
/// accent counts once. Nothing is trimmed or normalized: the password checked is the one hashed.
public struct PasswordPolicy: Sendable {
    /// The fewest characters a password may have.
    public static let minimumLength = 12
    /// The most characters a password may have.
    public static let maximumLength = 256
    /// Where Debian's `john-data` package installs its list of common passwords.
    public static let defaultCommonPasswordListPath = "/usr/share/john/password.lst"

    /// The refused passwords, lowercased.
    private let commonPasswords: Set<String>

    /// Creates a policy refusing the given passwords, compared without regard to case.
    public init(commonPasswords: some Sequence<String>) {
        self.commonPasswords = Set(commonPasswords.map { $0.lowercased() })
    }

    /// Creates a policy with the list in a file of one password per line, in John the Ripper's
    /// format: lines starting `#!comment` and empty lines are skipped.
    public init(commonPasswordListPath path: String = defaultCommonPasswordListPath) throws(CommonPasswordListError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CommonPasswordListError(path: path, reason: Self.reason(for: error))
        }
        let text = String(decoding: data, as: UTF8.self)
        let entries = text.split(whereSeparator: \.isNewline).lazy
            .filter { !$0.hasPrefix("#!comment") }
            .map(String.init)
        self.init(commonPasswords: entries)
    }

    /// The number of distinct passwords the policy refuses as common.
    public var commonPasswordCount: Int { commonPasswords.count }

    /// Checks a new password for `username`; throws the first rule it breaks.
    public func validate(password: String, username: String) throws(PasswordPolicyError) {
        let length = password.count
        if length < Self.minimumLength { throw .tooShort(minimum: Self.minimumLength) }
        if length > Self.maximumLength { throw .tooLong(maximum: Self.maximumLength) }

        let folded = password.lowercased()
        if commonPasswords.contains(folded) { throw .common }
        if folded == username.lowercased() { throw .sameAsUsername }
    }

    /// The system's text for the error behind a failed read ("No such file or directory").
    private static func reason(for error: any Error) -> String {
        guard let posix = (error as? CocoaError)?.underlying as? POSIXError else { return "\(error)" }
        return String(cString: strerror(posix.code.rawValue))
    }
}
