/* activity.c: HighLevel tasks, notes, appointments, tags and business in attendee metadata. */
#include "core/activity.h"

#include "core/person_int.h"
#include "util/clock.h"
#include "util/jsonx.h"

static const char *const LIST_KEYS[] = {"tasks", "notes", "appointments"};
static const char *const KIND_NAMES[] = {"task", "note", "appointment"};

int core_activity_from_event(core_act_kind *kind, core_act_op *op, const char *type)
{
    static const struct {
        const char *type;
        core_act_kind kind;
        core_act_op op;
    } map[] = {
        {"TaskCreate", CORE_ACT_TASK, CORE_ACT_UPSERT},
        {"TaskUpdate", CORE_ACT_TASK, CORE_ACT_UPSERT},
        {"TaskComplete", CORE_ACT_TASK, CORE_ACT_COMPLETE},
        {"TaskDelete", CORE_ACT_TASK, CORE_ACT_DELETE},
        {"NoteCreate", CORE_ACT_NOTE, CORE_ACT_UPSERT},
        {"NoteUpdate", CORE_ACT_NOTE, CORE_ACT_UPSERT},
        {"NoteDelete", CORE_ACT_NOTE, CORE_ACT_DELETE},
        {"AppointmentCreate", CORE_ACT_APPOINTMENT, CORE_ACT_UPSERT},
        {"AppointmentUpdate", CORE_ACT_APPOINTMENT, CORE_ACT_UPSERT},
        {"AppointmentDelete", CORE_ACT_APPOINTMENT, CORE_ACT_DELETE},
    };
    for (size_t i = 0; type && i < PS_ARRAY_LEN(map); i++) {
        if (strcmp(map[i].type, type) == 0) {
            *kind = map[i].kind;
            *op = map[i].op;
            return 0;
        }
    }
    return ERR_NOT_FOUND;
}

json_t *core_activity_root(json_t *metadata)
{
    if (!json_is_object(metadata))
        return NULL;
    json_t *root = json_object_get(metadata, "highlevel");
    if (json_is_object(root))
        return root;
    root = json_object();
    if (!root || json_object_set_new(metadata, "highlevel", root) != 0)
        return NULL;
    return root;
}

const json_t *core_activity_list(const json_t *metadata, core_act_kind kind)
{
    const json_t *list = json_object_get(json_object_get(metadata, "highlevel"), LIST_KEYS[kind]);
    return json_is_array(list) ? list : NULL;
}

static size_t index_of(const json_t *list, const char *id)
{
    size_t i;
    const json_t *it;
    json_array_foreach(list, i, it)
    {
        const char *have = jsonx_str(it, "id");
        if (have && strcmp(have, id) == 0)
            return i;
    }
    return SIZE_MAX;
}

const json_t *core_activity_find(const json_t *metadata, core_act_kind kind, const char *id)
{
    const json_t *list = core_activity_list(metadata, kind);
    size_t i = list && id ? index_of(list, id) : SIZE_MAX;
    return i == SIZE_MAX ? NULL : json_array_get(list, i);
}

/* ---------------------------------------------------------------- entries */

/* A text cut to CORE_ACT_TEXT_MAX bytes on a UTF-8 character boundary; NULL stays NULL. */
static json_t *text(const char *s)
{
    if (!s)
        return json_null();
    size_t n = strlen(s);
    if (n > CORE_ACT_TEXT_MAX) {
        n = CORE_ACT_TEXT_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    json_t *v = json_stringn(s, n);
    return v ? v : json_null();
}

/* HighLevel's time text as ISO-8601 UTC when it can be read. */
static json_t *when(const char *s)
{
    int64_t ms;
    if (!s || !*s)
        return json_null();
    if (clock_parse_iso(&ms, s, NULL) != 0)
        return text(s);
    char iso[CLOCK_ISO_LEN];
    clock_format_iso(ms, iso);
    return json_string(iso);
}

/* Sets e[key] from r[src] through conv, when r has src (an update leaves out what it does not
 * change). */
static void take(json_t *e, const char *key, const json_t *r, const char *src,
                 json_t *(*conv)(const char *))
{
    const json_t *v = json_object_get(r, src);
    if (v)
        json_object_set_new(e, key, conv(json_string_value(v)));
}

/* The entry's keys that the record carries. */
static json_t *entry_from(core_act_kind kind, const json_t *r, core_act_op op, const char *id)
{
    json_t *e = json_pack("{s:s}", "id", id);
    if (!e)
        return NULL;
    if (kind == CORE_ACT_TASK) {
        take(e, "title", r, "title", text);
        take(e, "body", r, "body", text);
        take(e, "due", r, "dueDate", when);
        const char *status = jsonx_str(r, "status");
        if (op == CORE_ACT_COMPLETE || json_object_get(r, "completed") || status)
            json_object_set_new(e, "completed",
                                json_boolean(op == CORE_ACT_COMPLETE ||
                                             jsonx_bool(r, "completed", false) ||
                                             (status && strcmp(status, "completed") == 0)));
    } else if (kind == CORE_ACT_NOTE) {
        take(e, "body", r, "body", text);
        take(e, "date", r, "dateAdded", when);
    } else {
        take(e, "title", r, "title", text);
        take(e, "start", r, "startTime", when);
        take(e, "end", r, "endTime", when);
        take(e, "status", r, "status", text);
        take(e, "status", r, "appointmentStatus", text);
    }
    return e;
}

/* A new entry has every key of its layout, null when unknown. */
static void complete_layout(json_t *e, core_act_kind kind)
{
    static const char *const task[] = {"title", "body", "due", "completed", NULL};
    static const char *const note[] = {"body", "date", NULL};
    static const char *const appt[] = {"title", "start", "end", "status", NULL};
    const char *const *keys = kind == CORE_ACT_TASK ? task : kind == CORE_ACT_NOTE ? note : appt;
    for (; *keys; keys++) {
        if (!json_object_get(e, *keys))
            json_object_set_new(e, *keys, strcmp(*keys, "completed") ? json_null() : json_false());
    }
}

static json_t *list_get(json_t *metadata, core_act_kind kind)
{
    json_t *root = core_activity_root(metadata);
    if (!root)
        return NULL;
    json_t *list = json_object_get(root, LIST_KEYS[kind]);
    if (json_is_array(list))
        return list;
    list = json_array();
    if (!list || json_object_set_new(root, LIST_KEYS[kind], list) != 0)
        return NULL;
    return list;
}

/* Makes room for one more entry: the oldest goes (for tasks, the oldest completed one). */
static void make_room(json_t *list, core_act_kind kind)
{
    if (json_array_size(list) < CORE_ACT_MAX)
        return;
    size_t drop = 0;
    if (kind == CORE_ACT_TASK) {
        size_t i;
        const json_t *it;
        json_array_foreach(list, i, it)
        {
            if (jsonx_bool(it, "completed", false)) {
                drop = i;
                break;
            }
        }
    }
    json_array_remove(list, drop);
}

static int upsert(json_t *list, core_act_kind kind, core_act_op op, const json_t *r, const char *id,
                  bool *changed)
{
    json_t *fresh = entry_from(kind, r, op, id);
    if (!fresh)
        return ERR_NOMEM;
    size_t at = index_of(list, id);
    if (at == SIZE_MAX) {
        complete_layout(fresh, kind);
        make_room(list, kind);
        *changed = true;
        return json_array_append_new(list, fresh) == 0 ? 0 : ERR_NOMEM;
    }
    json_t *have = json_array_get(list, at);
    json_t *merged = json_deep_copy(have);
    if (!merged || json_object_update(merged, fresh) != 0) {
        json_decref(merged);
        json_decref(fresh);
        return ERR_NOMEM;
    }
    json_decref(fresh);
    *changed = !json_equal(merged, have);
    return json_array_set_new(list, at, merged) == 0 ? 0 : ERR_NOMEM;
}

int core_activity_apply(json_t *metadata, core_act_kind kind, core_act_op op, const json_t *record,
                        bool *changed, err *e)
{
    *changed = false;
    const json_t *wrapped = json_object_get(record, "appointment");
    if (kind == CORE_ACT_APPOINTMENT && json_is_object(wrapped))
        record = wrapped;
    const char *id = jsonx_str(record, "id");
    if (!id || !*id)
        return err_set(e, ERR_INVALID, "HighLevel %s: no id", KIND_NAMES[kind]);
    if (op == CORE_ACT_COMPLETE && kind != CORE_ACT_TASK)
        return err_set(e, ERR_INVALID, "only tasks are completed, not a %s", KIND_NAMES[kind]);
    if (!json_is_object(metadata))
        return err_set(e, ERR_INVALID, "attendee metadata: not an object");
    if (op == CORE_ACT_DELETE) {
        json_t *list = core_json_mut(core_activity_list(metadata, kind));
        size_t at = list ? index_of(list, id) : SIZE_MAX;
        if (at != SIZE_MAX) {
            json_array_remove(list, at);
            *changed = true;
        }
        return 0;
    }
    json_t *list = list_get(metadata, kind);
    int rc = list ? upsert(list, kind, op, record, id, changed) : ERR_NOMEM;
    return rc == 0 ? 0 : err_set(e, rc, "out of memory");
}

/* ---------------------------------------------------------------- other keys */

/* Sets metadata.highlevel[key] to v (stolen), or removes it when v is NULL. */
static int root_set(json_t *metadata, const char *key, json_t *v, bool *changed, err *e)
{
    *changed = false;
    if (!json_is_object(metadata)) {
        json_decref(v);
        return err_set(e, ERR_INVALID, "attendee metadata: not an object");
    }
    json_t *root = json_object_get(metadata, "highlevel");
    if (!v) {
        if (json_is_object(root) && json_object_get(root, key)) {
            json_object_del(root, key);
            *changed = true;
        }
        return 0;
    }
    root = core_activity_root(metadata);
    if (!root) {
        json_decref(v);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    *changed = !json_equal(json_object_get(root, key), v);
    if (json_object_set_new(root, key, v) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

int core_activity_set_contact(json_t *metadata, const char *contact_id, bool *changed, err *e)
{
    json_t *v = contact_id && *contact_id ? json_string(contact_id) : NULL;
    return root_set(metadata, "contact_id", v, changed, e);
}

int core_activity_set_business(json_t *metadata, const char *id, const char *name, bool *changed,
                               err *e)
{
    json_t *v = NULL;
    if ((id && *id) || (name && *name))
        v = json_pack("{s:o, s:o}", "id", id && *id ? json_string(id) : json_null(), "name",
                      name && *name ? text(name) : json_null());
    return root_set(metadata, "business", v, changed, e);
}

int core_activity_set_tags(json_t *metadata, const json_t *tags, bool *changed, err *e)
{
    json_t *set = core_tags_normalize(tags);
    if (set && json_array_size(set) == 0) {
        json_decref(set);
        set = NULL;
    }
    return root_set(metadata, "tags", set, changed, e);
}

int core_activity_set_reminders(json_t *metadata, const char *appointment_id,
                                const json_t *reminders, bool *changed, err *e)
{
    *changed = false;
    json_t *list = core_json_mut(core_activity_list(metadata, CORE_ACT_APPOINTMENT));
    size_t at = list && appointment_id ? index_of(list, appointment_id) : SIZE_MAX;
    if (at == SIZE_MAX)
        return err_set(e, ERR_NOT_FOUND, "no appointment %s on the attendee",
                       appointment_id ? appointment_id : "(null)");
    json_t *entry = json_array_get(list, at);
    if (!reminders || json_array_size(reminders) == 0) {
        *changed = json_object_get(entry, "reminders") != NULL;
        json_object_del(entry, "reminders");
        return 0;
    }
    *changed = !json_equal(json_object_get(entry, "reminders"), reminders);
    if (json_object_set_new(entry, "reminders", json_deep_copy(reminders)) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

int core_activity_prune(json_t *metadata, int64_t now_ms, bool *changed)
{
    *changed = false;
    json_t *list = core_json_mut(core_activity_list(metadata, CORE_ACT_APPOINTMENT));
    for (size_t i = json_array_size(list); i-- > 0;) {
        const json_t *it = json_array_get(list, i);
        const char *t = jsonx_str(it, "end");
        if (!t)
            t = jsonx_str(it, "start");
        int64_t ms;
        if (t && clock_parse_iso(&ms, t, NULL) == 0 && ms < now_ms) {
            json_array_remove(list, i);
            *changed = true;
        }
    }
    return 0;
}
