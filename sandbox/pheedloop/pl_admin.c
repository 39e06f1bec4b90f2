/* pl_admin.c: the PheedLoop emulator's /_sandbox/ routes: the whole state, events and event tags
 * made as the dashboard makes them, seeding, and dashboard edits that fire webhooks. */
#include "sandbox/gen.h"
#include "sandbox/pheedloop/pl_internal.h"
#include "util/jsonx.h"

#define SEED_MAX 100000

json_t *sbx_pl_state_json(sbx_pl_emu *p)
{
    json_t *events = json_array();
    for (size_t i = 0; i < p->n_events; i++) {
        sbx_pl_event *ev = p->events[i];
        json_t *e = json_deep_copy(ev->rec);
        json_object_set_new(e, "webhook_secret", json_string(ev->secret));
        json_object_set_new(e, "attendees", json_deep_copy(ev->attendees));
        json_object_set_new(e, "registrations", json_deep_copy(ev->registrations));
        json_object_set_new(e, "tags", json_deep_copy(ev->tags));
        json_object_set_new(e, "announcements", json_deep_copy(ev->announcements));
        json_object_set_new(e, "resthooks", json_deep_copy(ev->hooks));
        json_array_append_new(events, e);
    }
    json_t *welcome =
        json_pack("{sI sI sI sI sO}", "total",
                  (json_int_t)(p->welcome_count[0] + p->welcome_count[1] + p->welcome_count[2]),
                  "app", (json_int_t)p->welcome_count[SBX_PL_WELCOME_APP], "attendee_portal",
                  (json_int_t)p->welcome_count[SBX_PL_WELCOME_PORTAL], "virtual_portal",
                  (json_int_t)p->welcome_count[SBX_PL_WELCOME_VIRTUAL], "recent", p->welcome_log);
    return json_pack("{ss so sO sO sO so sI}", "org_code", p->org_code, "events", events, "tickets",
                     p->tickets, "members", p->members, "contact_tags", p->contact_tags,
                     "welcome_emails", welcome, "webhooks_fired", (json_int_t)p->webhooks_fired);
}

void sbx_pl_h_admin_state(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    (void)req;
    /* A deep copy: the reply is written after the lock is released. */
    json_t *state = sbx_pl_state_json(p);
    json_t *copy = json_deep_copy(state);
    json_decref(state);
    sbx_pl_reply(res, 200, copy);
}

static json_t *event_with_secret(sbx_pl_event *ev)
{
    json_t *e = json_deep_copy(ev->rec);
    json_object_set_new(e, "webhook_secret", json_string(ev->secret));
    return e;
}

void sbx_pl_h_admin_event(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    json_t *body = sbx_pl_body_object(req, res);
    if (!body)
        return;
    sbx_pl_event *ev = NULL;
    err e;
    int rc = sbx_pl_event_add(p, jsonx_str(body, "code"), jsonx_str(body, "event_name"),
                              jsonx_str(body, "date"), jsonx_str(body, "end_date"),
                              jsonx_str(body, "timezone"), &ev, &e);
    if (rc < 0)
        sbx_pl_reply_detail(res, rc == ERR_CONFLICT ? 409 : 400, e.msg);
    else
        sbx_pl_reply(res, 201, event_with_secret(ev));
    json_decref(body);
}

void sbx_pl_h_admin_tag(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    json_t *body = ev ? sbx_pl_body_object(req, res) : NULL;
    if (!body)
        return;
    const char *name = jsonx_str(body, "name");
    if (!name || !*name)
        sbx_pl_reply_field(res, "name", "This field is required.");
    else if (sbx_pl_event_tag_find(ev, name))
        sbx_pl_reply_detail(res, 409, "a tag with this name already exists in the event");
    else
        sbx_pl_reply(
            res, 201,
            json_deep_copy(sbx_pl_event_tag_add(p, ev, name, jsonx_str(body, "description"))));
    json_decref(body);
}

static json_t *person_fields(const sbx_person *s)
{
    return json_pack("{ss ss ss ss ss ss ss ss ss ss ss}", "first_name", s->first_name, "last_name",
                     s->last_name, "email", s->email, "organization", s->organization, "title",
                     s->title, "address_phone", s->phone, "address_line_1", s->address1,
                     "address_city", s->city, "address_state", s->state, "address_zip",
                     s->postal_code, "address_country", s->country);
}

/* The events named in the seed body (created when missing), else every event, else a new one. */
static json_t *seed_events(sbx_pl_emu *p, const json_t *names, err *e)
{
    json_t *codes = json_array();
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n)
    {
        const char *code = json_string_value(n);
        if (code && !sbx_pl_event_find(p, code) &&
            sbx_pl_event_add(p, code, NULL, NULL, NULL, NULL, NULL, e) < 0) {
            json_decref(codes);
            return NULL;
        }
        if (code)
            json_array_append_new(codes, json_string(code));
    }
    for (size_t k = 0; json_array_size(codes) == 0 && k < p->n_events; k++)
        json_array_append_new(codes, json_string(p->events[k]->code));
    sbx_pl_event *ev = NULL;
    if (json_array_size(codes) == 0) {
        if (sbx_pl_event_add(p, NULL, "Sandbox Summit", NULL, NULL, NULL, &ev, e) < 0) {
            json_decref(codes);
            return NULL;
        }
        json_array_append_new(codes, json_string(ev->code));
    }
    return codes;
}

/* Each person attends one event, and about one in five a second one too. */
static size_t seed_people(sbx_pl_emu *p, const json_t *codes, int64_t n, uint64_t seed)
{
    rng r;
    rng_seed(&r, seed);
    size_t created = 0, n_events = json_array_size(codes);
    for (int64_t i = 0; i < n; i++) {
        sbx_person person;
        sbx_gen_person(&r, &person);
        json_t *fields = person_fields(&person);
        size_t first = (size_t)i % n_events;
        for (size_t k = 0; k < n_events; k++) {
            if (k != first && (n_events < 2 || !rng_chance(&r, 0.2)))
                continue;
            sbx_pl_event *ev = sbx_pl_event_find(p, json_string_value(json_array_get(codes, k)));
            json_t *errors = sbx_pl_att_validate(p, ev, fields, NULL, NULL, SBX_PL_FROM_SEED);
            if (!errors && sbx_pl_att_create(p, ev, fields, SBX_PL_FROM_SEED))
                created++;
            json_decref(errors);
        }
        json_decref(fields);
    }
    return created;
}

void sbx_pl_h_admin_seed(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    json_t *body = sbx_pl_body_object(req, res);
    if (!body)
        return;
    int64_t n = jsonx_int(body, "attendees", 0), m = jsonx_int(body, "members", 0);
    uint64_t seed = (uint64_t)jsonx_int(body, "seed", (int64_t)p->svc->seed);
    err e;
    json_t *codes = NULL;
    if (n < 0 || n > SEED_MAX || m < 0 || m > SEED_MAX) {
        sbx_pl_reply_detail(res, 400, "attendees and members must be between 0 and 100000");
    } else if (!(codes = seed_events(p, json_object_get(body, "events"), &e))) {
        sbx_pl_reply_detail(res, 400, e.msg);
    } else {
        size_t created = seed_people(p, codes, n, seed);
        rng r;
        rng_seed(&r, seed ^ 0x4d454d42ULL);
        size_t members = 0;
        for (int64_t i = 0; i < m; i++) {
            sbx_person person;
            sbx_gen_person(&r, &person);
            json_t *fields = person_fields(&person);
            members += sbx_pl_member_seed(p, fields) != NULL;
            json_decref(fields);
        }
        sbx_pl_reply(res, 200,
                     json_pack("{sI sI sO}", "created", (json_int_t)created, "members",
                               (json_int_t)members, "events", codes));
    }
    json_decref(codes);
    json_decref(body);
}

/* ---------------------------------------------------------------- dashboard edits */

void sbx_pl_h_ui_register(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    json_t *body = ev ? sbx_pl_body_object(req, res) : NULL;
    if (!body)
        return;
    json_t *errors = sbx_pl_att_validate(p, ev, body, NULL, NULL, SBX_PL_FROM_UI);
    if (errors) {
        sbx_pl_reply(res, 400, errors);
    } else {
        json_t *att = sbx_pl_att_create(p, ev, body, SBX_PL_FROM_UI);
        sbx_pl_reply(res, 201, att ? json_deep_copy(att) : NULL);
    }
    json_decref(body);
}

static json_t *ui_attendee(sbx_pl_emu *p, const http_request *req, http_response *res,
                           sbx_pl_event **ev_out)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    json_t *att = ev ? sbx_pl_att_find(ev, http_request_param(req, "code")) : NULL;
    if (ev && !att)
        sbx_pl_reply_detail(res, 404, "Not found.");
    *ev_out = ev;
    return att;
}

void sbx_pl_h_ui_patch(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev;
    json_t *att = ui_attendee(p, req, res, &ev);
    json_t *body = att ? sbx_pl_body_object(req, res) : NULL;
    if (!body)
        return;
    json_t *errors = sbx_pl_att_validate(p, ev, body, att, NULL, SBX_PL_FROM_UI);
    if (errors) {
        sbx_pl_reply(res, 400, errors);
    } else {
        sbx_pl_att_update(p, ev, att, body, SBX_PL_FROM_UI);
        sbx_pl_reply(res, 200, json_deep_copy(att));
    }
    json_decref(body);
}

void sbx_pl_h_ui_delete(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev;
    json_t *att = ui_attendee(p, req, res, &ev);
    if (!att)
        return;
    sbx_pl_att_delete(p, ev, att, SBX_PL_FROM_UI);
    sbx_pl_reply_no_content(res);
}

static void ui_check(sbx_pl_emu *p, const http_request *req, http_response *res, bool in)
{
    sbx_pl_event *ev;
    json_t *att = ui_attendee(p, req, res, &ev);
    if (!att)
        return;
    sbx_pl_att_checkin(p, ev, att, in, SBX_PL_FROM_UI);
    sbx_pl_reply(res, 200, json_deep_copy(att));
}

void sbx_pl_h_ui_checkin(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    ui_check(p, req, res, true);
}

void sbx_pl_h_ui_checkout(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    ui_check(p, req, res, false);
}

void sbx_pl_h_ui_cancel(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    json_t *reg = ev ? sbx_pl_reg_find(ev, http_request_param(req, "code")) : NULL;
    if (ev && !reg)
        sbx_pl_reply_detail(res, 404, "Not found.");
    if (!reg)
        return;
    sbx_pl_reg_cancel(p, ev, reg, SBX_PL_FROM_UI);
    sbx_pl_reply(res, 200, json_deep_copy(reg));
}
