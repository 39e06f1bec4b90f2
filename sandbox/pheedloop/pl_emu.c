/* pl_emu.c: the PheedLoop emulator's state, routes, authentication guard and reply helpers. */
#include "sandbox/pheedloop/pl_internal.h"
#include "util/jsonx.h"
#include "util/log.h"


#define O SBX_PL_API_PREFIX "{org}/"

typedef struct route_def {
    const char *method;
    const char *pattern;
    const char *name;
    sbx_pl_handler fn;
} route_def;

static const route_def api_routes[] = {
    {"GET", O "validateauth/", "pl-validateauth", sbx_pl_h_validateauth},
    {"GET", O "events/", "pl-list-events", sbx_pl_h_events_list},
    {"GET", O "events/{event}/", "pl-get-event", sbx_pl_h_event_get},
    {"PATCH", O "events/{event}/", "pl-update-event", sbx_pl_h_event_patch},
    {"GET", O "events/{event}/attendees/", "pl-list-attendees", sbx_pl_h_attendees_list},
    {"POST", O "events/{event}/attendees/", "pl-create-attendee", sbx_pl_h_attendee_create},
    {"GET", O "events/{event}/attendees/{code}/", "pl-get-attendee", sbx_pl_h_attendee_get},
    {"PATCH", O "events/{event}/attendees/{code}/", "pl-update-attendee", sbx_pl_h_attendee_patch},
    {"DELETE", O "events/{event}/attendees/{code}/", "pl-delete-attendee",
     sbx_pl_h_attendee_delete},
    {"POST", O "events/{event}/attendeesbulk/", "pl-bulk-create-attendees", sbx_pl_h_bulk_create},
    {"PATCH", O "events/{event}/attendeesbulk/", "pl-bulk-update-attendees", sbx_pl_h_bulk_patch},
    {"DELETE", O "events/{event}/attendeesbulk/", "pl-bulk-delete-attendees", sbx_pl_h_bulk_delete},
    {"GET", O "events/{event}/registrations/", "pl-list-registrations", sbx_pl_h_registrations},
    {"GET", O "tickets/", "pl-list-tickets", sbx_pl_h_tickets},
    {"GET", O "events/{event}/attendance/", "pl-attendance", sbx_pl_h_attendance},
    {"POST", O "events/{event}/checkin/", "pl-checkin", sbx_pl_h_checkin},
    {"DELETE", O "events/{event}/checkout/", "pl-checkout", sbx_pl_h_checkout},
    {"GET", O "members/", "pl-list-members", sbx_pl_h_members_list},
    {"POST", O "members/", "pl-create-member", sbx_pl_h_member_create},
    {"GET", O "members/{code}/", "pl-get-member", sbx_pl_h_member_get},
    {"PATCH", O "members/{code}/", "pl-update-member", sbx_pl_h_member_patch},
    {"POST", O "membersbulk/", "pl-bulk-create-members", sbx_pl_h_members_bulk_create},
    {"PATCH", O "membersbulk/", "pl-bulk-update-members", sbx_pl_h_members_bulk_patch},
    {"GET", O "contacttags/", "pl-list-contact-tags", sbx_pl_h_ctags_list},
    {"POST", O "contacttags/", "pl-create-contact-tag", sbx_pl_h_ctag_create},
    {"GET", O "contacttags/{code}/", "pl-get-contact-tag", sbx_pl_h_ctag_get},
    {"PATCH", O "contacttags/{code}/", "pl-update-contact-tag", sbx_pl_h_ctag_patch},
    {"DELETE", O "contacttags/{code}/", "pl-delete-contact-tag", sbx_pl_h_ctag_delete},
    {"GET", O "events/{event}/tags/", "pl-list-event-tags", sbx_pl_h_event_tags},
    {"GET", O "events/{event}/announcements/", "pl-list-announcements", sbx_pl_h_ann_list},
    {"POST", O "events/{event}/announcements/", "pl-create-announcement", sbx_pl_h_ann_create},
    {"GET", O "events/{event}/announcements/{code}/", "pl-get-announcement", sbx_pl_h_ann_get},
    {"PATCH", O "events/{event}/announcements/{code}/", "pl-update-announcement",
     sbx_pl_h_ann_patch},
    {"DELETE", O "events/{event}/announcements/{code}/", "pl-delete-announcement",
     sbx_pl_h_ann_delete},
    {"GET", O "events/{event}/resthooks/", "pl-list-resthooks", sbx_pl_h_hooks_list},
    {"POST", O "events/{event}/resthooks/", "pl-create-resthook", sbx_pl_h_hook_create},
    {"GET", O "events/{event}/resthooks/{id}/", "pl-get-resthook", sbx_pl_h_hook_get},
    {"PUT", O "events/{event}/resthooks/{id}/", "pl-update-resthook", sbx_pl_h_hook_put},
    {"DELETE", O "events/{event}/resthooks/{id}/", "pl-delete-resthook", sbx_pl_h_hook_delete},
};

static const route_def admin_routes[] = {
    {"GET", "/_sandbox/state", "pl-admin-state", sbx_pl_h_admin_state},
    {"POST", "/_sandbox/events", "pl-admin-create-event", sbx_pl_h_admin_event},
    {"POST", "/_sandbox/events/{event}/tags", "pl-admin-create-tag", sbx_pl_h_admin_tag},
    {"POST", "/_sandbox/seed", "pl-admin-seed", sbx_pl_h_admin_seed},
    {"POST", "/_sandbox/ui/events/{event}/register", "pl-ui-register", sbx_pl_h_ui_register},
    {"PATCH", "/_sandbox/ui/events/{event}/attendees/{code}", "pl-ui-update", sbx_pl_h_ui_patch},
    {"DELETE", "/_sandbox/ui/events/{event}/attendees/{code}", "pl-ui-delete", sbx_pl_h_ui_delete},
    {"POST", "/_sandbox/ui/events/{event}/checkin/{code}", "pl-ui-checkin", sbx_pl_h_ui_checkin},
    {"POST", "/_sandbox/ui/events/{event}/checkout/{code}", "pl-ui-checkout", sbx_pl_h_ui_checkout},
    {"POST", "/_sandbox/ui/events/{event}/registrations/{code}/cancel", "pl-ui-cancel",
     sbx_pl_h_ui_cancel},
};

static const char *const all_methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};

/* ---------------------------------------------------------------- replies */

void sbx_pl_reply(http_response *res, int status, json_t *json)
{
    http_response_header(res, "PheedLoop-API-Version", SBX_PL_API_VERSION);
    if (!json) {
        http_response_json(res, 500, json_pack("{ss}", "detail", "A server error occurred."));
        return;
    }
    http_response_json(res, status, json);
}

void sbx_pl_reply_detail(http_response *res, int status, const char *detail)
{
    sbx_pl_reply(res, status, json_pack("{ss}", "detail", detail));
}

void sbx_pl_reply_no_content(http_response *res)
{
    http_response_header(res, "PheedLoop-API-Version", SBX_PL_API_VERSION);
    res->status = 204;
    buf_reset(&res->body);
}

void sbx_pl_reply_field(http_response *res, const char *field, const char *msg)
{
    sbx_pl_reply(res, 400, json_pack("{s[s]}", field, msg));
}

void sbx_pl_add_error(json_t **errors, const char *field, const char *msg)
{
    if (!*errors)
        *errors = json_object();
    if (!*errors)
        return;
    json_t *list = json_object_get(*errors, field);
    if (!list) {
        list = json_array();
        json_object_set_new(*errors, field, list);
    }
    json_array_append_new(list, json_string(msg));
}

int sbx_pl_utf8_cut(const char *s, int max)
{
    int n = 0;
    while (n < max && s[n])
        n++;
    /* Step back over continuation bytes when the next byte continues a character. */
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

const char *sbx_pl_json_type_name(const json_t *j)
{
    /* Python's names, as DRF shows them. */
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "dict";
    case JSON_ARRAY:
        return "list";
    case JSON_STRING:
        return "str";
    case JSON_INTEGER:
        return "int";
    case JSON_REAL:
        return "float";
    case JSON_TRUE:
    case JSON_FALSE:
        return "bool";
    default:
        return "NoneType";
    }
}

json_t *sbx_pl_body_json(const http_request *req, http_response *res)
{
    if (req->body_len == 0)
        return json_object(); /* DRF reads an empty body as an empty form */
    json_t *j = NULL;
    err e;
    if (jsonx_parse(&j, req->body, req->body_len, "request body", &e) < 0) {
        char msg[ERR_MSG_MAX + 32];
        snprintf(msg, sizeof msg, "JSON parse error - %s", e.msg);
        /* The parser's message may quote the input's bytes: keep the reply valid UTF-8. */
        for (char *c = msg; *c; c++)
            if ((unsigned char)*c >= 0x80 || (unsigned char)*c < 0x20)
                *c = '?';
        sbx_pl_reply_detail(res, 400, msg);
        return NULL;
    }
    return j;
}

json_t *sbx_pl_body_object(const http_request *req, http_response *res)
{
    json_t *j = sbx_pl_body_json(req, res);
    if (j && !json_is_object(j)) {
        char msg[96];
        snprintf(msg, sizeof msg, "Invalid data. Expected a dictionary, but got %s.",
                 sbx_pl_json_type_name(j));
        sbx_pl_reply_field(res, "non_field_errors", msg);
        json_decref(j);
        return NULL;
    }
    return j;
}

sbx_pl_event *sbx_pl_req_event(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_event_find(p, http_request_param(req, "event"));
    if (!ev)
        sbx_pl_reply_detail(res, 404, "Not found.");
    return ev;
}

int64_t sbx_pl_now_ms(sbx_pl_emu *p)
{
    return clock_now_ms(p->svc->clock ? p->svc->clock : clock_system());
}

void sbx_pl_now_iso(sbx_pl_emu *p, char out[CLOCK_ISO_LEN])
{
    clock_format_iso(sbx_pl_now_ms(p), out);
}

void sbx_pl_new_code(sbx_pl_emu *p, const char *prefix, char out[SBX_PL_CODE_MAX])
{
    size_t n = strlen(prefix);
    if (n > 8)
        n = 8;
    memcpy(out, prefix, n);
    rng_string(&p->rng, out + n, 10, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
}

void sbx_pl_new_hex(sbx_pl_emu *p, char out[SBX_PL_SECRET_HEX + 1])
{
    rng_string(&p->rng, out, SBX_PL_SECRET_HEX, "0123456789abcdef");
}

/* ---------------------------------------------------------------- guard and fallback */

/* DRF order: authentication first (401), then the organization in the path (404). */
static bool guard(void *ctx, const http_request *req, http_response *res)
{
    sbx_pl_emu *p = ctx;
    size_t plen = strlen(SBX_PL_API_PREFIX);
    if (strncmp(req->path, SBX_PL_API_PREFIX, plen) != 0)
        return false;
    const char *key = http_request_header(req, "X-API-KEY");
    const char *secret = http_request_header(req, "X-API-SECRET");
    if (!key || !secret || !*key || !*secret) {
        http_response_header(res, "WWW-Authenticate", "Api-Key");
        sbx_pl_reply_detail(res, 401, "Authentication credentials were not provided.");
        return true;
    }
    const char *org = req->path + plen;
    const char *end = strchr(org, '/');
    size_t olen = end ? (size_t)(end - org) : strlen(org);
    int status = sbx_pl_orgs_auth(p, key, secret, org, olen);
    if (status == 401) {
        http_response_header(res, "WWW-Authenticate", "Api-Key");
        sbx_pl_reply_detail(res, 401, "Invalid API key.");
        return true;
    }
    if (status == 404) {
        sbx_pl_reply_detail(res, 404, "Not found.");
        return true;
    }
    return false;
}

static bool add_query(void *ctx, const char *key, const char *value)
{
    buf *b = ctx;
    buf_addc(b, b->len ? '&' : '?');
    http_url_encode(b, key);
    buf_addc(b, '=');
    http_url_encode(b, value);
    return true;
}

/* Django's APPEND_SLASH: a known API path without its slash is redirected (301) to it. */
static void fallback(void *ctx, const http_request *req, http_response *res)
{
    if (guard(ctx, req, res))
        return;
    size_t len = strlen(req->path);
    if (strncmp(req->path, SBX_PL_API_PREFIX, strlen(SBX_PL_API_PREFIX)) == 0 && len > 0 &&
        req->path[len - 1] != '/') {
        buf q, loc;
        buf_init(&q, 8192);
        buf_init(&loc, 16384);
        http_request_each_query(req, add_query, &q);
        buf_addf(&loc, "%s/%s", req->path, buf_cstr(&q));
        http_response_header(res, "PheedLoop-API-Version", SBX_PL_API_VERSION);
        http_response_redirect(res, 301, buf_cstr(&loc));
        buf_free(&q);
        buf_free(&loc);
        return;
    }
    sbx_pl_reply_detail(res, 404, "Not found.");
}

static void method_not_allowed(void *ctx, const http_request *req, http_response *res)
{
    (void)ctx;
    char msg[64];
    snprintf(msg, sizeof msg, "Method \"%.16s\" not allowed.", req->method);
    sbx_pl_reply_detail(res, 405, msg);
}

static void dispatch(void *ctx, const http_request *req, http_response *res)
{
    sbx_pl_route *r = ctx;
    sbx_pl_emu *p = sbx_pl_orgs_route(r->p, req, res);
    if (p) {
        pthread_mutex_lock(&p->mu);
        r->fn(p, req, res);
        pthread_mutex_unlock(&p->mu);
    }
    http_response_header(res, "PheedLoop-API-Version", SBX_PL_API_VERSION);
}

/* ---------------------------------------------------------------- life cycle */

int sbx_pl_emu_new(sbx_pl_emu **out, const sbx_pl_emu_options *opts, sbx_service *svc, err *e)
{
    static const sbx_pl_emu_options none = {0};
    if (!opts)
        opts = &none;
    sbx_pl_emu *p = calloc(1, sizeof *p);
    if (!p)
        return err_set(e, ERR_NOMEM, "out of memory");
    p->svc = svc;
    rng_seed(&p->rng, svc->seed ^ 0x5048454544ULL);
    snprintf(p->org_code, sizeof p->org_code, "%s", opts->org_code ? opts->org_code : "ORGSANDBOX");
    char hex[SBX_PL_SECRET_HEX + 1];
    sbx_pl_new_hex(p, hex);
    if (opts->api_key)
        snprintf(p->api_key, sizeof p->api_key, "%s", opts->api_key);
    else
        snprintf(p->api_key, sizeof p->api_key, "%.32s", hex);
    sbx_pl_new_hex(p, hex);
    snprintf(p->api_secret, sizeof p->api_secret, "%s", opts->api_secret ? opts->api_secret : hex);
    p->tickets = json_array();
    p->members = json_array();
    p->mbr_by_code = json_object();
    p->mbr_by_email = json_object();
    p->contact_tags = json_array();
    p->welcome_log = json_array();
    p->next_event_id = 1001;
    p->next_hook_id = 1;
    p->next_tag_id = 1;
    p->next_ticket_id = 1;
    if (!p->tickets || !p->members || !p->mbr_by_code || !p->mbr_by_email || !p->contact_tags ||
        !p->welcome_log || pthread_mutex_init(&p->mu, NULL) != 0 || sbx_pl_orgs_init(p) != 0) {
        json_decref(p->tickets);
        json_decref(p->members);
        json_decref(p->mbr_by_code);
        json_decref(p->mbr_by_email);
        json_decref(p->contact_tags);
        json_decref(p->welcome_log);
        free(p);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    log_add_secret(p->api_secret);
    *out = p;
    return 0;
}

void sbx_pl_emu_free(sbx_pl_emu *p)
{
    if (!p)
        return;
    sbx_pl_orgs_free(p);
    for (size_t i = 0; i < p->n_events; i++)
        sbx_pl_event_free(p->events[i]);
    free(p->events);
    json_decref(p->tickets);
    json_decref(p->members);
    json_decref(p->mbr_by_code);
    json_decref(p->mbr_by_email);
    json_decref(p->contact_tags);
    json_decref(p->welcome_log);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

static int add_route(sbx_pl_emu *p, http_server *srv, const route_def *d, err *e)
{
    if (p->n_routes >= SBX_PL_MAX_ROUTES)
        return err_set(e, ERR_LIMIT, "too many PheedLoop routes");
    sbx_pl_route *r = &p->routes[p->n_routes++];
    r->p = p;
    r->fn = d->fn;
    int rc = http_server_route(srv, d->method, d->pattern, d->name, dispatch, r);
    return rc < 0 ? err_set(e, rc, "route %s %s: cannot register", d->method, d->pattern) : 0;
}

/* DRF answers 405 for a known path with a method its view does not have. */
static int add_405_routes(sbx_pl_emu *p, http_server *srv, err *e)
{
    for (size_t i = 0; i < PS_ARRAY_LEN(api_routes); i++) {
        bool first = true;
        for (size_t j = 0; j < i; j++)
            if (strcmp(api_routes[j].pattern, api_routes[i].pattern) == 0)
                first = false;
        if (!first)
            continue;
        for (size_t m = 0; m < PS_ARRAY_LEN(all_methods); m++) {
            bool has = false;
            for (size_t j = 0; j < PS_ARRAY_LEN(api_routes); j++)
                if (strcmp(api_routes[j].pattern, api_routes[i].pattern) == 0 &&
                    strcmp(api_routes[j].method, all_methods[m]) == 0)
                    has = true;
            if (has)
                continue;
            int rc = http_server_route(srv, all_methods[m], api_routes[i].pattern,
                                       "pl-method-not-allowed", method_not_allowed, p);
            if (rc < 0)
                return err_set(e, rc, "route %s %s: cannot register", all_methods[m],
                               api_routes[i].pattern);
        }
    }
    return 0;
}

int sbx_pl_emu_mount(sbx_pl_emu *p, http_server *srv, err *e)
{
    for (size_t i = 0; i < PS_ARRAY_LEN(api_routes); i++)
        if (add_route(p, srv, &api_routes[i], e) < 0)
            return e ? e->code : ERR_INTERNAL;
    for (size_t i = 0; i < PS_ARRAY_LEN(admin_routes); i++)
        if (add_route(p, srv, &admin_routes[i], e) < 0)
            return e ? e->code : ERR_INTERNAL;
    int rc = add_405_routes(p, srv, e);
    if (rc < 0)
        return rc;
    if (sbx_pl_orgs_mount(p, srv, e) < 0)
        return e ? e->code : ERR_INTERNAL;
    http_server_fallback(srv, fallback, p);
    return sbx_service_mount(p->svc, srv, guard, p, e);
}

/* ---------------------------------------------------------------- info and seeding */

json_t *sbx_pl_emu_info(sbx_pl_emu *p)
{
    json_t *info = sbx_pl_org_info(p);
    json_object_set_new(info, "organizations", sbx_pl_orgs_info(p));
    return info;
}

json_t *sbx_pl_org_info(sbx_pl_emu *p)
{
    char base[SBX_PL_CODE_MAX + 64];
    snprintf(base, sizeof base, "%s%s/", SBX_PL_API_PREFIX, p->org_code);
    pthread_mutex_lock(&p->mu);
    json_t *events = json_array();
    for (size_t i = 0; i < p->n_events; i++) {
        sbx_pl_event *ev = p->events[i];
        json_array_append_new(events,
                              json_pack("{sI ss ss ss}", "id", (json_int_t)ev->id, "code", ev->code,
                                        "event_name", jsonx_str(ev->rec, "event_name"),
                                        "webhook_secret", ev->secret));
    }
    json_t *info = json_pack("{ss ss ss ss ss so}", "base_path", base, "org_code", p->org_code,
                             "api_key", p->api_key, "api_secret", p->api_secret, "api_version",
                             SBX_PL_API_VERSION, "events", events);
    pthread_mutex_unlock(&p->mu);
    return info;
}

int sbx_pl_emu_seed_event(sbx_pl_emu *p, const char *event_code, const char *name, const char *date,
                          err *e)
{
    pthread_mutex_lock(&p->mu);
    int rc = sbx_pl_event_add(p, event_code, name, date, NULL, NULL, NULL, e);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int sbx_pl_emu_seed_attendee(sbx_pl_emu *p, const char *event_code, const json_t *fields,
                             char *code_out, size_t code_len, err *e)
{
    int rc = 0;
    pthread_mutex_lock(&p->mu);
    sbx_pl_event *ev = sbx_pl_event_find(p, event_code);
    json_t *errors = NULL;
    if (!ev) {
        rc = err_set(e, ERR_NOT_FOUND, "no event %s", event_code ? event_code : "(null)");
    } else if (!json_is_object(fields)) {
        rc = err_set(e, ERR_INVALID, "attendee fields must be an object");
    } else if ((errors = sbx_pl_att_validate(p, ev, fields, NULL, NULL, SBX_PL_FROM_SEED))) {
        char *text = jsonx_dumps(errors);
        const char *first = json_string_value(json_array_get(json_object_get(errors, "email"), 0));
        bool dup = first && strcmp(first, SBX_PL_MSG_DUP_EMAIL) == 0;
        rc = err_set(e, dup ? ERR_CONFLICT : ERR_INVALID, "attendee: %s", text ? text : "invalid");
        free(text);
    } else {
        json_t *att = sbx_pl_att_create(p, ev, fields, SBX_PL_FROM_SEED);
        if (!att)
            rc = err_set(e, ERR_NOMEM, "out of memory");
        else if (code_out && code_len)
            snprintf(code_out, code_len, "%s", jsonx_str(att, "code"));
    }
    json_decref(errors);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

json_t *sbx_pl_emu_state(sbx_pl_emu *p)
{
    pthread_mutex_lock(&p->mu);
    json_t *state = sbx_pl_state_json(p);
    json_t *copy = json_deep_copy(state);
    json_decref(state); /* it shares the live records: release it under the lock */
    pthread_mutex_unlock(&p->mu);
    return copy;
}
