/* person_pl.c: reading a PheedLoop attendee (with its registration and event) into a canonical
 * record, its facts, and its tags (stored, kept in metadata, and computed). */
#include "core/person_int.h"

#include "util/jsonx.h"

#define TAG_TEXT_MAX 1024

static const json_t *answer(const core_pl_record *r, const char *key)
{
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(r->registration, "custom_fields"), i, item)
    {
        static const char *const names[] = {"code", "name", "label"};
        for (size_t k = 0; k < PS_ARRAY_LEN(names); k++) {
            const char *have = jsonx_str(item, names[k]);
            if (have && strcasecmp(have, key) == 0)
                return json_object_get(item, "value");
        }
    }
    const json_t *form = json_object_get(r->registration, "form_response");
    const char *k;
    const json_t *v;
    json_object_foreach(core_json_mut(form), k, v)
    {
        if (strcasecmp(k, key) == 0)
            return v;
    }
    return NULL;
}

/* An attendee field, or the registration's when the attendee record leaves it out. */
static const json_t *attendee_or_registration(const core_pl_record *r, const char *key)
{
    const json_t *v = json_object_get(r->attendee, key);
    if (v && !json_is_null(v))
        return v;
    if (strcmp(key, "is_checked_in") == 0)
        key = "checked_in";
    else if (strcmp(key, "checkin_date") == 0)
        key = "checked_in_date";
    return json_object_get(r->registration, key);
}

static const json_t *pl_lookup(const void *rec, const core_field *f)
{
    const core_pl_record *r = rec;
    const char *key = f->key[CORE_PL];
    switch (f->place[CORE_PL]) {
    case CORE_PLACE_STANDARD:
        return attendee_or_registration(r, key);
    case CORE_PLACE_METADATA:
        return jsonx_path(json_object_get(r->attendee, "metadata"), key);
    case CORE_PLACE_REGISTRATION:
        return json_object_get(r->registration, key);
    case CORE_PLACE_ANSWER:
        return answer(r, key);
    case CORE_PLACE_EVENT:
        return json_object_get(r->event, key);
    default:
        return NULL;
    }
}

static void pl_facts(json_t *facts, const core_pl_record *r)
{
    core_fact_set(facts, "attendee_code", json_object_get(r->attendee, "code"));
    const char *event_code = jsonx_str(r->event, "code");
    if (!event_code)
        event_code = r->event_code;
    if (!event_code)
        event_code = jsonx_str(r->registration, "event_code");
    core_fact_str(facts, "event_code", event_code);
    core_fact_set(facts, "event_name", json_object_get(r->event, "event_name"));
    core_fact_set(facts, "event_start", json_object_get(r->event, "date"));
    core_fact_set(facts, "event_timezone", json_object_get(r->event, "timezone"));
    core_fact_set(facts, "ticket_name", attendee_or_registration(r, "ticket_name"));
    core_fact_set(facts, "ticket_code", attendee_or_registration(r, "ticket_code"));
    const json_t *in = attendee_or_registration(r, "is_checked_in");
    core_fact_str(facts, "checked_in", json_is_true(in) ? "true" : "false");
    core_fact_set(facts, "checkin_date", attendee_or_registration(r, "checkin_date"));
    core_fact_set(facts, "registration_date",
                  json_object_get(r->registration, "registration_date"));
    const json_t *contact = json_object_get(r->attendee, "code_internal");
    if (core_value_empty(contact))
        contact = jsonx_path(json_object_get(r->attendee, "metadata"), "highlevel.contact_id");
    core_fact_set(facts, "contact_id", contact);
}

/* A computed tag: added to the set and remembered as computed. */
static void derived_add(core_person *p, json_t *set, const char *tag, size_t n)
{
    json_t *one = json_array();
    core_tags_add(one, tag, n);
    const char *t = json_string_value(json_array_get(one, 0));
    if (t && !jsonx_array_has_str(p->derived_tags, t))
        json_array_append_new(p->derived_tags, json_string(t));
    if (t && !jsonx_array_has_str(set, t))
        json_array_append_new(set, json_string(t));
    json_decref(one);
}

static void pl_derived_tags(core_person *p, json_t *set, const core_map *m)
{
    json_t *vars = core_person_vars(p);
    const char *const *tpls = NULL;
    size_t n = core_map_signup_tags(m, &tpls);
    for (size_t i = 0; i < n; i++) {
        buf b;
        buf_init(&b, TAG_TEXT_MAX);
        bool any_empty = false;
        if (core_tpl_fill(&b, tpls[i], vars, &any_empty) == 0 && !any_empty)
            derived_add(p, set, b.ptr ? b.ptr : "", b.len);
        buf_free(&b);
    }
    const char *checkin = core_map_checkin_tag(m);
    if (*checkin && strcmp(jsonx_str(p->facts, "checked_in"), "true") == 0)
        derived_add(p, set, checkin, strlen(checkin));
    core_strings_sort(p->derived_tags);
    json_decref(vars);
}

static int pl_tags(core_person *p, const core_map *m, const core_pl_record *r, err *e)
{
    const core_field *tf = core_map_tags(m);
    if (!tf || tf->dir == CORE_DIR_NONE)
        return 0;
    json_t *set = json_array();
    if (!set)
        return err_set(e, ERR_NOMEM, "out of memory");
    core_tags_add_all(set, json_object_get(r->attendee, "tags"));
    core_tags_add_all(set, jsonx_path(json_object_get(r->attendee, "metadata"), "highlevel.tags"));
    pl_derived_tags(p, set, m);
    core_strings_sort(set);
    int rc = json_array_size(set) ? json_object_set(p->values, tf->name, set) : 0;
    json_decref(set);
    return rc == 0 ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

int core_person_from_pl(core_person *out, const core_map *m, const core_pl_record *r, err *e)
{
    if (!json_is_object(r->attendee))
        return err_set(e, ERR_INVALID, "PheedLoop attendee: not an object");
    core_person p;
    if (core_person_init(&p, e) != 0)
        return ERR_NOMEM;
    pl_facts(p.facts, r);
    int rc = core_person_read(&p, m, CORE_PL, pl_lookup, r, e);
    if (rc == 0)
        rc = pl_tags(&p, m, r, e);
    if (rc != 0) {
        core_person_clear(&p);
        return rc;
    }
    *out = p;
    return 0;
}
