/* sync_records.c: the current records of a person: taken from the hint (a scan's or a worker's
 * fresh copy), the pass's snapshot, or read from the API; and read through the field map.
 *
 * A copy is trusted only when it was read after pheedsync last wrote to that record: workers
 * mark the shadows they write with the time ("w<ms>" in the shadow's hash), so that a scan
 * taken before our own write is never mistaken for a change made by someone. */
#include "engine/sync_int.h"

#include "util/jsonx.h"

int64_t sync_written_ms(engine *en, const char *side, const char *key)
{
    store_shadow *sh = NULL;
    err e = {0};
    if (store_shadow_get(&sh, en->store, side, key, &e) != 0)
        return 0;
    int64_t ms = 0;
    if (sh->hash && sh->hash[0] == 'w') {
        char *end = NULL;
        long long v = strtoll(sh->hash + 1, &end, 10);
        if (end && *end == '\0' && v > 0)
            ms = v;
    }
    store_shadow_free(sh);
    return ms;
}

int64_t sync_contact_written_ms(engine *en, const store_link *link)
{
    int64_t ms = 0;
    for (size_t i = 0; link && i < link->n_attendees; i++) {
        char key[ENGINE_KEY_MAX];
        const store_attendee_ref *a = &link->attendees[i];
        sync_key_pl(key, a->org, a->event, a->code);
        int64_t w = sync_written_ms(en, SIDE_GHL, key);
        if (w > ms)
            ms = w;
    }
    return ms;
}

/* The records the hint carries for its own key (a scan's or a worker's copy), as one parsed
 * payload (new reference) or NULL. */
static json_t *hint_records(const store_hint *h, const char *key)
{
    if (!h || strcmp(h->record_key, key) != 0 || !h->payload || h->payload[0] != '{' ||
        h->payload[1] == '}')
        return NULL;
    if (strcmp(h->kind, "scan") != 0 && strcmp(h->kind, "followup") != 0)
        return NULL;
    return json_loads(h->payload, 0, NULL);
}

/* {"contact": {...}} / {"attendee": {...}, "registration": {...}}, or the record itself (a
 * contact has an "id", an attendee a "code"). */
static json_t *member_object(const json_t *p, const char *member)
{
    json_t *rec = json_object_get(p, member);
    if (json_is_object(rec))
        return json_incref(rec);
    const char *id_key = !strcmp(member, "contact")    ? "id"
                         : !strcmp(member, "attendee") ? "code"
                                                       : NULL;
    if (id_key && jsonx_str(p, id_key) && !json_object_get(p, "contact") &&
        !json_object_get(p, "attendee"))
        return json_incref((json_t *)(uintptr_t)p);
    return NULL;
}

static json_t *hint_record(const store_hint *h, const char *key, const char *member)
{
    json_t *p = hint_records(h, key);
    json_t *rec = member_object(p, member);
    json_decref(p);
    return rec;
}

int rec_contact_for(json_t **out, plan_ctx *c, const store_hint *h, const char *contact_id,
                    const store_link *link, int lane, err *e)
{
    char key[ENGINE_KEY_MAX];
    sync_key_ghl(key, c->en->link.location_id, contact_id);
    int64_t written = sync_contact_written_ms(c->en, link);
    json_t *rec = hint_record(h, key, "contact");
    if (rec && written < h->received_ms) {
        *out = rec;
        return 0;
    }
    json_decref(rec);
    int64_t read_ms = 0;
    rec = snap_contact(c->snap, contact_id, &read_ms);
    if (rec && written < read_ms) {
        *out = rec;
        return 0;
    }
    json_decref(rec);
    ghl_contact ct = {0};
    ghl_call call = {0};
    ghl_op op = {
        .location_id = c->en->link.location_id, .lane = sync_gov_lane(lane), .call = &call};
    int rc = ghl_client_get_contact(&ct, c->en->ghl, &op, contact_id, e);
    if (rc != 0)
        return rc;
    *out = json_incref(ct.raw);
    ghl_contact_clear(&ct);
    return 0;
}

int rec_attendee_for(json_t **out, json_t **out_reg, plan_ctx *c, const store_hint *h,
                     const char *event, const char *code, int lane, err *e)
{
    char key[ENGINE_KEY_MAX];
    sync_key_pl(key, c->en->link.org_code, event, code);
    int64_t written = sync_written_ms(c->en, SIDE_PL, key);
    json_t *p = hint_records(h, key);
    json_t *rec = member_object(p, "attendee");
    json_t *reg = member_object(p, "registration");
    json_decref(p);
    if (rec && written < h->received_ms) {
        *out = rec;
        *out_reg = reg ? reg : rec_registration(c, key);
        return 0;
    }
    json_decref(rec);
    int64_t read_ms = 0;
    rec = snap_attendee(c->snap, key, &read_ms);
    if (rec && written >= read_ms) {
        json_decref(rec);
        rec = NULL;
    }
    if (!rec) {
        pl_attendee a = {0};
        pl_call call = {.lane = sync_gov_lane(lane)};
        int rc = pl_client_get_attendee(&a, c->en->pl, event, code, &call, e);
        if (rc != 0) {
            json_decref(reg);
            return rc;
        }
        rec = json_incref(a.raw);
        pl_attendee_free(&a);
    }
    *out = rec;
    if (!reg)
        reg = rec_registration(c, key);
    if (!reg && !snap_has_attendee(c->snap, key))
        reg = refdata_fetch_registration(c->en, event, code, lane, !c->dry);
    *out_reg = reg;
    return 0;
}

json_t *rec_registration(plan_ctx *c, const char *attendee_key)
{
    json_t *reg = snap_registration(c->snap, attendee_key);
    return reg ? reg : refdata_registration(c->en, attendee_key);
}

int rec_person_ghl(core_person *out, plan_ctx *c, const json_t *contact, err *e)
{
    core_ghl_record r = {.contact = contact, .field_defs = c->field_defs};
    return core_person_from_ghl(out, c->set.map, &r, e);
}

int rec_person_pl(core_person *out, plan_ctx *c, const char *event, const json_t *attendee,
                  const json_t *registration, err *e)
{
    const event_ref *ev = NULL;
    int rc = plan_event(&ev, c, event, e);
    if (rc != 0)
        return rc;
    core_pl_record r = {.attendee = attendee,
                        .registration = registration,
                        .event = ev->event,
                        .event_code = event,
                        .event_tags = ev->tags};
    return core_person_from_pl(out, c->set.map, &r, e);
}

int rec_pl_record(core_pl_record *out, plan_ctx *c, const char *event, const json_t *attendee,
                  const json_t *registration, err *e)
{
    const event_ref *ev = NULL;
    int rc = plan_event(&ev, c, event, e);
    if (rc != 0)
        return rc;
    *out = (core_pl_record){.attendee = attendee,
                            .registration = registration,
                            .event = ev->event,
                            .event_code = event,
                            .event_tags = ev->tags};
    return 0;
}
