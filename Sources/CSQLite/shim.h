#ifndef SYNCLINE_CSQLITE_SHIM_H
#define SYNCLINE_CSQLITE_SHIM_H

#include <sqlite3.h>

/* SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import:
 * these wrappers bind a copy of the bytes, as the SQLite manual describes for that value. */
static inline int syncline_sqlite3_bind_text(sqlite3_stmt *statement, int index, const char *text, int length)
{
    return sqlite3_bind_text(statement, index, text, length, SQLITE_TRANSIENT);
}

static inline int syncline_sqlite3_bind_blob(sqlite3_stmt *statement, int index, const void *bytes, int length)
{
    return sqlite3_bind_blob(statement, index, bytes, length, SQLITE_TRANSIENT);
}

#endif
