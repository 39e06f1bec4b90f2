/* planner_unlinked.c: an attendee no contact is linked to yet (flow F1): join the contact its
 * email (then phone) names, or plan the contact's creation; an ambiguous match is reported in
 * the audit log and left alone. */
#include "engine/sync_int.h"

#include "util/jsonx.h"
#include "util/log.h"

/* A link entry for the plan: the attendee joins the contact (a new link or the contact's). */
static int plan_link(person_plan *pp, const char *contact_id, const char *email, const char *phone,
                     const char *event, const char *code, err *e)
{
    json_t *l = json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s, s:s}", "location",
                          pp->c->en->link.location_id, "contact", contact_id, "email",
                          *email ? email : NULL, "phone", *phone ? phone : NULL, "org",
                          pp->c->en->link.org_code, "event", event, "code", code);
    if (!l || json_array_append_new(pp->p->links, l) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

static int report_ambiguous(person_plan *pp, const char *key, const char *email, const char *why,
                            err *e)
{
    pp->c->ambiguous++;
    char reason[300];
    snprintf(reason, sizeof reason, "ambiguous match for %s: %s; not linked", key, why);
    log_warnf("%s", reason);
    return plan_audit(pp->p, *email ? email : key, "identity", json_pack("[s]", "email"), NULL,
                      NULL, reason, e);
}

/* The new contact's body: the attendee's values and tags (a first link against nobody). */
static int plan_create(person_plan *pp, const char *key, const char *event, const char *code,
                       const json_t *attendee, const json_t *reg, const char *email,
                       const char *phone, err *e)
{
    plan_ctx *c = pp->c;
    core_pl_record rec;
    core_person pl = {0};
    int rc = rec_pl_record(&rec, c, event, attendee, reg, e);
    if (rc == 0)
        rc = core_person_from_pl(&pl, c->set.map, &rec, e);
    if (rc != 0)
        return rc;
    core_merge_in in = {
        .map = c->set.map, .ghl = &pp->ghl, .pl = &pl, .last_side = CORE_PL, .now_ms = c->now_ms};
    core_merge_out m = {0};
    json_t *values = NULL, *body = NULL;
    rc = core_merge(&m, &in, e);
    if (rc == 0) {
        values = json_deep_copy(m.to_ghl);
        const core_field *tf = core_map_tags(c->set.map);
        if (tf && json_array_size(m.tags_ghl.add))
            json_object_set(values, tf->name, m.tags_ghl.add);
        rc = core_person_to_ghl_fields(&body, c->set.map, values, NULL, e);
    }
    if (rc == 0)
        rc = plan_shadow(pp->p, SIDE_PL, key, core_person_shadow(c->set.map, &pl), e);
    if (rc == 0) {
        json_t *after = core_merge_shadow_after(&m, c->set.map, &pp->ghl, CORE_GHL);
        json_t *payload = json_pack("{s:s, s:s?, s:o, s:s, s:s, s:s, s:o}", "email", email, "phone",
                                    *phone ? phone : NULL, "body", body, "key", key, "event", event,
                                    "code", code, "shadow", after ? after : json_null());
        body = NULL;
        char rk[ENGINE_KEY_MAX + 400];
        snprintf(rk, sizeof rk, "ghl:%s:email:%s", c->en->link.location_id, email);
        rc = plan_op(pp->p, "ghl", c->en->link.location_id, "ghl.create_contact", rk, payload, NULL,
                     pp->lane, e);
        snprintf(pp->pending_key, sizeof pp->pending_key, "%.*s", (int)sizeof pp->pending_key - 1,
                 rk);
    }
    json_decref(body);
    json_decref(values);
    core_merge_out_clear(&m);
    core_person_clear(&pl);
    if (rc == 0 && pp->fire_rules && !sync_shadow_exists(c->en, SIDE_PL, key))
        rc = planner_rules(pp, "pheedloop.attendee.created", key, attendee, key, e);
    return rc;
}

/* A contact found for the attendee: link them in this plan and merge the pair (and the
 * contact's other attendees, if it has some). */
static int join(person_plan *pp, const char *id, json_t *contact, const char *key,
                const char *event, const char *code, const json_t *attendee, const json_t *reg,
                const char *email, const char *phone, err *e)
{
    char ckey[ENGINE_KEY_MAX];
    sync_key_ghl(ckey, pp->c->en->link.location_id, id);
    if (planner_busy(pp->c, ckey, e)) {
        json_decref(contact);
        return ERR_CONFLICT;
    }
    snprintf(pp->contact_id, sizeof pp->contact_id, "%s", id);
    store_link *l = NULL;
    err e2 = {0};
    if (store_link_by_contact(&l, pp->c->en->store, pp->c->en->link.location_id, id, &e2) == 0)
        pp->link = l;
    int rc = 0;
    if (!contact)
        rc = rec_contact_for(&contact, pp->c, pp->h, id, pp->link, pp->lane, e);
    if (rc != 0)
        return rc;
    json_decref(pp->contact);
    pp->contact = contact;
    rc = plan_link(pp, id, email, phone, event, code, e);
    if (rc == 0)
        rc = planner_set_contact(pp, e);
    if (rc == 0)
        rc = planner_pairs(pp, key, attendee, reg, e);
    return rc;
}

/* The contact of a link that already carries this email (made earlier in this pass, perhaps):
 * found without asking HighLevel. */
static int linked_by_email(char out[96], int *n_out, person_plan *pp, const char *email,
                           const char *event, err *e)
{
    *n_out = 0;
    store_links ls = {0};
    int rc = store_link_by_email(&ls, pp->c->en->store, email, e);
    if (rc != 0)
        return rc == ERR_NOT_FOUND ? 0 : rc;
    size_t n = 0;
    const store_link *one = NULL;
    for (size_t i = 0; i < ls.n; i++) {
        if (strcmp(ls.v[i].location_id, pp->c->en->link.location_id) == 0) {
            n++;
            one = &ls.v[i];
        }
    }
    *n_out = (int)n;
    if (n == 1) {
        bool taken = false;
        for (size_t i = 0; i < one->n_attendees; i++)
            taken |= strcmp(one->attendees[i].event, event) == 0;
        if (taken)
            *n_out = 2; /* another attendee of this event has it: ambiguous */
        else
            snprintf(out, 96, "%s", one->contact_id);
    }
    store_links_free(&ls);
    return 0;
}

int planner_unlinked_attendee(person_plan *pp, const char *key, const json_t *attendee,
                              const json_t *reg, err *e)
{
    char scratch[ENGINE_KEY_MAX];
    const char *parts[3];
    if (!engine_key_parse(key, scratch, parts))
        return err_set(e, ERR_INVALID, "not an attendee key: %s", key);
    const char *event = parts[1], *code = parts[2];
    if (planner_busy(pp->c, key, e))
        return ERR_CONFLICT;
    char email[320], phone[20];
    sync_norm_email(email, sizeof email, jsonx_str(attendee, "email"));
    sync_norm_phone(phone, jsonx_str(attendee, "address_phone"), pp->c->set.default_cc);
    if (!*email) {
        log_warnf("attendee %s has no readable email; not synced", key);
        return 0;
    }
    char id[96] = "";
    int n = 0;
    int rc = linked_by_email(id, &n, pp, email, event, e);
    if (rc != 0)
        return rc;
    if (n > 1)
        return report_ambiguous(pp, key, email, "several linked people have this email", e);
    if (n == 1) {
        rc = join(pp, id, NULL, key, event, code, attendee, reg, email, phone, e);
        if (rc != ERR_NOT_FOUND)
            return rc;
        rc = 0; /* the linked contact is gone: match afresh */
    }
    id_match m = ID_NONE;
    char why[160];
    json_t *contact = NULL;
    rc = identity_match(&m, id, &contact, pp->c, email, phone, event, pp->lane, why, e);
    if (rc != 0)
        return rc;
    if (m == ID_AMBIGUOUS)
        return report_ambiguous(pp, key, email, why, e);
    if (m == ID_ONE)
        return join(pp, id, contact, key, event, code, attendee, reg, email, phone, e);
    return plan_create(pp, key, event, code, attendee, reg, email, phone, e);
}
