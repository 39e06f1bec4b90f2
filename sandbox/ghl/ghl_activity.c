/* ghl_activity.c: a contact's tasks, notes and appointments: the operations (shared with the
 * admin UI routes, which are the only way to make appointments) and the API handlers. */
#include "sandbox/ghl/ghl_state.h"

#include <stddef.h>

json_t *sbx_ghl_item_find(json_t *list, const char *id, size_t *index)
{
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x)
    {
        const char *xid = jsonx_str(x, "id");
        if (id && xid && strcmp(xid, id) == 0) {
            if (index)
                *index = i;
            return x;
        }
    }
    return NULL;
}

static void item_remove(json_t *list, const char *id)
{
    size_t i;
    if (sbx_ghl_item_find(list, id, &i))
        json_array_remove(list, i);
}

/* Copies the optional string `key` of body into item; null clears it. */
static int copy_str(json_t *item, const json_t *body, const char *key, sbx_ghl_fail *f)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return 0;
    if (json_is_null(v)) {
        json_object_del(item, key);
        return 0;
    }
    if (!json_is_string(v))
        return sbx_ghl_fail_set(f, 422, "%s must be a string", key);
    json_object_set(item, key, v);
    return 0;
}

static int copy_bool(json_t *item, const json_t *body, const char *key, sbx_ghl_fail *f)
{
    json_t *v = json_object_get(body, key);
    if (v && !json_is_boolean(v))
        return sbx_ghl_fail_set(f, 422, "%s must be a boolean value", key);
    if (v)
        json_object_set(item, key, v);
    return 0;
}

/* An ISO 8601 date-time, stored in the one form the emulator writes (UTC, milliseconds). */
static int copy_time(json_t *item, const json_t *body, const char *key, sbx_ghl_fail *f)
{
    json_t *v = json_object_get(body, key);
    int64_t ms;
    err e = {0};
    char iso[CLOCK_ISO_LEN];
    if (!v)
        return 0;
    if (!json_is_string(v) || clock_parse_iso(&ms, json_string_value(v), &e) != 0)
        return sbx_ghl_fail_set(f, 422, "%s must be a valid ISO 8601 date string", key);
    sbx_ghl_iso(ms, iso);
    json_object_set_new(item, key, json_string(iso));
    return 0;
}

static int require(const json_t *body, const char *const *keys, size_t n, sbx_ghl_fail *f)
{
    for (size_t i = 0; i < n; i++)
        if (!json_object_get(body, keys[i]) || json_is_null(json_object_get(body, keys[i])))
            return sbx_ghl_fail_set(f, 422, "%s should not be empty", keys[i]);
    return 0;
}

typedef int (*fields_fn)(json_t *item, const json_t *body, sbx_ghl_fail *f);

/* A new item of contact c from body: base (taken; may be NULL) holds the defaults, required
 * names the fields body must have, fields copies and checks them. NULL (and f) on refusal. */
static json_t *build_item(sbx_ghl_emu *g, const sbx_ghl_contact *c, json_t *base,
                          const json_t *body, const char *const *required, size_t n,
                          fields_fn fields, sbx_ghl_fail *f)
{
    char id[SBX_GHL_ID_LEN + 1], now[CLOCK_ISO_LEN];
    json_t *item = base ? base : json_object();
    sbx_ghl_new_id(g, id);
    sbx_ghl_iso(sbx_ghl_now_ms(g), now);
    json_object_set_new(item, "id", json_string(id));
    json_object_set_new(item, "contactId", json_string(c->id));
    json_object_set_new(item, "dateAdded", json_string(now));
    if (require(body, required, n, f) != 0 || fields(item, body, f) != 0) {
        json_decref(item);
        return NULL;
    }
    return item;
}

/* Applies body to item all or nothing; *changed tells whether anything differs. */
static int edit_item(json_t *item, const json_t *body, fields_fn fields, bool *changed,
                     sbx_ghl_fail *f)
{
    json_t *copy = json_deep_copy(item);
    if (!copy || fields(copy, body, f) != 0) {
        json_decref(copy);
        return ERR_INVALID;
    }
    *changed = !json_equal(copy, item);
    json_object_update(item, copy);
    json_decref(copy);
    return 0;
}

/* ---- tasks ---- */

static int task_fields(json_t *t, const json_t *body, sbx_ghl_fail *f)
{
    if (copy_str(t, body, "title", f) || copy_str(t, body, "body", f) ||
        copy_str(t, body, "assignedTo", f) || copy_time(t, body, "dueDate", f) ||
        copy_bool(t, body, "completed", f))
        return ERR_INVALID;
    return 0;
}

int sbx_ghl_op_task_create(sbx_ghl_emu *g, sbx_ghl_contact *c, const json_t *body, json_t **out,
                           sbx_ghl_fail *f)
{
    static const char *const REQUIRED[] = {"title", "dueDate", "completed"};
    json_t *t = build_item(g, c, NULL, body, REQUIRED, PS_ARRAY_LEN(REQUIRED), task_fields, f);
    if (!t)
        return ERR_INVALID;
    json_array_append_new(c->tasks, t);
    sbx_ghl_event_task(g, "TaskCreate", c, t);
    *out = t;
    return 0;
}

int sbx_ghl_op_task_update(sbx_ghl_emu *g, sbx_ghl_contact *c, json_t *task, const json_t *body,
                           sbx_ghl_fail *f)
{
    bool was = jsonx_bool(task, "completed", false), changed;
    if (edit_item(task, body, task_fields, &changed, f) != 0)
        return ERR_INVALID;
    /* HighLevel has no TaskUpdate event: only a completion is announced. */
    if (!was && jsonx_bool(task, "completed", false))
        sbx_ghl_event_task(g, "TaskComplete", c, task);
    return 0;
}

int sbx_ghl_op_task_complete(sbx_ghl_emu *g, sbx_ghl_contact *c, json_t *task, bool completed)
{
    bool was = jsonx_bool(task, "completed", false);
    json_object_set_new(task, "completed", json_boolean(completed));
    if (!was && completed)
        sbx_ghl_event_task(g, "TaskComplete", c, task);
    return 0;
}

void sbx_ghl_op_task_delete(sbx_ghl_emu *g, sbx_ghl_contact *c, const char *task_id)
{
    json_t *t = sbx_ghl_item_find(c->tasks, task_id, NULL);
    if (!t)
        return;
    sbx_ghl_event_task(g, "TaskDelete", c, t);
    item_remove(c->tasks, task_id);
}

/* ---- notes ---- */

static int note_fields(json_t *n, const json_t *body, sbx_ghl_fail *f)
{
    if (copy_str(n, body, "body", f) || copy_str(n, body, "userId", f) ||
        copy_str(n, body, "title", f) || copy_str(n, body, "color", f) ||
        copy_bool(n, body, "pinned", f))
        return ERR_INVALID;
    return 0;
}

int sbx_ghl_op_note_create(sbx_ghl_emu *g, sbx_ghl_contact *c, const json_t *body, json_t **out,
                           sbx_ghl_fail *f)
{
    static const char *const REQUIRED[] = {"body"};
    json_t *n = build_item(g, c, NULL, body, REQUIRED, 1, note_fields, f);
    if (!n)
        return ERR_INVALID;
    json_array_append_new(c->notes, n);
    sbx_ghl_event_note(g, "NoteCreate", c, n);
    *out = n;
    return 0;
}

int sbx_ghl_op_note_update(sbx_ghl_emu *g, sbx_ghl_contact *c, json_t *note, const json_t *body,
                           sbx_ghl_fail *f)
{
    bool changed;
    if (edit_item(note, body, note_fields, &changed, f) != 0)
        return ERR_INVALID;
    if (changed)
        sbx_ghl_event_note(g, "NoteUpdate", c, note);
    return 0;
}

void sbx_ghl_op_note_delete(sbx_ghl_emu *g, sbx_ghl_contact *c, const char *note_id)
{
    json_t *n = sbx_ghl_item_find(c->notes, note_id, NULL);
    if (!n)
        return;
    sbx_ghl_event_note(g, "NoteDelete", c, n);
    item_remove(c->notes, note_id);
}

/* ---- appointments ---- */

static int appt_fields(json_t *a, const json_t *body, sbx_ghl_fail *f)
{
    static const char *const STATUSES[] = {"new",    "confirmed", "cancelled", "showed",
                                           "noshow", "invalid",   "booked"};
    const char *status = jsonx_str(body, "status");
    if (json_object_get(body, "status")) {
        bool ok = false;
        for (size_t i = 0; status && i < PS_ARRAY_LEN(STATUSES); i++)
            ok |= strcmp(status, STATUSES[i]) == 0;
        if (!ok)
            return sbx_ghl_fail_set(f, 422,
                                    "status must be one of new, confirmed, cancelled, "
                                    "showed, noshow, invalid, booked");
        json_object_set_new(a, "status", json_string(status));
        json_object_set_new(a, "appointmentStatus", json_string(status));
    }
    if (copy_str(a, body, "calendarId", f) || copy_str(a, body, "title", f) ||
        copy_str(a, body, "assignedUserId", f) || copy_str(a, body, "notes", f) ||
        copy_str(a, body, "address", f) || copy_str(a, body, "groupId", f) ||
        copy_time(a, body, "startTime", f) || copy_time(a, body, "endTime", f))
        return ERR_INVALID;
    return 0;
}

int sbx_ghl_op_appt_create(sbx_ghl_emu *g, sbx_ghl_contact *c, const json_t *body, json_t **out,
                           sbx_ghl_fail *f)
{
    static const char *const REQUIRED[] = {"calendarId", "startTime", "endTime"};
    json_t *base = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[], s:[]}", "locationId", c->loc->id,
                             "title", "Appointment", "status", "confirmed", "appointmentStatus",
                             "confirmed", "source", "sandbox", "users", "assignedResources");
    json_t *a = build_item(g, c, base, body, REQUIRED, PS_ARRAY_LEN(REQUIRED), appt_fields, f);
    if (!a)
        return ERR_INVALID;
    json_object_set(a, "dateUpdated", json_object_get(a, "dateAdded"));
    json_array_append_new(c->appts, a);
    sbx_ghl_event_appt(g, "AppointmentCreate", c, a);
    *out = a;
    return 0;
}

int sbx_ghl_op_appt_update(sbx_ghl_emu *g, sbx_ghl_contact *c, json_t *appt, const json_t *body,
                           sbx_ghl_fail *f)
{
    bool changed;
    if (edit_item(appt, body, appt_fields, &changed, f) != 0)
        return ERR_INVALID;
    if (!changed)
        return 0;
    char now[CLOCK_ISO_LEN];
    sbx_ghl_iso(sbx_ghl_now_ms(g), now);
    json_object_set_new(appt, "dateUpdated", json_string(now));
    sbx_ghl_event_appt(g, "AppointmentUpdate", c, appt);
    return 0;
}

void sbx_ghl_op_appt_delete(sbx_ghl_emu *g, sbx_ghl_contact *c, const char *appt_id)
{
    json_t *a = sbx_ghl_item_find(c->appts, appt_id, NULL);
    if (!a)
        return;
    sbx_ghl_event_appt(g, "AppointmentDelete", c, a);
    item_remove(c->appts, appt_id);
}

/* ---- HTTP: one shape for tasks, notes and appointments (API and admin UI) ---- */

typedef struct kind {
    const char *key;      /* one item in answers: "task" */
    const char *list_key; /* the list in answers: "tasks" */
    const char *what;     /* in "Task not found" */
    const char *param;    /* the item's path parameter */
    size_t list_off;      /* where the contact keeps them */
    int (*create)(sbx_ghl_emu *, sbx_ghl_contact *, const json_t *, json_t **, sbx_ghl_fail *);
    int (*update)(sbx_ghl_emu *, sbx_ghl_contact *, json_t *, const json_t *, sbx_ghl_fail *);
    void (*remove)(sbx_ghl_emu *, sbx_ghl_contact *, const char *);
} kind;

static const kind TASK = {"task",
                          "tasks",
                          "Task",
                          "taskId",
                          offsetof(sbx_ghl_contact, tasks),
                          sbx_ghl_op_task_create,
                          sbx_ghl_op_task_update,
                          sbx_ghl_op_task_delete};
static const kind NOTE = {"note",
                          "notes",
                          "Note",
                          "id",
                          offsetof(sbx_ghl_contact, notes),
                          sbx_ghl_op_note_create,
                          sbx_ghl_op_note_update,
                          sbx_ghl_op_note_delete};
static const kind APPT = {"appointment",
                          "events",
                          "Appointment",
                          "id",
                          offsetof(sbx_ghl_contact, appts),
                          sbx_ghl_op_appt_create,
                          sbx_ghl_op_appt_update,
                          sbx_ghl_op_appt_delete};

static json_t *kind_list(const kind *k, sbx_ghl_contact *c)
{
    return *(json_t **)((char *)c + k->list_off);
}

/* The contact, the body when asked for, and the item of the path: 400 "Task not found" (the
 * spec declares no 404). On failure everything is released and NULL returned. */
static json_t *request_item(sbx_ghl_emu *g, const http_request *req, http_response *res,
                            const kind *k, sbx_ghl_contact **c, json_t **body)
{
    *c = sbx_ghl_request_contact(g, req, res);
    if (!*c)
        return NULL;
    json_t *item = sbx_ghl_item_find(kind_list(k, *c), http_request_param(req, k->param), NULL);
    if (!item) {
        sbx_ghl_reply_error(res, 400, "%s not found", k->what);
        return NULL;
    }
    if (body && !(*body = sbx_ghl_body(req, res)))
        return NULL;
    return item;
}

static void item_list(sbx_ghl_emu *g, const http_request *req, http_response *res, const kind *k)
{
    sbx_ghl_contact *c = sbx_ghl_request_contact(g, req, res);
    if (c)
        http_response_json(res, 200, json_pack("{s:O}", k->list_key, kind_list(k, c)));
}

static void item_create(sbx_ghl_emu *g, const http_request *req, http_response *res, const kind *k)
{
    sbx_ghl_contact *c = sbx_ghl_request_contact(g, req, res);
    json_t *body = c ? sbx_ghl_body(req, res) : NULL;
    json_t *item = NULL;
    sbx_ghl_fail f = {0};
    if (!body)
        return;
    if (k->create(g, c, body, &item, &f) != 0)
        sbx_ghl_reply_fail(res, &f);
    else
        http_response_json(res, 201, json_pack("{s:O}", k->key, item));
    json_decref(body);
}

static void item_get(sbx_ghl_emu *g, const http_request *req, http_response *res, const kind *k)
{
    sbx_ghl_contact *c;
    json_t *item = request_item(g, req, res, k, &c, NULL);
    if (item)
        http_response_json(res, 200, json_pack("{s:O}", k->key, item));
}

static void item_update(sbx_ghl_emu *g, const http_request *req, http_response *res, const kind *k)
{
    sbx_ghl_contact *c;
    json_t *body = NULL;
    json_t *item = request_item(g, req, res, k, &c, &body);
    sbx_ghl_fail f = {0};
    if (!item)
        return;
    if (k->update(g, c, item, body, &f) != 0)
        sbx_ghl_reply_fail(res, &f);
    else
        http_response_json(res, 200, json_pack("{s:O}", k->key, item));
    json_decref(body);
}

static void item_delete(sbx_ghl_emu *g, const http_request *req, http_response *res, const kind *k)
{
    sbx_ghl_contact *c;
    json_t *item = request_item(g, req, res, k, &c, NULL);
    if (!item)
        return;
    k->remove(g, c, jsonx_str(item, "id"));
    http_response_json(res, 200, json_pack("{s:b}", "succeded", 1));
}

void sbx_ghl_h_task_completed(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    sbx_ghl_contact *c;
    json_t *body = NULL;
    json_t *t = request_item(g, req, res, &TASK, &c, &body);
    if (!t)
        return;
    json_t *v = json_object_get(body, "completed");
    if (!json_is_boolean(v)) {
        sbx_ghl_reply_error(res, 422, "completed must be a boolean value");
    } else {
        sbx_ghl_op_task_complete(g, c, t, json_is_true(v));
        http_response_json(res, 200, json_pack("{s:O}", "task", t));
    }
    json_decref(body);
}

void sbx_ghl_h_task_complete_now(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    sbx_ghl_contact *c;
    json_t *t = request_item(g, req, res, &TASK, &c, NULL);
    if (!t)
        return;
    sbx_ghl_op_task_complete(g, c, t, true);
    http_response_json(res, 200, json_pack("{s:O}", "task", t));
}

#define HANDLER(name, fn, k)                                                                       \
    void name(sbx_ghl_emu *g, const http_request *req, http_response *res)                         \
    {                                                                                              \
        fn(g, req, res, &k);                                                                       \
    }
HANDLER(sbx_ghl_h_task_list, item_list, TASK)
HANDLER(sbx_ghl_h_task_create, item_create, TASK)
HANDLER(sbx_ghl_h_task_get, item_get, TASK)
HANDLER(sbx_ghl_h_task_update, item_update, TASK)
HANDLER(sbx_ghl_h_task_delete, item_delete, TASK)
HANDLER(sbx_ghl_h_note_list, item_list, NOTE)
HANDLER(sbx_ghl_h_note_create, item_create, NOTE)
HANDLER(sbx_ghl_h_note_get, item_get, NOTE)
HANDLER(sbx_ghl_h_note_update, item_update, NOTE)
HANDLER(sbx_ghl_h_note_delete, item_delete, NOTE)
HANDLER(sbx_ghl_h_appt_list, item_list, APPT)
HANDLER(sbx_ghl_h_appt_create, item_create, APPT)
HANDLER(sbx_ghl_h_appt_update, item_update, APPT)
HANDLER(sbx_ghl_h_appt_delete, item_delete, APPT)

#define READ "contacts.readonly"
#define WRITE "contacts.write"
#define TASKS "/contacts/{contactId}/tasks"
#define NOTES "/contacts/{contactId}/notes"

const sbx_ghl_route sbx_ghl_activity_routes[] = {
    {"GET", TASKS, "get-all-tasks", sbx_ghl_h_task_list, READ},
    {"POST", TASKS, "create-task", sbx_ghl_h_task_create, WRITE},
    {"GET", TASKS "/{taskId}", "get-task", sbx_ghl_h_task_get, READ},
    {"PUT", TASKS "/{taskId}", "update-task", sbx_ghl_h_task_update, WRITE},
    {"DELETE", TASKS "/{taskId}", "delete-task", sbx_ghl_h_task_delete, WRITE},
    {"PUT", TASKS "/{taskId}/completed", "update-task-completed", sbx_ghl_h_task_completed, WRITE},
    {"GET", NOTES, "get-all-notes", sbx_ghl_h_note_list, READ},
    {"POST", NOTES, "create-note", sbx_ghl_h_note_create, WRITE},
    {"GET", NOTES "/{id}", "get-note", sbx_ghl_h_note_get, READ},
    {"PUT", NOTES "/{id}", "update-note", sbx_ghl_h_note_update, WRITE},
    {"DELETE", NOTES "/{id}", "delete-note", sbx_ghl_h_note_delete, WRITE},
    {"GET", "/contacts/{contactId}/appointments", "get-appointments-for-contact",
     sbx_ghl_h_appt_list, READ},
};
const size_t sbx_ghl_activity_routes_n = PS_ARRAY_LEN(sbx_ghl_activity_routes);
