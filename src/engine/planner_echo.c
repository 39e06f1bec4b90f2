/* planner_echo.c: hints that need no planning, acked with no call, no write and no audit: a
 * webhook or a poll whose record, read through the map, equals the shadows (our own write coming
 * back, or a change of nothing we sync), and a poll of a contact no attendee is linked to.
 *
 * A poll hint carries the record as its listing shows it, and a listing may show less than the
 * record holds: only what it shows is compared, and a field it cannot show means "re-read". */
#include "engine/sync_int.h"

#include "util/jsonx.h"

/* Standard contact fields HighLevel's search results carry whenever they are set (its SDK's
 * search Contact model), so that an absent one is empty there as in GET /contacts/{id}. Others
 * (address1, name, website, timezone, gender) absent from a search result are unknown. Custom
 * fields and tags always come with a search result. */
static const char *const SEARCH_CARRIES[] = {
    "firstName",  "lastName", "email",  "phone",       "companyName", "city",       "state",
    "postalCode", "country",  "source", "dateOfBirth", "assignedTo",  "businessId",
};

/* The attendee fields a registration carries a copy of (specs/pheedloop: "person and address
 * fields"), and those an attendee reads from its registration anyway. */
static const char *const REG_PERSON[] = {
    "first_name",   "last_name",     "email",          "organization",
    "title",        "address_phone", "address_line_1", "address_line_2",
    "address_city", "address_state", "address_zip",    "address_country",
};
static const char *const REG_OWN[] = {"ticket_name", "ticket_code", "is_checked_in",
                                      "checkin_date"};

static bool listed(const char *const *list, size_t n, const char *key)
{
    for (size_t i = 0; key && i < n; i++) {
        if (!strcmp(list[i], key))
            return true;
    }
    return false;
}

/* What one listing form shows of a record. */
typedef struct form {
    bool (*shows)(const core_field *f, const json_t *rec); /* NULL: everything */
    const json_t *rec;
    const json_t *event_tags; /* a registration: its tags are the attendee's own, event tags */
} form;

static bool search_shows(const core_field *f, const json_t *ct)
{
    const char *key = f->key[CORE_GHL];
    return f->place[CORE_GHL] != CORE_PLACE_STANDARD || json_object_get(ct, key) ||
           listed(SEARCH_CARRIES, PS_ARRAY_LEN(SEARCH_CARRIES), key);
}

static bool registration_shows(const core_field *f, const json_t *reg)
{
    const char *key = f->key[CORE_PL];
    switch (f->place[CORE_PL]) {
    case CORE_PLACE_STANDARD:
        return (listed(REG_PERSON, PS_ARRAY_LEN(REG_PERSON), key) && json_object_get(reg, key)) ||
               listed(REG_OWN, PS_ARRAY_LEN(REG_OWN), key);
    case CORE_PLACE_METADATA:
        return false;
    default:
        return true;
    }
}

/* A registration's tags against the shadow's: the shadow also holds the tags kept in
 * metadata.highlevel, which are never event tags. */
static bool tags_agree(const json_t *now, const json_t *was, const json_t *event_tags)
{
    size_t i;
    const json_t *t;
    json_array_foreach(now, i, t)
    {
        if (!jsonx_array_has_str(was, json_string_value(t)))
            return false;
    }
    json_array_foreach(was, i, t)
    {
        const char *s = json_string_value(t);
        if (s && !jsonx_array_has_str(now, s) && core_event_tag(event_tags, s))
            return false;
    }
    return true;
}

/* Every field of now (a shadow's form) as the shadow has it, the form showing each. */
static bool agrees(const core_map *m, const json_t *now, const json_t *was, const form *fm)
{
    if (!fm->shows)
        return json_equal(now, was);
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)(uintptr_t)now, name, v)
    {
        const core_field *f = core_map_find(m, name);
        const json_t *old = json_object_get(was, name);
        if (!f || !old)
            return false; /* a field the shadow predates */
        bool same;
        if (fm->event_tags && f->place[CORE_PL] == CORE_PLACE_TAGS)
            same = tags_agree(v, old, fm->event_tags);
        else
            same = fm->shows(f, fm->rec) && core_value_equal(v, old);
        if (!same)
            return false;
    }
    return true;
}

/* ---------------------------------------------------------------- HighLevel */

/* The contact equals the shadow of each of its pairs. */
static bool contact_echo(plan_ctx *c, const char *parts[3], const json_t *ct, const form *fm)
{
    store_link *l = NULL;
    err e = {0};
    core_person person = {0};
    bool echo = false;
    if (json_is_object(ct) && jsonx_str(ct, "id") &&
        store_link_by_contact(&l, c->en->store, parts[0], parts[1], &e) == 0 &&
        l->n_attendees > 0 && rec_person_ghl(&person, c, ct, &e) == 0) {
        json_t *now = core_person_shadow(c->set.map, &person);
        echo = now != NULL;
        for (size_t i = 0; echo && i < l->n_attendees; i++) {
            char key[ENGINE_KEY_MAX];
            sync_key_pl(key, l->attendees[i].org, l->attendees[i].event, l->attendees[i].code);
            json_t *sh = sync_shadow_json(c->en, SIDE_GHL, key);
            echo = sh && agrees(c->set.map, now, sh, fm);
            json_decref(sh);
        }
        json_decref(now);
    }
    core_person_clear(&person);
    store_link_free(l);
    return echo;
}

/* A poll of a contact no attendee is linked to plans nothing: rules fire on webhooks' kinds
 * and on tag changes of linked people, and nothing else reads an unlinked contact. */
static bool contact_unlinked(plan_ctx *c, const char *parts[3])
{
    store_link *l = NULL;
    err e = {0};
    int rc = store_link_by_contact(&l, c->en->store, parts[0], parts[1], &e);
    bool none = rc == ERR_NOT_FOUND || (rc == 0 && l->n_attendees == 0);
    store_link_free(l);
    return none;
}

/* ---------------------------------------------------------------- PheedLoop */

/* The attendee (with the registration, or the one remembered) equals its pair's shadow. */
static bool attendee_echo(plan_ctx *c, const char *parts[3], const json_t *att, const json_t *reg,
                          const form *fm)
{
    char key[ENGINE_KEY_MAX];
    sync_key_pl(key, parts[0], parts[1], parts[2]);
    json_t *known = reg ? NULL : rec_registration(c, key);
    store_link *l = NULL;
    err e = {0};
    core_person person = {0};
    bool echo = false;
    if (json_is_object(att) &&
        store_link_by_attendee(&l, c->en->store, parts[0], parts[1], parts[2], &e) == 0 &&
        rec_person_pl(&person, c, parts[1], att, reg ? reg : known, &e) == 0) {
        json_t *now = core_person_shadow(c->set.map, &person);
        json_t *sh = sync_shadow_json(c->en, SIDE_PL, key);
        echo = now && sh && agrees(c->set.map, now, sh, fm);
        json_decref(sh);
        json_decref(now);
    }
    core_person_clear(&person);
    store_link_free(l);
    json_decref(known);
    return echo;
}

/* The attendee as its registration shows it: the person fields it copies. */
static json_t *attendee_of_registration(const json_t *reg, const char *code)
{
    json_t *att = json_pack("{s:s}", "code", code);
    for (size_t i = 0; att && i < PS_ARRAY_LEN(REG_PERSON); i++) {
        json_t *v = json_object_get(reg, REG_PERSON[i]);
        if (v)
            json_object_set(att, REG_PERSON[i], v);
    }
    json_t *tags = json_object_get(reg, "tags");
    if (att && json_is_array(tags))
        json_object_set(att, "tags", tags);
    return att;
}

/* A registration read by the poller: the same as the one remembered, and the attendee fields it
 * shows as the pair's shadow has them. */
static bool registration_echo(plan_ctx *c, const char *parts[3], const json_t *reg)
{
    const char *att_code = jsonx_str(reg, "attendee_code");
    const char *ev_code = jsonx_str(reg, "event_code");
    if (!att_code || strcmp(att_code, parts[2]) != 0 || (ev_code && strcmp(ev_code, parts[1])))
        return false;
    char key[ENGINE_KEY_MAX];
    sync_key_pl(key, parts[0], parts[1], parts[2]);
    json_t *was = refdata_registration(c->en, key);
    json_t *digest = refdata_registration_digest(reg);
    bool same = was && digest && json_equal(was, digest);
    json_decref(was);
    json_decref(digest);
    const event_ref *ev = NULL;
    err e = {0};
    if (!same || plan_event(&ev, c, parts[1], &e) != 0)
        return false;
    json_t *att = attendee_of_registration(reg, att_code);
    json_t *none = json_array();
    form fm = {.shows = registration_shows, .rec = reg, .event_tags = ev->tags ? ev->tags : none};
    bool echo = att && none && attendee_echo(c, parts, att, reg, &fm);
    json_decref(att);
    json_decref(none);
    return echo;
}

/* ---------------------------------------------------------------- hints */

static bool is_webhook_kind(const char *kind)
{
    return strncmp(kind, "Contact", 7) == 0 || strncmp(kind, "attendee.", 9) == 0;
}

static const char *webhook_echo(plan_ctx *c, const store_hint *h, bool ghl, const char *parts[3],
                                const json_t *p)
{
    if (!strcmp(h->kind, "ContactCreate") || !strcmp(h->kind, "ContactDelete") ||
        !strcmp(h->kind, "attendee.created") || !strcmp(h->kind, "attendee.deleted"))
        return NULL;
    static const form whole = {0};
    bool echo;
    if (ghl) {
        const json_t *ct = json_object_get(p, "contact");
        echo = contact_echo(c, parts, ct ? ct : p, &whole);
    } else {
        echo = attendee_echo(c, parts, json_object_get(p, "data"), NULL, &whole);
    }
    return echo ? "an echo of our own write" : NULL;
}

static const char *poll_echo(plan_ctx *c, bool ghl, const char *parts[3], const json_t *p)
{
    if (json_object_get(p, "activity"))
        return NULL; /* tasks changed: only a re-read of the activity shows how */
    if (ghl) {
        if (contact_unlinked(c, parts))
            return "a poll of a contact nobody is linked to";
        /* The business lives on the attendees' metadata, which no shadow holds. */
        if (!core_value_empty(json_object_get(p, "businessId")))
            return NULL;
        form fm = {.shows = search_shows, .rec = p};
        return contact_echo(c, parts, p, &fm) ? "a poll that shows what was synced" : NULL;
    }
    const json_t *reg = json_object_get(p, "registration");
    if (json_is_object(reg))
        return registration_echo(c, parts, reg) ? "a registration that shows what was synced"
                                                : NULL;
    static const form whole = {0};
    return attendee_echo(c, parts, p, NULL, &whole) ? "a poll that shows what was synced" : NULL;
}

const char *planner_moot(plan_ctx *c, const store_hint *h, const char *side, const char *parts[3])
{
    /* Merged hints name only the latest: an earlier one may have been of another kind. */
    if (h->count != 1 || !h->payload)
        return NULL;
    bool poll = !strcmp(h->kind, "poll");
    if (!poll && !is_webhook_kind(h->kind))
        return NULL;
    json_t *p = json_loads(h->payload, 0, NULL);
    bool ghl = !strcmp(side, "ghl");
    const char *why = !json_is_object(p) ? NULL
                      : poll             ? poll_echo(c, ghl, parts, p)
                                         : webhook_echo(c, h, ghl, parts, p);
    json_decref(p);
    return why;
}
