/* store_pg_outbox.c: the outbox and dead letters on PostgreSQL: claims with leases and fences
 * that several processes make at once, intents recorded before external calls, retries, dead
 * letters and their replay. */
#include "store/store_pg_int.h"

#define OP_COLS                                                                                    \
    "o.id, o.service, o.account, o.kind, o.record_key, o.payload, o.idem_key, o.lane,"             \
    " o.not_before, o.created_at, o.attempts, o.in_doubt, o.last_error, o.claim"
#define OP_NCOLS 14

static const char lost[] = "the lease was lost to another worker, or the operation is finished";

static int read_op(store_op *op, const PGresult *r, int row, err *e)
{
    bool failed = false;
    op->id = pg_i64(r, row, 0);
    op->service = pg_text(r, row, 1, &failed);
    op->account = pg_text(r, row, 2, &failed);
    op->kind = pg_text(r, row, 3, &failed);
    op->record_key = pg_text(r, row, 4, &failed);
    op->payload = pg_text(r, row, 5, &failed);
    op->idem_key = pg_text(r, row, 6, &failed);
    op->lane = (int)pg_i64(r, row, 7);
    op->not_before_ms = pg_i64(r, row, 8);
    op->created_ms = pg_i64(r, row, 9);
    op->attempts = (int)pg_i64(r, row, 10);
    op->in_doubt = pg_i64(r, row, 11) != 0;
    op->last_error = pg_text(r, row, 12, &failed);
    op->claim = pg_i64(r, row, 13);
    return failed ? err_set(e, ERR_NOMEM, "store: out of memory") : 0;
}

/* A claim sees committed rows only, and one record's operations run in id order. Were two
 * transactions to enqueue for one record at once, the later id could commit first and be
 * claimed before the earlier one, then run beside it. So enqueuers of one record take turns:
 * each holds the record's lock until its transaction ends (SQLite's single writer does the
 * same). The two-key form ("outb" in ASCII, the record's hash) keeps these apart from the
 * single-key advisory locks used elsewhere. */
#define RECORD_TURN                                                                                \
    "SELECT pg_advisory_xact_lock(1869968482, hashtext($1::text || ' ' || $2::text))"

static int outbox_enqueue(int64_t *out_id, bool *out_dup, store *s, const store_op_new *op, err *e)
{
    pg_store *p = PG(s);
    int64_t now = store_now(s), id = 0;
    bool inserted = false;
    PGresult *r = NULL;
    int rc = pg_tx_start(p, e);
    if (rc == 0)
        rc = pg_run(NULL, p, e, RECORD_TURN, "tt", op->service, op->record_key);
    if (rc == 0)
        rc = pg_query(&r, p, e,
                      "INSERT INTO outbox (service, account, kind, record_key, payload, idem_key,"
                      " lane, not_before, created_at, updated_at, link) VALUES ($1, $2, $3, $4,"
                      " $5, $6, $7, $8, $9, $9, $10) ON CONFLICT (idem_key) DO NOTHING"
                      " RETURNING id",
                      "ttttttdiit", op->service, op->account, op->kind, op->record_key, op->payload,
                      op->idem_key, op->lane, op->not_before_ms ? op->not_before_ms : now, now,
                      store_link_for_append(s, op->link));
    if (rc == 0 && PQntuples(r) == 1) {
        id = pg_i64(r, 0, 0);
        inserted = true;
    } else if (rc == 0) {
        rc = pg_int(&id, p, e, "SELECT id FROM outbox WHERE idem_key = $1", "t", op->idem_key);
    }
    PQclear(r);
    rc = pg_tx_end(p, rc, e);
    if (rc != 0)
        return err_wrap(e, "outbox enqueue '%s': ", op->idem_key);
    *out_id = id;
    if (out_dup)
        *out_dup = !inserted;
    return 0;
}

/* Candidates of one kind, in claim order, locked; rows another claim holds are skipped. The
 * NOT EXISTS keeps one record's operations in order and one at a time. $1 now, $2 service,
 * $3 max, $4 link. */
#define READY_REST                                                                                 \
    " AND ($2::text IS NULL OR o.service = $2) AND ($4::text IS NULL OR o.link = $4)"              \
    " AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.service = o.service"                          \
    "  AND p.record_key = o.record_key AND p.id < o.id"                                            \
    "  AND p.state IN ('pending', 'claimed', 'in_flight'))"                                        \
    " ORDER BY o.lane, o.not_before, o.id LIMIT $3 FOR UPDATE OF o SKIP LOCKED"

/* Two candidate lists (pending and due; leased and expired), so that each walks the
 * outbox_ready index in its order and stops at max, merged, and the first max claimed: one
 * statement, so a row is claimed only if it is still ready once locked. A candidate locked but
 * not taken stays locked only until this statement's transaction ends. One claim number serves
 * the whole batch (an uncorrelated subquery runs once); the fences check the id with it. */
static const char claim_sql[] =
    "WITH due AS MATERIALIZED (SELECT o.id, o.lane, o.not_before FROM outbox o"
    "  WHERE o.state = 'pending' AND o.not_before <= $1" READY_REST "),"
    " late AS MATERIALIZED (SELECT o.id, o.lane, o.not_before FROM outbox o"
    "  WHERE o.state IN ('claimed', 'in_flight') AND o.lease_until <= $1" READY_REST "),"
    " pick AS (SELECT id, lane, not_before FROM due UNION ALL"
    "  SELECT id, lane, not_before FROM late ORDER BY lane, not_before, id LIMIT $3),"
    " claimed AS (UPDATE outbox o SET state = 'claimed', owner = $5, lease_until = $6,"
    "  claim = (SELECT nextval('claim_fence')), updated_at = $1 FROM pick WHERE o.id = pick.id"
    "  RETURNING " OP_COLS ")"
    " SELECT * FROM claimed ORDER BY lane, not_before, id";

static int read_claimed(store_ops *out, const PGresult *r, err *e)
{
    int n = PQntuples(r);
    store_ops list = {NULL, 0};
    if (n > 0 && !(list.v = calloc((size_t)n, sizeof *list.v)))
        return err_set(e, ERR_NOMEM, "store: out of memory");
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        list.n = (size_t)i + 1; /* so a partly read op is freed on failure */
        rc = read_op(&list.v[i], r, i, e);
    }
    if (rc != 0) {
        store_ops_free(&list);
        return rc;
    }
    *out = list;
    return 0;
}

static int outbox_claim(store_ops *out, store *s, const char *owner, int64_t lease_ms,
                        const char *service, size_t max, err *e)
{
    pg_store *p = PG(s);
    int64_t now = store_now(s);
    PGresult *r = NULL;
    store_ops list = {NULL, 0};
    int rc = pg_tx_start(p, e);
    if (rc == 0) {
        rc = pg_query(&r, p, e, claim_sql, "ititti", now, service, (int64_t)max,
                      store_link_scope(s), owner, now + lease_ms);
        if (rc == 0)
            rc = read_claimed(&list, r, e);
        PQclear(r);
        rc = pg_tx_end(p, rc, e);
    }
    if (rc != 0) {
        store_ops_free(&list);
        return err_wrap(e, "outbox claim: ");
    }
    *out = list;
    return 0;
}

/* The fence of every call below: the row still carries this claim and is not finished. A
 * single conditional statement: a concurrent reclaim holds the row, and the statement then
 * sees the new claim and changes nothing. */
#define FENCE " WHERE id = $1 AND claim = $2 AND state IN ('claimed', 'in_flight')"

static int outbox_intent(store *s, store_op *op, err *e)
{
    int64_t attempts = 0;
    int rc = pg_int(&attempts, PG(s), e,
                    "UPDATE outbox SET state = 'in_flight', attempts = attempts + 1, in_doubt = 1,"
                    " updated_at = $3" FENCE " AND lease_until > $3 RETURNING attempts",
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

/* The answer of a fenced statement that ran with rc and changed n rows. */
static int fence_answer(const store_op *op, const char *what, int rc, int64_t n, err *e)
{
    if (rc != 0)
        return err_wrap(e, "operation %lld %s: ", (long long)op->id, what);
    if (n == 0)
        return err_set(e, ERR_CONFLICT, "operation %lld %s: %s", (long long)op->id, what, lost);
    return 0;
}

static int outbox_extend(store *s, const store_op *op, int64_t lease_ms, err *e)
{
    int64_t now = store_now(s), n = 0;
    int rc = pg_run(&n, PG(s), e, "UPDATE outbox SET lease_until = $3, updated_at = $4" FENCE,
                    "iiii", op->id, op->claim, now + lease_ms, now);
    return fence_answer(op, "extend", rc, n, e);
}

static int outbox_complete(store *s, const store_op *op, err *e)
{
    int64_t n = 0;
    int rc = pg_run(&n, PG(s), e,
                    "UPDATE outbox SET state = 'done', in_doubt = 0, owner = NULL,"
                    " lease_until = NULL, updated_at = $3" FENCE,
                    "iii", op->id, op->claim, store_now(s));
    return fence_answer(op, "complete", rc, n, e);
}

/* Only an attempt made under this claim (state in_flight) settles the doubt; a retry before any
 * call keeps the doubt an earlier crash left. */
static int outbox_retry(store *s, const store_op *op, int64_t not_before_ms, const char *error,
                        bool maybe_applied, err *e)
{
    int64_t n = 0;
    int rc = pg_run(&n, PG(s), e,
                    "UPDATE outbox SET in_doubt = CASE WHEN state = 'in_flight' THEN $4::integer"
                    " ELSE in_doubt END, state = 'pending', not_before = $3, owner = NULL,"
                    " lease_until = NULL, last_error = $5, updated_at = $3" FENCE,
                    "iiiit", op->id, op->claim, not_before_ms, (int64_t)maybe_applied, error);
    return fence_answer(op, "retry", rc, n, e);
}

static int outbox_dead(store *s, const store_op *op, const char *error_class, const char *message,
                       const char *request, err *e)
{
    pg_store *p = PG(s);
    int64_t now = store_now(s), n = 0;
    int rc = pg_tx_start(p, e);
    if (rc != 0)
        return err_wrap(e, "operation %lld dead: ", (long long)op->id);
    rc = pg_run(&n, p, e,
                "UPDATE outbox SET state = 'dead', owner = NULL, lease_until = NULL,"
                " last_error = $4, updated_at = $3" FENCE,
                "iiit", op->id, op->claim, now, message);
    rc = fence_answer(op, "dead", rc, n, e);
    if (rc == 0)
        rc = pg_run(NULL, p, e,
                    "INSERT INTO dead_letters (op_id, error_class, message, request, dead_at)"
                    " VALUES ($1, $2, $3, $4, $5)",
                    "ittti", op->id, error_class, message, request, now);
    return pg_tx_end(p, rc, e);
}

static int outbox_purge(int64_t *out_removed, store *s, int64_t before_ms, err *e)
{
    int64_t n = 0;
    int rc = pg_run(&n, PG(s), e,
                    "DELETE FROM outbox WHERE state IN ('done', 'dropped') AND updated_at < $1",
                    "i", before_ms);
    if (rc != 0)
        return err_wrap(e, "outbox purge: ");
    if (out_removed)
        *out_removed = n;
    return 0;
}

/* ------------------------------------------------------------------ dead letters */

static int read_dead(store_dead *d, const PGresult *r, int row, err *e)
{
    int rc = read_op(&d->op, r, row, e);
    bool failed = false;
    d->error_class = pg_text(r, row, OP_NCOLS, &failed);
    d->message = pg_text(r, row, OP_NCOLS + 1, &failed);
    d->request = pg_text(r, row, OP_NCOLS + 2, &failed);
    d->dead_ms = pg_i64(r, row, OP_NCOLS + 3);
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
    store_deads list = {0};
    PGresult *r = NULL;
    int rc = pg_query(&r, PG(s), e, DEAD_SELECT " WHERE d.op_id > $1 ORDER BY d.op_id LIMIT $2",
                      "ii", after_id, (int64_t)max);
    int n = rc == 0 ? PQntuples(r) : 0;
    if (n > 0 && !(list.v = calloc((size_t)n, sizeof *list.v)))
        rc = err_set(e, ERR_NOMEM, "store: out of memory");
    for (int i = 0; rc == 0 && i < n; i++)
        rc = read_dead(&list.v[list.n++], r, i, e);
    PQclear(r);
    if (rc != 0) {
        store_deads_free(&list);
        return err_wrap(e, "dead letters: ");
    }
    *out = list;
    return 0;
}

static int dead_get(store_dead **out, store *s, int64_t id, err *e)
{
    store_dead *d = calloc(1, sizeof *d);
    if (!d)
        return err_set(e, ERR_NOMEM, "store: out of memory");
    PGresult *r = NULL;
    int rc = pg_query(&r, PG(s), e, DEAD_SELECT " WHERE d.op_id = $1", "i", id);
    if (rc == 0 && PQntuples(r) > 0)
        rc = read_dead(d, r, 0, e);
    else if (rc == 0)
        rc = err_set(e, ERR_NOT_FOUND, "dead letter %lld: no such dead letter", (long long)id);
    PQclear(r);
    if (rc != 0) {
        store_dead_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

/* Removes the dead letter, then sets the operation's new state. The delete holds the dead
 * letter's row, so of two operators resolving it at once the second finds it gone. */
static int dead_resolve(store *s, int64_t id, const char *what, const char *sql, err *e)
{
    pg_store *p = PG(s);
    int64_t n = 0;
    int rc = pg_tx_start(p, e);
    if (rc != 0)
        return err_wrap(e, "dead letter %lld %s: ", (long long)id, what);
    rc = pg_run(&n, p, e, "DELETE FROM dead_letters WHERE op_id = $1", "i", id);
    if (rc == 0 && n == 0)
        rc = err_set(e, ERR_NOT_FOUND, "dead letter %lld: no such dead letter", (long long)id);
    if (rc == 0)
        rc = pg_run(NULL, p, e, sql, "ii", id, store_now(s));
    return pg_tx_end(p, rc, e);
}

static int dead_replay(store *s, int64_t id, err *e)
{
    return dead_resolve(s, id, "replay",
                        "UPDATE outbox SET state = 'pending', not_before = $2, owner = NULL,"
                        " lease_until = NULL, updated_at = $2 WHERE id = $1",
                        e);
}

static int dead_drop(store *s, int64_t id, err *e)
{
    return dead_resolve(s, id, "drop",
                        "UPDATE outbox SET state = 'dropped', updated_at = $2 WHERE id = $1", e);
}

void pg_fill_outbox(store_vtable *vt)
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
