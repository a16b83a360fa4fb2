/// Names of SQLite result codes as the C manual spells them (`SQLITE_CONSTRAINT_UNIQUE`).
///
/// SQLite has no function that returns a code's constant name (`sqlite3_errstr` gives English
/// text), and the extended codes are function-like macros Swift does not import, so the names
/// are listed here: an extended code is its primary code plus `n << 8`, and `n` indexes the
/// primary code's list below, where an empty name marks a number SQLite leaves unused (see
/// "Result and Error Codes" in the SQLite manual).
enum SQLiteResultCode {
    static func name(_ code: Int32) -> String {
        let primary = Int(code & 0xFF)
        let extended = Int(code >> 8)
        let base = primaryNames[primary] ?? "UNKNOWN(\(primary))"
        guard extended > 0 else { return "SQLITE_" + base }
        guard let names = extendedNames[primary], extended <= names.count,
            !names[extended - 1].isEmpty
        else {
            return "SQLITE_\(base)(\(extended))"
        }
        return "SQLITE_\(base)_\(names[extended - 1])"
    }

    private static let primaryNames: [Int: String] = [
        0: "OK", 1: "ERROR", 2: "INTERNAL", 3: "PERM", 4: "ABORT", 5: "BUSY", 6: "LOCKED",
        7: "NOMEM", 8: "READONLY", 9: "INTERRUPT", 10: "IOERR", 11: "CORRUPT", 12: "NOTFOUND",
        13: "FULL", 14: "CANTOPEN", 15: "PROTOCOL", 16: "EMPTY", 17: "SCHEMA", 18: "TOOBIG",
        19: "CONSTRAINT", 20: "MISMATCH", 21: "MISUSE", 22: "NOLFS", 23: "AUTH", 24: "FORMAT",
        25: "RANGE", 26: "NOTADB", 27: "NOTICE", 28: "WARNING", 100: "ROW", 101: "DONE",
    ]

    private static let extendedNames: [Int: [String]] = [
        0: ["LOAD_PERMANENTLY", "SYMLINK"],
        1: ["MISSING_COLLSEQ", "RETRY", "SNAPSHOT"],
        4: ["", "ROLLBACK"],
        5: ["RECOVERY", "SNAPSHOT", "TIMEOUT"],
        6: ["SHAREDCACHE", "VTAB"],
        8: ["RECOVERY", "CANTLOCK", "ROLLBACK", "DBMOVED", "CANTINIT", "DIRECTORY"],
        10: [
            "READ", "SHORT_READ", "WRITE", "FSYNC", "DIR_FSYNC", "TRUNCATE", "FSTAT", "UNLOCK",
            "RDLOCK", "DELETE", "BLOCKED", "NOMEM", "ACCESS", "CHECKRESERVEDLOCK", "LOCK",
            "CLOSE", "DIR_CLOSE", "SHMOPEN", "SHMSIZE", "SHMLOCK", "SHMMAP", "SEEK",
            "DELETE_NOENT", "MMAP", "GETTEMPPATH", "CONVPATH", "VNODE", "AUTH", "BEGIN_ATOMIC",
            "COMMIT_ATOMIC", "ROLLBACK_ATOMIC", "DATA", "CORRUPTFS",
        ],
        11: ["VTAB", "SEQUENCE", "INDEX"],
        14: ["NOTEMPDIR", "ISDIR", "FULLPATH", "CONVPATH", "DIRTYWAL", "SYMLINK"],
        19: [
            "CHECK", "COMMITHOOK", "FOREIGNKEY", "FUNCTION", "NOTNULL", "PRIMARYKEY", "TRIGGER",
            "UNIQUE", "VTAB", "ROWID", "PINNED", "DATATYPE",
        ],
        23: ["USER"],
        27: ["RECOVER_WAL", "RECOVER_ROLLBACK"],
        28: ["AUTOINDEX"],
    ]
}
