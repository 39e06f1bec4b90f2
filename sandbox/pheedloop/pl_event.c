/* pl_event.c: the PheedLoop emulator's event-level routes: events, tickets, event tags,
 * organization contact tags and event announcements. */
#include "sandbox/pheedloop/pl_internal.h"
#include "util/jsonx.h"

static const sbx_pl_field event_fields[] = {
    {"event_name", SBX_PL_F_STR, false, false, false, 255},
    {"date", SBX_PL_F_DATE, false, false, false, 0},
    {"end_date", SBX_PL_F_DATE, false, false, false, 0},
    {"timezone", SBX_PL_F_STR, false, false, false, 64},
    {"description", SBX_PL_F_STR, false, false, true, 0},
};

static const sbx_pl_field ctag_fields[] = {
    {"name", SBX_PL_F_STR, true, false, false, 255},
};

static const sbx_pl_field ann_fields[] = {
    {"title", SBX_PL_F_STR, true, false, false, 255},
    {"description", SBX_PL_F_STR, false, false, true, 0},
    {"recipients", SBX_PL_F_LIST, false, false, false, 0},
    {"tags", SBX_PL_F_LIST, false, false, false, 0},
    {"tickets", SBX_PL_F_LIST, false, false, false, 0},
    {"release_date", SBX_PL_F_DATE, false, true, false, 0},
    {"release_time", SBX_PL_F_TIME, false, true, false, 0},
    {"is_notification_push", SBX_PL_F_BOOL, false, false, false, 0},
    {"is_notification_mail", SBX_PL_F_BOOL, false, false, false, 0},
};

/* ---------------------------------------------------------------- events and tickets */

void sbx_pl_h_events_list(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_date_range range;
    if (!sbx_pl_date_range_read(req, res, "date_updated", &range))
        return;
    json_t *items = json_array();
    for (size_t i = 0; i < p->n_events; i++)
        if (sbx_pl_date_range_match(&range, p->events[i]->rec, "date_updated"))
            json_array_append(items, p->events[i]->rec);
    sbx_pl_page_reply(req, res, items);
}

void sbx_pl_h_event_get(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    if (ev)
        sbx_pl_reply(res, 200, json_deep_copy(ev->rec));
}

void sbx_pl_h_event_patch(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    json_t *body = ev ? sbx_pl_body_object(req, res) : NULL;
    if (!body)
        return;
    json_t *errors = NULL;
    sbx_pl_fields_check(event_fields, PS_ARRAY_LEN(event_fields), body, false, &errors);
    if (errors) {
        sbx_pl_reply(res, 400, errors);
    } else {
        if (sbx_pl_fields_apply(event_fields, PS_ARRAY_LEN(event_fields), ev->rec, body, NULL)) {
            char now[CLOCK_ISO_LEN];
            sbx_pl_now_iso(p, now);
            json_object_set_new(ev->rec, "date_updated", json_string(now));
        }
        sbx_pl_reply(res, 200, json_deep_copy(ev->rec));
    }
    json_decref(body);
}

void sbx_pl_h_tickets(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_page_reply(req, res, json_copy(p->tickets));
}

void sbx_pl_h_event_tags(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    if (ev)
        sbx_pl_page_reply(req, res, json_copy(ev->tags));
}

/* ---------------------------------------------------------------- contact tags */

static json_t *ctag_find(sbx_pl_emu *p, const char *code, const char *name)
{
    size_t i;
    json_t *t;
    json_array_foreach(p->contact_tags, i, t)
    {
        if ((code && strcmp(jsonx_str(t, "code"), code) == 0) ||
            (name && strcasecmp(jsonx_str(t, "name"), name) == 0))
            return t;
    }
    return NULL;
}

static json_t *ctag_validate(sbx_pl_emu *p, const json_t *body, const json_t *self)
{
    json_t *errors = NULL;
    sbx_pl_fields_check(ctag_fields, 1, body, self == NULL, &errors);
    const json_t *v = json_object_get(body, "name");
    if (!errors && v) {
        json_t *name = sbx_pl_field_value(&ctag_fields[0], v);
        json_t *other = ctag_find(p, NULL, json_string_value(name));
        if (other && other != self)
            sbx_pl_add_error(&errors, "name", "contact tag with this name already exists.");
        json_decref(name);
    }
    return errors;
}

void sbx_pl_h_ctags_list(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_page_reply(req, res, json_copy(p->contact_tags));
}

void sbx_pl_h_ctag_create(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    json_t *body = sbx_pl_body_object(req, res);
    if (!body)
        return;
    json_t *errors = ctag_validate(p, body, NULL);
    if (errors) {
        sbx_pl_reply(res, 400, errors);
    } else {
        char code[SBX_PL_CODE_MAX];
        sbx_pl_new_code(p, "CTG", code);
        json_t *t = json_pack("{ss ss}", "code", code, "name", "");
        sbx_pl_fields_apply(ctag_fields, 1, t, body, NULL);
        json_array_append_new(p->contact_tags, t);
        sbx_pl_reply(res, 201, json_deep_copy(t));
    }
    json_decref(body);
}

static json_t *req_ctag(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    json_t *t = ctag_find(p, http_request_param(req, "code"), NULL);
    if (!t)
        sbx_pl_reply_detail(res, 404, "Not found.");
    return t;
}

void sbx_pl_h_ctag_get(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    json_t *t = req_ctag(p, req, res);
    if (t)
        sbx_pl_reply(res, 200, json_deep_copy(t));
}

void sbx_pl_h_ctag_patch(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    json_t *t = req_ctag(p, req, res);
    json_t *body = t ? sbx_pl_body_object(req, res) : NULL;
    if (!body)
        return;
    json_t *errors = ctag_validate(p, body, t);
    if (errors) {
        sbx_pl_reply(res, 400, errors);
    } else {
        sbx_pl_fields_apply(ctag_fields, 1, t, body, NULL);
        sbx_pl_reply(res, 200, json_deep_copy(t));
    }
    json_decref(body);
}

void sbx_pl_h_ctag_delete(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    json_t *t = req_ctag(p, req, res);
    if (!t)
        return;
    size_t i;
    json_t *x;
    json_array_foreach(p->contact_tags, i, x)
    {
        if (x == t) {
            json_array_remove(p->contact_tags, i);
            break;
        }
    }
    sbx_pl_reply_no_content(res);
}

/* ---------------------------------------------------------------- announcements */

/* Each item of body[key] must be a string naming something that exists in the event. */
static void check_refs(sbx_pl_emu *p, sbx_pl_event *ev, const json_t *body, const char *key,
                       json_t **errors)
{
    const json_t *list = json_object_get(body, key);
    if (!json_is_array(list) || json_object_get(*errors, key))
        return;
    size_t i;
    json_t *v;
    char msg[300];
    json_array_foreach(list, i, v)
    {
        const char *s = json_string_value(v);
        bool ok;
        if (!s)
            ok = false;
        else if (strcmp(key, "recipients") == 0)
            ok = sbx_pl_att_find(ev, s) != NULL;
        else if (strcmp(key, "tags") == 0)
            ok = sbx_pl_event_tag_find(ev, s) != NULL;
        else
            ok = sbx_pl_ticket_find(p, ev, s) != NULL;
        if (!ok) {
            snprintf(msg, sizeof msg, "Invalid %s \"%.*s\" for this event.", key,
                     s ? sbx_pl_utf8_cut(s, 200) : 14, s ? s : "(not a string)");
            sbx_pl_add_error(errors, key, msg);
        }
    }
}

static json_t *ann_validate(sbx_pl_emu *p, sbx_pl_event *ev, const json_t *body, bool create)
{
    json_t *errors = NULL;
    sbx_pl_fields_check(ann_fields, PS_ARRAY_LEN(ann_fields), body, create, &errors);
    check_refs(p, ev, body, "recipients", &errors);
    check_refs(p, ev, body, "tags", &errors);
    check_refs(p, ev, body, "tickets", &errors);
    return errors;
}

static json_t *ann_find(sbx_pl_event *ev, const char *code)
{
    size_t i;
    json_t *a;
    json_array_foreach(ev->announcements, i, a)
    {
        if (code && strcmp(jsonx_str(a, "code"), code) == 0)
            return a;
    }
    return NULL;
}

void sbx_pl_h_ann_list(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    if (ev)
        sbx_pl_page_reply(req, res, json_copy(ev->announcements));
}

void sbx_pl_h_ann_create(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    json_t *body = ev ? sbx_pl_body_object(req, res) : NULL;
    if (!body)
        return;
    json_t *errors = ann_validate(p, ev, body, true);
    if (errors) {
        sbx_pl_reply(res, 400, errors);
    } else {
        char code[SBX_PL_CODE_MAX], now[CLOCK_ISO_LEN];
        sbx_pl_new_code(p, "ANN", code);
        sbx_pl_now_iso(p, now);
        json_t *a = json_pack("{ss ss ss ss s[] s[] s[] sn sn sb sb ss}", "code", code, "event",
                              ev->code, "title", "", "description", "", "recipients", "tags",
                              "tickets", "release_date", "release_time", "is_notification_push", 0,
                              "is_notification_mail", 0, "date_created", now);
        sbx_pl_fields_apply(ann_fields, PS_ARRAY_LEN(ann_fields), a, body, NULL);
        json_array_append_new(ev->announcements, a);
        sbx_pl_reply(res, 201, json_deep_copy(a));
    }
    json_decref(body);
}

static json_t *req_ann(sbx_pl_emu *p, const http_request *req, http_response *res,
                       sbx_pl_event **ev_out)
{
    sbx_pl_event *ev = sbx_pl_req_event(p, req, res);
    if (!ev)
        return NULL;
    json_t *a = ann_find(ev, http_request_param(req, "code"));
    if (!a)
        sbx_pl_reply_detail(res, 404, "Not found.");
    *ev_out = ev;
    return a;
}

void sbx_pl_h_ann_get(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev;
    json_t *a = req_ann(p, req, res, &ev);
    if (a)
        sbx_pl_reply(res, 200, json_deep_copy(a));
}

void sbx_pl_h_ann_patch(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev;
    json_t *a = req_ann(p, req, res, &ev);
    json_t *body = a ? sbx_pl_body_object(req, res) : NULL;
    if (!body)
        return;
    json_t *errors = ann_validate(p, ev, body, false);
    if (errors) {
        sbx_pl_reply(res, 400, errors);
    } else {
        sbx_pl_fields_apply(ann_fields, PS_ARRAY_LEN(ann_fields), a, body, NULL);
        sbx_pl_reply(res, 200, json_deep_copy(a));
    }
    json_decref(body);
}

void sbx_pl_h_ann_delete(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_event *ev;
    json_t *a = req_ann(p, req, res, &ev);
    if (!a)
        return;
    size_t i;
    json_t *x;
    json_array_foreach(ev->announcements, i, x)
    {
        if (x == a) {
            json_array_remove(ev->announcements, i);
            break;
        }
    }
    sbx_pl_reply_no_content(res);
}
