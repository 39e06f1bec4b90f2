/* poller_pl.c: the PheedLoop pollers: registrations since a date (with the one-day overlap)
 * and the full attendee listing of an event, each compared with what the previous run read. */
#include "engine/poller_int.h"
#include "util/jsonx.h"

/* Hints are written every this many, so that a long listing keeps its progress. */
#define FLUSH_EVERY 200

typedef struct pl_run {
    engine *eng;
    const char *event;
    char name[ENGINE_KEY_MAX];
    json_t *prev;  /* what the previous run read: code -> hash */
    json_t *next;  /* what this run read */
    bool had_prev; /* the cursor existed: new records are news */
    poller_batch b;
    poller_result r;
} pl_run;

/* Records one record of the listing; a hint when it differs from the previous run's. The hint
 * carries the record (a registration as {"registration": ...}), so that the planner can tell
 * our own writes coming back without reading the attendee again. */
static int pl_note(pl_run *p, const char *attendee, const json_t *raw, const char *member,
                   bool new_is_news, err *e)
{
    char hash[17], key[ENGINE_KEY_MAX];
    p->r.seen++;
    if (engine_key_pl(key, p->eng->link.org_code, p->event, attendee, NULL) != 0)
        return 0;
    poller_hash(hash, raw);
    const char *was = json_string_value(json_object_get(p->prev, attendee));
    int rc = 0;
    if (was ? strcmp(was, hash) != 0 : new_is_news) {
        json_t *wrap = member ? json_pack("{s:O}", member, raw) : NULL;
        rc = member && !wrap ? err_set(e, ERR_NOMEM, "out of memory")
                             : poller_batch_add(&p->b, key, "poll", member ? wrap : raw, e);
        json_decref(wrap);
    }
    if (rc == 0)
        json_object_set_new(p->next, attendee, json_string(hash));
    return rc;
}

/* The previous snapshot with this run's reads laid over it: what a run that stopped part way
 * leaves, so that the hints it wrote are not written again. */
static json_t *merged(const pl_run *p)
{
    json_t *m = json_deep_copy(p->prev);
    if (m)
        json_object_update(m, p->next);
    return m;
}

/* Writes the hints so far with a cursor holding snap and, if given, fields of extra. */
static int pl_flush(pl_run *p, json_t *snap, const json_t *extra, err *e)
{
    json_t *cursor = extra ? json_deep_copy(extra) : json_object();
    if (!cursor || !snap) {
        json_decref(cursor);
        json_decref(snap);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    json_object_set_new(cursor, "snap", snap);
    size_t n = 0;
    int rc = poller_batch_flush(&n, &p->b, p->eng->store, p->name, cursor, e);
    p->r.hints += n;
    json_decref(cursor);
    return rc;
}

static int pl_begin(pl_run *p, json_t **cursor, engine *eng, const char *kind, const char *event,
                    const poller_options *o, err *e)
{
    *p = (pl_run){.eng = eng, .event = event, .b = {.source = "poller", .delay_ms = o->delay_ms}};
    if (!eng->pl || !eng->link.org_code)
        return err_set(e, ERR_CONFIG, "poller: no PheedLoop organization configured");
    char scope[ENGINE_KEY_MAX];
    snprintf(scope, sizeof scope, "%s.%s", eng->link.org_code, event);
    poller_cursor_name(p->name, sizeof p->name, kind, scope, NULL);
    int rc = poller_cursor_load(cursor, &p->had_prev, eng->store, p->name, e);
    if (rc != 0)
        return rc;
    p->prev = json_incref(json_object_get(*cursor, "snap"));
    if (!json_is_object(p->prev)) {
        json_decref(p->prev);
        p->prev = json_object();
    }
    p->next = json_object();
    return p->prev && p->next ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

static void pl_end(pl_run *p, json_t *cursor)
{
    json_decref(cursor);
    json_decref(p->prev);
    json_decref(p->next);
    poller_batch_free(&p->b);
}

int poller_pl_registrations(poller_result *out, engine *eng, const char *event,
                            const poller_options *o, err *e)
{
    pl_run p;
    json_t *cursor = NULL;
    int rc = pl_begin(&p, &cursor, eng, "pl.registrations", event, o, e);
    int64_t since = rc == 0 ? jsonx_int(cursor, "updated_ms", 0) : 0, newest = since;
    pl_iter *it = NULL;
    if (rc == 0)
        rc = pl_client_registrations_since(&it, eng->pl, event, since, GOVERNOR_LANE_BACKFILL, e);
    pl_registration reg;
    while (rc == 0 && !poller_stopped(o) && (rc = pl_iter_next_registration(&reg, it, e)) == 1) {
        rc = reg.attendee_code ? pl_note(&p, reg.attendee_code, reg.raw, "registration", true, e)
                               : 0;
        newest = PS_MAX(newest, reg.updated_ms);
        pl_registration_free(&reg);
        if (rc == 0 && p.b.n >= FLUSH_EVERY)
            rc = pl_flush(&p, merged(&p), cursor, e);
    }
    p.r.complete = rc == 0 && it && pl_iter_complete(it);
    json_t *extra = json_pack("{s:I}", "updated_ms", (json_int_t)(p.r.complete ? newest : since));
    /* Only a whole listing may replace the snapshot and move the date on. */
    if (p.prev && p.next && (rc == 0 || p.b.n > 0)) {
        int frc =
            pl_flush(&p, p.r.complete ? json_incref(p.next) : merged(&p), extra, rc ? NULL : e);
        rc = rc ? rc : frc;
    }
    json_decref(extra);
    pl_iter_free(it);
    poller_result r = p.r;
    pl_end(&p, cursor);
    if (rc < 0)
        return err_wrap(e, "PheedLoop registrations poll (%s): ", event);
    *out = r;
    return 0;
}

int poller_pl_attendees(poller_result *out, engine *eng, const char *event, const poller_options *o,
                        err *e)
{
    pl_run p;
    json_t *cursor = NULL;
    int rc = pl_begin(&p, &cursor, eng, "pl.attendees", event, o, e);
    pl_iter *it = NULL;
    if (rc == 0)
        rc = pl_client_attendees(&it, eng->pl, event, GOVERNOR_LANE_BACKFILL, e);
    pl_attendee a;
    while (rc == 0 && !poller_stopped(o) && (rc = pl_iter_next_attendee(&a, it, e)) == 1) {
        rc = pl_note(&p, a.code, a.raw, NULL, p.had_prev, e);
        pl_attendee_free(&a);
        if (rc == 0 && p.b.n >= FLUSH_EVERY)
            rc = pl_flush(&p, merged(&p), NULL, e);
    }
    p.r.complete = rc == 0 && it && pl_iter_complete(it);
    if (p.prev && p.next && (rc == 0 || p.b.n > 0)) {
        int frc =
            pl_flush(&p, p.r.complete ? json_incref(p.next) : merged(&p), NULL, rc ? NULL : e);
        rc = rc ? rc : frc;
    }
    pl_iter_free(it);
    poller_result r = p.r;
    pl_end(&p, cursor);
    if (rc < 0)
        return err_wrap(e, "PheedLoop attendee listing (%s): ", event);
    *out = r;
    return 0;
}
