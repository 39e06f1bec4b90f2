/* pl_org.c: PheedLoop operations around the attendees: events, members, contact and event
 * tags, announcements and REST hook subscriptions. */
#include "pheedloop/pl_client_int.h"
#include "util/jsonx.h"

/* ---------------------------------------------------------------- shared shapes */

#define PARSER(name, type, fn)                                                                     \
    static int name(void *out, json_t *j, err *e)                                                  \
    {                                                                                              \
        return fn((type *)out, j, e);                                                              \
    }

PARSER(parse_event, pl_event_rec, pl_parse_event)
PARSER(parse_member, pl_member, pl_parse_member)
PARSER(parse_tag, pl_tag, pl_parse_tag)
PARSER(parse_announcement, pl_announcement, pl_parse_announcement)
PARSER(parse_hook, pl_hook, pl_parse_hook)

static int parse_array(void *out, json_t *j, err *e)
{
    if (!json_is_array(j))
        return err_set(e, ERR_PARSE, "expected a list of records");
    *(json_t **)out = json_incref(j);
    return 0;
}

static int need_object(const json_t *fields, const char *what, err *e)
{
    return json_is_object(fields) ? 0 : err_set(e, ERR_INVALID, "%s must be a JSON object", what);
}

/* One request to the path made of s1..s4 (a NULL ends it early). */
typedef struct op {
    const char *method, *label;
    http_idempotency idem;
    int (*parse)(void *out, json_t *j, err *e);
} op;

static int at(const op *o, void *out, pl_client *c, const json_t *body, pl_call *call, err *e,
              const char *s1, const char *s2, const char *s3, const char *s4)
{
    buf p;
    buf_init(&p, PLC_PATH_MAX);
    int rc = plc_path(&p, e, s1, s2, s3, s4, (const char *)NULL);
    if (rc == 0)
        rc = plc_call(out, o->parse, c, o->method, buf_cstr(&p), body, o->idem, o->label, call, e);
    buf_free(&p);
    return rc;
}

static int list_at(pl_iter **out, pl_client *c, const char *label, governor_lane lane, err *e,
                   const char *s1, const char *s2, const char *s3)
{
    buf p;
    buf_init(&p, PLC_PATH_MAX);
    int rc = plc_path(&p, e, s1, s2, s3, (const char *)NULL);
    if (rc == 0)
        rc = plc_iter_new(out, c, buf_cstr(&p), label, lane, e);
    buf_free(&p);
    return rc;
}

static const char *or_empty(const char *s)
{
    return s ? s : ""; /* an empty segment is refused by plc_path with a clear message */
}

/* ---------------------------------------------------------------- events */

static const op GET_EVENT = {"GET", "get-event", HTTP_IDEMPOTENT_BY_METHOD, parse_event};

int pl_client_events(pl_iter **out, pl_client *c, governor_lane lane, err *e)
{
    return list_at(out, c, "list-events", lane, e, "events", NULL, NULL);
}

int pl_client_get_event(pl_event_rec *out, pl_client *c, const char *event, pl_call *call, err *e)
{
    return at(&GET_EVENT, out, c, NULL, call, e, "events", or_empty(event), NULL, NULL);
}

/* ---------------------------------------------------------------- members */

static const op GET_MEMBER = {"GET", "get-member", HTTP_IDEMPOTENT_BY_METHOD, parse_member};
static const op CREATE_MEMBER = {"POST", "create-member", HTTP_IDEMPOTENT_NO, parse_member};
/* A PATCH of absolute values does the same thing twice: safe to retry. */
static const op UPDATE_MEMBER = {"PATCH", "update-member", HTTP_IDEMPOTENT_YES, parse_member};
static const op BULK_CREATE_MEMBERS = {"POST", "bulk-create-members", HTTP_IDEMPOTENT_NO,
                                       parse_array};
static const op BULK_UPDATE_MEMBERS = {"PATCH", "bulk-update-members", HTTP_IDEMPOTENT_YES,
                                       parse_array};

int pl_client_members(pl_iter **out, pl_client *c, int64_t since_ms, governor_lane lane, err *e)
{
    buf p;
    buf_init(&p, PLC_PATH_MAX);
    char from[32];
    pl_client_registrations_from_date(from, since_ms);
    int rc = plc_path(&p, e, "members", (const char *)NULL);
    if (rc == 0 && from[0])
        rc = plc_query(&p, "registration_date_updated_gte", from, e);
    if (rc == 0)
        rc = plc_iter_new(out, c, buf_cstr(&p), "list-members", lane, e);
    buf_free(&p);
    return rc;
}

int pl_client_get_member(pl_member *out, pl_client *c, const char *code, pl_call *call, err *e)
{
    return at(&GET_MEMBER, out, c, NULL, call, e, "members", or_empty(code), NULL, NULL);
}

int pl_client_create_member(pl_member *out, pl_client *c, const json_t *fields, pl_call *call,
                            err *e)
{
    int rc = need_object(fields, "member fields", e);
    return rc ? rc : at(&CREATE_MEMBER, out, c, fields, call, e, "members", NULL, NULL, NULL);
}

int pl_client_update_member(pl_member *out, pl_client *c, const char *code, const json_t *fields,
                            pl_call *call, err *e)
{
    int rc = need_object(fields, "member fields", e);
    return rc ? rc
              : at(&UPDATE_MEMBER, out, c, fields, call, e, "members", or_empty(code), NULL, NULL);
}

static int members_bulk(json_t **out, const op *o, pl_client *c, const json_t *items, pl_call *call,
                        err *e)
{
    if (!json_is_array(items) || json_array_size(items) == 0)
        return err_set(e, ERR_INVALID, "bulk items must be a non-empty JSON array");
    return at(o, out, c, items, call, e, "membersbulk", NULL, NULL, NULL);
}

int pl_client_bulk_create_members(json_t **out, pl_client *c, const json_t *items, pl_call *call,
                                  err *e)
{
    return members_bulk(out, &BULK_CREATE_MEMBERS, c, items, call, e);
}

int pl_client_bulk_update_members(json_t **out, pl_client *c, const json_t *items, pl_call *call,
                                  err *e)
{
    return members_bulk(out, &BULK_UPDATE_MEMBERS, c, items, call, e);
}

/* ---------------------------------------------------------------- tags */

static const op GET_CTAG = {"GET", "get-contact-tag", HTTP_IDEMPOTENT_BY_METHOD, parse_tag};
static const op CREATE_CTAG = {"POST", "create-contact-tag", HTTP_IDEMPOTENT_NO, parse_tag};
static const op RENAME_CTAG = {"PATCH", "rename-contact-tag", HTTP_IDEMPOTENT_YES, parse_tag};
static const op DELETE_CTAG = {"DELETE", "delete-contact-tag", HTTP_IDEMPOTENT_BY_METHOD, NULL};

static json_t *name_body(const char *name, err *e)
{
    json_t *body = name ? json_pack("{s:s}", "name", name) : NULL;
    if (!body)
        err_set(e, ERR_INVALID, "a contact tag needs a name (UTF-8)");
    return body;
}

int pl_client_contact_tags(pl_iter **out, pl_client *c, governor_lane lane, err *e)
{
    return list_at(out, c, "list-contact-tags", lane, e, "contacttags", NULL, NULL);
}

int pl_client_get_contact_tag(pl_tag *out, pl_client *c, const char *code, pl_call *call, err *e)
{
    return at(&GET_CTAG, out, c, NULL, call, e, "contacttags", or_empty(code), NULL, NULL);
}

int pl_client_create_contact_tag(pl_tag *out, pl_client *c, const char *name, pl_call *call, err *e)
{
    json_t *body = name_body(name, e);
    if (!body)
        return ERR_INVALID;
    int rc = at(&CREATE_CTAG, out, c, body, call, e, "contacttags", NULL, NULL, NULL);
    json_decref(body);
    return rc;
}

int pl_client_rename_contact_tag(pl_tag *out, pl_client *c, const char *code, const char *name,
                                 pl_call *call, err *e)
{
    json_t *body = name_body(name, e);
    if (!body)
        return ERR_INVALID;
    int rc = at(&RENAME_CTAG, out, c, body, call, e, "contacttags", or_empty(code), NULL, NULL);
    json_decref(body);
    return rc;
}

int pl_client_delete_contact_tag(pl_client *c, const char *code, pl_call *call, err *e)
{
    return at(&DELETE_CTAG, NULL, c, NULL, call, e, "contacttags", or_empty(code), NULL, NULL);
}

int pl_client_event_tags(pl_iter **out, pl_client *c, const char *event, governor_lane lane, err *e)
{
    return list_at(out, c, "list-event-tags", lane, e, "events", or_empty(event), "tags");
}

/* ---------------------------------------------------------------- announcements */

static const op GET_ANN = {"GET", "get-announcement", HTTP_IDEMPOTENT_BY_METHOD,
                           parse_announcement};
static const op CREATE_ANN = {"POST", "create-announcement", HTTP_IDEMPOTENT_NO,
                              parse_announcement};
static const op UPDATE_ANN = {"PATCH", "update-announcement", HTTP_IDEMPOTENT_YES,
                              parse_announcement};
static const op DELETE_ANN = {"DELETE", "delete-announcement", HTTP_IDEMPOTENT_BY_METHOD, NULL};

int pl_client_announcements(pl_iter **out, pl_client *c, const char *event, governor_lane lane,
                            err *e)
{
    return list_at(out, c, "list-announcements", lane, e, "events", or_empty(event),
                   "announcements");
}

int pl_client_get_announcement(pl_announcement *out, pl_client *c, const char *event,
                               const char *code, pl_call *call, err *e)
{
    return at(&GET_ANN, out, c, NULL, call, e, "events", or_empty(event), "announcements",
              or_empty(code));
}

int pl_client_create_announcement(pl_announcement *out, pl_client *c, const char *event,
                                  const json_t *fields, pl_call *call, err *e)
{
    int rc = need_object(fields, "announcement fields", e);
    return rc ? rc
              : at(&CREATE_ANN, out, c, fields, call, e, "events", or_empty(event), "announcements",
                   NULL);
}

int pl_client_update_announcement(pl_announcement *out, pl_client *c, const char *event,
                                  const char *code, const json_t *fields, pl_call *call, err *e)
{
    int rc = need_object(fields, "announcement fields", e);
    return rc ? rc
              : at(&UPDATE_ANN, out, c, fields, call, e, "events", or_empty(event), "announcements",
                   or_empty(code));
}

int pl_client_delete_announcement(pl_client *c, const char *event, const char *code, pl_call *call,
                                  err *e)
{
    return at(&DELETE_ANN, NULL, c, NULL, call, e, "events", or_empty(event), "announcements",
              or_empty(code));
}

/* ---------------------------------------------------------------- REST hooks */

static const op SUBSCRIBE_HOOK = {"POST", "subscribe-resthook", HTTP_IDEMPOTENT_NO, parse_hook};
static const op UPDATE_HOOK = {"PUT", "update-resthook", HTTP_IDEMPOTENT_BY_METHOD, parse_hook};
static const op DELETE_HOOK = {"DELETE", "delete-resthook", HTTP_IDEMPOTENT_BY_METHOD, NULL};

int pl_client_hooks(pl_iter **out, pl_client *c, const char *event, governor_lane lane, err *e)
{
    return list_at(out, c, "list-resthooks", lane, e, "events", or_empty(event), "resthooks");
}

static json_t *hook_body(const char *action, const char *endpoint, err *e)
{
    json_t *b =
        action && endpoint ? json_pack("{s:s, s:s}", "action", action, "endpoint", endpoint) : NULL;
    if (!b)
        err_set(e, ERR_INVALID, "a REST hook needs an action and an endpoint (UTF-8)");
    return b;
}

int pl_client_subscribe_hook(pl_hook *out, pl_client *c, const char *event, const char *action,
                             const char *endpoint, pl_call *call, err *e)
{
    json_t *body = hook_body(action, endpoint, e);
    if (!body)
        return ERR_INVALID;
    int rc =
        at(&SUBSCRIBE_HOOK, out, c, body, call, e, "events", or_empty(event), "resthooks", NULL);
    json_decref(body);
    return rc;
}

int pl_client_update_hook(pl_hook *out, pl_client *c, const char *event, int64_t id,
                          const char *action, const char *endpoint, pl_call *call, err *e)
{
    json_t *body = hook_body(action, endpoint, e);
    if (!body)
        return ERR_INVALID;
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)id);
    int rc = at(&UPDATE_HOOK, out, c, body, call, e, "events", or_empty(event), "resthooks", sid);
    json_decref(body);
    return rc;
}

int pl_client_delete_hook(pl_client *c, const char *event, int64_t id, pl_call *call, err *e)
{
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)id);
    return at(&DELETE_HOOK, NULL, c, NULL, call, e, "events", or_empty(event), "resthooks", sid);
}
