/* engine_key.c: the record keys hints coalesce on. */
#include "engine/engine.h"

static bool key_part_ok(const char *s)
{
    return s && *s && !strchr(s, ':');
}

int engine_key_ghl(char out[ENGINE_KEY_MAX], const char *location_id, const char *contact_id,
                   err *e)
{
    if (!key_part_ok(location_id) || !key_part_ok(contact_id))
        return err_set(e, ERR_INVALID, "record key: empty id or id with ':'");
    int n = snprintf(out, ENGINE_KEY_MAX, "ghl:%s:%s", location_id, contact_id);
    return n < ENGINE_KEY_MAX ? 0 : err_set(e, ERR_LIMIT, "record key too long");
}

int engine_key_pl(char out[ENGINE_KEY_MAX], const char *org, const char *event, const char *code,
                  err *e)
{
    if (!key_part_ok(org) || !key_part_ok(event) || !key_part_ok(code))
        return err_set(e, ERR_INVALID, "record key: empty code or code with ':'");
    int n = snprintf(out, ENGINE_KEY_MAX, "pl:%s:%s:%s", org, event, code);
    return n < ENGINE_KEY_MAX ? 0 : err_set(e, ERR_LIMIT, "record key too long");
}

const char *engine_key_parse(const char *key, char scratch[ENGINE_KEY_MAX], const char *parts[3])
{
    size_t len = strnlen(key, ENGINE_KEY_MAX);
    if (len >= ENGINE_KEY_MAX)
        return NULL;
    memcpy(scratch, key, len + 1);
    char *fields[4] = {NULL, NULL, NULL, NULL};
    size_t n = 0;
    char *p = scratch;
    while (n < 4) {
        fields[n++] = p;
        char *colon = strchr(p, ':');
        if (!colon)
            break;
        *colon = '\0';
        p = colon + 1;
    }
    for (size_t i = 0; i < n; i++)
        if (!*fields[i])
            return NULL;
    if (!strcmp(fields[0], "ghl") && n == 3) {
        parts[0] = fields[1];
        parts[1] = fields[2];
        parts[2] = NULL;
        return "ghl";
    }
    if (!strcmp(fields[0], "pl") && n == 4 && !strchr(fields[3], ':')) {
        parts[0] = fields[1];
        parts[1] = fields[2];
        parts[2] = fields[3];
        return "pl";
    }
    return NULL;
}

bool engine_key_in_link(const engine_link_cfg *l, const char *key)
{
    char scratch[ENGINE_KEY_MAX];
    const char *parts[3];
    const char *side = key ? engine_key_parse(key, scratch, parts) : NULL;
    if (!side)
        return false;
    if (!strcmp(side, "ghl"))
        return l->location_id && !strcmp(parts[0], l->location_id);
    if (!l->org_code || strcmp(parts[0], l->org_code) != 0)
        return false;
    for (const char *const *ev = l->events; ev && *ev; ev++)
        if (!strcmp(*ev, parts[1]))
            return true;
    return false;
}

void engine_link_scoped(char *out, size_t size, const engine_link_cfg *l, const char *base)
{
    if (l->name && *l->name)
        snprintf(out, size, "%s:%s", base, l->name);
    else
        snprintf(out, size, "%s", base);
}

const char *engine_link_label(const engine_link_cfg *l)
{
    return l->name && *l->name ? l->name : "default";
}
