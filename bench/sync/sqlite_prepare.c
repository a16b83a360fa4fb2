/* What preparing the sync engine's SQLite upsert costs, by placeholder style.
 *
 * The engine stores a page of records with one multi-row INSERT ... ON CONFLICT DO UPDATE whose
 * values are written $1, $2, ... (16 per record: four bookkeeping columns and 12 fields). This
 * program prepares the same shape of statement in an in-memory database with `$n`, `?n` and plain
 * `?` placeholders, and also asks sqlite3_bind_parameter_name for every slot, as
 * Storage/SQLite/SQLiteStatement.swift does to map slots to values. Times are CPU times of this
 * process, in milliseconds.
 *
 * Usage: sqlite_prepare ROWS [COLUMNS]      (defaults: COLUMNS 16)
 * Build: cc -O2 -o sqlite_prepare bench/sync/sqlite_prepare.c -lsqlite3 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_milliseconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

/* Writes the upsert for ROWS rows of COLUMNS values with placeholders of STYLE ('$', '?' for ?n,
 * or 'a' for anonymous ?) into a new string. */
static char *upsert(int rows, int columns, char style)
{
    char *sql = malloc((size_t)rows * columns * 12 + 4096), *end = sql;
    end += sprintf(end, "INSERT INTO records (__pk");
    for (int column = 1; column < columns; column++)
        end += sprintf(end, ", c%d", column);
    end += sprintf(end, ") VALUES ");
    int number = 1;
    for (int row = 0; row < rows; row++) {
        end += sprintf(end, row ? ", (" : "(");
        for (int column = 0; column < columns; column++, number++) {
            const char *comma = column ? ", " : "";
            end += style == 'a' ? sprintf(end, "%s?", comma) : sprintf(end, "%s%c%d", comma, style, number);
        }
        end += sprintf(end, ")");
    }
    end += sprintf(end, " ON CONFLICT (__pk) DO UPDATE SET c1 = excluded.c1"
                        " WHERE records.c1 IS DISTINCT FROM excluded.c1");
    return sql;
}

int main(int argc, char **argv)
{
    int rows = argc > 1 ? atoi(argv[1]) : 0;
    int columns = argc > 2 ? atoi(argv[2]) : 16;
    if (argc < 2 || argc > 3 || rows < 1 || columns < 2 || (long)rows * columns > 32766) {
        fprintf(stderr, "usage: %s ROWS [COLUMNS], at most 32,766 values in all\n", argv[0]);
        return 2;
    }

    sqlite3 *db;
    sqlite3_open(":memory:", &db);
    char create[4096], *end = create;
    end += sprintf(end, "CREATE TABLE records (__pk TEXT PRIMARY KEY");
    for (int column = 1; column < columns; column++)
        end += sprintf(end, ", c%d", column);
    sprintf(end, ")");
    sqlite3_exec(db, create, NULL, NULL, NULL);

    const char styles[] = {'$', '?', 'a'};
    const char *names[] = {"$n", "?n", "?"};
    for (int index = 0; index < 3; index++) {
        char *sql = upsert(rows, columns, styles[index]);
        sqlite3_stmt *statement;
        double start = cpu_milliseconds();
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL) != SQLITE_OK) {
            fprintf(stderr, "sqlite_prepare: %s\n", sqlite3_errmsg(db));
            return 1;
        }
        double prepared = cpu_milliseconds();
        int slots = sqlite3_bind_parameter_count(statement);
        size_t named = 0;
        for (int slot = 1; slot <= slots; slot++)
            named += sqlite3_bind_parameter_name(statement, slot) != NULL;
        double looked_up = cpu_milliseconds();
        printf("%d rows x %d values, %-2s placeholders: prepare %8.1f ms; %d parameter names (%zu named) %8.1f ms\n",
               rows, columns, names[index], prepared - start, slots, named, looked_up - prepared);
        sqlite3_finalize(statement);
        free(sql);
    }
    sqlite3_close(db);
    return 0;
}
