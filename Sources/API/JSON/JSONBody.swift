import Core
import Foundation
import HTTP

/// Reads a JSON request body: an object whose fields are checked one by one, collecting a
/// message per bad field, and refusing fields the route does not know.
///
/// The body is scanned for nesting depth before it is parsed, so a depth bomb costs one pass
/// and never reaches the recursive decoder.
public struct JSONBody {
    /// The deepest nesting of arrays and objects accepted.
    public static let maxDepth = 32

    private let object: [String: JSONValue]
    private var known: Set<String> = []
    private var problems: [String: String] = [:]

    /// Parses `request`'s body as a JSON object; 400 when it is not one.
    public init(_ request: Request) throws {
        let body = request.body
        guard JSONBody.depth(of: body) <= JSONBody.maxDepth else {
            throw HTTPError.badRequest("The JSON body nests deeper than \(JSONBody.maxDepth) levels.")
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(body))
        } catch {
            throw HTTPError.badRequest("The body is not valid JSON.")
        }
        guard case .object(let object) = value else {
            throw HTTPError.badRequest("The body must be a JSON object.")
        }
        self.object = object
    }

    /// The whole object, for bodies that a lower layer reads itself (source definitions).
    public var json: JSONValue { .object(object) }

    /// A string field; `required` ones must be present; lengths are in characters.
    public mutating func string(_ name: String, required: Bool = true, maxLength: Int = 256) -> String? {
        known.insert(name)
        switch object[name] {
        case nil, .null?:
            if required { problems[name] = "This field is required." }
            return nil
        case .string(let text)?:
            guard text.count <= maxLength else {
                problems[name] = "Must be at most \(maxLength) characters."
                return nil
            }
            return text
        case let other?:
            problems[name] = "Must be a string, not \(other.kindDescription)."
            return nil
        }
    }

    /// An optional boolean field.
    public mutating func bool(_ name: String) -> Bool? {
        known.insert(name)
        switch object[name] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?:
            problems[name] = "Must be true or false, not \(other.kindDescription)."
            return nil
        }
    }

    /// A string field that must be one of `Value`'s raw values.
    public mutating func choice<Value: RawRepresentable & CaseIterable>(
        _ name: String, required: Bool = true, as type: Value.Type
    ) -> Value? where Value.RawValue == String {
        guard let text = string(name, required: required, maxLength: 64) else { return nil }
        guard let value = Value(rawValue: text) else {
            problems[name] = "Must be one of: " + Value.allCases.map(\.rawValue).joined(separator: ", ") + "."
            return nil
        }
        return value
    }

    /// Records a problem with a field found by the caller's own checks.
    public mutating func problem(_ name: String, _ message: String) {
        problems[name] = message
    }

    /// Throws 422 with every problem found, unknown fields included; call after reading fields.
    public func finish() throws {
        var problems = self.problems
        for name in object.keys where !known.contains(name) {
            problems[name] = "Unknown field."
        }
        guard problems.isEmpty else {
            throw HTTPError.unprocessable("Some fields are invalid.", fields: problems)
        }
    }

    /// The deepest nesting of `[` and `{` outside strings.
    static func depth(of bytes: [UInt8]) -> Int {
        var depth = 0
        var deepest = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }
}
