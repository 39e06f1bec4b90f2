/* scan.c: complete listings of both sides (a backfill, or a reconcile): every contact of the
 * location and every attendee (with its registration) of each configured event becomes a
 * "scan" hint carrying the record, and, when every list was read to its end, every linked
 * record the scan no longer saw becomes a "gone" hint. */
#include "engine/sync_int.h"

#include "util/jsonx.h"
#include "util/log.h"

#define HINT_BATCH 500
#define GHL_PAGE 100 /* the list's largest page */

typedef struct scan {
    engine *en;
    int lane;
    sync_snapshot *snap; /* may be NULL */
    json_t *mem;         /* a dry run keeps its hints here instead of the inbox */
    json_t *batch;       /* hints waiting for their transaction */
    engine_scan_stats *st;
    const char *source;
    int64_t read_ms;
    bool keep_snap; /* the caller keeps the snapshot and plans from it */
    /* Planning each attendee merges its whole person (every pair of the contact's link) from
     * the snapshot, so a contact needs no plan of its own in that pass, unless its activity is
     * to be pulled. */
    bool attendees_cover;
} scan;

static int flush(scan *s, err *e)
{
    if (!json_array_size(s->batch))
        return 0;
    if (s->mem) {
        size_t i;
        json_t *h;
        json_array_foreach(s->batch, i, h) json_array_append(s->mem, h);
        json_array_clear(s->batch);
        return 0;
    }
    store *st = s->en->store;
    int rc = store_begin(st, e);
    if (rc == 0)
        rc = sync_append_hints(st, s->batch, e);
    if (rc == 0)
        rc = store_commit(st, e);
    if (rc != 0) {
        err e2 = {0};
        store_rollback(st, &e2);
        return rc;
    }
    json_array_clear(s->batch);
    return 0;
}

static int add_hint(scan *s, const char *key, const char *kind, json_t *payload, err *e)
{
    /* The pass that keeps a snapshot plans from it: its hints need not carry the record. */
    if (s->keep_snap && !s->mem && !strcmp(kind, "scan")) {
        json_decref(payload);
        payload = NULL;
    }
    json_t *h = json_pack("{s:s, s:s, s:s, s:o}", "key", key, "kind", kind, "source", s->source,
                          "payload", payload ? payload : json_object());
    if (!h || json_array_append_new(s->batch, h) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    s->st->hints++;
    return json_array_size(s->batch) >= HINT_BATCH ? flush(s, e) : 0;
}

/* ---------------------------------------------------------------- HighLevel */

static int scan_contacts(scan *s, bool *complete, err *e)
{
    engine *en = s->en;
    ghl_call call = {0};
    ghl_op op = {
        .location_id = en->link.location_id, .lane = sync_gov_lane(s->lane), .call = &call};
    /* The (deprecated) list, not the search: a scan is a read, and the search is a POST. */
    ghl_client_query q = {.kind = GHL_ITER_LIST, .page_size = GHL_PAGE};
    ghl_client_iter *it = NULL;
    int rc = ghl_client_iter_new(&it, en->ghl, &op, &q, e);
    size_t seen = 0;
    while (rc == 0) {
        ghl_contact_page page = {0};
        rc = ghl_client_iter_next(&page, it, e);
        if (rc != 0 || page.n == 0) {
            ghl_contact_page_clear(&page);
            break;
        }
        s->st->pages_ghl++;
        for (size_t i = 0; rc == 0 && i < page.n; i++) {
            json_t *ct = page.v[i].raw;
            char key[ENGINE_KEY_MAX];
            sync_key_ghl(key, en->link.location_id, page.v[i].id);
            if (!*key)
                continue;
            seen++;
            if (s->snap && snap_add_contact(s->snap, ct, s->read_ms) != 0)
                rc = err_set(e, ERR_NOMEM, "out of memory");
            if (rc == 0 && !s->attendees_cover)
                rc = add_hint(s, key, "scan", json_pack("{s:O}", "contact", ct), e);
        }
        ghl_contact_page_clear(&page);
    }
    int64_t total = it ? ghl_client_iter_total(it) : -1;
    ghl_client_iter_free(it);
    s->st->contacts += seen;
    *complete = rc == 0 && (total < 0 || (size_t)total == seen);
    return rc;
}

/* ---------------------------------------------------------------- PheedLoop */

static int scan_registrations(json_t *regs, scan *s, const char *event, size_t *pages, err *e)
{
    pl_iter *it = NULL;
    int rc = pl_client_registrations_since(&it, s->en->pl, event, 0, sync_gov_lane(s->lane), e);
    while (rc == 0) {
        json_t *r = NULL;
        int n = pl_iter_next(&r, it, e);
        if (n <= 0) {
            rc = n;
            break;
        }
        const char *code = jsonx_str(r, "attendee_code");
        if (code && !jsonx_bool(r, "canceled", false))
            json_object_set(regs, code, r);
        else if (code && !json_object_get(regs, code))
            json_object_set(regs, code, r);
        json_decref(r);
    }
    if (it)
        *pages += (size_t)pl_iter_pages(it);
    pl_iter_free(it);
    return rc;
}

static int scan_event(scan *s, const char *event, bool *complete, err *e)
{
    engine *en = s->en;
    json_t *regs = json_object();
    size_t pages = 0;
    int rc = scan_registrations(regs, s, event, &pages, e);
    pl_iter *it = NULL;
    if (rc == 0)
        rc = pl_client_attendees(&it, en->pl, event, sync_gov_lane(s->lane), e);
    while (rc == 0) {
        json_t *a = NULL;
        int n = pl_iter_next(&a, it, e);
        if (n <= 0) {
            rc = n;
            break;
        }
        const char *code = jsonx_str(a, "code");
        char key[ENGINE_KEY_MAX];
        sync_key_pl(key, en->link.org_code, event, code ? code : "");
        if (*key) {
            json_t *reg = json_object_get(regs, code);
            s->st->attendees++;
            if (s->snap && (snap_add_attendee(s->snap, key, a, s->read_ms) != 0 ||
                            (reg && snap_add_registration(s->snap, key, reg) != 0)))
                rc = err_set(e, ERR_NOMEM, "out of memory");
            if (rc == 0)
                rc = add_hint(s, key, "scan",
                              json_pack("{s:O, s:O?}", "attendee", a, "registration", reg), e);
        }
        json_decref(a);
    }
    if (it) {
        pages += (size_t)pl_iter_pages(it);
        *complete = rc == 0 && pl_iter_complete(it);
    }
    s->st->pages_pl += pages;
    pl_iter_free(it);
    json_decref(regs);
    return rc;
}

/* ---------------------------------------------------------------- gone */

#define LINK_PAGE 1000

/* Calls fn on every live link. */
int sync_links_each(engine *en, int (*fn)(void *ctx, const store_link *l, err *e), void *ctx,
                    err *e)
{
    int64_t after = 0;
    for (;;) {
        store_links ls = {0};
        int rc = store_link_list(&ls, en->store, after, LINK_PAGE, e);
        for (size_t i = 0; rc == 0 && i < ls.n; i++)
            rc = fn(ctx, &ls.v[i], e);
        size_t n = ls.n;
        if (n)
            after = ls.v[n - 1].id;
        store_links_free(&ls);
        if (rc != 0 || n < LINK_PAGE)
            return rc;
    }
}

typedef struct gone_walk {
    scan *s;
    json_t *keys; /* gone record keys */
} gone_walk;

static int gone_one(void *ctx, const store_link *l, err *e)
{
    gone_walk *g = ctx;
    engine *en = g->s->en;
    if (strcmp(l->location_id, en->link.location_id) != 0)
        return 0;
    if (!snap_has_contact(g->s->snap, l->contact_id)) {
        char key[ENGINE_KEY_MAX];
        sync_key_ghl(key, l->location_id, l->contact_id);
        return json_array_append_new(g->keys, json_string(key)) ? ERR_NOMEM : 0;
    }
    for (size_t i = 0; i < l->n_attendees; i++) {
        const store_attendee_ref *a = &l->attendees[i];
        char key[ENGINE_KEY_MAX];
        sync_key_pl(key, a->org, a->event, a->code);
        if (strcmp(a->org, en->link.org_code) != 0 || !sync_event_configured(en, a->event) ||
            snap_has_attendee(g->s->snap, key))
            continue;
        if (json_array_append_new(g->keys, json_string(key)) != 0)
            return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

static int gone_hints(scan *s, err *e)
{
    gone_walk g = {s, json_array()};
    int rc = g.keys ? sync_links_each(s->en, gone_one, &g, e) : ERR_NOMEM;
    char batch[64];
    snprintf(batch, sizeof batch, "%s-%lld", s->source, (long long)s->read_ms);
    size_t n = json_array_size(g.keys), i;
    json_t *k;
    json_array_foreach(g.keys, i, k)
    {
        if (rc == 0)
            rc = add_hint(s, json_string_value(k), "gone",
                          json_pack("{s:s, s:I}", "batch", batch, "batch_size", (json_int_t)n), e);
    }
    s->st->gone += n;
    json_decref(g.keys);
    return rc;
}

/* ---------------------------------------------------------------- the scan */

int scan_run(engine_scan_stats *out, engine *en, int lane, sync_snapshot *snap, json_t *mem, err *e)
{
    engine_scan_stats st = {0};
    scan s = {en,
              lane,
              snap,
              mem,
              json_array(),
              &st,
              lane == STORE_LANE_RECONCILE ? "reconcile" : "backfill",
              clock_now_ms(en->clock),
              snap != NULL,
              snap != NULL && !mem && !config_bool(en->cfg, "sync", "pull_activity")};
    if (!s.batch)
        return err_set(e, ERR_NOMEM, "out of memory");
    sync_snapshot *own = NULL;
    if (!s.snap && snap_new(&own, 1) == 0)
        s.snap = own; /* the gone walk needs to know what was seen */
    bool ok = false, all = true;
    int rc = scan_contacts(&s, &ok, e);
    all &= ok;
    if (ok && s.snap)
        snap_set_contacts_complete(s.snap);
    for (const char *const *ev = en->link.events; rc == 0 && ev && *ev; ev++) {
        ok = false;
        rc = scan_event(&s, *ev, &ok, e);
        all &= ok;
    }
    st.complete = rc == 0 && all;
    if (rc == 0 && st.complete)
        rc = gone_hints(&s, e);
    else if (rc == 0)
        log_warnf("scan: a list was not read completely; no deletes are inferred");
    if (rc == 0)
        rc = flush(&s, e);
    json_decref(s.batch);
    snap_free(own);
    if (rc != 0)
        return rc;
    *out = st;
    return 0;
}

int engine_backfill(engine_scan_stats *out, engine *en, int lane, err *e)
{
    return scan_run(out, en, lane, NULL, NULL, e);
}
