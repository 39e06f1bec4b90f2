/* store_backend.h: what a store backend implements (the vtable behind store.h); for backends
 * only. store.c checks arguments once, so backends may trust them. */
#ifndef PHEEDSYNC_STORE_BACKEND_H
#define PHEEDSYNC_STORE_BACKEND_H

#include "store/store.h"

/*
 * What every backend must keep true (tests/store/store_contract.c checks it), with notes for
 * the PostgreSQL backend, where several processes write at once under READ COMMITTED:
 * - A claim fence (`claim`) comes from one store-wide sequence, so a reclaimed row never
 *   carries its earlier fence. PostgreSQL: a SEQUENCE.
 * - Outbox claim: one statement, UPDATE ... WHERE id IN (SELECT ... ORDER BY lane, not_before,
 *   id LIMIT n FOR UPDATE SKIP LOCKED) RETURNING ..., with the same NOT EXISTS that keeps one
 *   record's operations in order. Every later call matches id AND claim (the fence).
 * - Inbox claim serialises per record key: SQLite gets this from its single writer; PostgreSQL
 *   needs pg_try_advisory_xact_lock(hashtext(record_key)) (skip the key when not granted) or
 *   an equivalent, then the same "no live lease on the key" test.
 * - Read-then-write calls (shadow_put's version check, budget_take, held_decide, add_attendee)
 *   must lock what they read: SELECT ... FOR UPDATE, or one conditional UPDATE / INSERT ... ON
 *   CONFLICT statement.
 * - JSON columns are jsonb (invalid JSON is ERR_INVALID); partial unique indexes as in the
 *   SQLite schema; the schema versions mean the same tables in every backend.
 * - Errors: unique violation ERR_CONFLICT, foreign key ERR_NOT_FOUND, check or not-null
 *   ERR_INVALID, connection loss or lock timeout ERR_IO.
 */

typedef struct store_vtable {
    const char *name;
    void (*close)(store *s);
    int (*schema_version)(int *out_current, store *s, err *e);
    int (*begin)(store *s, err *e);
    int (*commit)(store *s, err *e);
    int (*rollback)(store *s, err *e);

    int (*token_put)(store *s, const char *service, const char *account, const char *sealed,
                     int64_t expires_ms, err *e);
    int (*token_get)(char **out_sealed, int64_t *out_expires_ms, store *s, const char *service,
                     const char *account, err *e);
    int (*token_delete)(store *s, const char *service, const char *account, err *e);
    int (*lock_try)(bool *out_got, store *s, const char *name, const char *owner, int64_t ttl_ms,
                    err *e);
    int (*lock_release)(store *s, const char *name, const char *owner, err *e);
    int (*delivery_seen_or_insert)(bool *out_seen, store *s, const char *source, const char *id,
                                   err *e);
    int (*delivery_purge)(int64_t *out_removed, store *s, int64_t before_ms, err *e);

    int (*inbox_append)(int64_t *out_id, store *s, const store_hint_new *h, err *e);
    int (*inbox_claim)(store_hints *out, store *s, const char *owner, int64_t lease_ms, size_t max,
                       err *e);
    int (*inbox_ack)(store *s, const store_hint *h, err *e);
    int (*inbox_defer)(store *s, const store_hint *h, int64_t not_before_ms, err *e);

    int (*outbox_enqueue)(int64_t *out_id, bool *out_dup, store *s, const store_op_new *op, err *e);
    int (*outbox_claim)(store_ops *out, store *s, const char *owner, int64_t lease_ms,
                        const char *service, size_t max, err *e);
    int (*outbox_intent)(store *s, store_op *op, err *e);
    int (*outbox_extend)(store *s, const store_op *op, int64_t lease_ms, err *e);
    int (*outbox_complete)(store *s, const store_op *op, err *e);
    int (*outbox_retry)(store *s, const store_op *op, int64_t not_before_ms, const char *error,
                        bool maybe_applied, err *e);
    int (*outbox_dead)(store *s, const store_op *op, const char *error_class, const char *message,
                       const char *request, err *e);
    int (*outbox_purge)(int64_t *out_removed, store *s, int64_t before_ms, err *e);

    int (*dead_list)(store_deads *out, store *s, int64_t after_id, size_t max, err *e);
    int (*dead_get)(store_dead **out, store *s, int64_t id, err *e);
    int (*dead_replay)(store *s, int64_t id, err *e);
    int (*dead_drop)(store *s, int64_t id, err *e);

    int (*link_create)(int64_t *out_id, store *s, const char *location_id, const char *contact_id,
                       const char *email_norm, const char *phone, err *e);
    int (*link_add_attendee)(store *s, int64_t link_id, const char *org, const char *event,
                             const char *code, err *e);
    int (*link_set_member)(store *s, int64_t link_id, const char *org, const char *code, err *e);
    int (*link_set_keys)(store *s, int64_t link_id, const char *email_norm, const char *phone,
                         err *e);
    int (*link_get)(store_link **out, store *s, int64_t id, err *e);
    int (*link_by_contact)(store_link **out, store *s, const char *location_id,
                           const char *contact_id, err *e);
    int (*link_by_attendee)(store_link **out, store *s, const char *org, const char *event,
                            const char *code, err *e);
    int (*link_by_member)(store_link **out, store *s, const char *org, const char *code, err *e);
    int (*link_by_email)(store_links *out, store *s, const char *email_norm, err *e);
    int (*link_list)(store_links *out, store *s, int64_t after_id, size_t max, err *e);
    int (*link_unlink_attendee)(store *s, const char *org, const char *event, const char *code,
                                const char *reason, err *e);
    int (*link_unlink)(store *s, int64_t link_id, const char *reason, err *e);

    int (*shadow_put)(int64_t *out_version, store *s, const char *side, const char *record_key,
                      const char *body, const char *hash, int64_t expect_version, err *e);
    int (*shadow_get)(store_shadow **out, store *s, const char *side, const char *record_key,
                      err *e);
    int (*shadow_delete)(store *s, const char *side, const char *record_key, err *e);
    int (*cursor_put)(store *s, const char *name, const char *value, err *e);
    int (*cursor_get)(char **out, store *s, const char *name, err *e);

    int (*held_create)(int64_t *out_id, bool *out_dup, store *s, const store_held_new *h, err *e);
    int (*held_list)(store_helds *out, store *s, int state, int64_t after_id, size_t max, err *e);
    int (*held_decide)(store *s, int64_t id, int state, const char *by, err *e);
    int (*audit_append)(int64_t *out_id, store *s, const store_audit_new *a, err *e);
    int (*audit_by_person)(store_audit_entries *out, store *s, const char *person_key,
                           int64_t after_id, size_t max, err *e);
    int (*audit_recent)(store_audit_entries *out, store *s, int64_t after_id, size_t max, err *e);
    int (*budget_take)(store_budget_take_result *out, store *s, const char *account,
                       const store_budget_limits *lim, int64_t n, err *e);
    int (*count)(store_counts *out, store *s, err *e);
    int (*queue_keys)(store_queue_keys *out, store *s, err *e);
    int (*queue_refile)(int64_t *out_moved, store *s, const char *from, const char *record_key,
                        const char *to, err *e);
} store_vtable;

/* The common head of every backend's handle (a backend's struct starts with it). */
struct store {
    const store_vtable *vt;
    clock_source *clock;
    bool in_tx;
    bool bound; /* to link (store_bind_link) */
    char link[STORE_LINK_MAX + 1];
};

/* The link a hint or operation naming link (may be NULL) goes to on s. */
const char *store_link_for_append(const store *s, const char *link);
/* The link claims and counts on s cover; NULL: every link. */
const char *store_link_scope(const store *s);

/* The schema version every backend's migrations reach (their lists must match in meaning). */
#define STORE_SCHEMA_LATEST 2

/* Opens the SQLite backend on path (store_sqlite.c). */
int store_sqlite_open(store **out, const char *path, clock_source *clock, err *e);
/* Opens the PostgreSQL backend (store_pg.c): url is given to libpq as it is; errors name
 * shown_url, the same URL with its password hidden. */
int store_pg_open(store **out, const char *url, const char *shown_url, clock_source *clock,
                  err *e);

/* Helpers shared by backends. */
int64_t store_now(const store *s);
/* strdup that maps NULL to NULL; sets *failed on allocation failure. */
char *store_dup(const char *src, bool *failed);
/* Grows *v (elements of size bytes) so it holds at least n + 1; 0 or ERR_NOMEM. */
int store_grow(void **v, size_t *cap, size_t n, size_t size, err *e);
/* An account's rate budget row: its window and its UTC day, with what each has counted. */
typedef struct store_budget_row {
    int64_t window_start, window_count, day_start, day_count;
} store_budget_row;
/* Pure arithmetic for store_budget_take: rolls b's window and day forward to now, then takes n
 * when both have room (b updated) or tells when to try again. Returns r->granted. */
bool store_budget_decide(store_budget_take_result *r, store_budget_row *b,
                         const store_budget_limits *lim, int64_t now, int64_t n);
/* Frees the strings of one record (not the record itself). */
void store_op_clear(store_op *op);
void store_link_clear(store_link *l);
void store_held_clear(store_held *h);

#endif
