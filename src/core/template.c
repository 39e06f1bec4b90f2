/* template.c: checking and filling `{name}` templates from a record's values. */
#include "core/template.h"

#include "util/jsonx.h"

#include <inttypes.h>

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
}

static int bad(size_t *col, size_t at, char *why, size_t why_size, const char *msg)
{
    *col = at + 1;
    snprintf(why, why_size, "%s", msg);
    return ERR_CONFIG;
}

int core_tpl_check(const char *tpl, core_tpl_known_fn known, void *ctx, size_t *col, char *why,
                   size_t why_size)
{
    for (size_t i = 0; tpl[i]; i++) {
        if (tpl[i] == '}') {
            if (tpl[i + 1] != '}')
                return bad(col, i, why, why_size, "a lone '}' (write '}}' for a brace)");
            i++;
            continue;
        }
        if (tpl[i] != '{')
            continue;
        if (tpl[i + 1] == '{') {
            i++;
            continue;
        }
        size_t start = i + 1, j = start;
        while (name_char(tpl[j]))
            j++;
        if (tpl[j] != '}')
            return bad(col, i, why, why_size,
                       tpl[j] ? "'{' must be followed by a name and '}' (write '{{' for a brace)"
                              : "'{' is not closed by '}'");
        if (j == start)
            return bad(col, i, why, why_size, "empty placeholder '{}'");
        if (j - start >= CORE_TPL_NAME_MAX)
            return bad(col, start, why, why_size, "placeholder name too long");
        char name[CORE_TPL_NAME_MAX];
        snprintf(name, sizeof name, "%.*s", (int)(j - start), tpl + start);
        if (known && !known(ctx, name)) {
            *col = start + 1;
            snprintf(why, why_size, "unknown name '%s'", name);
            return ERR_CONFIG;
        }
        i = j;
    }
    return 0;
}

static int scalar(buf *out, const json_t *v)
{
    if (json_is_string(v))
        return buf_add(out, json_string_value(v), json_string_length(v));
    if (json_is_integer(v))
        return buf_addf(out, "%" PRId64, (int64_t)json_integer_value(v));
    if (json_is_real(v))
        return buf_addf(out, "%.15g", json_real_value(v));
    if (json_is_boolean(v))
        return buf_addstr(out, json_is_true(v) ? "true" : "false");
    return 0;
}

int core_tpl_value(buf *out, const json_t *v)
{
    if (!json_is_array(v))
        return scalar(out, v);
    size_t i;
    const json_t *item;
    int rc = 0;
    json_array_foreach(v, i, item)
    {
        if (rc == 0 && i > 0)
            rc = buf_addstr(out, ", ");
        if (rc == 0)
            rc = scalar(out, item);
    }
    return rc;
}

static const json_t *lookup(const json_t *vars, const char *name)
{
    const json_t *v = json_object_get(vars, name);
    if (!v && strchr(name, '.'))
        v = jsonx_path(vars, name);
    return v;
}

int core_tpl_fill(buf *out, const char *tpl, const json_t *vars, bool *any_empty)
{
    bool empty = false;
    int rc = 0;
    for (size_t i = 0; rc == 0 && tpl[i]; i++) {
        char c = tpl[i];
        if ((c == '{' || c == '}') && tpl[i + 1] == c) {
            rc = buf_addc(out, c);
            i++;
            continue;
        }
        const char *close = c == '{' ? strchr(tpl + i, '}') : NULL;
        if (!close || (size_t)(close - tpl - i - 1) >= CORE_TPL_NAME_MAX) {
            rc = buf_addc(out, c);
            continue;
        }
        char name[CORE_TPL_NAME_MAX];
        snprintf(name, sizeof name, "%.*s", (int)(close - tpl - i - 1), tpl + i + 1);
        size_t before = out->len;
        rc = core_tpl_value(out, lookup(vars, name));
        empty |= out->len == before;
        i = (size_t)(close - tpl);
    }
    if (any_empty)
        *any_empty = empty;
    return rc;
}
