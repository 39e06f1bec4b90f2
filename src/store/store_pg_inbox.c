/* store_pg_inbox.c: the inbox on PostgreSQL: durable hints, claimed per record key with a
 * lease, so that a burst of hints for one record is planned once and by one worker, even with
 * several processes claiming at once. */
#include "store/store_pg_int.h"

/* Invalid JSON fails the insert, and only the insert (pg_one_start). */
static int inbox_append(int64_t *out_id, store *s, const store_hint_new *h, err *e)
{
    pg_store *p = PG(s);
    bool guard = false;
    int64_t now = store_now(s), id = 0;
    int rc = pg_one_start(&guard, p, e);
    if (rc != 0)
        return err_wrap(e, "inbox append: ");
    rc = pg_int(&id, p, e,
                "INSERT INTO inbox (source, kind, record_key, payload, received_at,"
                " not_before, link) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                "ttttiit", h->source, h->kind, h->record_key, h->payload, now, now + h->delay_ms,
                store_link_for_append(s, h->link));
    rc = pg_one_end(p, guard, rc, e);
    if (rc != 0)
        return err_wrap(e, "inbox append: ");
    if (out_id)
        *out_id = id;
    return 0;
}

/* Candidate keys, as the SQLite backend picks them: a ready hint and no live lease on any hint
 * of the key, from a window of the oldest ready hints (a few per key wanted), so a claim does
 * not scan the backlog. Each candidate is kept only when its advisory lock is granted: the
 * lock serialises claims of one key across processes (a key another claim holds, or one
 * sharing its hash, is skipped rather than waited for), and MATERIALIZED keeps the lock from
 * being tried on rows not returned. */
static const char ready_sql[] =
    "WITH c AS MATERIALIZED ("
    " SELECT record_key, MIN(id) AS first_id, MAX(id) AS last_id FROM inbox"
    " WHERE record_key IN (SELECT i.record_key FROM inbox i"
    "  WHERE i.not_before <= $1 AND (i.owner IS NULL OR i.lease_until <= $1)"
    "  AND ($4::text IS NULL OR i.link = $4)"
    "  AND NOT EXISTS (SELECT 1 FROM inbox l WHERE l.record_key = i.record_key"
    "   AND l.owner IS NOT NULL AND l.lease_until > $1)"
    "  ORDER BY i.id LIMIT $3)"
    " GROUP BY record_key ORDER BY MIN(id) LIMIT $2)"
    " SELECT record_key, last_id FROM c"
    " WHERE pg_try_advisory_xact_lock(hashtext(record_key)) ORDER BY first_id";

static int ready_keys(store_hints *list, pg_store *p, int64_t now, size_t max, const char *link,
                      err *e)
{
    PGresult *r = NULL;
    int rc = pg_query(&r, p, e, ready_sql, "iiit", now, (int64_t)max, (int64_t)max * 4, link);
    if (rc != 0)
        return rc;
    int rows = PQntuples(r);
    if (rows > 0 && !(list->v = calloc((size_t)rows, sizeof *list->v)))
        rc = err_set(e, ERR_NOMEM, "store: out of memory");
    for (int i = 0; rc == 0 && i < rows; i++) {
        store_hint *h = &list->v[list->n++];
        bool failed = false;
        h->record_key = pg_text(r, i, 0, &failed);
        h->last_id = pg_i64(r, i, 1); /* the rest comes from the rows claim_key fences */
        if (failed)
            rc = err_set(e, ERR_NOMEM, "store: out of memory");
    }
    PQclear(r);
    return rc;
}

/* Takes one key whose lock this transaction holds: fences its hints up to last_id with the
 * batch's claim and reads the latest. The candidates were read before the lock was granted, so
 * the statement (a fresh snapshot, taken after the lock) tests again that the key is still
 * ready and has no live lease: another process may have claimed it, or claimed and deferred
 * it, in between. The figures come from the rows fenced, which are the ones ack and defer
 * cover. *out_taken: false when the key is no longer free. */
static const char take_sql[] =
    "WITH u AS (UPDATE inbox SET owner = $1, lease_until = $2, claim = $3"
    "  WHERE record_key = $4 AND id <= $5"
    "  AND NOT EXISTS (SELECT 1 FROM inbox l WHERE l.record_key = $4"
    "   AND l.owner IS NOT NULL AND l.lease_until > $6)"
    "  AND EXISTS (SELECT 1 FROM inbox r WHERE r.record_key = $4 AND r.id <= $5"
    "   AND r.not_before <= $6 AND (r.owner IS NULL OR r.lease_until <= $6)"
    "   AND ($7::text IS NULL OR r.link = $7))"
    "  RETURNING id, received_at),"
    " a AS (SELECT MIN(id) AS first_id, MAX(id) AS last_id, COUNT(*) AS n,"
    "  MIN(received_at) AS received FROM u)"
    " SELECT a.first_id, a.last_id, a.n, a.received, i.source, i.kind, i.payload"
    " FROM a JOIN inbox i ON i.id = a.last_id";

static int claim_key(bool *out_taken, store_hint *h, pg_store *p, int64_t claim, const char *owner,
                     int64_t now, int64_t until, const char *link, err *e)
{
    PGresult *r = NULL;
    int rc = pg_query(&r, p, e, take_sql, "tiitiit", owner, until, claim, h->record_key, h->last_id,
                      now, link);
    if (rc != 0)
        return rc;
    bool taken = PQntuples(r) > 0;
    if (taken) {
        bool failed = false;
        h->claim = claim;
        h->first_id = pg_i64(r, 0, 0);
        h->last_id = pg_i64(r, 0, 1);
        h->count = pg_i64(r, 0, 2);
        h->received_ms = pg_i64(r, 0, 3);
        h->source = pg_text(r, 0, 4, &failed);
        h->kind = pg_text(r, 0, 5, &failed);
        h->payload = pg_text(r, 0, 6, &failed);
        if (failed)
            rc = err_set(e, ERR_NOMEM, "store: out of memory");
    }
    PQclear(r);
    if (rc == 0)
        *out_taken = taken;
    return rc;
}

/* Claims the candidates in order, dropping from the list those taken by another claim since
 * they were read. */
static int claim_keys(store_hints *list, pg_store *p, const char *owner, int64_t now, int64_t until,
                      const char *link, err *e)
{
    int64_t claim = 0;
    int rc = list->n ? pg_next_claim(&claim, p, e) : 0;
    size_t kept = 0;
    for (size_t i = 0; rc == 0 && i < list->n; i++) {
        bool taken = false;
        rc = claim_key(&taken, &list->v[i], p, claim, owner, now, until, link, e);
        if (rc == 0 && taken) {
            if (kept != i) { /* one owner per hint, for store_hints_free on a later failure */
                list->v[kept] = list->v[i];
                list->v[i] = (store_hint){0};
            }
            kept++;
        } else if (rc == 0) {
            free(list->v[i].record_key);
            list->v[i].record_key = NULL;
        }
    }
    if (rc == 0)
        list->n = kept;
    return rc;
}

static int inbox_claim(store_hints *out, store *s, const char *owner, int64_t lease_ms, size_t max,
                       err *e)
{
    pg_store *p = PG(s);
    store_hints list = {0};
    int64_t now = store_now(s);
    const char *link = store_link_scope(s);
    int rc = pg_tx_start(p, e);
    if (rc != 0)
        return err_wrap(e, "inbox claim: ");
    rc = ready_keys(&list, p, now, max, link, e);
    if (rc == 0)
        rc = claim_keys(&list, p, owner, now, now + lease_ms, link, e);
    rc = pg_tx_end(p, rc, e);
    if (rc != 0) {
        store_hints_free(&list);
        return err_wrap(e, "inbox claim: ");
    }
    if (list.n == 0) {
        free(list.v);
        list.v = NULL;
    }
    *out = list;
    return 0;
}

static int inbox_ack(store *s, const store_hint *h, err *e)
{
    int64_t n = 0;
    int rc =
        pg_run(&n, PG(s), e, "DELETE FROM inbox WHERE record_key = $1 AND claim = $2 AND id <= $3",
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
    int rc = pg_run(&n, PG(s), e,
                    "UPDATE inbox SET owner = NULL, lease_until = NULL, not_before = $1"
                    " WHERE record_key = $2 AND claim = $3 AND id <= $4",
                    "itii", not_before_ms, h->record_key, h->claim, h->last_id);
    if (rc != 0)
        return err_wrap(e, "inbox defer: ");
    if (n == 0)
        return err_set(e, ERR_CONFLICT, "inbox defer '%s': the lease was lost to another claim",
                       h->record_key);
    return 0;
}

void pg_fill_queue(store_vtable *vt)
{
    vt->inbox_append = inbox_append;
    vt->inbox_claim = inbox_claim;
    vt->inbox_ack = inbox_ack;
    vt->inbox_defer = inbox_defer;
}
