/// A labelled input with its hint and, when a submitted value was refused, the reason beside it.
///
/// A refused field is marked `aria-invalid` and described by its message, so a screen reader
/// reads the reason with the field.
struct FormField {
    /// The visible label.
    var label: String
    /// The name the value is sent under; also the element id unless `id` is set.
    var name: String
    /// The input's `type`.
    var type = "text"
    /// The value shown in the input; passwords are never shown again.
    var value = ""
    /// The `autocomplete` token, so password managers fill the right field.
    var autocomplete = "off"
    /// A line under the input saying what is expected.
    var hint: String?
    /// Why the submitted value was refused.
    var error: String?
    /// An id unique on the page, for a name that appears in several forms.
    var id: String?
    /// Whether the browser may send the form without a value.
    var required = true
    /// Further attributes, such as `step="1"`.
    var attributes: HTML = .empty

    /// The label around the input, the hint and the error.
    var html: HTML {
        let id = self.id ?? name
        var described: [String] = []
        var after = HTML.empty
        if let hint {
            described.append("\(id)-hint")
            after += "<span class=\"hint\" id=\"\(id)-hint\">\(hint)</span>"
        }
        if let error {
            described.append("\(id)-error")
            after += "<span class=\"field-error\" id=\"\(id)-error\">\(error)</span>"
        }
        var input: HTML = "<input id=\"\(id)\" name=\"\(name)\" type=\"\(type)\" autocomplete=\"\(autocomplete)\""
        if !value.isEmpty { input += " value=\"\(value)\"" }
        if required { input += " required" }
        if error != nil { input += " aria-invalid=\"true\"" }
        if !described.isEmpty { input += " aria-describedby=\"\(described.joined(separator: " "))\"" }
        input += attributes + ">"
        return "<label for=\"\(id)\">\(label) \(input)\(after)</label>"
    }

    /// The `<option>`s of a select, `selected` marked; each choice is a value and its label.
    static func options(_ choices: [(value: String, label: String)], selected: String?) -> HTML {
        choices.map { choice -> HTML in
            let mark: HTML = choice.value == selected ? " selected" : ""
            return "<option value=\"\(choice.value)\"\(mark)>\(choice.label)</option>"
        }.joined
    }
}
