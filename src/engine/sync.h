/* sync.h: the planner, the workers and the passes made of them: what the daemon loops over and
 * what `pheedsync sync` runs once.
 *
 * The planner turns the inbox's hints into outbox operations: for each claimed record key it
 * finds the person (the link, or a first match by normalised email, then E.164 phone), reads
 * the current records of both sides (a webhook is only a hint), maps them, merges them
 * three-way against the shadows and writes the operations, the shadows of sides it does not
 * write, new links and the audit entries in one transaction with the inbox ack.
 *
 * Workers run the outbox: each operation's intent is stored before its call; on success the
 * link, the shadow and the operation's completion are written in one transaction; a transient
 * failure is retried with exponential backoff and jitter, a permanent one (or one that keeps
 * failing) becomes a dead letter with its error and its request. Creates are safe to retry:
 * HighLevel contacts through upsert, PheedLoop attendees by a lookup of the normalised email in
 * the event when the operation is in doubt.
 *
 * A person with a write still queued (or planned earlier in the same batch) is planned again
 * once the write is done: records read before it would not show it. Shadows are kept per pair
 * (the contact and one attendee), so a change carried from one attendee to the contact is
 * carried on to the contact's other attendees by a "followup" hint. Run one planner per store at
 * a time (two could plan one person twice); workers may run in parallel.
 *
 * Hints the planner understands (engine.h names the record keys):
 *   any webhook kind of either side, "poll", "scan"   re-read the record, merge, write; a
 *                                    webhook or poll whose record equals the shadows (our own
 *                                    write coming back) is acked without a call
 *   "scan" with the record as payload (backfill, reconcile): the record itself, or
 *                                    {"contact": {...}} / {"attendee": {...}, "registration":
 *                                    {...}}; taken as the current record unless pheedsync
 *                                    wrote to it after the hint was received
 *   "gone"                           a complete scan no longer sees the record: the delete
 *                                    policy applies. Payload (optional): {"batch": "ID",
 *                                    "batch_size": N}, N the number of records that scan found
 *                                    gone; a batch over [sync] delete_hold_count, or over
 *                                    delete_hold_share of the links, is held for approval.
 *   Task*, Note*, Appointment*, "poll" with {"activity": true}   re-read the contact's tasks,
 *                                    notes and appointments and mirror them onto its attendees
 *                                    (also "scan" with [sync] pull_activity)
 *   "followup"                       from the workers: plan the person again (payload as scan)
 * Rules ([rule], core/rules.h) fire on the triggers the planner sees: a new attendee (not in a
 * backfill: existing people are not new sign-ups), contact created or updated, tags added or
 * removed, tasks, notes, appointments, check-in and check-out; each firing once per trigger.
 * Every function is for one thread: give each thread its own engine (its own store handle). */
#ifndef PHEEDSYNC_ENGINE_SYNC_H
#define PHEEDSYNC_ENGINE_SYNC_H

#include "engine/engine.h"

/* The inbox lease of a planned key and the outbox lease of a running operation. */
#define ENGINE_PLAN_LEASE_MS 60000
#define ENGINE_WORK_LEASE_MS 60000
/* The store lock, scoped by link, that the one planner of a link holds (any number of
 * processes may share a store: one plans, all work the outbox). */
#define ENGINE_PLANNER_LOCK "engine.planner"

/* Claims up to max record keys with ready hints and plans each, while this process holds the
 * link's planner lock (taken or renewed here). *out_done: keys claimed (0: nothing was ready,
 * or another process plans this link). A key whose records could not be read for now is deferred (backoff); a
 * key that cannot be planned at all is acked and reported in the log. Negative only when the
 * store fails. */
int engine_plan_some(engine *en, size_t max, size_t *out_done, err *e);
/* Gives the link's planner lock up (at the end of a pass, when the daemon stops). */
void engine_planner_release(engine *en);

/* Claims up to max ready operations and runs each. *out_done: operations claimed (0: none was
 * ready). Failures of calls are the operations' business (retry, dead letter); negative only
 * when the store fails. */
int engine_work_some(engine *en, size_t max, size_t *out_done, err *e);

/* What a complete listing of both sides found. */
typedef struct engine_scan_stats {
    size_t contacts, attendees; /* records listed */
    size_t pages_ghl, pages_pl; /* list pages read */
    size_t hints;               /* hints appended ("scan" and "gone") */
    size_t gone;                /* linked records the scan no longer saw ("gone" hints) */
    bool complete;              /* every list was read to its end: deletes could be inferred */
} engine_scan_stats;

/* Lists the location's contacts and every configured event's attendees completely and appends
 * a "scan" hint (with the record) per record, on lane (STORE_LANE_BACKFILL or _RECONCILE).
 * When every list was complete, linked records no longer seen get "gone" hints (one batch). */
int engine_backfill(engine_scan_stats *out, engine *en, int lane, err *e);

/* Queues the deletes an operator approved (store_held_approve) once each. *out_done: queued. */
int engine_apply_approved(engine *en, size_t *out_done, err *e);

/* How far a pass has come, for a progress bar. */
typedef struct engine_progress {
    const char *phase;  /* "scan", "plan", "work" */
    size_t done, total; /* total 0: unknown */
} engine_progress;

typedef struct engine_pass_opts {
    bool full;    /* list both sides completely (also when no pass ever completed one) */
    bool dry_run; /* list, plan and print the operations to out; write nothing anywhere */
    FILE *out;    /* where a dry run prints its plan (NULL: stdout) */
    /* The incremental capture of a pass that is not full (the pollers); NULL: a full scan. */
    int (*capture)(void *ctx, engine *en, err *e);
    void *capture_ctx;
    void (*progress)(void *ctx, const engine_progress *p); /* NULL: none */
    void *progress_ctx;
    int64_t deadline_ms; /* monotonic; 0: none. Past it the pass stops where it is */
} engine_pass_opts;

typedef struct engine_pass_result {
    engine_scan_stats scan;
    size_t planned;   /* record keys planned */
    size_t ops;       /* operations run to the end (done or dead) */
    size_t ops_dead;  /* operations that became dead letters in this pass */
    size_t held;      /* deletes waiting for approval (all, not only this pass's) */
    size_t ambiguous; /* people whose match was ambiguous (reported, not linked) */
    size_t dry_ops;   /* a dry run: operations it would have queued */
    bool drained;     /* inbox and outbox were empty at the end (nothing waits for later) */
} engine_pass_result;

/* One pass: capture (a full scan the first time, with opts->full, or without a capture
 * function; else opts->capture), approved deletes, then plan and work until the inbox and the
 * outbox are drained; operations waiting for a retry are waited for, until the deadline. */
int engine_pass(engine_pass_result *out, engine *en, const engine_pass_opts *opts, err *e);

#endif
