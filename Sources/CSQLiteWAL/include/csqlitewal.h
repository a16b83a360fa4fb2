#ifndef CSQLITEWAL_H
#define CSQLITEWAL_H

#include <sqlite3.h>

/// The name of the VFS that `csqlitewal_register` adds.
#define CSQLITEWAL_VFS_NAME "syncline-wal"

/// Registers, once, a VFS named `CSQLITEWAL_VFS_NAME` over the default VFS: every file behaves as
/// the default VFS's does, except that frames appended to a WAL file are gathered in a buffer and
/// reach the file as one write. The buffer is written out before a write that does not continue
/// it, before any other operation on the file, and as soon as the last byte of a commit frame is
/// in it, so the frames of a transaction are in the file before SQLite publishes the commit to
/// other connections. Returns an SQLite result code.
int csqlitewal_register(void);

/// Gives the writes SQLite has made to the WAL file of `database`'s main database through the
/// VFS, and the writes that reached the file in turn. Returns SQLITE_NOTFOUND when that WAL is not
/// open through the VFS.
int csqlitewal_writes(sqlite3 *database, sqlite3_int64 *received, sqlite3_int64 *issued);

#endif
