/* store_pg_queues.c: the PostgreSQL backend's view of the queues by link: which record keys
 * have unfinished work under which link, and re-filing them under another. */
#include "store/store_pg_int.h"

/* Unfinished: a hint not acked; an operation not done, dead or dropped. */
static const char keys_sql[] = "SELECT link, record_key, SUM(h), SUM(o) FROM ("
                               " SELECT link, record_key, 1 AS h, 0 AS o FROM inbox"
                               " UNION ALL SELECT link, record_key, 0, 1 FROM outbox"
                               "  WHERE state IN ('pending', 'claimed', 'in_flight')) AS w"
                               " GROUP BY link, record_key ORDER BY link, record_key";

static int keys_from(store_queue_keys *list, const PGresult *r, err *e)
{
    int rows = PQntuples(r);
    if (rows > 0 && !(list->v = calloc((size_t)rows, sizeof *list->v)))
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int i = 0; i < rows; i++) {
        store_queue_key *k = &list->v[list->n++];
        bool failed = false;
        *k = (store_queue_key){.link = pg_text(r, i, 0, &failed),
                               .record_key = pg_text(r, i, 1, &failed),
                               .hints = pg_i64(r, i, 2),
                               .ops = pg_i64(r, i, 3)};
        if (failed)
            return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

static int queue_keys(store_queue_keys *out, store *s, err *e)
{
    pg_store *p = PG(s);
    store_queue_keys list = {0};
    int rc = pg_read_start(p, e);
    if (rc != 0)
        return rc;
    PGresult *r = NULL;
    rc = pg_query(&r, p, e, keys_sql, "");
    if (rc == 0)
        rc = keys_from(&list, r, e);
    PQclear(r);
    pg_read_end(p);
    if (rc < 0) {
        store_queue_keys_free(&list);
        return err_wrap(e, "queued work by link: ");
    }
    *out = list;
    return 0;
}

/* Each UPDATE tests the lease on the row version it changes: under READ COMMITTED a row that a
 * concurrent claim is changing is tested again once that claim commits, so work claimed by
 * another process meanwhile stays where it is. */
static int queue_refile(int64_t *out_moved, store *s, const char *from, const char *record_key,
                        const char *to, err *e)
{
    pg_store *p = PG(s);
    int64_t now = store_now(s), hints = 0, ops = 0;
    int rc = pg_tx_start(p, e);
    if (rc == 0)
        rc = pg_run(&hints, p, e,
                    "UPDATE inbox SET link = $1 WHERE link = $2 AND record_key = $3"
                    " AND (owner IS NULL OR lease_until <= $4)",
                    "ttti", to, from, record_key, now);
    if (rc == 0)
        rc = pg_run(&ops, p, e,
                    "UPDATE outbox SET link = $1 WHERE link = $2 AND record_key = $3"
                    " AND (state = 'pending' OR (state IN ('claimed', 'in_flight')"
                    " AND (lease_until IS NULL OR lease_until <= $4)))",
                    "ttti", to, from, record_key, now);
    rc = pg_tx_end(p, rc, e);
    if (rc != 0)
        return err_wrap(e, "re-filing %s under link '%s': ", record_key, to);
    *out_moved = hints + ops;
    return 0;
}

void pg_fill_queues(store_vtable *vt)
{
    vt->queue_keys = queue_keys;
    vt->queue_refile = queue_refile;
}
