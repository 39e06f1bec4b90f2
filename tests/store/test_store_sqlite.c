/* test_store_sqlite.c: runs the store contract against SQLite, each case in a fresh database
 * file under a temporary directory; then what only the SQLite backend promises. */
#include "store_contract.h"

#include <sqlite3.h>
#include <unistd.h>

typedef struct sqlite_ctx {
    char dir[256];
    int next;
} sqlite_ctx;

static sqlite_ctx ctx;

static int fresh(void *p, char *url, size_t url_len)
{
    sqlite_ctx *c = p;
    int n = snprintf(url, url_len, "sqlite:%s/state-%d.db", c->dir, c->next++);
    return n > 0 && (size_t)n < url_len ? 0 : -1;
}

static int force_version(void *p, const char *url, int version)
{
    (void)p;
    sqlite3 *db = NULL;
    int rc = sqlite3_open(url + strlen("sqlite:"), &db);
    char sql[160];
    snprintf(sql, sizeof sql,
             "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%d, 'future', 0)",
             version);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

static void cleanup(void *p, const char *url)
{
    (void)p;
    const char *path = url + strlen("sqlite:");
    char side[1100];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* ------------------------------------------------------------------ SQLite only */

static void uses_write_ahead_logging(void **state)
{
    (void)state;
    char url[SC_URL_MAX];
    assert_int_equal(fresh(&ctx, url, sizeof url), 0);
    char abs[SC_URL_MAX + 8];
    snprintf(abs, sizeof abs, "sqlite://%s", url + strlen("sqlite:"));
    store *s = NULL;
    SC_OK(store_open(&s, abs, NULL, SC_E)); /* sqlite:///abs/path works too */
    store_close(s);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(url + strlen("sqlite:"), &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
    cleanup(&ctx, url);
}

static void unusable_files_are_reported(void **state)
{
    (void)state;
    store *s = NULL;
    err e;
    char url[SC_URL_MAX];
    snprintf(url, sizeof url, "sqlite:%s/no-such-dir/state.db", ctx.dir);
    assert_int_equal(store_open(&s, url, NULL, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "no-such-dir"));

    snprintf(url, sizeof url, "sqlite:%s/not-a-db", ctx.dir);
    FILE *fp = fopen(url + strlen("sqlite:"), "w");
    assert_non_null(fp);
    fputs("this is not a database, just some text that is long enough to look like a header", fp);
    fclose(fp);
    assert_int_equal(store_open(&s, url, NULL, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "not a database"));
    assert_null(s);
    unlink(url + strlen("sqlite:"));
}

/* A store written before links existed (schema 1, no link columns) is migrated: its queued
 * hints and operations are the default link's. */
static void version_1_queues_become_the_default_links(void **state)
{
    (void)state;
    char url[SC_URL_MAX];
    assert_int_equal(fresh(&ctx, url, sizeof url), 0);
    store *s = NULL;
    SC_OK(store_open(&s, url, NULL, SC_E));
    store_hint_new h = {"ghl", "ContactUpdate", "ghl:L:A", "{}", 0, NULL};
    SC_OK(store_inbox_append(NULL, s, &h, SC_E));
    store_close(s);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(url + strlen("sqlite:"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "ALTER TABLE inbox DROP COLUMN link;"
                                  "ALTER TABLE outbox DROP COLUMN link;"
                                  "DELETE FROM schema_migrations WHERE version > 1;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    SC_OK(store_open(&s, url, NULL, SC_E));
    int cur = 0;
    SC_OK(store_schema_version(&cur, NULL, s, SC_E));
    assert_int_equal(cur, store_schema_latest());
    store_hints got;
    SC_OK(store_bind_link(s, "other", SC_E));
    SC_OK(store_inbox_claim(&got, s, "p", 30000, 10, SC_E));
    assert_int_equal(got.n, 0);
    store_hints_free(&got);
    SC_OK(store_bind_link(s, "", SC_E));
    SC_OK(store_inbox_claim(&got, s, "p", 30000, 10, SC_E));
    assert_int_equal(got.n, 1);
    assert_string_equal(got.v[0].record_key, "ghl:L:A");
    store_hints_free(&got);
    store_close(s);
    cleanup(&ctx, url);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(ctx.dir, sizeof ctx.dir, "%s/pheedsync-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(ctx.dir)) {
        perror("mkdtemp");
        return 1;
    }
    store_contract_backend b = {"sqlite", fresh, force_version, cleanup, &ctx};
    int failed = store_contract_run(&b);
    const struct CMUnitTest own[] = {
        cmocka_unit_test(uses_write_ahead_logging),
        cmocka_unit_test(unusable_files_are_reported),
        cmocka_unit_test(version_1_queues_become_the_default_links),
    };
    failed += cmocka_run_group_tests_name("store (sqlite only)", own, NULL, NULL);
    rmdir(ctx.dir);
    return failed;
}
