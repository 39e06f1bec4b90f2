/* ghl_ui.c: the admin routes under /_sandbox/ui/ that change data as a person in HighLevel's web
 * app would (the same rules, the same webhooks), including appointments, which the contacts API
 * cannot create. */
#include "sandbox/ghl/ghl_state.h"

static void h_contact_create(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    json_t *body = sbx_ghl_body(req, res);
    if (!body)
        return;
    const char *loc_id = jsonx_str(body, "locationId");
    sbx_ghl_location *loc = loc_id ? sbx_ghl_location_find(g, loc_id) : g->locs[0];
    sbx_ghl_contact *c = NULL;
    sbx_ghl_fail f = {0};
    if (!loc)
        sbx_ghl_reply_error(res, 400, "Location not found");
    else if (sbx_ghl_op_create(g, loc, body, true, &c, &f) != 0)
        sbx_ghl_reply_fail(res, &f);
    else
        http_response_json(res, 201, json_pack("{s:o}", "contact", sbx_ghl_contact_json(c)));
    json_decref(body);
}

#define C "/_sandbox/ui/contacts/{contactId}"

const sbx_ghl_route sbx_ghl_ui_routes[] = {
    {"POST", "/_sandbox/ui/contacts", "ui-create-contact", h_contact_create, NULL},
    {"PATCH", C, "ui-update-contact", sbx_ghl_h_contact_update, NULL},
    {"DELETE", C, "ui-delete-contact", sbx_ghl_h_contact_delete, NULL},
    {"POST", C "/tags", "ui-add-tags", sbx_ghl_h_tags_add, NULL},
    {"DELETE", C "/tags", "ui-remove-tags", sbx_ghl_h_tags_remove, NULL},
    {"POST", C "/tasks", "ui-create-task", sbx_ghl_h_task_create, NULL},
    {"PATCH", C "/tasks/{taskId}", "ui-update-task", sbx_ghl_h_task_update, NULL},
    {"POST", C "/tasks/{taskId}/complete", "ui-complete-task", sbx_ghl_h_task_complete_now, NULL},
    {"DELETE", C "/tasks/{taskId}", "ui-delete-task", sbx_ghl_h_task_delete, NULL},
    {"POST", C "/notes", "ui-create-note", sbx_ghl_h_note_create, NULL},
    {"PATCH", C "/notes/{id}", "ui-update-note", sbx_ghl_h_note_update, NULL},
    {"DELETE", C "/notes/{id}", "ui-delete-note", sbx_ghl_h_note_delete, NULL},
    {"POST", C "/appointments", "ui-create-appointment", sbx_ghl_h_appt_create, NULL},
    {"PATCH", C "/appointments/{id}", "ui-update-appointment", sbx_ghl_h_appt_update, NULL},
    {"DELETE", C "/appointments/{id}", "ui-delete-appointment", sbx_ghl_h_appt_delete, NULL},
};
const size_t sbx_ghl_ui_routes_n = PS_ARRAY_LEN(sbx_ghl_ui_routes);
