/* person_int.h: helpers shared by the person_*.c files (reading and writing records). */
#ifndef PHEEDSYNC_CORE_PERSON_INT_H
#define PHEEDSYNC_CORE_PERSON_INT_H

#include "core/person.h"

/* The raw value of field f in one side's record. */
typedef const json_t *(*core_lookup_fn)(const void *rec, const core_field *f);

/* An empty person (every object allocated). */
int core_person_init(core_person *p, err *e);
/* Reads every active field of m but the tag set from one side's record into p. */
int core_person_read(core_person *p, const core_map *m, core_side side, core_lookup_fn lookup,
                     const void *rec, err *e);

/* Facts: the canonical text of raw, or s, under name; empty values are left out. */
void core_fact_set(json_t *facts, const char *name, const json_t *raw);
void core_fact_str(json_t *facts, const char *name, const char *s);

/* Adds the normalised tag (if not empty and not there yet) to the set; the same for every
 * string of an array. */
void core_tags_add(json_t *set, const char *s, size_t n);
void core_tags_add_all(json_t *set, const json_t *tags);
void core_strings_sort(json_t *arr);

/* HighLevel custom field keys compare without their "contact." prefix. */
bool core_custom_key_eq(const char *a, const char *b);
/* The id of the custom field with this key in the location's definitions, or NULL. */
const char *core_ghl_def_id(const json_t *defs, const char *key);

#endif
