/* poller.h: the pollers, for what webhooks miss. Each run reads what changed since its cursor
 * and writes a hint per changed record (source "poller", kind "poll"); the cursor is written in
 * the transaction that makes those hints durable, so it never runs ahead of them.
 *
 * Cursors (store_cursor_*, JSON values):
 *   ghl.contacts.LOC            {"updated_ms", "id"}: the newest dateUpdated seen. A run
 *                               searches dateUpdated >= cursor - overlap, ascending, paged by
 *                               searchAfter, and commits page by page. No cursor: everything
 *                               (a first run is the initial pass).
 *   ghl.tasks.LOC               {"after_link", "snap": {CONTACT: [LINK_ID, HASH]}}. HighLevel
 *                               sends no webhook for a task edit and an edit leaves the
 *                               contact's dateUpdated alone, so no search can see it. This
 *                               poller walks the linked contacts in link id order, a bounded
 *                               number per run (the cost is one API call per contact), lists
 *                               each one's tasks and compares a hash of them with the last
 *                               one: a difference is a hint. It resumes after the last link it
 *                               checked and starts over at the end, so every linked contact is
 *                               checked once per links / max_contacts runs. A contact seen for
 *                               the first time is only recorded (reconcile's scan hints cover
 *                               what happened before). Its hints carry {"activity": true,
 *                               "contactId", "tasks"}: re-read the contact's activity.
 *   pl.registrations.ORG.EVENT  {"updated_ms", "snap": {ATTENDEE: HASH}}: registrations since
 *                               the newest date_updated seen, with PheedLoop's one-day overlap
 *                               (pl_client_registrations_since). The overlap reads the same
 *                               registrations again; snap (what the previous run read) keeps
 *                               an unchanged one from becoming a hint again. Its hints carry
 *                               {"registration": {...}}.
 *   pl.attendees.ORG.EVENT      {"snap": {ATTENDEE: HASH}}: the full attendee listing of the
 *                               event, compared record by record with the previous listing;
 *                               new and changed attendees are hints. The first listing is only
 *                               recorded. A listing never infers a delete (reconcile does).
 * HighLevel contact and attendee listing hints carry the record as listed. The planner compares
 * what a hint carries with the shadows and drops our own writes coming back without a call.
 *
 * Every function stops between pages when *stop becomes true, keeping what it committed. */
#ifndef PHEEDSYNC_ENGINE_POLLER_H
#define PHEEDSYNC_ENGINE_POLLER_H

#include "engine/engine.h"

#include <stdatomic.h>

typedef struct poller_options {
    int64_t overlap_ms;      /* HighLevel search starts this long before its cursor; 0: 60 s */
    int64_t delay_ms;        /* the hints' delay (coalescing) */
    size_t page_size;        /* HighLevel search page; 0: 100 */
    size_t max_contacts;     /* task poller: linked contacts checked per run; 0: 100 */
    const atomic_bool *stop; /* NULL: never */
} poller_options;

typedef struct poller_result {
    size_t seen;   /* records read */
    size_t hints;  /* hints written */
    bool complete; /* the run reached the end of its listing (or of its share of links) */
} poller_result;

int poller_ghl_contacts(poller_result *out, engine *eng, const poller_options *o, err *e);
int poller_ghl_tasks(poller_result *out, engine *eng, const poller_options *o, err *e);
int poller_pl_registrations(poller_result *out, engine *eng, const char *event,
                            const poller_options *o, err *e);
int poller_pl_attendees(poller_result *out, engine *eng, const char *event, const poller_options *o,
                        err *e);

/* Every poller once, in the order the daemon runs them (HighLevel contacts and tasks, then each
 * event's registrations and attendee listing), each side only when configured; ctx is a
 * const poller_options * (NULL: defaults). The shape of engine_pass_opts.capture, so that
 * `pheedsync sync` captures incrementally with the pollers. Every poller runs even after one
 * failed; the first failure is returned. */
int poller_capture(void *ctx, engine *eng, err *e);

/* The cursor names above, into out (ENGINE_KEY_MAX). */
void poller_cursor_name(char *out, size_t size, const char *kind, const char *a, const char *b);

#endif
