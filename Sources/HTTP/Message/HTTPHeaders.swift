/// Header fields in arrival order, looked up without regard to case.
public struct HTTPHeaders: Sendable, Sequence {
    private var fields: [(name: String, value: String)] = []

    /// Creates an empty set of headers.
    public init() {}

    /// Creates headers from name/value pairs, keeping their order and any repeated names.
    public init(_ pairs: [(String, String)]) {
        for (name, value) in pairs { add(name, value) }
    }

    /// The first value for `name`, or nil.
    public subscript(name: String) -> String? {
        fields.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    /// Every value for `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }

    /// Appends a field, keeping any earlier ones with the same name (as `Set-Cookie` needs).
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    /// Makes room for `count` more fields, so that adding several grows the storage once.
    mutating func reserveCapacity(forAdditional count: Int) {
        fields.reserveCapacity(fields.count + count)
    }

    /// Replaces every field named `name` with one field.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        fields.append((name, value))
    }

    /// Removes every field named `name`, whatever its case.
    public mutating func remove(_ name: String) {
        fields.removeAll { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// Whether any field is named `name`, ignoring case.
    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// Iterates the fields in arrival order, repeated names included.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }
}

extension String {
    /// Compares ASCII letters without regard to case, without allocating; header names are ASCII.
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        for (left, right) in zip(utf8, other.utf8) where left != right {
            guard left | 0x20 == right | 0x20, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(left | 0x20) else {
                return false
            }
        }
        return true
    }
}
