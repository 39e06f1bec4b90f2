/* ghl_parse.c: pure parsers of HighLevel answer bodies into the records of ghl_types.h. */
#include "ghl/ghl_types.h"
#include "util/clock.h"
#include "util/jsonx.h"

#include <stddef.h>

/* A string field and where it goes in its record. */
typedef struct str_field {
    const char *key;
    size_t off;
} str_field;

#define F(type, key, member)                                                                       \
    {                                                                                              \
        key, offsetof(type, member)                                                                \
    }

static const str_field contact_fields[] = {
    F(ghl_contact, "id", id),
    F(ghl_contact, "locationId", location_id),
    F(ghl_contact, "firstName", first_name),
    F(ghl_contact, "lastName", last_name),
    F(ghl_contact, "contactName", name),
    F(ghl_contact, "name", name),
    F(ghl_contact, "email", email),
    F(ghl_contact, "phone", phone),
    F(ghl_contact, "companyName", company_name),
    F(ghl_contact, "businessId", business_id),
    F(ghl_contact, "address1", address1),
    F(ghl_contact, "city", city),
    F(ghl_contact, "state", state),
    F(ghl_contact, "postalCode", postal_code),
    F(ghl_contact, "country", country),
    F(ghl_contact, "website", website),
    F(ghl_contact, "timezone", timezone),
    F(ghl_contact, "source", source),
    F(ghl_contact, "dateOfBirth", date_of_birth),
    F(ghl_contact, "assignedTo", assigned_to),
    F(ghl_contact, "dateAdded", date_added),
    F(ghl_contact, "dateUpdated", date_updated),
};

static const str_field task_fields[] = {
    F(ghl_task, "id", id),
    F(ghl_task, "contactId", contact_id),
    F(ghl_task, "title", title),
    F(ghl_task, "body", body),
    F(ghl_task, "assignedTo", assigned_to),
    F(ghl_task, "dueDate", due_date),
};

static const str_field note_fields[] = {
    F(ghl_note, "id", id),
    F(ghl_note, "contactId", contact_id),
    F(ghl_note, "body", body),
    F(ghl_note, "title", title),
    F(ghl_note, "userId", user_id),
    F(ghl_note, "color", color),
    F(ghl_note, "dateAdded", date_added),
};

static const str_field appt_fields[] = {
    F(ghl_appointment, "id", id),
    F(ghl_appointment, "calendarId", calendar_id),
    F(ghl_appointment, "contactId", contact_id),
    F(ghl_appointment, "locationId", location_id),
    F(ghl_appointment, "title", title),
    F(ghl_appointment, "status", status),
    F(ghl_appointment, "appointmentStatus", appointment_status),
    F(ghl_appointment, "assignedUserId", assigned_user_id),
    F(ghl_appointment, "notes", notes),
    F(ghl_appointment, "address", address),
    F(ghl_appointment, "startTime", start_time),
    F(ghl_appointment, "endTime", end_time),
    F(ghl_appointment, "dateAdded", date_added),
    F(ghl_appointment, "dateUpdated", date_updated),
};

static const str_field field_def_fields[] = {
    F(ghl_field_def, "id", id),
    F(ghl_field_def, "name", name),
    F(ghl_field_def, "fieldKey", field_key),
    F(ghl_field_def, "dataType", data_type),
    F(ghl_field_def, "model", model),
};

static const str_field token_fields[] = {
    F(ghl_token_answer, "access_token", access_token),
    F(ghl_token_answer, "refresh_token", refresh_token),
    F(ghl_token_answer, "token_type", token_type),
    F(ghl_token_answer, "scope", scope),
    F(ghl_token_answer, "userType", user_type),
    F(ghl_token_answer, "locationId", location_id),
    F(ghl_token_answer, "companyId", company_id),
    F(ghl_token_answer, "userId", user_id),
};

#undef F

/* Fills the string members of rec named in the table; absent and null stay NULL. A later entry
 * for the same member wins only when present ("name" after "contactName"). */
static int read_strings(void *rec, const json_t *obj, const str_field *tab, size_t n,
                        const char *what, err *e)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_get(obj, tab[i].key);
        if (!v || json_is_null(v))
            continue;
        if (!json_is_string(v))
            return err_set(e, ERR_PARSE, "%s field '%s': must be a string", what, tab[i].key);
        *(const char **)((char *)rec + tab[i].off) = json_string_value(v);
    }
    return 0;
}

static int read_bool(bool *out, const json_t *obj, const char *key, const char *what, err *e)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return err_set(e, ERR_PARSE, "%s field '%s': must be true or false", what, key);
    *out = json_is_true(v);
    return 0;
}

static int64_t iso_ms(const char *s)
{
    int64_t ms = 0;
    if (!s || clock_parse_iso(&ms, s, NULL) != 0)
        return 0;
    return ms;
}

static int parse_body(json_t **out, const char *body, size_t len, const char *what, err *e)
{
    json_t *j = NULL;
    if (jsonx_parse(&j, body, len, what, e) != 0)
        return e ? (e->code = ERR_PARSE) : ERR_PARSE;
    if (!json_is_object(j)) {
        json_decref(j);
        return err_set(e, ERR_PARSE, "%s: not a JSON object", what);
    }
    *out = j;
    return 0;
}

/* obj[key] as an object: required, or NULL when absent or null and not required. */
static int member_object(json_t **out, json_t *obj, const char *key, bool required,
                         const char *what, err *e)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            return err_set(e, ERR_PARSE, "%s: '%s' is missing", what, key);
        *out = NULL;
        return 0;
    }
    if (!json_is_object(v))
        return err_set(e, ERR_PARSE, "%s: '%s' must be an object", what, key);
    *out = v;
    return 0;
}

static int member_array(json_t **out, json_t *obj, const char *key, const char *what, err *e)
{
    json_t *v = json_object_get(obj, key);
    if (!v || !json_is_array(v))
        return err_set(e, ERR_PARSE, "%s: '%s' must be an array", what, key);
    *out = v;
    return 0;
}

static int parse_tags(ghl_contact *c, const json_t *obj, err *e)
{
    const json_t *tags = json_object_get(obj, "tags");
    if (!tags || json_is_null(tags))
        return 0;
    if (!json_is_array(tags))
        return err_set(e, ERR_PARSE, "contact field 'tags': must be an array");
    size_t n = json_array_size(tags);
    if (n == 0)
        return 0;
    c->tags = calloc(n, sizeof *c->tags);
    if (!c->tags)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_array_get(tags, i);
        if (!json_is_string(t))
            return err_set(e, ERR_PARSE, "contact field 'tags': item %zu is not a string", i);
        c->tags[c->n_tags++] = json_string_value(t);
    }
    return 0;
}

static bool custom_value_ok(const json_t *v)
{
    if (json_is_string(v) || json_is_number(v) || json_is_boolean(v))
        return true;
    if (!json_is_array(v))
        return false;
    size_t i;
    const json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x) && !json_is_number(x))
            return false;
    }
    return true;
}

/* customFields: [{"id", "value"}] (also "field_value" as written, "key" when given). */
static int parse_custom(ghl_contact *c, const json_t *obj, err *e)
{
    const json_t *cf = json_object_get(obj, "customFields");
    if (!cf || json_is_null(cf))
        return 0;
    if (!json_is_array(cf))
        return err_set(e, ERR_PARSE, "contact field 'customFields': must be an array");
    size_t n = json_array_size(cf);
    if (n == 0)
        return 0;
    c->custom = calloc(n, sizeof *c->custom);
    if (!c->custom)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *f = json_array_get(cf, i);
        const char *id = json_is_object(f) ? jsonx_str(f, "id") : NULL;
        const json_t *v = json_is_object(f) ? json_object_get(f, "value") : NULL;
        if (!v && json_is_object(f))
            v = json_object_get(f, "field_value");
        if (!id || !*id)
            return err_set(e, ERR_PARSE, "contact custom field %zu: no id", i);
        if (!v || json_is_null(v))
            continue; /* a cleared value reads as absent */
        if (!custom_value_ok(v))
            return err_set(e, ERR_PARSE, "contact custom field '%s': unreadable value", id);
        ghl_custom_value *cv = &c->custom[c->n_custom++];
        cv->id = id;
        cv->value = v;
        const char *key = jsonx_str(f, "key");
        if (key && !(cv->key = strdup(key)))
            return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

int ghl_parse_contact(ghl_contact *out, json_t *obj, err *e)
{
    if (!json_is_object(obj))
        return err_set(e, ERR_PARSE, "contact: not a JSON object");
    ghl_contact c = {0};
    c.raw = json_incref(obj);
    int rc = read_strings(&c, obj, contact_fields, PS_ARRAY_LEN(contact_fields), "contact", e);
    if (rc == 0 && (!c.id || !*c.id))
        rc = err_set(e, ERR_PARSE, "contact: 'id' is missing");
    if (rc == 0)
        rc = read_bool(&c.dnd, obj, "dnd", "contact", e);
    if (rc == 0)
        rc = parse_tags(&c, obj, e);
    if (rc == 0)
        rc = parse_custom(&c, obj, e);
    const json_t *sa = json_object_get(obj, "searchAfter");
    if (rc == 0 && sa && !json_is_null(sa)) {
        if (!json_is_array(sa))
            rc = err_set(e, ERR_PARSE, "contact field 'searchAfter': must be an array");
        c.search_after = sa;
    }
    if (rc != 0) {
        ghl_contact_clear(&c);
        return rc;
    }
    c.date_added_ms = iso_ms(c.date_added);
    c.date_updated_ms = iso_ms(c.date_updated);
    *out = c;
    return 0;
}

int ghl_parse_contact_answer(ghl_contact *out, bool *out_new, const char *body, size_t len, err *e)
{
    json_t *j = NULL, *obj = NULL;
    bool is_new = false;
    int rc = parse_body(&j, body, len, "contact answer", e);
    if (rc == 0)
        rc = member_object(&obj, j, "contact", true, "contact answer", e);
    if (rc == 0)
        rc = read_bool(&is_new, j, "new", "upsert answer", e);
    ghl_contact c;
    if (rc == 0)
        rc = ghl_parse_contact(&c, obj, e);
    json_decref(j);
    if (rc != 0)
        return rc;
    *out = c;
    if (out_new)
        *out_new = is_new;
    return 0;
}

int ghl_parse_duplicate_answer(ghl_contact *out, bool *out_found, const char *body, size_t len,
                               err *e)
{
    json_t *j = NULL, *obj = NULL;
    int rc = parse_body(&j, body, len, "duplicate answer", e);
    if (rc == 0)
        rc = member_object(&obj, j, "contact", false, "duplicate answer", e);
    ghl_contact c = {0};
    if (rc == 0 && obj)
        rc = ghl_parse_contact(&c, obj, e);
    json_decref(j);
    if (rc != 0)
        return rc;
    *out = c;
    *out_found = obj != NULL;
    return 0;
}

static int64_t total_of(const json_t *j)
{
    int64_t t = jsonx_int(j, "total", -1);
    if (t < 0)
        t = jsonx_int(j, "count", -1);
    if (t < 0)
        t = jsonx_int(jsonx_path(j, "meta"), "total", -1);
    return t;
}

int ghl_parse_contact_page(ghl_contact_page *out, const char *body, size_t len, err *e)
{
    json_t *j = NULL, *arr = NULL;
    int rc = parse_body(&j, body, len, "contact list", e);
    if (rc == 0)
        rc = member_array(&arr, j, "contacts", "contact list", e);
    if (rc != 0) {
        json_decref(j);
        return rc;
    }
    ghl_contact_page p = {.total = total_of(j), .raw = j};
    size_t n = json_array_size(arr);
    if (n && !(p.v = calloc(n, sizeof *p.v))) {
        json_decref(j);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = ghl_parse_contact(&p.v[p.n], json_array_get(arr, i), e);
        if (rc == 0)
            p.n++;
    }
    const json_t *meta = json_object_get(j, "meta");
    if (rc == 0 && json_is_object(meta)) {
        p.next_start_after = jsonx_int(meta, "startAfter", 0);
        p.next_start_after_id = jsonx_str(meta, "startAfterId");
    }
    if (rc != 0) {
        err_wrap(e, "contact %zu: ", p.n);
        ghl_contact_page_clear(&p);
        return rc;
    }
    *out = p;
    return 0;
}

static int parse_task(ghl_task *out, json_t *obj, err *e)
{
    ghl_task t = {0};
    if (!json_is_object(obj))
        return err_set(e, ERR_PARSE, "task: not a JSON object");
    int rc = read_strings(&t, obj, task_fields, PS_ARRAY_LEN(task_fields), "task", e);
    if (rc == 0)
        rc = read_bool(&t.completed, obj, "completed", "task", e);
    if (rc == 0 && (!t.id || !*t.id))
        rc = err_set(e, ERR_PARSE, "task: 'id' is missing");
    if (rc != 0)
        return rc;
    t.due_ms = iso_ms(t.due_date);
    t.raw = json_incref(obj);
    *out = t;
    return 0;
}

static int parse_note(ghl_note *out, json_t *obj, err *e)
{
    ghl_note n = {0};
    if (!json_is_object(obj))
        return err_set(e, ERR_PARSE, "note: not a JSON object");
    int rc = read_strings(&n, obj, note_fields, PS_ARRAY_LEN(note_fields), "note", e);
    if (rc == 0)
        rc = read_bool(&n.pinned, obj, "pinned", "note", e);
    if (rc == 0 && (!n.id || !*n.id))
        rc = err_set(e, ERR_PARSE, "note: 'id' is missing");
    if (rc != 0)
        return rc;
    n.raw = json_incref(obj);
    *out = n;
    return 0;
}

/* "2021-07-16 11:00:00" (the spec's examples) or ISO 8601. */
static int64_t appt_ms(const char *s)
{
    if (!s)
        return 0;
    char tmp[40];
    size_t n = strlen(s);
    if (n == 19 && s[10] == ' ') {
        snprintf(tmp, sizeof tmp, "%.10sT%sZ", s, s + 11);
        return iso_ms(tmp);
    }
    return iso_ms(s);
}

static int parse_appt(ghl_appointment *out, json_t *obj, err *e)
{
    ghl_appointment a = {0};
    if (!json_is_object(obj))
        return err_set(e, ERR_PARSE, "appointment: not a JSON object");
    int rc = read_strings(&a, obj, appt_fields, PS_ARRAY_LEN(appt_fields), "appointment", e);
    if (rc == 0 && (!a.id || !*a.id))
        rc = err_set(e, ERR_PARSE, "appointment: 'id' is missing");
    if (rc != 0)
        return rc;
    a.start_ms = appt_ms(a.start_time);
    a.end_ms = appt_ms(a.end_time);
    a.raw = json_incref(obj);
    *out = a;
    return 0;
}

static int parse_field_def(ghl_field_def *out, json_t *obj, err *e)
{
    ghl_field_def d = {0};
    if (!json_is_object(obj))
        return err_set(e, ERR_PARSE, "custom field: not a JSON object");
    int rc =
        read_strings(&d, obj, field_def_fields, PS_ARRAY_LEN(field_def_fields), "custom field", e);
    if (rc == 0 && (!d.id || !*d.id || !d.field_key || !*d.field_key))
        rc = err_set(e, ERR_PARSE, "custom field: 'id' and 'fieldKey' are required");
    if (rc != 0)
        return rc;
    d.raw = json_incref(obj);
    *out = d;
    return 0;
}

/* One parser for the list answers: key names the array, each item parsed by fn into an
 * array of records of size sz. */
typedef int (*item_fn)(void *out, json_t *obj, err *e);

static int parse_list(void **out_v, size_t *out_n, const char *body, size_t len, const char *key,
                      size_t sz, item_fn fn, void (*clear)(void *), err *e)
{
    json_t *j = NULL, *arr = NULL;
    int rc = parse_body(&j, body, len, key, e);
    if (rc == 0)
        rc = member_array(&arr, j, key, key, e);
    size_t n = rc == 0 ? json_array_size(arr) : 0, got = 0;
    char *v = n ? calloc(n, sz) : NULL;
    if (rc == 0 && n && !v)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = fn(v + got * sz, json_array_get(arr, i), e);
        if (rc == 0)
            got++;
        else
            err_wrap(e, "%s item %zu: ", key, i);
    }
    json_decref(j);
    if (rc != 0) {
        for (size_t i = 0; i < got; i++)
            clear(v + i * sz);
        free(v);
        return rc;
    }
    *out_v = v;
    *out_n = got;
    return 0;
}

static int task_item(void *out, json_t *obj, err *e)
{
    return parse_task(out, obj, e);
}
static int note_item(void *out, json_t *obj, err *e)
{
    return parse_note(out, obj, e);
}
static int appt_item(void *out, json_t *obj, err *e)
{
    return parse_appt(out, obj, e);
}
static int field_item(void *out, json_t *obj, err *e)
{
    return parse_field_def(out, obj, e);
}
static void task_clear_v(void *p)
{
    ghl_task_clear(p);
}
static void note_clear_v(void *p)
{
    ghl_note_clear(p);
}
static void appt_clear_v(void *p)
{
    json_decref(((ghl_appointment *)p)->raw);
}
static void field_clear_v(void *p)
{
    json_decref(((ghl_field_def *)p)->raw);
}

int ghl_parse_tasks(ghl_tasks *out, const char *body, size_t len, err *e)
{
    void *v = NULL;
    size_t n = 0;
    int rc = parse_list(&v, &n, body, len, "tasks", sizeof(ghl_task), task_item, task_clear_v, e);
    if (rc == 0)
        *out = (ghl_tasks){v, n};
    return rc;
}

int ghl_parse_notes(ghl_notes *out, const char *body, size_t len, err *e)
{
    void *v = NULL;
    size_t n = 0;
    int rc = parse_list(&v, &n, body, len, "notes", sizeof(ghl_note), note_item, note_clear_v, e);
    if (rc == 0)
        *out = (ghl_notes){v, n};
    return rc;
}

int ghl_parse_appointments(ghl_appointments *out, const char *body, size_t len, err *e)
{
    void *v = NULL;
    size_t n = 0;
    int rc = parse_list(&v, &n, body, len, "events", sizeof(ghl_appointment), appt_item,
                        appt_clear_v, e);
    if (rc == 0)
        *out = (ghl_appointments){v, n};
    return rc;
}

int ghl_parse_field_defs(ghl_field_defs *out, const char *body, size_t len, err *e)
{
    void *v = NULL;
    size_t n = 0;
    int rc = parse_list(&v, &n, body, len, "customFields", sizeof(ghl_field_def), field_item,
                        field_clear_v, e);
    if (rc == 0)
        *out = (ghl_field_defs){v, n};
    return rc;
}

/* {"<key>": {...}}: the one record of a task or note answer. */
static int one_item(void *out, const char *body, size_t len, const char *key, item_fn fn, err *e)
{
    json_t *j = NULL, *obj = NULL;
    int rc = parse_body(&j, body, len, key, e);
    if (rc == 0)
        rc = member_object(&obj, j, key, true, key, e);
    if (rc == 0)
        rc = fn(out, obj, e);
    json_decref(j);
    return rc;
}

int ghl_parse_task_answer(ghl_task *out, const char *body, size_t len, err *e)
{
    return one_item(out, body, len, "task", task_item, e);
}

int ghl_parse_note_answer(ghl_note *out, const char *body, size_t len, err *e)
{
    return one_item(out, body, len, "note", note_item, e);
}

int ghl_parse_tags_answer(json_t **out, const char *body, size_t len, err *e)
{
    json_t *j = NULL, *arr = NULL;
    int rc = parse_body(&j, body, len, "tags answer", e);
    if (rc == 0)
        rc = member_array(&arr, j, "tags", "tags answer", e);
    size_t i;
    json_t *t;
    if (rc == 0) {
        json_array_foreach(arr, i, t)
        {
            if (!json_is_string(t)) {
                rc = err_set(e, ERR_PARSE, "tags answer: item %zu is not a string", i);
                break;
            }
        }
    }
    if (rc == 0)
        *out = json_incref(arr);
    json_decref(j);
    return rc;
}

int ghl_parse_succeded(const char *body, size_t len, err *e)
{
    json_t *j = NULL;
    int rc = parse_body(&j, body, len, "answer", e);
    if (rc != 0)
        return rc;
    const json_t *v = json_object_get(j, "succeded");
    if (!v)
        v = json_object_get(j, "succeeded");
    if (!json_is_boolean(v))
        rc = err_set(e, ERR_PARSE, "answer: 'succeded' is missing");
    else if (!json_is_true(v))
        rc = err_set(e, ERR_BAD_STATE, "the service answered succeded: false");
    json_decref(j);
    return rc;
}

int ghl_parse_token_answer(ghl_token_answer *out, const char *body, size_t len, err *e)
{
    json_t *j = NULL;
    int rc = parse_body(&j, body, len, "token answer", e);
    if (rc != 0)
        return rc;
    ghl_token_answer a = {.expires_in_s = -1};
    rc = read_strings(&a, j, token_fields, PS_ARRAY_LEN(token_fields), "token answer", e);
    if (rc == 0 && (!a.access_token || !*a.access_token))
        rc = err_set(e, ERR_PARSE, "token answer: 'access_token' is missing");
    const json_t *exp = json_object_get(j, "expires_in");
    if (rc == 0 && exp && !json_is_null(exp)) {
        if (!json_is_integer(exp) || json_integer_value(exp) < 0)
            rc = err_set(e, ERR_PARSE, "token answer: 'expires_in' must be a whole number");
        else
            a.expires_in_s = json_integer_value(exp);
    }
    if (rc != 0) {
        json_decref(j);
        return rc;
    }
    a.raw = j;
    *out = a;
    return 0;
}
