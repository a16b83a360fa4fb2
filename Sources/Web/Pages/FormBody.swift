import Foundation
import HTTP

/// The fields of an `application/x-www-form-urlencoded` body, as browsers send forms.
public struct FormBody: Sendable {
    private let parameters: QueryParameters

    /// Reads `request`'s body; a body that does not decode reads as an empty form.
    public init(_ request: Request) {
        parameters = QueryParameters(parsing: Substring(decoding: request.body, as: UTF8.self)) ?? QueryParameters()
    }

    /// The first value of `name`, trimmed; nil when missing or empty.
    public subscript(_ name: String) -> String? {
        guard let value = parameters[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    /// The first value of `name` exactly as sent (passwords keep their spaces).
    public func raw(_ name: String) -> String? {
        parameters[name]
    }

    /// Every value of `name`, as checkboxes send them.
    public func values(_ name: String) -> [String] {
        parameters.values(for: name)
    }
}
