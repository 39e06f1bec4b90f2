/* ghl_input.c: contact bodies in (create, update, upsert: validated and normalised into a patch)
 * and contacts out (the shape GET /contacts/{id} answers). */
#include "sandbox/ghl/ghl_state.h"

#include <ctype.h>

/* Plain string fields a body may carry; null clears them. "name" is split into first and last. */
static const char *const STRING_FIELDS[] = {
    "firstName",   "lastName",   "email",   "phone",      "address1", "city",
    "state",       "postalCode", "website", "timezone",   "source",   "country",
    "companyName", "assignedTo", "gender",  "businessId",
};

static const char *const DND_CHANNELS[] = {"Call", "Email", "SMS", "WhatsApp", "GMB", "FB"};

static bool valid_email(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@'))
        return false;
    const char *dot = strrchr(at, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0')
        return false;
    for (const char *p = s; *p; p++)
        if (isspace((unsigned char)*p) || *p == ',' || *p == ';')
            return false;
    return true;
}

static bool read_num(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* The date formats the spec lists for dateOfBirth, and full ISO timestamps; out "YYYY-MM-DD". */
static bool parse_birth_date(const char *s, char out[11])
{
    int y, m, d;
    size_t len = strlen(s);
    bool ok = false;
    if (len >= 10 && strchr("/-._", s[4]) && s[7] == s[4])
        ok = read_num(s, 4, &y) && read_num(s + 5, 2, &m) && read_num(s + 8, 2, &d) &&
             (len == 10 || (s[4] == '-' && s[10] == 'T'));
    else if (len == 10 && strchr("/-._", s[2]) && s[5] == s[2])
        ok = read_num(s, 2, &m) && read_num(s + 3, 2, &d) && read_num(s + 6, 4, &y);
    if (!ok || y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return true;
}

static int parse_string_field(json_t *fields, json_t *clear, const char *key, const json_t *v,
                              sbx_ghl_fail *f)
{
    if (json_is_null(v))
        return json_array_append_new(clear, json_string(key)) == 0 ? 0 : ERR_NOMEM;
    if (!json_is_string(v))
        return sbx_ghl_fail_set(f, 422, "%s must be a string", key);
    const char *s = json_string_value(v);
    char norm[512];
    if (strcmp(key, "email") == 0) {
        sbx_ghl_norm_email(s, norm, sizeof(norm));
        if (*norm && !valid_email(norm))
            return sbx_ghl_fail_set(f, 422, "email must be an email");
    } else if (strcmp(key, "phone") == 0) {
        sbx_ghl_norm_phone(s, norm, sizeof(norm));
    } else {
        snprintf(norm, sizeof(norm), "%s", s);
    }
    if (!*norm)
        return json_array_append_new(clear, json_string(key)) == 0 ? 0 : ERR_NOMEM;
    return json_object_set_new(fields, key, json_string(norm)) == 0 ? 0 : ERR_NOMEM;
}

static int parse_name(json_t *fields, const json_t *body, sbx_ghl_fail *f)
{
    const json_t *v = json_object_get(body, "name");
    if (!v || json_is_null(v) || json_object_get(body, "firstName") ||
        json_object_get(body, "lastName"))
        return 0;
    if (!json_is_string(v))
        return sbx_ghl_fail_set(f, 422, "name must be a string");
    char tmp[256];
    snprintf(tmp, sizeof(tmp), "%s", json_string_value(v));
    char *first = tmp;
    while (isspace((unsigned char)*first))
        first++;
    char *sp = strchr(first, ' ');
    if (sp) {
        *sp = '\0';
        char *last = sp + 1;
        while (isspace((unsigned char)*last))
            last++;
        if (*last)
            json_object_set_new(fields, "lastName", json_string(last));
    }
    if (*first)
        json_object_set_new(fields, "firstName", json_string(first));
    return 0;
}

static int check_dnd_setting(const json_t *s, const char *name, bool inbound, sbx_ghl_fail *f)
{
    const char *status = jsonx_str(s, "status");
    bool ok = status && (strcmp(status, "active") == 0 || strcmp(status, "inactive") == 0 ||
                         (!inbound && strcmp(status, "permanent") == 0));
    if (!json_is_object(s) || !ok)
        return sbx_ghl_fail_set(f, 422, "%s.status must be one of the following values: %s", name,
                                inbound ? "active, inactive" : "active, inactive, permanent");
    const json_t *m = json_object_get(s, "message"), *c = json_object_get(s, "code");
    if ((m && !json_is_string(m)) || (c && !json_is_string(c)))
        return sbx_ghl_fail_set(f, 422, "%s.message and code must be strings", name);
    return 0;
}

static int parse_dnd(json_t *fields, const json_t *body, sbx_ghl_fail *f)
{
    json_t *v = json_object_get(body, "dnd");
    if (v && !json_is_boolean(v))
        return sbx_ghl_fail_set(f, 422, "dnd must be a boolean value");
    if (v)
        json_object_set(fields, "dnd", v);
    v = json_object_get(body, "dndSettings");
    if (v && !json_is_null(v)) {
        if (!json_is_object(v))
            return sbx_ghl_fail_set(f, 422, "dndSettings must be an object");
        json_t *keep = json_object();
        for (size_t i = 0; i < PS_ARRAY_LEN(DND_CHANNELS); i++) {
            json_t *s = json_object_get(v, DND_CHANNELS[i]);
            if (!s)
                continue;
            if (check_dnd_setting(s, DND_CHANNELS[i], false, f) != 0) {
                json_decref(keep);
                return ERR_INVALID;
            }
            json_object_set(keep, DND_CHANNELS[i], s);
        }
        json_object_set_new(fields, "dndSettings", keep);
    }
    v = json_object_get(body, "inboundDndSettings");
    if (v && !json_is_null(v)) {
        const json_t *all = json_object_get(v, "all");
        if (!json_is_object(v) ||
            (all && check_dnd_setting(all, "inboundDndSettings.all", true, f) != 0))
            return f->status ? ERR_INVALID
                             : sbx_ghl_fail_set(f, 422, "inboundDndSettings must be an object");
        json_object_set_new(fields, "inboundDndSettings",
                            all ? json_pack("{s:O}", "all", all) : json_object());
    }
    return 0;
}

static int parse_tags(json_t *patch, const json_t *v, sbx_ghl_fail *f)
{
    if (!json_is_array(v))
        return sbx_ghl_fail_set(f, 422, "tags must be an array");
    json_t *tags = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(v, i, t)
    {
        char norm[256];
        if (!json_is_string(t)) {
            json_decref(tags);
            return sbx_ghl_fail_set(f, 422, "each value in tags must be a string");
        }
        sbx_ghl_norm_tag(json_string_value(t), norm, sizeof(norm));
        if (*norm && !jsonx_array_has_str(tags, norm))
            json_array_append_new(tags, json_string(norm));
    }
    json_object_set_new(patch, "tags", tags);
    return 0;
}

/* One custom field value, as the field's data type stores it: text (numbers written as text,
 * since the API reads every value back as a string), or a list for the multi-value types. */
static int custom_value(json_t **out, const json_t *def, json_t *v, sbx_ghl_fail *f)
{
    const char *type = jsonx_str(def, "dataType");
    bool multi = type && (strcmp(type, "CHECKBOX") == 0 || strcmp(type, "MULTIPLE_OPTIONS") == 0);
    char num[64];
    if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v))) {
        *out = json_null();
    } else if (json_is_string(v)) {
        *out = multi ? json_pack("[s]", json_string_value(v)) : json_incref(v);
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        *out = json_string(num);
    } else if (json_is_real(v)) {
        snprintf(num, sizeof(num), "%.15g", json_real_value(v));
        *out = json_string(num);
    } else if (multi && json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (!json_is_string(json_array_get(v, i)))
                return sbx_ghl_fail_set(f, 422, "customFields: each value of %s must be a string",
                                        jsonx_str(def, "fieldKey"));
        *out = json_incref(v);
    } else {
        return sbx_ghl_fail_set(f, 422, "customFields: value of %s must be a string",
                                jsonx_str(def, "fieldKey"));
    }
    return 0;
}

static int parse_custom(json_t *patch, const json_t *v, const sbx_ghl_location *loc,
                        sbx_ghl_fail *f)
{
    if (!json_is_array(v))
        return sbx_ghl_fail_set(f, 422, "customFields must be an array");
    json_t *custom = json_object();
    json_object_set_new(patch, "custom", custom);
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        if (!json_is_object(item))
            return sbx_ghl_fail_set(f, 422, "each value in customFields must be an object");
        const char *ref = jsonx_str(item, "id");
        if (!ref || !*ref)
            ref = jsonx_str(item, "key");
        if (!ref)
            return sbx_ghl_fail_set(f, 422, "customFields: pass either id or key of custom field");
        /* HighLevel ignores fields it does not know; so does the emulator. */
        const json_t *def = sbx_ghl_field_find(loc, ref);
        if (!def)
            continue;
        json_t *val = json_object_get(item, "field_value");
        if (!val)
            val = json_object_get(item, "value");
        json_t *stored = NULL;
        if (custom_value(&stored, def, val, f) != 0)
            return ERR_INVALID;
        json_object_set_new(custom, jsonx_str(def, "id"), stored);
    }
    return 0;
}

static int parse_fields(json_t *patch, const json_t *body, sbx_ghl_fail *f)
{
    json_t *fields = json_object_get(patch, "fields");
    json_t *clear = json_object_get(patch, "clear");
    for (size_t i = 0; i < PS_ARRAY_LEN(STRING_FIELDS); i++) {
        const json_t *v = json_object_get(body, STRING_FIELDS[i]);
        if (v && parse_string_field(fields, clear, STRING_FIELDS[i], v, f) != 0)
            return ERR_INVALID;
    }
    const json_t *dob = json_object_get(body, "dateOfBirth");
    char date[11];
    if (json_is_null(dob)) {
        json_array_append_new(clear, json_string("dateOfBirth"));
    } else if (dob) {
        if (!json_is_string(dob) || !parse_birth_date(json_string_value(dob), date))
            return sbx_ghl_fail_set(f, 422, "dateOfBirth must be a valid date");
        json_object_set_new(fields, "dateOfBirth", json_string(date));
    }
    if (parse_name(fields, body, f) != 0 || parse_dnd(fields, body, f) != 0)
        return ERR_INVALID;
    return 0;
}

int sbx_ghl_contact_patch_parse(json_t **out, const json_t *body, const sbx_ghl_location *loc,
                                int mode, sbx_ghl_fail *f)
{
    if (!json_is_object(body))
        return sbx_ghl_fail_set(f, 400, "request body must be a JSON object");
    json_t *patch = json_pack("{s:o, s:o}", "fields", json_object(), "clear", json_array());
    if (!patch)
        return sbx_ghl_fail_set(f, 500, "out of memory");
    int rc = parse_fields(patch, body, f);
    const json_t *v = json_object_get(body, "tags");
    if (rc == 0 && v && !json_is_null(v))
        rc = parse_tags(patch, v, f);
    v = json_object_get(body, "customFields");
    if (rc == 0 && v && !json_is_null(v))
        rc = parse_custom(patch, v, loc, f);
    v = json_object_get(body, "createNewIfDuplicateAllowed");
    if (rc == 0 && v && !json_is_boolean(v))
        rc = sbx_ghl_fail_set(f, 422, "createNewIfDuplicateAllowed must be a boolean value");
    if (rc == 0 && (mode & SBX_GHL_IN_UPSERT))
        json_object_set_new(patch, "createNewIfDuplicateAllowed", json_boolean(json_is_true(v)));
    if (rc != 0) {
        json_decref(patch);
        return ERR_INVALID;
    }
    *out = patch;
    return 0;
}

static bool tags_equal(const json_t *a, const json_t *b)
{
    if (json_array_size(a) != json_array_size(b))
        return false;
    for (size_t i = 0; i < json_array_size(a); i++)
        if (!jsonx_array_has_str(b, json_string_value(json_array_get(a, i))))
            return false;
    return true;
}

void sbx_ghl_contact_patch_apply(sbx_ghl_contact *c, const json_t *patch, sbx_ghl_change *out)
{
    *out = (sbx_ghl_change){0};
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(patch, "fields"), k, v)
    {
        if (!json_equal(json_object_get(c->f, k), v)) {
            json_object_set(c->f, k, v);
            out->fields = true;
            out->dnd |= strncmp(k, "dnd", 3) == 0;
        }
    }
    size_t i;
    json_array_foreach(json_object_get(patch, "clear"), i, v)
    {
        if (json_object_del(c->f, json_string_value(v)) == 0)
            out->fields = true;
    }
    json_t *tags = json_object_get(patch, "tags");
    if (tags && !tags_equal(tags, c->tags)) {
        json_decref(c->tags);
        c->tags = json_deep_copy(tags);
        out->tags = true;
    }
    json_object_foreach(json_object_get(patch, "custom"), k, v)
    {
        if (json_is_null(v)) {
            if (json_object_del(c->custom, k) == 0)
                out->fields = true;
        } else if (!json_equal(json_object_get(c->custom, k), v)) {
            json_object_set(c->custom, k, v);
            out->fields = true;
        }
    }
}

static void lower_into(json_t *j, const char *key, const char *s)
{
    char low[512];
    size_t n = 0;
    for (; *s && n + 1 < sizeof(low); s++)
        low[n++] = (char)tolower((unsigned char)*s);
    low[n] = '\0';
    json_object_set_new(j, key, json_string(low));
}

static void add_names(json_t *j, const sbx_ghl_contact *c)
{
    const char *first = jsonx_str(c->f, "firstName");
    const char *last = jsonx_str(c->f, "lastName");
    if (first) {
        json_object_set_new(j, "firstName", json_string(first));
        lower_into(j, "firstNameLowerCase", first);
    }
    if (last) {
        json_object_set_new(j, "lastName", json_string(last));
        lower_into(j, "lastNameLowerCase", last);
    }
    if (first || last) {
        char full[512];
        snprintf(full, sizeof(full), "%s%s%s", first ? first : "", first && last ? " " : "",
                 last ? last : "");
        json_object_set_new(j, "name", json_string(full));
        lower_into(j, "fullNameLowerCase", full);
    }
}

json_t *sbx_ghl_contact_json(const sbx_ghl_contact *c)
{
    json_t *j = json_object();
    char iso[CLOCK_ISO_LEN];
    json_object_set_new(j, "id", json_string(c->id));
    json_object_set_new(j, "locationId", json_string(c->loc->id));
    add_names(j, c);
    for (size_t i = 2; i < PS_ARRAY_LEN(STRING_FIELDS); i++) {
        const char *v = jsonx_str(c->f, STRING_FIELDS[i]);
        if (v)
            json_object_set_new(j, STRING_FIELDS[i], json_string(v));
    }
    const char *email = jsonx_str(c->f, "email");
    if (email)
        json_object_set_new(j, "emailLowerCase", json_string(email));
    const char *dob = jsonx_str(c->f, "dateOfBirth");
    if (dob) {
        char full[40];
        snprintf(full, sizeof(full), "%sT00:00:00.000Z", dob);
        json_object_set_new(j, "dateOfBirth", json_string(full));
    }
    json_object_set_new(j, "dnd", json_boolean(jsonx_bool(c->f, "dnd", false)));
    if (json_object_get(c->f, "dndSettings"))
        json_object_set(j, "dndSettings", json_object_get(c->f, "dndSettings"));
    if (json_object_get(c->f, "inboundDndSettings"))
        json_object_set(j, "inboundDndSettings", json_object_get(c->f, "inboundDndSettings"));
    json_object_set_new(j, "type", json_string("lead"));
    json_object_set_new(j, "tags", json_deep_copy(c->tags));
    json_t *cf = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(c->custom, k, v)
        json_array_append_new(cf, json_pack("{s:s, s:O}", "id", k, "value", v));
    json_object_set_new(j, "customFields", cf);
    sbx_ghl_iso(c->added_ms, iso);
    json_object_set_new(j, "dateAdded", json_string(iso));
    sbx_ghl_iso(c->updated_ms, iso);
    json_object_set_new(j, "dateUpdated", json_string(iso));
    json_object_set_new(j, "followers", json_array());
    return j;
}
