/* store_sqlite_inbox.c: the inbox on SQLite: durable hints, claimed per record key with a
 * lease, so that a burst of hints for one record is planned once and by one worker. */
#include "store/store_sqlite_int.h"

static int inbox_append(int64_t *out_id, store *s, const store_hint_new *h, err *e)
{
    sq_store *q = SQ(s);
    int64_t now = store_now(s);
    int rc = sq_run(NULL, q, e,
                    "INSERT INTO inbox (source, kind, record_key, payload, received_at,"
                    " not_before, link) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    "ttttiit", h->source, h->kind, h->record_key, h->payload, now,
                    now + h->delay_ms, store_link_for_append(s, h->link));
    if (rc != 0)
        return err_wrap(e, "inbox append: ");
    if (out_id)
        *out_id = sqlite3_last_insert_rowid(q->db);
    return 0;
}

/* Takes one key: fences all its hints up to last_id with the batch's claim (the fences check
 * the key with it), then reads the latest. */
static int claim_key(store_hint *h, sq_store *q, int64_t claim, const char *owner, int64_t until,
                     err *e)
{
    h->claim = claim;
    int rc = sq_run(NULL, q, e,
                    "UPDATE inbox SET owner = ?1, lease_until = ?2, claim = ?3"
                    " WHERE record_key = ?4 AND id <= ?5",
                    "tiiti", owner, until, h->claim, h->record_key, h->last_id);
    sqlite3_stmt *st = NULL;
    if (rc == 0)
        rc = sq_prep(&st, q, e, "SELECT source, kind, payload FROM inbox WHERE id = ?1", "i",
                     h->last_id);
    if (rc == 0)
        rc = sq_step(q, st, e);
    if (rc == 1) {
        bool failed = false;
        h->source = sq_text(st, 0, &failed);
        h->kind = sq_text(st, 1, &failed);
        h->payload = sq_text(st, 2, &failed);
        rc = failed ? err_set(e, ERR_NOMEM, "store: out of memory") : 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_INTERNAL, "inbox: hint %lld vanished during its claim",
                     (long long)h->last_id);
    }
    sq_release(q, st);
    return rc;
}

/* Ready keys: a ready hint, and no live lease on any hint of the key. Candidates come from the
 * oldest ready hints (a window of a few per key wanted), so a claim does not scan the backlog:
 * it may return fewer keys than max even when more are ready, but never none when one is. */
static int ready_keys(store_hints *list, size_t *cap, sq_store *q, int64_t now, size_t max,
                      const char *link, err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sq_prep(&st, q, e,
                     "SELECT record_key, MIN(id), MAX(id), COUNT(*), MIN(received_at) FROM inbox"
                     " WHERE record_key IN (SELECT record_key FROM inbox"
                     "  WHERE not_before <= ?1 AND (owner IS NULL OR lease_until <= ?1)"
                     "  AND (?4 IS NULL OR link = ?4)"
                     "  AND record_key NOT IN (SELECT record_key FROM inbox"
                     "   WHERE owner IS NOT NULL AND lease_until > ?1)"
                     "  ORDER BY id LIMIT ?3)"
                     " GROUP BY record_key ORDER BY MIN(id) LIMIT ?2",
                     "iiit", now, (int64_t)max, (int64_t)max * 4, link);
    while (rc == 0 && (rc = sq_step(q, st, e)) == 1) {
        rc = store_grow((void **)&list->v, cap, list->n, sizeof *list->v, e);
        if (rc != 0)
            break;
        store_hint *h = &list->v[list->n++];
        bool failed = false;
        h->record_key = sq_text(st, 0, &failed);
        h->first_id = sqlite3_column_int64(st, 1);
        h->last_id = sqlite3_column_int64(st, 2);
        h->count = sqlite3_column_int64(st, 3);
        h->received_ms = sqlite3_column_int64(st, 4);
        if (failed)
            rc = err_set(e, ERR_NOMEM, "store: out of memory");
    }
    sq_release(q, st);
    return rc;
}

static int inbox_claim(store_hints *out, store *s, const char *owner, int64_t lease_ms, size_t max,
                       err *e)
{
    sq_store *q = SQ(s);
    store_hints list = {0};
    size_t cap = 0;
    int64_t now = store_now(s);
    int rc = sq_tx_start(q, e);
    if (rc != 0)
        return err_wrap(e, "inbox claim: ");
    rc = ready_keys(&list, &cap, q, now, max, store_link_scope(s), e);
    int64_t claim = 0;
    if (rc == 0 && list.n)
        rc = sq_next_claim(&claim, q, e);
    for (size_t i = 0; rc == 0 && i < list.n; i++)
        rc = claim_key(&list.v[i], q, claim, owner, now + lease_ms, e);
    rc = sq_tx_end(q, rc, e);
    if (rc != 0) {
        store_hints_free(&list);
        return err_wrap(e, "inbox claim: ");
    }
    *out = list;
    return 0;
}

static int inbox_ack(store *s, const store_hint *h, err *e)
{
    int64_t n = 0;
    int rc =
        sq_run(&n, SQ(s), e, "DELETE FROM inbox WHERE record_key = ?1 AND claim = ?2 AND id <= ?3",
               "tii", h->record_key, h->claim, h->last_id);
    if (rc != 0)
        return err_wrap(e, "inbox ack: ");
    if (n == 0)
        return err_set(e, ERR_CONFLICT, "inbox ack '%s': the lease was lost to another claim",
                       h->record_key);
    return 0;
}

static int inbox_defer(store *s, const store_hint *h, int64_t not_before_ms, err *e)
{
    int64_t n = 0;
    int rc = sq_run(&n, SQ(s), e,
                    "UPDATE inbox SET owner = NULL, lease_until = NULL, not_before = ?1"
                    " WHERE record_key = ?2 AND claim = ?3 AND id <= ?4",
                    "itii", not_before_ms, h->record_key, h->claim, h->last_id);
    if (rc != 0)
        return err_wrap(e, "inbox defer: ");
    if (n == 0)
        return err_set(e, ERR_CONFLICT, "inbox defer '%s': the lease was lost to another claim",
                       h->record_key);
    return 0;
}

void sq_fill_queue(store_vtable *vt)
{
    vt->inbox_append = inbox_append;
    vt->inbox_claim = inbox_claim;
    vt->inbox_ack = inbox_ack;
    vt->inbox_defer = inbox_defer;
}
