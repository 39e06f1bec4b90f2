/* store_pg_admin.c: held deletes, the audit log, shared rate budgets and status counts on
 * PostgreSQL. */
#include "store/store_pg_int.h"

/* How often held_create tries again when the pending row it collided with was decided before
 * it could read its id (each time another process wins a race; three in a row is a fault). */
#define HELD_CREATE_TRIES 3

/* ------------------------------------------------------------------ held deletes */

/* One try: inserts, or reads the id of the pending row it collided with. *got false: that row
 * was decided in between (the insert's wait saw it committed, the read no longer pending). */
static int held_insert(int64_t *id, bool *dup, bool *got, pg_store *p, const store_held_new *h,
                       err *e)
{
    PGresult *r = NULL;
    int rc = pg_query(&r, p, e,
                      "INSERT INTO held_deletes (batch, side, record_key, link_id, reason, payload,"
                      " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING"
                      " RETURNING id",
                      "tttitti", h->batch, h->side, h->record_key, h->link_id, h->reason,
                      h->payload, store_now(&p->base));
    if (rc != 0)
        return rc;
    *dup = PQntuples(r) == 0;
    *got = !*dup;
    if (*got)
        *id = pg_i64(r, 0, 0);
    PQclear(r);
    if (*got)
        return 0;
    /* A new statement sees the row of the committed insert that made this one do nothing. */
    rc = pg_query(&r, p, e,
                  "SELECT id FROM held_deletes WHERE side = $1 AND record_key = $2 AND state = 0",
                  "tt", h->side, h->record_key);
    if (rc != 0)
        return rc;
    *got = PQntuples(r) > 0;
    if (*got)
        *id = pg_i64(r, 0, 0);
    PQclear(r);
    return 0;
}

static int held_create(int64_t *out_id, bool *out_dup, store *s, const store_held_new *h, err *e)
{
    pg_store *p = PG(s);
    int64_t id = 0;
    bool dup = false, got = false;
    int rc = pg_tx_start(p, e);
    if (rc != 0)
        return rc;
    for (int i = 0; i < HELD_CREATE_TRIES && rc == 0 && !got; i++)
        rc = held_insert(&id, &dup, &got, p, h, e);
    if (rc == 0 && !got)
        rc = err_set(e, ERR_IO,
                     "the pending hold it met was decided before its id was read, %d times",
                     HELD_CREATE_TRIES);
    rc = pg_tx_end(p, rc, e);
    if (rc != 0)
        return err_wrap(e, "held delete %s/%s: ", h->side, h->record_key);
    *out_id = id;
    if (out_dup)
        *out_dup = dup;
    return 0;
}

static int read_held(store_held *h, const PGresult *r, int row, err *e)
{
    bool failed = false;
    h->id = pg_i64(r, row, 0);
    h->batch = pg_text(r, row, 1, &failed);
    h->side = pg_text(r, row, 2, &failed);
    h->record_key = pg_text(r, row, 3, &failed);
    h->link_id = pg_i64(r, row, 4);
    h->reason = pg_text(r, row, 5, &failed);
    h->payload = pg_text(r, row, 6, &failed);
    h->state = (int)pg_i64(r, row, 7);
    h->created_ms = pg_i64(r, row, 8);
    h->decided_ms = pg_i64(r, row, 9);
    h->decided_by = pg_text(r, row, 10, &failed);
    return failed ? err_set(e, ERR_NOMEM, "store: out of memory") : 0;
}

static int held_list(store_helds *out, store *s, int state, int64_t after_id, size_t max, err *e)
{
    store_helds list = {0};
    size_t cap = 0;
    PGresult *r = NULL;
    int rc = pg_query(&r, PG(s), e,
                      "SELECT id, batch, side, record_key, link_id, reason, payload, state,"
                      " created_at, decided_at, decided_by FROM held_deletes"
                      " WHERE ($1::integer < 0 OR state = $1) AND id > $2 ORDER BY id LIMIT $3",
                      "dii", state, after_id, (int64_t)max);
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        rc = store_grow((void **)&list.v, &cap, list.n, sizeof *list.v, e);
        if (rc == 0)
            rc = read_held(&list.v[list.n++], r, i, e);
    }
    PQclear(r);
    if (rc != 0) {
        store_helds_free(&list);
        return err_wrap(e, "held deletes: ");
    }
    *out = list;
    return 0;
}

/* FOR UPDATE: of two deciders of one pending hold, the second waits and then reads the first's
 * decision. */
static int held_decide(store *s, int64_t id, int state, const char *by, err *e)
{
    pg_store *p = PG(s);
    int64_t cur = 0;
    int rc = pg_tx_start(p, e);
    if (rc != 0)
        return rc;
    rc = pg_int(&cur, p, e, "SELECT state FROM held_deletes WHERE id = $1 FOR UPDATE", "i", id);
    if (rc == ERR_NOT_FOUND)
        err_set(e, rc, "held delete %lld: no such held delete", (long long)id);
    else if (rc == 0 && cur != STORE_HELD_PENDING)
        rc = err_set(e, ERR_BAD_STATE, "held delete %lld was already %s", (long long)id,
                     cur == STORE_HELD_APPROVED ? "approved" : "rejected");
    if (rc == 0)
        rc = pg_run(NULL, p, e,
                    "UPDATE held_deletes SET state = $2, decided_at = $3, decided_by = $4"
                    " WHERE id = $1 AND state = 0",
                    "idit", id, state, store_now(s), by);
    return pg_tx_end(p, rc, e);
}

/* ------------------------------------------------------------------ audit log */

/* Invalid JSON fails the insert, and only the insert (pg_one_start). */
static int audit_append(int64_t *out_id, store *s, const store_audit_new *a, err *e)
{
    pg_store *p = PG(s);
    bool guard = false;
    int64_t id = 0;
    int rc = pg_one_start(&guard, p, e);
    if (rc != 0)
        return err_wrap(e, "audit append: ");
    rc = pg_int(&id, p, e,
                "INSERT INTO audit (at, person_key, direction, fields, before_json,"
                " after_json, reason) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                "itttttt", store_now(s), a->person_key, a->direction, a->fields, a->before,
                a->after, a->reason);
    rc = pg_one_end(p, guard, rc, e);
    if (rc != 0)
        return err_wrap(e, "audit append: ");
    if (out_id)
        *out_id = id;
    return 0;
}

static int read_audit(store_audit_entry *a, const PGresult *r, int row, err *e)
{
    bool failed = false;
    a->id = pg_i64(r, row, 0);
    a->at_ms = pg_i64(r, row, 1);
    a->person_key = pg_text(r, row, 2, &failed);
    a->direction = pg_text(r, row, 3, &failed);
    a->fields = pg_text(r, row, 4, &failed);
    a->before = pg_text(r, row, 5, &failed);
    a->after = pg_text(r, row, 6, &failed);
    a->reason = pg_text(r, row, 7, &failed);
    return failed ? err_set(e, ERR_NOMEM, "store: out of memory") : 0;
}

/* Collects the rows of an audit query whose columns are read_audit's (r from a query that
 * returned rc). */
static int audit_rows(store_audit_entries *out, PGresult *r, err *e, int rc)
{
    store_audit_entries list = {0};
    size_t cap = 0;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        rc = store_grow((void **)&list.v, &cap, list.n, sizeof *list.v, e);
        if (rc == 0)
            rc = read_audit(&list.v[list.n++], r, i, e);
    }
    PQclear(r);
    if (rc != 0) {
        store_audit_entries_free(&list);
        return err_wrap(e, "audit: ");
    }
    *out = list;
    return 0;
}

static int audit_by_person(store_audit_entries *out, store *s, const char *person_key,
                           int64_t after_id, size_t max, err *e)
{
    PGresult *r = NULL;
    int rc = pg_query(&r, PG(s), e,
                      "SELECT id, at, person_key, direction, fields, before_json, after_json,"
                      " reason FROM audit WHERE person_key = $1 AND id > $2 ORDER BY id LIMIT $3",
                      "tii", person_key, after_id, (int64_t)max);
    return audit_rows(out, r, e, rc);
}

static int audit_recent(store_audit_entries *out, store *s, int64_t after_id, size_t max, err *e)
{
    PGresult *r = NULL;
    int rc = pg_query(&r, PG(s), e,
                      "SELECT id, at, person_key, direction, fields, before_json, after_json,"
                      " reason FROM audit WHERE id > $1 ORDER BY id DESC LIMIT $2",
                      "ii", after_id, (int64_t)max);
    return audit_rows(out, r, e, rc);
}

/* ------------------------------------------------------------------ rate budgets */

/* What an account without a row has: a window long past, nothing counted. */
static const store_budget_row budget_none = {INT64_MIN / 2, 0, 0, 0};

/* Reads the account's row and locks it until the transaction ends. FOR UPDATE cannot lock a
 * row that is not there, so a missing one is first created as budget_none (which decides as a
 * missing row does): two first takes then queue on the same row. */
static int budget_read(store_budget_row *b, pg_store *p, const char *account, err *e)
{
    for (int pass = 0; pass < 2; pass++) {
        PGresult *r = NULL;
        int rc = pg_query(&r, p, e,
                          "SELECT window_start, window_count, day_start, day_count FROM budgets"
                          " WHERE account = $1 FOR UPDATE",
                          "t", account);
        if (rc != 0)
            return rc;
        bool found = PQntuples(r) > 0;
        if (found)
            *b = (store_budget_row){pg_i64(r, 0, 0), pg_i64(r, 0, 1), pg_i64(r, 0, 2),
                                    pg_i64(r, 0, 3)};
        PQclear(r);
        if (found)
            return 0;
        if (pass == 0)
            rc = pg_run(NULL, p, e,
                        "INSERT INTO budgets (account, window_start, window_count, day_start,"
                        " day_count) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account) DO NOTHING",
                        "tiiii", account, budget_none.window_start, budget_none.window_count,
                        budget_none.day_start, budget_none.day_count);
        if (rc != 0)
            return rc;
    }
    return err_set(e, ERR_INTERNAL, "its row vanished after it was created");
}

static int budget_take(store_budget_take_result *out, store *s, const char *account,
                       const store_budget_limits *lim, int64_t n, err *e)
{
    pg_store *p = PG(s);
    store_budget_row b = budget_none;
    store_budget_take_result r;
    int rc = pg_tx_start(p, e);
    if (rc != 0)
        return err_wrap(e, "budget %s: ", account);
    rc = budget_read(&b, p, account, e);
    if (rc == 0 && store_budget_decide(&r, &b, lim, store_now(s), n))
        rc = pg_run(NULL, p, e,
                    "UPDATE budgets SET window_start = $2, window_count = $3, day_start = $4,"
                    " day_count = $5 WHERE account = $1",
                    "tiiii", account, b.window_start, b.window_count, b.day_start, b.day_count);
    rc = pg_tx_end(p, rc, e);
    if (rc != 0)
        return err_wrap(e, "budget %s: ", account);
    *out = r;
    return 0;
}

/* ------------------------------------------------------------------ counts */

/* The queues of the handle's link ($2), or of every link when it is unbound (NULL). */
#define IN_LINK "($2::text IS NULL OR link = $2)"

static int count(store_counts *out, store *s, err *e)
{
    PGresult *r = NULL;
    int rc =
        pg_query(&r, PG(s), e,
                 "SELECT (SELECT COUNT(*) FROM inbox WHERE (owner IS NULL OR lease_until <= $1)"
                 "  AND " IN_LINK "),"
                 " (SELECT COUNT(*) FROM inbox WHERE owner IS NOT NULL AND lease_until > $1"
                 "  AND " IN_LINK "),"
                 " (SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND " IN_LINK "),"
                 " (SELECT COUNT(*) FROM outbox WHERE state IN ('claimed', 'in_flight')"
                 "  AND " IN_LINK "),"
                 " (SELECT COUNT(*) FROM outbox WHERE state = 'done' AND " IN_LINK "),"
                 " (SELECT COUNT(*) FROM dead_letters),"
                 " (SELECT COUNT(*) FROM held_deletes WHERE state = 0),"
                 " (SELECT COUNT(*) FROM links WHERE unlinked_at IS NULL),"
                 " (SELECT MIN(t) FROM (SELECT MIN(received_at) AS t FROM inbox"
                 "  WHERE " IN_LINK " UNION ALL SELECT MIN(created_at) FROM outbox"
                 "  WHERE state IN ('pending', 'claimed', 'in_flight') AND " IN_LINK ") AS w)",
                 "it", store_now(s), store_link_scope(s));
    if (rc != 0)
        return rc;
    if (PQntuples(r) > 0) {
        *out = (store_counts){
            .inbox_pending = pg_i64(r, 0, 0),
            .inbox_claimed = pg_i64(r, 0, 1),
            .outbox_pending = pg_i64(r, 0, 2),
            .outbox_running = pg_i64(r, 0, 3),
            .outbox_done = pg_i64(r, 0, 4),
            .dead_letters = pg_i64(r, 0, 5),
            .held_pending = pg_i64(r, 0, 6),
            .links = pg_i64(r, 0, 7),
            .oldest_pending_ms = pg_i64(r, 0, 8), /* NULL (nothing waits) reads as 0 */
        };
    } else {
        rc = err_set(e, ERR_INTERNAL, "store counts: no row");
    }
    PQclear(r);
    return rc;
}

void pg_fill_admin(store_vtable *vt)
{
    vt->held_create = held_create;
    vt->held_list = held_list;
    vt->held_decide = held_decide;
    vt->audit_append = audit_append;
    vt->audit_by_person = audit_by_person;
    vt->audit_recent = audit_recent;
    vt->budget_take = budget_take;
    vt->count = count;
}
