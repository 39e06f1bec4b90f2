/* reconcile.c: complete scans of both sides compared with the links: "scan" hints for every
 * record read, "gone" hints for linked records a complete scan did not see. */
#include "engine/reconcile.h"
#include "engine/poller_int.h"
#include "util/jsonx.h"
#include "util/log.h"

#define DEFAULT_PAGE 500
#define LINKS_PAGE 500

static bool stopped(const reconcile_options *o)
{
    return o->stop && atomic_load(o->stop);
}

/* Looks for linked records a complete scan missed; they are collected in found, {"key",
 * "payload"} each, and written together as one batch (write_gone). */
typedef struct gone_scan {
    engine *eng;
    const char *event; /* PheedLoop: the event scanned; NULL for HighLevel */
    const json_t *seen;
    int64_t started_ms;
    size_t scanned;
    json_t *found;
    size_t gone;
} gone_scan;

static int gone_hint(gone_scan *g, const store_link *l, const char *key, err *e)
{
    json_t *item =
        json_pack("{s:s, s:{s:s, s:I, s:I, s:I}}", "key", key, "payload", "reason",
                  "missing from a complete scan", "link_id", (json_int_t)l->id, "scan_started_ms",
                  (json_int_t)g->started_ms, "scanned", (json_int_t)g->scanned);
    if (!item || json_array_append_new(g->found, item) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    g->gone++;
    return 0;
}

static int gone_link(gone_scan *g, const store_link *l, err *e)
{
    /* A link made or changed since the scan began may name a record newer than the listing. */
    if (l->created_ms >= g->started_ms || l->updated_ms >= g->started_ms)
        return 0;
    char key[ENGINE_KEY_MAX];
    if (!g->event) {
        if (strcmp(l->location_id, g->eng->link.location_id) != 0 ||
            json_object_get(g->seen, l->contact_id) ||
            engine_key_ghl(key, l->location_id, l->contact_id, NULL) != 0)
            return 0;
        return gone_hint(g, l, key, e);
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < l->n_attendees; i++) {
        const store_attendee_ref *a = &l->attendees[i];
        if (strcmp(a->org, g->eng->link.org_code) != 0 || strcmp(a->event, g->event) != 0 ||
            json_object_get(g->seen, a->code) ||
            engine_key_pl(key, a->org, a->event, a->code, NULL) != 0)
            continue;
        rc = gone_hint(g, l, key, e);
    }
    return rc;
}

/* Walks every live link, collecting each linked record the scan missed. */
static int gone_all(gone_scan *g, err *e)
{
    int64_t after = 0;
    int rc = 0;
    for (;;) {
        store_links links = {0};
        rc = store_link_list(&links, g->eng->store, after, LINKS_PAGE, e);
        for (size_t i = 0; rc == 0 && i < links.n; i++) {
            rc = gone_link(g, &links.v[i], e);
            after = links.v[i].id;
        }
        size_t n = links.n;
        store_links_free(&links);
        if (rc != 0 || n < LINKS_PAGE)
            return rc;
    }
}

/* Writes the collected "gone" hints in one transaction, each naming the batch and its size:
 * the planner holds a batch over the delete thresholds for approval as a whole. */
static int write_gone(engine *eng, json_t *found, const char *batch, const reconcile_options *o,
                      err *e)
{
    poller_batch b = {.source = "reconcile", .delay_ms = o->delay_ms};
    size_t i, n = json_array_size(found);
    json_t *item;
    int rc = 0;
    json_array_foreach(found, i, item)
    {
        json_t *payload = json_object_get(item, "payload");
        jsonx_set_str(payload, "batch", batch);
        jsonx_set_int(payload, "batch_size", (int64_t)n);
        if ((rc = poller_batch_add(&b, jsonx_str(item, "key"), "gone", payload, e)) != 0)
            break;
    }
    if (rc == 0)
        rc = poller_batch_flush(NULL, &b, eng->store, NULL, NULL, e);
    poller_batch_free(&b);
    return rc;
}

static void batch_name(char *out, size_t size, const char *scope, int64_t started_ms)
{
    snprintf(out, size, "reconcile:%s:%lld", scope, (long long)started_ms);
}

static int scan_hint(poller_batch *b, json_t *seen, const char *id, const char *key,
                     const json_t *raw, err *e)
{
    int rc =
        json_object_set_new(seen, id, json_true()) ? err_set(e, ERR_NOMEM, "out of memory") : 0;
    return rc ? rc : poller_batch_add(b, key, "scan", raw, e);
}

/* One HighLevel page: a scan hint per contact, written in one transaction. */
static int ghl_page(reconcile_side *r, poller_batch *b, json_t *seen, engine *eng,
                    const ghl_contact_page *page, err *e)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < page->n; i++) {
        char key[ENGINE_KEY_MAX];
        const ghl_contact *c = &page->v[i];
        if (!c->id || engine_key_ghl(key, eng->link.location_id, c->id, NULL) != 0)
            continue;
        r->seen++;
        rc = scan_hint(b, seen, c->id, key, c->raw, e);
    }
    return rc ? rc : poller_batch_flush(NULL, b, eng->store, NULL, NULL, e);
}

/* Scans the location, writing scan hints page by page; when the scan was complete, the links
 * it missed are collected in found. *r is filled even on failure (what was read). */
static int scan_ghl(reconcile_side *r, engine *eng, const reconcile_options *o, json_t *found,
                    err *e)
{
    if (!eng->ghl || !eng->link.location_id)
        return err_set(e, ERR_CONFIG, "reconcile: no HighLevel location configured");
    int64_t started = clock_now_ms(eng->clock);
    ghl_call call = {0};
    ghl_op op = {
        .location_id = eng->link.location_id, .lane = GOVERNOR_LANE_RECONCILE, .call = &call};
    /* dateAdded never changes: a contact edited during the scan keeps its place. */
    json_t *sort = json_pack("[{s:s, s:s}]", "field", "dateAdded", "direction", "asc");
    json_t *seen = json_object();
    ghl_client_query q = {.kind = GHL_ITER_SEARCH,
                          .page_size = o->page_size ? o->page_size : DEFAULT_PAGE,
                          .sort = sort};
    ghl_client_iter *it = NULL;
    int rc = sort && seen ? ghl_client_iter_new(&it, eng->ghl, &op, &q, e)
                          : err_set(e, ERR_NOMEM, "out of memory");
    poller_batch b = {.source = "reconcile", .delay_ms = o->delay_ms};
    ghl_contact_page page = {0};
    while (rc == 0 && !stopped(o)) {
        rc = ghl_client_iter_next(&page, it, e);
        if (rc == 0 && page.n == 0) {
            r->complete = true;
            break;
        }
        if (rc == 0)
            rc = ghl_page(r, &b, seen, eng, &page, e);
    }
    ghl_contact_page_clear(&page);
    ghl_client_iter_free(it);
    gone_scan g = {
        .eng = eng, .seen = seen, .started_ms = started, .scanned = r->seen, .found = found};
    if (rc == 0 && r->complete)
        rc = gone_all(&g, e);
    r->gone = g.gone;
    poller_batch_free(&b);
    json_decref(seen);
    json_decref(sort);
    return rc != 0 ? err_wrap(e, "reconcile HighLevel: ") : 0;
}

static int scan_pl(reconcile_side *r, engine *eng, const char *event, const reconcile_options *o,
                   json_t *found, err *e)
{
    if (!eng->pl || !eng->link.org_code)
        return err_set(e, ERR_CONFIG, "reconcile: no PheedLoop organization configured");
    int64_t started = clock_now_ms(eng->clock);
    json_t *seen = json_object();
    pl_iter *it = NULL;
    int rc = seen ? pl_client_attendees(&it, eng->pl, event, GOVERNOR_LANE_RECONCILE, e)
                  : err_set(e, ERR_NOMEM, "out of memory");
    poller_batch b = {.source = "reconcile", .delay_ms = o->delay_ms};
    pl_attendee a;
    while (rc == 0 && !stopped(o) && (rc = pl_iter_next_attendee(&a, it, e)) == 1) {
        char key[ENGINE_KEY_MAX];
        rc = 0;
        if (engine_key_pl(key, eng->link.org_code, event, a.code, NULL) == 0) {
            r->seen++;
            rc = scan_hint(&b, seen, a.code, key, a.raw, e);
        }
        pl_attendee_free(&a);
        if (rc == 0 && b.n >= DEFAULT_PAGE)
            rc = poller_batch_flush(NULL, &b, eng->store, NULL, NULL, e);
    }
    if (rc == 0)
        rc = poller_batch_flush(NULL, &b, eng->store, NULL, NULL, e);
    r->complete = rc == 0 && !stopped(o) && pl_iter_complete(it);
    pl_iter_free(it);
    gone_scan g = {.eng = eng,
                   .event = event,
                   .seen = seen,
                   .started_ms = started,
                   .scanned = r->seen,
                   .found = found};
    if (rc == 0 && r->complete)
        rc = gone_all(&g, e);
    r->gone = g.gone;
    poller_batch_free(&b);
    json_decref(seen);
    return rc != 0 ? err_wrap(e, "reconcile PheedLoop event %s: ", event) : 0;
}

int reconcile_ghl(reconcile_side *out, engine *eng, const reconcile_options *o, err *e)
{
    reconcile_side r = {0};
    json_t *found = json_array();
    char batch[ENGINE_KEY_MAX];
    batch_name(batch, sizeof batch, "ghl", clock_now_ms(eng->clock));
    int rc = found ? scan_ghl(&r, eng, o, found, e) : err_set(e, ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = write_gone(eng, found, batch, o, e);
    json_decref(found);
    if (rc == 0)
        *out = r;
    return rc;
}

int reconcile_pl_event(reconcile_side *out, engine *eng, const char *event,
                       const reconcile_options *o, err *e)
{
    reconcile_side r = {0};
    json_t *found = json_array();
    char batch[ENGINE_KEY_MAX];
    batch_name(batch, sizeof batch, event, clock_now_ms(eng->clock));
    int rc = found ? scan_pl(&r, eng, event, o, found, e) : err_set(e, ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = write_gone(eng, found, batch, o, e);
    json_decref(found);
    if (rc == 0)
        *out = r;
    return rc;
}

static void add_side(reconcile_side *sum, const reconcile_side *one, bool first)
{
    sum->complete = (first || sum->complete) && one->complete;
    sum->seen += one->seen;
    sum->gone += one->gone;
}

static int record_run(engine *eng, const reconcile_result *r, bool complete)
{
    json_t *j = json_pack("{s:I, s:I, s:b}", "started_ms", (json_int_t)r->started_ms, "finished_ms",
                          (json_int_t)r->finished_ms, "complete", complete);
    char *text = j ? jsonx_dumps(j) : NULL;
    json_decref(j);
    err e = {0};
    char name[ENGINE_KEY_MAX];
    engine_link_scoped(name, sizeof name, &eng->link, RECONCILE_CURSOR);
    int rc = text ? store_cursor_put(eng->store, name, text, &e) : ERR_NOMEM;
    if (rc != 0)
        log_warnf("reconcile: could not record the run: %s", e.msg);
    free(text);
    return rc;
}

/* Keeps the first failure of a run (in e) and logs every one. */
static void note_failure(int *first, err *e, int rc, const err *side_e)
{
    if (rc == 0)
        return;
    log_warnf("%s", side_e->msg);
    if (*first == 0) {
        *first = rc;
        if (e)
            *e = *side_e;
    }
}

int reconcile_run(reconcile_result *out, engine *eng, const reconcile_options *o, err *e)
{
    reconcile_result r = {.started_ms = clock_now_ms(eng->clock)};
    json_t *found = json_array();
    if (!found)
        return err_set(e, ERR_NOMEM, "out of memory");
    int first = 0;
    err side_e = {0};
    bool ghl_on = eng->ghl && eng->link.location_id;
    if (ghl_on)
        note_failure(&first, e, scan_ghl(&r.ghl, eng, o, found, &side_e), &side_e);
    for (size_t i = 0; eng->pl && eng->link.events && eng->link.events[i]; i++) {
        reconcile_side one = {0};
        note_failure(&first, e, scan_pl(&one, eng, eng->link.events[i], o, found, &side_e),
                     &side_e);
        add_side(&r.pl, &one, r.pl_events == 0);
        r.pl_events++;
    }
    /* What complete scans found gone stands even when another scan failed: one batch. */
    char batch[ENGINE_KEY_MAX];
    batch_name(batch, sizeof batch, "run", r.started_ms);
    note_failure(&first, e, write_gone(eng, found, batch, o, &side_e), &side_e);
    json_decref(found);
    r.finished_ms = clock_now_ms(eng->clock);
    bool complete = !first && (!ghl_on || r.ghl.complete) && (r.pl_events == 0 || r.pl.complete);
    record_run(eng, &r, complete);
    if (first != 0)
        return first;
    *out = r;
    return 0;
}
