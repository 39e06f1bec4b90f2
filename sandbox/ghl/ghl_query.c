/* ghl_query.c: the search body of POST /contacts/search (filters with eq, not_eq, contains,
 * not_contains, exists, not_exists, range; AND/OR groups; sort; page or searchAfter), parsed and
 * matched against contacts. */
#include "sandbox/ghl/ghl_query.h"

#include <ctype.h>

typedef enum ftype { FT_STR, FT_EMAIL, FT_PHONE, FT_DATE, FT_BOOL, FT_TAGS } ftype;

typedef struct fdef {
    const char *name;
    const char *src; /* stored field; "$id", "$name" are computed */
    ftype type;
    bool sortable;
} fdef;

static const fdef FIELDS[] = {
    {"id", "$id", FT_STR, false},
    {"email", "email", FT_EMAIL, true},
    {"phone", "phone", FT_PHONE, false},
    {"firstName", "firstName", FT_STR, true},
    {"lastName", "lastName", FT_STR, true},
    {"firstNameLowerCase", "firstName", FT_STR, true},
    {"lastNameLowerCase", "lastName", FT_STR, true},
    {"fullNameLowerCase", "$name", FT_STR, true},
    {"companyName", "companyName", FT_STR, true},
    {"businessName", "companyName", FT_STR, true},
    {"businessId", "businessId", FT_STR, false},
    {"address", "address1", FT_STR, false},
    {"address1", "address1", FT_STR, false},
    {"city", "city", FT_STR, false},
    {"state", "state", FT_STR, false},
    {"country", "country", FT_STR, false},
    {"postalCode", "postalCode", FT_STR, false},
    {"source", "source", FT_STR, false},
    {"assignedTo", "assignedTo", FT_STR, false},
    {"timezone", "timezone", FT_STR, false},
    {"website", "website", FT_STR, false},
    {"dnd", "dnd", FT_BOOL, false},
    {"tags", "tags", FT_TAGS, false},
    {"dateAdded", "dateAdded", FT_DATE, true},
    {"dateUpdated", "dateUpdated", FT_DATE, true},
};

static const fdef CUSTOM_FIELD = {"customFields", "$custom", FT_STR, false};

static const fdef *field_def(const char *name)
{
    for (size_t i = 0; i < PS_ARRAY_LEN(FIELDS); i++)
        if (strcmp(FIELDS[i].name, name) == 0)
            return &FIELDS[i];
    if (strncmp(name, "customFields.", 13) == 0 && name[13])
        return &CUSTOM_FIELD;
    return NULL;
}

/* The contact's value for a field, a new reference; NULL when it has none. */
static json_t *field_value(const sbx_ghl_contact *c, const fdef *d, const char *name)
{
    if (!d)
        return NULL; /* parsing refuses unknown fields; this keeps the compiler sure of it */
    if (d->type == FT_DATE)
        return json_integer(strcmp(d->src, "dateAdded") == 0 ? c->added_ms : c->updated_ms);
    if (d->type == FT_BOOL)
        return json_boolean(jsonx_bool(c->f, d->src, false));
    if (d->type == FT_TAGS)
        return json_array_size(c->tags) ? json_incref(c->tags) : NULL;
    if (strcmp(d->src, "$id") == 0)
        return json_string(c->id);
    if (strcmp(d->src, "$custom") == 0) {
        json_t *v = json_object_get(c->custom, name + 13);
        if (!v) {
            const json_t *def = sbx_ghl_field_find(c->loc, name + 13);
            v = def ? json_object_get(c->custom, jsonx_str(def, "id")) : NULL;
        }
        return v ? json_incref(v) : NULL;
    }
    if (strcmp(d->src, "$name") == 0) {
        const char *first = jsonx_str(c->f, "firstName"), *last = jsonx_str(c->f, "lastName");
        if (!first && !last)
            return NULL;
        char full[512];
        snprintf(full, sizeof(full), "%s%s%s", first ? first : "", first && last ? " " : "",
                 last ? last : "");
        return json_string(full);
    }
    json_t *v = json_object_get(c->f, d->src);
    return v ? json_incref(v) : NULL;
}

/* ---- parsing ---- */

static int bound_ms(json_t *range, const char *key, sbx_ghl_fail *f)
{
    json_t *v = json_object_get(range, key);
    int64_t ms;
    if (!v)
        return 0;
    if (json_is_integer(v))
        return 0;
    if (json_is_real(v)) {
        /* A timestamp in ms fits far inside +-2^62; anything else is not a date. */
        double d = json_real_value(v);
        if (!(d > -4.6e18 && d < 4.6e18))
            return sbx_ghl_fail_set(f, 400, "range %s must be a date or a timestamp", key);
        return json_object_set_new(range, key, json_integer((json_int_t)d));
    }
    err e = {0};
    if (!json_is_string(v) || clock_parse_iso(&ms, json_string_value(v), &e) != 0)
        return sbx_ghl_fail_set(f, 400, "range %s must be a date or a timestamp", key);
    return json_object_set_new(range, key, json_integer(ms));
}

static int check_value(json_t *flt, const fdef *d, const char *field, const char *op,
                       sbx_ghl_fail *f)
{
    json_t *v = json_object_get(flt, "value");
    if (strcmp(op, "exists") == 0 || strcmp(op, "not_exists") == 0)
        return 0;
    if (strcmp(op, "range") == 0) {
        if (d->type != FT_DATE)
            return sbx_ghl_fail_set(f, 400, "operator range is not supported for field %s", field);
        if (!json_is_object(v) || !(json_object_get(v, "gt") || json_object_get(v, "gte") ||
                                    json_object_get(v, "lt") || json_object_get(v, "lte")))
            return sbx_ghl_fail_set(f, 400, "range needs gt, gte, lt or lte");
        const char *keys[] = {"gt", "gte", "lt", "lte"};
        for (size_t i = 0; i < 4; i++)
            if (bound_ms(v, keys[i], f) != 0)
                return ERR_INVALID;
        return 0;
    }
    bool contains = strstr(op, "contains") != NULL;
    if (contains && (!json_is_string(v) || d->type == FT_DATE || d->type == FT_BOOL))
        return sbx_ghl_fail_set(f, 400, "operator %s needs a string value for field %s", op, field);
    if (!contains && !(json_is_string(v) || json_is_number(v) || json_is_boolean(v) ||
                       (d->type == FT_TAGS && json_is_array(v))))
        return sbx_ghl_fail_set(f, 400, "filter on %s needs a value", field);
    if (json_is_string(v) && strlen(json_string_value(v)) > 75)
        return sbx_ghl_fail_set(f, 400, "filter value must be shorter than 75 characters");
    if (d->type == FT_DATE && json_is_string(v)) {
        int64_t ms;
        err e = {0};
        if (clock_parse_iso(&ms, json_string_value(v), &e) != 0)
            return sbx_ghl_fail_set(f, 400, "filter on %s needs a date", field);
        json_object_set_new(flt, "value", json_integer(ms));
    }
    return 0;
}

static int check_filters(json_t *filters, int depth, sbx_ghl_fail *f);

static int check_filter(json_t *flt, int depth, sbx_ghl_fail *f)
{
    static const char *const OPS[] = {"eq",     "not_eq",     "contains", "not_contains",
                                      "exists", "not_exists", "range"};
    if (!json_is_object(flt))
        return sbx_ghl_fail_set(f, 400, "each filter must be an object");
    const char *group = jsonx_str(flt, "group");
    if (group) {
        if (strcmp(group, "AND") != 0 && strcmp(group, "OR") != 0)
            return sbx_ghl_fail_set(f, 400, "group must be AND or OR");
        return check_filters(json_object_get(flt, "filters"), depth + 1, f);
    }
    const char *field = jsonx_str(flt, "field"), *op = jsonx_str(flt, "operator");
    const fdef *d = field ? field_def(field) : NULL;
    if (!d)
        return sbx_ghl_fail_set(f, 400, "filter field %s is not supported",
                                field ? field : "(none)");
    bool known = false;
    for (size_t i = 0; op && i < PS_ARRAY_LEN(OPS); i++)
        known |= strcmp(op, OPS[i]) == 0;
    if (!known)
        return sbx_ghl_fail_set(f, 400, "filter operator %s is not supported", op ? op : "(none)");
    return check_value(flt, d, field, op, f);
}

static int check_filters(json_t *filters, int depth, sbx_ghl_fail *f)
{
    if (!json_is_array(filters))
        return sbx_ghl_fail_set(f, 400, "filters must be an array");
    if (depth > 4 || json_array_size(filters) > 100)
        return sbx_ghl_fail_set(f, 400, "too many filters or groups nested too deep");
    size_t i;
    json_t *x;
    json_array_foreach(filters, i, x)
    {
        if (check_filter(x, depth, f) != 0)
            return ERR_INVALID;
    }
    return 0;
}

static int parse_sort(sbx_ghl_search *s, const json_t *sort, sbx_ghl_fail *f)
{
    if (!sort || json_is_null(sort)) {
        snprintf(s->sort[0].field, sizeof(s->sort[0].field), "dateAdded");
        s->sort[0].desc = true;
        s->n_sort = 1;
        return 0;
    }
    if (!json_is_array(sort) || json_array_size(sort) > SBX_GHL_SEARCH_MAX_SORT)
        return sbx_ghl_fail_set(f, 400, "sort must be an array of up to %d items",
                                SBX_GHL_SEARCH_MAX_SORT);
    size_t i;
    json_t *x;
    json_array_foreach(sort, i, x)
    {
        const char *field = jsonx_str(x, "field"), *dir = jsonx_str(x, "direction");
        const fdef *d = field ? field_def(field) : NULL;
        if (!d || !d->sortable)
            return sbx_ghl_fail_set(f, 400, "sort field %s is not supported", field ? field : "");
        if (dir && strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0)
            return sbx_ghl_fail_set(f, 400, "sort direction must be asc or desc");
        snprintf(s->sort[i].field, sizeof(s->sort[i].field), "%s", field);
        s->sort[i].desc = dir && strcmp(dir, "desc") == 0;
    }
    s->n_sort = json_array_size(sort);
    return 0;
}

static int parse_paging(sbx_ghl_search *s, const json_t *body, sbx_ghl_fail *f)
{
    const json_t *page = json_object_get(body, "page"), *lim = json_object_get(body, "pageLimit");
    if ((page && !json_is_integer(page)) || (lim && !json_is_integer(lim)))
        return sbx_ghl_fail_set(f, 400, "page and pageLimit must be integers");
    s->page = page ? json_integer_value(page) : 1;
    s->limit = lim ? json_integer_value(lim) : 20;
    if (s->limit < 1 || s->limit > SBX_GHL_SEARCH_MAX_LIMIT)
        return sbx_ghl_fail_set(f, 400, "pageLimit must be between 1 and %d",
                                SBX_GHL_SEARCH_MAX_LIMIT);
    if (s->page < 1 || s->page > SBX_GHL_SEARCH_MAX_WINDOW)
        return sbx_ghl_fail_set(f, 400, "page must be between 1 and %d", SBX_GHL_SEARCH_MAX_WINDOW);
    json_t *after = json_object_get(body, "searchAfter");
    if (after && !json_is_null(after)) {
        if (!json_is_array(after) || json_array_size(after) != s->n_sort + 1)
            return sbx_ghl_fail_set(f, 400, "searchAfter must be the searchAfter of a result");
        if (s->page > 1)
            return sbx_ghl_fail_set(f, 400, "page cannot be used with searchAfter");
        s->search_after = json_incref(after);
    } else if (s->page * s->limit > SBX_GHL_SEARCH_MAX_WINDOW) {
        return sbx_ghl_fail_set(f, 400, "page and pageLimit reach past %d records: use searchAfter",
                                SBX_GHL_SEARCH_MAX_WINDOW);
    }
    return 0;
}

int sbx_ghl_search_parse(sbx_ghl_search **out, const json_t *body, sbx_ghl_fail *f)
{
    if (!json_is_object(body))
        return sbx_ghl_fail_set(f, 400, "request body must be a JSON object");
    sbx_ghl_search *s = calloc(1, sizeof(*s));
    if (!s)
        return sbx_ghl_fail_set(f, 500, "out of memory");
    const char *loc = jsonx_str(body, "locationId");
    const char *q = jsonx_str(body, "query");
    snprintf(s->location_id, sizeof(s->location_id), "%s", loc ? loc : "");
    int rc = 0;
    if (q && strlen(q) > 75)
        rc = sbx_ghl_fail_set(f, 400, "query must be shorter than 75 characters");
    snprintf(s->query, sizeof(s->query), "%s", q ? q : "");
    json_t *filters = json_object_get(body, "filters");
    s->filters = filters && !json_is_null(filters) ? json_deep_copy(filters) : json_array();
    if (rc == 0)
        rc = check_filters(s->filters, 0, f);
    if (rc == 0)
        rc = parse_sort(s, json_object_get(body, "sort"), f);
    if (rc == 0)
        rc = parse_paging(s, body, f);
    if (rc != 0) {
        sbx_ghl_search_free(s);
        return ERR_INVALID;
    }
    *out = s;
    return 0;
}

void sbx_ghl_search_free(sbx_ghl_search *s)
{
    if (!s)
        return;
    json_decref(s->filters);
    json_decref(s->search_after);
    free(s);
}

/* ---- matching ---- */

static bool str_eq(const fdef *d, const char *have, const char *want)
{
    if (d->type == FT_PHONE) {
        char a[64], b[64];
        sbx_ghl_phone_digits(have, a, sizeof(a));
        sbx_ghl_phone_digits(want, b, sizeof(b));
        return *a && strcmp(a, b) == 0;
    }
    char w[256];
    sbx_ghl_norm_email(want, w, sizeof(w)); /* trim and lower-case: search is case-insensitive */
    return strcasecmp(have, w) == 0;
}

static bool value_eq(const fdef *d, const json_t *have, const json_t *want)
{
    if (!have)
        return false;
    if (d->type == FT_TAGS) {
        /* Tags match when the contact has any of the tags asked for. */
        if (json_is_string(want)) {
            char t[256];
            sbx_ghl_norm_tag(json_string_value(want), t, sizeof(t));
            return jsonx_array_has_str(have, t);
        }
        size_t i;
        json_t *x;
        json_array_foreach(want, i, x)
        {
            char t[256];
            sbx_ghl_norm_tag(json_is_string(x) ? json_string_value(x) : "", t, sizeof(t));
            if (*t && jsonx_array_has_str(have, t))
                return true;
        }
        return false;
    }
    if (json_is_string(have) && json_is_string(want))
        return str_eq(d, json_string_value(have), json_string_value(want));
    if (json_is_number(have) && json_is_number(want))
        return json_number_value(have) == json_number_value(want);
    if (json_is_boolean(have) && json_is_boolean(want))
        return json_is_true(have) == json_is_true(want);
    if (json_is_string(have) && json_is_number(want)) {
        char num[64];
        snprintf(num, sizeof(num), "%.15g", json_number_value(want));
        return strcmp(json_string_value(have), num) == 0;
    }
    return false;
}

static bool value_contains(const json_t *have, const char *want)
{
    if (json_is_string(have))
        return sbx_ghl_contains_ci(json_string_value(have), want);
    size_t i;
    json_t *x;
    json_array_foreach(have, i, x)
    {
        if (json_is_string(x) && sbx_ghl_contains_ci(json_string_value(x), want))
            return true;
    }
    return false;
}

static bool in_range(const json_t *have, const json_t *r)
{
    if (!json_is_integer(have))
        return false;
    int64_t v = json_integer_value(have);
    json_t *b;
    if ((b = json_object_get(r, "gt")) && !(v > json_integer_value(b)))
        return false;
    if ((b = json_object_get(r, "gte")) && !(v >= json_integer_value(b)))
        return false;
    if ((b = json_object_get(r, "lt")) && !(v < json_integer_value(b)))
        return false;
    if ((b = json_object_get(r, "lte")) && !(v <= json_integer_value(b)))
        return false;
    return true;
}

static bool has_value(const json_t *v)
{
    return v && !(json_is_string(v) && !*json_string_value(v)) &&
           !(json_is_array(v) && json_array_size(v) == 0);
}

static bool match_filters(const json_t *filters, const sbx_ghl_contact *c, bool any);

static bool match_one(const json_t *flt, const sbx_ghl_contact *c)
{
    const char *group = jsonx_str(flt, "group");
    if (group)
        return match_filters(json_object_get(flt, "filters"), c, strcmp(group, "OR") == 0);
    const char *field = jsonx_str(flt, "field"), *op = jsonx_str(flt, "operator");
    const fdef *d = field_def(field);
    if (!d)
        return false;
    json_t *have = field_value(c, d, field);
    json_t *want = json_object_get(flt, "value");
    bool r;
    if (strcmp(op, "exists") == 0 || strcmp(op, "not_exists") == 0)
        r = has_value(have) == (strcmp(op, "exists") == 0);
    else if (strcmp(op, "range") == 0)
        r = in_range(have, want);
    else if (strstr(op, "contains"))
        r = (have && value_contains(have, json_string_value(want))) == (op[0] == 'c');
    else
        r = value_eq(d, have, want) == (op[0] == 'e');
    json_decref(have);
    return r;
}

static bool match_filters(const json_t *filters, const sbx_ghl_contact *c, bool any)
{
    size_t i;
    json_t *x;
    if (json_array_size(filters) == 0)
        return true;
    json_array_foreach(filters, i, x)
    {
        if (match_one(x, c) == any)
            return any;
    }
    return !any;
}

static bool match_query(const sbx_ghl_contact *c, const char *q)
{
    static const char *const KEYS[] = {"firstName", "lastName", "email", "companyName"};
    if (!*q)
        return true;
    for (size_t i = 0; i < PS_ARRAY_LEN(KEYS); i++) {
        const char *v = jsonx_str(c->f, KEYS[i]);
        if (v && sbx_ghl_contains_ci(v, q))
            return true;
    }
    const fdef *name = field_def("fullNameLowerCase");
    json_t *full = field_value(c, name, "fullNameLowerCase");
    bool hit = full && sbx_ghl_contains_ci(json_string_value(full), q);
    json_decref(full);
    const char *phone = jsonx_str(c->f, "phone");
    char qd[64], pd[64];
    sbx_ghl_phone_digits(q, qd, sizeof(qd));
    sbx_ghl_phone_digits(phone ? phone : "", pd, sizeof(pd));
    if (strlen(qd) >= 4 && strstr(pd, qd))
        hit = true;
    return hit || value_contains(c->tags, q);
}

bool sbx_ghl_search_match(const sbx_ghl_search *s, const sbx_ghl_contact *c)
{
    return match_query(c, s->query) && match_filters(s->filters, c, false);
}

bool sbx_ghl_text_match(const sbx_ghl_contact *c, const char *query)
{
    return match_query(c, query ? query : "");
}

json_t *sbx_ghl_search_keys(const sbx_ghl_search *s, const sbx_ghl_contact *c)
{
    json_t *keys = json_array();
    for (size_t i = 0; i < s->n_sort; i++) {
        const fdef *d = field_def(s->sort[i].field);
        json_t *v = field_value(c, d, s->sort[i].field);
        json_array_append_new(keys, v ? v : json_string(""));
    }
    json_array_append_new(keys, json_string(c->id));
    return keys;
}

static int cmp_value(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        return x < y ? -1 : x > y;
    }
    const char *x = json_is_string(a) ? json_string_value(a) : "";
    const char *y = json_is_string(b) ? json_string_value(b) : "";
    int r = strcasecmp(x, y);
    return r ? r : strcmp(x, y);
}

int sbx_ghl_search_cmp(const sbx_ghl_search *s, const json_t *a, const json_t *b)
{
    for (size_t i = 0; i <= s->n_sort; i++) {
        int r = cmp_value(json_array_get(a, i), json_array_get(b, i));
        if (r)
            return i < s->n_sort && s->sort[i].desc ? -r : r;
    }
    return 0;
}
