/* verify.c: the drift between both sides of every link, field by field through the map. */
#include "ops/verify.h"
#include "util/jsonx.h"

/* From this many links on, both sides are listed whole rather than read record by record. */
#define OPS_VERIFY_LIST_FROM 20

/* ---------------------------------------------------------------- comparing two persons */

/* Tags of a not in b (and not in except). */
static json_t *tags_minus(const json_t *a, const json_t *b, const json_t *except)
{
    json_t *out = json_array();
    size_t i;
    const json_t *t;
    json_array_foreach(a, i, t)
    {
        const char *s = json_string_value(t);
        if (s && !jsonx_array_has_str(b, s) && !jsonx_array_has_str(except, s))
            json_array_append_new(out, json_string(s));
    }
    return out;
}

static json_t *value_or_null(const json_t *v)
{
    return v ? json_deep_copy(v) : json_null();
}

static json_t *drift_base(const core_field *f, const core_person *g, const core_person *p)
{
    return json_pack("{s:s, s:o, s:o, s:s, s:s}", "field", f->name, "ghl",
                     value_or_null(json_object_get(g->values, f->name)), "pheedloop",
                     value_or_null(json_object_get(p->values, f->name)), "direction",
                     core_dir_name(f->dir), "owner", core_owner_name(f->owner));
}

static int compare_tags(json_t *drifts, const core_field *f, const core_person *g,
                        const core_person *p)
{
    const json_t *gt = json_object_get(g->values, f->name);
    const json_t *pt = json_object_get(p->values, f->name);
    json_t *miss_pl = core_field_flows(f, CORE_GHL) ? tags_minus(gt, pt, NULL) : json_array();
    json_t *miss_ghl =
        core_field_flows(f, CORE_PL) ? tags_minus(pt, gt, p->derived_tags) : json_array();
    int rc = 0;
    if (json_array_size(miss_pl) || json_array_size(miss_ghl)) {
        json_t *d = drift_base(f, g, p);
        json_object_set(d, "missing_on_ghl", miss_ghl);
        json_object_set(d, "missing_on_pheedloop", miss_pl);
        rc = json_array_append_new(drifts, d) ? ERR_NOMEM : 0;
    }
    json_decref(miss_pl);
    json_decref(miss_ghl);
    return rc;
}

/* Whether a difference in f is one a sync would settle: it may flow to a side it can write. */
static bool settles(const core_field *f)
{
    return (core_field_flows(f, CORE_GHL) && f->writable[CORE_PL]) ||
           (core_field_flows(f, CORE_PL) && f->writable[CORE_GHL]);
}

static int compare_field(json_t *drifts, const core_field *f, const core_person *g,
                         const core_person *p)
{
    const char *why_g = jsonx_str(g->invalid, f->name);
    const char *why_p = jsonx_str(p->invalid, f->name);
    if (why_g || why_p) {
        json_t *d = drift_base(f, g, p);
        char why[512];
        snprintf(why, sizeof why, "unreadable in %s: %s", why_g ? "HighLevel" : "PheedLoop",
                 why_g ? why_g : why_p);
        jsonx_set_str(d, "why", why);
        return json_array_append_new(drifts, d) ? ERR_NOMEM : 0;
    }
    const json_t *gv = json_object_get(g->values, f->name);
    const json_t *pv = json_object_get(p->values, f->name);
    if ((!gv && !pv) || (gv && pv && json_equal(gv, pv)) || !settles(f))
        return 0;
    return json_array_append_new(drifts, drift_base(f, g, p)) ? ERR_NOMEM : 0;
}

int ops_verify_compare(json_t *drifts, const core_map *m, const core_person *ghl,
                       const core_person *pl, const json_t *skip, err *e)
{
    const core_field *tags = core_map_tags(m);
    for (size_t i = 0; i < core_map_count(m); i++) {
        const core_field *f = core_map_at(m, i);
        if (f->dir == CORE_DIR_NONE || jsonx_array_has_str(skip, f->name))
            continue;
        bool placed =
            (f->place[CORE_GHL] != CORE_PLACE_NONE && f->place[CORE_PL] != CORE_PLACE_NONE) ||
            f->derived;
        if (!placed)
            continue;
        int rc = f == tags ? compare_tags(drifts, f, ghl, pl) : compare_field(drifts, f, ghl, pl);
        if (rc != 0)
            return err_set(e, rc, "out of memory");
    }
    return 0;
}

/* ---------------------------------------------------------------- one link */

typedef struct run {
    ops_data *d;
    json_t *report, *drifts, *skipped;
    json_t *skip_fields;  /* every link's skipped fields together, for the report */
    json_t *skip_by_link; /* link name -> the fields its location lacks */
    json_t *link_skip;    /* the fields the location of the link read through lacks */
    size_t links, pairs, in_sync, drifted;
} run;

/* Appends the drifts of one pair (or of a missing record), each naming the person. */
static int add_drifts(run *r, const store_link *l, const char *event, const char *code,
                      json_t *found)
{
    size_t i;
    json_t *d;
    json_array_foreach(found, i, d)
    {
        json_t *who =
            json_pack("{s:I, s:s, s:s?, s:s?, s:s?}", "link", (json_int_t)l->id, "contact_id",
                      l->contact_id, "email", l->email_norm, "event", event, "attendee", code);
        if (!who)
            return ERR_NOMEM;
        if (r->d->app->n_links > 1)
            jsonx_set_str(who, "link_name", ops_data_link_name(r->d));
        json_object_update(who, d);
        if (json_array_append_new(r->drifts, who))
            return ERR_NOMEM;
    }
    return 0;
}

static json_t *missing(const char *side, const char *why)
{
    return json_pack("[{s:s, s:n, s:n, s:s, s:s}]", "field", "record", "ghl", "pheedloop", "side",
                     side, "why", why);
}

static bool configured(const ops_data *d, const char *event)
{
    for (size_t i = 0; d->link_events[i]; i++)
        if (!strcmp(d->link_events[i], event))
            return true;
    return false;
}

static int one_pair(run *r, const store_link *l, const store_attendee_ref *a, const core_person *g,
                    size_t *found, err *e)
{
    if (!configured(r->d, a->event)) {
        char why[160];
        snprintf(why, sizeof why, "the event is not in %s events",
                 app_link_section(&r->d->app->links[r->d->link], false));
        json_array_append_new(r->skipped,
                              json_pack("{s:I, s:s, s:s, s:s}", "link", (json_int_t)l->id, "event",
                                        a->event, "attendee", a->code, "why", why));
        return 0;
    }
    json_t *att = NULL, *drifts = NULL;
    int rc = ops_data_attendee(&att, r->d, a->event, a->code, e);
    r->pairs++;
    if (rc == ERR_NOT_FOUND) {
        drifts = missing("pheedloop", e->msg);
        rc = 0;
    } else if (rc == 0 && g) {
        core_person p = {0};
        drifts = json_array();
        rc = ops_data_person_pl(&p, r->d, a->event, att, e);
        if (rc == 0)
            rc = ops_verify_compare(drifts, r->d->map, g, &p, r->link_skip, e);
        core_person_clear(&p);
    }
    *found += json_array_size(drifts);
    if (rc == 0 && drifts && add_drifts(r, l, a->event, a->code, drifts) != 0)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    json_decref(drifts);
    json_decref(att);
    return rc;
}

static int one_link(run *r, const store_link *l, err *e)
{
    json_t *contact = NULL;
    core_person g = {0};
    size_t found = 0;
    int rc = ops_data_contact(&contact, r->d, l->contact_id, e);
    bool have_g = false;
    if (rc == ERR_NOT_FOUND) {
        json_t *m = missing("ghl", e->msg);
        found = 1;
        rc = add_drifts(r, l, NULL, NULL, m) ? err_set(e, ERR_NOMEM, "out of memory") : 0;
        json_decref(m);
    } else if (rc == 0) {
        rc = ops_data_person_ghl(&g, r->d, contact, e);
        have_g = rc == 0;
    }
    /* Without the contact each attendee is still checked for being there. */
    for (size_t i = 0; rc == 0 && i < l->n_attendees; i++)
        rc = one_pair(r, l, &l->attendees[i], have_g ? &g : NULL, &found, e);
    core_person_clear(&g);
    json_decref(contact);
    r->links++;
    if (found)
        r->drifted++;
    else
        r->in_sync++;
    return rc;
}

/* ---------------------------------------------------------------- every link */

/* The fields the location of the link now read through lacks: they are skipped for its
 * people only (another location may have them). */
static int skipped_fields(run *r, err *e)
{
    const json_t *defs = NULL;
    int rc = ops_data_field_defs(&defs, r->d, e);
    json_t *mine = json_array();
    for (size_t i = 0; rc == 0 && i < core_map_count(r->d->map); i++) {
        const core_field *f = core_map_at(r->d->map, i);
        if (f->dir == CORE_DIR_NONE || !ops_data_field_missing(r->d, f))
            continue;
        json_array_append_new(mine, json_string(f->name));
        if (!jsonx_array_has_str(r->skip_fields, f->name))
            json_array_append_new(r->skip_fields, json_string(f->name));
    }
    if (rc == 0 && json_array_size(mine))
        json_object_set(r->skip_by_link, ops_data_link_name(r->d), mine);
    json_decref(r->link_skip);
    r->link_skip = mine;
    return rc;
}

/* A person of a location no link of the configuration (or of --link) syncs. */
static void skip_person(run *r, const store_link *l)
{
    char why[192];
    snprintf(why, sizeof why, "location %s is in no link of the configuration",
             l->location_id);
    json_array_append_new(r->skipped,
                          json_pack("{s:I, s:s, s:s, s:s}", "link", (json_int_t)l->id,
                                    "contact_id", l->contact_id, "location_id", l->location_id,
                                    "why", why));
}

/* The people of link i's location (i == SIZE_MAX: of no link's), page by page. */
static int people_of(run *r, size_t i, err *e)
{
    store *s = r->d->app->store;
    int64_t after = 0;
    for (;;) {
        store_links page = {0};
        int rc = store_link_list(&page, s, after, 200, e);
        for (size_t k = 0; rc == 0 && k < page.n; k++) {
            size_t at;
            bool owned = ops_data_link_of_location(&at, r->d, page.v[k].location_id);
            if (i == SIZE_MAX && !owned && !r->d->link_only)
                skip_person(r, &page.v[k]);
            else if (i != SIZE_MAX && owned && at == i)
                rc = one_link(r, &page.v[k], e);
            after = page.v[k].id;
        }
        size_t n = page.n;
        store_links_free(&page);
        if (rc != 0 || n == 0)
            return rc;
    }
}

static int each_link(run *r, int64_t link_id, int64_t count, err *e)
{
    store *s = r->d->app->store;
    if (link_id > 0) {
        store_link *l = NULL;
        size_t at;
        int rc = store_link_get(&l, s, link_id, e);
        if (rc == 0 && l->unlinked_ms)
            rc = err_set(e, ERR_NOT_FOUND, "link %lld has ended", (long long)link_id);
        bool owned = rc == 0 && ops_data_link_of_location(&at, r->d, l->location_id);
        if (owned) {
            ops_data_use_link(r->d, at);
            rc = skipped_fields(r, e);
        }
        if (rc == 0 && owned)
            rc = one_link(r, l, e);
        else if (rc == 0)
            skip_person(r, l);
        store_link_free(l);
        return rc;
    }
    size_t from, to;
    ops_data_links(r->d, &from, &to);
    int rc = 0;
    for (size_t i = from; rc == 0 && i < to; i++) {
        ops_data_use_link(r->d, i);
        rc = skipped_fields(r, e);
        if (rc == 0 && count > OPS_VERIFY_LIST_FROM)
            rc = ops_data_prefetch(r->d, (size_t)count, e);
        if (rc == 0)
            rc = people_of(r, i, e);
    }
    return rc == 0 ? people_of(r, SIZE_MAX, e) : rc;
}

int ops_verify_run(json_t **out, ops_data *d, int64_t link_id, err *e)
{
    run r = {.d = d,
             .report = json_object(),
             .drifts = json_array(),
             .skipped = json_array(),
             .skip_fields = json_array(),
             .skip_by_link = json_object()};
    int rc = app_require(d->app, APP_STORE | APP_GHL | APP_PL, e);
    store_counts c = {0};
    if (rc == 0 && link_id == 0)
        rc = store_count(&c, d->app->store, e);
    if (rc == 0)
        rc = each_link(&r, link_id, c.links, e);
    if (rc == 0) {
        char iso[CLOCK_ISO_LEN];
        clock_format_iso(clock_now_ms(d->app->clock), iso);
        json_t *tot =
            json_pack("{s:s, s:I, s:I, s:I, s:I, s:O, s:O, s:O}", "checked_at", iso, "links",
                      (json_int_t)r.links, "pairs", (json_int_t)r.pairs, "in_sync",
                      (json_int_t)r.in_sync, "drifted", (json_int_t)r.drifted, "drifts", r.drifts,
                      "skipped_fields", r.skip_fields, "skipped", r.skipped);
        if (tot && d->app->n_links > 1)
            json_object_set(tot, "skipped_fields_by_link", r.skip_by_link);
        if (!tot || json_object_update(r.report, tot) != 0)
            rc = err_set(e, ERR_NOMEM, "out of memory");
        json_decref(tot);
    }
    json_decref(r.drifts);
    json_decref(r.skipped);
    json_decref(r.skip_fields);
    json_decref(r.skip_by_link);
    json_decref(r.link_skip);
    if (rc != 0) {
        json_decref(r.report);
        return rc;
    }
    *out = r.report;
    return 0;
}

int ops_verify_record(store *s, const json_t *report, int64_t now_ms, err *e)
{
    json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "at_ms", (json_int_t)now_ms, "links",
                          (json_int_t)jsonx_int(report, "links", 0), "pairs",
                          (json_int_t)jsonx_int(report, "pairs", 0), "in_sync",
                          (json_int_t)jsonx_int(report, "in_sync", 0), "drifted",
                          (json_int_t)jsonx_int(report, "drifted", 0), "drifts",
                          (json_int_t)json_array_size(json_object_get(report, "drifts")));
    char *text = j ? jsonx_dumps(j) : NULL;
    json_decref(j);
    if (!text)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = store_cursor_put(s, OPS_VERIFY_CURSOR, text, e);
    free(text);
    return rc;
}
