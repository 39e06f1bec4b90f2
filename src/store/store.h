/* store.h: the one interface to pheedsync's durable state (links, shadows, cursors, queues,
 * dead letters, held deletes, audit log, tokens, locks, budgets); backends sit behind it. */
#ifndef PHEEDSYNC_STORE_H
#define PHEEDSYNC_STORE_H

#include "util/clock.h"
#include "util/err.h"

/*
 * Conventions
 * - A `store *` is one connection. Use it from one thread at a time; every thread, worker or
 *   process opens its own handle on the same URL. Handles on one database see each other's
 *   committed writes, and every claim below is safe between them.
 * - Functions return 0 or a negative ERR_* code and fill `e`. Out-parameters come first and
 *   are set only on success. Codes: ERR_NOT_FOUND (no such row), ERR_CONFLICT (a uniqueness
 *   rule, or a lease that was lost to another worker), ERR_INVALID (bad argument, malformed
 *   JSON), ERR_IO (the store is busy or unreachable: answer webhooks 429 and try later),
 *   ERR_BAD_STATE (transaction misuse, or a store written by a newer pheedsync).
 * - JSON passes as text (a NUL-terminated UTF-8 document). The store checks that it is valid
 *   JSON and keeps it as given; callers build it with jsonx_dumps and read it with jsonx_parse.
 * - Strings in results are malloc'd and freed with the result's _free function.
 * - Times are Unix milliseconds from the clock given to store_open. Leases compare the clocks of
 *   the processes that share a store, which therefore must agree (NTP).
 * - Every write is durable when the call (or the enclosing store_commit) returns, across kill -9
 *   and power loss (SQLite: WAL with synchronous=FULL, one fsync per commit).
 */

typedef struct store store;

/* ---------------------------------------------------------------- lifecycle and schema */

/* Opens the store at url and brings its schema up to date (migrations run in one transaction;
 * several processes may open at once). url: "sqlite:PATH" (PATH may be relative) or
 * "postgresql://..." (a libpq connection URI: postgresql://user:password@host:port/db?...).
 * clock: NULL for the system clock; the store
 * keeps the pointer. A store written by a newer pheedsync is refused with ERR_BAD_STATE. */
int store_open(store **out, const char *url, clock_source *clock, err *e);
/* Whether url names a PostgreSQL store (postgresql:// or postgres://), one that several
 * processes may share. */
bool store_url_postgresql(const char *url);
/* The store URL as it may be shown (logs, errors, status): a password in it becomes ***. */
#define STORE_URL_SHOWN_MAX 1024
void store_url_shown(char *out, size_t n, const char *url);
/* Closes the handle; an open transaction is rolled back. NULL is safe. */
void store_close(store *s);
/* "sqlite" or "postgresql". */
const char *store_backend(const store *s);
/* The schema version of the open database, and the newest one this build knows. */
int store_schema_version(int *out_current, int *out_supported, store *s, err *e);
/* The newest schema version this build knows (the same for every backend). */
int store_schema_latest(void);

/* ---------------------------------------------------------------- links of the configuration */

/* Several links of one configuration (a HighLevel location to PheedLoop events) share one store,
 * and each link's planner and workers must take only their own link's work. So every inbox hint
 * and outbox operation belongs to a link, named as in the configuration ("" is the default
 * link: [ghl] and [pheedloop]; stores written before links existed hold only that one).
 * A handle bound to a link appends hints and operations to it (unless one names its own link),
 * and its claims and the queue counts of store_count cover that link only. An unbound handle (as
 * opened) appends to the default link and claims and counts every link's: what tools, and a
 * configuration of one link, need. */
#define STORE_LINK_MAX 64

/* Binds the handle to link ("" the default link; at most STORE_LINK_MAX bytes), or with NULL
 * unbinds it. ERR_INVALID for a name too long. */
int store_bind_link(store *s, const char *link, err *e);
/* The bound link, or NULL when the handle is unbound. */
const char *store_bound_link(const store *s);

/* ---------------------------------------------------------------- transactions */

/* One transaction at a time per handle (a second begin is ERR_BAD_STATE). Every function below
 * may run inside one, so that e.g. the planner writes outbox operations and shadows together,
 * or a webhook's delivery id and inbox entry land together. Outside one, each call is its own
 * transaction. A transaction holds the write lock from begin (SQLite: BEGIN IMMEDIATE): keep
 * it short and do no network I/O inside. */
int store_begin(store *s, err *e);
int store_commit(store *s, err *e);
/* Rolls back; without an open transaction it does nothing and returns 0. */
int store_rollback(store *s, err *e);
bool store_in_transaction(const store *s);

/* ---------------------------------------------------------------- tokens and locks */

/* Stores credentials for (service, account): sealed is opaque text (the caller seals and
 * unseals; the store never sees the secret). expires_ms: when the access token expires, 0 if
 * never. Replaces any earlier value. */
int store_token_put(store *s, const char *service, const char *account, const char *sealed,
                    int64_t expires_ms, err *e);
/* *out_sealed is malloc'd; out_expires_ms may be NULL. ERR_NOT_FOUND when none. */
int store_token_get(char **out_sealed, int64_t *out_expires_ms, store *s, const char *service,
                    const char *account, err *e);
int store_token_delete(store *s, const char *service, const char *account, err *e);

/* A named lock with a lease, shared by every handle (single-flight token refresh across
 * processes). *out_got is true when owner now holds it until now + ttl_ms: it was free, its
 * lease had run out (a crashed holder), or owner already held it (this renews the lease). */
int store_lock_try(bool *out_got, store *s, const char *name, const char *owner, int64_t ttl_ms,
                   err *e);
/* Releases the lock if owner holds it; releasing a lock one does not hold is not an error. */
int store_lock_release(store *s, const char *name, const char *owner, err *e);

/* ---------------------------------------------------------------- webhook delivery ids */

/* Records delivery id of source; *out_seen is true when it was already recorded (a duplicate
 * delivery). Atomic: of several concurrent callers with one id, exactly one sees false. Call it
 * in one transaction with store_inbox_append: if the append fails, the id is not kept and the
 * sender's retry is not mistaken for a duplicate. */
int store_delivery_seen_or_insert(bool *out_seen, store *s, const char *source, const char *id,
                                  err *e);
/* Forgets ids recorded before before_ms (past the senders' retry window). */
int store_delivery_purge(int64_t *out_removed, store *s, int64_t before_ms, err *e);

/* ---------------------------------------------------------------- inbox (change hints) */

typedef struct store_hint_new {
    const char *source;     /* "ghl", "pheedloop", "poller", "reconcile" */
    const char *kind;       /* e.g. "ContactUpdate" */
    const char *record_key; /* what to re-read, e.g. "ghl:contact:LOC:ID"; hints coalesce on it */
    const char *payload;    /* JSON */
    int64_t delay_ms;       /* ready at received + delay: lets a burst for one record merge */
    const char *link;       /* the link it belongs to; NULL: the handle's (store_bind_link) */
} store_hint_new;

/* A claimed record key: every pending hint for it, merged. The latest hint's fields are given
 * (hints are only hints: the planner re-reads the record). */
typedef struct store_hint {
    char *record_key;
    char *source, *kind, *payload; /* of the latest hint */
    int64_t first_id, last_id;     /* the claimed hints of this key */
    int64_t count;                 /* how many hints were merged */
    int64_t received_ms;           /* when the oldest merged hint arrived */
    int64_t claim;                 /* fences ack and defer against a lost lease */
} store_hint;

typedef struct store_hints {
    store_hint *v;
    size_t n;
} store_hints;

/* Appends a hint durably (the webhook may be answered 2xx when this, or the enclosing
 * commit, returns). *out_id (may be NULL) is its id. */
int store_inbox_append(int64_t *out_id, store *s, const store_hint_new *h, err *e);
/* Claims up to max record keys that have a ready hint (received + delay <= now) in the handle's
 * link (every link when the handle is unbound), oldest first,
 * for owner until now + lease_ms; each comes with all its hints. A key is held by one claimant
 * at a time: keys with a live lease are skipped, an expired lease is taken over. Hints appended
 * after the claim stay pending for the next one. Fewer than max does not mean the inbox is
 * drained (a claim looks at the oldest hints only); zero (out->n == 0) does. */
int store_inbox_claim(store_hints *out, store *s, const char *owner, int64_t lease_ms, size_t max,
                      err *e);
/* Done: removes the hints the claim covered. ERR_CONFLICT when the lease was lost and the key
 * was claimed again meanwhile. */
int store_inbox_ack(store *s, const store_hint *h, err *e);
/* Gives the claimed hints back, ready again at not_before_ms (a transient failure). */
int store_inbox_defer(store *s, const store_hint *h, int64_t not_before_ms, err *e);
void store_hints_free(store_hints *list);

/* ---------------------------------------------------------------- outbox (operations) */

/* Priority lanes: a lower lane is always claimed first. */
enum { STORE_LANE_LIVE = 0, STORE_LANE_BACKFILL = 1, STORE_LANE_RECONCILE = 2 };

typedef struct store_op_new {
    const char *service; /* "ghl" | "pheedloop" */
    const char *account; /* location id, organization code: the rate budget it draws on */
    const char *kind;    /* e.g. "ghl.upsert_contact" */
    const char
        *record_key;       /* operations of one (service, record_key) run one at a time, in order */
    const char *payload;   /* JSON: what to do */
    const char *idem_key;  /* unique: enqueuing it again returns the existing operation */
    int lane;              /* STORE_LANE_* */
    int64_t not_before_ms; /* 0: now */
    const char *link;      /* the link it belongs to; NULL: the handle's (store_bind_link) */
} store_op_new;

typedef struct store_op {
    int64_t id;
    char *service, *account, *kind, *record_key, *payload, *idem_key;
    int lane;
    int64_t not_before_ms, created_ms;
    int attempts;     /* external calls started (intents marked) so far */
    bool in_doubt;    /* an earlier call may have reached the service: look up before creating */
    char *last_error; /* NULL when none */
    int64_t claim;    /* fences every call below against a lost lease */
} store_op;

typedef struct store_ops {
    store_op *v;
    size_t n;
} store_ops;

/* Enqueues an operation. *out_id is its id; *out_dup (may be NULL) is true when idem_key was
 * already enqueued (then nothing changes and the existing id is given). */
int store_outbox_enqueue(int64_t *out_id, bool *out_dup, store *s, const store_op_new *op, err *e);
/* Claims up to max ready operations, lane first then oldest, for owner until now + lease_ms.
 * service: NULL for any. Only the handle's link's operations (any link's when unbound). Ready:
 * pending and due, or claimed / in flight with an expired lease (a crashed worker), and no earlier
 * unfinished operation on the same (service, record_key). No operation is ever held by two live
 * claims. Zero is success (out->n == 0). */
int store_outbox_claim(store_ops *out, store *s, const char *owner, int64_t lease_ms,
                       const char *service, size_t max, err *e);
/* Records the intent before the external call: state in flight, attempts + 1 (op->attempts is
 * updated), in doubt until completed or retried with maybe_applied false. Claimed again after
 * a crash, the operation comes back with in_doubt set. */
int store_outbox_intent(store *s, store_op *op, err *e);
/* Extends the lease to now + lease_ms (a long call). */
int store_outbox_extend(store *s, const store_op *op, int64_t lease_ms, err *e);
/* Success: the operation is done (kept, so its idem_key stays used, until purged). Run it in the
 * transaction that updates the link and the shadow. */
int store_outbox_complete(store *s, const store_op *op, err *e);
/* Transient failure: back to pending, due at not_before_ms. maybe_applied: the call may have
 * taken effect (a timeout after sending), so the next attempt must look up first. */
int store_outbox_retry(store *s, const store_op *op, int64_t not_before_ms, const char *error,
                       bool maybe_applied, err *e);
/* Permanent failure: the operation becomes a dead letter. error_class: a short stable name
 * ("http_400", "validation"); request (may be NULL): what was sent, for the operator. */
int store_outbox_dead(store *s, const store_op *op, const char *error_class, const char *message,
                      const char *request, err *e);
/* Deletes done and dropped operations last changed before before_ms. */
int store_outbox_purge(int64_t *out_removed, store *s, int64_t before_ms, err *e);
void store_ops_free(store_ops *list);

/* ---------------------------------------------------------------- queues by link */

/* Unfinished work of one record key filed under one link: hints not yet acked, operations
 * pending, claimed or in flight. A location or event moved to another link leaves its work
 * under the old name, where no planner or worker of the new configuration takes it. */
typedef struct store_queue_key {
    char *link, *record_key;
    int64_t hints, ops;
} store_queue_key;

typedef struct store_queue_keys {
    store_queue_key *v;
    size_t n;
} store_queue_keys;

/* Every (link, record key) with unfinished work, by link then key, whatever the handle's
 * binding. */
int store_queue_keys_list(store_queue_keys *out, store *s, err *e);
/* Files the unfinished hints and operations of record_key under link from as link to's, except
 * those held by a live lease (a running planner or worker finishes them). *out_moved: rows
 * moved. */
int store_queue_refile(int64_t *out_moved, store *s, const char *from, const char *record_key,
                       const char *to, err *e);
void store_queue_keys_free(store_queue_keys *list);

/* ---------------------------------------------------------------- dead letters */

typedef struct store_dead {
    store_op op;                           /* op.id is the dead letter's id */
    char *error_class, *message, *request; /* request may be NULL */
    int64_t dead_ms;
} store_dead;

typedef struct store_deads {
    store_dead *v;
    size_t n;
} store_deads;

/* Dead letters with id > after_id, oldest first, at most max. */
int store_dead_list(store_deads *out, store *s, int64_t after_id, size_t max, err *e);
int store_dead_get(store_dead **out, store *s, int64_t id, err *e);
/* Puts it back in the outbox: pending, due now, attempts kept, not in doubt unless it was. */
int store_dead_replay(store *s, int64_t id, err *e);
/* Discards it (its idem_key stays used until the operation is purged). */
int store_dead_drop(store *s, int64_t id, err *e);
void store_dead_free(store_dead *d);
void store_deads_free(store_deads *list);

/* ---------------------------------------------------------------- links (identity) */

typedef struct store_attendee_ref {
    char *org, *event, *code;
} store_attendee_ref;

/* One person: a HighLevel contact, the PheedLoop attendees (one per event) and optionally the
 * PheedLoop member linked to it. Only live (not unlinked) attendees are listed. */
typedef struct store_link {
    int64_t id;
    char *location_id, *contact_id;
    char *member_org, *member_code; /* NULL when none */
    char *email_norm, *phone;       /* match keys (normalised email, E.164); may be NULL */
    store_attendee_ref *attendees;
    size_t n_attendees;
    int64_t created_ms, updated_ms;
    int64_t unlinked_ms; /* 0 while linked */
    char *unlink_reason;
} store_link;

typedef struct store_links {
    store_link *v;
    size_t n;
} store_links;

/* Links a HighLevel contact (no attendees yet). ERR_CONFLICT when the contact is linked. */
int store_link_create(int64_t *out_id, store *s, const char *location_id, const char *contact_id,
                      const char *email_norm, const char *phone, err *e);
/* Joins an attendee to a link. ERR_CONFLICT when that attendee is linked elsewhere; joining
 * it again to the same link is a no-op. */
int store_link_add_attendee(store *s, int64_t link_id, const char *org, const char *event,
                            const char *code, err *e);
/* Sets (or with code NULL clears) the member. ERR_CONFLICT when linked elsewhere. */
int store_link_set_member(store *s, int64_t link_id, const char *org, const char *code, err *e);
/* Replaces the match keys (NULL clears). */
int store_link_set_keys(store *s, int64_t link_id, const char *email_norm, const char *phone,
                        err *e);
/* Look-ups return live links only (ERR_NOT_FOUND otherwise), except store_link_get. */
int store_link_get(store_link **out, store *s, int64_t id, err *e);
int store_link_by_contact(store_link **out, store *s, const char *location_id,
                          const char *contact_id, err *e);
int store_link_by_attendee(store_link **out, store *s, const char *org, const char *event,
                           const char *code, err *e);
int store_link_by_member(store_link **out, store *s, const char *org, const char *code, err *e);
/* Every live link with this normalised email (several means ambiguous: report, never guess). */
int store_link_by_email(store_links *out, store *s, const char *email_norm, err *e);
/* Live links with id > after_id, oldest first, at most max (0 < max <= 10000): what reconcile
 * compares a complete scan with, and what the task poller walks. */
int store_link_list(store_links *out, store *s, int64_t after_id, size_t max, err *e);
/* Detaches one attendee (deleted in PheedLoop, or moved), keeping the reason. */
int store_link_unlink_attendee(store *s, const char *org, const char *event, const char *code,
                               const char *reason, err *e);
/* Ends the whole link (and its attendees); the contact may be linked again later. */
int store_link_unlink(store *s, int64_t link_id, const char *reason, err *e);
void store_link_free(store_link *l);
void store_links_free(store_links *list);

/* ---------------------------------------------------------------- shadows */

/* The last synced canonical state of one record on one side ("ghl" | "pheedloop"). */
typedef struct store_shadow {
    char *side, *record_key, *body, *hash; /* body: JSON; hash: the caller's, may be NULL */
    int64_t version;                       /* 1 on first put, + 1 on each put */
    int64_t updated_ms;
} store_shadow;

/* Writes the shadow. expect_version: -1 any, 0 must not exist yet, n must be at version n
 * (else ERR_CONFLICT: another worker wrote it first). *out_version (may be NULL): the new one. */
int store_shadow_put(int64_t *out_version, store *s, const char *side, const char *record_key,
                     const char *body, const char *hash, int64_t expect_version, err *e);
int store_shadow_get(store_shadow **out, store *s, const char *side, const char *record_key,
                     err *e);
int store_shadow_delete(store *s, const char *side, const char *record_key, err *e);
void store_shadow_free(store_shadow *sh);

/* ---------------------------------------------------------------- cursors */

/* Named positions of pollers ("ghl.contacts.LOC": a dateUpdated and an id). */
int store_cursor_put(store *s, const char *name, const char *value, err *e);
/* *out is malloc'd; ERR_NOT_FOUND when unset. */
int store_cursor_get(char **out, store *s, const char *name, err *e);

/* ---------------------------------------------------------------- held deletes */

enum { STORE_HELD_PENDING = 0, STORE_HELD_APPROVED = 1, STORE_HELD_REJECTED = 2 };

typedef struct store_held_new {
    const char *batch; /* groups one reconcile run's deletes (may be NULL) */
    const char *side;  /* where the delete would happen */
    const char *record_key;
    int64_t link_id; /* 0 when none */
    const char *reason;
    const char *payload; /* JSON: what would be done */
} store_held_new;

typedef struct store_held {
    int64_t id;
    char *batch, *side, *record_key, *reason, *payload; /* batch may be NULL */
    int64_t link_id;
    int state; /* STORE_HELD_* */
    int64_t created_ms, decided_ms;
    char *decided_by; /* NULL while pending */
} store_held;

typedef struct store_helds {
    store_held *v;
    size_t n;
} store_helds;

/* Holds a delete for approval. A pending one for the same (side, record_key) is not doubled:
 * its id is given and *out_dup (may be NULL) is true. */
int store_held_create(int64_t *out_id, bool *out_dup, store *s, const store_held_new *h, err *e);
/* Held deletes in state (STORE_HELD_*, or -1 for all) with id > after_id, oldest first. */
int store_held_list(store_helds *out, store *s, int state, int64_t after_id, size_t max, err *e);
/* Decide a pending one (ERR_BAD_STATE when already decided). by: who decided. */
int store_held_approve(store *s, int64_t id, const char *by, err *e);
int store_held_reject(store *s, int64_t id, const char *by, err *e);
void store_helds_free(store_helds *list);

/* ---------------------------------------------------------------- audit log */

typedef struct store_audit_new {
    const char *person_key; /* the link id or the email that names the person */
    const char *direction;  /* "ghl_to_pheedloop", "pheedloop_to_ghl", "decision", ... */
    const char *fields;     /* JSON array of field names */
    const char *before;     /* JSON or NULL */
    const char *after;      /* JSON or NULL */
    const char *reason;     /* why: "owner=highlevel", "rule onboarding", ... */
} store_audit_new;

typedef struct store_audit_entry {
    int64_t id, at_ms;
    char *person_key, *direction, *fields, *before, *after, *reason; /* before, after may be NULL */
} store_audit_entry;

typedef struct store_audit_entries {
    store_audit_entry *v;
    size_t n;
} store_audit_entries;

int store_audit_append(int64_t *out_id, store *s, const store_audit_new *a, err *e);
/* Entries for person_key with id > after_id, oldest first, at most max. */
int store_audit_by_person(store_audit_entries *out, store *s, const char *person_key,
                          int64_t after_id, size_t max, err *e);
/* The newest entries of every person with id > after_id, newest first, at most max: the status
 * page's recent activity (after_id 0), and what a follower has not seen yet. */
int store_audit_recent(store_audit_entries *out, store *s, int64_t after_id, size_t max, err *e);
void store_audit_entries_free(store_audit_entries *list);

/* ---------------------------------------------------------------- rate budgets */

/* One account's budget: a fixed window (HighLevel: 100 per 10 s) and a UTC day (200,000). */
typedef struct store_budget_limits {
    int64_t window_ms, window_max;
    int64_t day_max; /* 0: no daily limit */
} store_budget_limits;

typedef struct store_budget_take_result {
    bool granted;
    int64_t retry_at_ms;           /* when refused: when a take of this size can next succeed */
    int64_t window_left, day_left; /* after this take; day_left -1 when there is no daily limit */
} store_budget_take_result;

/* Atomically takes n requests from account's budget if both the window and the day have room;
 * otherwise takes nothing. Shared by every handle on the store. */
int store_budget_take(store_budget_take_result *out, store *s, const char *account,
                      const store_budget_limits *lim, int64_t n, err *e);

/* ---------------------------------------------------------------- status */

/* The inbox and outbox figures (and oldest_pending_ms) are the bound link's on a bound handle;
 * the others always cover the whole store. */
typedef struct store_counts {
    int64_t inbox_pending, inbox_claimed;
    int64_t outbox_pending, outbox_running, outbox_done;
    int64_t dead_letters, held_pending, links;
    /* When the oldest change not yet applied came in (a hint's receipt, an unfinished
     * operation's creation): now minus this is the sync lag. 0 when nothing waits. */
    int64_t oldest_pending_ms;
} store_counts;

int store_count(store_counts *out, store *s, err *e);

#endif
