// A C view of simdjson's DOM parser for Syncline's REST connector.
//
// simdjson is C++; Swift sees only what this header declares. A parser parses one page at a
// time into its own buffers, which later calls reuse, so a run allocates once per parser rather
// than once per page. Every pointer a function returns stays valid until the next call on the
// same parser (or its destruction).

#ifndef CSIMDJSON_H
#define CSIMDJSON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What a call achieved.
typedef enum csj_status {
    CSJ_OK = 0,
    /// The text is not JSON; `csj_error_detail` says what simdjson found.
    CSJ_INVALID_JSON,
    /// The text is not valid UTF-8.
    CSJ_INVALID_UTF8,
    /// Arrays and objects nest deeper than the parser allows.
    CSJ_TOO_DEEP,
    /// The text is longer than the parser allows.
    CSJ_TOO_LARGE,
    /// Memory ran out.
    CSJ_OUT_OF_MEMORY,
    /// No document has been parsed successfully yet.
    CSJ_NO_DOCUMENT,
    /// Nothing is found at the path.
    CSJ_PATH_MISSING,
    /// The value at the records path is not an array.
    CSJ_NOT_AN_ARRAY,
    /// An element of the records array is not an object; `failed_index` says which.
    CSJ_NOT_AN_OBJECT,
} csj_status;

/// The kind of an event.
typedef enum csj_kind {
    /// The start of a record; `field` holds the number of member events that follow.
    CSJ_RECORD = 0,
    CSJ_NULL,
    CSJ_FALSE,
    CSJ_TRUE,
    /// A whole number that fits `int64_t`, in `payload.integer`.
    CSJ_INTEGER,
    /// Any other number, in `payload.real`.
    CSJ_REAL,
    /// A string, unescaped UTF-8 in the text buffer at `payload.text`.
    CSJ_TEXT,
    /// An array or object, as compact JSON in the text buffer at `payload.text`.
    CSJ_JSON,
    /// Nothing at the path asked for (`csj_read_value` only).
    CSJ_ABSENT,
} csj_kind;

/// Where a piece of text lies in the parser's text buffer.
typedef struct csj_span {
    uint32_t offset;
    uint32_t length;
} csj_span;

/// The value carried by an event, chosen by its kind.
typedef union csj_payload {
    int64_t integer;
    double real;
    csj_span text;
} csj_payload;

/// One record start or one field, sixteen bytes.
typedef struct csj_event {
    /// A `csj_kind`.
    uint32_t kind;
    /// The field's name as an index into the parser's name table; for `CSJ_RECORD` the member count.
    uint32_t field;
    csj_payload payload;
} csj_event;

/// The result of `csj_read_records`.
typedef struct csj_records {
    /// The events: each record's `CSJ_RECORD` followed by one event per member.
    const csj_event *events;
    size_t event_count;
    /// The number of records.
    size_t record_count;
    /// The text buffer that `CSJ_TEXT` and `CSJ_JSON` spans point into.
    const uint8_t *text;
    /// On `CSJ_NOT_AN_OBJECT`, the position of the offending element in the array.
    size_t failed_index;
} csj_records;

typedef struct csj_parser csj_parser;

/// Creates a parser for documents of at most `max_bytes` bytes nesting at most `max_depth`
/// levels; NULL when memory runs out.
csj_parser *csj_parser_create(size_t max_bytes, size_t max_depth);

/// Frees the parser and everything it returned.
void csj_parser_destroy(csj_parser *parser);

/// Parses and fully validates `length` bytes of JSON (the bytes are copied; they need no padding).
///
/// Integers too large for 64 bits are read as floating-point numbers.
csj_status csj_parse(csj_parser *parser, const uint8_t *bytes, size_t length);

/// simdjson's description of the last parse failure, or an empty string.
const char *csj_error_detail(const csj_parser *parser);

/// Walks the array at the dotted `path` (empty: the document itself) and describes each of its
/// elements, which must be objects, as events.
///
/// Field names are interned in the parser's name table, which persists from page to page until
/// `csj_forget_names`, so a caller can keep its own copy of each name and convert it once.
csj_status csj_read_records(csj_parser *parser, const char *path, size_t path_length, csj_records *records);

/// Describes the value at the dotted `path` as one event (`CSJ_ABSENT` when there is none);
/// text goes to the buffer returned through `text`.
///
/// A path component that is all digits indexes an array.
csj_status csj_read_value(
    csj_parser *parser, const char *path, size_t path_length, csj_event *value, const uint8_t **text);

/// The number of names in the name table.
size_t csj_name_count(const csj_parser *parser);

/// The UTF-8 bytes of name `index`, their count through `length`.
const uint8_t *csj_name(const csj_parser *parser, uint32_t index, size_t *length);

/// Empties the name table; the next names are numbered from zero again.
void csj_forget_names(csj_parser *parser);

#ifdef __cplusplus
}
#endif

#endif
