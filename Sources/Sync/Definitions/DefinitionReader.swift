import Core

/// Reads one JSON object of a source definition field by field, collecting a message per bad
/// field under its dotted path (`rest.pagination.size`) and refusing fields it does not know.
struct DefinitionReader {
    private let object: [String: JSONValue]
    private let path: String
    private let problems: ProblemList
    private var known: Set<String> = []

    /// The shared list of problems of one definition.
    final class ProblemList {
        var fields: [String: String] = [:]
    }

    init(_ object: [String: JSONValue], path: String = "", problems: ProblemList) {
        self.object = object
        self.path = path
        self.problems = problems
    }

    func fieldPath(_ name: String) -> String {
        path.isEmpty ? name : path + "." + name
    }

    mutating func problem(_ name: String, _ message: String) {
        let key = fieldPath(name)
        if problems.fields[key] == nil { problems.fields[key] = message }
    }

    mutating func contains(_ name: String) -> Bool {
        known.insert(name)
        if case .null? = object[name] { return false }
        return object[name] != nil
    }

    mutating func string(
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

    mutating func integer(_ name: String, in range: ClosedRange<Int>, required: Bool = true) -> Int? {
        guard let number = number(name, required: required) else { return nil }
        guard number.rounded() == number, number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
            problem(name, "Must be a whole number from \(range.lowerBound) to \(range.upperBound).")
            return nil
        }
        return Int(number)
    }

    mutating func number(_ name: String, required: Bool = true) -> Double? {
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

    mutating func bool(_ name: String) -> Bool? {
        known.insert(name)
        switch object[name] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?:
            problem(name, "Must be true or false, not \(other.kindDescription).")
            return nil
        }
    }

    mutating func choice<Value: RawRepresentable & CaseIterable>(
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
    mutating func strings(_ name: String, maxCount: Int = 16) -> [String] {
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
    mutating func stringMap(_ name: String) -> [String: String] {
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
    mutating func object(_ name: String, required: Bool = true) -> DefinitionReader? {
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

    /// Marks every field this reader was not asked about as unknown.
    mutating func finish() {
        for name in object.keys where !known.contains(name) {
            problem(name, "Unknown field.")
        }
    }
}
