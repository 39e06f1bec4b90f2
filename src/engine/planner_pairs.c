/* planner_pairs.c: the merge of a linked person: the contact against each of its attendees,
 * three-way against the pair's shadows; the writes gathered into one HighLevel update and one
 * PheedLoop update per attendee; every decision that drops a value audited. */
#include "engine/sync_int.h"

#include "util/jsonx.h"
#include "util/log.h"

/* The audit log entries of a merge: decisions that dropped a value or kept the sides apart. */
static int audit_decisions(person_plan *pp, const char *key, const core_merge_out *m, err *e)
{
    for (size_t i = 0; i < m->n_decisions; i++) {
        const core_decision *d = &m->decisions[i];
        if (!d->audit)
            continue;
        char reason[700];
        snprintf(reason, sizeof reason, "%s (%s; %s wins; pair %s)", d->reason,
                 core_decision_kind_name(d->kind), core_side_name(d->winner), key);
        int rc = plan_audit(pp->p, pp->person, "decision", json_pack("[s]", d->field),
                            d->before ? json_incref(d->before) : NULL,
                            d->after ? json_incref(d->after) : NULL, reason, e);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static void set_union(json_t *into, const json_t *from)
{
    size_t i;
    const json_t *t;
    json_array_foreach(from, i, t)
    {
        if (json_is_string(t) && !jsonx_array_has_str(into, json_string_value(t)))
            json_array_append(into, (json_t *)(uintptr_t)t);
    }
}

/* The HighLevel side of one pair: its writes join the person's one update; without writes the
 * pair's contact shadow is brought up to date now. */
/* The shadow of a side that is not written, brought up to date (when it is not already). */
static int shadow_now(person_plan *pp, const char *side, const char *key, json_t *now,
                      const json_t *was, err *e)
{
    if (now && was && json_equal(now, was)) {
        json_decref(now);
        return 0;
    }
    return plan_shadow(pp->p, side, key, now, e);
}

static int ghl_side(person_plan *pp, const char *key, const core_merge_out *m, const json_t *sg,
                    err *e)
{
    const core_map *map = pp->c->set.map;
    if (!core_merge_writes(m, CORE_GHL))
        return shadow_now(pp, SIDE_GHL, key, core_person_shadow(map, &pp->ghl), sg, e);
    json_object_update(pp->ghl_fields, m->to_ghl);
    set_union(pp->ghl_add, m->tags_ghl.add);
    set_union(pp->ghl_remove, m->tags_ghl.remove);
    json_t *after = core_merge_shadow_after(m, map, &pp->ghl, CORE_GHL);
    json_t *pair = json_pack("{s:s, s:o}", "key", key, "shadow", after ? after : json_null());
    if (!pair || json_array_append_new(pp->ghl_pairs, pair) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

/* The PheedLoop side of one pair: the attendee's PATCH body, kept until the person is planned
 * whole (activity and rules may add to it). */
static int pl_side(person_plan *pp, json_t *entry, const core_merge_out *m,
                   const core_person *person, const core_pl_record *rec, const json_t *sp, err *e)
{
    const core_map *map = pp->c->set.map;
    const char *key = jsonx_str(entry, "key");
    if (!core_merge_writes(m, CORE_PL))
        return shadow_now(pp, SIDE_PL, key, core_person_shadow(map, person), sp, e);
    json_t *body = NULL;
    int rc = core_person_to_pl_fields(&body, map, m->to_pl, &m->tags_pl, rec, e);
    if (rc != 0)
        return rc;
    json_object_update(json_object_get(entry, "body"), body);
    json_decref(body);
    json_t *after = core_merge_shadow_after(m, map, person, CORE_PL);
    if (!after || json_object_set_new(entry, "shadow", after) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

/* The person's entry for one attendee: what is known of it and what will be written. */
static json_t *pl_entry(person_plan *pp, const char *key, const char *event, const char *code,
                        json_t *attendee, json_t *reg)
{
    json_t *entry = json_pack("{s:s, s:s, s:s, s:o, s:O, s:O}", "key", key, "event", event, "code",
                              code, "body", json_object(), "attendee", attendee, "registration",
                              reg ? reg : json_null());
    if (entry && json_object_set(pp->pl, key, entry) != 0) {
        json_decref(entry);
        return NULL;
    }
    json_decref(entry);
    return entry;
}

static int one_pair(person_plan *pp, const char *event, const char *code, json_t *attendee,
                    json_t *reg, err *e)
{
    plan_ctx *c = pp->c;
    char key[ENGINE_KEY_MAX];
    sync_key_pl(key, c->en->link.org_code, event, code);
    json_t *entry = pl_entry(pp, key, event, code, attendee, reg);
    if (!entry)
        return err_set(e, ERR_NOMEM, "out of memory");
    core_pl_record rec;
    int rc = rec_pl_record(&rec, c, event, attendee, json_is_null(reg) ? NULL : reg, e);
    core_person person = {0};
    if (rc == 0)
        rc = core_person_from_pl(&person, c->set.map, &rec, e);
    if (rc != 0)
        return rc;
    json_t *sg = sync_shadow_json(c->en, SIDE_GHL, key);
    json_t *sp = sync_shadow_json(c->en, SIDE_PL, key);
    core_merge_in in = {.map = c->set.map,
                        .ghl = &pp->ghl,
                        .pl = &person,
                        .shadow_ghl = sg,
                        .shadow_pl = sp,
                        .last_side = pp->last_side,
                        .now_ms = c->now_ms};
    core_merge_out m = {0};
    rc = core_merge(&m, &in, e);
    if (rc == 0)
        rc = audit_decisions(pp, key, &m, e);
    if (rc == 0 && !m.echo)
        rc = ghl_side(pp, key, &m, sg, e);
    if (rc == 0 && !m.echo)
        rc = pl_side(pp, entry, &m, &person, &rec, sp, e);
    if (rc == 0)
        json_object_set_new(entry, "new", json_boolean(sp == NULL));
    if (rc == 0 && !sp && pp->fire_rules)
        rc = planner_rules(pp, "pheedloop.attendee.created", key, NULL, key, e);
    core_merge_out_clear(&m);
    core_person_clear(&person);
    json_decref(sg);
    json_decref(sp);
    return rc;
}

/* The current attendee of one linked pair: the one given with the plan, or read. */
static int pair_records(json_t **a, json_t **reg, person_plan *pp, const char *key,
                        const char *event, const char *code, const json_t *extra_attendee,
                        const json_t *extra_reg, err *e)
{
    if (extra_attendee) {
        *a = json_incref((json_t *)(uintptr_t)extra_attendee);
        *reg =
            extra_reg ? json_incref((json_t *)(uintptr_t)extra_reg) : rec_registration(pp->c, key);
        return 0;
    }
    return rec_attendee_for(a, reg, pp->c, pp->h, event, code, pp->lane, e);
}

static int pair_at(person_plan *pp, const char *event, const char *code,
                   const json_t *extra_attendee, const json_t *extra_reg, err *e)
{
    char key[ENGINE_KEY_MAX];
    sync_key_pl(key, pp->c->en->link.org_code, event, code);
    if (planner_busy(pp->c, key, e))
        return ERR_CONFLICT;
    json_t *a = NULL, *reg = NULL;
    int rc = pair_records(&a, &reg, pp, key, event, code, extra_attendee, extra_reg, e);
    if (rc == ERR_NOT_FOUND)
        return 0; /* gone from PheedLoop: only a complete scan may say so and act on it */
    if (rc == 0)
        rc = one_pair(pp, event, code, a, reg, e);
    json_decref(a);
    json_decref(reg);
    return rc;
}

int planner_pairs(person_plan *pp, const char *extra_key, const json_t *extra_attendee,
                  const json_t *extra_reg, err *e)
{
    plan_ctx *c = pp->c;
    const store_link *l = pp->link;
    bool extra_done = extra_key == NULL;
    for (size_t i = 0; l && i < l->n_attendees; i++) {
        const char *event = l->attendees[i].event, *code = l->attendees[i].code;
        if (strcmp(l->attendees[i].org, c->en->link.org_code) != 0 ||
            !sync_event_configured(c->en, event))
            continue;
        char key[ENGINE_KEY_MAX];
        sync_key_pl(key, c->en->link.org_code, event, code);
        bool is_extra = extra_key && strcmp(key, extra_key) == 0;
        extra_done |= is_extra;
        int rc = pair_at(pp, event, code, is_extra ? extra_attendee : NULL,
                         is_extra ? extra_reg : NULL, e);
        if (rc != 0)
            return rc;
    }
    if (extra_done)
        return 0;
    char scratch[ENGINE_KEY_MAX];
    const char *parts[3];
    const char *side = engine_key_parse(extra_key, scratch, parts);
    if (!side || strcmp(side, "pl") != 0)
        return err_set(e, ERR_INVALID, "not an attendee key: %s", extra_key);
    return pair_at(pp, parts[1], parts[2], extra_attendee, extra_reg, e);
}
