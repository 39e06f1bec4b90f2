/* ops_data.c: reading both sides for the operator's commands, with the reference data (custom
 * field definitions, events, their tags and registrations) read once per run. */
#include "ops/ops_data.h"
#include "util/jsonx.h"

int ops_data_open(ops_data *d, app_ctx *a, err *e)
{
    memset(d, 0, sizeof *d);
    d->app = a;
    d->location = a->links[0].cfg.location_id;
    d->link_events = a->links[0].cfg.events;
    return core_map_from_config(&d->map, a->cfg, e);
}

/* What was read of one link's location and events. */
static void drop_cached(ops_data *d)
{
    for (size_t i = 0; i < d->n_events; i++) {
        free(d->events[i]->code);
        json_decref(d->events[i]->event);
        json_decref(d->events[i]->tags);
        json_decref(d->events[i]->regs);
        json_decref(d->events[i]->attendees);
        free(d->events[i]);
    }
    free(d->events);
    d->events = NULL;
    d->n_events = 0;
    json_decref(d->field_defs);
    json_decref(d->contacts);
    d->field_defs = d->contacts = NULL;
}

void ops_data_close(ops_data *d)
{
    if (!d)
        return;
    drop_cached(d);
    core_map_free(d->map);
    memset(d, 0, sizeof *d);
}

void ops_data_use_link(ops_data *d, size_t i)
{
    if (i == d->link || i >= d->app->n_links)
        return;
    drop_cached(d);
    d->link = i;
    d->location = d->app->links[i].cfg.location_id;
    d->link_events = d->app->links[i].cfg.events;
}

int ops_data_only_link(ops_data *d, const char *name, err *e)
{
    if (!name || !*name)
        return 0;
    size_t i;
    int rc = app_link_find(&i, d->app, name, e);
    if (rc != 0)
        return err_wrap(e, "--link: ");
    ops_data_use_link(d, i);
    d->link_only = true;
    return 0;
}

void ops_data_links(const ops_data *d, size_t *from, size_t *to)
{
    *from = d->link_only ? d->link : 0;
    *to = d->link_only ? d->link + 1 : d->app->n_links;
}

bool ops_data_link_of_location(size_t *out, const ops_data *d, const char *location_id)
{
    size_t from, to;
    ops_data_links(d, &from, &to);
    for (size_t i = from; location_id && i < to; i++) {
        const char *loc = d->app->links[i].cfg.location_id;
        if (loc && strcmp(loc, location_id) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

ghl_client *ops_data_ghl(const ops_data *d)
{
    return d->app->links[d->link].ghl;
}

pl_client *ops_data_pl(const ops_data *d)
{
    return d->app->links[d->link].pl;
}

const char *ops_data_org(ops_data *d)
{
    const char *org = d->app->links[d->link].cfg.org_code;
    if (org && *org)
        return org;
    err e = {0};
    pl_client *pl = app_require(d->app, APP_PL, &e) == 0 ? ops_data_pl(d) : NULL;
    return pl ? pl_client_org(pl) : "";
}

const char *ops_data_link_name(const ops_data *d)
{
    return engine_link_label(&d->app->links[d->link].cfg);
}

int ops_norm_email(char *out, size_t n, const char *raw, err *e)
{
    buf b;
    buf_init(&b, 512);
    char why[CORE_WHY_MAX];
    int rc = core_norm_email(&b, raw ? raw : "", raw ? strlen(raw) : 0, why);
    if (rc == 0 && b.len >= n)
        rc = ERR_LIMIT;
    if (rc == 0)
        snprintf(out, n, "%s", buf_cstr(&b));
    buf_free(&b);
    if (rc == ERR_LIMIT)
        return err_set(e, ERR_INVALID, "e-mail address too long");
    return rc ? err_set(e, ERR_INVALID, "'%s' is not an e-mail address: %s", raw ? raw : "", why)
              : 0;
}

/* ---------------------------------------------------------------- HighLevel */

/* " --link NAME" for a [link] of the configuration, else "": what `connect ghl` needs. */
static const char *link_opt(const ops_data *d, char *out, size_t size)
{
    const app_link *l = &d->app->links[d->link];
    snprintf(out, size, l->sec ? " --link %s" : "", l->cfg.name);
    return out;
}

static int need_ghl(ops_data *d, ghl_op *op, ghl_call *call, err *e)
{
    if (!d->location || !*d->location)
        return err_set(e, ERR_CONFIG, "%s location_id is not set",
                       app_link_section(&d->app->links[d->link], true));
    int rc = app_require(d->app, APP_GHL, e);
    if (rc != 0)
        return rc;
    memset(call, 0, sizeof *call);
    *op = (ghl_op){.location_id = d->location, .lane = GOVERNOR_LANE_LIVE, .call = call};
    return 0;
}

/* A failed HighLevel read in the words an operator needs: the record is not there, the
 * location is not connected (what to run), or what the client said. */
static int ghl_failed(ops_data *d, int rc, const ghl_call *call, const char *what, err *e)
{
    char opt[96];
    if (call->held)
        return err_set(e, ERR_CONFIG,
                       "HighLevel location %s needs re-authorization: run `pheedsync connect "
                       "ghl%s`",
                       d->location, link_opt(d, opt, sizeof opt));
    if (call->error.kind == API_ERR_NOT_FOUND)
        return err_set(e, ERR_NOT_FOUND, "HighLevel has no %s", what);
    if (rc == ERR_NOT_FOUND) /* nothing was sent: no token stored for the location */
        return err_set(e, ERR_CONFIG,
                       "HighLevel location %s is not connected: run `pheedsync connect ghl%s`",
                       d->location, link_opt(d, opt, sizeof opt));
    return err_wrap(e, "HighLevel, reading %s: ", what);
}

int ops_data_field_defs(const json_t **out, ops_data *d, err *e)
{
    if (d->field_defs) {
        *out = d->field_defs;
        return 0;
    }
    ghl_op op;
    ghl_call call;
    int rc = need_ghl(d, &op, &call, e);
    ghl_field_defs defs = {0};
    if (rc == 0 && (rc = ghl_client_list_custom_fields(&defs, ops_data_ghl(d), &op, e)) != 0)
        rc = ghl_failed(d, rc, &call, "custom field list", e);
    if (rc != 0)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < defs.n; i++)
        json_array_append(arr, defs.v[i].raw);
    ghl_field_defs_clear(&defs);
    if (!arr)
        return err_set(e, ERR_NOMEM, "out of memory");
    d->field_defs = arr;
    *out = arr;
    return 0;
}

bool ops_data_field_missing(ops_data *d, const core_field *f)
{
    if (f->place[CORE_GHL] != CORE_PLACE_CUSTOM || !d->field_defs)
        return false;
    const char *want = f->key[CORE_GHL];
    want += strncmp(want, "contact.", 8) == 0 ? 8 : 0;
    size_t i;
    const json_t *def;
    json_array_foreach(d->field_defs, i, def)
    {
        const char *have = jsonx_str(def, "fieldKey");
        if (have && strncmp(have, "contact.", 8) == 0)
            have += 8;
        if (have && strcmp(have, want) == 0)
            return false;
    }
    return true;
}

int ops_data_contact(json_t **out, ops_data *d, const char *contact_id, err *e)
{
    json_t *listed = d->contacts ? json_object_get(d->contacts, contact_id) : NULL;
    if (listed) {
        *out = json_incref(listed);
        return 0;
    }
    ghl_op op;
    ghl_call call;
    int rc = need_ghl(d, &op, &call, e);
    if (rc != 0)
        return rc;
    ghl_contact ct = {0};
    rc = ghl_client_get_contact(&ct, ops_data_ghl(d), &op, contact_id, e);
    if (rc != 0) {
        char what[160];
        snprintf(what, sizeof what, "contact %s", contact_id);
        return ghl_failed(d, rc, &call, what, e);
    }
    *out = json_incref(ct.raw);
    ghl_contact_clear(&ct);
    return 0;
}

int ops_data_person_ghl(core_person *out, ops_data *d, const json_t *contact, err *e)
{
    const json_t *defs = NULL;
    int rc = ops_data_field_defs(&defs, d, e);
    core_ghl_record r = {.contact = contact, .field_defs = defs};
    return rc ? rc : core_person_from_ghl(out, d->map, &r, e);
}

/* ---------------------------------------------------------------- PheedLoop */

static int read_tags(json_t **out, ops_data *d, const char *event, err *e)
{
    pl_iter *it = NULL;
    int rc = pl_client_event_tags(&it, ops_data_pl(d), event, GOVERNOR_LANE_LIVE, e);
    json_t *tags = json_array();
    while (rc == 0) {
        json_t *item = NULL;
        int n = pl_iter_next(&item, it, e);
        if (n <= 0) {
            rc = n;
            break;
        }
        json_array_append_new(tags, item);
    }
    pl_iter_free(it);
    if (rc != 0) {
        json_decref(tags);
        return rc;
    }
    *out = tags;
    return 0;
}

int ops_data_event(ops_event **out, ops_data *d, const char *event, err *e)
{
    for (size_t i = 0; i < d->n_events; i++) {
        if (!strcmp(d->events[i]->code, event)) {
            *out = d->events[i];
            return 0;
        }
    }
    int rc = app_require(d->app, APP_PL, e);
    if (rc != 0)
        return rc;
    pl_event_rec ev = {0};
    rc = pl_client_get_event(&ev, ops_data_pl(d), event, NULL, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_NOT_FOUND, "PheedLoop has no event %s", event);
    json_t *tags = NULL;
    if (rc == 0)
        rc = read_tags(&tags, d, event, e);
    ops_event **grown = rc == 0 ? realloc(d->events, (d->n_events + 1) * sizeof *grown) : NULL;
    if (grown)
        d->events = grown;
    ops_event *one = grown ? calloc(1, sizeof *one) : NULL;
    char *code = one ? strdup(event) : NULL;
    if (rc == 0 && !code)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (rc != 0) {
        free(one);
        json_decref(tags);
        pl_event_rec_free(&ev);
        return rc == ERR_NOMEM ? rc : err_wrap(e, "PheedLoop event %s: ", event);
    }
    *one = (ops_event){.code = code, .event = json_incref(ev.raw), .tags = tags};
    pl_event_rec_free(&ev);
    d->events[d->n_events++] = one;
    *out = one;
    return 0;
}

/* Every registration of the event by attendee code; a live one wins over a canceled one. */
static int read_registrations(json_t **out, ops_data *d, const char *event, err *e)
{
    pl_iter *it = NULL;
    int rc = pl_client_registrations_since(&it, ops_data_pl(d), event, 0, GOVERNOR_LANE_LIVE, e);
    json_t *by_code = json_object();
    while (rc == 0) {
        json_t *reg = NULL;
        int n = pl_iter_next(&reg, it, e);
        if (n <= 0) {
            rc = n;
            break;
        }
        const char *code = jsonx_str(reg, "attendee_code");
        json_t *had = code ? json_object_get(by_code, code) : NULL;
        if (code && (!had || jsonx_bool(had, "canceled", false)))
            json_object_set(by_code, code, reg);
        json_decref(reg);
    }
    pl_iter_free(it);
    if (rc != 0) {
        json_decref(by_code);
        return err_wrap(e, "PheedLoop registrations of %s: ", event);
    }
    *out = by_code;
    return 0;
}

int ops_data_registration(const json_t **out, ops_data *d, const char *event, const char *code,
                          err *e)
{
    ops_event *ev = NULL;
    int rc = ops_data_event(&ev, d, event, e);
    if (rc == 0 && !ev->regs)
        rc = read_registrations(&ev->regs, d, event, e);
    if (rc != 0)
        return rc;
    *out = json_object_get(ev->regs, code);
    return 0;
}

int ops_data_attendee(json_t **out, ops_data *d, const char *event, const char *code, err *e)
{
    ops_event *ev = NULL;
    int rc = ops_data_event(&ev, d, event, e);
    if (rc != 0)
        return rc;
    json_t *listed = ev->attendees ? json_object_get(ev->attendees, code) : NULL;
    if (listed) {
        *out = json_incref(listed);
        return 0;
    }
    pl_attendee a = {0};
    rc = pl_client_get_attendee(&a, ops_data_pl(d), event, code, NULL, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_NOT_FOUND, "PheedLoop has no attendee %s in event %s", code, event);
    if (rc != 0)
        return err_wrap(e, "PheedLoop, reading attendee %s: ", code);
    *out = json_incref(a.raw);
    pl_attendee_free(&a);
    return 0;
}

int ops_data_pl_record(core_pl_record *out, ops_data *d, const char *event, const json_t *attendee,
                       err *e)
{
    ops_event *ev = NULL;
    const json_t *reg = NULL;
    const char *code = jsonx_str(attendee, "code");
    int rc = ops_data_event(&ev, d, event, e);
    if (rc == 0 && code)
        rc = ops_data_registration(&reg, d, event, code, e);
    if (rc != 0)
        return rc;
    *out = (core_pl_record){.attendee = attendee,
                            .registration = reg,
                            .event = ev->event,
                            .event_code = event,
                            .event_tags = ev->tags};
    return 0;
}

int ops_data_person_pl(core_person *out, ops_data *d, const char *event, const json_t *attendee,
                       err *e)
{
    core_pl_record r;
    int rc = ops_data_pl_record(&r, d, event, attendee, e);
    return rc ? rc : core_person_from_pl(out, d->map, &r, e);
}

/* ---------------------------------------------------------------- whole lists */

#define OPS_LIST_PAGE 500

/* Whether a list of total records (-1: unknown) takes fewer pages than reads single reads. */
static bool worth_listing(int64_t total, size_t reads)
{
    return total < 0 || (size_t)((total + OPS_LIST_PAGE - 1) / OPS_LIST_PAGE) < reads;
}

/* Every contact, unless the first page shows that reading reads of them costs less. */
static int list_contacts(json_t **out, ops_data *d, size_t reads, err *e)
{
    ghl_op op;
    ghl_call call;
    int rc = need_ghl(d, &op, &call, e);
    op.lane = GOVERNOR_LANE_RECONCILE;
    ghl_client_query q = {.kind = GHL_ITER_SEARCH, .page_size = OPS_LIST_PAGE};
    ghl_client_iter *it = NULL;
    json_t *all = json_object();
    if (rc == 0)
        rc = ghl_client_iter_new(&it, ops_data_ghl(d), &op, &q, e);
    bool worth = true;
    for (size_t got = 1, pages = 0; rc == 0 && got > 0 && worth; pages++) {
        ghl_contact_page page = {0};
        rc = ghl_client_iter_next(&page, it, e);
        for (size_t i = 0; rc == 0 && i < page.n; i++)
            if (page.v[i].id)
                json_object_set(all, page.v[i].id, page.v[i].raw);
        got = page.n;
        ghl_contact_page_clear(&page);
        worth = pages > 0 || worth_listing(ghl_client_iter_total(it), reads);
    }
    ghl_client_iter_free(it);
    if (rc != 0) {
        json_decref(all);
        return ghl_failed(d, rc, &call, "the contact list", e);
    }
    if (!worth)
        json_decref(all);
    else
        *out = all;
    return 0;
}

/* Every attendee of the event, unless its size shows that reads single reads cost less. */
static int list_attendees(json_t **out, ops_data *d, const char *event, size_t reads, err *e)
{
    pl_iter *it = NULL;
    int rc = pl_client_attendees(&it, ops_data_pl(d), event, GOVERNOR_LANE_RECONCILE, e);
    json_t *all = json_object();
    bool worth = true;
    while (rc == 0 && worth) {
        json_t *a = NULL;
        int n = pl_iter_next(&a, it, e);
        if (n <= 0) {
            rc = n;
            break;
        }
        const char *code = jsonx_str(a, "code");
        if (code)
            json_object_set(all, code, a);
        json_decref(a);
        worth = pl_iter_pages(it) > 1 || worth_listing(pl_iter_count(it), reads);
    }
    pl_iter_free(it);
    if (rc != 0) {
        json_decref(all);
        return err_wrap(e, "PheedLoop attendees of %s: ", event);
    }
    if (!worth)
        json_decref(all);
    else
        *out = all;
    return 0;
}

int ops_data_prefetch(ops_data *d, size_t reads, err *e)
{
    int rc = d->contacts ? 0 : list_contacts(&d->contacts, d, reads, e);
    for (size_t i = 0; rc == 0 && d->link_events[i]; i++) {
        ops_event *ev = NULL;
        rc = ops_data_event(&ev, d, d->link_events[i], e);
        if (rc == ERR_NOT_FOUND) { /* a configured event that is gone: its reads will say so */
            rc = 0;
            continue;
        }
        if (rc == 0 && !ev->attendees)
            rc = list_attendees(&ev->attendees, d, ev->code, reads, e);
    }
    return rc;
}
