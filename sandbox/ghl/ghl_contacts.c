/* ghl_contacts.c: contact create, read, update, delete, upsert, duplicate lookup and tags: the
 * operations (shared with the admin UI routes) and the API handlers. */
#include "sandbox/ghl/ghl_state.h"

static void contact_name(const sbx_ghl_contact *c, char *out, size_t len)
{
    const char *first = jsonx_str(c->f, "firstName"), *last = jsonx_str(c->f, "lastName");
    snprintf(out, len, "%s%s%s", first ? first : "", first && last ? " " : "", last ? last : "");
}

static int duplicate_fail(const sbx_ghl_contact *dup, const char *field, sbx_ghl_fail *f)
{
    char name[256];
    contact_name(dup, name, sizeof(name));
    sbx_ghl_fail_set(f, 400, "This location does not allow duplicated contacts.");
    f->meta = json_pack("{s:s, s:s, s:s}", "contactName", name, "contactId", dup->id,
                        "matchingField", field);
    return ERR_CONFLICT;
}

int sbx_ghl_check_duplicate(sbx_ghl_emu *g, sbx_ghl_location *loc, const json_t *patch,
                            const sbx_ghl_contact *self, sbx_ghl_fail *f)
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
    sbx_ghl_contact *dup = sbx_ghl_find_by_email(g, loc, email, self);
    if (dup)
        return duplicate_fail(dup, "email", f);
    dup = sbx_ghl_find_by_phone(g, loc, phone, self);
    if (dup)
        return duplicate_fail(dup, "phone", f);
    return 0;
}

static int create_from_patch(sbx_ghl_emu *g, sbx_ghl_location *loc, const json_t *patch,
                             bool events, sbx_ghl_contact **out, sbx_ghl_fail *f)
{
    sbx_ghl_contact *c = NULL;
    sbx_ghl_change ch;
    if (sbx_ghl_contact_insert(g, loc, &c) == 0)
        sbx_ghl_contact_patch_apply(c, patch, &ch);
    if (!c || sbx_ghl_contact_reindex(g, c) != 0) {
        if (c)
            sbx_ghl_contact_remove(g, c);
        return sbx_ghl_fail_set(f, 500, "out of memory");
    }
    if (events)
        sbx_ghl_event_contact(g, "ContactCreate", c);
    *out = c;
    return 0;
}

int sbx_ghl_op_create(sbx_ghl_emu *g, sbx_ghl_location *loc, const json_t *body, bool events,
                      sbx_ghl_contact **out, sbx_ghl_fail *f)
{
    json_t *patch = NULL;
    if (sbx_ghl_contact_patch_parse(&patch, body, loc, SBX_GHL_IN_CREATE, f) != 0)
        return ERR_INVALID;
    int rc = sbx_ghl_check_duplicate(g, loc, patch, NULL, f);
    if (rc == 0)
        rc = create_from_patch(g, loc, patch, events, out, f);
    json_decref(patch);
    return rc;
}

static int update_with_patch(sbx_ghl_emu *g, sbx_ghl_contact *c, const json_t *patch,
                             sbx_ghl_fail *f)
{
    sbx_ghl_change ch;
    sbx_ghl_contact_patch_apply(c, patch, &ch);
    if (sbx_ghl_contact_reindex(g, c) != 0)
        return sbx_ghl_fail_set(f, 500, "out of memory");
    if (ch.fields || ch.tags)
        sbx_ghl_contact_touch(g, c);
    if (ch.fields)
        sbx_ghl_event_contact(g, "ContactUpdate", c);
    if (ch.dnd)
        sbx_ghl_event_contact(g, "ContactDndUpdate", c);
    if (ch.tags)
        sbx_ghl_event_contact(g, "ContactTagUpdate", c);
    return 0;
}

int sbx_ghl_op_update(sbx_ghl_emu *g, sbx_ghl_contact *c, const json_t *body, sbx_ghl_fail *f)
{
    json_t *patch = NULL;
    if (sbx_ghl_contact_patch_parse(&patch, body, c->loc, SBX_GHL_IN_UPDATE, f) != 0)
        return ERR_INVALID;
    int rc = sbx_ghl_check_duplicate(g, c->loc, patch, c, f);
    if (rc == 0)
        rc = update_with_patch(g, c, patch, f);
    json_decref(patch);
    return rc;
}

void sbx_ghl_op_delete(sbx_ghl_emu *g, sbx_ghl_contact *c)
{
    sbx_ghl_event_contact(g, "ContactDelete", c);
    sbx_ghl_contact_remove(g, c);
}

int sbx_ghl_op_tags(sbx_ghl_emu *g, sbx_ghl_contact *c, const json_t *body, bool add,
                    sbx_ghl_fail *f)
{
    const json_t *tags = json_object_get(body, "tags");
    if (!json_is_array(tags))
        return sbx_ghl_fail_set(f, 422, "tags must be an array");
    bool changed = false;
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t)
    {
        char norm[256];
        if (!json_is_string(t))
            return sbx_ghl_fail_set(f, 422, "each value in tags must be a string");
        sbx_ghl_norm_tag(json_string_value(t), norm, sizeof(norm));
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
        sbx_ghl_contact_touch(g, c);
        sbx_ghl_event_contact(g, "ContactTagUpdate", c);
    }
    return 0;
}

/* ---- the API ---- */

static void h_get(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    sbx_ghl_contact *c = sbx_ghl_request_contact(g, req, res);
    if (c)
        http_response_json(res, 200, json_pack("{s:o}", "contact", sbx_ghl_contact_json(c)));
}

static void h_create(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    json_t *body = sbx_ghl_body(req, res);
    if (!body)
        return;
    sbx_ghl_fail f = {0};
    sbx_ghl_contact *c = NULL;
    sbx_ghl_location *loc = sbx_ghl_request_location(g, jsonx_str(body, "locationId"), 422, res);
    if (loc && sbx_ghl_op_create(g, loc, body, true, &c, &f) != 0)
        sbx_ghl_reply_fail(res, &f);
    else if (loc) {
        json_t *j = sbx_ghl_contact_json(c);
        json_object_set_new(j, "deleted", json_false());
        http_response_json(res, 201, json_pack("{s:o}", "contact", j));
    }
    json_decref(body);
}

void sbx_ghl_h_contact_update(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    sbx_ghl_contact *c = sbx_ghl_request_contact(g, req, res);
    json_t *body = c ? sbx_ghl_body(req, res) : NULL;
    if (!body)
        return;
    sbx_ghl_fail f = {0};
    if (sbx_ghl_op_update(g, c, body, &f) != 0)
        sbx_ghl_reply_fail(res, &f);
    else
        http_response_json(
            res, 200, json_pack("{s:b, s:o}", "succeded", 1, "contact", sbx_ghl_contact_json(c)));
    json_decref(body);
}

void sbx_ghl_h_contact_delete(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    sbx_ghl_contact *c = sbx_ghl_request_contact(g, req, res);
    if (!c)
        return;
    sbx_ghl_op_delete(g, c);
    http_response_json(res, 200, json_pack("{s:b}", "succeded", 1));
}

/* The upsert's match: email first, then phone. When the email matches one contact and the phone
 * another, the phone is dropped from the update so that no duplicate is made (the spec). */
static sbx_ghl_contact *upsert_match(sbx_ghl_emu *g, sbx_ghl_location *loc, json_t *patch)
{
    json_t *fields = json_object_get(patch, "fields");
    sbx_ghl_contact *by_email = sbx_ghl_find_by_email(g, loc, jsonx_str(fields, "email"), NULL);
    sbx_ghl_contact *by_phone = sbx_ghl_find_by_phone(g, loc, jsonx_str(fields, "phone"), NULL);
    if (by_email && by_phone && by_email != by_phone && !loc->allow_duplicates)
        json_object_del(fields, "phone");
    return by_email ? by_email : by_phone;
}

static int upsert(sbx_ghl_emu *g, sbx_ghl_location *loc, json_t *patch, sbx_ghl_contact **out,
                  bool *is_new, sbx_ghl_fail *f)
{
    sbx_ghl_contact *match = NULL;
    if (!(jsonx_bool(patch, "createNewIfDuplicateAllowed", false) && loc->allow_duplicates))
        match = upsert_match(g, loc, patch);
    *is_new = match == NULL;
    if (!match)
        return create_from_patch(g, loc, patch, true, out, f);
    int rc = sbx_ghl_check_duplicate(g, loc, patch, match, f);
    if (rc == 0)
        rc = update_with_patch(g, match, patch, f);
    *out = match;
    return rc;
}

static void h_upsert(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    json_t *body = sbx_ghl_body(req, res);
    if (!body)
        return;
    sbx_ghl_fail f = {0};
    json_t *patch = NULL;
    sbx_ghl_contact *c = NULL;
    bool is_new = false;
    char trace[SBX_GHL_ID_LEN + 1];
    sbx_ghl_location *loc = sbx_ghl_request_location(g, jsonx_str(body, "locationId"), 422, res);
    if (loc && (sbx_ghl_contact_patch_parse(&patch, body, loc, SBX_GHL_IN_UPSERT, &f) != 0 ||
                upsert(g, loc, patch, &c, &is_new, &f) != 0)) {
        sbx_ghl_reply_fail(res, &f);
    } else if (loc) {
        sbx_ghl_new_id(g, trace);
        http_response_json(res, 200,
                           json_pack("{s:b, s:o, s:s}", "new", is_new, "contact",
                                     sbx_ghl_contact_json(c), "traceId", trace));
    }
    json_decref(patch);
    json_decref(body);
}

static void h_duplicate(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    sbx_ghl_location *loc =
        sbx_ghl_request_location(g, http_request_query(req, "locationId"), 400, res);
    if (!loc)
        return;
    char email[256];
    const char *q = http_request_query(req, "email");
    sbx_ghl_norm_email(q ? q : "", email, sizeof(email));
    const char *number = http_request_query(req, "number");
    sbx_ghl_contact *c = sbx_ghl_find_by_email(g, loc, email, NULL);
    if (!c && number)
        c = sbx_ghl_find_by_phone(g, loc, number, NULL);
    http_response_json(res, 200,
                       json_pack("{s:o}", "contact", c ? sbx_ghl_contact_json(c) : json_null()));
}

static void h_tags(sbx_ghl_emu *g, const http_request *req, http_response *res, bool add)
{
    sbx_ghl_contact *c = sbx_ghl_request_contact(g, req, res);
    json_t *body = c ? sbx_ghl_body(req, res) : NULL;
    if (!body)
        return;
    sbx_ghl_fail f = {0};
    if (sbx_ghl_op_tags(g, c, body, add, &f) != 0)
        sbx_ghl_reply_fail(res, &f);
    else
        http_response_json(res, add ? 201 : 200, json_pack("{s:O}", "tags", c->tags));
    json_decref(body);
}

void sbx_ghl_h_tags_add(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    h_tags(g, req, res, true);
}

void sbx_ghl_h_tags_remove(sbx_ghl_emu *g, const http_request *req, http_response *res)
{
    h_tags(g, req, res, false);
}

#define READ "contacts.readonly"
#define WRITE "contacts.write"

const sbx_ghl_route sbx_ghl_contact_routes[] = {
    {"GET", "/contacts/{contactId}", "get-contact", h_get, READ},
    {"PUT", "/contacts/{contactId}", "update-contact", sbx_ghl_h_contact_update, WRITE},
    {"DELETE", "/contacts/{contactId}", "delete-contact", sbx_ghl_h_contact_delete, WRITE},
    {"POST", "/contacts/", "create-contact", h_create, WRITE},
    {"POST", "/contacts", "create-contact", h_create, WRITE},
    {"POST", "/contacts/upsert", "upsert-contact", h_upsert, WRITE},
    {"GET", "/contacts/search/duplicate", "get-duplicate-contact", h_duplicate, READ},
    {"POST", "/contacts/{contactId}/tags", "add-tags", sbx_ghl_h_tags_add, WRITE},
    {"DELETE", "/contacts/{contactId}/tags", "remove-tags", sbx_ghl_h_tags_remove, WRITE},
};
const size_t sbx_ghl_contact_routes_n = PS_ARRAY_LEN(sbx_ghl_contact_routes);
