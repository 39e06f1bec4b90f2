/* store_pg.c: the PostgreSQL backend: connecting (session settings), transactions, and the
 * statement helpers its other files use. Several processes may share one database: every
 * claim and read-then-write is written for READ COMMITTED with other writers (store_backend.h
 * lists what each must keep true). */
#include "store/store_pg_int.h"

#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>

/* How long a statement waits for another transaction's row lock before giving up with ERR_IO
 * (the caller answers 429 or retries later), as the SQLite backend's busy timeout. */
#define PG_LOCK_TIMEOUT "10s"
#define PG_MAX_PARAMS 16

/* ------------------------------------------------------------------ errors */

static bool sqlstate_is(const char *state, const char *prefix)
{
    return state && strncmp(state, prefix, strlen(prefix)) == 0;
}

int pg_fail(pg_store *p, const PGresult *res, err *e, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg || !*msg)
        msg = p && p->conn ? PQerrorMessage(p->conn) : "no connection";
    int code = ERR_INTERNAL;
    if (!res || (p && p->conn && PQstatus(p->conn) != CONNECTION_OK) || sqlstate_is(state, "08"))
        code = ERR_IO; /* the connection: lost, refused */
    else if (sqlstate_is(state, "23505"))
        code = ERR_CONFLICT;
    else if (sqlstate_is(state, "23503"))
        code = ERR_NOT_FOUND;
    else if (sqlstate_is(state, "23") || sqlstate_is(state, "22"))
        code = ERR_INVALID; /* check, not null, malformed input such as invalid JSON */
    else if (sqlstate_is(state, "40") || sqlstate_is(state, "55P03") ||
             sqlstate_is(state, "57014") || sqlstate_is(state, "53"))
        code = ERR_IO; /* serialization, deadlock, lock or statement timeout, resources */
    else if (sqlstate_is(state, "42"))
        code = ERR_INTERNAL; /* a statement this backend got wrong */
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    return err_set(e, code, "store (%s): %.*s%s%s%s", what, (int)n, msg, state ? " [" : "",
                   state ? state : "", state ? "]" : "");
}

/* ------------------------------------------------------------------ statements */

typedef struct pg_args {
    const char *v[PG_MAX_PARAMS];
    char num[PG_MAX_PARAMS][24];
    int n;
} pg_args;

static int bindv(pg_args *a, const char *types, va_list ap)
{
    a->n = 0;
    for (int i = 0; types && types[i]; i++) {
        if (i >= PG_MAX_PARAMS)
            return -1;
        if (types[i] == 't') {
            a->v[i] = va_arg(ap, const char *);
        } else if (types[i] == 'i') {
            snprintf(a->num[i], sizeof a->num[i], "%lld", (long long)va_arg(ap, int64_t));
            a->v[i] = a->num[i];
        } else if (types[i] == 'd') {
            snprintf(a->num[i], sizeof a->num[i], "%d", va_arg(ap, int));
            a->v[i] = a->num[i];
        } else {
            return -1;
        }
        a->n = i + 1;
    }
    return 0;
}

static int execv_(PGresult **out, pg_store *p, err *e, const char *sql, const char *types,
                  va_list ap)
{
    pg_args a;
    if (bindv(&a, types, ap) != 0)
        return err_set(e, ERR_INTERNAL, "store: bad argument types '%s'", types);
    PGresult *r = PQexecParams(p->conn, sql, a.n, NULL, a.v, NULL, NULL, 0);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        int rc = pg_fail(p, r, e, "statement");
        PQclear(r);
        return rc;
    }
    *out = r;
    return 0;
}

int pg_query(PGresult **out, pg_store *p, err *e, const char *sql, const char *types, ...)
{
    PGresult *r = NULL;
    va_list ap;
    va_start(ap, types);
    int rc = execv_(&r, p, e, sql, types, ap);
    va_end(ap);
    if (rc == 0 && out)
        *out = r;
    else
        PQclear(r);
    return rc;
}

int pg_run(int64_t *out_changes, pg_store *p, err *e, const char *sql, const char *types, ...)
{
    PGresult *r = NULL;
    va_list ap;
    va_start(ap, types);
    int rc = execv_(&r, p, e, sql, types, ap);
    va_end(ap);
    if (rc == 0 && out_changes) {
        const char *n = PQcmdTuples(r);
        *out_changes = n && *n ? strtoll(n, NULL, 10) : 0;
    }
    PQclear(r);
    return rc;
}

int pg_int(int64_t *out, pg_store *p, err *e, const char *sql, const char *types, ...)
{
    PGresult *r = NULL;
    va_list ap;
    va_start(ap, types);
    int rc = execv_(&r, p, e, sql, types, ap);
    va_end(ap);
    if (rc == 0 && PQntuples(r) > 0 && PQnfields(r) > 0) {
        *out = pg_i64(r, 0, 0);
    } else if (rc == 0) {
        rc = ERR_NOT_FOUND; /* callers set their own message */
        err_set(e, rc, "store: no row");
    }
    PQclear(r);
    return rc;
}

char *pg_text(const PGresult *r, int row, int col, bool *failed)
{
    if (PQgetisnull(r, row, col))
        return NULL;
    return store_dup(PQgetvalue(r, row, col), failed);
}

int64_t pg_i64(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return 0;
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

bool pg_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) != 0;
}

int pg_next_claim(int64_t *out, pg_store *p, err *e)
{
    return pg_int(out, p, e, "SELECT nextval('claim_fence')", "");
}

/* ------------------------------------------------------------------ transactions */

static int exec(pg_store *p, const char *sql, err *e)
{
    return pg_run(NULL, p, e, sql, "");
}

int pg_script(pg_store *p, const char *sql, err *e)
{
    PGresult *r = PQexec(p->conn, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : pg_fail(p, r, e, "script");
    PQclear(r);
    return rc;
}

static void rollback_quietly(pg_store *p, const char *sql)
{
    if (PQtransactionStatus(p->conn) != PQTRANS_IDLE)
        PQclear(PQexec(p->conn, sql));
}

int pg_tx_start(pg_store *p, err *e)
{
    if (p->depth++ > 0)
        return 0;
    int rc = exec(p, p->base.in_tx ? "SAVEPOINT sq" : "BEGIN", e);
    if (rc != 0)
        p->depth = 0;
    return rc;
}

int pg_tx_end(pg_store *p, int rc, err *e)
{
    if (--p->depth > 0)
        return rc;
    if (p->base.in_tx) {
        if (rc != 0)
            rollback_quietly(p, "ROLLBACK TO SAVEPOINT sq");
        int r = exec(p, "RELEASE SAVEPOINT sq", rc == 0 ? e : NULL);
        return rc != 0 ? rc : r;
    }
    if (rc != 0) {
        rollback_quietly(p, "ROLLBACK");
        return rc;
    }
    rc = exec(p, "COMMIT", e);
    if (rc != 0)
        rollback_quietly(p, "ROLLBACK");
    return rc;
}

int pg_one_start(bool *out_guard, pg_store *p, err *e)
{
    *out_guard = p->base.in_tx;
    return *out_guard ? pg_tx_start(p, e) : 0;
}

int pg_one_end(pg_store *p, bool guard, int rc, err *e)
{
    return guard ? pg_tx_end(p, rc, e) : rc;
}

int pg_read_start(pg_store *p, err *e)
{
    if (p->depth++ > 0 || p->base.in_tx)
        return 0;
    int rc = exec(p, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e);
    if (rc != 0)
        p->depth = 0;
    return rc;
}

void pg_read_end(pg_store *p)
{
    if (--p->depth > 0 || p->base.in_tx)
        return;
    rollback_quietly(p, "COMMIT");
}

static int pg_begin(store *s, err *e)
{
    return exec(PG(s), "BEGIN", e);
}

static int pg_commit(store *s, err *e)
{
    pg_store *p = PG(s);
    /* PostgreSQL answers COMMIT of a failed transaction by rolling it back, without an error. */
    if (PQtransactionStatus(p->conn) == PQTRANS_INERROR) {
        rollback_quietly(p, "ROLLBACK");
        return err_set(e, ERR_IO, "store: the transaction was rolled back after an earlier error");
    }
    int rc = exec(p, "COMMIT", e);
    if (rc != 0)
        rollback_quietly(p, "ROLLBACK");
    return rc;
}

static int pg_rollback(store *s, err *e)
{
    (void)e;
    rollback_quietly(PG(s), "ROLLBACK");
    return 0;
}

/* ------------------------------------------------------------------ open and close */

static void pg_close(store *s)
{
    pg_store *p = PG(s);
    if (p->base.in_tx)
        rollback_quietly(p, "ROLLBACK");
    PQfinish(p->conn);
    free(p);
}

static store_vtable pg_vt;
static pthread_once_t pg_vt_once = PTHREAD_ONCE_INIT;

static void pg_vt_init(void)
{
    pg_vt.name = "postgresql";
    pg_vt.close = pg_close;
    pg_vt.schema_version = pg_schema_version;
    pg_vt.begin = pg_begin;
    pg_vt.commit = pg_commit;
    pg_vt.rollback = pg_rollback;
    pg_fill_queue(&pg_vt);
    pg_fill_outbox(&pg_vt);
    pg_fill_links(&pg_vt);
    pg_fill_misc(&pg_vt);
    pg_fill_admin(&pg_vt);
    pg_fill_queues(&pg_vt);
}

/* The server's notices (e.g. "relation already exists, skipping") go to the debug log, not to
 * stderr. */
static void on_notice(void *arg, const char *message)
{
    (void)arg;
    log_debugf("store (postgresql): %s", message);
}

/* Session settings: READ COMMITTED (the default, written down), UTC, a lock timeout, and
 * synchronous commit (a commit is on disk before it returns: promise 1). */
static int configure(pg_store *p, err *e)
{
    PQsetNoticeProcessor(p->conn, on_notice, NULL);
    return pg_script(p,
                     "SET default_transaction_isolation = 'read committed';"
                     " SET synchronous_commit = on; SET TIME ZONE 'UTC';"
                     " SET lock_timeout = '" PG_LOCK_TIMEOUT "'; SET client_min_messages = warning",
                     e);
}

int store_pg_open(store **out, const char *url, const char *shown_url, clock_source *clock, err *e)
{
    pthread_once(&pg_vt_once, pg_vt_init);
    pg_store *p = calloc(1, sizeof *p);
    if (!p)
        return err_set(e, ERR_NOMEM, "store: out of memory");
    p->base.vt = &pg_vt;
    p->base.clock = clock;
    p->conn = PQconnectdb(url);
    int rc = 0;
    if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
        const char *why = p->conn ? PQerrorMessage(p->conn) : "out of memory";
        size_t n = strlen(why);
        while (n > 0 && (why[n - 1] == '\n' || why[n - 1] == ' '))
            n--;
        rc = err_set(e, ERR_IO,
                     "store %s: cannot connect: %.*s (is the server running, and the database, "
                     "user and password right?)",
                     shown_url, (int)n, why);
    } else {
        rc = configure(p, e);
        if (rc == 0)
            rc = pg_migrate(p, e);
        if (rc != 0)
            err_wrap(e, "store %s: ", shown_url);
    }
    if (rc != 0) {
        PQfinish(p->conn);
        free(p);
        return rc;
    }
    *out = &p->base;
    return 0;
}
