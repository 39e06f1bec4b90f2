/* sync_refdata.c: reference data the planner needs for every person and reads rarely: the
 * location's custom field definitions and each event's record and tags, cached in the store
 * for a while; and the registration last seen for each attendee (the attendee record does not
 * name its ticket). */
#include "engine/sync_int.h"

#include "util/jsonx.h"
#include "util/log.h"

#define REF_TTL_MS (10 * 60 * 1000)

static json_t *cached(engine *en, const char *key)
{
    store_shadow *sh = NULL;
    err e = {0};
    if (store_shadow_get(&sh, en->store, SIDE_REF, key, &e) != 0)
        return NULL;
    json_t *j = NULL;
    if (clock_now_ms(en->clock) - sh->updated_ms < REF_TTL_MS)
        j = json_loads(sh->body, 0, NULL);
    store_shadow_free(sh);
    return j;
}

static void cache_put(engine *en, const char *key, const json_t *j)
{
    char *text = jsonx_dumps(j);
    err e = {0};
    if (!text || store_shadow_put(NULL, en->store, SIDE_REF, key, text, NULL, -1, &e) != 0)
        log_warnf("cache %s: %s", key, text ? e.msg : "out of memory");
    free(text);
}

int refdata_field_defs(json_t **out, engine *en, bool write_cache, err *e)
{
    char key[ENGINE_KEY_MAX];
    snprintf(key, sizeof key, "ghl.fields:%s", en->link.location_id);
    json_t *j = cached(en, key);
    if (j) {
        *out = j;
        return 0;
    }
    ghl_field_defs defs = {0};
    ghl_call call = {0};
    ghl_op op = {.location_id = en->link.location_id, .lane = GOVERNOR_LANE_LIVE, .call = &call};
    int rc = ghl_client_list_custom_fields(&defs, en->ghl, &op, e);
    if (rc != 0)
        return rc;
    j = json_array();
    for (size_t i = 0; j && i < defs.n; i++)
        json_array_append(j, defs.v[i].raw);
    ghl_field_defs_clear(&defs);
    if (!j)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (write_cache)
        cache_put(en, key, j);
    *out = j;
    return 0;
}

static int read_event(json_t **out_event, json_t **out_tags, engine *en, const char *event, err *e)
{
    pl_event_rec ev = {0};
    pl_call call = {.lane = GOVERNOR_LANE_LIVE};
    int rc = pl_client_get_event(&ev, en->pl, event, &call, e);
    if (rc != 0)
        return rc;
    pl_iter *it = NULL;
    rc = pl_client_event_tags(&it, en->pl, event, GOVERNOR_LANE_LIVE, e);
    json_t *tags = json_array();
    for (;;) {
        json_t *item = NULL;
        int n = rc == 0 ? pl_iter_next(&item, it, e) : rc;
        if (n <= 0) {
            rc = n;
            break;
        }
        json_array_append_new(tags, item);
    }
    pl_iter_free(it);
    if (rc != 0) {
        pl_event_rec_free(&ev);
        json_decref(tags);
        return rc;
    }
    *out_event = json_incref(ev.raw);
    *out_tags = tags;
    pl_event_rec_free(&ev);
    return 0;
}

int refdata_event(json_t **out_event, json_t **out_tags, engine *en, const char *event,
                  bool write_cache, err *e)
{
    char key[ENGINE_KEY_MAX];
    snprintf(key, sizeof key, "pl.event:%s:%s", en->link.org_code, event);
    json_t *j = cached(en, key);
    if (j && json_is_object(json_object_get(j, "event")) &&
        json_is_array(json_object_get(j, "tags"))) {
        *out_event = json_incref(json_object_get(j, "event"));
        *out_tags = json_incref(json_object_get(j, "tags"));
        json_decref(j);
        return 0;
    }
    json_decref(j);
    json_t *ev = NULL, *tags = NULL;
    int rc = read_event(&ev, &tags, en, event, e);
    if (rc != 0)
        return rc;
    if (write_cache) {
        j = json_pack("{s:O, s:O}", "event", ev, "tags", tags);
        if (j)
            cache_put(en, key, j);
        json_decref(j);
    }
    *out_event = ev;
    *out_tags = tags;
    return 0;
}

json_t *refdata_registration(engine *en, const char *attendee_key)
{
    return sync_shadow_json(en, SIDE_REG, attendee_key);
}

/* Only what the mapping and the rules read of a registration is kept. */
json_t *refdata_registration_digest(const json_t *reg)
{
    static const char *const keep[] = {
        "code",          "attendee_code", "event_code",        "ticket_name",
        "ticket_code",   "canceled",      "registration_date", "custom_fields",
        "form_response", "checked_in",    "checked_in_date",
    };
    json_t *d = json_object();
    for (size_t i = 0; d && i < PS_ARRAY_LEN(keep); i++) {
        json_t *v = json_object_get(reg, keep[i]);
        if (v)
            json_object_set(d, keep[i], v);
    }
    return d;
}

int refdata_put_registration(engine *en, const char *attendee_key, const json_t *reg, err *e)
{
    json_t *d = refdata_registration_digest(reg);
    char *text = d ? jsonx_dumps(d) : NULL;
    json_decref(d);
    if (!text)
        return err_set(e, ERR_NOMEM, "out of memory");
    store_shadow *old = NULL;
    err e2 = {0};
    bool same = store_shadow_get(&old, en->store, SIDE_REG, attendee_key, &e2) == 0 &&
                strcmp(old->body, text) == 0;
    store_shadow_free(old);
    int rc =
        same ? 0 : store_shadow_put(NULL, en->store, SIDE_REG, attendee_key, text, NULL, -1, e);
    free(text);
    return rc;
}

/* The registrations of the event changed in the last day, remembered; the one of this attendee
 * (new reference) or NULL. A new attendee's registration is among them. */
json_t *refdata_fetch_registration(engine *en, const char *event, const char *code, int lane,
                                   bool write_cache)
{
    pl_iter *it = NULL;
    err e = {0};
    int64_t now = clock_now_ms(en->clock);
    if (pl_client_registrations_since(&it, en->pl, event, now, sync_gov_lane(lane), &e) != 0)
        return NULL;
    json_t *found = NULL;
    for (;;) {
        json_t *r = NULL;
        if (pl_iter_next(&r, it, &e) <= 0)
            break;
        const char *ac = jsonx_str(r, "attendee_code");
        char key[ENGINE_KEY_MAX];
        sync_key_pl(key, en->link.org_code, event, ac ? ac : "");
        if (*key && write_cache)
            refdata_put_registration(en, key, r, &e);
        if (ac && !strcmp(ac, code) && (!found || !jsonx_bool(r, "canceled", false))) {
            json_decref(found);
            found = json_incref(r);
        }
        json_decref(r);
    }
    pl_iter_free(it);
    return found;
}

/* ---------------------------------------------------------------- small helpers */

json_t *sync_shadow_json(engine *en, const char *side, const char *key)
{
    store_shadow *sh = NULL;
    err e = {0};
    if (store_shadow_get(&sh, en->store, side, key, &e) != 0)
        return NULL;
    json_t *j = json_loads(sh->body, 0, NULL);
    store_shadow_free(sh);
    return j;
}

void sync_key_ghl(char *out, const char *location, const char *contact_id)
{
    err e = {0};
    if (engine_key_ghl(out, location, contact_id, &e) != 0)
        out[0] = '\0';
}

void sync_key_pl(char *out, const char *org, const char *event, const char *code)
{
    err e = {0};
    if (engine_key_pl(out, org, event, code, &e) != 0)
        out[0] = '\0';
}

bool sync_event_configured(const engine *en, const char *event)
{
    for (const char *const *ev = en->link.events; ev && *ev; ev++) {
        if (strcmp(*ev, event) == 0)
            return true;
    }
    return false;
}

int sync_lane_of_source(const char *source)
{
    if (source && strcmp(source, "backfill") == 0)
        return STORE_LANE_BACKFILL;
    if (source && strcmp(source, "reconcile") == 0)
        return STORE_LANE_RECONCILE;
    return STORE_LANE_LIVE;
}

governor_lane sync_gov_lane(int store_lane)
{
    return store_lane == STORE_LANE_BACKFILL    ? GOVERNOR_LANE_BACKFILL
           : store_lane == STORE_LANE_RECONCILE ? GOVERNOR_LANE_RECONCILE
                                                : GOVERNOR_LANE_LIVE;
}
