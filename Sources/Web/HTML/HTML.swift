/// A fragment of HTML whose interpolated strings are escaped.
///
/// String literals are trusted markup; every `String` interpolated into them is escaped, so data
/// from sources and users can never open a tag or an attribute. Fragments interpolate as they are.
///
///     let cell: HTML = "<td class=\"name\">\(user.username)</td>"
public struct HTML: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup.
    public private(set) var text: String

    /// Markup that is trusted as it is, such as an SVG chart built with its own escaping.
    public init(trusted text: String) {
        self.text = text
    }

    /// Trusted markup from a literal.
    public init(stringLiteral value: String) {
        text = value
    }

    /// Markup built from literal parts and escaped values.
    public init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
    }

    /// No markup at all.
    public static let empty = HTML(trusted: "")

    /// The markup.
    public var description: String { text }

    /// Appends `other`.
    public static func + (lhs: HTML, rhs: HTML) -> HTML {
        HTML(trusted: lhs.text + rhs.text)
    }

    /// Appends `other` in place.
    public static func += (lhs: inout HTML, rhs: HTML) {
        lhs.text += rhs.text
    }

    /// `text` escaped for element content and quoted attribute values (see ``Markup/escape(_:)``).
    public static func escape(_ text: String) -> String {
        Markup.escape(text)
    }

    /// Builds markup from literals, escaped strings and nested fragments.
    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""

        /// Reserves room for the literal parts.
        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 8)
        }

        /// Appends trusted literal markup.
        public mutating func appendLiteral(_ literal: String) {
            text += literal
        }

        /// Appends `value`, escaped.
        public mutating func appendInterpolation(_ value: String) {
            text += HTML.escape(value)
        }

        /// Appends `value`, escaped; nothing for nil.
        public mutating func appendInterpolation(_ value: String?) {
            if let value { text += HTML.escape(value) }
        }

        /// Appends a number.
        public mutating func appendInterpolation<Number: BinaryInteger>(_ value: Number) {
            text += String(value)
        }

        /// Appends a fragment as it is.
        public mutating func appendInterpolation(_ value: HTML) {
            text += value.text
        }

        /// Appends fragments one after another.
        public mutating func appendInterpolation(_ values: [HTML]) {
            for value in values { text += value.text }
        }
    }
}

extension Array where Element == HTML {
    /// The fragments one after another.
    public var joined: HTML {
        HTML(trusted: map(\.text).joined())
    }
}
