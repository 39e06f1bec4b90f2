/* planner_rules.c: the rules (flow F6): each trigger the planner sees fires the rules that want
 * it; their actions become operations keyed so that one trigger fires a rule once, however
 * often the person is planned again. */
#include "engine/sync_int.h"

#include "util/jsonx.h"
#include "util/log.h"

#define DAY_MS (24 * 3600 * 1000LL)

/* The values the conditions and templates read: the contact's, the attendee's (when the trigger
 * is about one) and the trigger's own. */
static json_t *rule_vars(person_plan *pp, const char *attendee_key, const json_t *attendee,
                         const json_t *extra, err *e)
{
    json_t *vars = core_person_vars(&pp->ghl);
    if (attendee && attendee_key) {
        char scratch[ENGINE_KEY_MAX];
        const char *parts[3];
        core_person p = {0};
        json_t *reg = rec_registration(pp->c, attendee_key);
        if (engine_key_parse(attendee_key, scratch, parts) &&
            rec_person_pl(&p, pp->c, parts[1], attendee, reg, e) == 0) {
            json_t *pv = core_person_vars(&p);
            json_object_update(vars, pv);
            json_decref(pv);
        }
        json_decref(reg);
        core_person_clear(&p);
    }
    if (extra)
        json_object_update(vars, (json_t *)(uintptr_t)extra);
    return vars;
}

/* Where a HighLevel action goes: the contact, or the one being created in this plan. */
static int ghl_target(json_t *payload, char *rk, size_t n, person_plan *pp,
                      const char *attendee_key)
{
    if (*pp->contact_id) {
        json_object_set_new(payload, "contact_id", json_string(pp->contact_id));
        sync_key_ghl(rk, pp->c->en->link.location_id, pp->contact_id);
        return 0;
    }
    if (!*pp->pending_key || !attendee_key)
        return ERR_NOT_FOUND;
    json_object_set_new(payload, "attendee_key", json_string(attendee_key));
    snprintf(rk, n, "%s", pp->pending_key);
    return 0;
}

static void iso(char out[CLOCK_ISO_LEN], int64_t ms)
{
    clock_format_iso(ms, out);
}

static json_t *ghl_payload(const core_action *a, int64_t now)
{
    char due[CLOCK_ISO_LEN];
    switch (a->kind) {
    case CORE_ACTION_GHL_ADD_TAG:
        return json_pack("{s:[s], s:[]}", "tags_add", a->text, "tags_remove");
    case CORE_ACTION_GHL_REMOVE_TAG:
        return json_pack("{s:[], s:[s]}", "tags_add", "tags_remove", a->text);
    case CORE_ACTION_GHL_CREATE_TASK:
        iso(due, a->has_time ? a->time_ms : now + DAY_MS);
        return json_pack("{s:{s:s, s:s*, s:s, s:b}}", "body", "title", a->text, "body", a->detail,
                         "dueDate", due, "completed", 0);
    default:
        return json_pack("{s:{s:s}}", "body", "body", a->text);
    }
}

static const char *ghl_kind(core_action_kind k)
{
    return k == CORE_ACTION_GHL_CREATE_TASK ? "ghl.create_task"
           : k == CORE_ACTION_GHL_ADD_NOTE  ? "ghl.create_note"
                                            : "ghl.tags";
}

/* A PheedLoop tag action: the attendee's PATCH (kept in the plan) gets the tag delta. */
static int pl_tag_action(person_plan *pp, const char *attendee_key, const core_action *a, err *e)
{
    json_t *entry = json_object_get(pp->pl, attendee_key);
    if (!entry)
        return 0; /* not linked yet: nothing to tag */
    json_t *body = json_object_get(entry, "body");
    json_t *now = json_deep_copy(json_object_get(entry, "attendee"));
    json_object_update(now, body);
    json_t *reg = json_object_get(entry, "registration");
    core_pl_record rec;
    int rc = rec_pl_record(&rec, pp->c, jsonx_str(entry, "event"), now,
                           json_is_null(reg) ? NULL : reg, e);
    json_t *one = json_pack("[s]", a->text), *none = json_array();
    core_tag_delta d = {a->kind == CORE_ACTION_PL_ADD_TAG ? one : none,
                        a->kind == CORE_ACTION_PL_ADD_TAG ? none : one};
    json_t *values = json_object(), *delta_body = NULL;
    if (rc == 0)
        rc = core_person_to_pl_fields(&delta_body, pp->c->set.map, values, &d, &rec, e);
    if (rc == 0)
        json_object_update(body, delta_body);
    json_decref(delta_body);
    json_decref(values);
    json_decref(one);
    json_decref(none);
    json_decref(now);
    return rc;
}

static int pl_announce(person_plan *pp, const char *attendee_key, const core_action *a,
                       const char *idem, err *e)
{
    json_t *entry = json_object_get(pp->pl, attendee_key);
    if (!entry)
        return 0;
    /* PheedLoop reads the release date and time in the event's timezone. */
    int64_t at = a->has_time ? a->time_ms : pp->c->now_ms;
    tz_zone *zone = NULL;
    char tz[64];
    int rc = planner_event_zone(&zone, tz, pp->c, jsonx_str(entry, "event"),
                                "rule announcements are released in UTC", e);
    if (rc != 0)
        return rc;
    int64_t local = at + (zone ? (int64_t)tz_offset_at(zone, at / 1000) * 1000 : 0);
    tz_free(zone);
    char date[CLOCK_ISO_LEN], when[CLOCK_ISO_LEN];
    clock_format_date(local, date);
    iso(when, local);
    char time_of_day[16];
    snprintf(time_of_day, sizeof time_of_day, "%.8s", when + 11);
    json_t *payload =
        json_pack("{s:s, s:{s:s, s:s*, s:[s], s:s, s:s, s:b, s:b}}", "event",
                  jsonx_str(entry, "event"), "body", "title", a->text, "description", a->detail,
                  "recipients", jsonx_str(entry, "code"), "release_date", date, "release_time",
                  time_of_day, "is_notification_push", 1, "is_notification_mail", 1);
    return plan_op(pp->p, "pheedloop", pp->c->en->link.org_code, "pl.announce", attendee_key,
                   payload, idem, pp->lane, e);
}

/* F4: the contact becomes an attendee of the event, where a rule says so. */
static int pl_register(person_plan *pp, const core_action *a, const char *idem, err *e)
{
    plan_ctx *c = pp->c;
    const char *event = a->text;
    if (!*pp->contact_id || !sync_event_configured(c->en, event)) {
        log_warnf("rule %s: %s is not a configured event; nobody registered", a->rule, event);
        return 0;
    }
    for (size_t i = 0; pp->link && i < pp->link->n_attendees; i++) {
        if (!strcmp(pp->link->attendees[i].event, event))
            return 0; /* an attendee of that event already */
    }
    char email[320];
    sync_norm_email(email, sizeof email, jsonx_str(pp->contact, "email"));
    if (!*email) {
        log_warnf("rule %s: contact %s has no email; not registered", a->rule, pp->contact_id);
        return 0;
    }
    json_t *values = json_deep_copy(pp->ghl.values), *body = NULL;
    int rc = values ? core_person_to_pl_fields(&body, c->set.map, values, NULL, NULL, e)
                    : err_set(e, ERR_NOMEM, "out of memory");
    json_decref(values);
    if (rc != 0)
        return rc;
    char rk[ENGINE_KEY_MAX + 400];
    snprintf(rk, sizeof rk, "pl:%s:%s:email:%s", c->en->link.org_code, event, email);
    json_t *payload = json_pack("{s:s, s:s, s:s, s:o, s:s}", "event", event, "email", email,
                                "contact_id", pp->contact_id, "body", body, "rule", a->rule);
    return plan_op(pp->p, "pheedloop", c->en->link.org_code, "pl.create_attendee", rk, payload,
                   idem, pp->lane, e);
}

static int one_action(person_plan *pp, const char *attendee_key, const core_action *a,
                      const char *idem, err *e)
{
    switch (a->kind) {
    case CORE_ACTION_PL_REGISTER:
        return pl_register(pp, a, idem, e);
    case CORE_ACTION_PL_ADD_TAG:
    case CORE_ACTION_PL_REMOVE_TAG:
        return attendee_key ? pl_tag_action(pp, attendee_key, a, e) : 0;
    case CORE_ACTION_PL_ANNOUNCE:
        return attendee_key ? pl_announce(pp, attendee_key, a, idem, e) : 0;
    default:
        break;
    }
    json_t *payload = ghl_payload(a, pp->c->now_ms);
    char rk[ENGINE_KEY_MAX];
    if (!payload)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (ghl_target(payload, rk, sizeof rk, pp, attendee_key) != 0) {
        json_decref(payload);
        return 0;
    }
    json_object_set_new(payload, "rule", json_string(a->rule));
    if (*pp->person) /* whose audit entry; a contact not made yet has none */
        json_object_set_new(payload, "person", json_string(pp->person));
    return plan_op(pp->p, "ghl", pp->c->en->link.location_id, ghl_kind(a->kind), rk, payload, idem,
                   pp->lane, e);
}

static int fire(person_plan *pp, const char *trigger, const char *attendee_key,
                const json_t *attendee, const json_t *extra, const char *once, err *e)
{
    const core_rules *rules = pp->c->set.rules;
    if (!rules || !core_rules_wants(rules, trigger))
        return 0;
    json_t *vars = rule_vars(pp, attendee_key, attendee, extra, e);
    core_actions acts = {0};
    int rc = core_rules_eval(&acts, rules, trigger, vars, pp->c->now_ms, e);
    json_decref(vars);
    for (size_t i = 0; rc == 0 && i < acts.n; i++) {
        char idem[ENGINE_KEY_MAX * 2];
        if (once)
            snprintf(idem, sizeof idem, "rule:%s:%s:%s:%zu", acts.v[i].rule, trigger, once, i);
        else
            snprintf(idem, sizeof idem, "rule:%s:%s:%s#%lld.%lld:%zu", acts.v[i].rule, trigger,
                     pp->h->record_key, (long long)pp->h->last_id, (long long)pp->h->received_ms,
                     i);
        rc = one_action(pp, attendee_key, &acts.v[i], idem, e);
        if (rc == 0)
            log_infof("rule %s fired on %s for %s", acts.v[i].rule, trigger,
                      attendee_key ? attendee_key : pp->contact_id);
    }
    core_actions_clear(&acts);
    return rc;
}

int planner_rules(person_plan *pp, const char *trigger, const char *attendee_key,
                  const json_t *attendee, const char *once, err *e)
{
    json_t *a = attendee ? (json_t *)(uintptr_t)attendee : NULL;
    if (!a && attendee_key)
        a = json_object_get(json_object_get(pp->pl, attendee_key), "attendee");
    return fire(pp, trigger, attendee_key, a, NULL, once, e);
}

/* ---------------------------------------------------------------- contact triggers */

/* The trigger's values from a task, note or appointment webhook. */
static json_t *activity_vars(const store_hint *h, const char **id)
{
    json_t *p = json_loads(h->payload ? h->payload : "{}", 0, NULL);
    json_t *rec = json_object_get(p, "appointment");
    rec = json_is_object(rec) ? rec : p;
    *id = NULL;
    json_t *v = json_object();
    static const char *const task[][2] = {
        {"task_id", "id"}, {"task_title", "title"}, {"task_body", "body"}, {"task_due", "dueDate"}};
    static const char *const note[][2] = {{"note_id", "id"}, {"note_body", "body"}};
    static const char *const appt[][2] = {{"appointment_id", "id"},
                                          {"appointment_title", "title"},
                                          {"appointment_start", "startTime"},
                                          {"appointment_end", "endTime"},
                                          {"appointment_status", "appointmentStatus"}};
    const char *const(*map)[2] = !strncmp(h->kind, "Task", 4)   ? task
                                 : !strncmp(h->kind, "Note", 4) ? note
                                                                : appt;
    size_t n = map == task ? 4 : map == note ? 2 : 5;
    for (size_t i = 0; i < n; i++) {
        const char *s = jsonx_str(rec, map[i][1]);
        if (s)
            json_object_set_new(v, map[i][0], json_string(s));
    }
    const char *id_key = map == task ? "task_id" : map == note ? "note_id" : "appointment_id";
    json_decref(p);
    *id = jsonx_str(v, id_key);
    return v;
}

static const char *activity_trigger(const char *kind)
{
    static const char *const map[][2] = {
        {"TaskCreate", "ghl.task.created"},
        {"TaskComplete", "ghl.task.completed"},
        {"NoteCreate", "ghl.note.created"},
        {"AppointmentCreate", "ghl.appointment.created"},
        {"AppointmentUpdate", "ghl.appointment.updated"},
        {"AppointmentDelete", "ghl.appointment.deleted"},
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(map); i++) {
        if (!strcmp(kind, map[i][0]))
            return map[i][1];
    }
    return NULL;
}

/* Tags added to or removed from the contact since the last sync. */
int planner_tag_triggers(person_plan *pp, err *e)
{
    if (!pp->link || !pp->link->n_attendees)
        return 0;
    char key[ENGINE_KEY_MAX];
    const store_attendee_ref *a = &pp->link->attendees[0];
    sync_key_pl(key, a->org, a->event, a->code);
    json_t *sh = sync_shadow_json(pp->c->en, SIDE_GHL, key);
    const core_field *tf = core_map_tags(pp->c->set.map);
    if (!sh || !tf) {
        json_decref(sh);
        return 0;
    }
    const json_t *was = json_object_get(sh, tf->name);
    const json_t *now = json_object_get(pp->ghl.values, tf->name);
    int rc = 0;
    for (int pass = 0; rc == 0 && pass < 2; pass++) {
        const json_t *from = pass == 0 ? now : was, *other = pass == 0 ? was : now;
        size_t i;
        const json_t *t;
        json_array_foreach(from, i, t)
        {
            const char *tag = json_string_value(t);
            if (rc != 0 || !tag || jsonx_array_has_str(other, tag))
                continue;
            json_t *extra = json_pack("{s:s}", "tag", tag);
            char once[ENGINE_KEY_MAX + 128];
            snprintf(once, sizeof once, "%s:%s#%lld.%lld", pp->contact_id, tag,
                     (long long)pp->h->last_id, (long long)pp->h->received_ms);
            rc = fire(pp, pass == 0 ? "ghl.contact.tag_added" : "ghl.contact.tag_removed", NULL,
                      NULL, extra, once, e);
            json_decref(extra);
        }
    }
    json_decref(sh);
    return rc;
}

int planner_contact_rules(person_plan *pp, err *e)
{
    const char *kind = pp->h->kind;
    int rc = 0;
    if (!strcmp(kind, "ContactCreate"))
        rc = fire(pp, "ghl.contact.created", NULL, NULL, NULL, pp->contact_id, e);
    else if (!strcmp(kind, "ContactUpdate"))
        rc = fire(pp, "ghl.contact.updated", NULL, NULL, NULL, NULL, e);
    const char *trigger = activity_trigger(kind);
    if (rc == 0 && trigger) {
        const char *id = NULL;
        json_t *extra = activity_vars(pp->h, &id);
        char once[256];
        snprintf(once, sizeof once, "%s:%s", id ? id : "?", kind);
        rc = fire(pp, trigger, NULL, NULL, extra,
                  id && strcmp(kind, "AppointmentUpdate") != 0 ? once : NULL, e);
        json_decref(extra);
    }
    if (rc == 0)
        rc = planner_tag_triggers(pp, e);
    return rc;
}
