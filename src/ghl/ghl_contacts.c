/* ghl_contacts.c: contact operations of the HighLevel client: get, create, upsert, update,
 * delete, the duplicate look-up and tags. */
#include "ghl/ghl_client_int.h"
#include "util/jsonx.h"

typedef struct in_field {
    const char *key;
    size_t off;
} in_field;

#define IN(key, member)                                                                            \
    {                                                                                              \
        key, offsetof(ghl_contact_input, member)                                                   \
    }
static const in_field input_fields[] = {
    IN("firstName", first_name),
    IN("lastName", last_name),
    IN("name", name),
    IN("email", email),
    IN("phone", phone),
    IN("companyName", company_name),
    IN("businessId", business_id),
    IN("address1", address1),
    IN("city", city),
    IN("state", state),
    IN("postalCode", postal_code),
    IN("country", country),
    IN("website", website),
    IN("timezone", timezone),
    IN("source", source),
    IN("dateOfBirth", date_of_birth),
    IN("assignedTo", assigned_to),
};
#undef IN

static json_t *str_array(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        if (json_array_append_new(a, json_string(v[i] ? v[i] : "")) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* customFields by id, from the keys of the input. Values go as the spec writes them:
 * {"id", "field_value"}; a clear is an empty string. */
static int custom_json(json_t *body, ghl_client *c, const ghl_op *op, const ghl_contact_input *in,
                       err *e)
{
    if (in->n_custom == 0)
        return 0;
    json_t *arr = json_array();
    if (!arr || json_object_set_new(body, "customFields", arr) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < in->n_custom; i++) {
        char *id = NULL;
        int rc = ghl_client_custom_field_id(&id, c, op, in->custom[i].key, e);
        if (rc != 0)
            return rc == ERR_NOT_FOUND ? (e ? (e->code = ERR_INVALID) : ERR_INVALID) : rc;
        const json_t *v = in->custom[i].value;
        json_t *val = !v || json_is_null(v) ? json_string("") : json_deep_copy(v);
        json_t *f = json_object();
        bool ok = f && val && json_object_set_new(f, "id", json_string(id)) == 0 &&
                  json_object_set_new(f, "field_value", val) == 0 &&
                  json_array_append_new(arr, f) == 0;
        free(id);
        if (!ok)
            return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

/* The request body of a write; location_id NULL for an update (the spec has none there). */
static int input_json(json_t **out, ghl_client *c, const ghl_op *op, const ghl_contact_input *in,
                      const char *location_id, err *e)
{
    json_t *b = json_object();
    if (!b)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = 0;
    if (location_id)
        rc |= jsonx_set_str(b, "locationId", location_id);
    for (size_t i = 0; i < PS_ARRAY_LEN(input_fields); i++) {
        const char *v = *(const char *const *)((const char *)in + input_fields[i].off);
        if (v)
            rc |= jsonx_set_str(b, input_fields[i].key, v);
    }
    if (in->dnd_set)
        rc |= jsonx_set_bool(b, "dnd", in->dnd == 1);
    if (in->tags_set)
        rc |= json_object_set_new(b, "tags", str_array(in->tags, in->n_tags)) ? ERR_NOMEM : 0;
    if (rc) {
        json_decref(b);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    if ((rc = custom_json(b, c, op, in, e)) != 0) {
        json_decref(b);
        return rc;
    }
    *out = b;
    return 0;
}

static int contact_path(buf *p, const char *contact_id, const char *suffix)
{
    buf_addstr(p, "/contacts/");
    ghl_path_seg(p, contact_id);
    return buf_addstr(p, suffix ? suffix : "");
}

typedef struct contact_out {
    ghl_contact *c;
    bool *is_new;
} contact_out;

static int parse_contact(void *out, const char *body, size_t len, err *e)
{
    contact_out *o = out;
    return ghl_parse_contact_answer(o->c, o->is_new, body, len, e);
}

/* Sends a contact request and reads {"contact"} with its custom keys resolved. */
static int contact_call(ghl_contact *out, bool *is_new, ghl_client *c, const ghl_op *op,
                        const char *method, const char *path, const json_t *body,
                        http_idempotency idem, const char *label, err *e)
{
    ghl_contact got;
    contact_out o = {&got, is_new};
    int rc = ghl_call_parse(&o, parse_contact, c, op, method, path, body, idem, label, e);
    if (rc != 0)
        return rc;
    rc = ghl_client_resolve_keys(&got, c, op, e);
    if (rc != 0) {
        ghl_contact_clear(&got);
        return err_wrap(e, "%s: custom field keys: ", label);
    }
    *out = got;
    return 0;
}

int ghl_client_get_contact(ghl_contact *out, ghl_client *c, const ghl_op *op,
                           const char *contact_id, err *e)
{
    buf p;
    buf_init(&p, 1024);
    contact_path(&p, contact_id, NULL);
    int rc = contact_call(out, NULL, c, op, "GET", buf_cstr(&p), NULL, HTTP_IDEMPOTENT_BY_METHOD,
                          "ghl get-contact", e);
    buf_free(&p);
    return rc;
}

static int write_contact(ghl_contact *out, bool *is_new, ghl_client *c, const ghl_op *op,
                         const char *method, const char *path, const ghl_contact_input *in,
                         bool with_location, http_idempotency idem, const char *label, err *e)
{
    json_t *body = NULL;
    int rc = input_json(&body, c, op, in, with_location ? op->location_id : NULL, e);
    if (rc != 0)
        return err_wrap(e, "%s: ", label);
    rc = contact_call(out, is_new, c, op, method, path, body, idem, label, e);
    json_decref(body);
    return rc;
}

int ghl_client_create_contact(ghl_contact *out, ghl_client *c, const ghl_op *op,
                              const ghl_contact_input *in, err *e)
{
    return write_contact(out, NULL, c, op, "POST", "/contacts/", in, true, HTTP_IDEMPOTENT_NO,
                         "ghl create-contact", e);
}

int ghl_client_upsert_contact(ghl_contact *out, bool *out_new, ghl_client *c, const ghl_op *op,
                              const ghl_contact_input *in, err *e)
{
    /* An upsert matches what a lost first attempt created: repeating it is harmless. */
    return write_contact(out, out_new, c, op, "POST", "/contacts/upsert", in, true,
                         HTTP_IDEMPOTENT_YES, "ghl upsert-contact", e);
}

int ghl_client_update_contact(ghl_contact *out, ghl_client *c, const ghl_op *op,
                              const char *contact_id, const ghl_contact_input *in, err *e)
{
    buf p;
    buf_init(&p, 1024);
    contact_path(&p, contact_id, NULL);
    int rc = write_contact(out, NULL, c, op, "PUT", buf_cstr(&p), in, false,
                           HTTP_IDEMPOTENT_BY_METHOD, "ghl update-contact", e);
    buf_free(&p);
    return rc;
}

static int parse_ok(void *out, const char *body, size_t len, err *e)
{
    (void)out;
    return ghl_parse_succeded(body, len, e);
}

int ghl_client_delete_contact(ghl_client *c, const ghl_op *op, const char *contact_id, err *e)
{
    buf p;
    buf_init(&p, 1024);
    contact_path(&p, contact_id, NULL);
    int rc = ghl_call_parse(NULL, parse_ok, c, op, "DELETE", buf_cstr(&p), NULL,
                            HTTP_IDEMPOTENT_BY_METHOD, "ghl delete-contact", e);
    buf_free(&p);
    return rc;
}

typedef struct dup_out {
    ghl_contact *c;
    bool *found;
} dup_out;

static int parse_dup(void *out, const char *body, size_t len, err *e)
{
    dup_out *o = out;
    return ghl_parse_duplicate_answer(o->c, o->found, body, len, e);
}

int ghl_client_find_duplicate(ghl_contact *out, bool *out_found, ghl_client *c, const ghl_op *op,
                              const char *email, const char *phone, err *e)
{
    if ((!email || !*email) && (!phone || !*phone))
        return err_set(e, ERR_INVALID, "ghl get-duplicate-contact: an email or a phone is needed");
    buf p;
    buf_init(&p, 2048);
    buf_addstr(&p, "/contacts/search/duplicate?locationId=");
    ghl_path_seg(&p, op->location_id);
    if (email && *email) {
        buf_addstr(&p, "&email=");
        ghl_path_seg(&p, email);
    }
    if (phone && *phone) {
        buf_addstr(&p, "&number=");
        ghl_path_seg(&p, phone);
    }
    ghl_contact got = {0};
    bool found = false;
    dup_out o = {&got, &found};
    int rc = ghl_call_parse(&o, parse_dup, c, op, "GET", buf_cstr(&p), NULL,
                            HTTP_IDEMPOTENT_BY_METHOD, "ghl get-duplicate-contact", e);
    buf_free(&p);
    if (rc == 0 && found)
        rc = ghl_client_resolve_keys(&got, c, op, e);
    if (rc != 0) {
        ghl_contact_clear(&got);
        return rc;
    }
    *out = got;
    *out_found = found;
    return 0;
}

static int parse_tags(void *out, const char *body, size_t len, err *e)
{
    return ghl_parse_tags_answer(out, body, len, e);
}

static int tags_call(json_t **out, ghl_client *c, const ghl_op *op, const char *method,
                     const char *contact_id, const char *const *tags, size_t n, const char *label,
                     err *e)
{
    json_t *body = json_object();
    json_t *arr = str_array(tags, n);
    if (!body || !arr || json_object_set_new(body, "tags", arr) != 0) {
        json_decref(body);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    buf p;
    buf_init(&p, 1024);
    contact_path(&p, contact_id, "/tags");
    json_t *got = NULL;
    /* Adding or removing the same tags twice leaves the same set. */
    int rc = ghl_call_parse(&got, parse_tags, c, op, method, buf_cstr(&p), body,
                            HTTP_IDEMPOTENT_YES, label, e);
    buf_free(&p);
    json_decref(body);
    if (rc == 0 && out)
        *out = got;
    else
        json_decref(got);
    return rc;
}

int ghl_client_add_tags(json_t **out, ghl_client *c, const ghl_op *op, const char *contact_id,
                        const char *const *tags, size_t n, err *e)
{
    return tags_call(out, c, op, "POST", contact_id, tags, n, "ghl add-tags", e);
}

int ghl_client_remove_tags(json_t **out, ghl_client *c, const ghl_op *op, const char *contact_id,
                           const char *const *tags, size_t n, err *e)
{
    return tags_call(out, c, op, "DELETE", contact_id, tags, n, "ghl remove-tags", e);
}
