/// The JSON shapes of the option enums, the same ones ``SourceDefinition/init(json:)`` reads.

extension RESTPagination: Encodable {
    private enum CodingKeys: String, CodingKey {
        case style, parameter, firstPage, sizeParameter, size, offsetParameter, limitParameter, limit, tokenPath
        case urlPath
    }

    /// The style's name as definitions spell it.
    public var style: String {
        switch self {
        case .none: "none"
        case .pageNumber: "page"
        case .offset: "offset"
        case .cursor: "cursor"
        case .linkHeader: "link"
        case .nextURL: "nextUrl"
        }
    }

    /// Encodes `{"style": …}` with the style's own fields.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(style, forKey: .style)
        switch self {
        case .none, .linkHeader:
            break
        case .pageNumber(let parameter, let firstPage, let sizeParameter, let size):
            try container.encode(parameter, forKey: .parameter)
            try container.encode(firstPage, forKey: .firstPage)
            try container.encodeIfPresent(sizeParameter, forKey: .sizeParameter)
            try container.encodeIfPresent(size, forKey: .size)
        case .offset(let offsetParameter, let limitParameter, let limit):
            try container.encode(offsetParameter, forKey: .offsetParameter)
            try container.encode(limitParameter, forKey: .limitParameter)
            try container.encode(limit, forKey: .limit)
        case .cursor(let parameter, let tokenPath):
            try container.encode(parameter, forKey: .parameter)
            try container.encode(tokenPath, forKey: .tokenPath)
        case .nextURL(let urlPath):
            try container.encode(urlPath, forKey: .urlPath)
        }
    }
}

extension RESTAuth: Encodable {
    private enum CodingKeys: String, CodingKey {
        case kind, tokenVariable, header, variable, username, passwordVariable
    }

    /// The kind's name as definitions spell it.
    public var kindName: String {
        switch self {
        case .none: "none"
        case .bearer: "bearer"
        case .apiKey: "apiKey"
        case .basic: "basic"
        }
    }

    /// Encodes `{"kind": …}` with the names of the variables, never their values.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kindName, forKey: .kind)
        switch self {
        case .none:
            break
        case .bearer(let variable):
            try container.encode(variable, forKey: .tokenVariable)
        case .apiKey(let header, let variable):
            try container.encode(header, forKey: .header)
            try container.encode(variable, forKey: .variable)
        case .basic(let username, let variable):
            try container.encode(username, forKey: .username)
            try container.encode(variable, forKey: .passwordVariable)
        }
    }
}

extension PostgresSourceOptions {
    private enum CodingKeys: String, CodingKey {
        case urlVariable, table, query
    }

    /// Encodes `{"urlVariable": …, "table" or "query": …}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(urlVariable, forKey: .urlVariable)
        switch selection {
        case .table(let name): try container.encode(name, forKey: .table)
        case .query(let sql): try container.encode(sql, forKey: .query)
        }
    }
}

extension SQLiteSourceOptions {
    private enum CodingKeys: String, CodingKey {
        case path, table, query
    }

    /// Encodes `{"path": …, "table" or "query": …}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        switch selection {
        case .table(let name): try container.encode(name, forKey: .table)
        case .query(let sql): try container.encode(sql, forKey: .query)
        }
    }
}
