/* planner_gone.c: deletes. A complete scan that no longer sees a linked record says so with a
 * "gone" hint; the planner checks that the record really answers 404, then applies the delete
 * policy: by default the person is unlinked and tagged on the other side
 * (pheedsync:deleted-in-pheedloop / -highlevel); with delete_policy = propagate it is deleted
 * there too. A scan that finds more deletes than [sync] delete_hold_count, or more than
 * delete_hold_share of the links, has them held for an operator's approval instead. */
#include "engine/sync_int.h"

#include "util/jsonx.h"
#include "util/log.h"

#define CURSOR_APPLIED "engine.held_applied."

static bool over_threshold(plan_ctx *c, int64_t batch_size)
{
    if (batch_size > c->set.hold_count)
        return true;
    store_counts n = {0};
    err e = {0};
    if (store_count(&n, c->en->store, &e) != 0 || n.links <= 0)
        return false;
    return batch_size * 100 > c->set.hold_share_pct * n.links;
}

static int hold(plan *p, const json_t *payload, const char *side, const char *key,
                const store_link *l, const char *reason, err *e)
{
    json_t *h =
        json_pack("{s:s?, s:s, s:s, s:I, s:s, s:{s:s, s:s}}", "batch", jsonx_str(payload, "batch"),
                  "side", side, "key", key, "link_id", (json_int_t)l->id, "reason", reason,
                  "payload", "kind", "gone", "key", key);
    if (!h || json_array_append_new(p->helds, h) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    log_warnf("delete held for approval: %s (%s)", key, reason);
    return 0;
}

static int audit(plan *p, const store_link *l, const char *reason, err *e)
{
    char person[32];
    snprintf(person, sizeof person, "%lld", (long long)l->id);
    return plan_audit(p, person, "delete", json_pack("[s]", "link"), NULL, NULL, reason, e);
}

/* An attendee gone from PheedLoop: its contact is tagged (or deleted, when it was the contact's
 * only attendee and deletes propagate); the attendee leaves the link. */
static int attendee_gone(plan_ctx *c, const store_hint *h, plan *p, const store_link *l,
                         const char *parts[3], err *e)
{
    json_t *u = json_pack("{s:s, s:s, s:s, s:s}", "org", parts[0], "event", parts[1], "code",
                          parts[2], "reason", "deleted in PheedLoop");
    if (!u || json_array_append_new(p->unlinks, u) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    char ckey[ENGINE_KEY_MAX], idem[ENGINE_KEY_MAX + 16];
    sync_key_ghl(ckey, l->location_id, l->contact_id);
    snprintf(idem, sizeof idem, "gone:%s#%lld.%lld", h->record_key, (long long)h->last_id,
             (long long)h->received_ms);
    int rc;
    if (c->set.propagate_deletes && l->n_attendees <= 1) {
        rc = plan_op(p, "ghl", l->location_id, "ghl.delete_contact", ckey,
                     json_pack("{s:s}", "contact_id", l->contact_id), idem, STORE_LANE_LIVE, e);
        json_t *all = json_pack("{s:I, s:s}", "link_id", (json_int_t)l->id, "reason",
                                "deleted in PheedLoop; deleted in HighLevel too");
        if (rc == 0 && (!all || json_array_append_new(p->unlinks, all) != 0))
            rc = err_set(e, ERR_NOMEM, "out of memory");
    } else {
        rc = plan_op(p, "ghl", l->location_id, "ghl.tags", ckey,
                     json_pack("{s:s, s:[s], s:[]}", "contact_id", l->contact_id, "tags_add",
                               TAG_DELETED_IN_PL, "tags_remove"),
                     idem, STORE_LANE_LIVE, e);
    }
    char reason[ENGINE_KEY_MAX + 64];
    snprintf(reason, sizeof reason, "attendee %s deleted in PheedLoop: %s", h->record_key,
             c->set.propagate_deletes ? "propagated" : "unlinked and tagged");
    return rc == 0 ? audit(p, l, reason, e) : rc;
}

/* The tag on an attendee whose contact is gone, kept in its metadata (no event has it). */
static int tag_attendee(plan_ctx *c, plan *p, const store_attendee_ref *a, const char *idem, err *e)
{
    json_t *att = NULL, *reg = NULL;
    int rc = rec_attendee_for(&att, &reg, c, NULL, a->event, a->code, STORE_LANE_LIVE, e);
    json_decref(reg);
    if (rc == ERR_NOT_FOUND)
        return 0;
    if (rc != 0)
        return rc;
    const json_t *have = json_object_get(att, "metadata");
    json_t *meta = json_is_object(have) ? json_deep_copy(have) : json_object();
    json_t *tags = json_deep_copy(jsonx_path(meta, "highlevel.tags"));
    if (!json_is_array(tags)) {
        json_decref(tags);
        tags = json_array();
    }
    json_array_append_new(tags, json_string(TAG_DELETED_IN_GHL));
    bool changed = false;
    rc = core_activity_set_tags(meta, tags, &changed, e);
    json_decref(tags);
    char key[ENGINE_KEY_MAX];
    sync_key_pl(key, a->org, a->event, a->code);
    if (rc == 0 && changed)
        rc = plan_op(p, "pheedloop", a->org, "pl.update_attendee", key,
                     json_pack("{s:s, s:s, s:s, s:{s:O}, s:{s:O}, s:n}", "key", key, "event",
                               a->event, "code", a->code, "body", "metadata", meta, "base",
                               "metadata", have ? have : json_null(), "shadow"),
                     idem, STORE_LANE_LIVE, e);
    json_decref(meta);
    json_decref(att);
    return rc;
}

/* A contact gone from HighLevel: the link ends; its attendees are tagged (or deleted). */
static int contact_gone(plan_ctx *c, const store_hint *h, plan *p, const store_link *l, err *e)
{
    json_t *u =
        json_pack("{s:I, s:s}", "link_id", (json_int_t)l->id, "reason", "deleted in HighLevel");
    if (!u || json_array_append_new(p->unlinks, u) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < l->n_attendees; i++) {
        const store_attendee_ref *a = &l->attendees[i];
        char key[ENGINE_KEY_MAX], idem[ENGINE_KEY_MAX * 2 + 16];
        sync_key_pl(key, a->org, a->event, a->code);
        snprintf(idem, sizeof idem, "gone:%s#%lld.%lld:%s", h->record_key, (long long)h->last_id,
                 (long long)h->received_ms, key);
        if (c->set.propagate_deletes)
            rc = plan_op(p, "pheedloop", a->org, "pl.delete_attendee", key,
                         json_pack("{s:s, s:s}", "event", a->event, "code", a->code), idem,
                         STORE_LANE_LIVE, e);
        else
            rc = tag_attendee(c, p, a, idem, e);
    }
    char reason[ENGINE_KEY_MAX + 64];
    snprintf(reason, sizeof reason, "contact %s deleted in HighLevel: %s", h->record_key,
             c->set.propagate_deletes ? "propagated" : "unlinked and tagged");
    return rc == 0 ? audit(p, l, reason, e) : rc;
}

/* Reads the record once more: a scan's word is checked before anything is unlinked. */
static int still_there(bool *out, plan_ctx *c, bool ghl, const char *parts[3], err *e)
{
    int rc;
    if (ghl) {
        ghl_contact ct = {0};
        ghl_call call = {0};
        ghl_op op = {.location_id = parts[0], .lane = GOVERNOR_LANE_RECONCILE, .call = &call};
        rc = ghl_client_get_contact(&ct, c->en->ghl, &op, parts[1], e);
        ghl_contact_clear(&ct);
    } else {
        pl_attendee a = {0};
        pl_call call = {.lane = GOVERNOR_LANE_RECONCILE};
        rc = pl_client_get_attendee(&a, c->en->pl, parts[1], parts[2], &call, e);
        pl_attendee_free(&a);
    }
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return rc;
    *out = rc == 0;
    return 0;
}

int planner_gone(plan_ctx *c, const store_hint *h, plan *p, err *e)
{
    char scratch[ENGINE_KEY_MAX];
    const char *parts[3];
    const char *side = engine_key_parse(h->record_key, scratch, parts);
    if (!side)
        return 0;
    bool ghl = !strcmp(side, "ghl");
    store_link *l = NULL;
    int rc = ghl ? store_link_by_contact(&l, c->en->store, parts[0], parts[1], e)
                 : store_link_by_attendee(&l, c->en->store, parts[0], parts[1], parts[2], e);
    if (rc == ERR_NOT_FOUND)
        return 0; /* not linked (any more): nothing to do */
    if (rc != 0)
        return rc;
    bool there = false;
    rc = still_there(&there, c, ghl, parts, e);
    json_t *payload = json_loads(h->payload ? h->payload : "{}", 0, NULL);
    bool approved = jsonx_int(payload, "approved", 0) > 0;
    if (rc == 0 && there)
        log_infof("%s: a scan missed it, but it is there; nothing deleted", h->record_key);
    else if (rc == 0 && !approved && over_threshold(c, jsonx_int(payload, "batch_size", 1)))
        rc = hold(p, payload, ghl ? SIDE_PL : SIDE_GHL, h->record_key, l,
                  ghl ? "contact deleted in HighLevel" : "attendee deleted in PheedLoop", e);
    else if (rc == 0)
        rc = ghl ? contact_gone(c, h, p, l, e) : attendee_gone(c, h, p, l, parts, e);
    json_decref(payload);
    store_link_free(l);
    return rc;
}

static int apply_page(engine *en, const store_helds *page, size_t *done, err *e)
{
    const store_helds *hs = page;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < hs->n; i++) {
        const store_held *hd = &hs->v[i];
        if (!engine_key_in_link(&en->link, hd->record_key))
            continue; /* another link's: its own engine queues it */
        char cursor[64], *v = NULL;
        snprintf(cursor, sizeof cursor, CURSOR_APPLIED "%lld", (long long)hd->id);
        err e2 = {0};
        if (store_cursor_get(&v, en->store, cursor, &e2) == 0) {
            free(v);
            continue;
        }
        json_t *hints =
            json_pack("[{s:s, s:s, s:s, s:{s:I}}]", "key", hd->record_key, "kind", "gone", "source",
                      "engine", "payload", "approved", (json_int_t)hd->id);
        rc = store_begin(en->store, e);
        if (rc == 0)
            rc = sync_append_hints(en->store, hints, e);
        if (rc == 0)
            rc = store_cursor_put(en->store, cursor, "1", e);
        if (rc == 0)
            rc = store_commit(en->store, e);
        else
            store_rollback(en->store, &e2);
        json_decref(hints);
        *done += rc == 0;
    }
    return rc;
}

#define HELD_PAGE 1000

int engine_apply_approved(engine *en, size_t *out_done, err *e)
{
    size_t done = 0;
    int64_t after = 0;
    int rc = 0;
    for (;;) {
        store_helds hs = {0};
        rc = store_held_list(&hs, en->store, STORE_HELD_APPROVED, after, HELD_PAGE, e);
        if (rc != 0 || hs.n == 0) {
            store_helds_free(&hs);
            break;
        }
        after = hs.v[hs.n - 1].id;
        rc = apply_page(en, &hs, &done, e);
        store_helds_free(&hs);
        if (rc != 0)
            break;
    }
    if (rc == 0)
        *out_done = done;
    return rc;
}
