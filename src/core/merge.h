/* merge.h: the three-way merge of one linked person: the current canonical record of each side
 * against the shadow of each side (its canonical record as of the last sync) gives the fields
 * to write where, and a decision for every field that needed one.
 *
 * Per field, with "changed" meaning current != that side's shadow (all empty forms equal):
 *   neither side changed          nothing (a difference left is a write still on its way)
 *   one side changed              its value goes to the other side, if the direction allows;
 *                                 otherwise the change stays where it is (DIRECTION, audited)
 *   both changed, to one value    nothing to write (CONVERGED)
 *   both changed, differently     the owner wins (CONFLICT, audited): highlevel, pheedloop, or
 *                                 newest = the side whose change pheedsync saw last; on a
 *                                 one-way field the source side wins whatever the owner
 *   no shadow (first link, or a   equal: nothing; one side empty: the other's value fills it
 *   field new to the map: absent  (FIRST_LINK); both set and different: settled as a conflict
 *   from a shadow, not null)      (FIRST_LINK, audited)
 * A field whose value could not be read on a side (person.invalid) counts as unchanged there
 * and is never copied from there (INVALID, audited when it blocks a change).
 *
 * Tags merge tag by tag as set deltas against each side's shadow: a tag added or removed on
 * one side is added or removed on the other; the set is never replaced as a whole. A tag added
 * on one side and removed on the other is a conflict settled by the tag field's owner. With no
 * tag shadow, each side gets the tags it lacks (a union; nothing is removed). A computed tag
 * of PheedLoop (core_person.derived_tags) is never removed there, and a tag of that form
 * (core_map_is_derived_tag: the check-in tag, a sign-up tag) is never written there: the
 * contact's "checked-in" from one event's attendee is not a tag of its other attendees.
 *
 * echo: every field equals its shadow on both sides: the change seen was our own write coming
 * back (or nothing), and it costs no API call. */
#ifndef PHEEDSYNC_CORE_MERGE_H
#define PHEEDSYNC_CORE_MERGE_H

#include "core/person.h"

typedef enum core_decision_kind {
    CORE_DECIDE_ONE_SIDE,   /* changed on one side: carried to the other */
    CORE_DECIDE_CONVERGED,  /* changed on both sides to the same value */
    CORE_DECIDE_CONFLICT,   /* changed on both sides: settled by the owner */
    CORE_DECIDE_FIRST_LINK, /* no shadow: settled by the first-link rule */
    CORE_DECIDE_DIRECTION,  /* a change not carried: the direction does not allow it */
    CORE_DECIDE_INVALID,    /* a value that could not be read was left alone */
} core_decision_kind;

typedef struct core_decision {
    char *field; /* canonical field name ("tags" for a tag) */
    core_decision_kind kind;
    core_side winner; /* whose value stands */
    json_t *before;   /* the value overwritten or not carried (the loser's); NULL: empty */
    json_t *after;    /* the value that stands; NULL: empty */
    char *reason;     /* for people: "changed on both sides; owner = highlevel" */
    bool audit;       /* drops a value, or keeps the sides apart: goes to the audit log */
} core_decision;

typedef struct core_merge_in {
    const core_map *map;
    const core_person *ghl, *pl;          /* current records, read through map */
    const json_t *shadow_ghl, *shadow_pl; /* canonical records at the last sync; NULL: none */
    core_side last_side;                  /* whose change pheedsync saw last (owner newest) */
    int64_t now_ms;                       /* stamped on decisions */
} core_merge_in;

typedef struct core_merge_out {
    json_t *to_ghl;           /* canonical name -> value to write to HighLevel (null: empty it) */
    json_t *to_pl;            /* the same for PheedLoop */
    core_tag_delta tags_ghl;  /* tags to add to and remove from HighLevel */
    core_tag_delta tags_pl;   /* the same for PheedLoop */
    core_decision *decisions; /* in map order */
    size_t n_decisions;
    int64_t at_ms; /* in->now_ms */
    bool echo;
} core_merge_out;

int core_merge(core_merge_out *out, const core_merge_in *in, err *e);
void core_merge_out_clear(core_merge_out *o);

/* True when the merge writes anything to side s (fields or tags). */
bool core_merge_writes(const core_merge_out *o, core_side s);

/* A shadow: the canonical record with every active field of m present, an empty one as null
 * (so that a field later added to the map is told apart from one that was empty). */
json_t *core_person_shadow(const core_map *m, const core_person *p);
/* The shadow of side s once the merge's writes to it have succeeded: current with to_X and the
 * tag delta applied. What the worker stores when it does not read the record back. */
json_t *core_merge_shadow_after(const core_merge_out *o, const core_map *m,
                                const core_person *current, core_side s);

const char *core_decision_kind_name(core_decision_kind k); /* "one_side", "conflict", ... */

#endif
