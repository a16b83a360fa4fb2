import Foundation

/// A person who signs in to Syncline.
public struct User: Sendable, Hashable {
    /// The database id; tokens carry it as their subject.
    public let id: Int64
    /// The sign-in name, lowercase.
    public var username: String
    /// What the user may do.
    public var role: Role
    /// A disabled user cannot sign in, and their tokens stop working at once.
    public var disabled: Bool
    /// Tokens issued at or before this whole second are refused (password change, role change…).
    public var tokensValidAfter: Date
    /// When the account was created.
    public let createdAt: Date
    /// When the account last changed.
    public var updatedAt: Date
}

/// Why a username was refused.
public struct UsernameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, for the person choosing the name.
    public let description: String
}

/// The rules for usernames: 3 to 64 characters of `a-z 0-9 . _ -`, starting with a letter or
/// digit, compared without regard to case (stored lowercase).
///
/// The narrow alphabet keeps names unambiguous on screen, safe in logs and URLs, and free of
/// look-alike Unicode.
public enum Username {
    /// The allowed lengths in characters.
    public static let lengths = 3...64

    /// The canonical (lowercase) form of `text`, or an error saying which rule it breaks.
    public static func normalize(_ text: String) throws(UsernameError) -> String {
        let name = text.lowercased()
        guard lengths.contains(name.count) else {
            throw UsernameError(description: "must be \(lengths.lowerBound) to \(lengths.upperBound) characters")
        }
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "0"..."9", ".", "_", "-": true
            default: false
            }
        }
        guard allowed else {
            throw UsernameError(description: "may contain only letters a-z, digits, '.', '_' and '-'")
        }
        guard let first = name.unicodeScalars.first, CharacterSet.alphanumerics.contains(first) else {
            throw UsernameError(description: "must start with a letter or digit")
        }
        return name
    }
}
