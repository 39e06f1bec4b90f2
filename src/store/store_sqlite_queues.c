/* store_sqlite_queues.c: the SQLite backend's view of the queues by link: which record keys
 * have unfinished work under which link, and re-filing them under another. */
#include "store/store_sqlite_int.h"

/* Unfinished: a hint not acked; an operation not done, dead or dropped. */
static const char keys_sql[] =
    "SELECT link, record_key, SUM(h), SUM(o) FROM ("
    " SELECT link, record_key, 1 AS h, 0 AS o FROM inbox"
    " UNION ALL SELECT link, record_key, 0, 1 FROM outbox"
    "  WHERE state IN ('pending', 'claimed', 'in_flight'))"
    " GROUP BY link, record_key ORDER BY link, record_key";

static int queue_keys(store_queue_keys *out, store *s, err *e)
{
    sq_store *q = SQ(s);
    store_queue_keys list = {0};
    size_t cap = 0;
    int rc = sq_read_start(q, e);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = sq_prep(&st, q, e, keys_sql, "");
    while (rc == 0 && (rc = sq_step(q, st, e)) == 1) {
        rc = store_grow((void **)&list.v, &cap, list.n, sizeof *list.v, e);
        if (rc != 0)
            break;
        store_queue_key *k = &list.v[list.n++];
        bool failed = false;
        *k = (store_queue_key){.link = sq_text(st, 0, &failed),
                               .record_key = sq_text(st, 1, &failed),
                               .hints = sqlite3_column_int64(st, 2),
                               .ops = sqlite3_column_int64(st, 3)};
        rc = failed ? err_set(e, ERR_NOMEM, "out of memory") : 0;
    }
    sq_release(q, st);
    sq_read_end(q);
    if (rc < 0) {
        store_queue_keys_free(&list);
        return err_wrap(e, "queued work by link: ");
    }
    *out = list;
    return 0;
}

static int queue_refile(int64_t *out_moved, store *s, const char *from, const char *record_key,
                        const char *to, err *e)
{
    sq_store *q = SQ(s);
    int64_t now = store_now(s), hints = 0, ops = 0;
    int rc = sq_tx_start(q, e);
    if (rc == 0)
        rc = sq_run(&hints, q, e,
                    "UPDATE inbox SET link = ?1 WHERE link = ?2 AND record_key = ?3"
                    " AND (owner IS NULL OR lease_until <= ?4)",
                    "ttti", to, from, record_key, now);
    if (rc == 0)
        rc = sq_run(&ops, q, e,
                    "UPDATE outbox SET link = ?1 WHERE link = ?2 AND record_key = ?3"
                    " AND (state = 'pending' OR (state IN ('claimed', 'in_flight')"
                    " AND (lease_until IS NULL OR lease_until <= ?4)))",
                    "ttti", to, from, record_key, now);
    rc = sq_tx_end(q, rc, e);
    if (rc != 0)
        return err_wrap(e, "re-filing %s under link '%s': ", record_key, to);
    *out_moved = hints + ops;
    return 0;
}

void sq_fill_queues(store_vtable *vt)
{
    vt->queue_keys = queue_keys;
    vt->queue_refile = queue_refile;
}
