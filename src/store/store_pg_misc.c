/* store_pg_misc.c: the small tables on PostgreSQL: tokens, locks, delivery ids, shadows and
 * cursors. */
#include "store/store_pg_int.h"

/* ------------------------------------------------------------------ tokens and locks */

static int token_put(store *s, const char *service, const char *account, const char *sealed,
                     int64_t expires_ms, err *e)
{
    int rc = pg_run(NULL, PG(s), e,
                    "INSERT INTO tokens (service, account, sealed, expires_at, updated_at)"
                    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (service, account) DO UPDATE"
                    " SET sealed = excluded.sealed, expires_at = excluded.expires_at,"
                    " updated_at = excluded.updated_at",
                    "tttii", service, account, sealed, expires_ms, store_now(s));
    return rc != 0 ? err_wrap(e, "token %s/%s: ", service, account) : 0;
}

static int token_get(char **out_sealed, int64_t *out_expires_ms, store *s, const char *service,
                     const char *account, err *e)
{
    PGresult *r = NULL;
    int rc = pg_query(&r, PG(s), e,
                      "SELECT sealed, expires_at FROM tokens WHERE service = $1 AND account = $2",
                      "tt", service, account);
    if (rc != 0)
        return rc;
    if (PQntuples(r) == 0) {
        rc = err_set(e, ERR_NOT_FOUND, "no token stored for %s/%s", service, account);
    } else {
        bool failed = false;
        char *sealed = pg_text(r, 0, 0, &failed);
        if (failed) {
            rc = err_set(e, ERR_NOMEM, "store: out of memory");
        } else {
            *out_sealed = sealed;
            if (out_expires_ms)
                *out_expires_ms = pg_i64(r, 0, 1);
        }
    }
    PQclear(r);
    return rc;
}

static int token_delete(store *s, const char *service, const char *account, err *e)
{
    return pg_run(NULL, PG(s), e, "DELETE FROM tokens WHERE service = $1 AND account = $2", "tt",
                  service, account);
}

/* One statement: it takes a free or expired lock, or renews the owner's own lease. Against a
 * concurrent taker ON CONFLICT locks the existing row and tests the WHERE on its newest
 * version, so of two takers of an expired lock exactly one changes it. */
static int lock_try(bool *out_got, store *s, const char *name, const char *owner, int64_t ttl_ms,
                    err *e)
{
    int64_t now = store_now(s), n = 0;
    int rc = pg_run(&n, PG(s), e,
                    "INSERT INTO locks (name, owner, until_at) VALUES ($1, $2, $3)"
                    " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
                    " until_at = excluded.until_at"
                    " WHERE locks.until_at <= $4 OR locks.owner = excluded.owner",
                    "ttii", name, owner, now + ttl_ms, now);
    if (rc != 0)
        return err_wrap(e, "lock %s: ", name);
    *out_got = n == 1;
    return 0;
}

static int lock_release(store *s, const char *name, const char *owner, err *e)
{
    return pg_run(NULL, PG(s), e, "DELETE FROM locks WHERE name = $1 AND owner = $2", "tt", name,
                  owner);
}

/* ------------------------------------------------------------------ delivery ids */

/* A concurrent insert of the same id makes this one wait for its outcome: committed, this
 * one is a duplicate; rolled back, this one inserts. */
static int delivery_seen_or_insert(bool *out_seen, store *s, const char *source, const char *id,
                                   err *e)
{
    int64_t n = 0;
    int rc = pg_run(&n, PG(s), e,
                    "INSERT INTO deliveries (source, delivery_id, seen_at) VALUES ($1, $2, $3)"
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
    int rc = pg_run(&n, PG(s), e, "DELETE FROM deliveries WHERE seen_at < $1", "i", before_ms);
    if (rc == 0 && out_removed)
        *out_removed = n;
    return rc;
}

/* ------------------------------------------------------------------ shadows and cursors */

/* The version check and the write in one statement, safe against other writers: a missing row
 * is inserted at version 1, an existing one (locked by ON CONFLICT, its newest version tested)
 * is updated only when it is at the expected version. An insert that expect_version > 0
 * forbids is undone by the caller's rollback. */
static int shadow_write(int64_t *version, pg_store *p, const char *side, const char *key,
                        const char *body, const char *hash, int64_t expect, err *e)
{
    PGresult *r = NULL;
    int rc = pg_query(&r, p, e,
                      "INSERT INTO shadows (side, record_key, body, hash, version, updated_at)"
                      " VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (side, record_key) DO UPDATE"
                      " SET body = excluded.body, hash = excluded.hash,"
                      " version = shadows.version + 1, updated_at = excluded.updated_at"
                      " WHERE $6::bigint < 0 OR shadows.version = $6"
                      " RETURNING version",
                      "ttttii", side, key, body, hash, store_now(&p->base), expect);
    if (rc != 0)
        return rc;
    bool written = PQntuples(r) > 0;
    int64_t v = written ? pg_i64(r, 0, 0) : 0;
    PQclear(r);
    int64_t cur = v - 1; /* versions start at 1: version 1 is a fresh insert */
    if (!written) {
        /* The row stays locked by the statement above: this reads the version it was at. */
        rc = pg_int(&cur, p, e, "SELECT version FROM shadows WHERE side = $1 AND record_key = $2",
                    "tt", side, key);
        if (rc != 0)
            return rc;
    }
    if (expect >= 0 && expect != cur)
        return err_set(e, ERR_CONFLICT, "shadow %s/%s is at version %lld, not %lld", side, key,
                       (long long)cur, (long long)expect);
    *version = v;
    return 0;
}

static int shadow_put(int64_t *out_version, store *s, const char *side, const char *record_key,
                      const char *body, const char *hash, int64_t expect_version, err *e)
{
    pg_store *p = PG(s);
    int64_t version = 0;
    int rc = pg_tx_start(p, e);
    if (rc == 0)
        rc = pg_tx_end(
            p, shadow_write(&version, p, side, record_key, body, hash, expect_version, e), e);
    if (rc != 0)
        return err_wrap(e, "shadow put: ");
    if (out_version)
        *out_version = version;
    return 0;
}

static int shadow_get(store_shadow **out, store *s, const char *side, const char *record_key,
                      err *e)
{
    PGresult *r = NULL;
    int rc = pg_query(&r, PG(s), e,
                      "SELECT side, record_key, body, hash, version, updated_at FROM shadows"
                      " WHERE side = $1 AND record_key = $2",
                      "tt", side, record_key);
    if (rc != 0)
        return rc;
    store_shadow *sh = NULL;
    if (PQntuples(r) > 0) {
        bool failed = false;
        sh = calloc(1, sizeof *sh);
        if (sh) {
            sh->side = pg_text(r, 0, 0, &failed);
            sh->record_key = pg_text(r, 0, 1, &failed);
            sh->body = pg_text(r, 0, 2, &failed);
            sh->hash = pg_text(r, 0, 3, &failed);
            sh->version = pg_i64(r, 0, 4);
            sh->updated_ms = pg_i64(r, 0, 5);
        }
        rc = !sh || failed ? err_set(e, ERR_NOMEM, "store: out of memory") : 0;
    } else {
        rc = err_set(e, ERR_NOT_FOUND, "no shadow for %s/%s", side, record_key);
    }
    PQclear(r);
    if (rc != 0) {
        store_shadow_free(sh);
        return rc;
    }
    *out = sh;
    return 0;
}

static int shadow_delete(store *s, const char *side, const char *record_key, err *e)
{
    return pg_run(NULL, PG(s), e, "DELETE FROM shadows WHERE side = $1 AND record_key = $2", "tt",
                  side, record_key);
}

static int cursor_put(store *s, const char *name, const char *value, err *e)
{
    return pg_run(NULL, PG(s), e,
                  "INSERT INTO cursors (name, value, updated_at) VALUES ($1, $2, $3)"
                  " ON CONFLICT (name) DO UPDATE SET value = excluded.value,"
                  " updated_at = excluded.updated_at",
                  "tti", name, value, store_now(s));
}

static int cursor_get(char **out, store *s, const char *name, err *e)
{
    PGresult *r = NULL;
    int rc = pg_query(&r, PG(s), e, "SELECT value FROM cursors WHERE name = $1", "t", name);
    if (rc != 0)
        return rc;
    if (PQntuples(r) > 0) {
        bool failed = false;
        char *v = pg_text(r, 0, 0, &failed);
        rc = failed ? err_set(e, ERR_NOMEM, "store: out of memory") : 0;
        if (rc == 0)
            *out = v;
    } else {
        rc = err_set(e, ERR_NOT_FOUND, "cursor %s is not set", name);
    }
    PQclear(r);
    return rc;
}

void pg_fill_misc(store_vtable *vt)
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
