/* merge.c: the three-way merge of a linked person, field by field and tag by tag. */
#include "core/merge.h"

#include "util/jsonx.h"

#include <stdarg.h>

typedef struct merger {
    const core_merge_in *in;
    core_merge_out *out;
    const core_person *cur[2];
    const json_t *shadow[2];
    err *e;
    int rc;
    bool echo;
} merger;

static core_side other(core_side s)
{
    return s == CORE_GHL ? CORE_PL : CORE_GHL;
}

static const char *side_title(core_side s)
{
    return s == CORE_GHL ? "HighLevel" : "PheedLoop";
}

const char *core_decision_kind_name(core_decision_kind k)
{
    static const char *const names[] = {"one_side",   "converged", "conflict",
                                        "first_link", "direction", "invalid"};
    return (size_t)k < PS_ARRAY_LEN(names) ? names[k] : "?";
}

/* Who wins when both sides hold different values. */
static core_side winner_of(const core_field *f, core_side last)
{
    if (f->dir == CORE_DIR_G2P)
        return CORE_GHL;
    if (f->dir == CORE_DIR_P2G)
        return CORE_PL;
    if (f->owner == CORE_OWNER_HIGHLEVEL)
        return CORE_GHL;
    if (f->owner == CORE_OWNER_PHEEDLOOP)
        return CORE_PL;
    return last;
}

static void owner_text(char *out, size_t n, const core_field *f, core_side last)
{
    if (f->dir != CORE_DIR_BOTH)
        snprintf(out, n, "direction = %s: the source wins", core_dir_name(f->dir));
    else if (f->owner == CORE_OWNER_NEWEST)
        snprintf(out, n, "owner = newest: %s changed last", side_title(last));
    else
        snprintf(out, n, "owner = %s", core_owner_name(f->owner));
}

__attribute__((format(printf, 8, 9))) static void decide(merger *mg, const char *field,
                                                         core_decision_kind kind, core_side winner,
                                                         const json_t *before, const json_t *after,
                                                         bool audit, const char *fmt, ...)
{
    if (mg->rc)
        return;
    core_merge_out *o = mg->out;
    core_decision *grown = realloc(o->decisions, (o->n_decisions + 1) * sizeof *grown);
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (!grown) {
        mg->rc = err_set(mg->e, ERR_NOMEM, "out of memory");
        return;
    }
    o->decisions = grown;
    core_decision *d = &o->decisions[o->n_decisions++];
    d->field = strdup(field);
    d->kind = kind;
    d->winner = winner;
    d->before = core_value_empty(before) ? NULL : json_deep_copy(before);
    d->after = core_value_empty(after) ? NULL : json_deep_copy(after);
    d->reason = strdup(reason);
    d->audit = audit;
    if (!d->field || !d->reason)
        mg->rc = err_set(mg->e, ERR_NOMEM, "out of memory");
}

/* Queues value (NULL: empty) for side `to`. */
static void write_to(merger *mg, core_side to, const char *field, const json_t *value)
{
    json_t *w = to == CORE_GHL ? mg->out->to_ghl : mg->out->to_pl;
    json_t *v = core_value_empty(value) ? json_null() : json_deep_copy(value);
    if (!mg->rc && json_object_set_new(w, field, v) != 0)
        mg->rc = err_set(mg->e, ERR_NOMEM, "out of memory");
}

/* ---------------------------------------------------------------- fields */

typedef struct field_state {
    const core_field *f;
    const json_t *cur[2];
    const char *invalid[2]; /* why the value could not be read, or NULL */
} field_state;

static void first_link(merger *mg, const field_state *st)
{
    const core_field *f = st->f;
    const json_t *g = st->cur[CORE_GHL], *p = st->cur[CORE_PL];
    if (core_value_equal(g, p))
        return;
    if (core_value_empty(g) || core_value_empty(p)) {
        core_side src = core_value_empty(g) ? CORE_PL : CORE_GHL;
        core_side dst = other(src);
        if (!core_field_flows(f, src)) {
            decide(mg, f->name, CORE_DECIDE_DIRECTION, dst, st->cur[src], st->cur[dst], false,
                   "first link: %s's value stays there (direction = %s)", side_title(src),
                   core_dir_name(f->dir));
            return;
        }
        write_to(mg, dst, f->name, st->cur[src]);
        if (st->invalid[dst])
            decide(mg, f->name, CORE_DECIDE_INVALID, src, NULL, st->cur[src], true,
                   "first link: %s's value could not be read (%s); %s's replaces it",
                   side_title(dst), st->invalid[dst], side_title(src));
        else
            decide(mg, f->name, CORE_DECIDE_FIRST_LINK, src, NULL, st->cur[src], false,
                   "first link: %s had no value", side_title(dst));
        return;
    }
    core_side win = winner_of(f, mg->in->last_side);
    char why[160];
    owner_text(why, sizeof why, f, mg->in->last_side);
    write_to(mg, other(win), f->name, st->cur[win]);
    decide(mg, f->name, CORE_DECIDE_FIRST_LINK, win, st->cur[other(win)], st->cur[win], true,
           "first link: the sides differ; %s", why);
}

static void both_changed(merger *mg, const field_state *st)
{
    const core_field *f = st->f;
    if (core_value_equal(st->cur[CORE_GHL], st->cur[CORE_PL])) {
        decide(mg, f->name, CORE_DECIDE_CONVERGED, mg->in->last_side, NULL, st->cur[CORE_GHL],
               false, "changed on both sides to the same value");
        return;
    }
    core_side win = winner_of(f, mg->in->last_side);
    char why[160];
    owner_text(why, sizeof why, f, mg->in->last_side);
    write_to(mg, other(win), f->name, st->cur[win]);
    decide(mg, f->name, CORE_DECIDE_CONFLICT, win, st->cur[other(win)], st->cur[win], true,
           "changed on both sides; %s", why);
}

static void one_changed(merger *mg, const field_state *st, core_side s)
{
    const core_field *f = st->f;
    core_side o = other(s);
    if (core_value_equal(st->cur[s], st->cur[o]))
        return;
    if (!core_field_flows(f, s)) {
        decide(mg, f->name, CORE_DECIDE_DIRECTION, o, st->cur[s], st->cur[o], true,
               "changed on %s only, not carried: direction = %s", side_title(s),
               core_dir_name(f->dir));
        return;
    }
    write_to(mg, o, f->name, st->cur[s]);
    if (st->invalid[o])
        decide(mg, f->name, CORE_DECIDE_INVALID, s, NULL, st->cur[s], true,
               "changed on %s; %s's value could not be read (%s) and is replaced", side_title(s),
               side_title(o), st->invalid[o]);
    else
        decide(mg, f->name, CORE_DECIDE_ONE_SIDE, s, st->cur[o], st->cur[s], false,
               "changed on %s only", side_title(s));
}

static bool shadow_has(const json_t *shadow, const char *name)
{
    return shadow && json_object_get(shadow, name) != NULL;
}

static void merge_field(merger *mg, const core_field *f)
{
    field_state st = {f, {NULL, NULL}, {NULL, NULL}};
    bool first = false, changed[2];
    for (core_side s = CORE_GHL; s <= CORE_PL; s++) {
        st.cur[s] = json_object_get(mg->cur[s]->values, f->name);
        st.invalid[s] = jsonx_str(mg->cur[s]->invalid, f->name);
        first |= !shadow_has(mg->shadow[s], f->name);
    }
    if (st.invalid[CORE_GHL] && st.invalid[CORE_PL])
        return;
    if (first) {
        mg->echo = false;
        first_link(mg, &st);
        return;
    }
    for (core_side s = CORE_GHL; s <= CORE_PL; s++) {
        const json_t *sh = json_object_get(mg->shadow[s], f->name);
        changed[s] = !st.invalid[s] && !core_value_equal(st.cur[s], sh);
    }
    if (changed[CORE_GHL] || changed[CORE_PL])
        mg->echo = false;
    if (changed[CORE_GHL] && changed[CORE_PL])
        both_changed(mg, &st);
    else if (changed[CORE_GHL] || changed[CORE_PL])
        one_changed(mg, &st, changed[CORE_GHL] ? CORE_GHL : CORE_PL);
}

/* ---------------------------------------------------------------- tags */

static bool has_tag(const json_t *set, const char *t)
{
    return jsonx_array_has_str(set, t);
}

static void tag_op(merger *mg, core_side to, const char *t, bool add)
{
    core_tag_delta *d = to == CORE_GHL ? &mg->out->tags_ghl : &mg->out->tags_pl;
    if (to == CORE_PL && !add && has_tag(mg->cur[CORE_PL]->derived_tags, t))
        return; /* computed from the registration: removing it there is moot */
    if (to == CORE_PL && core_map_is_derived_tag(mg->in->map, t))
        return; /* computed from some attendee: not a tag of this one */
    json_t *list = add ? d->add : d->remove;
    if (!mg->rc && json_array_append_new(list, json_string(t)) != 0)
        mg->rc = err_set(mg->e, ERR_NOMEM, "out of memory");
}

typedef struct tag_state {
    const core_field *f;
    const char *t;
    bool in[2], was[2];
} tag_state;

static void tag_first_link(merger *mg, const tag_state *ts)
{
    for (core_side s = CORE_GHL; s <= CORE_PL; s++) {
        if (ts->in[s] && !ts->in[other(s)] && core_field_flows(ts->f, s))
            tag_op(mg, other(s), ts->t, true);
    }
}

static void tag_conflict(merger *mg, const tag_state *ts)
{
    core_side win = winner_of(ts->f, mg->in->last_side);
    core_side lose = other(win);
    char why[160];
    owner_text(why, sizeof why, ts->f, mg->in->last_side);
    tag_op(mg, lose, ts->t, ts->in[win]);
    json_t *tag = json_string(ts->t);
    decide(mg, ts->f->name, CORE_DECIDE_CONFLICT, win, ts->in[lose] ? tag : NULL,
           ts->in[win] ? tag : NULL, true, "tag '%s' %s on %s and %s on %s; %s", ts->t,
           ts->in[CORE_GHL] ? "added" : "removed", side_title(CORE_GHL),
           ts->in[CORE_PL] ? "added" : "removed", side_title(CORE_PL), why);
    json_decref(tag);
}

static void tag_one(merger *mg, const tag_state *ts, core_side s)
{
    core_side o = other(s);
    if (ts->in[s] == ts->in[o])
        return;
    if (core_field_flows(ts->f, s)) {
        tag_op(mg, o, ts->t, ts->in[s]);
        return;
    }
    json_t *tag = json_string(ts->t);
    decide(mg, ts->f->name, CORE_DECIDE_DIRECTION, o, ts->in[s] ? tag : NULL,
           ts->in[o] ? tag : NULL, true, "tag '%s' %s on %s only, not carried: direction = %s",
           ts->t, ts->in[s] ? "added" : "removed", side_title(s), core_dir_name(ts->f->dir));
    json_decref(tag);
}

static void merge_tag(merger *mg, tag_state *ts, const json_t *cur[2], const json_t *sh[2],
                      bool first)
{
    for (core_side s = CORE_GHL; s <= CORE_PL; s++) {
        ts->in[s] = has_tag(cur[s], ts->t);
        ts->was[s] = has_tag(sh[s], ts->t);
    }
    if (first) {
        tag_first_link(mg, ts);
        return;
    }
    bool dg = ts->in[CORE_GHL] != ts->was[CORE_GHL], dp = ts->in[CORE_PL] != ts->was[CORE_PL];
    if (dg || dp)
        mg->echo = false;
    if (dg && dp && ts->in[CORE_GHL] != ts->in[CORE_PL])
        tag_conflict(mg, ts);
    else if (dg != dp)
        tag_one(mg, ts, dg ? CORE_GHL : CORE_PL);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void merge_tags(merger *mg, const core_field *f)
{
    const json_t *cur[2], *sh[2];
    bool first = false;
    size_t total = 0;
    for (core_side s = CORE_GHL; s <= CORE_PL; s++) {
        cur[s] = json_object_get(mg->cur[s]->values, f->name);
        sh[s] = json_object_get(mg->shadow[s], f->name);
        first |= !shadow_has(mg->shadow[s], f->name);
        total += json_array_size(cur[s]) + json_array_size(sh[s]);
    }
    if (first)
        mg->echo = false;
    /* Every tag of the four sets once, in order, so decisions come out the same every time. */
    const char **all = calloc(total ? total : 1, sizeof *all);
    if (!all) {
        mg->rc = err_set(mg->e, ERR_NOMEM, "out of memory");
        return;
    }
    size_t n = 0;
    const json_t *sets[4] = {cur[0], cur[1], sh[0], sh[1]};
    for (size_t k = 0; k < 4; k++) {
        for (size_t i = 0; i < json_array_size(sets[k]); i++) {
            const char *t = json_string_value(json_array_get(sets[k], i));
            if (t)
                all[n++] = t;
        }
    }
    qsort(all, n, sizeof *all, cmp_str);
    for (size_t i = 0; i < n && !mg->rc; i++) {
        if (i > 0 && strcmp(all[i], all[i - 1]) == 0)
            continue;
        tag_state ts = {f, all[i], {false, false}, {false, false}};
        merge_tag(mg, &ts, cur, sh, first);
    }
    free(all);
}

/* ---------------------------------------------------------------- the merge */

void core_merge_out_clear(core_merge_out *o)
{
    if (!o)
        return;
    json_decref(o->to_ghl);
    json_decref(o->to_pl);
    json_decref(o->tags_ghl.add);
    json_decref(o->tags_ghl.remove);
    json_decref(o->tags_pl.add);
    json_decref(o->tags_pl.remove);
    for (size_t i = 0; i < o->n_decisions; i++) {
        core_decision *d = &o->decisions[i];
        free(d->field);
        free(d->reason);
        json_decref(d->before);
        json_decref(d->after);
    }
    free(o->decisions);
    memset(o, 0, sizeof *o);
}

static int out_init(core_merge_out *o, err *e)
{
    memset(o, 0, sizeof *o);
    o->to_ghl = json_object();
    o->to_pl = json_object();
    o->tags_ghl.add = json_array();
    o->tags_ghl.remove = json_array();
    o->tags_pl.add = json_array();
    o->tags_pl.remove = json_array();
    if (!o->to_ghl || !o->to_pl || !o->tags_ghl.add || !o->tags_ghl.remove || !o->tags_pl.add ||
        !o->tags_pl.remove) {
        core_merge_out_clear(o);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

int core_merge(core_merge_out *out, const core_merge_in *in, err *e)
{
    if (!in->map || !in->ghl || !in->pl)
        return err_set(e, ERR_INVALID, "merge: the map and both current records are needed");
    core_merge_out o;
    if (out_init(&o, e) != 0)
        return ERR_NOMEM;
    o.at_ms = in->now_ms;
    merger mg = {in, &o, {in->ghl, in->pl}, {in->shadow_ghl, in->shadow_pl}, e, 0, true};
    for (size_t i = 0; i < core_map_count(in->map) && !mg.rc; i++) {
        const core_field *f = core_map_at(in->map, i);
        if (f->dir == CORE_DIR_NONE)
            continue;
        if (f->place[CORE_GHL] == CORE_PLACE_TAGS)
            merge_tags(&mg, f);
        else
            merge_field(&mg, f);
    }
    if (mg.rc) {
        core_merge_out_clear(&o);
        return mg.rc;
    }
    o.echo = mg.echo;
    *out = o;
    return 0;
}

bool core_merge_writes(const core_merge_out *o, core_side s)
{
    const json_t *w = s == CORE_GHL ? o->to_ghl : o->to_pl;
    const core_tag_delta *d = s == CORE_GHL ? &o->tags_ghl : &o->tags_pl;
    return json_object_size(w) || json_array_size(d->add) || json_array_size(d->remove);
}

static json_t *tags_after(const json_t *cur, const core_tag_delta *d)
{
    json_t *set = json_array();
    size_t i;
    const json_t *t;
    json_array_foreach(cur, i, t)
    {
        if (!d || !jsonx_array_has_str(d->remove, json_string_value(t)))
            json_array_append(set, core_json_mut(t));
    }
    json_t *all = json_array();
    json_array_extend(all, set);
    if (d)
        json_array_extend(all, d->add);
    json_t *norm = core_tags_normalize(all);
    json_decref(set);
    json_decref(all);
    return norm;
}

static json_t *shadow_of(const core_map *m, const core_person *p, const json_t *writes,
                         const core_tag_delta *d)
{
    json_t *sh = json_object();
    for (size_t i = 0; sh && i < core_map_count(m); i++) {
        const core_field *f = core_map_at(m, i);
        if (f->dir == CORE_DIR_NONE)
            continue;
        const json_t *v = json_object_get(p->values, f->name);
        json_t *owned = NULL;
        if (f->place[CORE_GHL] == CORE_PLACE_TAGS)
            v = owned = tags_after(v, d);
        else if (json_object_get(writes, f->name))
            v = json_object_get(writes, f->name);
        json_object_set_new(sh, f->name, core_value_empty(v) ? json_null() : json_deep_copy(v));
        json_decref(owned);
    }
    return sh;
}

json_t *core_person_shadow(const core_map *m, const core_person *p)
{
    return shadow_of(m, p, NULL, NULL);
}

json_t *core_merge_shadow_after(const core_merge_out *o, const core_map *m,
                                const core_person *current, core_side s)
{
    return shadow_of(m, current, s == CORE_GHL ? o->to_ghl : o->to_pl,
                     s == CORE_GHL ? &o->tags_ghl : &o->tags_pl);
}
