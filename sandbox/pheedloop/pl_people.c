/* pl_people.c: the PheedLoop emulator's attendee routes (one by one and in bulk) and the
 * read-only registrations list. */
#include "sandbox/pheedloop/pl_internal.h"
#include "util/jsonx.h"

void sbx_pl_h_validateauth(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    (void)req;
    sbx_pl_reply(res, 200, json_pack("{sb ss}", "valid", 1, "organization", p->org_code));
}

void sbx_pl_h_attendees_list(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    if (ev)
        sbx_pl_page_reply(req, res, json_copy(ev->attendees));
}

void sbx_pl_h_attendee_create(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    json_t *body = ev ? sbx_pl_body_object(req, res) : NULL;
    if (!body)
        return;
    json_t *errors = sbx_pl_att_validate(p, ev, body, NULL, NULL, SBX_PL_FROM_API);
    if (errors) {
        sbx_pl_reply(res, 400, errors);
    } else {
        json_t *att = sbx_pl_att_create(p, ev, body, SBX_PL_FROM_API);
        sbx_pl_reply(res, 201, att ? json_deep_copy(att) : NULL);
    }
    json_decref(body);
}

/* The {code} attendee of the {event}, or 404 and NULL. */
static json_t *req_attendee(sbx_pl_emu *p, const http_request *req, http_response *res,
                            sbx_pl_event **ev_out)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    if (!ev)
        return NULL;
    json_t *att = sbx_pl_att_find(ev, http_request_param(req, "code"));
    if (!att) {
        sbx_pl_reply_detail(res, 404, "Not found.");
        return NULL;
    }
    *ev_out = ev;
    return att;
}

void sbx_pl_h_attendee_get(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev;
    json_t *att = req_attendee(p, req, res, &ev);
    if (att)
        sbx_pl_reply(res, 200, json_deep_copy(att));
}

void sbx_pl_h_attendee_patch(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev;
    json_t *att = req_attendee(p, req, res, &ev);
    json_t *body = att ? sbx_pl_body_object(req, res) : NULL;
    if (!body)
        return;
    json_t *errors = sbx_pl_att_validate(p, ev, body, att, NULL, SBX_PL_FROM_API);
    if (errors) {
        sbx_pl_reply(res, 400, errors);
    } else {
        sbx_pl_att_update(p, ev, att, body, SBX_PL_FROM_API);
        sbx_pl_reply(res, 200, json_deep_copy(att));
    }
    json_decref(body);
}

void sbx_pl_h_attendee_delete(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev;
    json_t *att = req_attendee(p, req, res, &ev);
    if (!att)
        return;
    sbx_pl_att_delete(p, ev, att, SBX_PL_FROM_API);
    sbx_pl_reply_no_content(res);
}

/* The body as a JSON array of at most SBX_PL_BULK_MAX items, or 400 and NULL. */
static json_t *body_list(const http_request *req, http_response *res)
{
    json_t *j = sbx_pl_body_json(req, res);
    if (!j)
        return NULL;
    char msg[96];
    if (!json_is_array(j))
        snprintf(msg, sizeof msg, "Expected a list of items but got type \"%s\".",
                 sbx_pl_json_type_name(j));
    else if (json_array_size(j) > SBX_PL_BULK_MAX)
        snprintf(msg, sizeof msg, "Ensure this field has no more than %d elements.",
                 SBX_PL_BULK_MAX);
    else
        return j;
    sbx_pl_reply_field(res, "non_field_errors", msg);
    json_decref(j);
    return NULL;
}

static json_t *item_not_object(const json_t *item)
{
    char msg[96];
    snprintf(msg, sizeof msg, "Invalid data. Expected a dictionary, but got %s.",
             sbx_pl_json_type_name(item));
    return json_pack("{s[s]}", "non_field_errors", msg);
}

/* DRF's ListSerializer: every item is checked first; one bad item fails the whole call, and
 * the errors come back as a list with {} for the good items. */
static json_t *bulk_errors(json_t *list, json_t *(*check)(void *ctx, size_t i, json_t *item),
                           void *ctx)
{
    json_t *errors = json_array();
    bool bad = false;
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        json_t *e = json_is_object(item) ? check(ctx, i, item) : item_not_object(item);
        bad |= e != NULL;
        json_array_append_new(errors, e ? e : json_object());
    }
    if (!bad) {
        json_decref(errors);
        return NULL;
    }
    return errors;
}

typedef struct bulk_ctx {
    sbx_pl_emu *p;
    sbx_pl_event *ev;
    json_t *pending; /* normalised emails claimed by earlier items */
} bulk_ctx;

static json_t *check_create(void *ctx, size_t i, json_t *item)
{
    (void)i;
    bulk_ctx *b = ctx;
    return sbx_pl_att_validate(b->p, b->ev, item, NULL, b->pending, SBX_PL_FROM_API);
}

void sbx_pl_h_bulk_create(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    json_t *list = ev ? body_list(req, res) : NULL;
    if (!list)
        return;
    bulk_ctx b = {p, ev, json_object()};
    json_t *errors = bulk_errors(list, check_create, &b);
    if (errors) {
        sbx_pl_reply(res, 400, errors);
    } else {
        json_t *out = json_array();
        size_t i;
        json_t *item;
        json_array_foreach(list, i, item)
        {
            json_t *att = sbx_pl_att_create(p, ev, item, SBX_PL_FROM_API);
            if (att)
                json_array_append_new(out, json_deep_copy(att));
        }
        sbx_pl_reply(res, 201, out);
    }
    json_decref(b.pending);
    json_decref(list);
}

static json_t *check_update(void *ctx, size_t i, json_t *item)
{
    (void)i;
    bulk_ctx *b = ctx;
    const json_t *code = json_object_get(item, "code");
    if (!code)
        return json_pack("{s[s]}", "code", "This field is required.");
    json_t *att = json_is_string(code) ? sbx_pl_att_find(b->ev, json_string_value(code)) : NULL;
    if (!att)
        return json_pack("{s[s]}", "code", "Attendee not found.");
    return sbx_pl_att_validate(b->p, b->ev, item, att, b->pending, SBX_PL_FROM_API);
}

void sbx_pl_h_bulk_patch(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    json_t *list = ev ? body_list(req, res) : NULL;
    if (!list)
        return;
    bulk_ctx b = {p, ev, json_object()};
    json_t *errors = bulk_errors(list, check_update, &b);
    if (errors) {
        sbx_pl_reply(res, 400, errors);
    } else {
        json_t *out = json_array();
        size_t i;
        json_t *item;
        json_array_foreach(list, i, item)
        {
            json_t *att = sbx_pl_att_find(ev, jsonx_str(item, "code"));
            sbx_pl_att_update(p, ev, att, item, SBX_PL_FROM_API);
            json_array_append_new(out, json_deep_copy(att));
        }
        sbx_pl_reply(res, 200, out);
    }
    json_decref(b.pending);
    json_decref(list);
}

/* {"codes": [strings]} or 400 and NULL (the body is released either way; codes is borrowed from
 * *body_out). */
static json_t *body_codes(const http_request *req, http_response *res, json_t **body_out)
{
    json_t *body = sbx_pl_body_object(req, res);
    if (!body)
        return NULL;
    json_t *codes = json_object_get(body, "codes");
    const char *bad = NULL;
    char msg[96];
    if (!codes) {
        bad = "This field is required.";
    } else if (!json_is_array(codes)) {
        snprintf(msg, sizeof msg, "Expected a list of items but got type \"%s\".",
                 sbx_pl_json_type_name(codes));
        bad = msg;
    } else {
        size_t i;
        json_t *c;
        json_array_foreach(codes, i, c)
        {
            if (!json_is_string(c))
                bad = "Not a valid string.";
        }
    }
    if (bad) {
        sbx_pl_reply_field(res, "codes", bad);
        json_decref(body);
        return NULL;
    }
    *body_out = body;
    return codes;
}

void sbx_pl_h_bulk_delete(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    json_t *body = NULL;
    json_t *codes = ev ? body_codes(req, res, &body) : NULL;
    if (!codes)
        return;
    json_t *done = json_array(), *errored = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(codes, i, c)
    {
        json_t *att = sbx_pl_att_find(ev, json_string_value(c));
        if (!att) {
            json_array_append(errored, c);
            continue;
        }
        json_array_append_new(done, json_deep_copy(att));
        sbx_pl_att_delete(p, ev, att, SBX_PL_FROM_API);
    }
    sbx_pl_reply(res, 200, json_pack("{so so}", "attendees", done, "errored_attendees", errored));
    json_decref(body);
}

/* Check-in and check-out share their shape: codes in, {attendees, errored_attendees} out. */
static void check_in_out(sbx_pl_emu *p, const http_request *req, http_response *res, bool in)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    json_t *body = NULL;
    json_t *codes = ev ? body_codes(req, res, &body) : NULL;
    if (!codes)
        return;
    json_t *done = json_array(), *errored = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(codes, i, c)
    {
        json_t *att = sbx_pl_att_find(ev, json_string_value(c));
        if (!att) {
            json_array_append(errored, c);
            continue;
        }
        sbx_pl_att_checkin(p, ev, att, in, SBX_PL_FROM_API);
        json_array_append_new(done, json_deep_copy(att));
    }
    sbx_pl_reply(res, 200, json_pack("{so so}", "attendees", done, "errored_attendees", errored));
    json_decref(body);
}

void sbx_pl_h_checkin(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    check_in_out(p, req, res, true);
}

void sbx_pl_h_checkout(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    check_in_out(p, req, res, false);
}

void sbx_pl_h_attendance(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    if (!ev)
        return;
    json_t *in = json_array(), *out = json_array();
    size_t i;
    json_t *att;
    json_array_foreach(ev->attendees, i, att)
    {
        bool checked = json_is_true(json_object_get(att, "is_checked_in"));
        json_array_append_new(checked ? in : out, json_string(jsonx_str(att, "code")));
    }
    sbx_pl_reply(res, 200, json_pack("{so so}", "checked_in", in, "not_checked_in", out));
}

void sbx_pl_h_registrations(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    sbx_pl_date_range range;
    if (!ev || !sbx_pl_date_range_read(req, res, "date_updated", &range))
        return;
    json_t *items = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(ev->registrations, i, r)
    {
        if (sbx_pl_date_range_match(&range, r, "date_updated"))
            json_array_append(items, r);
    }
    sbx_pl_page_reply(req, res, items);
}
