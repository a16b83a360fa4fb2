#ifndef SYNCLINE_CSQLITE_SHIM_H
#define SYNCLINE_CSQLITE_SHIM_H

#include <sqlite3.h>

/* SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import: this
 * wrapper binds a copy of the text, as the SQLite manual describes for that value. */
static inline int syncline_sqlite3_bind_text(sqlite3_stmt *statement, int index, const char *text, int length)
{
    return sqlite3_bind_text(statement, index, text, length, SQLITE_TRANSIENT);
}

/* SQLITE_STATIC is a null destructor, which Swift cannot import as a constant either: SQLite then
 * reads the bytes in place, and they must stay valid until the parameter is bound again (which
 * sqlite3_clear_bindings does) or the statement is finalized. */
static inline int syncline_sqlite3_bind_text_in_place(sqlite3_stmt *statement, int index, const char *text, int length)
{
    return sqlite3_bind_text(statement, index, text, length, SQLITE_STATIC);
}

static inline int syncline_sqlite3_bind_blob_in_place(sqlite3_stmt *statement, int index, const void *bytes, int length)
{
    return sqlite3_bind_blob(statement, index, bytes, length, SQLITE_STATIC);
}

#endif
