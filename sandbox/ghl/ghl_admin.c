/* ghl_admin.c: the HighLevel emulator's admin routes under /_sandbox/: state, settings,
 * locations, OAuth helpers, seeding; and the UI routes that change data as a person in
 * HighLevel's web app would, firing the same webhooks. */
#include "sandbox/ghl/ghl_state.h"

#include "sandbox/gen.h"

/* ---- state and settings ---- */

static void collect_activity(json_t *out, const char *key, const sbx_ghl_contact *c,
                             const json_t *items)
{
    size_t i;
    json_t *x;
    json_array_foreach(items, i, x)
    {
        json_t *copy = json_deep_copy(x);
        json_object_set_new(copy, "locationId", json_string(c->loc->id));
        json_array_append_new(json_object_get(out, key), copy);
    }
}

static json_t *rate_json(sbx_ghl_emu *g)
{
    sbx_ghl_ratelimit_options r;
    sbx_ghl_ratelimit_get(g->rate, &r);
    return json_pack("{s:i, s:i, s:i}", "max_per_interval", r.max_per_interval, "interval_ms",
                     r.interval_ms, "max_daily", r.max_daily);
}

static void h_state(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    json_t *out = json_pack("{s:[], s:[], s:[], s:[], s:[]}", "locations", "contacts", "tasks",
                            "notes", "appointments");
    for (size_t i = 0; i < g->n_locs; i++)
        json_array_append_new(json_object_get(out, "locations"), sbx_ghl_location_json(g->locs[i]));
    for (size_t i = 0; i < g->n_contacts; i++) {
        const sbx_ghl_contact *c = g->contacts[i];
        json_array_append_new(json_object_get(out, "contacts"), sbx_ghl_contact_json(c));
        collect_activity(out, "tasks", c, c->tasks);
        collect_activity(out, "notes", c, c->notes);
        collect_activity(out, "appointments", c, c->appts);
    }
    json_object_set_new(out, "webhook_url",
                        g->webhook_url ? json_string(g->webhook_url) : json_null());
    json_object_set_new(out, "rate", rate_json(g));
    http_response_json(res, 200, out);
}

static int apply_rate(sbx_ghl_emu *g, const json_t *rate, http_response *res)
{
    static const char *const KEYS[] = {"max_per_interval", "interval_ms", "max_daily"};
    sbx_ghl_ratelimit_options r;
    sbx_ghl_ratelimit_get(g->rate, &r);
    int *fields[] = {&r.max_per_interval, &r.interval_ms, &r.max_daily};
    if (!json_is_object(rate)) {
        sbx_ghl_reply_error(res, 400, "rate must be an object");
        return ERR_INVALID;
    }
    for (size_t i = 0; i < PS_ARRAY_LEN(KEYS); i++) {
        json_t *v = json_object_get(rate, KEYS[i]);
        if (!v)
            continue;
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > 1000000000) {
            sbx_ghl_reply_error(res, 400, "rate.%s must be a positive integer", KEYS[i]);
            return ERR_INVALID;
        }
        *fields[i] = (int)json_integer_value(v);
    }
    sbx_ghl_ratelimit_set(g->rate, &r);
    return 0;
}

static int apply_settings(sbx_ghl_emu *g, const json_t *body, http_response *res)
{
    const char *loc_id = jsonx_str(body, "location_id");
    sbx_ghl_location *loc = loc_id ? sbx_ghl_location_find(g, loc_id) : g->locs[0];
    json_t *v;
    if (!loc) {
        sbx_ghl_reply_error(res, 400, "no location %s", loc_id);
        return ERR_INVALID;
    }
    if ((v = json_object_get(body, "allowDuplicates")) && !json_is_boolean(v)) {
        sbx_ghl_reply_error(res, 400, "allowDuplicates must be a boolean");
        return ERR_INVALID;
    }
    if ((v = json_object_get(body, "webhook_url")) && !json_is_string(v) && !json_is_null(v)) {
        sbx_ghl_reply_error(res, 400, "webhook_url must be a string or null");
        return ERR_INVALID;
    }
    if ((v = json_object_get(body, "access_ttl_s")) &&
        (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 31536000)) {
        sbx_ghl_reply_error(res, 400, "access_ttl_s must be a whole number of seconds in [1, 31536000]");
        return ERR_INVALID;
    }
    if ((v = json_object_get(body, "rate")) && apply_rate(g, v, res) != 0)
        return ERR_INVALID;
    if ((v = json_object_get(body, "allowDuplicates")))
        loc->allow_duplicates = json_is_true(v);
    if ((v = json_object_get(body, "access_ttl_s")))
        sbx_ghl_auth_set_access_ttl(g->auth, json_integer_value(v));
    if ((v = json_object_get(body, "webhook_url"))) {
        free(g->webhook_url);
        g->webhook_url =
            json_is_string(v) && *json_string_value(v) ? strdup(json_string_value(v)) : NULL;
    }
    return 0;
}

static void h_settings(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    json_t *body = sbx_ghl_body(req, res);
    if (!body)
        return;
    if (apply_settings(g, body, res) == 0) {
        json_t *locs = json_array();
        for (size_t i = 0; i < g->n_locs; i++)
            json_array_append_new(locs, json_pack("{s:s, s:b}", "id", g->locs[i]->id,
                                                  "allowDuplicates", g->locs[i]->allow_duplicates));
        http_response_json(res, 200,
                           json_pack("{s:o, s:o, s:o}", "locations", locs, "webhook_url",
                                     g->webhook_url ? json_string(g->webhook_url) : json_null(),
                                     "rate", rate_json(g)));
    }
    json_decref(body);
}

/* Whether keys is absent or an array of field keys ("customFields" of a new location). */
static bool field_keys_ok(const json_t *keys)
{
    size_t i;
    const json_t *k;
    if (!keys)
        return true;
    if (!json_is_array(keys))
        return false;
    json_array_foreach(keys, i, k)
    {
        if (!json_is_string(k))
            return false;
    }
    return true;
}

/* Keeps only the custom fields whose key is in keys (a location that lacks some of them). */
static void keep_fields(sbx_ghl_location *loc, const json_t *keys)
{
    json_t *kept = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(loc->custom_fields, i, f)
    {
        if (jsonx_array_has_str(keys, jsonx_str(f, "fieldKey")))
            json_array_append(kept, f);
    }
    json_decref(loc->custom_fields);
    loc->custom_fields = kept;
}

static void h_location_add(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    json_t *body = sbx_ghl_body(req, res);
    if (!body)
        return;
    const json_t *keys = json_object_get(body, "customFields");
    if (!field_keys_ok(keys)) {
        sbx_ghl_reply_error(res, 400, "customFields: an array of field keys (\"contact.dietary\")");
        json_decref(body);
        return;
    }
    sbx_ghl_location *loc = NULL;
    err e = {0};
    char pit[256];
    const char *id = jsonx_str(body, "id");
    if (!id)
        id = jsonx_str(body, "location_id");
    int rc = sbx_ghl_location_add(g, id, jsonx_str(body, "name"),
                              jsonx_bool(body, "allowDuplicates", false), &loc, &e);
    if (rc == 0 && keys)
        keep_fields(loc, keys);
    if (rc == 0)
        rc = sbx_ghl_auth_add_location(g->auth, loc->id, loc->name, &e);
    if (rc == 0)
        rc = sbx_ghl_auth_create_pit(g->auth, loc->id,
                                 jsonx_str(body, "scopes") ? jsonx_str(body, "scopes")
                                                           : "contacts.readonly contacts.write "
                                                             "locations/customFields.readonly",
                                 pit, sizeof(pit), &e);
    if (rc != 0) {
        sbx_ghl_reply_error(res, rc == ERR_CONFLICT ? 409 : 400, "%s", e.msg);
    } else {
        json_t *j = sbx_ghl_location_json(loc);
        json_object_set_new(j, "pit", json_string(pit));
        http_response_json(res, 201, j);
    }
    json_decref(body);
}

/* ---- OAuth helpers ---- */

static const char *body_location(sbx_ghl_emu *g, const json_t *body)
{
    const char *id = jsonx_str(body, "location_id");
    return id ? id : g->locs[0]->id;
}

static void h_oauth_code(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    json_t *body = sbx_ghl_body(req, res);
    if (!body)
        return;
    char code[256];
    err e = {0};
    const char *scopes = jsonx_str(body, "scopes");
    const char *redirect = jsonx_str(body, "redirect_uri");
    if (sbx_ghl_auth_issue_code(g->auth, body_location(g, body), scopes ? scopes : "",
                            redirect ? redirect : "", code, sizeof(code), &e) != 0)
        sbx_ghl_reply_error(res, 400, "%s", e.msg);
    else
        http_response_json(res, 200, json_pack("{s:s}", "code", code));
    json_decref(body);
}

static void h_oauth_pit(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    json_t *body = sbx_ghl_body(req, res);
    if (!body)
        return;
    char token[256];
    err e = {0};
    const char *scopes = jsonx_str(body, "scopes");
    if (sbx_ghl_auth_create_pit(g->auth, body_location(g, body), scopes ? scopes : "", token,
                            sizeof(token), &e) != 0)
        sbx_ghl_reply_error(res, 400, "%s", e.msg);
    else
        http_response_json(res, 200, json_pack("{s:s}", "token", token));
    json_decref(body);
}

static void h_oauth_expire(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    sbx_ghl_auth_expire_access_tokens(g->auth);
    http_response_json(res, 200, json_pack("{s:b}", "ok", 1));
}

static void h_oauth_revoke(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    sbx_ghl_auth_revoke_all(g->auth);
    http_response_json(res, 200, json_pack("{s:b}", "ok", 1));
}

static void h_oauth_state(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    json_t *s = sbx_ghl_auth_state(g->auth);
    http_response_json(res, 200, s ? s : json_object());
}

/* ---- seeding ---- */

static json_t *person_fields(const sbx_person *p)
{
    json_t *f = json_pack("{s:s, s:s, s:s, s:s}", "firstName", p->first_name, "lastName",
                          p->last_name, "email", p->email, "source", "sandbox");
    const struct {
        const char *key, *value;
    } opt[] = {
        {"phone", p->phone},       {"companyName", p->organization},
        {"address1", p->address1}, {"city", p->city},
        {"state", p->state},       {"postalCode", p->postal_code},
        {"country", p->country},   {"timezone", p->timezone},
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(opt); i++)
        if (opt[i].value[0])
            json_object_set_new(f, opt[i].key, json_string(opt[i].value));
    return f;
}

static void h_seed(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    json_t *body = sbx_ghl_body(req, res);
    if (!body)
        return;
    int64_t n = jsonx_int(body, "contacts", 0);
    const char *loc = jsonx_str(body, "location_id");
    if (n < 0 || n > 1000000 || (loc && !sbx_ghl_location_find(g, loc))) {
        sbx_ghl_reply_error(res, 400, "contacts must be in [0, 1000000] and location_id known");
        json_decref(body);
        return;
    }
    rng r;
    rng_seed(&r, (uint64_t)jsonx_int(body, "seed", (int64_t)g->svc->seed));
    int64_t created = 0, skipped = 0;
    for (int64_t i = 0; i < n; i++) {
        sbx_person p;
        sbx_gen_person(&r, &p);
        json_t *fields = person_fields(&p);
        err e = {0};
        if (sbx_ghl_emu_seed_locked(g, loc, fields, NULL, 0, &e) == 0)
            created++;
        else
            skipped++; /* the generator drew someone already there: a duplicate */
        json_decref(fields);
    }
    http_response_json(
        res, 200,
        json_pack("{s:I, s:I}", "created", (json_int_t)created, "skipped", (json_int_t)skipped));
    json_decref(body);
}

#define OAUTH "/_sandbox/oauth"

const sbx_ghl_route sbx_ghl_admin_routes[] = {
    {"GET", "/_sandbox/state", "admin-state", h_state, NULL},
    {"PUT", "/_sandbox/settings", "admin-settings", h_settings, NULL},
    {"POST", "/_sandbox/locations", "admin-add-location", h_location_add, NULL},
    {"POST", OAUTH "/code", "admin-oauth-code", h_oauth_code, NULL},
    {"POST", OAUTH "/pit", "admin-oauth-pit", h_oauth_pit, NULL},
    {"POST", OAUTH "/expire", "admin-oauth-expire", h_oauth_expire, NULL},
    {"POST", OAUTH "/revoke", "admin-oauth-revoke", h_oauth_revoke, NULL},
    {"GET", OAUTH "/state", "admin-oauth-state", h_oauth_state, NULL},
    {"POST", "/_sandbox/seed", "admin-seed", h_seed, NULL},
};
const size_t sbx_ghl_admin_routes_n = PS_ARRAY_LEN(sbx_ghl_admin_routes);
