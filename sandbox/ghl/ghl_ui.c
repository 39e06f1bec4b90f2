/* ghl_ui.c: the admin routes under /_sandbox/ui/ that change data as a person in HighLevel's web
 * app would (the same rules, the same webhooks), including appointments, which the contacts API
 * cannot create. */
#include "sandbox/ghl/ghl_state.h"

static void h_contact_create(ghl_emu *g, const http_request *req, http_response *res)
{
    json_t *body = ghl_body(req, res);
    if (!body)
        return;
    const char *loc_id = jsonx_str(body, "locationId");
    ghl_location *loc = loc_id ? ghl_location_find(g, loc_id) : g->locs[0];
    ghl_contact *c = NULL;
    ghl_fail f = {0};
    if (!loc)
        ghl_reply_error(res, 400, "Location not found");
    else if (ghl_op_create(g, loc, body, true, &c, &f) != 0)
        ghl_reply_fail(res, &f);
    else
        http_response_json(res, 201, json_pack("{s:o}", "contact", ghl_contact_json(c)));
    json_decref(body);
}

/* The contact of the route and, for routes with a body, the parsed body. */
static ghl_contact *ui_contact(ghl_emu *g, const http_request *req, http_response *res,
                               json_t **body)
{
    ghl_contact *c = ghl_request_contact(g, req, res);
    if (c && body) {
        *body = ghl_body(req, res);
        if (!*body)
            return NULL;
    }
    return c;
}

static void h_contact_update(ghl_emu *g, const http_request *req, http_response *res)
{
    json_t *body = NULL;
    ghl_contact *c = ui_contact(g, req, res, &body);
    ghl_fail f = {0};
    if (!c)
        return;
    if (ghl_op_update(g, c, body, &f) != 0)
        ghl_reply_fail(res, &f);
    else
        http_response_json(res, 200, json_pack("{s:o}", "contact", ghl_contact_json(c)));
    json_decref(body);
}

static void h_contact_delete(ghl_emu *g, const http_request *req, http_response *res)
{
    ghl_contact *c = ui_contact(g, req, res, NULL);
    if (!c)
        return;
    ghl_op_delete(g, c);
    http_response_json(res, 200, json_pack("{s:b}", "succeded", 1));
}

static void tags(ghl_emu *g, const http_request *req, http_response *res, bool add)
{
    json_t *body = NULL;
    ghl_contact *c = ui_contact(g, req, res, &body);
    ghl_fail f = {0};
    if (!c)
        return;
    if (ghl_op_tags(g, c, body, add, &f) != 0)
        ghl_reply_fail(res, &f);
    else
        http_response_json(res, 200, json_pack("{s:O}", "tags", c->tags));
    json_decref(body);
}

static void h_tags_add(ghl_emu *g, const http_request *req, http_response *res)
{
    tags(g, req, res, true);
}

static void h_tags_remove(ghl_emu *g, const http_request *req, http_response *res)
{
    tags(g, req, res, false);
}

/* ---- tasks, notes and appointments: one shape for the three ---- */

typedef struct kind {
    const char *key;   /* answer key: "task" */
    const char *param; /* item path parameter */
    int (*create)(ghl_emu *, ghl_contact *, const json_t *, json_t **, ghl_fail *);
    int (*update)(ghl_emu *, ghl_contact *, json_t *, const json_t *, ghl_fail *);
    void (*remove)(ghl_emu *, ghl_contact *, const char *);
} kind;

static const kind TASK = {"task", "taskId", ghl_op_task_create, ghl_op_task_update,
                          ghl_op_task_delete};
static const kind NOTE = {"note", "noteId", ghl_op_note_create, ghl_op_note_update,
                          ghl_op_note_delete};
static const kind APPT = {"appointment", "appointmentId", ghl_op_appt_create, ghl_op_appt_update,
                          ghl_op_appt_delete};

static json_t *kind_list(const kind *k, ghl_contact *c)
{
    return k == &TASK ? c->tasks : k == &NOTE ? c->notes : c->appts;
}

static void item_create(ghl_emu *g, const http_request *req, http_response *res, const kind *k)
{
    json_t *body = NULL, *item = NULL;
    ghl_contact *c = ui_contact(g, req, res, &body);
    ghl_fail f = {0};
    if (!c)
        return;
    if (k->create(g, c, body, &item, &f) != 0)
        ghl_reply_fail(res, &f);
    else
        http_response_json(res, 201, json_pack("{s:O}", k->key, item));
    json_decref(body);
}

static json_t *ui_item(ghl_emu *g, const http_request *req, http_response *res, const kind *k,
                       ghl_contact **c, json_t **body)
{
    *c = ui_contact(g, req, res, body);
    if (!*c)
        return NULL;
    json_t *item = ghl_item_find(kind_list(k, *c), http_request_param(req, k->param), NULL);
    if (!item) {
        ghl_reply_error(res, 404, "%s not found", k->key);
        if (body) {
            json_decref(*body);
            *body = NULL;
        }
    }
    return item;
}

static void item_update(ghl_emu *g, const http_request *req, http_response *res, const kind *k)
{
    json_t *body = NULL;
    ghl_contact *c = NULL;
    json_t *item = ui_item(g, req, res, k, &c, &body);
    ghl_fail f = {0};
    if (!item)
        return;
    if (k->update(g, c, item, body, &f) != 0)
        ghl_reply_fail(res, &f);
    else
        http_response_json(res, 200, json_pack("{s:O}", k->key, item));
    json_decref(body);
}

static void item_delete(ghl_emu *g, const http_request *req, http_response *res, const kind *k)
{
    ghl_contact *c = NULL;
    json_t *item = ui_item(g, req, res, k, &c, NULL);
    if (!item)
        return;
    k->remove(g, c, jsonx_str(item, "id"));
    http_response_json(res, 200, json_pack("{s:b}", "succeded", 1));
}

static void h_task_complete(ghl_emu *g, const http_request *req, http_response *res)
{
    ghl_contact *c = NULL;
    json_t *t = ui_item(g, req, res, &TASK, &c, NULL);
    if (!t)
        return;
    ghl_op_task_complete(g, c, t, true);
    http_response_json(res, 200, json_pack("{s:O}", "task", t));
}

#define H(name, fn, k)                                                                             \
    static void name(ghl_emu *g, const http_request *req, http_response *res)                      \
    {                                                                                              \
        fn(g, req, res, &k);                                                                       \
    }
H(h_task_create, item_create, TASK)
H(h_task_update, item_update, TASK)
H(h_task_delete, item_delete, TASK)
H(h_note_create, item_create, NOTE)
H(h_note_update, item_update, NOTE)
H(h_note_delete, item_delete, NOTE)
H(h_appt_create, item_create, APPT)
H(h_appt_update, item_update, APPT)
H(h_appt_delete, item_delete, APPT)

#define C "/_sandbox/ui/contacts/{contactId}"

const ghl_route ghl_ui_routes[] = {
    {"POST", "/_sandbox/ui/contacts", "ui-create-contact", h_contact_create, NULL},
    {"PATCH", C, "ui-update-contact", h_contact_update, NULL},
    {"DELETE", C, "ui-delete-contact", h_contact_delete, NULL},
    {"POST", C "/tags", "ui-add-tags", h_tags_add, NULL},
    {"DELETE", C "/tags", "ui-remove-tags", h_tags_remove, NULL},
    {"POST", C "/tasks", "ui-create-task", h_task_create, NULL},
    {"PATCH", C "/tasks/{taskId}", "ui-update-task", h_task_update, NULL},
    {"POST", C "/tasks/{taskId}/complete", "ui-complete-task", h_task_complete, NULL},
    {"DELETE", C "/tasks/{taskId}", "ui-delete-task", h_task_delete, NULL},
    {"POST", C "/notes", "ui-create-note", h_note_create, NULL},
    {"PATCH", C "/notes/{noteId}", "ui-update-note", h_note_update, NULL},
    {"DELETE", C "/notes/{noteId}", "ui-delete-note", h_note_delete, NULL},
    {"POST", C "/appointments", "ui-create-appointment", h_appt_create, NULL},
    {"PATCH", C "/appointments/{appointmentId}", "ui-update-appointment", h_appt_update, NULL},
    {"DELETE", C "/appointments/{appointmentId}", "ui-delete-appointment", h_appt_delete, NULL},
};
const size_t ghl_ui_routes_n = PS_ARRAY_LEN(ghl_ui_routes);
