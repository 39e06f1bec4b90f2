/* person_write.c: HighLevel and PheedLoop write bodies made from canonical values. */
#include "core/activity.h"
#include "core/person_int.h"

#include "util/jsonx.h"

#define TEXT_MAX (64 * 1024)

static int check_write(const core_field **out, const core_map *m, core_side side, const char *name,
                       err *e)
{
    const core_field *f = core_map_find(m, name);
    const char *where = side == CORE_GHL ? "HighLevel" : "PheedLoop";
    if (!f)
        return err_set(e, ERR_INVALID, "no field '%s' in the map", name);
    if (f->place[side] == CORE_PLACE_NONE)
        return err_set(e, ERR_INVALID, "field '%s' has no place in %s", name, where);
    if (!f->writable[side])
        return err_set(e, ERR_INVALID, "field '%s': %s is read-only in %s", name, f->path[side],
                       where);
    if (f->derived && core_field_source(f) == side)
        return err_set(e, ERR_INVALID, "field '%s' is computed from %s's record, not written there",
                       name, where);
    *out = f;
    return 0;
}

/* A value as one text (arrays joined with ", "); NULL when empty. New reference. */
static json_t *as_text(const json_t *v)
{
    if (core_value_empty(v))
        return NULL;
    if (json_is_string(v))
        return json_incref(core_json_mut(v));
    buf b;
    buf_init(&b, TEXT_MAX);
    json_t *t = core_tpl_value(&b, v) == 0 && b.len ? json_stringn(b.ptr, b.len) : NULL;
    buf_free(&b);
    return t;
}

static json_t *tag_set_of(const json_t *v)
{
    if (json_is_string(v)) {
        json_t *one = json_pack("[O]", v);
        json_t *set = core_tags_normalize(one);
        json_decref(one);
        return set;
    }
    return core_tags_normalize(v);
}

/* ---------------------------------------------------------------- HighLevel */

static int ghl_custom(json_t *custom, const core_field *f, const json_t *v,
                      const core_ghl_record *cur)
{
    const char *key = f->key[CORE_GHL];
    const char *id = cur ? core_ghl_def_id(cur->field_defs, key) : NULL;
    json_t *value = core_value_empty(v) ? json_string("") : json_incref(core_json_mut(v));
    json_t *item = id ? json_pack("{s:s, s:o}", "id", id, "field_value", value)
                      : json_pack("{s:s, s:o}", "key", key + 8, "field_value", value);
    return json_array_append_new(custom, item);
}

static int ghl_one(json_t *body, json_t *custom, const core_field *f, const json_t *v,
                   const core_ghl_record *cur)
{
    const char *key = f->key[CORE_GHL];
    switch (f->place[CORE_GHL]) {
    case CORE_PLACE_TAGS:
        return json_object_set_new(body, "tags", tag_set_of(v));
    case CORE_PLACE_CUSTOM:
        return ghl_custom(custom, f, v, cur);
    default: {
        json_t *t = as_text(v);
        /* The API's schema does not let these two be null. */
        bool not_null = strcmp(key, "postalCode") == 0 || strcmp(key, "country") == 0;
        if (!t)
            t = not_null ? json_string("") : json_null();
        return json_object_set_new(body, key, t);
    }
    }
}

int core_person_to_ghl_fields(json_t **out, const core_map *m, const json_t *values,
                              const core_ghl_record *cur, err *e)
{
    json_t *body = json_object(), *custom = json_array();
    int rc = body && custom ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    const char *name;
    const json_t *v;
    json_object_foreach(core_json_mut(values), name, v)
    {
        const core_field *f = NULL;
        if (rc == 0)
            rc = check_write(&f, m, CORE_GHL, name, e);
        if (rc == 0 && ghl_one(body, custom, f, v, cur) != 0)
            rc = err_set(e, ERR_NOMEM, "out of memory");
    }
    if (rc == 0 && json_array_size(custom))
        rc = json_object_set(body, "customFields", custom) ? err_set(e, ERR_NOMEM, "no memory") : 0;
    json_decref(custom);
    if (rc != 0) {
        json_decref(body);
        return rc;
    }
    *out = body;
    return 0;
}

/* ---------------------------------------------------------------- PheedLoop */

typedef struct pl_body {
    json_t *body;
    json_t *meta; /* the copy of the metadata, once a write needs it */
    const core_pl_record *cur;
    const json_t *full_tags; /* values.tags, for a create */
} pl_body;

static json_t *meta_get(pl_body *pb)
{
    if (pb->meta)
        return pb->meta;
    const json_t *have = pb->cur ? json_object_get(pb->cur->attendee, "metadata") : NULL;
    pb->meta = json_is_object(have) ? json_deep_copy(have) : json_object();
    return pb->meta;
}

/* Sets (or, for an empty value, removes) metadata.PATH. */
static int meta_set(json_t *meta, const char *path, const json_t *v)
{
    json_t *cur = meta;
    const char *p = path;
    for (;;) {
        size_t n = strcspn(p, ".");
        char seg[256];
        if (n >= sizeof seg)
            return ERR_INVALID;
        memcpy(seg, p, n);
        seg[n] = '\0';
        if (p[n] == '\0') {
            if (core_value_empty(v))
                return json_object_get(cur, seg) ? json_object_del(cur, seg) : 0;
            return json_object_set(cur, seg, core_json_mut(v));
        }
        json_t *next = json_object_get(cur, seg);
        if (!json_is_object(next)) {
            if (core_value_empty(v))
                return 0;
            next = json_object();
            if (!next || json_object_set_new(cur, seg, next) != 0)
                return ERR_NOMEM;
        }
        cur = next;
        p += n + 1;
    }
}

static int pl_one(pl_body *pb, const core_field *f, const json_t *v)
{
    switch (f->place[CORE_PL]) {
    case CORE_PLACE_TAGS:
        pb->full_tags = v;
        return 0;
    case CORE_PLACE_METADATA: {
        json_t *meta = meta_get(pb);
        return meta ? meta_set(meta, f->key[CORE_PL], v) : ERR_NOMEM;
    }
    default: {
        json_t *t = as_text(v);
        return json_object_set_new(pb->body, f->key[CORE_PL], t ? t : json_string(""));
    }
    }
}

/* The attendee's tag set now: its tags and those kept in metadata. */
static json_t *current_tags(const core_pl_record *cur)
{
    json_t *set = json_array();
    if (cur && set) {
        core_tags_add_all(set, json_object_get(cur->attendee, "tags"));
        core_tags_add_all(set,
                          jsonx_path(json_object_get(cur->attendee, "metadata"), "highlevel.tags"));
    }
    return set;
}

static void apply_delta(json_t *set, const core_tag_delta *d)
{
    core_tags_add_all(set, d->add);
    size_t i;
    const json_t *t;
    json_array_foreach(d->remove, i, t)
    {
        for (size_t k = json_array_size(set); k-- > 0;) {
            if (json_equal(json_array_get(set, k), t))
                json_array_remove(set, k);
        }
    }
}

/* The event's spelling of tag: from its tag list, else from the attendee's own tags (which the
 * event accepted); NULL when the event does not have it. */
static const char *event_spelling(const core_pl_record *cur, const char *tag)
{
    if (!cur)
        return NULL;
    const char *name = core_event_tag(cur->event_tags, tag);
    return name ? name : core_event_tag(json_object_get(cur->attendee, "tags"), tag);
}

static int pl_tags(pl_body *pb, const core_tag_delta *d)
{
    bool delta = d && (json_array_size(d->add) || json_array_size(d->remove));
    if (!pb->full_tags && !delta)
        return 0;
    json_t *set = pb->full_tags ? tag_set_of(pb->full_tags) : current_tags(pb->cur);
    json_t *event = json_array(), *rest = json_array();
    json_t *meta = meta_get(pb);
    int rc = set && event && rest && meta ? 0 : ERR_NOMEM;
    if (rc == 0 && !pb->full_tags)
        apply_delta(set, d);
    size_t i;
    const json_t *t;
    json_array_foreach(set, i, t)
    {
        const char *name = rc == 0 ? event_spelling(pb->cur, json_string_value(t)) : NULL;
        if (name && !jsonx_array_has_str(event, name))
            json_array_append_new(event, json_string(name));
        else if (!name && rc == 0)
            json_array_append(rest, core_json_mut(t));
    }
    bool changed;
    if (rc == 0)
        rc = json_object_set(pb->body, "tags", event);
    if (rc == 0)
        rc = core_activity_set_tags(meta, rest, &changed, NULL);
    json_decref(set);
    json_decref(event);
    json_decref(rest);
    return rc;
}

int core_person_to_pl_fields(json_t **out, const core_map *m, const json_t *values,
                             const core_tag_delta *tags, const core_pl_record *cur, err *e)
{
    pl_body pb = {json_object(), NULL, cur, NULL};
    int rc = pb.body ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    const char *name;
    const json_t *v;
    json_object_foreach(core_json_mut(values), name, v)
    {
        const core_field *f = NULL;
        if (rc == 0)
            rc = check_write(&f, m, CORE_PL, name, e);
        if (rc == 0 && pl_one(&pb, f, v) != 0)
            rc = err_set(e, ERR_NOMEM, "field '%s': cannot set it", name);
    }
    if (rc == 0 && pl_tags(&pb, tags) != 0)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    const json_t *had = cur ? json_object_get(cur->attendee, "metadata") : NULL;
    bool same = pb.meta && (json_equal(pb.meta, had) ||
                            (!json_is_object(had) && json_object_size(pb.meta) == 0));
    if (rc == 0 && pb.meta && !same && json_object_set(pb.body, "metadata", pb.meta) != 0)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    json_decref(pb.meta);
    if (rc != 0) {
        json_decref(pb.body);
        return rc;
    }
    *out = pb.body;
    return 0;
}
