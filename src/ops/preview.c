/* preview.c: the field map applied to sample records of both sides, side by side. */
#include "ops/preview.h"
#include "core/merge.h"
#include "util/jsonx.h"

typedef struct sample {
    json_t *contact, *attendee; /* either may be NULL */
    const char *paired_by;      /* NULL: alone */
    int64_t link_id;            /* 0: not linked */
} sample;

typedef struct prev {
    ops_data *d;
    const char *event, *org;
    core_map *raw;   /* the map without transforms: what each side holds, as read */
    json_t *raw_off; /* fields the raw map could not take */
    sample *v;
    size_t n;
    json_t *ghl_samples; /* contacts not paired yet */
    int64_t now_ms;
} prev;

/* ---------------------------------------------------------------- the raw map */

/* Each field again without transforms, so that reading a record gives its values as stored.
 * A field whose place needs its transforms (a computed one) cannot be read so: listed off. */
static int raw_map(prev *p, err *e)
{
    int rc = core_map_default(&p->raw, e);
    p->raw_off = json_array();
    for (size_t i = 0; rc == 0 && i < core_map_count(p->d->map); i++) {
        const core_field *f = core_map_at(p->d->map, i);
        core_field_spec s = {.name = f->name,
                             .ghl = f->path[CORE_GHL],
                             .pheedloop = f->path[CORE_PL],
                             .direction = core_dir_name(f->dir)};
        err ignored = {0};
        if (f->dir == CORE_DIR_NONE || f->derived || core_map_add(p->raw, &s, &ignored) != 0)
            json_array_append_new(p->raw_off, json_string(f->name));
    }
    return rc;
}

/* ---------------------------------------------------------------- samples */

static int add_sample(prev *p, json_t *contact, json_t *attendee, const char *by, int64_t link,
                      err *e)
{
    sample *grown = realloc(p->v, (p->n + 1) * sizeof *grown);
    if (!grown) {
        json_decref(contact);
        json_decref(attendee);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    p->v = grown;
    p->v[p->n++] = (sample){contact, attendee, by, link};
    return 0;
}

static int ghl_samples(prev *p, size_t n, err *e)
{
    ghl_call call = {0};
    ghl_op op = {.location_id = p->d->location, .lane = GOVERNOR_LANE_LIVE, .call = &call};
    ghl_client_query q = {.kind = GHL_ITER_SEARCH, .page_size = n, .max = n};
    ghl_client_iter *it = NULL;
    ghl_contact_page page = {0};
    int rc = ghl_client_iter_new(&it, ops_data_ghl(p->d), &op, &q, e);
    p->ghl_samples = json_array();
    while (rc == 0 && json_array_size(p->ghl_samples) < n) {
        rc = ghl_client_iter_next(&page, it, e);
        for (size_t i = 0; rc == 0 && i < page.n && json_array_size(p->ghl_samples) < n; i++)
            json_array_append(p->ghl_samples, page.v[i].raw);
        size_t got = page.n;
        ghl_contact_page_clear(&page);
        if (got == 0)
            break;
    }
    ghl_client_iter_free(it);
    return rc ? err_wrap(e, "HighLevel contact search: ") : 0;
}

/* Takes the unpaired contact sample with this id or normalised e-mail out of the list. */
static json_t *take_contact(prev *p, const char *id, const char *email)
{
    size_t i;
    json_t *c;
    json_array_foreach(p->ghl_samples, i, c)
    {
        char norm[320] = "";
        err e = {0};
        if (email && ops_norm_email(norm, sizeof norm, jsonx_str(c, "email"), &e) != 0)
            norm[0] = '\0';
        const char *cid = jsonx_str(c, "id");
        if ((id && cid && !strcmp(cid, id)) || (email && *email && !strcmp(norm, email))) {
            json_incref(c);
            json_array_remove(p->ghl_samples, i);
            return c;
        }
    }
    return NULL;
}

/* An attendee's counterpart: its link's contact, a sample with its e-mail, or the contact
 * HighLevel's duplicate search finds. */
static int pair_attendee(prev *p, json_t *att, err *e)
{
    store_link *l = NULL;
    const char *code = jsonx_str(att, "code");
    int rc = store_link_by_attendee(&l, p->d->app->store, p->org, p->event, code ? code : "", e);
    if (rc == 0) {
        json_t *c = take_contact(p, l->contact_id, NULL);
        int cr = c ? 0 : ops_data_contact(&c, p->d, l->contact_id, e);
        int64_t id = l->id;
        store_link_free(l);
        if (cr != 0 && cr != ERR_NOT_FOUND)
            return cr;
        return add_sample(p, c, json_incref(att), "link", id, e);
    }
    if (rc != ERR_NOT_FOUND)
        return rc;
    char email[320] = "";
    if (ops_norm_email(email, sizeof email, jsonx_str(att, "email"), e) != 0)
        return add_sample(p, NULL, json_incref(att), NULL, 0, e);
    json_t *c = take_contact(p, NULL, email);
    if (c)
        return add_sample(p, c, json_incref(att), "email", 0, e);
    ghl_call call = {0};
    ghl_op op = {.location_id = p->d->location, .lane = GOVERNOR_LANE_LIVE, .call = &call};
    ghl_contact ct = {0};
    bool found = false;
    rc = ghl_client_find_duplicate(&ct, &found, ops_data_ghl(p->d), &op, email, NULL, e);
    if (rc == 0 && found)
        c = json_incref(ct.raw);
    ghl_contact_clear(&ct);
    if (rc != 0)
        return err_wrap(e, "HighLevel duplicate search: ");
    return add_sample(p, c, json_incref(att), c ? "duplicate_search" : NULL, 0, e);
}

static int pl_samples(prev *p, size_t n, err *e)
{
    pl_iter *it = NULL;
    int rc = pl_client_attendees(&it, ops_data_pl(p->d), p->event, GOVERNOR_LANE_LIVE, e);
    for (size_t got = 0; rc == 0 && got < n; got++) {
        json_t *att = NULL;
        int more = pl_iter_next(&att, it, e);
        if (more <= 0) {
            rc = more;
            break;
        }
        rc = pair_attendee(p, att, e);
        json_decref(att);
    }
    pl_iter_free(it);
    return rc;
}

/* Contacts left: their link's attendee in the event, else alone. */
static int pair_contacts(prev *p, err *e)
{
    size_t i;
    json_t *c;
    int rc = 0;
    json_array_foreach(p->ghl_samples, i, c)
    {
        store_link *l = NULL;
        const char *id = jsonx_str(c, "id");
        json_t *att = NULL;
        int lr = store_link_by_contact(&l, p->d->app->store, p->d->location, id ? id : "", e);
        int64_t link = lr == 0 ? l->id : 0;
        for (size_t k = 0; lr == 0 && !att && k < l->n_attendees; k++) {
            if (strcmp(l->attendees[k].event, p->event) != 0)
                continue;
            rc = ops_data_attendee(&att, p->d, p->event, l->attendees[k].code, e);
            rc = rc == ERR_NOT_FOUND ? 0 : rc;
        }
        store_link_free(l);
        if (lr != 0 && lr != ERR_NOT_FOUND)
            rc = lr;
        if (rc == 0)
            rc = add_sample(p, json_incref(c), att, att ? "link" : NULL, link, e);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- the rows */

typedef struct side_read {
    core_person now, raw; /* through the map, and through the raw map */
    core_pl_record rec;   /* PheedLoop only */
    bool have;
} side_read;

static int read_sides(prev *p, const sample *s, side_read *g, side_read *a, err *e)
{
    const json_t *defs = NULL;
    int rc = ops_data_field_defs(&defs, p->d, e);
    if (rc == 0 && s->contact) {
        core_ghl_record r = {.contact = s->contact, .field_defs = defs};
        rc = core_person_from_ghl(&g->now, p->d->map, &r, e);
        if (rc == 0)
            rc = core_person_from_ghl(&g->raw, p->raw, &r, e);
        g->have = rc == 0;
    }
    if (rc == 0 && s->attendee) {
        rc = ops_data_pl_record(&a->rec, p->d, p->event, s->attendee, e);
        if (rc == 0)
            rc = core_person_from_pl(&a->now, p->d->map, &a->rec, e);
        if (rc == 0)
            rc = core_person_from_pl(&a->raw, p->raw, &a->rec, e);
        a->have = rc == 0;
    }
    return rc;
}

static json_t *raw_value(prev *p, const core_field *f, const side_read *r, core_side side,
                         const json_t *record)
{
    if (!r->have || f->place[side] == CORE_PLACE_NONE)
        return json_null();
    if (f == core_map_tags(p->d->map))
        return json_incref(json_object_get(record, "tags") ? json_object_get(record, "tags")
                                                           : json_null());
    if (jsonx_array_has_str(p->raw_off, f->name))
        return json_null();
    const json_t *v = json_object_get(r->raw.values, f->name);
    return v ? json_deep_copy(v) : json_null();
}

static json_t *value_of(const side_read *r, const char *name)
{
    const json_t *v = r->have ? json_object_get(r->now.values, name) : NULL;
    return v ? json_deep_copy(v) : json_null();
}

/* What a sync would write for one field, and why when a decision was needed. */
static void field_writes(json_t *row, const core_field *f, const core_merge_out *m, bool is_tags)
{
    json_t *w = json_object_get(row, "writes");
    if (is_tags) {
        const core_tag_delta *d[2] = {&m->tags_ghl, &m->tags_pl};
        for (int s = 0; s < 2; s++) {
            if (json_array_size(d[s]->add) || json_array_size(d[s]->remove))
                json_array_append_new(w, json_pack("{s:s, s:O, s:O}", "to",
                                                   core_side_name((core_side)s), "add", d[s]->add,
                                                   "remove", d[s]->remove));
        }
    } else {
        const json_t *to[2] = {json_object_get(m->to_ghl, f->name),
                               json_object_get(m->to_pl, f->name)};
        for (int s = 0; s < 2; s++)
            if (to[s])
                json_array_append_new(
                    w, json_pack("{s:s, s:O}", "to", core_side_name((core_side)s), "value", to[s]));
    }
    for (size_t i = 0; i < m->n_decisions; i++) {
        const core_decision *dc = &m->decisions[i];
        if (!strcmp(dc->field, f->name) && dc->reason && dc->kind != CORE_DECIDE_ONE_SIDE)
            jsonx_set_str(row, "note", dc->reason);
    }
}

/* An attendee alone: the contact a sync would create from it (F1). */
static json_t *create_values(const core_map *map, const core_person *pl)
{
    json_t *v = json_object();
    for (size_t i = 0; i < core_map_count(map); i++) {
        const core_field *f = core_map_at(map, i);
        const json_t *val = json_object_get(pl->values, f->name);
        if (val && core_field_flows(f, CORE_PL) && f->writable[CORE_GHL] &&
            !(f->derived && core_field_source(f) == CORE_GHL))
            json_object_set(v, f->name, core_json_mut(val));
    }
    return v;
}

static json_t *field_row(prev *p, const core_field *f, const sample *s, const side_read *g,
                         const side_read *a)
{
    json_t *row =
        json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:[]}", "field", f->name, "ghl_place",
                  f->path[CORE_GHL], "pheedloop_place", f->path[CORE_PL], "direction",
                  core_dir_name(f->dir), "ghl_raw", raw_value(p, f, g, CORE_GHL, s->contact),
                  "pheedloop_raw", raw_value(p, f, a, CORE_PL, s->attendee), "ghl",
                  value_of(g, f->name), "pheedloop", value_of(a, f->name), "writes");
    const char *why_g = g->have ? jsonx_str(g->now.invalid, f->name) : NULL;
    const char *why_p = a->have ? jsonx_str(a->now.invalid, f->name) : NULL;
    char note[512];
    if (f->dir == CORE_DIR_NONE) {
        jsonx_set_str(row, "note", "not synced (direction none)");
    } else if (ops_data_field_missing(p->d, f)) {
        snprintf(note, sizeof note,
                 "the location has no custom field %s: not synced until it is created",
                 f->key[CORE_GHL]);
        jsonx_set_str(row, "note", note);
    } else if (why_g || why_p) {
        snprintf(note, sizeof note, "unreadable in %s: %s", why_g ? "HighLevel" : "PheedLoop",
                 why_g ? why_g : why_p);
        jsonx_set_str(row, "note", note);
    }
    return row;
}

/* The API bodies a sync would send for this sample. */
static json_t *bodies(prev *p, const sample *s, const side_read *a, const core_merge_out *m,
                      const json_t *create)
{
    json_t *out = json_object();
    json_t *b = NULL;
    err e = {0};
    const json_t *defs = p->d->field_defs;
    core_ghl_record cur = {.contact = s->contact, .field_defs = defs};
    if (m && json_object_size(m->to_ghl) &&
        core_person_to_ghl_fields(&b, p->d->map, m->to_ghl, &cur, &e) == 0)
        json_object_set_new(out, "ghl", b);
    else if (create && core_person_to_ghl_fields(&b, p->d->map, create, NULL, &e) == 0)
        json_object_set_new(out, "ghl", b);
    b = NULL;
    bool pl_writes = m && (json_object_size(m->to_pl) || json_array_size(m->tags_pl.add) ||
                           json_array_size(m->tags_pl.remove));
    if (pl_writes &&
        core_person_to_pl_fields(&b, p->d->map, m->to_pl, &m->tags_pl, &a->rec, &e) == 0)
        json_object_set_new(out, "pheedloop", b);
    if (e.code)
        jsonx_set_str(out, "error", e.msg);
    return out;
}

/* The stored shadows of a linked pair (NULL when none: the first-link rule applies). */
static void pair_shadows(prev *p, const sample *s, json_t **sg, json_t **sp)
{
    *sg = *sp = NULL;
    char key[ENGINE_KEY_MAX];
    err e = {0};
    const char *code = jsonx_str(s->attendee, "code");
    if (!s->link_id || !code || engine_key_pl(key, p->org, p->event, code, &e) != 0)
        return;
    const char *side[2] = {"ghl", "pheedloop"};
    json_t **out[2] = {sg, sp};
    for (int i = 0; i < 2; i++) {
        store_shadow *sh = NULL;
        if (store_shadow_get(&sh, p->d->app->store, side[i], key, &e) == 0)
            *out[i] = json_loads(sh->body, 0, NULL);
        store_shadow_free(sh);
    }
}

static int sample_rows(prev *p, const sample *s, json_t *people, err *e)
{
    side_read g = {0}, a = {0};
    core_merge_out m = {0};
    bool merged = false;
    json_t *create = NULL, *sg = NULL, *sp = NULL;
    int rc = read_sides(p, s, &g, &a, e);
    if (rc == 0 && g.have && a.have) {
        pair_shadows(p, s, &sg, &sp);
        core_merge_in in = {.map = p->d->map,
                            .ghl = &g.now,
                            .pl = &a.now,
                            .shadow_ghl = sg,
                            .shadow_pl = sp,
                            .last_side = CORE_PL,
                            .now_ms = p->now_ms};
        rc = core_merge(&m, &in, e);
        merged = rc == 0;
    } else if (rc == 0 && a.have) {
        create = create_values(p->d->map, &a.now);
    }
    json_t *fields = json_array();
    for (size_t i = 0; rc == 0 && i < core_map_count(p->d->map); i++) {
        const core_field *f = core_map_at(p->d->map, i);
        json_t *row = field_row(p, f, s, &g, &a);
        const json_t *cv = create ? json_object_get(create, f->name) : NULL;
        if (merged && f->dir != CORE_DIR_NONE)
            field_writes(row, f, &m, f == core_map_tags(p->d->map));
        else if (cv)
            json_array_append_new(json_object_get(row, "writes"),
                                  json_pack("{s:s, s:O}", "to", "ghl", "value", cv));
        json_array_append_new(fields, row);
    }
    if (rc == 0) {
        const char *email = jsonx_str(s->contact ? s->contact : s->attendee, "email");
        json_t *one = json_pack(
            "{s:s?, s:s?, s:s?, s:s?, s:o, s:o}", "contact_id", jsonx_str(s->contact, "id"),
            "attendee", jsonx_str(s->attendee, "code"), "email", email, "paired_by", s->paired_by,
            "fields", json_incref(fields), "bodies", bodies(p, s, &a, merged ? &m : NULL, create));
        json_array_append_new(people, one);
    }
    json_decref(fields);
    json_decref(create);
    json_decref(sg);
    json_decref(sp);
    if (merged)
        core_merge_out_clear(&m);
    core_person_clear(&g.now);
    core_person_clear(&g.raw);
    core_person_clear(&a.now);
    core_person_clear(&a.raw);
    return rc;
}

/* ---------------------------------------------------------------- the preview */

static void prev_clear(prev *p)
{
    for (size_t i = 0; i < p->n; i++) {
        json_decref(p->v[i].contact);
        json_decref(p->v[i].attendee);
    }
    free(p->v);
    json_decref(p->ghl_samples);
    json_decref(p->raw_off);
    core_map_free(p->raw);
}

int ops_preview(json_t **out, ops_data *d, size_t sample_n, const char *event, err *e)
{
    prev p = {.d = d, .event = event ? event : d->link_events[0]};
    int rc = app_require(d->app, APP_STORE | APP_GHL | APP_PL, e);
    const app_link *l = &d->app->links[d->link];
    if (rc == 0 && !p.event)
        rc = err_set(e, ERR_CONFIG, "%s events names no event: name one, or pass --event",
                     app_link_section(l, false));
    if (rc == 0 && (!d->location || !*d->location))
        rc = err_set(e, ERR_CONFIG, "%s location_id is not set", app_link_section(l, true));
    ops_event *ev = NULL;
    if (rc == 0)
        rc = ops_data_event(&ev, d, p.event, e);
    const json_t *defs = NULL;
    if (rc == 0)
        rc = ops_data_field_defs(&defs, d, e);
    p.org = rc == 0 ? ops_data_org(d) : NULL;
    p.now_ms = clock_now_ms(d->app->clock);
    if (rc == 0)
        rc = raw_map(&p, e);
    if (rc == 0)
        rc = ghl_samples(&p, sample_n, e);
    if (rc == 0)
        rc = pl_samples(&p, sample_n, e);
    if (rc == 0)
        rc = pair_contacts(&p, e);
    json_t *people = json_array();
    for (size_t i = 0; rc == 0 && i < p.n; i++)
        rc = sample_rows(&p, &p.v[i], people, e);
    if (rc == 0) {
        size_t n_ghl = 0, n_pl = 0;
        for (size_t i = 0; i < p.n; i++) {
            n_ghl += p.v[i].contact != NULL;
            n_pl += p.v[i].attendee != NULL;
        }
        json_t *rep = json_pack("{s:s, s:{s:I, s:I}, s:O}", "event", p.event, "samples", "ghl",
                                (json_int_t)n_ghl, "pheedloop", (json_int_t)n_pl, "people", people);
        if (rep)
            *out = rep;
        else
            rc = err_set(e, ERR_NOMEM, "out of memory");
    }
    json_decref(people);
    prev_clear(&p);
    return rc;
}
