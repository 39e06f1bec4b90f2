/* demo_edits.c: the live edits: what people do in PheedLoop's dashboard (sign-ups, check-ins)
 * and in HighLevel's web app (tags, tasks, notes, appointments, a company), made through the
 * sandbox's admin UI routes so that each fires its webhooks as the real services would. */
#include "demo/demo_int.h"
#include "sandbox/gen.h"
#include "util/jsonx.h"

/* ---------------------------------------------------------------- the people */

void demo_add_person(demo *d, const demo_person *p)
{
    if (d->n_people == d->cap_people) {
        size_t cap = d->cap_people ? 2 * d->cap_people : 256;
        demo_person *v = realloc(d->people, cap * sizeof *v);
        if (!v)
            return; /* the pool only chooses whom to edit: a smaller one does */
        d->people = v;
        d->cap_people = cap;
    }
    d->people[d->n_people++] = *p;
}

/* Contact id -> "First Last", as HighLevel holds it. */
static json_t *contact_names(demo *d, err *e)
{
    json_t *state = NULL;
    int rc = demo_admin(&state, d, true, "GET", "/_sandbox/state", NULL, e);
    json_t *names = rc == 0 ? json_object() : NULL;
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(state, "contacts"), i, c)
    {
        const char *first = jsonx_str(c, "firstName"), *last = jsonx_str(c, "lastName");
        char name[160];
        snprintf(name, sizeof name, "%s%s%s", first ? first : "", first && last ? " " : "",
                 last ? last : "");
        if (jsonx_str(c, "id"))
            json_object_set_new(names, jsonx_str(c, "id"), json_string(name));
    }
    json_decref(state);
    return names;
}

int demo_load_people(demo *d, err *e)
{
    json_t *names = contact_names(d, e);
    if (!names)
        return ERR_NET;
    int64_t after = 0;
    int rc = 0;
    for (;;) {
        store_links page = {0};
        rc = store_link_list(&page, d->app.store, after, 1000, e);
        for (size_t i = 0; rc == 0 && i < page.n; i++) {
            const store_link *l = &page.v[i];
            after = l->id;
            if (!l->n_attendees || !l->contact_id)
                continue;
            demo_person p = {.link_id = l->id};
            snprintf(p.contact_id, sizeof p.contact_id, "%s", l->contact_id);
            snprintf(p.event, sizeof p.event, "%s", l->attendees[0].event);
            snprintf(p.code, sizeof p.code, "%s", l->attendees[0].code);
            const char *name = jsonx_str(names, l->contact_id);
            snprintf(p.name, sizeof p.name, "%s", name && *name ? name : l->contact_id);
            demo_add_person(d, &p);
        }
        size_t n = page.n;
        store_links_free(&page);
        if (rc != 0 || n < 1000)
            break;
    }
    json_decref(names);
    return rc;
}

/* ---------------------------------------------------------------- one edit */

static void iso_in(char out[CLOCK_ISO_LEN], int64_t from_now_ms)
{
    int64_t hour = 3600 * 1000;
    int64_t at = clock_now_ms(clock_system()) + from_now_ms;
    clock_format_iso(at - at % hour, out); /* on the hour, as people book */
}

static const char *pick(demo *d, const char *const *v, size_t n)
{
    return v[rng_below(&d->rng, n)];
}
#define PICK(d, v) pick(d, v, PS_ARRAY_LEN(v))

static int edit_signup(demo *d, err *e)
{
    static const char *const tickets[] = {"General Admission", "VIP Pass", "Student", "Speaker"};
    sbx_person s;
    sbx_gen_person(&d->rng, &s);
    const json_t *ev = json_array_get(d->events, rng_below(&d->rng, json_array_size(d->events)));
    const char *event = jsonx_str(ev, "code"), *ticket = PICK(d, tickets);
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "first_name", s.first_name,
                             "last_name", s.last_name, "email", s.email, "organization",
                             s.organization, "title", s.title, "address_phone", s.phone,
                             "address_city", s.city, "ticket_name", ticket);
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/events/%s/register", event);
    json_t *att = NULL;
    int rc = demo_admin(&att, d, false, "POST", path, body, e);
    const char *code = jsonx_str(att, "code");
    if (rc == 0 && code) {
        char who[160];
        snprintf(who, sizeof who, "%s %s", s.first_name, s.last_name);
        demo_event(d, "PheedLoop", "sign-up", "%s <%s>, %s, %s", who, s.email, event, ticket);
        demo_watch_person(d, 0, s.email, who, event, code);
    }
    json_decref(att);
    return rc;
}

static int edit_checkin(demo *d, demo_person *p, demo_expect *x, err *e)
{
    char path[256];
    bool in = !p->checked_in;
    snprintf(path, sizeof path, "/_sandbox/ui/events/%s/%s/%s", p->event,
             in ? "checkin" : "checkout", p->code);
    int rc = demo_admin(NULL, d, false, "POST", path, NULL, e);
    if (rc == 0) {
        p->checked_in = in;
        demo_event(d, "PheedLoop", in ? "check-in" : "check-out", "%s at %s", p->name, p->event);
    }
    return rc;
}

static int edit_tag(demo *d, demo_person *p, demo_expect *x, err *e)
{
    static const char *const tags[] = {"vip", "follow-up", "sponsor-lead", "newsletter"};
    char path[256], tag[32];
    bool add = !p->tag[0];
    snprintf(tag, sizeof tag, "%s", add ? PICK(d, tags) : p->tag);
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s/tags", p->contact_id);
    int rc = demo_admin(NULL, d, true, add ? "POST" : "DELETE", path,
                        json_pack("{s:[s]}", "tags", tag), e);
    if (rc == 0) {
        snprintf(p->tag, sizeof p->tag, "%s", add ? tag : "");
        demo_event(d, "HighLevel", add ? "tag added" : "tag removed", "%s: %s", p->name, tag);
    }
    return rc;
}

static int edit_task(demo *d, demo_person *p, demo_expect *x, err *e)
{
    static const char *const titles[] = {"Send the speaker pack", "Call about the sponsorship",
                                         "Book the follow-up meeting", "Share the slides"};
    char path[256];
    if (p->task_id[0]) {
        snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s/tasks/%s/complete", p->contact_id,
                 p->task_id);
        int rc = demo_admin(NULL, d, true, "POST", path, NULL, e);
        if (rc == 0) {
            demo_event(d, "HighLevel", "task completed", "%s: \"%s\"", p->name, p->task_title);
            *x = (demo_expect){.list = "tasks", .completed = true};
            snprintf(x->id, sizeof x->id, "%s", p->task_id);
            snprintf(x->what, sizeof x->what, "task \"%s\" (completed)", p->task_title);
        }
        p->task_id[0] = '\0';
        return rc;
    }
    char due[CLOCK_ISO_LEN];
    iso_in(due, 3 * 86400 * 1000LL);
    const char *title = PICK(d, titles);
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s/tasks", p->contact_id);
    json_t *ans = NULL;
    int rc =
        demo_admin(&ans, d, true, "POST", path,
                   json_pack("{s:s, s:s, s:b}", "title", title, "dueDate", due, "completed", 0), e);
    const char *id = jsonx_str(json_object_get(ans, "task"), "id");
    if (rc == 0 && id) {
        snprintf(p->task_id, sizeof p->task_id, "%s", id);
        snprintf(p->task_title, sizeof p->task_title, "%s", title);
        demo_event(d, "HighLevel", "task created", "%s: \"%s\"", p->name, title);
        *x = (demo_expect){.list = "tasks"};
        snprintf(x->id, sizeof x->id, "%s", id);
        snprintf(x->what, sizeof x->what, "task \"%s\" (open)", title);
    }
    json_decref(ans);
    return rc;
}

static int edit_note(demo *d, demo_person *p, demo_expect *x, err *e)
{
    static const char *const notes[] = {
        "Met at the booth; wants the pricing sheet.", "Asked for a vegetarian lunch.",
        "Interested in speaking next year.", "Bringing two colleagues."};
    const char *text = PICK(d, notes);
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s/notes", p->contact_id);
    json_t *ans = NULL;
    int rc = demo_admin(&ans, d, true, "POST", path, json_pack("{s:s}", "body", text), e);
    const char *id = jsonx_str(json_object_get(ans, "note"), "id");
    if (rc == 0 && id) {
        demo_event(d, "HighLevel", "note added", "%s: \"%s\"", p->name, text);
        *x = (demo_expect){.list = "notes"};
        snprintf(x->id, sizeof x->id, "%s", id);
        snprintf(x->what, sizeof x->what, "note \"%.60s\"", text);
    }
    json_decref(ans);
    return rc;
}

static int edit_appointment(demo *d, demo_person *p, demo_expect *x, err *e)
{
    char path[256], start[CLOCK_ISO_LEN], end[CLOCK_ISO_LEN];
    int64_t day = 86400 * 1000LL, in = (2 + (int64_t)rng_below(&d->rng, 5)) * day;
    iso_in(start, in);
    iso_in(end, in + 3600 * 1000);
    bool move = p->appt_id[0] != '\0';
    json_t *body = json_pack("{s:s, s:s}", "startTime", start, "endTime", end);
    if (move) {
        snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s/appointments/%s", p->contact_id,
                 p->appt_id);
    } else {
        snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s/appointments", p->contact_id);
        json_object_set_new(body, "calendarId", json_string("demo-calendar"));
        json_object_set_new(body, "title", json_string("Meeting at the summit"));
    }
    json_t *ans = NULL;
    int rc = demo_admin(&ans, d, true, move ? "PATCH" : "POST", path, body, e);
    const char *id = jsonx_str(json_object_get(ans, "appointment"), "id");
    if (rc == 0 && !move && id)
        snprintf(p->appt_id, sizeof p->appt_id, "%s", id);
    if (rc == 0) {
        demo_event(d, "HighLevel", move ? "meeting moved" : "meeting booked", "%s: %.16s UTC",
                   p->name, start);
        *x = (demo_expect){.list = "appointments"};
        snprintf(x->id, sizeof x->id, "%s", p->appt_id);
        snprintf(x->start, sizeof x->start, "%.16s", start);
        snprintf(x->what, sizeof x->what, "meeting at %.16s UTC", start);
    }
    json_decref(ans);
    return rc;
}

static int edit_company(demo *d, demo_person *p, demo_expect *x, err *e)
{
    static const char *const names[] = {"Northwind Traders", "Blue Harbor Labs", "Société Lumière",
                                        "Kaito Design Studio"};
    const char *company = PICK(d, names);
    char path[256];
    snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s", p->contact_id);
    int rc =
        demo_admin(NULL, d, true, "PATCH", path, json_pack("{s:s}", "companyName", company), e);
    if (rc == 0)
        demo_event(d, "HighLevel", "company", "%s: %s", p->name, company);
    return rc;
}

enum { E_SIGNUP, E_CHECKIN, E_TAG, E_TASK, E_NOTE, E_APPT, E_COMPANY, E_N };

/* Someone edited lately four times in ten, else anyone. */
static demo_person *pick_person(demo *d)
{
    size_t i;
    if (d->n_recent && rng_chance(&d->rng, 0.4)) {
        i = d->recent[rng_below(&d->rng, PS_MIN(d->n_recent, PS_ARRAY_LEN(d->recent)))];
    } else {
        i = rng_below(&d->rng, d->n_people);
        d->recent[d->n_recent++ % PS_ARRAY_LEN(d->recent)] = i;
    }
    return &d->people[i];
}

void demo_edit(demo *d)
{
    static const unsigned weights[E_N] = {3, 2, 2, 2, 1, 1, 1};
    unsigned sum = 0, k = 0;
    for (int i = 0; i < E_N; i++)
        sum += weights[i];
    unsigned r = (unsigned)rng_below(&d->rng, sum);
    while (r >= weights[k])
        r -= weights[k++];
    if (!d->n_people)
        k = E_SIGNUP;
    demo_person *p = d->n_people ? pick_person(d) : NULL;
    err e = {0};
    demo_expect x = {.list = NULL};
    int rc;
    switch (k) {
    case E_SIGNUP:
        rc = edit_signup(d, &e);
        break;
    case E_CHECKIN:
        rc = edit_checkin(d, p, &x, &e);
        break;
    case E_TAG:
        rc = edit_tag(d, p, &x, &e);
        break;
    case E_TASK:
        rc = edit_task(d, p, &x, &e);
        break;
    case E_NOTE:
        rc = edit_note(d, p, &x, &e);
        break;
    case E_APPT:
        rc = edit_appointment(d, p, &x, &e);
        break;
    default:
        rc = edit_company(d, p, &x, &e);
        break;
    }
    if (rc != 0) {
        d->edit_failures++;
        demo_line(d, "(an edit was refused: %s)", e.msg);
        return;
    }
    *(k <= E_CHECKIN ? &d->edits_pl : &d->edits_ghl) += 1;
    if (!p || k == E_SIGNUP)
        return;
    demo_watch *w = demo_watch_person(d, p->link_id, NULL, p->name, NULL, NULL);
    if (x.list) {
        snprintf(x.event, sizeof x.event, "%s", p->event);
        snprintf(x.code, sizeof x.code, "%s", p->code);
        w->expect = x;
    }
}
