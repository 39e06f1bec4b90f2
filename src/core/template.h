/* template.h: text templates of the configuration ("event:{event_code}", "Call {first_name}"):
 * `{name}` is replaced by a value of the record, `{{` and `}}` are literal braces.
 *
 * Templates come from the user's configuration file, so they are checked once, when the
 * configuration is read (core_tpl_check), and filled many times (core_tpl_fill). */
#ifndef PHEEDSYNC_CORE_TEMPLATE_H
#define PHEEDSYNC_CORE_TEMPLATE_H

#include "util/buf.h"
#include "util/err.h"

#include <jansson.h>

#define CORE_TPL_NAME_MAX 64

/* Says whether a placeholder name may be used. */
typedef bool (*core_tpl_known_fn)(void *ctx, const char *name);

/* Checks the syntax of tpl: every '{' opens a name of letters, digits, '_' and '.' closed by
 * '}', or is doubled; a lone '}' is doubled. known (may be NULL: any name) vets each name.
 * On error returns ERR_CONFIG, *col is the 1-based column of the problem and why says what. */
int core_tpl_check(const char *tpl, core_tpl_known_fn known, void *ctx, size_t *col, char *why,
                   size_t why_size);

/* Appends tpl to out with each `{name}` replaced by vars[name] (a dotted name is also looked up
 * as a path: {appointment.title}). Strings as they are, numbers in decimal, booleans as
 * true/false, arrays of those joined with ", "; null, absent and other values are empty.
 * *any_empty (may be NULL) tells whether some placeholder came out empty. tpl must have passed
 * core_tpl_check (a malformed one is copied as it is). ERR_LIMIT when out is full. */
int core_tpl_fill(buf *out, const char *tpl, const json_t *vars, bool *any_empty);

/* Appends the text form of one value as core_tpl_fill renders it. */
int core_tpl_value(buf *out, const json_t *v);

#endif
