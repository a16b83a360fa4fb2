// The C API of csimdjson.h over simdjson's DOM parser.
//
// The DOM parser validates the whole document (structure, atoms, numbers, UTF-8) before any
// value is read, so a page is either used whole or refused whole, and nested values re-emitted
// as compact JSON are always valid JSON. Elements point into the parser's document, which the
// next parse overwrites (simdjson's "dom::parser" documentation); nothing here keeps one past
// that point.

#include "csimdjson.h"

#include <simdjson.h>

#include <deque>
#include <new>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

using simdjson::error_code;
using simdjson::dom::element;
using simdjson::dom::element_type;

struct csj_parser {
    explicit csj_parser(size_t max_bytes) : parser(max_bytes) {}

    simdjson::dom::parser parser;
    element root;
    bool has_document = false;
    error_code last_error = simdjson::SUCCESS;

    /// The events and text of the last read.
    std::vector<csj_event> events;
    std::string text;

    /// Interned field names. A deque never moves its elements, so the views the index holds
    /// stay valid as names are added.
    std::deque<std::string> names;
    std::unordered_map<std::string_view, uint32_t> name_index;
    /// The name of each member of the previous record, by position: records of one page mostly
    /// share a shape, so comparing against it usually avoids a hash lookup.
    std::vector<uint32_t> previous_shape;

    /// The input with oversized integers rewritten as decimals, when that was needed.
    std::string widened;
};

namespace {

csj_status status_of(error_code error) {
    switch (error) {
    case simdjson::SUCCESS: return CSJ_OK;
    case simdjson::UTF8_ERROR: return CSJ_INVALID_UTF8;
    case simdjson::DEPTH_ERROR: return CSJ_TOO_DEEP;
    case simdjson::CAPACITY: return CSJ_TOO_LARGE;
    case simdjson::MEMALLOC: return CSJ_OUT_OF_MEMORY;
    default: return CSJ_INVALID_JSON;
    }
}

bool is_number_byte(uint8_t byte) {
    return (byte >= '0' && byte <= '9') || byte == '.' || byte == 'e' || byte == 'E' || byte == '+' || byte == '-';
}

/// Whether the integer digits `digits` (no sign) exceed what 64 bits hold.
bool exceeds_64_bits(std::string_view digits, bool negative) {
    std::string_view limit = negative ? "9223372036854775808" : "18446744073709551615";
    return digits.size() > limit.size() || (digits.size() == limit.size() && digits > limit);
}

/// Copies `input` to `output` with every integer too large for 64 bits followed by ".0", which
/// simdjson then reads as a double; false when there was no such integer.
///
/// simdjson's DOM parser refuses such integers outright (NUMBER_ERROR), while JSON allows them.
/// Only text outside strings is examined, so digits inside strings are never touched.
bool widen_big_integers(const uint8_t *input, size_t length, std::string &output) {
    output.clear();
    output.reserve(length + 64);
    bool widened = false;
    bool in_string = false;
    size_t index = 0;
    while (index < length) {
        uint8_t byte = input[index];
        if (in_string) {
            output.push_back(char(byte));
            if (byte == '\\' && index + 1 < length) {
                output.push_back(char(input[index + 1]));
                index += 2;
                continue;
            }
            in_string = byte != '"';
            index += 1;
            continue;
        }
        if (byte == '"') {
            in_string = true;
        } else if (byte == '-' || (byte >= '0' && byte <= '9')) {
            size_t start = index;
            bool negative = byte == '-';
            size_t digits_start = negative ? index + 1 : index;
            size_t end = digits_start;
            while (end < length && input[end] >= '0' && input[end] <= '9') { end += 1; }
            std::string_view digits(reinterpret_cast<const char *>(input + digits_start), end - digits_start);
            bool is_integer = end == length || (input[end] != '.' && input[end] != 'e' && input[end] != 'E');
            // A fraction or exponent belongs to the same number, whose digits are left alone.
            while (end < length && is_number_byte(input[end])) { end += 1; }
            output.append(reinterpret_cast<const char *>(input + start), end - start);
            if (is_integer && exceeds_64_bits(digits, negative)) {
                output.append(".0");
                widened = true;
            }
            index = end;
            continue;
        }
        output.push_back(char(byte));
        index += 1;
    }
    return widened;
}

uint32_t intern(csj_parser &parser, std::string_view name, size_t position) {
    if (position < parser.previous_shape.size()) {
        uint32_t guess = parser.previous_shape[position];
        if (guess < parser.names.size() && parser.names[guess] == name) { return guess; }
    }
    uint32_t index;
    auto found = parser.name_index.find(name);
    if (found != parser.name_index.end()) {
        index = found->second;
    } else {
        index = uint32_t(parser.names.size());
        parser.names.emplace_back(name);
        parser.name_index.emplace(parser.names.back(), index);
    }
    if (position < parser.previous_shape.size()) {
        parser.previous_shape[position] = index;
    } else {
        parser.previous_shape.push_back(index);
    }
    return index;
}

csj_span append_text(csj_parser &parser, std::string_view text) {
    csj_span span{uint32_t(parser.text.size()), uint32_t(text.size())};
    parser.text.append(text.data(), text.size());
    return span;
}

/// Fills `event`'s kind and payload from `value`. The DOM has validated the document, so each
/// accessor matching the reported type cannot fail.
void describe(csj_parser &parser, element value, csj_event &event) {
    switch (value.type()) {
    case element_type::NULL_VALUE:
        event.kind = CSJ_NULL;
        break;
    case element_type::BOOL:
        event.kind = value.get_bool().value_unsafe() ? CSJ_TRUE : CSJ_FALSE;
        break;
    case element_type::INT64:
        event.kind = CSJ_INTEGER;
        event.payload.integer = value.get_int64().value_unsafe();
        break;
    case element_type::UINT64:
        event.kind = CSJ_REAL;
        event.payload.real = double(value.get_uint64().value_unsafe());
        break;
    case element_type::DOUBLE:
        event.kind = CSJ_REAL;
        event.payload.real = value.get_double().value_unsafe();
        break;
    case element_type::STRING:
        event.kind = CSJ_TEXT;
        event.payload.text = append_text(parser, value.get_string().value_unsafe());
        break;
    case element_type::ARRAY:
    case element_type::OBJECT:
        event.kind = CSJ_JSON;
        event.payload.text = append_text(parser, simdjson::minify(value));
        break;
    }
}

bool is_index(std::string_view component) {
    if (component.empty() || component.size() > 9) { return false; }
    for (char character : component) {
        if (character < '0' || character > '9') { return false; }
    }
    return true;
}

/// Follows the dotted `path` from `root`; false when a step finds nothing.
bool find(element root, std::string_view path, element &found) {
    found = root;
    if (path.empty()) { return true; }
    size_t start = 0;
    while (true) {
        size_t dot = path.find('.', start);
        std::string_view component = path.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (found.is_object()) {
            if (found.get_object().value_unsafe().at_key(component).get(found)) { return false; }
        } else if (found.is_array() && is_index(component)) {
            size_t index = 0;
            for (char digit : component) { index = index * 10 + size_t(digit - '0'); }
            if (found.get_array().value_unsafe().at(index).get(found)) { return false; }
        } else {
            return false;
        }
        if (dot == std::string_view::npos) { return true; }
        start = dot + 1;
    }
}

} // namespace

extern "C" {

csj_parser *csj_parser_create(size_t max_bytes, size_t max_depth) {
    csj_parser *parser = new (std::nothrow) csj_parser(max_bytes);
    if (parser == nullptr) { return nullptr; }
    size_t initial = max_bytes < 65536 ? max_bytes : 65536;
    if (parser->parser.allocate(initial, max_depth) != simdjson::SUCCESS) {
        delete parser;
        return nullptr;
    }
    return parser;
}

void csj_parser_destroy(csj_parser *parser) { delete parser; }

csj_status csj_parse(csj_parser *parser, const uint8_t *bytes, size_t length) {
    try {
        parser->has_document = false;
        error_code error = parser->parser.parse(bytes, length).get(parser->root);
        if (error == simdjson::NUMBER_ERROR && widen_big_integers(bytes, length, parser->widened)) {
            error = parser->parser.parse(parser->widened).get(parser->root);
        }
        parser->last_error = error;
        parser->has_document = error == simdjson::SUCCESS;
        return status_of(error);
    } catch (...) {
        // Only the standard containers throw here, and only when memory runs out.
        parser->last_error = simdjson::MEMALLOC;
        return CSJ_OUT_OF_MEMORY;
    }
}

const char *csj_error_detail(const csj_parser *parser) {
    return parser->last_error == simdjson::SUCCESS ? "" : simdjson::error_message(parser->last_error);
}

csj_status csj_read_records(csj_parser *parser, const char *path, size_t path_length, csj_records *records) {
    try {
        parser->events.clear();
        parser->text.clear();
        *records = csj_records{};
        if (!parser->has_document) { return CSJ_NO_DOCUMENT; }
        element target;
        if (!find(parser->root, std::string_view(path, path_length), target)) { return CSJ_PATH_MISSING; }
        simdjson::dom::array array;
        if (target.get_array().get(array)) { return CSJ_NOT_AN_ARRAY; }

        size_t index = 0;
        for (element item : array) {
            simdjson::dom::object object;
            if (item.get_object().get(object)) {
                records->failed_index = index;
                return CSJ_NOT_AN_OBJECT;
            }
            size_t header = parser->events.size();
            parser->events.push_back(csj_event{CSJ_RECORD, 0, {0}});
            uint32_t position = 0;
            for (simdjson::dom::key_value_pair member : object) {
                csj_event event{CSJ_NULL, intern(*parser, member.key, position), {0}};
                describe(*parser, member.value, event);
                parser->events.push_back(event);
                position += 1;
            }
            parser->events[header].field = position;
            index += 1;
        }

        records->events = parser->events.data();
        records->event_count = parser->events.size();
        records->record_count = index;
        records->text = reinterpret_cast<const uint8_t *>(parser->text.data());
        return CSJ_OK;
    } catch (...) {
        return CSJ_OUT_OF_MEMORY;
    }
}

csj_status csj_read_value(
    csj_parser *parser, const char *path, size_t path_length, csj_event *value, const uint8_t **text) {
    try {
        parser->text.clear();
        *value = csj_event{CSJ_ABSENT, 0, {0}};
        *text = nullptr;
        if (!parser->has_document) { return CSJ_NO_DOCUMENT; }
        element target;
        if (find(parser->root, std::string_view(path, path_length), target)) {
            describe(*parser, target, *value);
            *text = reinterpret_cast<const uint8_t *>(parser->text.data());
        }
        return CSJ_OK;
    } catch (...) {
        return CSJ_OUT_OF_MEMORY;
    }
}

size_t csj_name_count(const csj_parser *parser) { return parser->names.size(); }

const uint8_t *csj_name(const csj_parser *parser, uint32_t index, size_t *length) {
    const std::string &name = parser->names[index];
    *length = name.size();
    return reinterpret_cast<const uint8_t *>(name.data());
}

void csj_forget_names(csj_parser *parser) {
    parser->name_index.clear();
    parser->names.clear();
    parser->previous_shape.clear();
}

} // extern "C"
