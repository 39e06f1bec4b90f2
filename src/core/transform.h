/* transform.h: the transforms of a `[field "NAME"]` section: a small pipeline turning a value
 * read from one side into the canonical value both sides are compared in and written with.
 *
 * Syntax: comma-separated steps, run in order; an argument with a comma goes in double quotes
 * (template:"{last_name}, {first_name}"; \" and \\ escape inside).
 *   trim, lower, upper       text clean-ups
 *   e164                     a phone number in E.164; one that cannot be read is an error
 *   default:VALUE            VALUE when the value is empty
 *   map:A=B|C=D              A becomes B, C becomes D (case-insensitive); others pass unchanged
 *   const:VALUE              always VALUE                                   (derivation)
 *   template:TEXT            TEXT with {name} filled from the same record   (derivation)
 *   join_name                "{first_name} {last_name}" of the same record  (derivation)
 *   split_name:first|last    one part of a full name, as HighLevel splits   (derivation)
 *
 * Clean-ups run on values read from either side, so both sides compare in one form; they must
 * give back what they are given a second time (a map whose result is also one of its sources
 * is refused), so that a value written and read back equals the shadow. Derivations compute a
 * value that does not come back: they run only on the source side of a one-way field (the
 * mapping refuses them on a two-way field) and are skipped on the target side. */
#ifndef PHEEDSYNC_CORE_TRANSFORM_H
#define PHEEDSYNC_CORE_TRANSFORM_H

#include "core/template.h"

typedef struct core_xform core_xform;

/* Parses text. label names the place in messages ("[field \"phone\"]"); default_cc is the
 * country code e164 gives numbers written without one; known vets template names (may be
 * NULL). Errors are ERR_CONFIG: "[field \"x\"] transform 'e165': unknown transform (known:
 * ...)". An empty text is an empty pipeline. */
int core_xform_parse(core_xform **out, const char *text, const char *label, int default_cc,
                     core_tpl_known_fn known, void *known_ctx, err *e);
void core_xform_free(core_xform *x);

/* True when the pipeline has a derivation step. */
bool core_xform_derives(const core_xform *x);
/* The pipeline in its normal written form ("trim, lower"), for messages and previews. */
int core_xform_describe(buf *out, const core_xform *x);

/* The canonical form of a raw value, before any transform: strings as they are, numbers and
 * booleans as text, arrays element by element; null, "", [] and absence give NULL (empty);
 * objects their compact JSON text. New reference. */
json_t *core_value_canon(const json_t *raw);

/* Runs the pipeline (x may be NULL: none) on the raw value in (may be NULL). source: this is
 * the source side of a one-way field, so derivations run; vars: the record's values for
 * template and join_name. *out is a new reference, or NULL for an empty value. A value a step
 * cannot take (an unreadable phone number) gives ERR_INVALID with why. */
int core_xform_apply(json_t **out, const core_xform *x, const json_t *in, bool source,
                     const json_t *vars, char *why, size_t why_size);

/* jansson's reference and iteration calls take non-const pointers; this drops const where a
 * value is shared or read, never changed. */
static inline json_t *core_json_mut(const json_t *v)
{
    return (json_t *)(uintptr_t)v;
}

/* True for NULL, JSON null, "" and []. */
bool core_value_empty(const json_t *v);
/* Equality of canonical values, all empty forms being equal. */
bool core_value_equal(const json_t *a, const json_t *b);

#endif
