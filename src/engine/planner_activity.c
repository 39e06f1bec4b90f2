/* planner_activity.c: HighLevel activity onto the linked attendees (flows F2 and F5): the
 * contact's tasks, notes and appointments, read fresh, kept in each attendee's
 * metadata.highlevel (created, updated, completed and deleted alike); the business carried
 * along; and for appointments, the reminder announcements each attendee should have, in its
 * event's timezone. */
#include "engine/sync_int.h"

#include "util/jsonx.h"
#include "util/log.h"

#define ALL_KINDS ((1u << CORE_ACT_TASK) | (1u << CORE_ACT_NOTE) | (1u << CORE_ACT_APPOINTMENT))

unsigned planner_activity_kinds(person_plan *pp)
{
    const store_hint *h = pp->h;
    /* Merged webhooks and polls name only the latest kind: a task webhook or an activity poll
     * may hide behind a contact's. */
    if ((!strcmp(h->source, "ghl") || !strcmp(h->source, "poller")) && h->count > 1)
        return ALL_KINDS;
    core_act_kind kind;
    core_act_op op;
    if (core_activity_from_event(&kind, &op, h->kind) == 0)
        return 1u << kind;
    if (!strcmp(h->kind, "scan"))
        return pp->c->set.pull_activity ? ALL_KINDS : 0;
    if (!strcmp(h->kind, "poll") && h->payload) {
        json_t *p = json_loads(h->payload, 0, NULL);
        bool want = jsonx_bool(p, "activity", false);
        json_decref(p);
        return want ? ALL_KINDS : 0;
    }
    return 0;
}

/* The contact's list of one kind, as raw records. */
static int read_list(json_t **out, person_plan *pp, core_act_kind kind, err *e)
{
    ghl_call call = {0};
    ghl_op op = {
        .location_id = pp->c->en->link.location_id, .lane = sync_gov_lane(pp->lane), .call = &call};
    json_t *list = json_array();
    int rc;
    if (kind == CORE_ACT_TASK) {
        ghl_tasks l = {0};
        rc = ghl_client_list_tasks(&l, pp->c->en->ghl, &op, pp->contact_id, e);
        for (size_t i = 0; rc == 0 && i < l.n; i++)
            json_array_append(list, l.v[i].raw);
        ghl_tasks_clear(&l);
    } else if (kind == CORE_ACT_NOTE) {
        ghl_notes l = {0};
        rc = ghl_client_list_notes(&l, pp->c->en->ghl, &op, pp->contact_id, e);
        for (size_t i = 0; rc == 0 && i < l.n; i++)
            json_array_append(list, l.v[i].raw);
        ghl_notes_clear(&l);
    } else {
        ghl_appointments l = {0};
        rc = ghl_client_list_appointments(&l, pp->c->en->ghl, &op, pp->contact_id, e);
        for (size_t i = 0; rc == 0 && i < l.n; i++)
            json_array_append(list, l.v[i].raw);
        ghl_appointments_clear(&l);
    }
    if (rc != 0) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return 0;
}

static bool listed(const json_t *items, const char *id)
{
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *have = jsonx_str(it, "id");
        if (have && id && strcmp(have, id) == 0)
            return true;
    }
    return false;
}

/* The metadata's list of kind made to hold exactly items; the ids it dropped go to gone. */
static int mirror(json_t *meta, core_act_kind kind, const json_t *items, json_t *gone,
                  bool *changed, err *e)
{
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it)
    {
        bool c = false;
        int rc = core_activity_apply(meta, kind, CORE_ACT_UPSERT, it, &c, e);
        if (rc != 0)
            return rc;
        *changed |= c;
    }
    const json_t *have = core_activity_list(meta, kind);
    json_t *ids = json_array();
    json_array_foreach(have, i, it)
    {
        const char *id = jsonx_str(it, "id");
        if (id && !listed(items, id))
            json_array_append_new(ids, json_string(id));
    }
    json_array_foreach(ids, i, it)
    {
        json_t *rec = json_pack("{s:O}", "id", it);
        bool c = false;
        int rc = core_activity_apply(meta, kind, CORE_ACT_DELETE, rec, &c, e);
        json_decref(rec);
        if (rc != 0) {
            json_decref(ids);
            return rc;
        }
        *changed |= c;
        if (gone)
            json_array_append(gone, (json_t *)(uintptr_t)it);
    }
    json_decref(ids);
    return 0;
}

/* The metadata the attendee's PATCH will carry (a copy made on first need). */
static json_t *entry_meta(json_t *entry)
{
    json_t *body = json_object_get(entry, "body");
    json_t *m = json_object_get(body, "metadata");
    if (m)
        return m;
    const json_t *have = json_object_get(json_object_get(entry, "attendee"), "metadata");
    m = json_is_object(have) ? json_deep_copy(have) : json_object();
    json_object_set_new(body, "metadata", m);
    return m;
}

/* Drops the metadata from the body again when nothing in it changed. */
static void entry_settle(json_t *entry)
{
    json_t *body = json_object_get(entry, "body");
    const json_t *have = json_object_get(json_object_get(entry, "attendee"), "metadata");
    json_t *m = json_object_get(body, "metadata");
    if (m && (json_equal(m, have) || (!json_is_object(have) && json_object_size(m) == 0)))
        json_object_del(body, "metadata");
}

/* ---------------------------------------------------------------- reminders (F5) */

/* The reminder settings for one attendee: released in its event's timezone. */
typedef struct remind_ctx {
    core_reminder_cfg cfg; /* the settings' copy, borrowing their templates */
    tz_zone *zone;         /* NULL: the event's timezone is unknown here */
    char tz[64];
} remind_ctx;

static int no_zone(void *ctx, int64_t utc_ms, int *out_minutes)
{
    (void)ctx;
    (void)utc_ms;
    (void)out_minutes;
    return ERR_NOT_FOUND;
}

int planner_event_zone(tz_zone **out, char name[64], plan_ctx *c, const char *event,
                       const char *what, err *e)
{
    *out = NULL;
    const event_ref *ev = NULL;
    int rc = plan_event(&ev, c, event, e);
    if (rc != 0)
        return rc;
    const char *tz = jsonx_str(ev->event, "timezone");
    snprintf(name, 64, "%s", tz && *tz ? tz : "UTC");
    err te = {0};
    if (tz_load(out, tz, &te) != 0)
        log_warnf("event %s: %s; %s", event, te.msg, what);
    return 0;
}

static int remind_init(remind_ctx *r, person_plan *pp, const char *event, err *e)
{
    memset(r, 0, sizeof *r);
    r->cfg = pp->c->set.rem;
    /* Sent at the wrong hour, a reminder misleads: those to schedule wait for the zone;
     * cancelling needs no time, so those still go. */
    int rc = planner_event_zone(&r->zone, r->tz, pp->c, event,
                                "its appointment reminders are not scheduled until then", e);
    r->cfg.tz = r->zone ? tz_offset_minutes : no_zone;
    r->cfg.tz_ctx = r->zone;
    return rc;
}

/* The reminders the attendee should have for appt (NULL: it is gone); *skip when they cannot
 * be computed without the event's timezone. */
static int reminders_want(json_t **out, bool *skip, person_plan *pp, const remind_ctx *r,
                          json_t *entry, const json_t *appt, err *e)
{
    *skip = false;
    if (!appt) {
        *out = json_array();
        return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    }
    plan_ctx *c = pp->c;
    core_person person = {0};
    json_t *reg = json_object_get(entry, "registration");
    int rc = rec_person_pl(&person, c, jsonx_str(entry, "event"),
                           json_object_get(entry, "attendee"), json_is_null(reg) ? NULL : reg, e);
    json_t *vars = rc == 0 ? core_person_vars(&person) : NULL;
    if (rc == 0)
        rc = core_reminders_want(out, &r->cfg, appt, jsonx_str(entry, "code"), vars, c->now_ms, e);
    json_decref(vars);
    core_person_clear(&person);
    if (rc != 0 && !r->zone) {
        *skip = true;
        return 0;
    }
    return rc;
}

static int reminder_op(person_plan *pp, const remind_ctx *r, json_t *entry, const json_t *appt,
                       const char *appt_id, err *e)
{
    plan_ctx *c = pp->c;
    const char *key = jsonx_str(entry, "key"), *event = jsonx_str(entry, "event");
    json_t *want = NULL;
    bool skip;
    int rc = reminders_want(&want, &skip, pp, r, entry, appt, e);
    if (rc != 0 || skip)
        return rc;
    char rkey[ENGINE_KEY_MAX + 128];
    snprintf(rkey, sizeof rkey, "%s#%s", key, appt_id);
    json_t *have = sync_shadow_json(c->en, SIDE_REMIND, rkey);
    if (!have)
        have = json_array();
    core_reminder_plan d = {0};
    rc = core_reminders_diff(&d, want, have, c->now_ms, e);
    bool work = rc == 0 && (json_array_size(d.create) || json_array_size(d.update) ||
                            json_array_size(d.remove));
    core_reminder_plan_clear(&d);
    if (rc == 0 && work) {
        /* What the worker's audit entries say: whose, which appointment, why. */
        json_t *payload = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s?, s:s, s:s}", "key", rkey,
                                    "event", event, "code", jsonx_str(entry, "code"), "appointment",
                                    appt_id, "want", want, "person", pp->person,
                                    "appointment_title", appt ? jsonx_str(appt, "title") : NULL,
                                    "why", core_reminders_why(appt, have), "timezone", r->tz);
        want = NULL;
        rc = plan_op(pp->p, "pheedloop", c->en->link.org_code, "pl.reminders", key, payload, NULL,
                     pp->lane, e);
    }
    json_decref(have);
    json_decref(want);
    return rc;
}

/* Every attendee of the contact gets the reminders of the contact's appointments, in its own
 * event and that event's timezone (docs/design.md). */
static int plan_reminders(person_plan *pp, json_t *entry, const json_t *meta, const json_t *gone,
                          err *e)
{
    const json_t *appts = core_activity_list(meta, CORE_ACT_APPOINTMENT);
    if (!json_array_size(appts) && !json_array_size(gone))
        return 0;
    remind_ctx r;
    int rc = remind_init(&r, pp, jsonx_str(entry, "event"), e);
    size_t i;
    const json_t *it;
    json_array_foreach(appts, i, it)
    {
        if (rc == 0)
            rc = reminder_op(pp, &r, entry, it, jsonx_str(it, "id"), e);
    }
    json_array_foreach(gone, i, it)
    {
        if (rc == 0)
            rc = reminder_op(pp, &r, entry, NULL, json_string_value(it), e);
    }
    tz_free(r.zone);
    return rc;
}

/* ---------------------------------------------------------------- the person */

static int one_attendee(person_plan *pp, json_t *entry, json_t *const lists[3], unsigned kinds,
                        err *e)
{
    json_t *meta = entry_meta(entry);
    json_t *gone = json_array();
    bool changed = false;
    int rc = 0;
    for (int k = CORE_ACT_TASK; rc == 0 && k <= CORE_ACT_APPOINTMENT; k++) {
        if (kinds & (1u << k))
            rc = mirror(meta, (core_act_kind)k, lists[k], k == CORE_ACT_APPOINTMENT ? gone : NULL,
                        &changed, e);
    }
    if (rc == 0 && (kinds & (1u << CORE_ACT_APPOINTMENT)))
        rc = core_activity_prune(meta, pp->c->now_ms, &changed);
    if (rc == 0 && changed)
        rc = core_activity_set_contact(meta, pp->contact_id, &changed, e);
    if (rc == 0 && (kinds & (1u << CORE_ACT_APPOINTMENT)))
        rc = plan_reminders(pp, entry, meta, gone, e);
    json_decref(gone);
    entry_settle(entry);
    return rc;
}

int planner_activity(person_plan *pp, unsigned kinds, err *e)
{
    json_t *lists[3] = {NULL, NULL, NULL};
    int rc = 0;
    for (int k = CORE_ACT_TASK; rc == 0 && k <= CORE_ACT_APPOINTMENT; k++) {
        if (kinds & (1u << k))
            rc = read_list(&lists[k], pp, (core_act_kind)k, e);
    }
    const char *key;
    json_t *entry;
    json_object_foreach(pp->pl, key, entry)
    {
        if (rc == 0)
            rc = one_attendee(pp, entry, lists, kinds, e);
    }
    for (int k = 0; k < 3; k++)
        json_decref(lists[k]);
    return rc;
}

/* The contact's business (id and name) kept on each attendee, as HighLevel has it now. */
int planner_business(person_plan *pp, err *e)
{
    const char *id = jsonx_str(pp->contact, "businessId");
    const char *name = jsonx_str(pp->contact, "companyName");
    const char *key;
    json_t *entry;
    json_object_foreach(pp->pl, key, entry)
    {
        const json_t *have = json_object_get(json_object_get(entry, "attendee"), "metadata");
        const json_t *biz = jsonx_path(have, "highlevel.business");
        if (!id && !biz)
            continue;
        if (biz && id && !strcmp(jsonx_str(biz, "id") ? jsonx_str(biz, "id") : "", id) &&
            !strcmp(jsonx_str(biz, "name") ? jsonx_str(biz, "name") : "", name ? name : ""))
            continue;
        bool changed = false;
        int rc = core_activity_set_business(entry_meta(entry), id, name, &changed, e);
        entry_settle(entry);
        if (rc != 0)
            return rc;
    }
    return 0;
}
