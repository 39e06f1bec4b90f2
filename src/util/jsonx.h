/* jsonx.h: helpers on jansson: parsing with clear errors, typed field access that names the
 * field, and compact dumping into bounded buffers. */
#ifndef PHEEDSYNC_JSONX_H
#define PHEEDSYNC_JSONX_H

#include "util/buf.h"
#include "util/err.h"

#include <jansson.h>

/* Parses len bytes (need not be NUL-terminated; integers kept exact to 64 bits). On error the
 * message names line, column and what was wrong. what: a label for messages ("request body"). */
int jsonx_parse(json_t **out, const void *data, size_t len, const char *what, err *e);

/* Lenient getters: NULL / fallback when absent, null or of another type. */
const char *jsonx_str(const json_t *obj, const char *key);
int64_t jsonx_int(const json_t *obj, const char *key, int64_t fallback);
bool jsonx_bool(const json_t *obj, const char *key, bool fallback);
/* Dotted path lookup: jsonx_path(obj, "meta.contactId"); array indices as numbers ("a.0.b"). */
json_t *jsonx_path(const json_t *obj, const char *path);

/* Strict getters: ERR_INVALID naming the field when absent (if required) or of the wrong type.
 * Absent and not required: 0, *out untouched. */
int jsonx_get_str(const char **out, const json_t *obj, const char *key, bool required, err *e);
int jsonx_get_int(int64_t *out, const json_t *obj, const char *key, bool required, err *e);
int jsonx_get_bool(bool *out, const json_t *obj, const char *key, bool required, err *e);
int jsonx_get_array(json_t **out, const json_t *obj, const char *key, bool required, err *e);
int jsonx_get_object(json_t **out, const json_t *obj, const char *key, bool required, err *e);

/* Setters that accept NULL strings (stored as JSON null). Return 0 or ERR_NOMEM. */
int jsonx_set_str(json_t *obj, const char *key, const char *value);
int jsonx_set_int(json_t *obj, const char *key, int64_t value);
int jsonx_set_bool(json_t *obj, const char *key, bool value);

/* Compact dump appended to out. */
int jsonx_dump(buf *out, const json_t *json);
/* Compact dump, malloc'd (free() it); NULL on failure. Keys keep insertion order. */
char *jsonx_dumps(const json_t *json);
/* Array of strings helpers. */
bool jsonx_array_has_str(const json_t *array, const char *s);
bool jsonx_array_has_str_ci(const json_t *array, const char *s);

#endif
