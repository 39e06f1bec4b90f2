/* sync_int.h: what the planner, the workers, the scans and the passes share inside src/engine:
 * the settings read from the configuration, the in-memory scan snapshot, cached reference data
 * (custom fields, events), the plan of one record key, and the operations' payloads. */
#ifndef PHEEDSYNC_ENGINE_SYNC_INT_H
#define PHEEDSYNC_ENGINE_SYNC_INT_H

#include "core/activity.h"
#include "core/merge.h"
#include "core/reminder.h"
#include "core/rules.h"
#include "engine/sync.h"
#include "util/tz.h"

#include <stdio.h>

/* Shadow sides. The pair of a contact and one attendee has two shadows, both under the
 * attendee's record key: what the contact was (side "ghl") and what the attendee was (side
 * "pheedloop") when they were last synced with each other. A contact linked to attendees of
 * several events thus has one shadow per pair, so a change carried from one attendee to the
 * contact is then carried on to the others. */
#define SIDE_GHL "ghl"
#define SIDE_PL "pheedloop"
/* Cached facts under other sides: an attendee's registration (ticket, answers), reference data
 * (custom field definitions, events and their tags), reminders written for an appointment. */
#define SIDE_REG "pl.registration"
#define SIDE_REF "ref"
#define SIDE_REMIND "reminders"
/* A pair with a write queued and not yet done: planning it again waits for the write, since
 * the records read now would not show it yet. */
#define SIDE_PENDING_GHL "pending.ghl"
#define SIDE_PENDING_PL "pending.pheedloop"
#define PENDING_STALE_MS (3600 * 1000)

/* Tags of the default delete policy. */
#define TAG_DELETED_IN_PL "pheedsync:deleted-in-pheedloop"
#define TAG_DELETED_IN_GHL "pheedsync:deleted-in-highlevel"

/* ---------------------------------------------------------------- settings */

typedef struct sync_settings {
    core_map *map;
    core_rules *rules;
    core_reminder_cfg rem;
    bool rem_set;
    bool propagate_deletes;
    int64_t hold_count, hold_share_pct;
    bool pull_activity;
    int default_cc;
} sync_settings;

int sync_settings_load(sync_settings *out, const config *cfg, err *e);
void sync_settings_clear(sync_settings *s);
/* Turns off fields that name a HighLevel custom field the location does not have (writes to it
 * would be dropped and read back empty, which a merge would take for a deletion). */
int sync_settings_fit_fields(sync_settings *s, const json_t *field_defs, err *e);

/* ---------------------------------------------------------------- scan snapshot */

/* The records a complete scan read, kept as compact JSON text with the time each copy was read,
 * and the match keys indexed: the planner of a pass reads them instead of asking the services
 * again, and the workers of the pass put the records their writes returned. */
typedef struct sync_snapshot sync_snapshot;

int snap_new(sync_snapshot **out, int default_cc);
void snap_free(sync_snapshot *s);
/* A later copy of the same record replaces the earlier one. */
int snap_add_contact(sync_snapshot *s, const json_t *contact, int64_t read_ms);
int snap_add_attendee(sync_snapshot *s, const char *key, const json_t *attendee, int64_t read_ms);
int snap_add_registration(sync_snapshot *s, const char *attendee_key, const json_t *reg);
/* New references, or NULL when the snapshot does not hold the record (s may be NULL);
 * *read_ms (may be NULL) is when the copy was read. */
json_t *snap_contact(const sync_snapshot *s, const char *contact_id, int64_t *read_ms);
json_t *snap_attendee(const sync_snapshot *s, const char *key, int64_t *read_ms);
json_t *snap_registration(const sync_snapshot *s, const char *attendee_key);
bool snap_has_contact(const sync_snapshot *s, const char *contact_id);
bool snap_has_attendee(const sync_snapshot *s, const char *key);
/* Distinct contact ids with this normalised email (or E.164 phone): up to max into ids
 * (pointers into the snapshot); returns how many there are in all. */
size_t snap_contacts_by_email(const sync_snapshot *s, const char *email, const char **ids,
                              size_t max);
size_t snap_contacts_by_phone(const sync_snapshot *s, const char *phone, const char **ids,
                              size_t max);
/* Whether the snapshot holds every contact of the location: only then does a match missing
 * from it mean that HighLevel has none. */
void snap_set_contacts_complete(sync_snapshot *s);
bool snap_contacts_complete(const sync_snapshot *s);
size_t snap_count_contacts(const sync_snapshot *s);
size_t snap_count_attendees(const sync_snapshot *s);
/* The payloads of the operations this pass queued, by operation id, so that its workers need
 * not parse again what its planner wrote (the store's copy is the same JSON). Put keeps a new
 * reference (quietly nothing past a bound or without a snapshot); take hands it over and
 * forgets it, or gives NULL. */
void snap_put_payload(sync_snapshot *s, int64_t op_id, json_t *payload);
json_t *snap_take_payload(sync_snapshot *s, int64_t op_id);

/* Match keys of raw values: *out "" when the value cannot be read. */
void sync_norm_email(char *out, size_t n, const char *raw);
void sync_norm_phone(char out[20], const char *raw, int default_cc);

/* Complete listings of both sides into scan hints (and gone hints). snap (may be NULL) gets
 * every record; mem (may be NULL) gets the hints instead of the inbox (a dry run). */
int scan_run(engine_scan_stats *out, engine *en, int lane, sync_snapshot *snap, json_t *mem,
             err *e);
/* Calls fn on every live link. */
int sync_links_each(engine *en, int (*fn)(void *ctx, const store_link *l, err *e), void *ctx,
                    err *e);

/* ---------------------------------------------------------------- planning context */

typedef struct event_ref {
    char *code;
    json_t *event; /* {code, event_name, date, timezone, ...} */
    json_t *tags;  /* the event's tags [{name, ...}] */
} event_ref;

typedef struct plan_ctx {
    engine *en;
    sync_settings set;
    sync_snapshot *snap; /* NULL outside a pass */
    json_t *field_defs;  /* the location's custom fields */
    event_ref *events;
    size_t n_events;
    bool dry;
    FILE *out;      /* a dry run's plan */
    size_t dry_ops; /* operations a dry run printed */
    size_t ambiguous;
    int64_t now_ms;
    bool pending;  /* the key just planned met a pair with a write still queued */
    json_t *batch; /* keys of people planned in this batch, not committed yet (a set) */
    /* [[op id, payload], ...] queued in the open transaction: handed to the snapshot once it
     * is committed (a rolled-back id may be given again to another operation). */
    json_t *queued;
} plan_ctx;

int plan_ctx_init(plan_ctx *c, engine *en, sync_snapshot *snap, bool dry, err *e);
void plan_ctx_clear(plan_ctx *c);
/* The event's record and tags (cached in the store for a while); ERR_NOT_FOUND for an event
 * that is not configured. */
int plan_event(const event_ref **out, plan_ctx *c, const char *event, err *e);
/* The governor lane of a hint's source. */
int sync_lane_of_source(const char *source);
governor_lane sync_gov_lane(int store_lane);

/* Reference data: cached in the store (side "ref") for ttl_ms. */
int refdata_field_defs(json_t **out, engine *en, bool write_cache, err *e);
int refdata_event(json_t **out_event, json_t **out_tags, engine *en, const char *event,
                  bool write_cache, err *e);
/* The registration remembered for an attendee (NULL when none), and remembering one. */
json_t *refdata_registration(engine *en, const char *attendee_key);
int refdata_put_registration(engine *en, const char *attendee_key, const json_t *reg, err *e);
/* What is remembered of a registration (new reference). */
json_t *refdata_registration_digest(const json_t *reg);
/* Reads the event's registrations of the last day (remembering them); this attendee's. */
json_t *refdata_fetch_registration(engine *en, const char *event, const char *code, int lane,
                                   bool write_cache);

/* ---------------------------------------------------------------- the plan of one key */

/* Everything a key's planning decided, written in one transaction (or printed by a dry run). */
typedef struct plan {
    json_t *ops;     /* [{service, account, kind, record_key, payload, idem, lane}] */
    json_t *shadows; /* [{side, key, body}] */
    json_t *links;   /* [{location, contact, email, phone, org, event, code}] */
    json_t *unlinks; /* [{org, event, code} | {link_id}, reason] */
    json_t *audits;  /* [{person, direction, fields, before, after, reason}] */
    json_t *hints;   /* [{key, kind, source, payload}] */
    json_t *helds;   /* [{batch, side, key, link_id, reason, payload}] */
    size_t n_seq;    /* operations numbered in this plan */
} plan;

int plan_init(plan *p, err *e);
void plan_clear(plan *p);
/* Adds an operation; payload is taken (consumed). idem NULL: derived from hint and position. */
int plan_op(plan *p, const char *service, const char *account, const char *kind,
            const char *record_key, json_t *payload, const char *idem, int lane, err *e);
int plan_shadow(plan *p, const char *side, const char *key, json_t *body, err *e);
int plan_audit(plan *p, const char *person, const char *direction, json_t *fields, json_t *before,
               json_t *after, const char *reason, err *e);
/* A write's tag change in its audit entry (was, now: the tag sets before and after it):
 * "tags" in after (a copy of what was written) becomes {"added": [...], "removed": [...]} or
 * goes when nothing changed; *before gets {"tags": was} (NULL when nothing changed); fields
 * gets "tags". ERR_NOMEM. */
int sync_audit_tags(json_t **before, json_t *after, json_t *fields, const json_t *was,
                    const json_t *now);
/* Writes the plan and acks the hint in one transaction; a dry run prints it instead. */
int plan_commit(plan_ctx *c, const store_hint *h, plan *p, err *e);
/* The same inside the caller's transaction. */
int plan_apply(plan_ctx *c, const store_hint *h, plan *p, err *e);

/* Plans one claimed key. Negative: ERR_NET / ERR_LIMIT / ERR_BAD_STATE / ERR_IO when a record
 * could not be read for now (defer), others when the key cannot be planned. */
int planner_key(plan_ctx *c, const store_hint *h, plan *p, err *e);
/* Claims and plans up to max keys (the snapshot, if any, in c). */
int planner_run(plan_ctx *c, size_t max, size_t *out_done, err *e);

int sync_link_join(store *s, const json_t *link, err *e);
/* The pairs an operation writes to, as (pending side, pair key) for each. */
int sync_op_pairs(json_t **out, const char *kind, const json_t *payload);
/* Marks (or clears) the pairs of an operation as having a write queued. */
int sync_pending_set(store *s, const char *kind, const json_t *payload, bool on, int64_t now,
                     err *e);
bool sync_pending(engine *en, const char *key, int64_t now);
/* True (and c->pending set, e filled) when key's person has a write queued or was planned
 * earlier in this batch: planning it now would read records without that write. */
bool planner_busy(plan_ctx *c, const char *key, err *e);
int sync_append_hints(store *s, const json_t *hints, err *e);
/* True for failures that may pass (a key is deferred, an operation retried). */
bool sync_transient(int rc);

/* Plans one claimed key. */
int planner_key(plan_ctx *c, const store_hint *h, plan *p, err *e);
/* Claims and plans up to max keys. */
int planner_run(plan_ctx *c, size_t max, size_t *out_done, err *e);
/* Plans one hint that was not claimed (a dry run's). */
int planner_plan_hint(plan_ctx *c, const store_hint *h, err *e);

/* ---------------------------------------------------------------- reading records */

/* When pheedsync last wrote the record whose shadow this is (0: never). */
int64_t sync_written_ms(engine *en, const char *side, const char *key);
/* When pheedsync (any process sharing the store) last wrote the contact of link, as the
 * shadows of the link's pairs remember it; 0 for no link. A copy read before that is stale. */
int64_t sync_contact_written_ms(engine *en, const store_link *link);
bool sync_shadow_exists(engine *en, const char *side, const char *key);
/* The current contact (link: its pairs, for the trust check; may be NULL) and attendee (with
 * its registration, NULL when unknown), from the hint, the snapshot or the API. */
int rec_contact_for(json_t **out, plan_ctx *c, const store_hint *h, const char *contact_id,
                    const store_link *link, int lane, err *e);
int rec_attendee_for(json_t **out, json_t **out_reg, plan_ctx *c, const store_hint *h,
                     const char *event, const char *code, int lane, err *e);
json_t *rec_registration(plan_ctx *c, const char *attendee_key);
int rec_person_ghl(core_person *out, plan_ctx *c, const json_t *contact, err *e);
int rec_person_pl(core_person *out, plan_ctx *c, const char *event, const json_t *attendee,
                  const json_t *registration, err *e);
int rec_pl_record(core_pl_record *out, plan_ctx *c, const char *event, const json_t *attendee,
                  const json_t *registration, err *e);

/* ---------------------------------------------------------------- identity */

typedef enum id_match { ID_NONE = 0, ID_ONE, ID_AMBIGUOUS } id_match;

/* The HighLevel contact an unlinked attendee is: by normalised email, then E.164 phone. On
 * ID_ONE *out_id is its id and *out_contact (may be set to NULL) a fresh copy of it. why says
 * what was ambiguous. */
int identity_match(id_match *out, char out_id[96], json_t **out_contact, plan_ctx *c,
                   const char *email, const char *phone, const char *event, int lane, char why[160],
                   err *e);

/* ---------------------------------------------------------------- planner parts */

typedef struct person_plan {
    plan_ctx *c;
    plan *p;
    const store_hint *h;
    int lane;
    core_side last_side;
    bool fire_rules;  /* not for a backfill: existing people are not new sign-ups */
    store_link *link; /* NULL before the person is linked */
    char contact_id[96];
    json_t *contact;                  /* the contact as read ({} before it exists) */
    core_person ghl;                  /* ... and read through the map */
    char person[96];                  /* who the audit log names: the link id, or the email */
    char pending_key[ENGINE_KEY_MAX]; /* the record key of a contact create planned here */
    json_t *ghl_fields, *ghl_add, *ghl_remove, *ghl_pairs; /* the one HighLevel update */
    json_t *pl; /* attendee key -> {key, event, code, body, attendee, registration, shadow} */
} person_plan;

int planner_set_contact(person_plan *pp, err *e);
/* Merges the contact with each linked attendee (and extra_key, an attendee just matched and not
 * linked yet, with its record) and gathers the writes. */
int planner_pairs(person_plan *pp, const char *extra_key, const json_t *extra_attendee,
                  const json_t *extra_reg, err *e);
/* An attendee nobody is linked to yet: match, link or plan a contact create. */
int planner_unlinked_attendee(person_plan *pp, const char *key, const json_t *attendee,
                              const json_t *reg, err *e);
/* The event's timezone (announcements are released in it): *out NULL, and a warning naming
 * what is affected (what), when this system does not know it; name its name ("UTC" when the
 * event names none). Fails only when the event cannot be read now. */
int planner_event_zone(tz_zone **out, char name[64], plan_ctx *c, const char *event,
                       const char *what, err *e);
/* Which HighLevel activity lists the hint asks to mirror (bits of 1 << core_act_kind). */
unsigned planner_activity_kinds(person_plan *pp);
int planner_activity(person_plan *pp, unsigned kinds, err *e);
/* The rules of trigger for this person (attendee_key: the attendee concerned, may be NULL).
 * once: what makes the firing unique (NULL: the hint). */
int planner_rules(person_plan *pp, const char *trigger, const char *attendee_key,
                  const json_t *attendee, const char *once, err *e);
/* The contact's business kept on its attendees' metadata. */
int planner_business(person_plan *pp, err *e);
/* Tags added to or removed from the contact since the last sync fire their triggers. */
int planner_tag_triggers(person_plan *pp, err *e);
/* The contact-side triggers of the hint (created, updated, tags, tasks, notes, appointments). */
int planner_contact_rules(person_plan *pp, err *e);
/* A "gone" hint. */
int planner_gone(plan_ctx *c, const store_hint *h, plan *p, err *e);
/* Why the hint needs no planning (its record equals the shadows, or it is a poll of a contact
 * nobody is linked to), or NULL when it must be planned. */
const char *planner_moot(plan_ctx *c, const store_hint *h, const char *side, const char *parts[3]);

/* ---------------------------------------------------------------- workers */

typedef enum work_outcome {
    WORK_DONE = 0, /* applied: completed in the same transaction as its effects */
    WORK_RETRY,    /* transient: back to pending */
    WORK_DEAD,     /* permanent: dead letter */
} work_outcome;

typedef struct work_ctx {
    engine *en;
    sync_settings *set;
    sync_snapshot *snap; /* a pass's, or NULL */
    store_op *op;
    json_t *payload;
    governor_lane lane;
    /* the failure, when not done */
    char error_class[48];
    char message[512];
    json_t *request; /* what was sent, for a dead letter */
    bool maybe_applied;
    int64_t retry_after_ms;
    /* effects, written with the completion */
    json_t *shadows;  /* [{side, key, body}]: body null marks a write and keeps the state */
    json_t *hints;    /* follow-up hints */
    json_t *links;    /* [{location, contact, email, phone, org, event, code}] */
    json_t *audits;   /* [{person, direction, fields, before, after, reason}] */
    json_t *remember; /* records as written, for the snapshot */
} work_ctx;

typedef struct work_stats {
    size_t claimed, done, retried, dead;
} work_stats;

/* Claims and runs up to max operations (snap: the pass's snapshot, or NULL). */
int worker_run(engine *en, sync_settings *set, sync_snapshot *snap, size_t max, work_stats *stats,
               err *e);
work_outcome worker_ghl(work_ctx *w);
work_outcome worker_pl(work_ctx *w);
work_outcome worker_reminders(work_ctx *w);
work_outcome worker_announce(work_ctx *w);
/* A failed call: class and message from the API error; retry or dead letter. */
work_outcome work_fail(work_ctx *w, int rc, const api_error *ae, bool maybe_applied,
                       int64_t retry_after_ms, const err *e);
work_outcome work_fail_msg(work_ctx *w, bool transient, const char *cls, const char *msg);
int work_add_shadow(work_ctx *w, const char *side, const char *key, const json_t *body);
int work_add_hint(work_ctx *w, const char *key, const char *kind, json_t *payload);
int work_add_audit(work_ctx *w, const char *person, const char *direction, json_t *fields,
                   json_t *after, const char *reason);
/* The same with what was there before (fields, before and after are taken; may be NULL). */
int work_add_audit_change(work_ctx *w, const char *person, const char *direction, json_t *fields,
                          json_t *before, json_t *after, const char *reason);
int work_remember(work_ctx *w, const char *type, const char *key, const json_t *record);

/* ---------------------------------------------------------------- small helpers */

/* "ghl:LOC:ID" / "pl:ORG:EV:CODE" into out (ENGINE_KEY_MAX); "" when the parts cannot form one. */
void sync_key_ghl(char *out, const char *location, const char *contact_id);
void sync_key_pl(char *out, const char *org, const char *event, const char *code);
/* A shadow body as JSON (new reference), or NULL when there is none. */
json_t *sync_shadow_json(engine *en, const char *side, const char *key);
bool sync_event_configured(const engine *en, const char *event);

#endif
