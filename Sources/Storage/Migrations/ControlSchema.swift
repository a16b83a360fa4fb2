/// The migrations of Syncline's control tables, oldest first.
///
/// Append new versions at the end; never edit a migration that has shipped, since databases
/// that applied it will not run it again.
public enum ControlSchema {
    /// Every control-schema migration in version order.
    public static let migrations: [Migration] = [
        Migration(
            version: 1,
            name: "instance",
            sqlite: """
                CREATE TABLE instance_settings (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                """,
            postgres: """
                CREATE TABLE instance_settings (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL,
                    updated_at TIMESTAMPTZ NOT NULL
                );
                """
        )
    ]
}
