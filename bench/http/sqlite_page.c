/* Reference for case (b): the same 50-row page query run straight against SQLite's C API on
 * one core, with nothing else around it. Prints the median of several passes, in microseconds
 * per page, so the benchmark can show how much of the server's time the query alone takes.
 *
 * Usage: sqlite_page DATABASE ROWS PASSES QUERIES_PER_PASS */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s DATABASE ROWS PASSES QUERIES_PER_PASS\n", argv[0]);
        return 2;
    }
    long rows = atol(argv[2]);
    int passes = atoi(argv[3]);
    int queries = atoi(argv[4]);
    if (rows <= 1000 || passes < 1 || passes > 99 || queries < 1) {
        fprintf(stderr, "sqlite_page: ROWS must exceed 1000, PASSES be 1 to 99, QUERIES positive\n");
        return 2;
    }

    sqlite3 *db;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite_page: cannot open %s: %s\n", argv[1], sqlite3_errmsg(db));
        return 1;
    }
    /* The server's readers map the file the same way. */
    sqlite3_exec(db, "PRAGMA mmap_size = 1073741824", NULL, NULL, NULL);
    sqlite3_stmt *statement;
    const char *sql = "SELECT id, name, email, region, amount, quantity, active, created_at, score, "
                      "category, notes, updated_at FROM bench_rows WHERE id > ?1 ORDER BY id LIMIT 50";
    if (sqlite3_prepare_v2(db, sql, -1, &statement, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite_page: %s\n", sqlite3_errmsg(db));
        return 1;
    }

    /* Every value is read the way the server reads it, so the work cannot be skipped. */
    unsigned long long checksum = 0;
    double microseconds[99];
    srand(1);
    for (int pass = 0; pass < passes; pass++) {
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (int query = 0; query < queries; query++) {
            sqlite3_bind_int64(statement, 1, rand() % (rows - 1000));
            while (sqlite3_step(statement) == SQLITE_ROW) {
                for (int column = 0; column < 12; column++) {
                    switch (sqlite3_column_type(statement, column)) {
                    case SQLITE_INTEGER: checksum += (unsigned long long)sqlite3_column_int64(statement, column); break;
                    case SQLITE_FLOAT: checksum += (unsigned long long)sqlite3_column_double(statement, column); break;
                    case SQLITE_TEXT:
                        checksum += sqlite3_column_text(statement, column)[0];
                        checksum += (unsigned long long)sqlite3_column_bytes(statement, column);
                        break;
                    default: break;
                    }
                }
            }
            sqlite3_reset(statement);
        }
        clock_gettime(CLOCK_MONOTONIC, &end);
        double elapsed = (double)(end.tv_sec - start.tv_sec) * 1e6 + (double)(end.tv_nsec - start.tv_nsec) / 1e3;
        microseconds[pass] = elapsed / queries;
    }
    qsort(microseconds, (size_t)passes, sizeof(double), compare);
    printf("%.1f %llu\n", microseconds[passes / 2], checksum % 1000);
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return 0;
}
