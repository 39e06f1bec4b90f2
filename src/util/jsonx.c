/* jsonx.c: jansson helpers: parsing with located errors, typed access, bounded dumping. */
#include "util/jsonx.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)

/* jansson skips a NUL byte inside a document; another parser would not, so refuse it. */
static int refuse_nul(const char *data, size_t len, const char *what, err *e)
{
    const char *nul = memchr(data, '\0', len);
    if (!nul)
        return 0;
    int line = 1, col = 1;
    for (const char *p = data; p < nul; p++) {
        col = *p == '\n' ? 1 : col + 1;
        line += *p == '\n';
    }
    return err_set(e, ERR_PARSE, "%s: invalid JSON at line %d, column %d: NUL byte",
                   what ? what : "JSON", line, col);
}

int jsonx_parse(json_t **out, const void *data, size_t len, const char *what, err *e)
{
    if (data && refuse_nul(data, len, what, e) != 0)
        return ERR_PARSE;
    json_error_t je;
    /* Any top-level value is allowed (callers check the shape they want); duplicate keys are
     * accepted with the last one winning, as JavaScript's JSON.parse does on the other end. */
    json_t *j = json_loadb(data ? data : "", data ? len : 0, JSON_DECODE_ANY, &je);
    if (!j) {
        return err_set(e, ERR_PARSE, "%s: invalid JSON at line %d, column %d: %s",
                       what ? what : "JSON", je.line, je.column, je.text);
    }
    *out = j;
    return 0;
}

const char *jsonx_str(const json_t *obj, const char *key)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int64_t jsonx_int(const json_t *obj, const char *key, int64_t fallback)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : fallback;
}

bool jsonx_bool(const json_t *obj, const char *key, bool fallback)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_boolean(v) ? json_is_true(v) : fallback;
}

/* One path segment [seg, seg + n) applied to cur. */
static json_t *path_step(const json_t *cur, const char *seg, size_t n)
{
    if (json_is_object(cur))
        return json_object_getn(cur, seg, n);
    if (!json_is_array(cur) || n == 0 || n > 9)
        return NULL;
    size_t idx = 0;
    for (size_t i = 0; i < n; i++) {
        if (seg[i] < '0' || seg[i] > '9')
            return NULL;
        idx = idx * 10 + (size_t)(seg[i] - '0');
    }
    return json_array_get(cur, idx);
}

json_t *jsonx_path(const json_t *obj, const char *path)
{
    if (!obj || !path)
        return NULL;
    const json_t *cur = obj;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        cur = path_step(cur, p, n);
        if (!cur || !dot)
            break;
        p = dot + 1;
    }
    /* jansson's getters take const and hand back non-const children; so does this. */
    return (json_t *)(uintptr_t)cur;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number with a fraction";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "unknown";
}

/* The shared front of the strict getters: 1 when a value of the right type is there, 0 when it
 * is absent (or null) and allowed to be, a negative code otherwise. JSON null counts as absent
 * because both services send null for fields they have no value for. */
static int strict_lookup(json_t **out, const json_t *obj, const char *key, bool required,
                         json_type want, const char *want_name, err *e)
{
    if (!json_is_object(obj))
        return err_set(e, ERR_INVALID, "field '%s': the enclosing value is not an object", key);
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            return err_set(e, ERR_INVALID, "field '%s' is required", key);
        return 0;
    }
    json_type t = json_typeof(v);
    bool ok = t == want || (want == JSON_TRUE && t == JSON_FALSE);
    if (!ok)
        return err_set(e, ERR_INVALID, "field '%s' must be %s, not %s", key, want_name,
                       type_name(v));
    *out = v;
    return 1;
}

int jsonx_get_str(const char **out, const json_t *obj, const char *key, bool required, err *e)
{
    json_t *v = NULL;
    int rc = strict_lookup(&v, obj, key, required, JSON_STRING, "a string", e);
    if (rc == 1)
        *out = json_string_value(v);
    return rc < 0 ? rc : 0;
}

int jsonx_get_int(int64_t *out, const json_t *obj, const char *key, bool required, err *e)
{
    json_t *v = NULL;
    int rc = strict_lookup(&v, obj, key, required, JSON_INTEGER, "an integer", e);
    if (rc == 1)
        *out = (int64_t)json_integer_value(v);
    return rc < 0 ? rc : 0;
}

int jsonx_get_bool(bool *out, const json_t *obj, const char *key, bool required, err *e)
{
    json_t *v = NULL;
    int rc = strict_lookup(&v, obj, key, required, JSON_TRUE, "a boolean", e);
    if (rc == 1)
        *out = json_is_true(v);
    return rc < 0 ? rc : 0;
}

int jsonx_get_array(json_t **out, const json_t *obj, const char *key, bool required, err *e)
{
    json_t *v = NULL;
    int rc = strict_lookup(&v, obj, key, required, JSON_ARRAY, "an array", e);
    if (rc == 1)
        *out = v;
    return rc < 0 ? rc : 0;
}

int jsonx_get_object(json_t **out, const json_t *obj, const char *key, bool required, err *e)
{
    json_t *v = NULL;
    int rc = strict_lookup(&v, obj, key, required, JSON_OBJECT, "an object", e);
    if (rc == 1)
        *out = v;
    return rc < 0 ? rc : 0;
}

/* Stores value (a new reference, possibly NULL after a failed constructor) under key. A string
 * that is not valid UTF-8 makes json_string fail too; it is reported as ERR_INVALID. */
static int set_new(json_t *obj, const char *key, json_t *value, int fail_code)
{
    if (!value)
        return fail_code;
    if (json_object_set_new(obj, key, value) != 0)
        return ERR_NOMEM;
    return 0;
}

int jsonx_set_str(json_t *obj, const char *key, const char *value)
{
    if (!value)
        return set_new(obj, key, json_null(), ERR_NOMEM);
    json_t *s = json_string(value);
    if (!s) {
        /* Tell an invalid string from a failed allocation. */
        json_t *probe = json_string_nocheck(value);
        if (!probe)
            return ERR_NOMEM;
        json_decref(probe);
        return ERR_INVALID;
    }
    return set_new(obj, key, s, ERR_NOMEM);
}

int jsonx_set_int(json_t *obj, const char *key, int64_t value)
{
    return set_new(obj, key, json_integer((json_int_t)value), ERR_NOMEM);
}

int jsonx_set_bool(json_t *obj, const char *key, bool value)
{
    return set_new(obj, key, json_boolean(value), ERR_NOMEM);
}

typedef struct dump_ctx {
    buf *out;
    int rc;
} dump_ctx;

static int dump_cb(const char *chunk, size_t size, void *data)
{
    dump_ctx *ctx = data;
    int rc = buf_add(ctx->out, chunk, size);
    if (rc) {
        ctx->rc = rc;
        return -1;
    }
    return 0;
}

int jsonx_dump(buf *out, const json_t *json)
{
    size_t start = out->len;
    dump_ctx ctx = {out, 0};
    if (!json || json_dump_callback(json, dump_cb, &ctx, DUMP_FLAGS) != 0) {
        /* Leave the buffer as it was before the call. */
        out->len = start;
        if (out->ptr)
            out->ptr[start] = '\0';
        return ctx.rc ? ctx.rc : ERR_INVALID;
    }
    return 0;
}

char *jsonx_dumps(const json_t *json)
{
    return json ? json_dumps(json, DUMP_FLAGS) : NULL;
}

bool jsonx_array_has_str(const json_t *array, const char *s)
{
    size_t i;
    json_t *v = NULL;
    json_array_foreach(array, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return true;
    }
    return false;
}

bool jsonx_array_has_str_ci(const json_t *array, const char *s)
{
    size_t i;
    json_t *v = NULL;
    json_array_foreach(array, i, v)
    {
        if (json_is_string(v) && strcasecmp(json_string_value(v), s) == 0)
            return true;
    }
    return false;
}
