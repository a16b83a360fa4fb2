import Core

/// Builds the OpenAPI 3.1 document from the router's route metadata, so it never drifts from the routes.
public struct OpenAPIDocument: Sendable {
    /// The API name shown in the document's `info` block.
    public var title: String
    /// The API version shown in the document's `info` block.
    public var version: String

    /// Creates a document builder that labels its output with `title` and `version`.
    public init(title: String, version: String) {
        self.title = title
        self.version = version
    }

    /// The document as JSON bytes; only routes under `pathPrefix` that are not hidden appear.
    public func render(routes: [Route], pathPrefix: String = "/") -> [UInt8] {
        let documented = routes.filter { !$0.metadata.hidden && $0.template.hasPrefix(pathPrefix) }
        var templates: [String] = []
        var byTemplate: [String: [Route]] = [:]
        for route in documented {
            if byTemplate[route.template] == nil { templates.append(route.template) }
            byTemplate[route.template, default: []].append(route)
        }

        var writer = JSONWriter(capacity: 16 * 1024)
        writer.beginObject()
        writer.key("openapi")
        writer.string("3.1.0")
        writer.key("info")
        writer.beginObject()
        writer.key("title")
        writer.string(title)
        writer.key("version")
        writer.string(version)
        writer.endObject()
        writer.key("paths")
        writer.beginObject()
        for template in templates {
            writer.key(template)
            writer.beginObject()
            for route in byTemplate[template]! {
                writer.key(route.method.rawValue.lowercased())
                writeOperation(route, &writer)
            }
            writer.endObject()
        }
        writer.endObject()
        writer.key("components")
        writer.beginObject()
        writer.key("securitySchemes")
        writer.beginObject()
        writer.key("session")
        writer.beginObject()
        writer.key("type")
        writer.string("apiKey")
        writer.key("in")
        writer.string("cookie")
        writer.key("name")
        writer.string("syncline_session")
        writer.endObject()
        writer.key("bearer")
        writer.beginObject()
        writer.key("type")
        writer.string("http")
        writer.key("scheme")
        writer.string("bearer")
        writer.key("bearerFormat")
        writer.string("JWT")
        writer.endObject()
        writer.endObject()
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }

    private func writeOperation(_ route: Route, _ writer: inout JSONWriter) {
        let metadata = route.metadata
        writer.beginObject()
        writer.key("operationId")
        writer.string(operationID(route))
        writer.key("summary")
        writer.string(metadata.summary)
        if !metadata.tags.isEmpty {
            writer.key("tags")
            writer.beginArray()
            for tag in metadata.tags {
                writer.string(tag)
            }
            writer.endArray()
        }
        writer.key("x-syncline-access")
        writer.string(metadata.access.rawValue)
        writer.key("security")
        writer.beginArray()
        if metadata.access == .anyone {
            writer.beginObject()
            writer.endObject()
        } else {
            for scheme in ["session", "bearer"] {
                writer.beginObject()
                writer.key(scheme)
                writer.beginArray()
                writer.endArray()
                writer.endObject()
            }
        }
        writer.endArray()

        let names = route.parameterNames
        if !names.isEmpty {
            writer.key("parameters")
            writer.beginArray()
            for name in names {
                writer.beginObject()
                writer.key("name")
                writer.string(name)
                writer.key("in")
                writer.string("path")
                writer.key("required")
                writer.bool(true)
                writer.key("schema")
                JSONSchema.string().write(to: &writer)
                writer.endObject()
            }
            writer.endArray()
        }

        if !metadata.accepts.isEmpty {
            writer.key("requestBody")
            writer.beginObject()
            writer.key("required")
            writer.bool(true)
            writer.key("content")
            writer.beginObject()
            for type in metadata.accepts {
                writer.key(type)
                writer.beginObject()
                if let schema = metadata.requestSchema {
                    writer.key("schema")
                    schema.write(to: &writer)
                }
                writer.endObject()
            }
            writer.endObject()
            writer.endObject()
        }

        writer.key("responses")
        writer.beginObject()
        var responses = metadata.responses
        if responses.isEmpty { responses[200] = ResponseDocumentation("Success.") }
        responses[400] = responses[400] ?? ResponseDocumentation("Malformed request.", schema: .errorBody)
        for status in responses.keys.sorted() {
            let response = responses[status]!
            writer.key(String(status))
            writer.beginObject()
            writer.key("description")
            writer.string(response.description)
            if let schema = response.schema {
                writer.key("content")
                writer.beginObject()
                writer.key(response.contentType)
                writer.beginObject()
                writer.key("schema")
                schema.write(to: &writer)
                writer.endObject()
                writer.endObject()
            }
            writer.endObject()
        }
        writer.endObject()
        writer.endObject()
    }

    /// `GET /api/v1/sources/{id}` becomes `getApiV1SourcesId`.
    private func operationID(_ route: Route) -> String {
        var identifier = route.method.rawValue.lowercased()
        for part in route.template.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            identifier += part.prefix(1).uppercased() + part.dropFirst()
        }
        return identifier
    }
}
