/* store_sqlite_admin.c: held deletes, the audit log, shared rate budgets and status counts on
 * SQLite. */
#include "store/store_sqlite_int.h"

/* ------------------------------------------------------------------ held deletes */

static int held_create(int64_t *out_id, bool *out_dup, store *s, const store_held_new *h, err *e)
{
    sq_store *q = SQ(s);
    int64_t n = 0, id = 0;
    int rc = sq_tx_start(q, e);
    if (rc != 0)
        return rc;
    rc = sq_run(&n, q, e,
                "INSERT INTO held_deletes (batch, side, record_key, link_id, reason, payload,"
                " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
                "tttitti", h->batch, h->side, h->record_key, h->link_id, h->reason, h->payload,
                store_now(s));
    if (rc == 0 && n == 1)
        id = sqlite3_last_insert_rowid(q->db);
    else if (rc == 0)
        rc = sq_int(&id, q, e,
                    "SELECT id FROM held_deletes WHERE side = ?1 AND record_key = ?2 AND state = 0",
                    "tt", h->side, h->record_key);
    rc = sq_tx_end(q, rc, e);
    if (rc != 0)
        return err_wrap(e, "held delete %s/%s: ", h->side, h->record_key);
    *out_id = id;
    if (out_dup)
        *out_dup = n == 0;
    return 0;
}

static int read_held(store_held *h, sqlite3_stmt *st, err *e)
{
    bool failed = false;
    h->id = sqlite3_column_int64(st, 0);
    h->batch = sq_text(st, 1, &failed);
    h->side = sq_text(st, 2, &failed);
    h->record_key = sq_text(st, 3, &failed);
    h->link_id = sqlite3_column_int64(st, 4);
    h->reason = sq_text(st, 5, &failed);
    h->payload = sq_text(st, 6, &failed);
    h->state = sqlite3_column_int(st, 7);
    h->created_ms = sqlite3_column_int64(st, 8);
    h->decided_ms = sqlite3_column_int64(st, 9);
    h->decided_by = sq_text(st, 10, &failed);
    return failed ? err_set(e, ERR_NOMEM, "store: out of memory") : 0;
}

static int held_list(store_helds *out, store *s, int state, int64_t after_id, size_t max, err *e)
{
    sq_store *q = SQ(s);
    store_helds list = {0};
    size_t cap = 0;
    sqlite3_stmt *st = NULL;
    int rc = sq_prep(&st, q, e,
                     "SELECT id, batch, side, record_key, link_id, reason, payload, state,"
                     " created_at, decided_at, decided_by FROM held_deletes"
                     " WHERE (?1 < 0 OR state = ?1) AND id > ?2 ORDER BY id LIMIT ?3",
                     "dii", state, after_id, (int64_t)max);
    while (rc == 0 && (rc = sq_step(q, st, e)) == 1) {
        rc = store_grow((void **)&list.v, &cap, list.n, sizeof *list.v, e);
        if (rc == 0)
            rc = read_held(&list.v[list.n++], st, e);
    }
    sq_release(SQ(s), st);
    if (rc != 0) {
        store_helds_free(&list);
        return err_wrap(e, "held deletes: ");
    }
    *out = list;
    return 0;
}

static int held_decide(store *s, int64_t id, int state, const char *by, err *e)
{
    sq_store *q = SQ(s);
    int64_t n = 0, cur = 0;
    int rc = sq_tx_start(q, e);
    if (rc != 0)
        return rc;
    rc = sq_int(&cur, q, e, "SELECT state FROM held_deletes WHERE id = ?1", "i", id);
    if (rc == ERR_NOT_FOUND)
        err_set(e, rc, "held delete %lld: no such held delete", (long long)id);
    else if (rc == 0 && cur != STORE_HELD_PENDING)
        rc = err_set(e, ERR_BAD_STATE, "held delete %lld was already %s", (long long)id,
                     cur == STORE_HELD_APPROVED ? "approved" : "rejected");
    if (rc == 0)
        rc = sq_run(&n, q, e,
                    "UPDATE held_deletes SET state = ?2, decided_at = ?3, decided_by = ?4"
                    " WHERE id = ?1 AND state = 0",
                    "idit", id, state, store_now(s), by);
    return sq_tx_end(q, rc, e);
}

/* ------------------------------------------------------------------ audit log */

static int audit_append(int64_t *out_id, store *s, const store_audit_new *a, err *e)
{
    sq_store *q = SQ(s);
    int rc = sq_run(NULL, q, e,
                    "INSERT INTO audit (at, person_key, direction, fields, before_json,"
                    " after_json, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    "itttttt", store_now(s), a->person_key, a->direction, a->fields, a->before,
                    a->after, a->reason);
    if (rc != 0)
        return err_wrap(e, "audit append: ");
    if (out_id)
        *out_id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

static int read_audit(store_audit_entry *a, sqlite3_stmt *st, err *e)
{
    bool failed = false;
    a->id = sqlite3_column_int64(st, 0);
    a->at_ms = sqlite3_column_int64(st, 1);
    a->person_key = sq_text(st, 2, &failed);
    a->direction = sq_text(st, 3, &failed);
    a->fields = sq_text(st, 4, &failed);
    a->before = sq_text(st, 5, &failed);
    a->after = sq_text(st, 6, &failed);
    a->reason = sq_text(st, 7, &failed);
    return failed ? err_set(e, ERR_NOMEM, "store: out of memory") : 0;
}

/* Runs an audit query whose columns are read_audit's, collecting every row. */
static int audit_rows(store_audit_entries *out, sq_store *q, sqlite3_stmt *st, err *e, int rc)
{
    store_audit_entries list = {0};
    size_t cap = 0;
    while (rc == 0 && (rc = sq_step(q, st, e)) == 1) {
        rc = store_grow((void **)&list.v, &cap, list.n, sizeof *list.v, e);
        if (rc == 0)
            rc = read_audit(&list.v[list.n++], st, e);
    }
    sq_release(q, st);
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
    sq_store *q = SQ(s);
    sqlite3_stmt *st = NULL;
    int rc = sq_prep(&st, q, e,
                     "SELECT id, at, person_key, direction, fields, before_json, after_json,"
                     " reason FROM audit WHERE person_key = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                     "tii", person_key, after_id, (int64_t)max);
    return audit_rows(out, q, st, e, rc);
}

static int audit_recent(store_audit_entries *out, store *s, int64_t after_id, size_t max, err *e)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = NULL;
    int rc = sq_prep(&st, q, e,
                     "SELECT id, at, person_key, direction, fields, before_json, after_json,"
                     " reason FROM audit WHERE id > ?1 ORDER BY id DESC LIMIT ?2",
                     "ii", after_id, (int64_t)max);
    return audit_rows(out, q, st, e, rc);
}

/* ------------------------------------------------------------------ rate budgets */

static int budget_read(store_budget_row *b, sq_store *q, const char *account, err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sq_prep(&st, q, e,
                     "SELECT window_start, window_count, day_start, day_count FROM budgets"
                     " WHERE account = ?1",
                     "t", account);
    if (rc == 0)
        rc = sq_step(q, st, e);
    if (rc == 1) {
        b->window_start = sqlite3_column_int64(st, 0);
        b->window_count = sqlite3_column_int64(st, 1);
        b->day_start = sqlite3_column_int64(st, 2);
        b->day_count = sqlite3_column_int64(st, 3);
        rc = 0;
    }
    sq_release(q, st);
    return rc;
}

static int budget_take(store_budget_take_result *out, store *s, const char *account,
                       const store_budget_limits *lim, int64_t n, err *e)
{
    sq_store *q = SQ(s);
    store_budget_row b = {INT64_MIN / 2, 0, 0, 0};
    store_budget_take_result r;
    int rc = sq_tx_start(q, e);
    if (rc != 0)
        return err_wrap(e, "budget %s: ", account);
    rc = budget_read(&b, q, account, e);
    if (rc == 0 && store_budget_decide(&r, &b, lim, store_now(s), n))
        rc = sq_run(NULL, q, e,
                    "INSERT INTO budgets (account, window_start, window_count, day_start,"
                    " day_count) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (account) DO UPDATE"
                    " SET window_start = excluded.window_start,"
                    " window_count = excluded.window_count, day_start = excluded.day_start,"
                    " day_count = excluded.day_count",
                    "tiiii", account, b.window_start, b.window_count, b.day_start, b.day_count);
    rc = sq_tx_end(q, rc, e);
    if (rc != 0)
        return err_wrap(e, "budget %s: ", account);
    *out = r;
    return 0;
}

/* ------------------------------------------------------------------ counts */

/* The queues of the handle's link (?2), or of every link when it is unbound (NULL). */
#define IN_LINK "(?2 IS NULL OR link = ?2)"

static int count(store_counts *out, store *s, err *e)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = NULL;
    int rc = sq_prep(&st, q, e,
                     "SELECT (SELECT COUNT(*) FROM inbox WHERE (owner IS NULL OR lease_until <= ?1)"
                     "  AND " IN_LINK "),"
                     " (SELECT COUNT(*) FROM inbox WHERE owner IS NOT NULL AND lease_until > ?1"
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
                     "  WHERE state IN ('pending', 'claimed', 'in_flight') AND " IN_LINK "))",
                     "it", store_now(s), store_link_scope(s));
    if (rc == 0)
        rc = sq_step(q, st, e);
    if (rc == 1) {
        store_counts c = {
            sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
            sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
            sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5),
            sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 7),
            sqlite3_column_int64(st, 8), /* NULL (nothing waits) reads as 0 */
        };
        *out = c;
        rc = 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_INTERNAL, "store counts: no row");
    }
    sq_release(SQ(s), st);
    return rc;
}

void sq_fill_admin(store_vtable *vt)
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
