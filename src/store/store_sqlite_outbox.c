/* store_sqlite_outbox.c: the outbox and dead letters on SQLite: claims with leases and fences,
 * intents recorded before external calls, retries, dead letters and their replay. */
#include "store/store_sqlite_int.h"

#define OP_COLS                                                                                    \
    "o.id, o.service, o.account, o.kind, o.record_key, o.payload, o.idem_key, o.lane,"             \
    " o.not_before, o.created_at, o.attempts, o.in_doubt, o.last_error, o.claim"
#define OP_NCOLS 14

static const char lost[] = "the lease was lost to another worker, or the operation is finished";

static int read_op(store_op *op, sqlite3_stmt *st, err *e)
{
    bool failed = false;
    op->id = sqlite3_column_int64(st, 0);
    op->service = sq_text(st, 1, &failed);
    op->account = sq_text(st, 2, &failed);
    op->kind = sq_text(st, 3, &failed);
    op->record_key = sq_text(st, 4, &failed);
    op->payload = sq_text(st, 5, &failed);
    op->idem_key = sq_text(st, 6, &failed);
    op->lane = sqlite3_column_int(st, 7);
    op->not_before_ms = sqlite3_column_int64(st, 8);
    op->created_ms = sqlite3_column_int64(st, 9);
    op->attempts = sqlite3_column_int(st, 10);
    op->in_doubt = sqlite3_column_int(st, 11) != 0;
    op->last_error = sq_text(st, 12, &failed);
    op->claim = sqlite3_column_int64(st, 13);
    return failed ? err_set(e, ERR_NOMEM, "store: out of memory") : 0;
}

static int outbox_enqueue(int64_t *out_id, bool *out_dup, store *s, const store_op_new *op, err *e)
{
    sq_store *q = SQ(s);
    int64_t now = store_now(s), n = 0, id = 0;
    int rc = sq_tx_start(q, e);
    if (rc == 0)
        rc = sq_run(&n, q, e,
                    "INSERT INTO outbox (service, account, kind, record_key, payload, idem_key,"
                    " lane, not_before, created_at, updated_at, link) VALUES (?1, ?2, ?3, ?4, ?5,"
                    " ?6, ?7, ?8, ?9, ?9, ?10) ON CONFLICT (idem_key) DO NOTHING",
                    "ttttttdiit", op->service, op->account, op->kind, op->record_key, op->payload,
                    op->idem_key, op->lane, op->not_before_ms ? op->not_before_ms : now, now,
                    store_link_for_append(s, op->link));
    if (rc == 0 && n == 1)
        id = sqlite3_last_insert_rowid(q->db);
    else if (rc == 0)
        rc = sq_int(&id, q, e, "SELECT id FROM outbox WHERE idem_key = ?1", "t", op->idem_key);
    rc = sq_tx_end(q, rc, e);
    if (rc != 0)
        return err_wrap(e, "outbox enqueue '%s': ", op->idem_key);
    *out_id = id;
    if (out_dup)
        *out_dup = n == 0;
    return 0;
}

#define READY_REST                                                                                 \
    " AND (?2 IS NULL OR o.service = ?2) AND (?4 IS NULL OR o.link = ?4)"                          \
    " AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.service = o.service"                          \
    "  AND p.record_key = o.record_key AND p.id < o.id"                                            \
    "  AND p.state IN ('pending', 'claimed', 'in_flight'))"                                        \
    " ORDER BY o.lane, o.not_before, o.id LIMIT ?3"

/* A candidate of a claim, in the order claims take them. */
typedef struct ready_op {
    int64_t lane, due, id;
} ready_op;

static bool ready_before(const ready_op *a, const ready_op *b)
{
    if (a->lane != b->lane)
        return a->lane < b->lane;
    return a->due != b->due ? a->due < b->due : a->id < b->id;
}

/* Up to max candidates of one kind (pending and due, or leased and expired), in claim order.
 * The NOT EXISTS keeps one record's operations in order and one at a time. */
static int ready_of(ready_op *out, size_t *n, sq_store *q, bool expired, int64_t now,
                    const char *service, const char *link, size_t max, err *e)
{
    static const char *const sql[2] = {
        "SELECT o.id, o.lane, o.not_before FROM outbox o"
        " WHERE o.state = 'pending' AND o.not_before <= ?1" READY_REST,
        "SELECT o.id, o.lane, o.not_before FROM outbox o"
        " WHERE o.state IN ('claimed', 'in_flight') AND o.lease_until <= ?1" READY_REST,
    };
    sqlite3_stmt *st = NULL;
    int rc = sq_prep(&st, q, e, sql[expired], "itit", now, service, (int64_t)max, link);
    *n = 0;
    while (rc == 0 && (rc = sq_step(q, st, e)) == 1) {
        out[(*n)++] = (ready_op){sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                                 sqlite3_column_int64(st, 0)};
        rc = 0;
    }
    sq_release(q, st);
    return rc;
}

/* Ready ids, lane first then due time. Two queries, so that each walks the outbox_ready index
 * in its order and stops at max (one query with an OR sorted every pending operation at each
 * claim). PostgreSQL: the same with FOR UPDATE SKIP LOCKED. */
static int ready_ids(int64_t *ids, size_t *n, sq_store *q, int64_t now, const char *service,
                     const char *link, size_t max, err *e)
{
    ready_op *due = calloc(max, sizeof *due), *late = calloc(max, sizeof *late);
    size_t n_due = 0, n_late = 0;
    int rc = due && late ? 0 : err_set(e, ERR_NOMEM, "store: out of memory");
    if (rc == 0)
        rc = ready_of(due, &n_due, q, false, now, service, link, max, e);
    if (rc == 0)
        rc = ready_of(late, &n_late, q, true, now, service, link, max, e);
    size_t i = 0, k = 0;
    *n = 0;
    while (rc == 0 && *n < max && (i < n_due || k < n_late)) {
        bool take_late = k < n_late && (i == n_due || ready_before(&late[k], &due[i]));
        ids[(*n)++] = take_late ? late[k++].id : due[i++].id;
    }
    free(due);
    free(late);
    return rc;
}

/* One claim number serves the whole batch: the fences check the id with it. */
static int claim_one(store_op *op, sq_store *q, int64_t id, int64_t claim, const char *owner,
                     int64_t now, int64_t until, err *e)
{
    int rc = sq_run(NULL, q, e,
                    "UPDATE outbox SET state = 'claimed', owner = ?1, lease_until = ?2,"
                    " claim = ?3, updated_at = ?4 WHERE id = ?5",
                    "tiiii", owner, until, claim, now, id);
    sqlite3_stmt *st = NULL;
    if (rc == 0)
        rc = sq_prep(&st, q, e, "SELECT " OP_COLS " FROM outbox o WHERE o.id = ?1", "i", id);
    if (rc == 0)
        rc = sq_step(q, st, e);
    if (rc == 1)
        rc = read_op(op, st, e);
    else if (rc == 0)
        rc = err_set(e, ERR_INTERNAL, "operation %lld vanished during its claim", (long long)id);
    sq_release(q, st);
    return rc;
}

static int outbox_claim(store_ops *out, store *s, const char *owner, int64_t lease_ms,
                        const char *service, size_t max, err *e)
{
    sq_store *q = SQ(s);
    int64_t now = store_now(s);
    int64_t *ids = calloc(max, sizeof *ids);
    store_ops list = {calloc(max, sizeof(store_op)), 0};
    if (!ids || !list.v) {
        free(ids);
        free(list.v);
        return err_set(e, ERR_NOMEM, "store: out of memory");
    }
    size_t n = 0;
    int rc = sq_tx_start(q, e);
    if (rc == 0) {
        rc = ready_ids(ids, &n, q, now, service, store_link_scope(s), max, e);
        int64_t claim = 0;
        if (rc == 0 && n)
            rc = sq_next_claim(&claim, q, e);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            list.n = i + 1; /* so a partly read op is freed on failure */
            rc = claim_one(&list.v[i], q, ids[i], claim, owner, now, now + lease_ms, e);
        }
        rc = sq_tx_end(q, rc, e);
    }
    free(ids);
    if (rc != 0) {
        store_ops_free(&list);
        return err_wrap(e, "outbox claim: ");
    }
    if (list.n == 0) {
        free(list.v);
        list.v = NULL;
    }
    *out = list;
    return 0;
}

/* The fence of every call below: the row still carries this claim and is not finished. */
#define FENCE " WHERE id = ?1 AND claim = ?2 AND state IN ('claimed', 'in_flight')"

static int outbox_intent(store *s, store_op *op, err *e)
{
    int64_t attempts = 0;
    int rc = sq_int(&attempts, SQ(s), e,
                    "UPDATE outbox SET state = 'in_flight', attempts = attempts + 1, in_doubt = 1,"
                    " updated_at = ?3" FENCE " AND lease_until > ?3 RETURNING attempts",
                    "iii", op->id, op->claim, store_now(s));
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_CONFLICT, "operation %lld intent: %s (or the lease ran out)",
                       (long long)op->id, lost);
    if (rc != 0)
        return err_wrap(e, "operation %lld intent: ", (long long)op->id);
    op->attempts = (int)attempts;
    op->in_doubt = true;
    return 0;
}

static int fenced(store *s, const store_op *op, const char *what, err *e, const char *sql,
                  const char *types, int64_t a, int64_t b, const char *t)
{
    int64_t n = 0;
    int rc = sq_run(&n, SQ(s), e, sql, types, op->id, op->claim, a, b, t);
    if (rc != 0)
        return err_wrap(e, "operation %lld %s: ", (long long)op->id, what);
    if (n == 0)
        return err_set(e, ERR_CONFLICT, "operation %lld %s: %s", (long long)op->id, what, lost);
    return 0;
}

static int outbox_extend(store *s, const store_op *op, int64_t lease_ms, err *e)
{
    int64_t now = store_now(s);
    return fenced(s, op, "extend", e, "UPDATE outbox SET lease_until = ?3, updated_at = ?4" FENCE,
                  "iiii", now + lease_ms, now, NULL);
}

static int outbox_complete(store *s, const store_op *op, err *e)
{
    return fenced(s, op, "complete", e,
                  "UPDATE outbox SET state = 'done', in_doubt = 0, owner = NULL,"
                  " lease_until = NULL, updated_at = ?3" FENCE,
                  "iii", store_now(s), 0, NULL);
}

/* Only an attempt made under this claim (state in_flight) settles the doubt; a retry before any
 * call keeps the doubt an earlier crash left. */
static int outbox_retry(store *s, const store_op *op, int64_t not_before_ms, const char *error,
                        bool maybe_applied, err *e)
{
    return fenced(s, op, "retry", e,
                  "UPDATE outbox SET in_doubt = CASE WHEN state = 'in_flight' THEN ?4"
                  " ELSE in_doubt END, state = 'pending', not_before = ?3, owner = NULL,"
                  " lease_until = NULL, last_error = ?5, updated_at = ?3" FENCE,
                  "iiiit", not_before_ms, (int64_t)maybe_applied, error);
}

static int outbox_dead(store *s, const store_op *op, const char *error_class, const char *message,
                       const char *request, err *e)
{
    sq_store *q = SQ(s);
    int64_t now = store_now(s);
    int rc = sq_tx_start(q, e);
    if (rc != 0)
        return err_wrap(e, "operation %lld dead: ", (long long)op->id);
    rc = fenced(s, op, "dead", e,
                "UPDATE outbox SET state = 'dead', owner = NULL, lease_until = NULL,"
                " last_error = ?5, updated_at = ?3" FENCE,
                "iiiit", now, 0, message);
    if (rc == 0)
        rc = sq_run(NULL, q, e,
                    "INSERT INTO dead_letters (op_id, error_class, message, request, dead_at)"
                    " VALUES (?1, ?2, ?3, ?4, ?5)",
                    "ittti", op->id, error_class, message, request, now);
    return sq_tx_end(q, rc, e);
}

static int outbox_purge(int64_t *out_removed, store *s, int64_t before_ms, err *e)
{
    int64_t n = 0;
    int rc = sq_run(&n, SQ(s), e,
                    "DELETE FROM outbox WHERE state IN ('done', 'dropped') AND updated_at < ?1",
                    "i", before_ms);
    if (rc != 0)
        return err_wrap(e, "outbox purge: ");
    if (out_removed)
        *out_removed = n;
    return 0;
}

/* ------------------------------------------------------------------ dead letters */

static int read_dead(store_dead *d, sqlite3_stmt *st, err *e)
{
    int rc = read_op(&d->op, st, e);
    bool failed = false;
    d->error_class = sq_text(st, OP_NCOLS, &failed);
    d->message = sq_text(st, OP_NCOLS + 1, &failed);
    d->request = sq_text(st, OP_NCOLS + 2, &failed);
    d->dead_ms = sqlite3_column_int64(st, OP_NCOLS + 3);
    d->op.claim = 0; /* not claimable as such */
    if (rc == 0 && failed)
        rc = err_set(e, ERR_NOMEM, "store: out of memory");
    return rc;
}

#define DEAD_SELECT                                                                                \
    "SELECT " OP_COLS ", d.error_class, d.message, d.request, d.dead_at FROM dead_letters d"       \
    " JOIN outbox o ON o.id = d.op_id"

static int dead_list(store_deads *out, store *s, int64_t after_id, size_t max, err *e)
{
    sq_store *q = SQ(s);
    store_deads list = {0};
    size_t cap = 0;
    sqlite3_stmt *st = NULL;
    int rc = sq_prep(&st, q, e, DEAD_SELECT " WHERE d.op_id > ?1 ORDER BY d.op_id LIMIT ?2", "ii",
                     after_id, (int64_t)max);
    while (rc == 0 && (rc = sq_step(q, st, e)) == 1) {
        rc = store_grow((void **)&list.v, &cap, list.n, sizeof *list.v, e);
        if (rc == 0)
            rc = read_dead(&list.v[list.n++], st, e);
    }
    sq_release(SQ(s), st);
    if (rc != 0) {
        store_deads_free(&list);
        return err_wrap(e, "dead letters: ");
    }
    *out = list;
    return 0;
}

static int dead_get(store_dead **out, store *s, int64_t id, err *e)
{
    sq_store *q = SQ(s);
    store_dead *d = calloc(1, sizeof *d);
    if (!d)
        return err_set(e, ERR_NOMEM, "store: out of memory");
    sqlite3_stmt *st = NULL;
    int rc = sq_prep(&st, q, e, DEAD_SELECT " WHERE d.op_id = ?1", "i", id);
    if (rc == 0)
        rc = sq_step(q, st, e);
    if (rc == 1)
        rc = read_dead(d, st, e);
    else if (rc == 0)
        rc = err_set(e, ERR_NOT_FOUND, "dead letter %lld: no such dead letter", (long long)id);
    sq_release(SQ(s), st);
    if (rc != 0) {
        store_dead_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

/* Removes the dead letter, then sets the operation's new state. */
static int dead_resolve(store *s, int64_t id, const char *what, const char *sql, err *e)
{
    sq_store *q = SQ(s);
    int64_t n = 0;
    int rc = sq_tx_start(q, e);
    if (rc != 0)
        return err_wrap(e, "dead letter %lld %s: ", (long long)id, what);
    rc = sq_run(&n, q, e, "DELETE FROM dead_letters WHERE op_id = ?1", "i", id);
    if (rc == 0 && n == 0)
        rc = err_set(e, ERR_NOT_FOUND, "dead letter %lld: no such dead letter", (long long)id);
    if (rc == 0)
        rc = sq_run(NULL, q, e, sql, "ii", id, store_now(s));
    return sq_tx_end(q, rc, e);
}

static int dead_replay(store *s, int64_t id, err *e)
{
    return dead_resolve(s, id, "replay",
                        "UPDATE outbox SET state = 'pending', not_before = ?2, owner = NULL,"
                        " lease_until = NULL, updated_at = ?2 WHERE id = ?1",
                        e);
}

static int dead_drop(store *s, int64_t id, err *e)
{
    return dead_resolve(s, id, "drop",
                        "UPDATE outbox SET state = 'dropped', updated_at = ?2 WHERE id = ?1", e);
}

void sq_fill_outbox(store_vtable *vt)
{
    vt->outbox_enqueue = outbox_enqueue;
    vt->outbox_claim = outbox_claim;
    vt->outbox_intent = outbox_intent;
    vt->outbox_extend = outbox_extend;
    vt->outbox_complete = outbox_complete;
    vt->outbox_retry = outbox_retry;
    vt->outbox_dead = outbox_dead;
    vt->outbox_purge = outbox_purge;
    vt->dead_list = dead_list;
    vt->dead_get = dead_get;
    vt->dead_replay = dead_replay;
    vt->dead_drop = dead_drop;
}
