import Core

/// The subset of JSON Schema used to document request and response bodies.
public indirect enum JSONSchema: Sendable {
    /// A string, optionally with a format such as `date-time` and a closed list of allowed values.
    case string(format: String? = nil, description: String? = nil, allowed: [String] = [])
    /// A whole number.
    case integer(description: String? = nil)
    /// Any JSON number, fractions included.
    case number(description: String? = nil)
    /// `true` or `false`.
    case boolean(description: String? = nil)
    /// An array whose elements all match one schema.
    case array(of: JSONSchema, description: String? = nil)
    /// An object whose listed properties are the only ones allowed.
    case object(properties: [(name: String, schema: JSONSchema)], required: [String] = [], description: String? = nil)
    /// An object mapping any key to values of one schema.
    case map(of: JSONSchema, description: String? = nil)
    /// The wrapped schema, or `null`.
    case nullable(JSONSchema)

    /// Writes the schema as a JSON value.
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        switch self {
        case .string(let format, let description, let allowed):
            writeType("string", &writer)
            if let format {
                writer.key("format")
                writer.string(format)
            }
            if !allowed.isEmpty {
                writer.key("enum")
                writer.beginArray()
                for value in allowed {
                    writer.string(value)
                }
                writer.endArray()
            }
            writeDescription(description, &writer)
        case .integer(let description):
            writeType("integer", &writer)
            writeDescription(description, &writer)
        case .number(let description):
            writeType("number", &writer)
            writeDescription(description, &writer)
        case .boolean(let description):
            writeType("boolean", &writer)
            writeDescription(description, &writer)
        case .array(let items, let description):
            writeType("array", &writer)
            writer.key("items")
            items.write(to: &writer)
            writeDescription(description, &writer)
        case .object(let properties, let required, let description):
            writeType("object", &writer)
            writer.key("properties")
            writer.beginObject()
            for (name, schema) in properties {
                writer.key(name)
                schema.write(to: &writer)
            }
            writer.endObject()
            if !required.isEmpty {
                writer.key("required")
                writer.beginArray()
                for name in required {
                    writer.string(name)
                }
                writer.endArray()
            }
            writer.key("additionalProperties")
            writer.bool(false)
            writeDescription(description, &writer)
        case .map(let values, let description):
            writeType("object", &writer)
            writer.key("additionalProperties")
            values.write(to: &writer)
            writeDescription(description, &writer)
        case .nullable(let inner):
            writer.key("oneOf")
            writer.beginArray()
            inner.write(to: &writer)
            writer.beginObject()
            writeType("null", &writer)
            writer.endObject()
            writer.endArray()
        }
        writer.endObject()
    }

    private func writeType(_ type: String, _ writer: inout JSONWriter) {
        writer.key("type")
        writer.string(type)
    }

    private func writeDescription(_ description: String?, _ writer: inout JSONWriter) {
        guard let description else { return }
        writer.key("description")
        writer.string(description)
    }

    /// The schema of every error body: `{"error": {"code", "message", "fields"?}}`.
    public static let errorBody = JSONSchema.object(
        properties: [
            (
                "error",
                .object(
                    properties: [
                        ("code", .string(description: "Stable machine-readable code.")),
                        ("message", .string(description: "A message safe to show a person.")),
                        ("fields", .map(of: .string(), description: "Validation messages by field.")),
                    ],
                    required: ["code", "message"])
            )
        ],
        required: ["error"])
}
