/* demo_watch.c: the outcome of each live edit: the audit log of the people the edits touched,
 * read while the daemon works, one line per entry (what was written where, and the decisions
 * taken); writes are audited when their operation completes, so such a line means the change
 * reached the other side. HighLevel activity mirrored onto attendees is not audited: it is
 * looked for on PheedLoop itself. */
#include "demo/demo_int.h"
#include "core/normalize.h"
#include "core/person.h"
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

demo_watch *demo_watch_person(demo *d, int64_t link_id, const char *email, const char *who,
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
    return w;
}

/* ---------------------------------------------------------------- one line per entry */

static void add_list(buf *out, const json_t *list)
{
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *s = json_string_value(v);
        buf_addf(out, "%s%s", i ? ", " : "", s ? s : "?");
    }
}

/* A tag list, or the audit log's tag change ({"added", "removed"}) as "added: a; removed: b". */
static void add_tags(buf *out, const json_t *tags)
{
    if (json_is_object(tags))
        core_tags_change_text(out, tags);
    else
        add_list(out, tags);
}

/* metadata.highlevel: what the contact's HighLevel side became on the attendee. */
static void add_highlevel(buf *out, const json_t *metadata)
{
    static const char *const lists[] = {"tasks", "notes", "appointments"};
    const json_t *hl = json_object_get(metadata, "highlevel");
    const json_t *tags = json_object_get(hl, "tags");
    const char *sep = "";
    if (tags) {
        buf_addstr(out, "HighLevel tags ");
        add_list(out, tags);
        sep = ", ";
    }
    for (size_t i = 0; i < PS_ARRAY_LEN(lists); i++) {
        const json_t *l = json_object_get(hl, lists[i]);
        if (l)
            buf_addf(out, "%s%zu %s", sep, json_array_size(l), lists[i]);
        sep = l ? ", " : sep;
    }
    const json_t *biz = json_object_get(hl, "business");
    if (jsonx_str(biz, "name"))
        buf_addf(out, "%sbusiness %s", sep, jsonx_str(biz, "name"));
}

/* The body an operation sent, field by field (empty lists left out). */
static void add_body(buf *out, const json_t *body)
{
    const char *name;
    const json_t *v;
    const char *sep = "";
    json_object_foreach((json_t *)(uintptr_t)body, name, v)
    {
        if (json_is_array(v) && !json_array_size(v))
            continue;
        buf_addstr(out, sep);
        sep = "; ";
        if (!strcmp(name, "metadata"))
            add_highlevel(out, v);
        else if (!strcmp(name, "tags") && buf_addstr(out, "tags ") == 0)
            add_tags(out, v);
        else if (json_is_array(v) && buf_addf(out, "%s ", name) == 0)
            add_list(out, v);
        else if (json_is_string(v))
            buf_addf(out, "%s %.60s", name, json_string_value(v));
        else
            buf_addstr(out, name);
    }
}

/* The contact's tags as HighLevel holds them now (the audit names the field, not the delta). */
static void add_contact_tags(buf *out, demo *d, int64_t link_id)
{
    store_link *l = NULL;
    json_t *state = NULL;
    if (store_link_get(&l, d->app.store, link_id, NULL) == 0 &&
        demo_admin(&state, d, true, "GET", "/_sandbox/state", NULL, NULL) == 0) {
        size_t i;
        const json_t *c;
        json_array_foreach(json_object_get(state, "contacts"), i, c)
        {
            if (jsonx_str(c, "id") && !strcmp(jsonx_str(c, "id"), l->contact_id)) {
                buf_addstr(out, "tags now ");
                add_list(out, json_object_get(c, "tags"));
                break;
            }
        }
    }
    json_decref(state);
    store_link_free(l);
}

/* Sets *side ("→ HighLevel", ...) and writes what happened. */
static void render(buf *out, const char **side, demo *d, const store_audit_entry *a)
{
    json_t *after = a->after ? json_loads(a->after, 0, NULL) : NULL;
    json_t *fields = json_loads(a->fields, 0, NULL);
    bool to_ghl = !strcmp(a->direction, "pheedloop_to_ghl");
    *side = to_ghl ? "→ HighLevel" : "→ PheedLoop";
    if (jsonx_array_has_str(fields, "reminder")) { /* an announcement: its reason says it all */
        buf_addf(out, "%.160s", a->reason);
    } else if (to_ghl && !strcmp(a->reason, "created from the attendee")) {
        const json_t *tags = json_object_get(after, "tags");
        buf_addstr(out, "contact created, tags ");
        add_list(out, json_is_object(tags) ? json_object_get(tags, "added") : tags);
    } else if (to_ghl || !strcmp(a->direction, "ghl_to_pheedloop")) {
        buf_addstr(out, to_ghl ? "contact updated: " : "attendee updated: ");
        size_t len = out->len;
        add_body(out, after);
        char *end = NULL;
        int64_t link = strtoll(a->person_key, &end, 10);
        /* Tags go through their own endpoints: named among the fields, not in the body. */
        if (to_ghl && jsonx_array_has_str(fields, "tags") && !json_object_get(after, "tags") &&
            end && !*end && link > 0) {
            buf_addstr(out, out->len > len ? "; " : "");
            add_contact_tags(out, d, link);
        }
    } else {
        *side = !strcmp(a->direction, "decision") ? "decided" : a->direction;
        buf_addf(out, "%.140s", a->reason);
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

/* One line per outcome; the same outcome on several attendees of a person is one line. */
typedef struct pending_line {
    const char *side;
    buf text;
    size_t times;
} pending_line;

static void flush_line(demo *d, demo_watch *w, pending_line *p)
{
    if (!p->times)
        return;
    bool pl = !strcmp(p->side, "→ PheedLoop");
    if (p->times > 1)
        demo_event(d, "pheedsync", p->side, "%s: %s (%zu %s)", w->who, buf_cstr(&p->text), p->times,
                   pl ? "attendees" : "times");
    else
        demo_event(d, "pheedsync", p->side, "%s: %s", w->who, buf_cstr(&p->text));
    d->outcomes++;
    p->times = 0;
}

static void poll_key(demo *d, demo_watch *w, int k)
{
    store_audit_entries list = {0};
    if (store_audit_by_person(&list, d->app.store, w->keys[k], w->after[k], 50, NULL) != 0)
        return;
    pending_line p = {.times = 0};
    buf_init(&p.text, 2048);
    for (size_t i = 0; i < list.n; i++) {
        const store_audit_entry *a = &list.v[i];
        w->after[k] = a->id;
        if (a->at_ms < w->since_ms)
            continue; /* from before the edit (the initial sync) */
        buf line;
        buf_init(&line, 2048);
        const char *side = "";
        render(&line, &side, d, a);
        if (p.times && (strcmp(side, p.side) || strcmp(buf_cstr(&line), buf_cstr(&p.text))))
            flush_line(d, w, &p);
        if (!p.times) {
            buf_reset(&p.text);
            buf_addstr(&p.text, buf_cstr(&line));
            p.side = side;
        }
        p.times++;
        buf_free(&line);
    }
    flush_line(d, w, &p);
    buf_free(&p.text);
    store_audit_entries_free(&list);
}

/* The expected entry, when the attendee's metadata has it. */
static const json_t *expected_entry(const json_t *metadata, const demo_expect *x)
{
    const json_t *list = json_object_get(json_object_get(metadata, "highlevel"), x->list);
    size_t i;
    const json_t *it;
    json_array_foreach(list, i, it)
    {
        const char *id = jsonx_str(it, "id"), *start = jsonx_str(it, "start");
        if (!id || strcmp(id, x->id) != 0)
            continue;
        if (!strcmp(x->list, "tasks") && jsonx_bool(it, "completed", false) != x->completed)
            return NULL;
        if (x->start[0] && (!start || strncmp(start, x->start, strlen(x->start)) != 0))
            return NULL;
        return it;
    }
    return NULL;
}

static void check_expect(demo *d, demo_watch *w, int64_t now)
{
    demo_expect *x = &w->expect;
    if (!x->list || now < x->next_ms)
        return;
    x->next_ms = now + 400;
    pl_attendee a = {0};
    pl_call call = {.lane = GOVERNOR_LANE_LIVE};
    if (pl_client_get_attendee(&a, d->app.pl, x->event, x->code, &call, NULL) != 0)
        return;
    const json_t *it = expected_entry(a.metadata, x);
    if (it) {
        size_t reminders = json_array_size(json_object_get(it, "reminders"));
        if (reminders)
            demo_event(d, "pheedsync", "→ PheedLoop",
                       "%s: %s in the attendee's metadata, %zu reminders", w->who, x->what,
                       reminders);
        else
            demo_event(d, "pheedsync", "→ PheedLoop", "%s: %s in the attendee's metadata", w->who,
                       x->what);
        d->outcomes++;
        x->list = NULL;
    }
    pl_attendee_free(&a);
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
        check_expect(d, w, now);
        if (now > w->until_ms)
            w->used = false;
    }
}
