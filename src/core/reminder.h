/* reminder.h: reminders of HighLevel appointments as PheedLoop announcements (flow F5): which
 * announcements should exist for an appointment, and what to create, update or delete to get
 * there from the ones that exist. Pure: the clock and the event's timezone come in as
 * arguments.
 *
 * A reminder is identified by its appointment and its offset ("before": seconds before the
 * start). What pheedsync wrote is remembered by the caller (the engine keeps it in its store,
 * per attendee and appointment), as records {"before", "code", "release", "local", "title",
 * "description"} (release: ISO-8601 UTC; local: the same in the event's timezone). A
 * reminder already released is history: it is never updated or deleted; one whose release
 * time has passed is not created. */
#ifndef PHEEDSYNC_CORE_REMINDER_H
#define PHEEDSYNC_CORE_REMINDER_H

#include "core/mapping.h"

#define CORE_REMINDERS_MAX 8

/* The UTC offset, in minutes, of the event's timezone at utc_ms (e.g. -300 for New York in
 * winter). 0 on success. */
typedef int (*core_tz_offset_fn)(void *ctx, int64_t utc_ms, int *out_minutes);

typedef struct core_reminder_cfg {
    int64_t before_s[CORE_REMINDERS_MAX]; /* positive: seconds before the start */
    size_t n_before;
    char *title;          /* template */
    char *description;    /* template */
    core_tz_offset_fn tz; /* NULL: release dates and times in UTC */
    void *tz_ctx;
} core_reminder_cfg;

/* From `[sync] reminders, reminder_title, reminder_description`; templates may name the map's
 * fields, the facts, and appointment_title, appointment_start, appointment_end,
 * appointment_status. ERR_CONFIG naming the key. tz is left NULL for the caller to set. */
int core_reminder_cfg_from_config(core_reminder_cfg *out, const config *cfg, const core_map *m,
                                  err *e);
/* The same from values (offsets as durations: "24h"). */
int core_reminder_cfg_init(core_reminder_cfg *out, const char *const *offsets, size_t n,
                           const char *title, const char *description, const core_map *m, err *e);
void core_reminder_cfg_clear(core_reminder_cfg *c);

/* The reminders that should exist now for one appointment (its metadata entry: {id, title,
 * start, end, status}) of the attendee attendee_code. vars: the attendee's values and facts
 * (core_person_vars). *out: an array, by offset, of
 *   {"before": S, "release": ISO, "title", "description",
 *    "body": {title, description, recipients: [attendee_code], release_date, release_time,
 *             is_notification_push: true, is_notification_mail: true}}
 * where release_date and release_time are in the event's timezone. Empty when the appointment
 * is cancelled (cancelled, canceled, noshow, invalid), has no readable start, or every release
 * time has passed. */
int core_reminders_want(json_t **out, const core_reminder_cfg *cfg, const json_t *appointment,
                        const char *attendee_code, const json_t *vars, int64_t now_ms, err *e);

typedef struct core_reminder_plan {
    json_t *create; /* wanted items (as core_reminders_want gives them) to create */
    json_t *update; /* wanted items with "code" added: PATCH the announcement with "body" */
    json_t *remove; /* records of `have` to delete (each has "code") */
    json_t *keep;   /* records of `have` that stand as they are (unchanged or released) */
} core_reminder_plan;

/* Compares what should exist (want) with what exists (have: the records remembered on the
 * appointment). An item and a record match by "before"; they differ when title, description
 * or release differ. */
int core_reminders_diff(core_reminder_plan *out, const json_t *want, const json_t *have,
                        int64_t now_ms, err *e);
void core_reminder_plan_clear(core_reminder_plan *p);

/* The record to remember once a wanted item exists as announcement `code`: as above, with
 * "local": the release date and time in the event's timezone ("2027-03-13 10:00:00"). New
 * reference. */
json_t *core_reminder_record(const json_t *want_item, const char *code);

/* Why an appointment's reminders change, for the audit log: the appointment (NULL: it was
 * deleted) against the records remembered for it ("the appointment was cancelled", "... was
 * booked", "... moved", "the reminder settings changed", ...). A static string. */
const char *core_reminders_why(const json_t *appointment, const json_t *have);
/* An offset as the configuration writes it: 86400 -> "24h", 5400 -> "1h30m", 90 -> "90s". */
void core_reminder_offset_text(char out[32], int64_t before_s);

#endif
