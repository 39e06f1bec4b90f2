/* person.h: the canonical person: a HighLevel contact or a PheedLoop attendee read through the
 * field map into one comparable form, and the API write bodies made from canonical values.
 *
 * A canonical record is a JSON object: canonical field name -> value, where a value is a
 * non-empty string or a non-empty array of strings; an empty value is absent. "tags" is the tag
 * set: normalised (trimmed, lower-case), unique and sorted. This object is what shadows store.
 *
 * Reading is pure and works on one record alone (a preview of the mapping needs nothing more).
 * Fields whose direction is none (within `[sync] direction`) are not read. */
#ifndef PHEEDSYNC_CORE_PERSON_H
#define PHEEDSYNC_CORE_PERSON_H

#include "core/mapping.h"
#include "core/normalize.h"

/* What is read of one HighLevel contact. */
typedef struct core_ghl_record {
    const json_t *contact;    /* the Contact object (GET /contacts/{id} "contact", or a
                               * ContactCreate/Update webhook body) */
    const json_t *field_defs; /* the location's custom fields ([{id, fieldKey, ...}]): custom
                               * values are read by id; NULL: only values naming their key */
} core_ghl_record;

/* What is read of one PheedLoop attendee in one event. */
typedef struct core_pl_record {
    const json_t *attendee;     /* the attendee object */
    const json_t *registration; /* its registration, or NULL */
    const json_t *event;        /* the event ({code, event_name, date, timezone}), or NULL */
    const char *event_code;     /* used when event is NULL */
    const json_t *event_tags;   /* the event's tags: names, or {name} objects; NULL: none */
} core_pl_record;

typedef struct core_person {
    json_t *values;       /* the canonical record */
    json_t *facts;        /* facts for templates and rules (core_fact_names), as strings */
    json_t *invalid;      /* field name -> why its value could not be read; such a field is
                           * absent from values and left alone by the merge */
    json_t *derived_tags; /* tags computed from the record (sign-up and check-in tags), also in
                           * values.tags, not stored on the side: removing them there is moot */
} core_person;

int core_person_from_ghl(core_person *out, const core_map *m, const core_ghl_record *r, err *e);
/* The tags of a PheedLoop person are the attendee's tags, the other tags kept in
 * metadata.highlevel.tags, and the sign-up and check-in tags of `[sync]`. */
int core_person_from_pl(core_person *out, const core_map *m, const core_pl_record *r, err *e);
void core_person_clear(core_person *p);

/* The values and facts in one object (a value wins over a fact of the same name): what
 * templates and rule conditions read. New reference. */
json_t *core_person_vars(const core_person *p);

/* The keys a first match goes by: the e-mail (core_norm_email) and the E.164 phone of the
 * canonical "email" and "phone" values, normalised again whatever their fields' transforms.
 * Each is left empty when absent or unreadable. */
void core_person_match_keys(const core_person *p, int default_cc, buf *email,
                            char phone[CORE_E164_MAX]);

/* A tag set change: arrays of normalised tags. */
typedef struct core_tag_delta {
    json_t *add;
    json_t *remove;
} core_tag_delta;

/*
 * Write bodies. values: canonical field name -> value (JSON null or "" to empty a field), as
 * the merge's to_ghl / to_pl give them; a name that is not a field of m, a field not writable on
 * that side, or a computed field's source side is ERR_INVALID.
 */

/* The body of PUT /contacts/{id} (or of a create, with tags in values as the full set):
 * standard fields at the top (null empties a nullable one), custom fields in customFields by id
 * when cur->field_defs knows the key, by key otherwise. Tag changes go through HighLevel's tag
 * endpoints, so delta tags are not part of it. cur may be NULL. */
int core_person_to_ghl_fields(json_t **out, const core_map *m, const json_t *values,
                              const core_ghl_record *cur, err *e);

/* The body of PATCH .../attendees/{code}/ (or of a create): attendee fields at the top;
 * metadata paths set in a copy of the current metadata (PATCH replaces the whole object), other
 * keys kept; tags: the delta (may be NULL) applied to the current tags, or values.tags as the
 * full set, split into the event's tags (attendee tags, spelled as the event spells them) and
 * the rest (metadata.highlevel.tags). cur may be NULL for a create. */
int core_person_to_pl_fields(json_t **out, const core_map *m, const json_t *values,
                             const core_tag_delta *tags, const core_pl_record *cur, err *e);

/* Normalised, unique, sorted tag set from an array of tag names (non-strings skipped). */
json_t *core_tags_normalize(const json_t *tags);
/* The change from one tag set to another, as the audit log keeps it: {"added": [...],
 * "removed": [...]}, normalised and sorted; NULL when nothing changed. New reference. */
json_t *core_tags_change(const json_t *before, const json_t *after);
/* Such a change as people read it: "added: a, b; removed: c" (an empty half is left out). */
void core_tags_change_text(buf *out, const json_t *change);
/* The event tag named tag (case-insensitive), as the event spells it; NULL when none. */
const char *core_event_tag(const json_t *event_tags, const char *tag);

#endif
