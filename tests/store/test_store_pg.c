/* test_store_pg.c: runs the store contract against PostgreSQL, each case in a fresh database of
 * a throwaway server (tests/support/pg_cluster.c); then what only the PostgreSQL backend
 * promises. PHEEDSYNC_TEST_FILTER (a cmocka glob over case names) runs some cases only. */
#include "store_contract.h"
#include "tests/support/pg_cluster.h"

#include <libpq-fe.h>

typedef struct pg_ctx {
    pg_cluster cluster;
    int next;
} pg_ctx;

static pg_ctx ctx;

static const char *db_of(const char *url, char *out, size_t n)
{
    const char *db = url + strlen("postgresql:///");
    snprintf(out, n, "%.*s", (int)strcspn(db, "?"), db);
    return out;
}

static int fresh(void *p, char *url, size_t url_len)
{
    pg_ctx *c = p;
    char db[32], sql[64];
    snprintf(db, sizeof db, "contract_%d", c->next++);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
    if (pg_cluster_exec(&c->cluster, "postgres", sql) != 0)
        return -1;
    pg_cluster_url(&c->cluster, db, url, url_len);
    return 0;
}

static int force_version(void *p, const char *url, int version)
{
    pg_ctx *c = p;
    char db[64], sql[160];
    snprintf(sql, sizeof sql,
             "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%d, 'future', 0)",
             version);
    return pg_cluster_exec(&c->cluster, db_of(url, db, sizeof db), sql);
}

static void cleanup(void *p, const char *url)
{
    pg_ctx *c = p;
    char db[64], sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db_of(url, db, sizeof db));
    pg_cluster_exec(&c->cluster, "postgres", sql);
}

/* ------------------------------------------------------------------ PostgreSQL only */

/* A wrong password or an absent server is ERR_IO naming the URL, with the password hidden. */
static void connection_failures_hide_the_password(void **state)
{
    (void)state;
    char url[512];
    snprintf(url, sizeof url, "postgresql://postgres:hunter2secret@/no_such_db?host=%s",
             ctx.cluster.dir);
    store *s = NULL;
    err e;
    assert_int_equal(store_open(&s, url, NULL, &e), ERR_IO);
    assert_null(s);
    assert_null(strstr(e.msg, "hunter2secret"));
    assert_non_null(strstr(e.msg, "postgres:***@"));
    assert_non_null(strstr(e.msg, "no_such_db"));

    snprintf(url, sizeof url, "postgresql:///postgres?host=%s/nowhere&password=hunter2secret",
             ctx.cluster.dir);
    assert_int_equal(store_open(&s, url, NULL, &e), ERR_IO);
    assert_null(strstr(e.msg, "hunter2secret"));
    assert_non_null(strstr(e.msg, "password=***"));
}

/* JSON columns refuse text that is not JSON, as the SQLite backend's checks do. */
static void json_columns_refuse_bad_json(void **state)
{
    (void)state;
    char url[SC_URL_MAX];
    assert_int_equal(fresh(&ctx, url, sizeof url), 0);
    store *s = NULL;
    SC_OK(store_open(&s, url, NULL, SC_E));
    store_hint_new h = {"ghl", "ContactUpdate", "ghl:L:A", "{not json", 0, NULL};
    SC_FAILS(ERR_INVALID, store_inbox_append(NULL, s, &h, SC_E));
    SC_FAILS(ERR_INVALID, store_shadow_put(NULL, s, "ghl", "ghl:L:A", "[1,", NULL, -1, SC_E));
    assert_string_equal(store_backend(s), "postgresql");
    store_close(s);
    cleanup(&ctx, url);
}

int main(void)
{
    char why[512];
    if (pg_cluster_start(&ctx.cluster, why, sizeof why) != 0) {
        fprintf(stderr, "store_pg: %s\n", why);
        pg_cluster_stop(&ctx.cluster);
        return 1;
    }
    const char *filter = getenv("PHEEDSYNC_TEST_FILTER");
    if (filter && *filter)
        cmocka_set_test_filter(filter);
    store_contract_backend b = {"postgresql", fresh, force_version, cleanup, &ctx};
    int failed = store_contract_run(&b);
    const struct CMUnitTest own[] = {
        cmocka_unit_test(connection_failures_hide_the_password),
        cmocka_unit_test(json_columns_refuse_bad_json),
    };
    failed += cmocka_run_group_tests_name("store (postgresql only)", own, NULL, NULL);
    pg_cluster_stop(&ctx.cluster);
    return failed;
}
