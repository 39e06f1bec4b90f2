/* planner.c: the planner: claims record keys from the inbox and plans each person (F1 and F4:
 * re-read both sides, merge three-way, write operations and shadows with the ack). */
#include "engine/sync_int.h"

#include "util/jsonx.h"
#include "util/log.h"

/* ---------------------------------------------------------------- one person */

static int person_init(person_plan *pp, plan_ctx *c, plan *p, const store_hint *h, err *e)
{
    memset(pp, 0, sizeof *pp);
    pp->c = c;
    pp->p = p;
    pp->h = h;
    pp->lane = sync_lane_of_source(h->source);
    pp->fire_rules = strcmp(h->source, "backfill") != 0;
    pp->ghl_fields = json_object();
    pp->ghl_add = json_array();
    pp->ghl_remove = json_array();
    pp->ghl_pairs = json_array();
    pp->pl = json_object();
    json_t *none = json_object();
    int rc = none ? rec_person_ghl(&pp->ghl, c, none, e) : ERR_NOMEM;
    json_decref(none);
    if (rc != 0 || !pp->ghl_fields || !pp->ghl_add || !pp->ghl_remove || !pp->ghl_pairs || !pp->pl)
        return rc ? rc : err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

static void person_clear(person_plan *pp)
{
    store_link_free(pp->link);
    json_decref(pp->contact);
    core_person_clear(&pp->ghl);
    json_decref(pp->ghl_fields);
    json_decref(pp->ghl_add);
    json_decref(pp->ghl_remove);
    json_decref(pp->ghl_pairs);
    json_decref(pp->pl);
}

int planner_set_contact(person_plan *pp, err *e)
{
    core_person_clear(&pp->ghl);
    const char *id = jsonx_str(pp->contact, "id");
    if (id)
        snprintf(pp->contact_id, sizeof pp->contact_id, "%s", id);
    if (pp->link)
        snprintf(pp->person, sizeof pp->person, "%lld", (long long)pp->link->id);
    else
        sync_norm_email(pp->person, sizeof pp->person, jsonx_str(pp->contact, "email"));
    return rec_person_ghl(&pp->ghl, pp->c, pp->contact, e);
}

bool sync_shadow_exists(engine *en, const char *side, const char *key)
{
    store_shadow *sh = NULL;
    err e = {0};
    bool have = store_shadow_get(&sh, en->store, side, key, &e) == 0;
    store_shadow_free(sh);
    return have;
}

/* The person's one HighLevel update: fields, then the tag delta. */
static int flush_ghl(person_plan *pp, err *e)
{
    plan_ctx *c = pp->c;
    if (!json_object_size(pp->ghl_fields) && !json_array_size(pp->ghl_add) &&
        !json_array_size(pp->ghl_remove))
        return 0;
    json_t *body = NULL;
    core_ghl_record cur = {.contact = pp->contact, .field_defs = c->field_defs};
    int rc = core_person_to_ghl_fields(&body, c->set.map, pp->ghl_fields, &cur, e);
    if (rc != 0)
        return rc;
    json_t *base = json_object_get(pp->contact, "tags");
    json_t *fields = json_array();
    const char *name;
    json_t *v;
    json_object_foreach(pp->ghl_fields, name, v) json_array_append_new(fields, json_string(name));
    if (json_array_size(pp->ghl_add) || json_array_size(pp->ghl_remove))
        json_array_append_new(fields, json_string("tags"));
    /* With several attendees, a change carried from one of them to the contact is carried on
     * to the others by planning the person again once the contact has it. */
    bool followup = json_object_size(pp->pl) > 1;
    json_t *payload =
        json_pack("{s:s, s:o, s:O, s:O, s:O, s:O, s:b, s:s, s:o}", "contact_id", pp->contact_id,
                  "body", body, "tags_add", pp->ghl_add, "tags_remove", pp->ghl_remove, "tags_base",
                  base ? base : json_array(), "pairs", pp->ghl_pairs, "followup", followup,
                  "person", pp->person, "fields", fields);
    char key[ENGINE_KEY_MAX];
    sync_key_ghl(key, c->en->link.location_id, pp->contact_id);
    return plan_op(pp->p, "ghl", c->en->link.location_id, "ghl.update_contact", key, payload, NULL,
                   pp->lane, e);
}

/* Each attendee's PATCH, with what it was based on (a worker rebases on the record as it is). */
static int flush_pl(person_plan *pp, err *e)
{
    plan_ctx *c = pp->c;
    const char *key;
    json_t *entry;
    json_object_foreach(pp->pl, key, entry)
    {
        json_t *body = json_object_get(entry, "body");
        if (!json_object_size(body))
            continue;
        const json_t *att = json_object_get(entry, "attendee");
        json_t *base = json_object();
        if (json_object_get(body, "tags"))
            json_object_set(base, "tags", json_object_get(att, "tags"));
        if (json_object_get(body, "metadata")) {
            json_t *m = json_object_get(att, "metadata");
            json_object_set(base, "metadata", m ? m : json_null());
        }
        json_t *shadow = json_object_get(entry, "shadow");
        json_t *fields = json_array();
        const char *name;
        json_t *v;
        json_object_foreach(body, name, v) json_array_append_new(fields, json_string(name));
        json_t *payload = json_pack(
            "{s:s, s:s, s:s, s:O, s:o, s:O, s:s, s:o}", "key", key, "event",
            jsonx_str(entry, "event"), "code", jsonx_str(entry, "code"), "body", body, "base", base,
            "shadow", shadow ? shadow : json_null(), "person", pp->person, "fields", fields);
        int rc = plan_op(pp->p, "pheedloop", c->en->link.org_code, "pl.update_attendee", key,
                         payload, NULL, pp->lane, e);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- keys */

bool planner_busy(plan_ctx *c, const char *key, err *e)
{
    if (c->dry || !key || !*key)
        return false;
    bool busy = (c->batch && json_object_get(c->batch, key)) || sync_pending(c->en, key, c->now_ms);
    if (busy) {
        c->pending = true;
        err_set(e, ERR_CONFLICT, "%s has a write queued", key);
    }
    return busy;
}

/* The keys of the person just planned join the batch's set. */
static void touched(plan_ctx *c, person_plan *pp)
{
    if (!c->batch)
        return;
    json_object_set_new(c->batch, pp->h->record_key, json_true());
    if (*pp->contact_id) {
        char ckey[ENGINE_KEY_MAX];
        sync_key_ghl(ckey, c->en->link.location_id, pp->contact_id);
        json_object_set_new(c->batch, ckey, json_true());
    }
    const char *key;
    json_t *v;
    json_object_foreach(pp->pl, key, v) json_object_set_new(c->batch, key, json_true());
}

/* The triggers a hint of this kind fires on a linked person. */
static const char *trigger_of(const char *kind)
{
    static const char *const map[][2] = {
        {"ContactCreate", "ghl.contact.created"},
        {"ContactUpdate", "ghl.contact.updated"},
        {"attendee.updated", "pheedloop.attendee.updated"},
        {"checkin.created", "pheedloop.attendee.checked_in"},
        {"checkin.deleted", "pheedloop.attendee.checked_out"},
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(map); i++) {
        if (!strcmp(kind, map[i][0]))
            return map[i][1];
    }
    return NULL;
}

static int plan_attendee_key(person_plan *pp, const char *key, const char *event, const char *code,
                             err *e)
{
    plan_ctx *c = pp->c;
    store_link *l = NULL;
    int rc = store_link_by_attendee(&l, c->en->store, c->en->link.org_code, event, code, e);
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return rc;
    json_t *a = NULL, *reg = NULL;
    int rr = rec_attendee_for(&a, &reg, c, pp->h, event, code, pp->lane, e);
    if (rr != 0) {
        store_link_free(l);
        return rr == ERR_NOT_FOUND ? 0 : rr; /* deletes are inferred from complete scans only */
    }
    /* Remembered with the plan: a later webhook of this attendee does not name its ticket. */
    if (reg && !c->dry &&
        (rc = plan_shadow(pp->p, SIDE_REG, key, refdata_registration_digest(reg), e)) != 0) {
        json_decref(a);
        json_decref(reg);
        store_link_free(l);
        return rc;
    }
    if (!l) {
        rc = planner_unlinked_attendee(pp, key, a, reg, e);
    } else {
        pp->link = l;
        char ckey[ENGINE_KEY_MAX];
        sync_key_ghl(ckey, c->en->link.location_id, l->contact_id);
        rc = planner_busy(c, ckey, e) ? ERR_CONFLICT : 0;
        if (rc == 0)
            rc = rec_contact_for(&pp->contact, c, pp->h, l->contact_id, l, pp->lane, e);
        if (rc == 0)
            rc = planner_set_contact(pp, e);
        bool gone = rc == ERR_NOT_FOUND; /* the next complete scan says so */
        if (rc == 0)
            rc = planner_pairs(pp, key, a, reg, e);
        if (rc == 0)
            rc = planner_business(pp, e);
        const char *trigger = trigger_of(pp->h->kind);
        if (rc == 0 && trigger && pp->fire_rules)
            rc = planner_rules(pp, trigger, key, a, NULL, e);
        if (rc == 0 && pp->fire_rules)
            rc = planner_tag_triggers(pp, e);
        if (gone)
            rc = 0;
    }
    json_decref(a);
    json_decref(reg);
    return rc;
}

static int plan_contact_key(person_plan *pp, const char *contact_id, err *e)
{
    plan_ctx *c = pp->c;
    if (planner_busy(c, pp->h->record_key, e))
        return ERR_CONFLICT;
    store_link *l = NULL;
    int rc = store_link_by_contact(&l, c->en->store, c->en->link.location_id, contact_id, e);
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return rc;
    pp->link = l;
    rc = rec_contact_for(&pp->contact, c, pp->h, contact_id, l, pp->lane, e);
    if (rc == ERR_NOT_FOUND)
        return 0;
    if (rc == 0)
        rc = planner_set_contact(pp, e);
    if (rc == 0 && l)
        rc = planner_pairs(pp, NULL, NULL, NULL, e);
    if (rc == 0 && l)
        rc = planner_business(pp, e);
    unsigned kinds = planner_activity_kinds(pp);
    if (rc == 0 && l && kinds)
        rc = planner_activity(pp, kinds, e);
    if (rc == 0 && pp->fire_rules)
        rc = planner_contact_rules(pp, e);
    return rc;
}

/* A registration the hint carries (a webhook's, or one the registrations poller read) is what
 * the attendee is planned with: the one remembered may be older. */
static void remember_registration(plan_ctx *c, const store_hint *h, err *e)
{
    bool hook = strncmp(h->kind, "registration.", 13) == 0;
    if (!hook && strcmp(h->kind, "poll") != 0)
        return;
    json_t *pl = json_loads(h->payload ? h->payload : "{}", 0, NULL);
    json_t *reg = json_object_get(pl, hook ? "data" : "registration");
    if (json_is_object(reg))
        refdata_put_registration(c->en, h->record_key, reg, e);
    json_decref(pl);
}

int planner_key(plan_ctx *c, const store_hint *h, plan *p, err *e)
{
    if (!strcmp(h->kind, "gone"))
        return planner_gone(c, h, p, e);
    char scratch[ENGINE_KEY_MAX];
    const char *parts[3];
    const char *side = engine_key_parse(h->record_key, scratch, parts);
    if (!side) {
        log_warnf("inbox: malformed record key '%s' dropped", h->record_key);
        return 0;
    }
    bool ghl = !strcmp(side, "ghl");
    if (ghl ? strcmp(parts[0], c->en->link.location_id) != 0
            : strcmp(parts[0], c->en->link.org_code) != 0 ||
                  !sync_event_configured(c->en, parts[1]))
        return 0; /* not a record of the configured link */
    const char *moot = planner_moot(c, h, side, parts);
    if (moot) {
        log_debugf("plan %s: %s", h->record_key, moot);
        return 0;
    }
    if (!ghl && !c->dry)
        remember_registration(c, h, e);
    person_plan pp;
    int rc = person_init(&pp, c, p, h, e);
    pp.last_side = ghl ? CORE_GHL : CORE_PL;
    if (rc == 0)
        rc = ghl ? plan_contact_key(&pp, parts[1], e)
                 : plan_attendee_key(&pp, h->record_key, parts[1], parts[2], e);
    if (rc == 0)
        rc = flush_ghl(&pp, e);
    if (rc == 0)
        rc = flush_pl(&pp, e);
    if (rc == 0)
        touched(c, &pp);
    person_clear(&pp);
    return rc;
}
