import Core

/// Reads one JSON object of a definition (a source's, a dashboard's) field by field, collecting a
/// message per bad field under its path (`rest.pagination.size`, `widgets[2].metric`) and refusing
/// fields it does not know.
///
/// Readers of nested objects share their parent's problem list, so one definition yields one list.
public struct DefinitionReader {
    private let object: [String: JSONValue]
    private let path: String
    private let problems: ProblemList
    private var known: Set<String> = []

    /// The shared list of problems of one definition.
    public final class ProblemList {
        /// One message per bad field, by path.
        public internal(set) var fields: [String: String] = [:]

        /// Creates an empty list.
        public init() {}
    }

    /// Creates a reader of `object`, found at `path` (empty for the top level).
    public init(_ object: [String: JSONValue], path: String = "", problems: ProblemList) {
        self.object = object
        self.path = path
        self.problems = problems
    }

    /// The path of the member `name` of this object.
    public func fieldPath(_ name: String) -> String {
        path.isEmpty ? name : path + "." + name
    }

    /// Records a problem with member `name`, unless it already has one.
    public mutating func problem(_ name: String, _ message: String) {
        let key = fieldPath(name)
        if problems.fields[key] == nil { problems.fields[key] = message }
    }

    /// Whether member `name` is present and not null; marks it known.
    public mutating func contains(_ name: String) -> Bool {
        known.insert(name)
        if case .null? = object[name] { return false }
        return object[name] != nil
    }

    /// A string member; `required` ones must be present; lengths are in characters.
    public mutating func string(
        _ name: String, required: Bool = true, maxLength: Int = 256, allowsEmpty: Bool = false
    ) -> String? {
        known.insert(name)
        switch object[name] {
        case nil, .null?:
            if required { problem(name, "This field is required.") }
            return nil
        case .string(let text)?:
            if text.isEmpty && !allowsEmpty {
                problem(name, "Must not be empty.")
                return nil
            }
            if text.count > maxLength {
                problem(name, "Must be at most \(maxLength) characters.")
                return nil
            }
            return text
        case let other?:
            problem(name, "Must be a string, not \(other.kindDescription).")
            return nil
        }
    }

    /// A whole-number member within `range`.
    public mutating func integer(_ name: String, in range: ClosedRange<Int>, required: Bool = true) -> Int? {
        guard let number = number(name, required: required) else { return nil }
        guard number.rounded() == number, number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
            problem(name, "Must be a whole number from \(range.lowerBound) to \(range.upperBound).")
            return nil
        }
        return Int(number)
    }

    /// A number member.
    public mutating func number(_ name: String, required: Bool = true) -> Double? {
        known.insert(name)
        switch object[name] {
        case nil, .null?:
            if required { problem(name, "This field is required.") }
            return nil
        case .number(let number)?:
            return number
        case let other?:
            problem(name, "Must be a number, not \(other.kindDescription).")
            return nil
        }
    }

    /// An optional boolean member.
    public mutating func bool(_ name: String) -> Bool? {
        known.insert(name)
        switch object[name] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?:
            problem(name, "Must be true or false, not \(other.kindDescription).")
            return nil
        }
    }

    /// A string member that must be one of `Value`'s raw values.
    public mutating func choice<Value: RawRepresentable & CaseIterable>(
        _ name: String, as type: Value.Type, required: Bool = true
    ) -> Value? where Value.RawValue == String {
        guard let text = string(name, required: required, maxLength: 64) else { return nil }
        guard let value = Value(rawValue: text) else {
            problem(name, "Must be one of: " + Value.allCases.map(\.rawValue).joined(separator: ", ") + ".")
            return nil
        }
        return value
    }

    /// A string, or an array of strings, as a list.
    public mutating func strings(_ name: String, maxCount: Int = 16) -> [String] {
        known.insert(name)
        switch object[name] {
        case nil, .null?:
            return []
        case .string(let text)?:
            return text.isEmpty ? [] : [text]
        case .array(let items)?:
            var texts: [String] = []
            for item in items {
                guard case .string(let text) = item, !text.isEmpty, text.count <= 256 else {
                    problem(name, "Must be a list of non-empty strings.")
                    return []
                }
                texts.append(text)
            }
            if texts.count > maxCount { problem(name, "Must list at most \(maxCount) names.") }
            if Set(texts).count != texts.count { problem(name, "Must not repeat a name.") }
            return texts
        case let other?:
            problem(name, "Must be a string or a list of strings, not \(other.kindDescription).")
            return []
        }
    }

    /// An object of string values.
    public mutating func stringMap(_ name: String) -> [String: String] {
        known.insert(name)
        switch object[name] {
        case nil, .null?:
            return [:]
        case .object(let members)?:
            var map: [String: String] = [:]
            for (key, value) in members {
                guard case .string(let text) = value else {
                    problem(name + "." + key, "Must be a string.")
                    continue
                }
                map[key] = text
            }
            return map
        case let other?:
            problem(name, "Must be an object of strings, not \(other.kindDescription).")
            return [:]
        }
    }

    /// The nested object `name`, read by a reader of its own, or nil when absent or not an object.
    public mutating func object(_ name: String, required: Bool = true) -> DefinitionReader? {
        known.insert(name)
        switch object[name] {
        case nil, .null?:
            if required { problem(name, "This field is required.") }
            return nil
        case .object(let members)?:
            return DefinitionReader(members, path: fieldPath(name), problems: problems)
        case let other?:
            problem(name, "Must be an object, not \(other.kindDescription).")
            return nil
        }
    }

    /// The array member `name` of objects, each read by a reader of its own at `name[index]`;
    /// empty when absent, and with a problem recorded when it is not such an array.
    public mutating func objects(_ name: String, maxCount: Int, required: Bool = true) -> [DefinitionReader] {
        known.insert(name)
        switch object[name] {
        case nil, .null?:
            if required { problem(name, "This field is required.") }
            return []
        case .array(let items)?:
            guard items.count <= maxCount else {
                problem(name, "Must hold at most \(maxCount) items.")
                return []
            }
            var readers: [DefinitionReader] = []
            for (index, item) in items.enumerated() {
                let path = fieldPath(name) + "[\(index)]"
                guard case .object(let members) = item else {
                    if problems.fields[path] == nil { problems.fields[path] = "Must be an object." }
                    continue
                }
                readers.append(DefinitionReader(members, path: path, problems: problems))
            }
            return readers
        case let other?:
            problem(name, "Must be an array of objects, not \(other.kindDescription).")
            return []
        }
    }

    /// Member `name` as it was sent, for values of more than one kind; marks it known.
    public mutating func value(_ name: String) -> JSONValue? {
        known.insert(name)
        return object[name]
    }

    /// Marks every field this reader was not asked about as unknown.
    public mutating func finish() {
        for name in object.keys where !known.contains(name) {
            problem(name, "Unknown field.")
        }
    }
}
