/* activity.h: HighLevel activity kept on a PheedLoop attendee. PheedLoop has no tasks, notes or
 * appointments, so they live in the attendee's metadata under one key that pheedsync owns:
 *
 *   metadata.highlevel = {
 *     "contact_id": "...",                                   the linked contact
 *     "tasks": [{"id", "title", "body", "due", "completed"}],
 *     "notes": [{"id", "body", "date"}],
 *     "appointments": [{"id", "title", "start", "end", "status", "reminders": [...]}],
 *     "tags": ["..."],                     the contact's tags the event does not have
 *     "business": {"id", "name"}           the contact's business
 *   }
 *
 * Every function changes metadata in place (the caller sends the whole object back, as PATCH
 * replaces metadata), touches nothing outside metadata.highlevel, and says whether anything
 * changed, so that an unchanged record costs no write. Times are ISO-8601 UTC when HighLevel's
 * text can be read ("2021-07-08T02:30:00.000Z"), as given otherwise. Lists are bounded: past
 * CORE_ACT_MAX entries the oldest (for tasks, the oldest completed) is dropped; texts are cut
 * to CORE_ACT_TEXT_MAX bytes. */
#ifndef PHEEDSYNC_CORE_ACTIVITY_H
#define PHEEDSYNC_CORE_ACTIVITY_H

#include "util/err.h"

#include <jansson.h>

#define CORE_ACT_MAX 100
#define CORE_ACT_TEXT_MAX 2000

typedef enum core_act_kind {
    CORE_ACT_TASK,
    CORE_ACT_NOTE,
    CORE_ACT_APPOINTMENT,
} core_act_kind;

typedef enum core_act_op {
    CORE_ACT_UPSERT,   /* created or updated */
    CORE_ACT_COMPLETE, /* tasks only */
    CORE_ACT_DELETE,
} core_act_op;

/* The kind and operation of a HighLevel webhook type ("TaskCreate", "TaskComplete",
 * "NoteUpdate", "AppointmentDelete", ...); ERR_NOT_FOUND for other types. */
int core_activity_from_event(core_act_kind *kind, core_act_op *op, const char *type);

/* metadata.highlevel, created when missing (or when it is not an object); NULL when metadata is
 * not an object or memory ran out. */
json_t *core_activity_root(json_t *metadata);
/* metadata.highlevel.{tasks|notes|appointments}, or NULL. */
const json_t *core_activity_list(const json_t *metadata, core_act_kind kind);
/* The entry with this id, or NULL. */
const json_t *core_activity_find(const json_t *metadata, core_act_kind kind, const char *id);

/* Applies one change. record: the HighLevel task, note or appointment, as the API returns it
 * or a webhook carries it (an appointment may be wrapped as {"appointment": {...}}); it needs
 * an id. An upsert keeps an entry's place, and the values the record leaves out (an update
 * webhook may carry less than the object; reminders are pheedsync's own). */
int core_activity_apply(json_t *metadata, core_act_kind kind, core_act_op op, const json_t *record,
                        bool *changed, err *e);

/* Setters of the other keys; NULL or empty values remove the key. */
int core_activity_set_contact(json_t *metadata, const char *contact_id, bool *changed, err *e);
int core_activity_set_business(json_t *metadata, const char *id, const char *name, bool *changed,
                               err *e);
/* tags: an array of strings, stored normalised and sorted. */
int core_activity_set_tags(json_t *metadata, const json_t *tags, bool *changed, err *e);
/* The appointment's reminder bookkeeping (see reminder.h); ERR_NOT_FOUND without the entry. */
int core_activity_set_reminders(json_t *metadata, const char *appointment_id,
                                const json_t *reminders, bool *changed, err *e);

/* Drops appointments that ended before now_ms (by end, else start; unreadable times stay). */
int core_activity_prune(json_t *metadata, int64_t now_ms, bool *changed);

#endif
