/* store_sqlite_misc.c: the small tables on SQLite: tokens, locks, delivery ids, shadows,
 * cursors, held deletes, the audit log, rate budgets and counts. */
#include "store/store_sqlite_int.h"

/* ------------------------------------------------------------------ tokens and locks */

static int token_put(store *s, const char *service, const char *account, const char *sealed,
                     int64_t expires_ms, err *e)
{
    int rc = sq_run(NULL, SQ(s), e,
                    "INSERT INTO tokens (service, account, sealed, expires_at, updated_at)"
                    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (service, account) DO UPDATE"
                    " SET sealed = excluded.sealed, expires_at = excluded.expires_at,"
                    " updated_at = excluded.updated_at",
                    "tttii", service, account, sealed, expires_ms, store_now(s));
    return rc != 0 ? err_wrap(e, "token %s/%s: ", service, account) : 0;
}

static int token_get(char **out_sealed, int64_t *out_expires_ms, store *s, const char *service,
                     const char *account, err *e)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = NULL;
    int rc = sq_prep(&st, q, e,
                     "SELECT sealed, expires_at FROM tokens WHERE service = ?1 AND account = ?2",
                     "tt", service, account);
    if (rc == 0)
        rc = sq_step(q, st, e);
    if (rc == 1) {
        bool failed = false;
        char *sealed = sq_text(st, 0, &failed);
        if (failed) {
            rc = err_set(e, ERR_NOMEM, "store: out of memory");
        } else {
            *out_sealed = sealed;
            if (out_expires_ms)
                *out_expires_ms = sqlite3_column_int64(st, 1);
            rc = 0;
        }
    } else if (rc == 0) {
        rc = err_set(e, ERR_NOT_FOUND, "no token stored for %s/%s", service, account);
    }
    sq_release(SQ(s), st);
    return rc;
}

static int token_delete(store *s, const char *service, const char *account, err *e)
{
    return sq_run(NULL, SQ(s), e, "DELETE FROM tokens WHERE service = ?1 AND account = ?2", "tt",
                  service, account);
}

/* One statement: it takes a free or expired lock, or renews the owner's own lease. */
static int lock_try(bool *out_got, store *s, const char *name, const char *owner, int64_t ttl_ms,
                    err *e)
{
    int64_t now = store_now(s), n = 0;
    int rc = sq_run(&n, SQ(s), e,
                    "INSERT INTO locks (name, owner, until_at) VALUES (?1, ?2, ?3)"
                    " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
                    " until_at = excluded.until_at"
                    " WHERE locks.until_at <= ?4 OR locks.owner = excluded.owner",
                    "ttii", name, owner, now + ttl_ms, now);
    if (rc != 0)
        return err_wrap(e, "lock %s: ", name);
    *out_got = n == 1;
    return 0;
}

static int lock_release(store *s, const char *name, const char *owner, err *e)
{
    return sq_run(NULL, SQ(s), e, "DELETE FROM locks WHERE name = ?1 AND owner = ?2", "tt", name,
                  owner);
}

/* ------------------------------------------------------------------ delivery ids */

static int delivery_seen_or_insert(bool *out_seen, store *s, const char *source, const char *id,
                                   err *e)
{
    int64_t n = 0;
    int rc = sq_run(&n, SQ(s), e,
                    "INSERT INTO deliveries (source, delivery_id, seen_at) VALUES (?1, ?2, ?3)"
                    " ON CONFLICT (source, delivery_id) DO NOTHING",
                    "tti", source, id, store_now(s));
    if (rc != 0)
        return err_wrap(e, "delivery %s/%s: ", source, id);
    *out_seen = n == 0;
    return 0;
}

static int delivery_purge(int64_t *out_removed, store *s, int64_t before_ms, err *e)
{
    int64_t n = 0;
    int rc = sq_run(&n, SQ(s), e, "DELETE FROM deliveries WHERE seen_at < ?1", "i", before_ms);
    if (rc == 0 && out_removed)
        *out_removed = n;
    return rc;
}

/* ------------------------------------------------------------------ shadows and cursors */

static int shadow_write(int64_t *version, sq_store *q, const char *side, const char *key,
                        const char *body, const char *hash, int64_t expect, err *e)
{
    int64_t cur = 0;
    int rc = sq_int(&cur, q, e, "SELECT version FROM shadows WHERE side = ?1 AND record_key = ?2",
                    "tt", side, key);
    if (rc == ERR_NOT_FOUND)
        rc = 0;
    if (rc != 0)
        return rc;
    if (expect >= 0 && expect != cur)
        return err_set(e, ERR_CONFLICT, "shadow %s/%s is at version %lld, not %lld", side, key,
                       (long long)cur, (long long)expect);
    *version = cur + 1;
    return sq_run(NULL, q, e,
                  "INSERT INTO shadows (side, record_key, body, hash, version, updated_at)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (side, record_key) DO UPDATE"
                  " SET body = excluded.body, hash = excluded.hash, version = excluded.version,"
                  " updated_at = excluded.updated_at",
                  "ttttii", side, key, body, hash, *version, store_now(&q->base));
}

static int shadow_put(int64_t *out_version, store *s, const char *side, const char *record_key,
                      const char *body, const char *hash, int64_t expect_version, err *e)
{
    sq_store *q = SQ(s);
    int64_t version = 0;
    int rc = sq_tx_start(q, e);
    if (rc == 0)
        rc = sq_tx_end(
            q, shadow_write(&version, q, side, record_key, body, hash, expect_version, e), e);
    if (rc != 0)
        return err_wrap(e, "shadow put: ");
    if (out_version)
        *out_version = version;
    return 0;
}

static int shadow_get(store_shadow **out, store *s, const char *side, const char *record_key,
                      err *e)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = NULL;
    int rc = sq_prep(&st, q, e,
                     "SELECT side, record_key, body, hash, version, updated_at FROM shadows"
                     " WHERE side = ?1 AND record_key = ?2",
                     "tt", side, record_key);
    if (rc == 0)
        rc = sq_step(q, st, e);
    store_shadow *sh = NULL;
    if (rc == 1) {
        bool failed = false;
        sh = calloc(1, sizeof *sh);
        if (sh) {
            sh->side = sq_text(st, 0, &failed);
            sh->record_key = sq_text(st, 1, &failed);
            sh->body = sq_text(st, 2, &failed);
            sh->hash = sq_text(st, 3, &failed);
            sh->version = sqlite3_column_int64(st, 4);
            sh->updated_ms = sqlite3_column_int64(st, 5);
        }
        rc = !sh || failed ? err_set(e, ERR_NOMEM, "store: out of memory") : 0;
    } else if (rc == 0) {
        rc = err_set(e, ERR_NOT_FOUND, "no shadow for %s/%s", side, record_key);
    }
    sq_release(SQ(s), st);
    if (rc != 0) {
        store_shadow_free(sh);
        return rc;
    }
    *out = sh;
    return 0;
}

static int shadow_delete(store *s, const char *side, const char *record_key, err *e)
{
    return sq_run(NULL, SQ(s), e, "DELETE FROM shadows WHERE side = ?1 AND record_key = ?2", "tt",
                  side, record_key);
}

static int cursor_put(store *s, const char *name, const char *value, err *e)
{
    return sq_run(NULL, SQ(s), e,
                  "INSERT INTO cursors (name, value, updated_at) VALUES (?1, ?2, ?3)"
                  " ON CONFLICT (name) DO UPDATE SET value = excluded.value,"
                  " updated_at = excluded.updated_at",
                  "tti", name, value, store_now(s));
}

static int cursor_get(char **out, store *s, const char *name, err *e)
{
    sq_store *q = SQ(s);
    sqlite3_stmt *st = NULL;
    int rc = sq_prep(&st, q, e, "SELECT value FROM cursors WHERE name = ?1", "t", name);
    if (rc == 0)
        rc = sq_step(q, st, e);
    if (rc == 1) {
        bool failed = false;
        char *v = sq_text(st, 0, &failed);
        rc = failed ? err_set(e, ERR_NOMEM, "store: out of memory") : 0;
        if (rc == 0)
            *out = v;
    } else if (rc == 0) {
        rc = err_set(e, ERR_NOT_FOUND, "cursor %s is not set", name);
    }
    sq_release(SQ(s), st);
    return rc;
}

void sq_fill_misc(store_vtable *vt)
{
    vt->token_put = token_put;
    vt->token_get = token_get;
    vt->token_delete = token_delete;
    vt->lock_try = lock_try;
    vt->lock_release = lock_release;
    vt->delivery_seen_or_insert = delivery_seen_or_insert;
    vt->delivery_purge = delivery_purge;
    vt->shadow_put = shadow_put;
    vt->shadow_get = shadow_get;
    vt->shadow_delete = shadow_delete;
    vt->cursor_put = cursor_put;
    vt->cursor_get = cursor_get;
}
