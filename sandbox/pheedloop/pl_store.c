/* pl_store.c: the PheedLoop emulator's records: events, tickets, event tags, attendees and
 * their registrations, check-in; every change that PheedLoop would announce fires its webhook.
 * Every function here runs with the state's mutex held. */
#include "sandbox/pheedloop/pl_internal.h"
#include "util/jsonx.h"

#include <ctype.h>

#define WELCOME_LOG_MAX 200

sbx_pl_event *sbx_pl_event_find(sbx_pl_emu *p, const char *code)
{
    for (size_t i = 0; code && i < p->n_events; i++)
        if (strcmp(p->events[i]->code, code) == 0)
            return p->events[i];
    return NULL;
}

static json_t *ticket_new(sbx_pl_emu *p, sbx_pl_event *ev, const char *name)
{
    char code[SBX_PL_CODE_MAX];
    sbx_pl_new_code(p, "TIK", code);
    json_t *t =
        json_pack("{sI ss ss ss ss ss}", "id", (json_int_t)p->next_ticket_id++, "code", code,
                  "name", name, "description", "", "price", "0.00", "event_code", ev->code);
    if (t)
        json_array_append_new(p->tickets, t);
    return t;
}

static sbx_pl_event *event_alloc(void)
{
    sbx_pl_event *ev = calloc(1, sizeof *ev);
    if (!ev)
        return NULL;
    ev->attendees = json_array();
    ev->att_by_code = json_object();
    ev->att_by_email = json_object();
    ev->registrations = json_array();
    ev->reg_by_att = json_object();
    ev->tags = json_array();
    ev->announcements = json_array();
    ev->hooks = json_array();
    if (!ev->attendees || !ev->att_by_code || !ev->att_by_email || !ev->registrations ||
        !ev->reg_by_att || !ev->tags || !ev->announcements || !ev->hooks) {
        sbx_pl_event_free(ev);
        return NULL;
    }
    return ev;
}

void sbx_pl_event_free(sbx_pl_event *ev)
{
    if (!ev)
        return;
    json_decref(ev->rec);
    json_decref(ev->attendees);
    json_decref(ev->att_by_code);
    json_decref(ev->att_by_email);
    json_decref(ev->registrations);
    json_decref(ev->reg_by_att);
    json_decref(ev->tags);
    json_decref(ev->announcements);
    json_decref(ev->hooks);
    free(ev);
}

static bool code_ok(const char *code)
{
    size_t n = strlen(code);
    if (n == 0 || n >= SBX_PL_CODE_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)code[i]) && code[i] != '-' && code[i] != '_')
            return false;
    return true;
}

static int events_grow(sbx_pl_emu *p, err *e)
{
    if (p->n_events < p->cap_events)
        return 0;
    size_t cap = p->cap_events ? p->cap_events * 2 : 8;
    sbx_pl_event **n = realloc(p->events, cap * sizeof *n);
    if (!n)
        return err_set(e, ERR_NOMEM, "out of memory");
    p->events = n;
    p->cap_events = cap;
    return 0;
}

int sbx_pl_event_add(sbx_pl_emu *p, const char *code, const char *name, const char *date,
                     const char *end_date, const char *timezone, sbx_pl_event **out, err *e)
{
    char gen[SBX_PL_CODE_MAX], now[CLOCK_ISO_LEN], today[CLOCK_ISO_LEN];
    if (!code) {
        sbx_pl_new_code(p, "EVE", gen);
        code = gen;
    }
    if (!code_ok(code))
        return err_set(e, ERR_INVALID, "event code must be 1 to %d letters, digits, - or _",
                       SBX_PL_CODE_MAX - 1);
    if (sbx_pl_event_find(p, code))
        return err_set(e, ERR_CONFLICT, "event %s already exists", code);
    if ((date && !sbx_pl_date_valid(date)) || (end_date && !sbx_pl_date_valid(end_date)))
        return err_set(e, ERR_INVALID, "event dates must be YYYY-MM-DD");
    if (events_grow(p, e) < 0)
        return e ? e->code : ERR_NOMEM;
    sbx_pl_event *ev = event_alloc();
    if (!ev)
        return err_set(e, ERR_NOMEM, "out of memory");
    sbx_pl_now_iso(p, now);
    clock_format_date(sbx_pl_now_ms(p), today);
    ev->id = p->next_event_id++;
    snprintf(ev->code, sizeof ev->code, "%s", code);
    sbx_pl_new_hex(p, ev->secret);
    ev->rec = json_pack("{sI ss ss ss ss ss ss s[] ss ss}", "id", (json_int_t)ev->id, "code", code,
                        "event_name", name ? name : code, "date", date ? date : today, "end_date",
                        end_date ? end_date : (date ? date : today), "timezone",
                        timezone ? timezone : "UTC", "description", "", "custom_fields",
                        "date_created", now, "date_updated", now);
    if (!ev->rec || !ticket_new(p, ev, "General Admission")) {
        sbx_pl_event_free(ev);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    p->events[p->n_events++] = ev;
    if (out)
        *out = ev;
    return 0;
}

json_t *sbx_pl_event_tag_find(sbx_pl_event *ev, const char *name)
{
    size_t i;
    json_t *t;
    json_array_foreach(ev->tags, i, t)
    {
        if (strcasecmp(jsonx_str(t, "name"), name) == 0)
            return t;
    }
    return NULL;
}

json_t *sbx_pl_event_tag_add(sbx_pl_emu *p, sbx_pl_event *ev, const char *name,
                             const char *description)
{
    char code[SBX_PL_CODE_MAX];
    sbx_pl_new_code(p, "TAG", code);
    json_t *t =
        json_pack("{sI ss ss ss ss}", "id", (json_int_t)p->next_tag_id++, "code", code, "name",
                  name, "event", ev->code, "description", description ? description : "");
    if (t)
        json_array_append_new(ev->tags, t);
    return t;
}

json_t *sbx_pl_ticket_find(sbx_pl_emu *p, sbx_pl_event *ev, const char *code)
{
    size_t i;
    json_t *t;
    json_array_foreach(p->tickets, i, t)
    {
        if (strcmp(jsonx_str(t, "event_code"), ev->code) == 0 &&
            strcmp(jsonx_str(t, "code"), code) == 0)
            return t;
    }
    return NULL;
}

json_t *sbx_pl_ticket_by_name(sbx_pl_emu *p, sbx_pl_event *ev, const char *name, bool create)
{
    size_t i;
    json_t *t;
    json_array_foreach(p->tickets, i, t)
    {
        if (strcmp(jsonx_str(t, "event_code"), ev->code) == 0 &&
            strcasecmp(jsonx_str(t, "name"), name) == 0)
            return t;
    }
    return create ? ticket_new(p, ev, name) : NULL;
}

void sbx_pl_email_norm(const char *email, char *out, size_t out_len)
{
    out[0] = '\0';
    if (!email)
        return;
    while (isspace((unsigned char)*email))
        email++;
    size_t len = strlen(email);
    while (len > 0 && isspace((unsigned char)email[len - 1]))
        len--;
    if (len >= out_len)
        return;
    for (size_t i = 0; i < len; i++)
        out[i] = (char)tolower((unsigned char)email[i]);
    out[len] = '\0';
}

json_t *sbx_pl_att_find(sbx_pl_event *ev, const char *code)
{
    return code ? json_object_get(ev->att_by_code, code) : NULL;
}

json_t *sbx_pl_reg_find(sbx_pl_event *ev, const char *code)
{
    size_t i;
    json_t *r;
    json_array_foreach(ev->registrations, i, r)
    {
        if (strcmp(jsonx_str(r, "code"), code) == 0)
            return r;
    }
    return NULL;
}

static void check_tags(sbx_pl_event *ev, const json_t *tags, sbx_pl_origin origin, json_t **errors)
{
    size_t i;
    json_t *t;
    char msg[300];
    json_array_foreach(tags, i, t)
    {
        if (!json_is_string(t)) {
            sbx_pl_add_error(errors, "tags", "Each tag must be a string.");
            return;
        }
        if (origin != SBX_PL_FROM_SEED && !sbx_pl_event_tag_find(ev, json_string_value(t))) {
            snprintf(msg, sizeof msg, "Tag \"%.*s\" does not exist in this event.",
                     sbx_pl_utf8_cut(json_string_value(t), 200), json_string_value(t));
            sbx_pl_add_error(errors, "tags", msg);
        }
    }
}

static void check_email_unique(sbx_pl_event *ev, const json_t *body, const json_t *self,
                               json_t *pending, json_t **errors)
{
    const json_t *v = json_object_get(body, "email");
    if (!v || json_object_get(*errors, "email"))
        return;
    const sbx_pl_field email = {"email", SBX_PL_F_EMAIL, true, false, false, 254};
    json_t *sv = sbx_pl_field_value(&email, v);
    char norm[300];
    sbx_pl_email_norm(json_string_value(sv), norm, sizeof norm);
    json_decref(sv);
    const json_t *other = json_object_get(ev->att_by_email, norm);
    if ((other && other != self) || (pending && json_object_get(pending, norm))) {
        sbx_pl_add_error(errors, "email", SBX_PL_MSG_DUP_EMAIL);
        return;
    }
    if (pending)
        json_object_set_new(pending, norm, json_true());
}

static void check_ticket(sbx_pl_emu *p, sbx_pl_event *ev, const json_t *body, sbx_pl_origin origin,
                         json_t **errors)
{
    const json_t *code = json_object_get(body, "ticket_code");
    const json_t *name = json_object_get(body, "ticket_name");
    if (code && !json_is_null(code) &&
        (!json_is_string(code) || !sbx_pl_ticket_find(p, ev, json_string_value(code))))
        sbx_pl_add_error(errors, "ticket_code", "Invalid ticket for this event.");
    if (name && !json_is_null(name)) {
        if (!json_is_string(name) || !*json_string_value(name))
            sbx_pl_add_error(errors, "ticket_name", "Not a valid string.");
        else if (origin != SBX_PL_FROM_SEED &&
                 !sbx_pl_ticket_by_name(p, ev, json_string_value(name), false))
            sbx_pl_add_error(errors, "ticket_name", "Invalid ticket for this event.");
    }
}

json_t *sbx_pl_att_validate(sbx_pl_emu *p, sbx_pl_event *ev, const json_t *body, const json_t *self,
                            json_t *pending, sbx_pl_origin origin)
{
    static const char *const flags[] = {"send_app_welcome_email", "send_attendee_portal_welcome",
                                        "send_welcome_virtual_portal_email"};
    static const sbx_pl_field flag = {"flag", SBX_PL_F_BOOL, false, false, false, 0};
    json_t *errors = NULL;
    sbx_pl_fields_check(sbx_pl_attendee_fields, sbx_pl_attendee_fields_n, body, self == NULL,
                        &errors);
    const json_t *tags = json_object_get(body, "tags");
    if (json_is_array(tags))
        check_tags(ev, tags, origin, &errors);
    if (!self) {
        check_ticket(p, ev, body, origin, &errors);
        for (size_t i = 0; i < PS_ARRAY_LEN(flags); i++) {
            json_t *err_holder = NULL;
            json_t *v = json_object_get(body, flags[i]);
            if (v) {
                json_t *tmp = json_pack("{sO}", "flag", v);
                sbx_pl_fields_check(&flag, 1, tmp, false, &err_holder);
                json_decref(tmp);
            }
            if (err_holder)
                sbx_pl_add_error(&errors, flags[i], "Must be a valid boolean.");
            json_decref(err_holder);
        }
    }
    check_email_unique(ev, body, self, errors ? NULL : pending, &errors);
    return errors;
}

/* The attendee's tags as the event spells them (unknown ones only reach here from seeding). */
static json_t *canonical_tags(sbx_pl_emu *p, sbx_pl_event *ev, const json_t *tags)
{
    json_t *out = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t)
    {
        json_t *tag = sbx_pl_event_tag_find(ev, json_string_value(t));
        if (!tag)
            tag = sbx_pl_event_tag_add(p, ev, json_string_value(t), NULL);
        const char *name = tag ? jsonx_str(tag, "name") : json_string_value(t);
        if (!jsonx_array_has_str(out, name))
            json_array_append_new(out, json_string(name));
    }
    return out;
}

static json_t *attendee_blank(const char *code)
{
    json_t *a = json_object();
    json_object_set_new(a, "code", json_string(code));
    for (size_t i = 0; i < sbx_pl_attendee_fields_n; i++) {
        const sbx_pl_field *f = &sbx_pl_attendee_fields[i];
        json_t *v;
        if (f->kind == SBX_PL_F_STR || f->kind == SBX_PL_F_EMAIL)
            v = f->nullable ? json_null() : json_string("");
        else if (f->kind == SBX_PL_F_BOOL)
            v = json_true();
        else if (f->kind == SBX_PL_F_LIST)
            v = json_array();
        else if (f->kind == SBX_PL_F_OBJECT)
            v = json_object();
        else
            v = json_null();
        json_object_set_new(a, f->name, v);
        if (strcmp(f->name, "metadata") == 0) {
            json_object_set_new(a, "is_checked_in", json_false());
            json_object_set_new(a, "checkin_date", json_null());
        }
    }
    return a;
}

/* Every field except tags, which go through canonical_tags. True when something changed. */
static bool apply_fields(sbx_pl_emu *p, sbx_pl_event *ev, json_t *att, const json_t *body)
{
    bool changed =
        sbx_pl_fields_apply(sbx_pl_attendee_fields, sbx_pl_attendee_fields_n, att, body, "tags");
    const json_t *tags = json_object_get(body, "tags");
    if (json_is_array(tags)) {
        json_t *canon = canonical_tags(p, ev, tags);
        if (!json_equal(canon, json_object_get(att, "tags")))
            changed = true;
        json_object_set_new(att, "tags", canon);
    }
    return changed;
}

static const char *const reg_person[] = {
    "first_name",    "last_name",       "email",          "organization", "title",
    "address_phone", "address_line_1",  "address_line_2", "address_city", "address_state",
    "address_zip",   "address_country", "tags",
};

/* Copies the attendee's person fields to its registration; true when one changed. */
static bool reg_sync(json_t *reg, const json_t *att)
{
    bool changed = false;
    for (size_t i = 0; i < PS_ARRAY_LEN(reg_person); i++) {
        json_t *v = json_object_get(att, reg_person[i]);
        if (!json_equal(v, json_object_get(reg, reg_person[i]))) {
            json_object_set_new(reg, reg_person[i], json_deep_copy(v));
            changed = true;
        }
    }
    return changed;
}

static json_t *reg_new(sbx_pl_emu *p, sbx_pl_event *ev, const json_t *att, const json_t *ticket)
{
    char code[SBX_PL_CODE_MAX], now[CLOCK_ISO_LEN];
    sbx_pl_new_code(p, "REG", code);
    sbx_pl_now_iso(p, now);
    json_t *r = json_pack("{ss ss ss}", "code", code, "attendee_code", jsonx_str(att, "code"),
                          "event_code", ev->code);
    reg_sync(r, att);
    json_object_set_new(r, "ticket_name", json_string(jsonx_str(ticket, "name")));
    json_object_set_new(r, "ticket_code", json_string(jsonx_str(ticket, "code")));
    json_t *rest = json_pack(
        "{sb sb sb sb sn ss ss s[] s{} ss ss ss ss ss ss ss ss ss}", "registration_complete", 1,
        "canceled", 0, "paid", strcmp(jsonx_str(ticket, "price"), "0.00") != 0, "checked_in", 0,
        "checked_in_date", "registration_date", now, "date_updated", now, "custom_fields",
        "form_response", "notes", "", "registrant_first_name", jsonx_str(att, "first_name"),
        "registrant_last_name", jsonx_str(att, "last_name"), "registrant_email",
        jsonx_str(att, "email"), "utm_source", "", "utm_medium", "", "utm_campaign", "", "utm_term",
        "", "utm_content", "");
    if (!r || !rest) {
        json_decref(r);
        json_decref(rest);
        return NULL;
    }
    json_object_update(r, rest);
    json_decref(rest);
    return r;
}

static void welcome_count(sbx_pl_emu *p, sbx_pl_event *ev, const json_t *att, const json_t *body)
{
    static const char *const flags[SBX_PL_WELCOME_KINDS] = {"send_app_welcome_email",
                                                            "send_attendee_portal_welcome",
                                                            "send_welcome_virtual_portal_email"};
    static const char *const kinds[SBX_PL_WELCOME_KINDS] = {"app", "attendee_portal",
                                                            "virtual_portal"};
    static const sbx_pl_field flag = {"flag", SBX_PL_F_BOOL, false, false, false, 0};
    char now[CLOCK_ISO_LEN];
    sbx_pl_now_iso(p, now);
    for (int k = 0; k < SBX_PL_WELCOME_KINDS; k++) {
        const json_t *v = json_object_get(body, flags[k]);
        /* ASSUMED: an absent flag sends the email, so a silent client must say false. */
        json_t *on = v ? sbx_pl_field_value(&flag, v) : json_true();
        bool send = json_is_true(on);
        json_decref(on);
        if (!send)
            continue;
        p->welcome_count[k]++;
        json_array_append_new(p->welcome_log,
                              json_pack("{ss ss ss ss ss}", "kind", kinds[k], "attendee_code",
                                        jsonx_str(att, "code"), "event_code", ev->code, "email",
                                        jsonx_str(att, "email"), "ts", now));
        if (json_array_size(p->welcome_log) > WELCOME_LOG_MAX)
            json_array_remove(p->welcome_log, 0);
    }
}

static void index_email(sbx_pl_event *ev, json_t *att, bool add)
{
    char norm[300];
    sbx_pl_email_norm(jsonx_str(att, "email"), norm, sizeof norm);
    if (!*norm)
        return;
    if (add)
        json_object_set(ev->att_by_email, norm, att);
    else if (json_object_get(ev->att_by_email, norm) == att)
        json_object_del(ev->att_by_email, norm);
}

static const json_t *ticket_for(sbx_pl_emu *p, sbx_pl_event *ev, const json_t *body,
                                sbx_pl_origin origin)
{
    const char *code = jsonx_str(body, "ticket_code");
    const char *name = jsonx_str(body, "ticket_name");
    const json_t *t = code ? sbx_pl_ticket_find(p, ev, code) : NULL;
    if (!t && name && *name)
        t = sbx_pl_ticket_by_name(p, ev, name, origin == SBX_PL_FROM_SEED);
    if (!t)
        t = sbx_pl_ticket_by_name(p, ev, "General Admission", true);
    return t;
}

json_t *sbx_pl_att_create(sbx_pl_emu *p, sbx_pl_event *ev, const json_t *body, sbx_pl_origin origin)
{
    char code[SBX_PL_CODE_MAX];
    sbx_pl_new_code(p, "ATT", code);
    json_t *att = attendee_blank(code);
    if (!att)
        return NULL;
    apply_fields(p, ev, att, body);
    json_t *reg = reg_new(p, ev, att, ticket_for(p, ev, body, origin));
    if (!reg) {
        json_decref(att);
        return NULL;
    }
    json_array_append_new(ev->attendees, att);
    json_object_set(ev->att_by_code, code, att);
    index_email(ev, att, true);
    json_array_append_new(ev->registrations, reg);
    json_object_set(ev->reg_by_att, code, reg);
    if (origin == SBX_PL_FROM_API)
        welcome_count(p, ev, att, body);
    if (origin != SBX_PL_FROM_SEED) {
        sbx_pl_hooks_fire(p, ev, "registration.created", reg);
        sbx_pl_hooks_fire(p, ev, "attendee.created", att);
    }
    return att;
}

static void reg_touch(sbx_pl_emu *p, json_t *reg)
{
    char now[CLOCK_ISO_LEN];
    sbx_pl_now_iso(p, now);
    json_object_set_new(reg, "date_updated", json_string(now));
}

void sbx_pl_att_update(sbx_pl_emu *p, sbx_pl_event *ev, json_t *att, const json_t *body,
                       sbx_pl_origin origin)
{
    index_email(ev, att, false);
    bool changed = apply_fields(p, ev, att, body);
    index_email(ev, att, true);
    json_t *reg = json_object_get(ev->reg_by_att, jsonx_str(att, "code"));
    /* No updated-at on attendees: the registration's date_updated is what pollers see. */
    if (reg && reg_sync(reg, att))
        reg_touch(p, reg);
    if (changed && origin != SBX_PL_FROM_SEED)
        sbx_pl_hooks_fire(p, ev, "attendee.updated", att);
}

static void array_remove_ptr(json_t *array, const json_t *item)
{
    size_t i;
    json_t *v;
    json_array_foreach(array, i, v)
    {
        if (v == item) {
            json_array_remove(array, i);
            return;
        }
    }
}

void sbx_pl_att_delete(sbx_pl_emu *p, sbx_pl_event *ev, json_t *att, sbx_pl_origin origin)
{
    char code[SBX_PL_CODE_MAX];
    snprintf(code, sizeof code, "%s", jsonx_str(att, "code"));
    json_incref(att);
    json_t *reg = json_object_get(ev->reg_by_att, code);
    json_incref(reg);
    index_email(ev, att, false);
    json_object_del(ev->att_by_code, code);
    json_object_del(ev->reg_by_att, code);
    array_remove_ptr(ev->attendees, att);
    if (reg)
        array_remove_ptr(ev->registrations, reg);
    if (origin != SBX_PL_FROM_SEED) {
        sbx_pl_hooks_fire(p, ev, "attendee.deleted", att);
        if (reg)
            sbx_pl_hooks_fire(p, ev, "registration.deleted", reg);
    }
    json_decref(reg);
    json_decref(att);
}

bool sbx_pl_att_checkin(sbx_pl_emu *p, sbx_pl_event *ev, json_t *att, bool in, sbx_pl_origin origin)
{
    if (json_is_true(json_object_get(att, "is_checked_in")) == in)
        return false;
    char now[CLOCK_ISO_LEN];
    sbx_pl_now_iso(p, now);
    json_t *when = in ? json_string(now) : json_null();
    json_object_set_new(att, "is_checked_in", json_boolean(in));
    json_object_set(att, "checkin_date", when);
    json_t *reg = json_object_get(ev->reg_by_att, jsonx_str(att, "code"));
    if (reg) {
        json_object_set_new(reg, "checked_in", json_boolean(in));
        json_object_set(reg, "checked_in_date", when);
        reg_touch(p, reg);
    }
    json_decref(when);
    if (origin != SBX_PL_FROM_SEED)
        sbx_pl_hooks_fire(p, ev, in ? "checkin.created" : "checkin.deleted", att);
    return true;
}

void sbx_pl_reg_cancel(sbx_pl_emu *p, sbx_pl_event *ev, json_t *reg, sbx_pl_origin origin)
{
    if (json_is_true(json_object_get(reg, "canceled")))
        return;
    json_object_set_new(reg, "canceled", json_true());
    reg_touch(p, reg);
    if (origin != SBX_PL_FROM_SEED)
        sbx_pl_hooks_fire(p, ev, "registration.updated", reg);
}
