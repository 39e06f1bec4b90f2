/* store_sqlite.c: the SQLite backend: opening (WAL, durability settings), transactions, and the
 * statement helpers its other files use. */
#include "store/store_sqlite_int.h"

#include <pthread.h>
#include <stdarg.h>

/* How long a writer waits for another connection's write transaction before giving up with
 * ERR_IO (the caller answers 429 or retries later). Write transactions are short. */
#define SQ_BUSY_TIMEOUT_MS 10000

int sq_fail(sq_store *q, int rc, err *e, const char *what)
{
    const char *msg = q && q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc);
    int code;
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            code = ERR_CONFLICT;
        else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
            code = ERR_NOT_FOUND;
        else
            code = ERR_INVALID; /* CHECK (json_valid, states) and NOT NULL */
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return err_set(e, ERR_IO, "store busy (%s): another writer held it too long", what);
    case SQLITE_NOMEM:
        code = ERR_NOMEM;
        break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_PERM:
        code = ERR_IO;
        break;
    default:
        code = ERR_INTERNAL;
    }
    return err_set(e, code, "store (%s): %s", what, msg);
}

static int bindv(sqlite3_stmt *st, const char *types, va_list ap)
{
    for (int i = 0; types && types[i]; i++) {
        int rc;
        if (types[i] == 't') {
            const char *v = va_arg(ap, const char *);
            rc = v ? sqlite3_bind_text(st, i + 1, v, -1, SQLITE_STATIC)
                   : sqlite3_bind_null(st, i + 1);
        } else if (types[i] == 'i') {
            rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
        } else if (types[i] == 'd') {
            rc = sqlite3_bind_int(st, i + 1, va_arg(ap, int));
        } else {
            rc = SQLITE_MISUSE;
        }
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

static uint64_t sql_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* A free cached statement for sql, or a new one (cached while there is room). */
static int prepare_cached(sqlite3_stmt **out, sq_store *q, const char *sql)
{
    uint64_t h = sql_hash(sql);
    for (size_t i = 0; i < q->n_cache; i++) {
        sq_cached *c = &q->cache[i];
        if (c->hash == h && !c->busy && strcmp(c->sql, sql) == 0) {
            c->busy = true;
            *out = c->st;
            return SQLITE_OK;
        }
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return rc;
    }
    if (q->n_cache < SQ_CACHE_MAX)
        q->cache[q->n_cache++] = (sq_cached){h, sqlite3_sql(st), st, true};
    *out = st;
    return SQLITE_OK;
}

void sq_release(sq_store *q, sqlite3_stmt *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < q->n_cache; i++) {
        if (q->cache[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            q->cache[i].busy = false;
            return;
        }
    }
    sqlite3_finalize(st);
}

static int prepv(sqlite3_stmt **out, sq_store *q, err *e, const char *sql, const char *types,
                 va_list ap)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare_cached(&st, q, sql);
    if (rc == SQLITE_OK)
        rc = bindv(st, types, ap);
    if (rc != SQLITE_OK) {
        int r = sq_fail(q, rc, e, "prepare");
        sq_release(q, st);
        return r;
    }
    *out = st;
    return 0;
}

int sq_prep(sqlite3_stmt **out, sq_store *q, err *e, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = prepv(out, q, e, sql, types, ap);
    va_end(ap);
    return rc;
}

int sq_step(sq_store *q, sqlite3_stmt *st, err *e)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return sq_fail(q, rc, e, "step");
}

int sq_run(int64_t *out_changes, sq_store *q, err *e, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st = NULL;
    va_list ap;
    va_start(ap, types);
    int rc = prepv(&st, q, e, sql, types, ap);
    va_end(ap);
    if (rc != 0)
        return rc;
    while ((rc = sq_step(q, st, e)) == 1) {
    }
    sq_release(q, st);
    if (rc == 0 && out_changes)
        *out_changes = sqlite3_changes64(q->db);
    return rc;
}

int sq_int(int64_t *out, sq_store *q, err *e, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st = NULL;
    va_list ap;
    va_start(ap, types);
    int rc = prepv(&st, q, e, sql, types, ap);
    va_end(ap);
    if (rc != 0)
        return rc;
    rc = sq_step(q, st, e);
    if (rc == 1) {
        *out = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = ERR_NOT_FOUND; /* callers set their own message */
        err_set(e, rc, "store: no row");
    }
    sq_release(q, st);
    return rc;
}

char *sq_text(sqlite3_stmt *st, int col, bool *failed)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? store_dup((const char *)t, failed) : NULL;
}

int sq_next_claim(int64_t *out, sq_store *q, err *e)
{
    return sq_int(out, q, e,
                  "UPDATE sequences SET value = value + 1 WHERE name = 'claim' "
                  "RETURNING value",
                  "");
}

/* ------------------------------------------------------------------ transactions */

/* Transaction control, from the statement cache: every store call inside a transaction opens
 * and releases a savepoint, and compiling those each time cost more than their work. */
static int exec(sq_store *q, const char *sql, err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare_cached(&st, q, sql);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
    }
    int r = rc == SQLITE_OK ? 0 : sq_fail(q, rc, e, sql); /* before the reset clears the message */
    sq_release(q, st);
    return r;
}

/* After some errors (I/O, full disk) SQLite has already rolled the whole transaction back. */
static void rollback_quietly(sq_store *q, const char *sql)
{
    if (!sqlite3_get_autocommit(q->db))
        sqlite3_exec(q->db, sql, NULL, NULL, NULL);
}

int sq_tx_start(sq_store *q, err *e)
{
    if (q->depth++ > 0)
        return 0;
    int rc = exec(q, q->base.in_tx ? "SAVEPOINT sq" : "BEGIN IMMEDIATE", e);
    if (rc != 0)
        q->depth = 0;
    return rc;
}

int sq_tx_end(sq_store *q, int rc, err *e)
{
    if (--q->depth > 0)
        return rc;
    if (q->base.in_tx) {
        if (rc != 0)
            rollback_quietly(q, "ROLLBACK TO sq");
        int r = exec(q, "RELEASE sq", rc == 0 ? e : NULL);
        return rc != 0 ? rc : r;
    }
    if (rc != 0) {
        rollback_quietly(q, "ROLLBACK");
        return rc;
    }
    rc = exec(q, "COMMIT", e);
    if (rc != 0)
        rollback_quietly(q, "ROLLBACK");
    return rc;
}

int sq_read_start(sq_store *q, err *e)
{
    if (q->depth++ > 0 || q->base.in_tx)
        return 0;
    int rc = exec(q, "BEGIN", e);
    if (rc != 0)
        q->depth = 0;
    return rc;
}

void sq_read_end(sq_store *q)
{
    if (--q->depth > 0 || q->base.in_tx)
        return;
    rollback_quietly(q, "COMMIT");
}

static int sq_begin(store *s, err *e)
{
    return exec(SQ(s), "BEGIN IMMEDIATE", e);
}

static int sq_commit(store *s, err *e)
{
    sq_store *q = SQ(s);
    if (sqlite3_get_autocommit(q->db))
        return err_set(e, ERR_IO, "store: the transaction was rolled back after an earlier error");
    int rc = exec(q, "COMMIT", e);
    if (rc != 0)
        rollback_quietly(q, "ROLLBACK");
    return rc;
}

static int sq_rollback(store *s, err *e)
{
    rollback_quietly(SQ(s), "ROLLBACK");
    return 0;
}

/* ------------------------------------------------------------------ open and close */

static void drop_cache(sq_store *q)
{
    for (size_t i = 0; i < q->n_cache; i++)
        sqlite3_finalize(q->cache[i].st);
    q->n_cache = 0;
}

static void sq_close(store *s)
{
    sq_store *q = SQ(s);
    if (q->base.in_tx)
        rollback_quietly(q, "ROLLBACK");
    drop_cache(q);
    sqlite3_close(q->db);
    free(q);
}

static store_vtable sq_vt;
static pthread_once_t sq_vt_once = PTHREAD_ONCE_INIT;

static void sq_vt_init(void)
{
    sq_vt.name = "sqlite";
    sq_vt.close = sq_close;
    sq_vt.schema_version = sq_schema_version;
    sq_vt.begin = sq_begin;
    sq_vt.commit = sq_commit;
    sq_vt.rollback = sq_rollback;
    sq_fill_queue(&sq_vt);
    sq_fill_outbox(&sq_vt);
    sq_fill_links(&sq_vt);
    sq_fill_misc(&sq_vt);
    sq_fill_admin(&sq_vt);
    sq_fill_queues(&sq_vt);
}

/* Durability: journal_mode=WAL with synchronous=FULL syncs the log at every commit. NORMAL
 * would survive kill -9 too, but a power cut or kernel crash could then lose the last commits,
 * and those may be webhooks already answered 2xx (promise 1): a sender does not redeliver
 * those. FULL costs one fsync per commit; batching appends in one transaction amortises it. */
static int configure(sq_store *q, err *e)
{
    sqlite3_extended_result_codes(q->db, 1);
    sqlite3_busy_timeout(q->db, SQ_BUSY_TIMEOUT_MS);
    sqlite3_stmt *st = NULL;
    int rc = sq_prep(&st, q, e, "PRAGMA journal_mode=WAL", "");
    if (rc == 0)
        rc = sq_step(q, st, e);
    if (rc == 1) {
        const char *mode = (const char *)sqlite3_column_text(st, 0);
        rc =
            mode && strcmp(mode, "wal") == 0
                ? 0
                : err_set(e, ERR_IO, "cannot use write-ahead logging (mode %s)", mode ? mode : "?");
    } else if (rc == 0) {
        rc = err_set(e, ERR_IO, "journal_mode gave no answer");
    }
    sq_release(q, st);
    if (rc == 0)
        rc = exec(q, "PRAGMA synchronous=FULL", e);
    if (rc == 0)
        rc = exec(q, "PRAGMA foreign_keys=ON", e);
    /* A backfill's working set (outbox, links, shadows and their indexes) outgrows the default
     * 2 MB page cache: each miss is a read from the kernel. */
    if (rc == 0)
        rc = exec(q, "PRAGMA cache_size=-8192", e);
    return rc;
}

int store_sqlite_open(store **out, const char *path, clock_source *clock, err *e)
{
    pthread_once(&sq_vt_once, sq_vt_init);
    sq_store *q = calloc(1, sizeof *q);
    if (!q)
        return err_set(e, ERR_NOMEM, "store: out of memory");
    q->base.vt = &sq_vt;
    q->base.clock = clock;
    int rc = sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        rc = err_set(e, ERR_IO, "store %s: cannot open: %s (does its directory exist?)", path,
                     q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc));
    } else {
        rc = configure(q, e);
        if (rc == 0)
            rc = sq_migrate(q, e);
        if (rc != 0)
            err_wrap(e, "store %s: ", path);
    }
    if (rc != 0) {
        drop_cache(q);
        sqlite3_close(q->db);
        free(q);
        return rc;
    }
    *out = &q->base;
    return 0;
}
