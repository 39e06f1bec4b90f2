/* demo_watch.c: the outcome of each live edit as pheedsync recorded it: the audit log of the
 * people the edits touched, read while the daemon works, one line per entry (what was written
 * where, and the decisions taken). Entries are written when an operation completes, so a line
 * means the change reached the other side. */
#include "demo/demo_int.h"
#include "core/normalize.h"
#include "util/jsonx.h"

#define WATCH_MS (30 * 1000)

static demo_watch *slot_for(demo *d, const char *link, const char *email)
{
    demo_watch *oldest = &d->watches[0], *free_slot = NULL;
    for (size_t i = 0; i < DEMO_WATCHES; i++) {
        demo_watch *w = &d->watches[i];
        if (!w->used) {
            free_slot = free_slot ? free_slot : w;
            continue;
        }
        if ((*link && !strcmp(w->keys[0], link)) || (*email && !strcmp(w->keys[1], email)))
            return w;
        if (w->until_ms < oldest->until_ms)
            oldest = w;
    }
    demo_watch *w = free_slot ? free_slot : oldest;
    memset(w, 0, sizeof *w);
    return w;
}

void demo_watch_person(demo *d, int64_t link_id, const char *email, const char *who,
                       const char *event, const char *code)
{
    char link[32] = "", norm[96] = "";
    if (link_id)
        snprintf(link, sizeof link, "%lld", (long long)link_id);
    buf b;
    buf_init(&b, sizeof norm - 1);
    char why[CORE_WHY_MAX];
    if (email && core_norm_email(&b, email, strlen(email), why) == 0)
        snprintf(norm, sizeof norm, "%s", buf_cstr(&b));
    buf_free(&b);
    demo_watch *w = slot_for(d, link, norm);
    if (!w->used) {
        w->used = true;
        w->since_ms = clock_now_ms(clock_system());
        snprintf(w->keys[0], sizeof w->keys[0], "%s", link);
        snprintf(w->keys[1], sizeof w->keys[1], "%s", norm);
        snprintf(w->who, sizeof w->who, "%s", who ? who : "");
        snprintf(w->event, sizeof w->event, "%s", event && code ? event : "");
        snprintf(w->code, sizeof w->code, "%s", event && code ? code : "");
    }
    w->until_ms = clock_mono_ms(clock_system()) + WATCH_MS;
}

/* ---------------------------------------------------------------- one line per entry */

static void add_list(buf *out, const json_t *list)
{
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v) buf_addf(out, "%s%s", i ? ", " : "", json_string_value(v) ? json_string_value(v) : "?");
}

/* metadata.highlevel as counts: what HighLevel's activity became on the attendee. */
static void add_activity(buf *out, const json_t *metadata)
{
    static const char *const lists[] = {"tasks", "notes", "appointments"};
    const json_t *hl = json_object_get(metadata, "highlevel");
    buf_addstr(out, "HighLevel activity in metadata:");
    for (size_t i = 0; i < PS_ARRAY_LEN(lists); i++)
        buf_addf(out, " %zu %s", json_array_size(json_object_get(hl, lists[i])), lists[i]);
    const json_t *biz = json_object_get(hl, "business");
    if (jsonx_str(biz, "name"))
        buf_addf(out, ", business %s", jsonx_str(biz, "name"));
}

/* The body an operation sent, field by field. */
static void add_body(buf *out, const json_t *body, const json_t *fields)
{
    const char *name;
    const json_t *v;
    bool first = true;
    json_object_foreach((json_t *)(uintptr_t)body, name, v)
    {
        buf_addstr(out, first ? "" : "; ");
        first = false;
        if (!strcmp(name, "metadata"))
            add_activity(out, v);
        else if (json_is_array(v) && buf_addf(out, "%s ", name) == 0)
            add_list(out, v);
        else if (json_is_string(v))
            buf_addf(out, "%s %.60s", name, json_string_value(v));
        else
            buf_addstr(out, name);
    }
    /* Tags go through their own endpoints: named among the fields, not in the body. */
    if (jsonx_array_has_str(fields, "tags") && !json_object_get(body, "tags"))
        buf_addf(out, "%stags", first ? "" : "; ");
}

static void render(buf *out, const store_audit_entry *a)
{
    json_t *after = a->after ? json_loads(a->after, 0, NULL) : NULL;
    json_t *fields = json_loads(a->fields, 0, NULL);
    bool to_ghl = !strcmp(a->direction, "pheedloop_to_ghl");
    if (to_ghl && !strcmp(a->reason, "created from the attendee")) {
        buf_addstr(out, "→ HighLevel contact created (tags ");
        add_list(out, json_object_get(after, "tags"));
        buf_addstr(out, ")");
    } else if (to_ghl || !strcmp(a->direction, "ghl_to_pheedloop")) {
        buf_addstr(out, to_ghl ? "→ HighLevel contact updated: " : "→ PheedLoop attendee updated: ");
        add_body(out, after, fields);
    } else if (!strcmp(a->direction, "decision")) {
        buf_addf(out, "· decided: %.160s", a->reason);
    } else {
        buf_addf(out, "· %s: %.160s", a->direction, a->reason);
    }
    json_decref(after);
    json_decref(fields);
}

/* ---------------------------------------------------------------- polling */

/* A sign-up's link, once the planner made it: watched by its id and joins the pool. */
static void find_link(demo *d, demo_watch *w)
{
    store_link *l = NULL;
    if (store_link_by_attendee(&l, d->app.store, d->org, w->event, w->code, NULL) != 0)
        return;
    snprintf(w->keys[0], sizeof w->keys[0], "%lld", (long long)l->id);
    demo_person p = {.link_id = l->id};
    snprintf(p.contact_id, sizeof p.contact_id, "%s", l->contact_id ? l->contact_id : "");
    snprintf(p.event, sizeof p.event, "%s", w->event);
    snprintf(p.code, sizeof p.code, "%s", w->code);
    snprintf(p.name, sizeof p.name, "%s", w->who);
    if (p.contact_id[0])
        demo_add_person(d, &p);
    w->event[0] = w->code[0] = '\0';
    store_link_free(l);
}

static void poll_key(demo *d, demo_watch *w, int k)
{
    store_audit_entries list = {0};
    if (store_audit_by_person(&list, d->app.store, w->keys[k], w->after[k], 50, NULL) != 0)
        return;
    for (size_t i = 0; i < list.n; i++) {
        const store_audit_entry *a = &list.v[i];
        w->after[k] = a->id;
        if (a->at_ms < w->since_ms)
            continue; /* from before the edit (the initial sync) */
        buf line;
        buf_init(&line, 1024);
        render(&line, a);
        demo_line(d, "             %s  [%s]", buf_cstr(&line), w->who);
        buf_free(&line);
        d->outcomes++;
    }
    store_audit_entries_free(&list);
}

void demo_watch_poll(demo *d)
{
    int64_t now = clock_mono_ms(clock_system());
    for (size_t i = 0; i < DEMO_WATCHES; i++) {
        demo_watch *w = &d->watches[i];
        if (!w->used)
            continue;
        if (w->code[0])
            find_link(d, w);
        for (int k = 0; k < 2; k++)
            if (w->keys[k][0])
                poll_key(d, w, k);
        if (now > w->until_ms)
            w->used = false;
    }
}
