/* pl_members.c: the PheedLoop emulator's organization-wide members: routes one by one and in
 * bulk, with the registration_date_updated range filter. */
#include "sandbox/pheedloop/pl_internal.h"
#include "util/jsonx.h"

static json_t *member_find(sbx_pl_emu *p, const char *code)
{
    return code ? json_object_get(p->mbr_by_code, code) : NULL;
}

static void index_email(sbx_pl_emu *p, json_t *m, bool add)
{
    char norm[300];
    sbx_pl_email_norm(jsonx_str(m, "email"), norm, sizeof norm);
    if (!*norm)
        return;
    if (add)
        json_object_set(p->mbr_by_email, norm, m);
    else if (json_object_get(p->mbr_by_email, norm) == m)
        json_object_del(p->mbr_by_email, norm);
}

/* The member as the API shows it: events_attended is where an attendee has its email. */
static json_t *member_render(sbx_pl_emu *p, const json_t *m)
{
    json_t *out = json_deep_copy(m);
    json_t *events = json_array();
    char norm[300];
    sbx_pl_email_norm(jsonx_str(m, "email"), norm, sizeof norm);
    for (size_t i = 0; *norm && i < p->n_events; i++)
        if (json_object_get(p->events[i]->att_by_email, norm))
            json_array_append_new(events, json_string(p->events[i]->code));
    json_object_set_new(out, "events_attended", events);
    return out;
}

/* ASSUMED: a member's email is unique in the organization, like an attendee's in an event. */
static json_t *member_validate(sbx_pl_emu *p, const json_t *body, const json_t *self,
                               json_t *pending)
{
    json_t *errors = NULL;
    sbx_pl_fields_check(sbx_pl_member_fields, sbx_pl_member_fields_n, body, self == NULL, &errors);
    const json_t *v = json_object_get(body, "email");
    if (errors || !v)
        return errors;
    static const sbx_pl_field email = {"email", SBX_PL_F_EMAIL, true, false, false, 254};
    json_t *sv = sbx_pl_field_value(&email, v);
    char norm[300];
    sbx_pl_email_norm(json_string_value(sv), norm, sizeof norm);
    json_decref(sv);
    json_t *other = json_object_get(p->mbr_by_email, norm);
    if ((other && other != self) || (pending && json_object_get(pending, norm)))
        sbx_pl_add_error(&errors, "email", "A member with this email already exists.");
    else if (pending)
        json_object_set_new(pending, norm, json_true());
    return errors;
}

static json_t *member_create(sbx_pl_emu *p, const json_t *body)
{
    char code[SBX_PL_CODE_MAX], now[CLOCK_ISO_LEN];
    sbx_pl_new_code(p, "MBR", code);
    sbx_pl_now_iso(p, now);
    json_t *m = json_object();
    json_object_set_new(m, "code", json_string(code));
    for (size_t i = 0; i < sbx_pl_member_fields_n; i++) {
        const sbx_pl_field *f = &sbx_pl_member_fields[i];
        json_t *v = f->kind == SBX_PL_F_LIST     ? json_array()
                    : f->kind == SBX_PL_F_OBJECT ? json_object()
                    : f->nullable                ? json_null()
                                                 : json_string("");
        json_object_set_new(m, f->name, v);
    }
    json_object_set_new(m, "events_attended", json_array());
    json_object_set_new(m, "registration_date", json_string(now));
    json_object_set_new(m, "registration_date_updated", json_string(now));
    sbx_pl_fields_apply(sbx_pl_member_fields, sbx_pl_member_fields_n, m, body, NULL);
    json_array_append_new(p->members, m);
    json_object_set(p->mbr_by_code, code, m);
    index_email(p, m, true);
    return m;
}

static void member_update(sbx_pl_emu *p, json_t *m, const json_t *body)
{
    index_email(p, m, false);
    bool changed = sbx_pl_fields_apply(sbx_pl_member_fields, sbx_pl_member_fields_n, m, body, NULL);
    index_email(p, m, true);
    if (!changed)
        return;
    char now[CLOCK_ISO_LEN];
    sbx_pl_now_iso(p, now);
    json_object_set_new(m, "registration_date_updated", json_string(now));
}

void sbx_pl_h_members_list(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    sbx_pl_date_range range;
    if (!sbx_pl_date_range_read(req, res, "registration_date_updated", &range))
        return;
    json_t *items = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(p->members, i, m)
    {
        if (sbx_pl_date_range_match(&range, m, "registration_date_updated"))
            json_array_append_new(items, member_render(p, m));
    }
    sbx_pl_page_reply(req, res, items);
}

static json_t *req_member(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    json_t *m = member_find(p, http_request_param(req, "code"));
    if (!m)
        sbx_pl_reply_detail(res, 404, "Not found.");
    return m;
}

void sbx_pl_h_member_get(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    json_t *m = req_member(p, req, res);
    if (m)
        sbx_pl_reply(res, 200, member_render(p, m));
}

void sbx_pl_h_member_create(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    json_t *body = sbx_pl_body_object(req, res);
    if (!body)
        return;
    json_t *errors = member_validate(p, body, NULL, NULL);
    if (errors)
        sbx_pl_reply(res, 400, errors);
    else
        sbx_pl_reply(res, 201, member_render(p, member_create(p, body)));
    json_decref(body);
}

void sbx_pl_h_member_patch(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    json_t *m = req_member(p, req, res);
    json_t *body = m ? sbx_pl_body_object(req, res) : NULL;
    if (!body)
        return;
    json_t *errors = member_validate(p, body, m, NULL);
    if (errors) {
        sbx_pl_reply(res, 400, errors);
    } else {
        member_update(p, m, body);
        sbx_pl_reply(res, 200, member_render(p, m));
    }
    json_decref(body);
}

/* Bulk calls are all-or-nothing: {} for the good items, the errors for the bad ones. */
static json_t *bulk_check(sbx_pl_emu *p, const json_t *list, bool create)
{
    json_t *errors = json_array(), *pending = json_object();
    bool bad = false;
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        json_t *e = NULL;
        char msg[96];
        if (!json_is_object(item)) {
            snprintf(msg, sizeof msg, "Invalid data. Expected a dictionary, but got %s.",
                     sbx_pl_json_type_name(item));
            e = json_pack("{s[s]}", "non_field_errors", msg);
        } else if (!create && !json_object_get(item, "code")) {
            e = json_pack("{s[s]}", "code", "This field is required.");
        } else if (!create && !member_find(p, jsonx_str(item, "code"))) {
            e = json_pack("{s[s]}", "code", "Member not found.");
        } else {
            json_t *self = create ? NULL : member_find(p, jsonx_str(item, "code"));
            e = member_validate(p, item, self, pending);
        }
        bad |= e != NULL;
        json_array_append_new(errors, e ? e : json_object());
    }
    json_decref(pending);
    if (!bad) {
        json_decref(errors);
        return NULL;
    }
    return errors;
}

static void members_bulk(sbx_pl_emu *p, const http_request *req, http_response *res, bool create)
{
    json_t *list = sbx_pl_body_json(req, res);
    if (!list)
        return;
    if (!json_is_array(list) || json_array_size(list) > SBX_PL_BULK_MAX) {
        char msg[96];
        if (json_is_array(list))
            snprintf(msg, sizeof msg, "Ensure this field has no more than %d elements.",
                     SBX_PL_BULK_MAX);
        else
            snprintf(msg, sizeof msg, "Expected a list of items but got type \"%s\".",
                     sbx_pl_json_type_name(list));
        sbx_pl_reply_field(res, "non_field_errors", msg);
        json_decref(list);
        return;
    }
    json_t *errors = bulk_check(p, list, create);
    if (errors) {
        sbx_pl_reply(res, 400, errors);
        json_decref(list);
        return;
    }
    json_t *out = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        json_t *m = create ? member_create(p, item) : member_find(p, jsonx_str(item, "code"));
        if (!create)
            member_update(p, m, item);
        json_array_append_new(out, member_render(p, m));
    }
    sbx_pl_reply(res, create ? 201 : 200, out);
    json_decref(list);
}

void sbx_pl_h_members_bulk_create(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    members_bulk(p, req, res, true);
}

void sbx_pl_h_members_bulk_patch(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    members_bulk(p, req, res, false);
}

json_t *sbx_pl_member_seed(sbx_pl_emu *p, const json_t *fields)
{
    json_t *errors = member_validate(p, fields, NULL, NULL);
    if (errors) {
        json_decref(errors);
        return NULL;
    }
    return member_create(p, fields);
}
