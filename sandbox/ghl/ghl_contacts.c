/* ghl_contacts.c: contact create, read, update, delete, upsert, duplicate lookup and tags: the
 * operations (shared with the admin UI routes) and the API handlers. */
#include "sandbox/ghl/ghl_state.h"

static void contact_name(const ghl_contact *c, char *out, size_t len)
{
    const char *first = jsonx_str(c->f, "firstName"), *last = jsonx_str(c->f, "lastName");
    snprintf(out, len, "%s%s%s", first ? first : "", first && last ? " " : "", last ? last : "");
}

static int duplicate_fail(const ghl_contact *dup, const char *field, ghl_fail *f)
{
    char name[256];
    contact_name(dup, name, sizeof(name));
    ghl_fail_set(f, 400, "This location does not allow duplicated contacts.");
    f->meta = json_pack("{s:s, s:s, s:s}", "contactName", name, "contactId", dup->id,
                        "matchingField", field);
    return ERR_CONFLICT;
}

int ghl_check_duplicate(ghl_emu *g, ghl_location *loc, const json_t *patch, const ghl_contact *self,
                        ghl_fail *f)
{
    if (loc->allow_duplicates)
        return 0;
    const json_t *fields = json_object_get(patch, "fields");
    const char *email = jsonx_str(fields, "email");
    const char *phone = jsonx_str(fields, "phone");
    /* An unchanged value cannot make a new duplicate. */
    if (email && self && jsonx_str(self->f, "email") &&
        strcmp(email, jsonx_str(self->f, "email")) == 0)
        email = NULL;
    if (phone && self && jsonx_str(self->f, "phone") &&
        strcmp(phone, jsonx_str(self->f, "phone")) == 0)
        phone = NULL;
    ghl_contact *dup = ghl_find_by_email(g, loc, email, self);
    if (dup)
        return duplicate_fail(dup, "email", f);
    dup = ghl_find_by_phone(g, loc, phone, self);
    if (dup)
        return duplicate_fail(dup, "phone", f);
    return 0;
}

static int create_from_patch(ghl_emu *g, ghl_location *loc, const json_t *patch, bool events,
                             ghl_contact **out, ghl_fail *f)
{
    ghl_contact *c = NULL;
    ghl_change ch;
    if (ghl_contact_insert(g, loc, &c) == 0)
        ghl_contact_patch_apply(c, patch, &ch);
    if (!c || ghl_contact_reindex(g, c) != 0) {
        if (c)
            ghl_contact_remove(g, c);
        return ghl_fail_set(f, 500, "out of memory");
    }
    if (events)
        ghl_event_contact(g, "ContactCreate", c);
    *out = c;
    return 0;
}

int ghl_op_create(ghl_emu *g, ghl_location *loc, const json_t *body, bool events, ghl_contact **out,
                  ghl_fail *f)
{
    json_t *patch = NULL;
    if (ghl_contact_patch_parse(&patch, body, loc, GHL_IN_CREATE, f) != 0)
        return ERR_INVALID;
    int rc = ghl_check_duplicate(g, loc, patch, NULL, f);
    if (rc == 0)
        rc = create_from_patch(g, loc, patch, events, out, f);
    json_decref(patch);
    return rc;
}

static int update_with_patch(ghl_emu *g, ghl_contact *c, const json_t *patch, ghl_fail *f)
{
    ghl_change ch;
    ghl_contact_patch_apply(c, patch, &ch);
    if (ghl_contact_reindex(g, c) != 0)
        return ghl_fail_set(f, 500, "out of memory");
    if (ch.fields || ch.tags)
        ghl_contact_touch(g, c);
    if (ch.fields)
        ghl_event_contact(g, "ContactUpdate", c);
    if (ch.dnd)
        ghl_event_contact(g, "ContactDndUpdate", c);
    if (ch.tags)
        ghl_event_contact(g, "ContactTagUpdate", c);
    return 0;
}

int ghl_op_update(ghl_emu *g, ghl_contact *c, const json_t *body, ghl_fail *f)
{
    json_t *patch = NULL;
    if (ghl_contact_patch_parse(&patch, body, c->loc, GHL_IN_UPDATE, f) != 0)
        return ERR_INVALID;
    int rc = ghl_check_duplicate(g, c->loc, patch, c, f);
    if (rc == 0)
        rc = update_with_patch(g, c, patch, f);
    json_decref(patch);
    return rc;
}

void ghl_op_delete(ghl_emu *g, ghl_contact *c)
{
    ghl_event_contact(g, "ContactDelete", c);
    ghl_contact_remove(g, c);
}

int ghl_op_tags(ghl_emu *g, ghl_contact *c, const json_t *body, bool add, ghl_fail *f)
{
    const json_t *tags = json_object_get(body, "tags");
    if (!json_is_array(tags))
        return ghl_fail_set(f, 422, "tags must be an array");
    bool changed = false;
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t)
    {
        char norm[256];
        if (!json_is_string(t))
            return ghl_fail_set(f, 422, "each value in tags must be a string");
        ghl_norm_tag(json_string_value(t), norm, sizeof(norm));
        if (!*norm)
            continue;
        size_t j;
        json_t *have;
        bool found = false;
        json_array_foreach(c->tags, j, have)
        {
            if (strcmp(json_string_value(have), norm) == 0) {
                found = true;
                break;
            }
        }
        if (add && !found)
            json_array_append_new(c->tags, json_string(norm));
        else if (!add && found)
            json_array_remove(c->tags, j);
        changed |= add != found;
    }
    if (changed) {
        ghl_contact_touch(g, c);
        ghl_event_contact(g, "ContactTagUpdate", c);
    }
    return 0;
}

/* ---- the API ---- */

static void h_get(ghl_emu *g, const http_request *req, http_response *res)
{
    ghl_contact *c = ghl_request_contact(g, req, res);
    if (c)
        http_response_json(res, 200, json_pack("{s:o}", "contact", ghl_contact_json(c)));
}

static void h_create(ghl_emu *g, const http_request *req, http_response *res)
{
    json_t *body = ghl_body(req, res);
    if (!body)
        return;
    ghl_fail f = {0};
    ghl_contact *c = NULL;
    ghl_location *loc = ghl_request_location(g, jsonx_str(body, "locationId"), 422, res);
    if (loc && ghl_op_create(g, loc, body, true, &c, &f) != 0)
        ghl_reply_fail(res, &f);
    else if (loc) {
        json_t *j = ghl_contact_json(c);
        json_object_set_new(j, "deleted", json_false());
        http_response_json(res, 201, json_pack("{s:o}", "contact", j));
    }
    json_decref(body);
}

void ghl_h_contact_update(ghl_emu *g, const http_request *req, http_response *res)
{
    ghl_contact *c = ghl_request_contact(g, req, res);
    json_t *body = c ? ghl_body(req, res) : NULL;
    if (!body)
        return;
    ghl_fail f = {0};
    if (ghl_op_update(g, c, body, &f) != 0)
        ghl_reply_fail(res, &f);
    else
        http_response_json(res, 200,
                           json_pack("{s:b, s:o}", "succeded", 1, "contact", ghl_contact_json(c)));
    json_decref(body);
}

void ghl_h_contact_delete(ghl_emu *g, const http_request *req, http_response *res)
{
    ghl_contact *c = ghl_request_contact(g, req, res);
    if (!c)
        return;
    ghl_op_delete(g, c);
    http_response_json(res, 200, json_pack("{s:b}", "succeded", 1));
}

/* The upsert's match: email first, then phone. When the email matches one contact and the phone
 * another, the phone is dropped from the update so that no duplicate is made (the spec). */
static ghl_contact *upsert_match(ghl_emu *g, ghl_location *loc, json_t *patch)
{
    json_t *fields = json_object_get(patch, "fields");
    ghl_contact *by_email = ghl_find_by_email(g, loc, jsonx_str(fields, "email"), NULL);
    ghl_contact *by_phone = ghl_find_by_phone(g, loc, jsonx_str(fields, "phone"), NULL);
    if (by_email && by_phone && by_email != by_phone && !loc->allow_duplicates)
        json_object_del(fields, "phone");
    return by_email ? by_email : by_phone;
}

static int upsert(ghl_emu *g, ghl_location *loc, json_t *patch, ghl_contact **out, bool *is_new,
                  ghl_fail *f)
{
    ghl_contact *match = NULL;
    if (!(jsonx_bool(patch, "createNewIfDuplicateAllowed", false) && loc->allow_duplicates))
        match = upsert_match(g, loc, patch);
    *is_new = match == NULL;
    if (!match)
        return create_from_patch(g, loc, patch, true, out, f);
    int rc = ghl_check_duplicate(g, loc, patch, match, f);
    if (rc == 0)
        rc = update_with_patch(g, match, patch, f);
    *out = match;
    return rc;
}

static void h_upsert(ghl_emu *g, const http_request *req, http_response *res)
{
    json_t *body = ghl_body(req, res);
    if (!body)
        return;
    ghl_fail f = {0};
    json_t *patch = NULL;
    ghl_contact *c = NULL;
    bool is_new = false;
    char trace[GHL_ID_LEN + 1];
    ghl_location *loc = ghl_request_location(g, jsonx_str(body, "locationId"), 422, res);
    if (loc && (ghl_contact_patch_parse(&patch, body, loc, GHL_IN_UPSERT, &f) != 0 ||
                upsert(g, loc, patch, &c, &is_new, &f) != 0)) {
        ghl_reply_fail(res, &f);
    } else if (loc) {
        ghl_new_id(g, trace);
        http_response_json(res, 200,
                           json_pack("{s:b, s:o, s:s}", "new", is_new, "contact",
                                     ghl_contact_json(c), "traceId", trace));
    }
    json_decref(patch);
    json_decref(body);
}

static void h_duplicate(ghl_emu *g, const http_request *req, http_response *res)
{
    ghl_location *loc = ghl_request_location(g, http_request_query(req, "locationId"), 400, res);
    if (!loc)
        return;
    char email[256];
    const char *q = http_request_query(req, "email");
    ghl_norm_email(q ? q : "", email, sizeof(email));
    const char *number = http_request_query(req, "number");
    ghl_contact *c = ghl_find_by_email(g, loc, email, NULL);
    if (!c && number)
        c = ghl_find_by_phone(g, loc, number, NULL);
    http_response_json(res, 200,
                       json_pack("{s:o}", "contact", c ? ghl_contact_json(c) : json_null()));
}

static void h_tags(ghl_emu *g, const http_request *req, http_response *res, bool add)
{
    ghl_contact *c = ghl_request_contact(g, req, res);
    json_t *body = c ? ghl_body(req, res) : NULL;
    if (!body)
        return;
    ghl_fail f = {0};
    if (ghl_op_tags(g, c, body, add, &f) != 0)
        ghl_reply_fail(res, &f);
    else
        http_response_json(res, add ? 201 : 200, json_pack("{s:O}", "tags", c->tags));
    json_decref(body);
}

void ghl_h_tags_add(ghl_emu *g, const http_request *req, http_response *res)
{
    h_tags(g, req, res, true);
}

void ghl_h_tags_remove(ghl_emu *g, const http_request *req, http_response *res)
{
    h_tags(g, req, res, false);
}

#define READ "contacts.readonly"
#define WRITE "contacts.write"

const ghl_route ghl_contact_routes[] = {
    {"GET", "/contacts/{contactId}", "get-contact", h_get, READ},
    {"PUT", "/contacts/{contactId}", "update-contact", ghl_h_contact_update, WRITE},
    {"DELETE", "/contacts/{contactId}", "delete-contact", ghl_h_contact_delete, WRITE},
    {"POST", "/contacts/", "create-contact", h_create, WRITE},
    {"POST", "/contacts", "create-contact", h_create, WRITE},
    {"POST", "/contacts/upsert", "upsert-contact", h_upsert, WRITE},
    {"GET", "/contacts/search/duplicate", "get-duplicate-contact", h_duplicate, READ},
    {"POST", "/contacts/{contactId}/tags", "add-tags", ghl_h_tags_add, WRITE},
    {"DELETE", "/contacts/{contactId}/tags", "remove-tags", ghl_h_tags_remove, WRITE},
};
const size_t ghl_contact_routes_n = PS_ARRAY_LEN(ghl_contact_routes);
