/* store_sqlite_schema.c: the SQLite schema as an ordered list of migrations, and applying them.
 * A step, once released, never changes: a change is a new step at the end. */
#include "store/store_sqlite_int.h"

/* Version 1. JSON columns are checked with json_valid, as PostgreSQL's jsonb would. Times are
 * Unix milliseconds. Rows that end (links, attendees, operations) are marked, not deleted, so
 * history and idempotency keys stay; partial unique indexes apply to the live rows only. */
static const char *const schema_v1[] = {
    "CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "INSERT INTO sequences (name, value) VALUES ('claim', 0);",

    "CREATE TABLE tokens (service TEXT NOT NULL, account TEXT NOT NULL, sealed TEXT NOT NULL,"
    " expires_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (service, account));"
    "CREATE TABLE locks (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until_at INTEGER NOT NULL);"
    "CREATE TABLE deliveries (source TEXT NOT NULL, delivery_id TEXT NOT NULL,"
    " seen_at INTEGER NOT NULL, PRIMARY KEY (source, delivery_id));"
    "CREATE INDEX deliveries_seen ON deliveries (seen_at);",

    "CREATE TABLE inbox (id INTEGER PRIMARY KEY, source TEXT NOT NULL, kind TEXT NOT NULL,"
    " record_key TEXT NOT NULL, payload TEXT NOT NULL CHECK (json_valid(payload)),"
    " received_at INTEGER NOT NULL, not_before INTEGER NOT NULL, owner TEXT,"
    " lease_until INTEGER, claim INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX inbox_key ON inbox (record_key, id);"
    "CREATE INDEX inbox_leased ON inbox (lease_until) WHERE owner IS NOT NULL;",

    "CREATE TABLE outbox (id INTEGER PRIMARY KEY, service TEXT NOT NULL, account TEXT NOT NULL,"
    " kind TEXT NOT NULL, record_key TEXT NOT NULL,"
    " payload TEXT NOT NULL CHECK (json_valid(payload)), idem_key TEXT NOT NULL UNIQUE,"
    " lane INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN"
    " ('pending', 'claimed', 'in_flight', 'done', 'dead', 'dropped')),"
    " not_before INTEGER NOT NULL, owner TEXT, lease_until INTEGER,"
    " claim INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,"
    " in_doubt INTEGER NOT NULL DEFAULT 0, last_error TEXT, created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL);"
    "CREATE INDEX outbox_ready ON outbox (state, lane, not_before, id);"
    "CREATE INDEX outbox_record ON outbox (service, record_key, id);"
    "CREATE TABLE dead_letters (op_id INTEGER PRIMARY KEY REFERENCES outbox (id)"
    " ON DELETE CASCADE, error_class TEXT NOT NULL, message TEXT NOT NULL, request TEXT,"
    " dead_at INTEGER NOT NULL);",

    "CREATE TABLE links (id INTEGER PRIMARY KEY, location_id TEXT NOT NULL,"
    " contact_id TEXT NOT NULL, member_org TEXT, member_code TEXT, email_norm TEXT, phone TEXT,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, unlinked_at INTEGER,"
    " unlink_reason TEXT);"
    "CREATE UNIQUE INDEX links_contact ON links (location_id, contact_id)"
    " WHERE unlinked_at IS NULL;"
    "CREATE UNIQUE INDEX links_member ON links (member_org, member_code)"
    " WHERE unlinked_at IS NULL AND member_code IS NOT NULL;"
    "CREATE INDEX links_email ON links (email_norm) WHERE unlinked_at IS NULL;"
    "CREATE TABLE link_attendees (id INTEGER PRIMARY KEY,"
    " link_id INTEGER NOT NULL REFERENCES links (id), org TEXT NOT NULL, event TEXT NOT NULL,"
    " attendee_code TEXT NOT NULL, created_at INTEGER NOT NULL, unlinked_at INTEGER,"
    " unlink_reason TEXT);"
    "CREATE UNIQUE INDEX link_attendees_live ON link_attendees (org, event, attendee_code)"
    " WHERE unlinked_at IS NULL;"
    "CREATE INDEX link_attendees_link ON link_attendees (link_id);",

    "CREATE TABLE shadows (side TEXT NOT NULL, record_key TEXT NOT NULL,"
    " body TEXT NOT NULL CHECK (json_valid(body)), hash TEXT, version INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL, PRIMARY KEY (side, record_key));"
    "CREATE TABLE cursors (name TEXT PRIMARY KEY, value TEXT NOT NULL,"
    " updated_at INTEGER NOT NULL);",

    "CREATE TABLE held_deletes (id INTEGER PRIMARY KEY, batch TEXT, side TEXT NOT NULL,"
    " record_key TEXT NOT NULL, link_id INTEGER NOT NULL DEFAULT 0, reason TEXT NOT NULL,"
    " payload TEXT NOT NULL CHECK (json_valid(payload)),"
    " state INTEGER NOT NULL DEFAULT 0 CHECK (state IN (0, 1, 2)),"
    " created_at INTEGER NOT NULL, decided_at INTEGER NOT NULL DEFAULT 0, decided_by TEXT);"
    "CREATE UNIQUE INDEX held_pending ON held_deletes (side, record_key) WHERE state = 0;",

    "CREATE TABLE audit (id INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
    " person_key TEXT NOT NULL, direction TEXT NOT NULL,"
    " fields TEXT NOT NULL CHECK (json_valid(fields)),"
    " before_json TEXT CHECK (before_json IS NULL OR json_valid(before_json)),"
    " after_json TEXT CHECK (after_json IS NULL OR json_valid(after_json)),"
    " reason TEXT NOT NULL);"
    "CREATE INDEX audit_person ON audit (person_key, id);",

    "CREATE TABLE budgets (account TEXT PRIMARY KEY, window_start INTEGER NOT NULL,"
    " window_count INTEGER NOT NULL, day_start INTEGER NOT NULL, day_count INTEGER NOT NULL);",
    NULL,
};

/* Version 2: several links of one configuration share the store; each hint and operation
 * belongs to one ('' the default link, which is what every older row was). */
static const char *const schema_v2[] = {
    "ALTER TABLE inbox ADD COLUMN link TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE outbox ADD COLUMN link TEXT NOT NULL DEFAULT '';",
    NULL,
};

static const struct {
    int version;
    const char *name;
    const char *const *sql; /* run in order; NULL ends */
} steps[] = {
    {1, "initial schema", schema_v1},
    {2, "hints and operations per link", schema_v2},
};

_Static_assert(sizeof steps / sizeof steps[0] == STORE_SCHEMA_LATEST,
               "every schema version needs its SQLite step");

static int current_version(int64_t *out, sq_store *q, err *e)
{
    return sq_int(out, q, e, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", "");
}

static int apply(sq_store *q, int64_t *version, err *e)
{
    int rc = sq_run(NULL, q, e,
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                    " name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
                    "");
    if (rc == 0)
        rc = current_version(version, q, e);
    if (rc != 0)
        return rc;
    if (*version > STORE_SCHEMA_LATEST)
        return err_set(e, ERR_BAD_STATE,
                       "store schema version %lld is newer than this pheedsync (%d): "
                       "upgrade pheedsync",
                       (long long)*version, STORE_SCHEMA_LATEST);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && rc == 0; i++) {
        if (steps[i].version <= *version)
            continue;
        int r = SQLITE_OK;
        for (const char *const *sql = steps[i].sql; *sql && r == SQLITE_OK; sql++)
            r = sqlite3_exec(q->db, *sql, NULL, NULL, NULL);
        if (r != SQLITE_OK) {
            rc = sq_fail(q, r, e, "migration");
            err_wrap(e, "schema step %d (%s): ", steps[i].version, steps[i].name);
            break;
        }
        rc = sq_run(NULL, q, e,
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                    "dti", steps[i].version, steps[i].name, store_now(&q->base));
    }
    return rc;
}

/* All steps run in one write transaction: a crash leaves the old version intact, and of
 * several processes opening a new store at once exactly one migrates. */
int sq_migrate(sq_store *q, err *e)
{
    int rc = sq_tx_start(q, e);
    if (rc != 0)
        return rc;
    int64_t version = 0;
    rc = apply(q, &version, e);
    return sq_tx_end(q, rc, e);
}

int sq_schema_version(int *out, store *s, err *e)
{
    int64_t v = 0;
    int rc = current_version(&v, SQ(s), e);
    if (rc == 0)
        *out = (int)v;
    return rc;
}
