/* person.c: reading HighLevel contacts and PheedLoop attendees into canonical records. */
#include "core/person_int.h"

#include "core/normalize.h"
#include "util/jsonx.h"

#define TAG_MAX 1024

void core_person_clear(core_person *p)
{
    if (!p)
        return;
    json_decref(p->values);
    json_decref(p->facts);
    json_decref(p->invalid);
    json_decref(p->derived_tags);
    memset(p, 0, sizeof *p);
}

json_t *core_person_vars(const core_person *p)
{
    json_t *vars = json_object();
    if (vars && p->facts)
        json_object_update(vars, p->facts);
    if (vars && p->values)
        json_object_update(vars, p->values);
    return vars;
}

void core_person_match_keys(const core_person *p, int default_cc, buf *email,
                            char phone[CORE_E164_MAX])
{
    char why[CORE_WHY_MAX];
    phone[0] = '\0';
    const json_t *v = json_object_get(p->values, "email");
    /* On failure the buffer is left as it was: no key. */
    if (json_is_string(v))
        core_norm_email(email, json_string_value(v), json_string_length(v), why);
    v = json_object_get(p->values, "phone");
    if (json_is_string(v))
        core_norm_phone(phone, json_string_value(v), json_string_length(v), default_cc, why);
}

/* ---------------------------------------------------------------- tags */

static int tag_cmp(const void *a, const void *b)
{
    return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

void core_strings_sort(json_t *arr)
{
    size_t n = json_array_size(arr);
    if (n < 2)
        return;
    json_t **v = malloc(n * sizeof *v);
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(arr, i));
    qsort(v, n, sizeof *v, tag_cmp);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, v[i]);
    free(v);
}

void core_tags_add(json_t *set, const char *s, size_t n)
{
    buf b;
    buf_init(&b, TAG_MAX);
    if (core_norm_tag(&b, s, n) == 0 && b.len && !jsonx_array_has_str(set, b.ptr))
        json_array_append_new(set, json_stringn(b.ptr, b.len));
    buf_free(&b);
}

void core_tags_add_all(json_t *set, const json_t *tags)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        if (json_is_string(t))
            core_tags_add(set, json_string_value(t), json_string_length(t));
    }
}

json_t *core_tags_normalize(const json_t *tags)
{
    json_t *set = json_array();
    if (set) {
        core_tags_add_all(set, tags);
        core_strings_sort(set);
    }
    return set;
}

/* The tags of a that b lacks. */
static json_t *tags_minus(const json_t *a, const json_t *b)
{
    json_t *out = json_array();
    size_t i;
    const json_t *t;
    json_array_foreach(a, i, t)
    {
        if (out && !jsonx_array_has_str(b, json_string_value(t)))
            json_array_append(out, (json_t *)(uintptr_t)t);
    }
    return out;
}

json_t *core_tags_change(const json_t *before, const json_t *after)
{
    json_t *was = core_tags_normalize(before), *now = core_tags_normalize(after);
    json_t *added = was && now ? tags_minus(now, was) : NULL;
    json_t *removed = was && now ? tags_minus(was, now) : NULL;
    json_t *change = NULL;
    if (json_array_size(added) || json_array_size(removed))
        change = json_pack("{s:O, s:O}", "added", added, "removed", removed);
    json_decref(was);
    json_decref(now);
    json_decref(added);
    json_decref(removed);
    return change;
}

void core_tags_change_text(buf *out, const json_t *change)
{
    static const char *const halves[] = {"added", "removed"};
    bool first = true;
    for (size_t k = 0; k < 2; k++) {
        const json_t *list = json_object_get(change, halves[k]);
        if (!json_array_size(list))
            continue;
        buf_addf(out, "%s%s: ", first ? "" : "; ", halves[k]);
        first = false;
        size_t i;
        const json_t *t;
        json_array_foreach(list, i, t) buf_addf(out, "%s%s", i ? ", " : "", json_string_value(t));
    }
}

const char *core_event_tag(const json_t *event_tags, const char *tag)
{
    size_t i;
    const json_t *t;
    json_array_foreach(event_tags, i, t)
    {
        const char *name = json_is_string(t) ? json_string_value(t) : jsonx_str(t, "name");
        if (!name)
            continue;
        const char *a = name;
        size_t n = strlen(name);
        core_trim(&a, &n);
        if (n == strlen(tag) && strncasecmp(a, tag, n) == 0)
            return name;
    }
    return NULL;
}

/* ---------------------------------------------------------------- reading */

typedef struct reader {
    const core_map *m;
    core_side side;
    core_lookup_fn lookup;
    const void *rec;
    core_person *p;
    err *e;
} reader;

static int read_field(reader *r, const core_field *f, bool source, const json_t *vars)
{
    const json_t *raw = f->place[r->side] == CORE_PLACE_NONE ? NULL : r->lookup(r->rec, f);
    json_t *v = NULL;
    char why[CORE_WHY_MAX];
    int rc = core_xform_apply(&v, f->xform, raw, source, vars, why, sizeof why);
    if (rc == ERR_INVALID)
        return json_object_set_new(r->p->invalid, f->name, json_string(why)) ? ERR_NOMEM : 0;
    if (rc != 0)
        return err_set(r->e, rc, "field '%s': cannot read its value", f->name);
    if (v && json_object_set_new(r->p->values, f->name, v) != 0)
        return err_set(r->e, ERR_NOMEM, "out of memory");
    return 0;
}

/* Plain fields first, then computed ones, which may use the plain values in templates. */
static int read_fields(reader *r)
{
    int rc = 0;
    for (int pass = 0; rc == 0 && pass < 2; pass++) {
        json_t *vars = pass ? core_person_vars(r->p) : NULL;
        for (size_t i = 0; rc == 0 && i < core_map_count(r->m); i++) {
            const core_field *f = core_map_at(r->m, i);
            bool source = f->derived && core_field_source(f) == r->side;
            if (f->dir == CORE_DIR_NONE || f->place[r->side] == CORE_PLACE_TAGS ||
                source != (pass == 1))
                continue;
            rc = read_field(r, f, source, vars);
        }
        json_decref(vars);
    }
    return rc;
}

int core_person_read(core_person *p, const core_map *m, core_side side, core_lookup_fn lookup,
                     const void *rec, err *e)
{
    reader rd = {m, side, lookup, rec, p, e};
    return read_fields(&rd);
}

int core_person_init(core_person *p, err *e)
{
    memset(p, 0, sizeof *p);
    p->values = json_object();
    p->facts = json_object();
    p->invalid = json_object();
    p->derived_tags = json_array();
    if (!p->values || !p->facts || !p->invalid || !p->derived_tags) {
        core_person_clear(p);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

void core_fact_set(json_t *facts, const char *name, const json_t *raw)
{
    json_t *v = core_value_canon(raw);
    if (v && json_is_string(v))
        json_object_set_new(facts, name, v);
    else
        json_decref(v);
}

void core_fact_str(json_t *facts, const char *name, const char *s)
{
    if (s && *s)
        json_object_set_new(facts, name, json_string(s));
}

/* ---------------------------------------------------------------- HighLevel */

bool core_custom_key_eq(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    if (strncmp(a, "contact.", 8) == 0)
        a += 8;
    if (strncmp(b, "contact.", 8) == 0)
        b += 8;
    return strcmp(a, b) == 0;
}

static const char *def_key(const json_t *defs, const char *id)
{
    size_t i;
    const json_t *d;
    json_array_foreach(defs, i, d)
    {
        const char *did = jsonx_str(d, "id");
        if (did && id && strcmp(did, id) == 0)
            return jsonx_str(d, "fieldKey");
    }
    return NULL;
}

const char *core_ghl_def_id(const json_t *defs, const char *key)
{
    size_t i;
    const json_t *d;
    json_array_foreach(defs, i, d)
    {
        if (core_custom_key_eq(jsonx_str(d, "fieldKey"), key))
            return jsonx_str(d, "id");
    }
    return NULL;
}

static const json_t *ghl_lookup(const void *rec, const core_field *f)
{
    const core_ghl_record *r = rec;
    if (f->place[CORE_GHL] == CORE_PLACE_STANDARD)
        return json_object_get(r->contact, f->key[CORE_GHL]);
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(r->contact, "customFields"), i, item)
    {
        const char *key = jsonx_str(item, "key");
        if (!key)
            key = def_key(r->field_defs, jsonx_str(item, "id"));
        if (!core_custom_key_eq(key, f->key[CORE_GHL]))
            continue;
        const json_t *v = json_object_get(item, "value");
        return v ? v : json_object_get(item, "field_value");
    }
    return NULL;
}

int core_person_from_ghl(core_person *out, const core_map *m, const core_ghl_record *r, err *e)
{
    if (!json_is_object(r->contact))
        return err_set(e, ERR_INVALID, "HighLevel contact: not an object");
    core_person p;
    if (core_person_init(&p, e) != 0)
        return ERR_NOMEM;
    core_fact_str(p.facts, "contact_id", jsonx_str(r->contact, "id"));
    core_fact_str(p.facts, "date_added", jsonx_str(r->contact, "dateAdded"));
    core_fact_str(p.facts, "date_updated", jsonx_str(r->contact, "dateUpdated"));
    int rc = core_person_read(&p, m, CORE_GHL, ghl_lookup, r, e);
    const core_field *tf = core_map_tags(m);
    if (rc == 0 && tf && tf->dir != CORE_DIR_NONE) {
        json_t *set = core_tags_normalize(json_object_get(r->contact, "tags"));
        if (json_array_size(set))
            json_object_set(p.values, tf->name, set);
        json_decref(set);
    }
    if (rc != 0) {
        core_person_clear(&p);
        return rc;
    }
    *out = p;
    return 0;
}
