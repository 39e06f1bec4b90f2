/* test_store_sqlite.c: runs the store contract against SQLite, each case in a fresh database
 * file under a temporary directory. */
#include "store_contract.h"

#include <sqlite3.h>
#include <unistd.h>

typedef struct sqlite_ctx {
    char dir[256];
    int next;
} sqlite_ctx;

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

int main(void)
{
    sqlite_ctx ctx = {.next = 0};
    const char *tmp = getenv("TMPDIR");
    snprintf(ctx.dir, sizeof ctx.dir, "%s/pheedsync-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(ctx.dir)) {
        perror("mkdtemp");
        return 1;
    }
    store_contract_backend b = {"sqlite", fresh, force_version, cleanup, &ctx};
    int failed = store_contract_run(&b);
    rmdir(ctx.dir);
    return failed;
}
