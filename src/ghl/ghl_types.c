/* ghl_types.c: each HighLevel record described once (ghl_record.h), reading and releasing records
 * by their description, and small look-ups on them. */
#include "ghl/ghl_record.h"
#include "util/clock.h"

#include <stddef.h>

#define F(type, key, member, kind)                                                                 \
    {                                                                                              \
        key, offsetof(type, member), GHL_FIELD_##kind                                              \
    }

static const ghl_field contact_fields[] = {
    F(ghl_contact, "id", id, STR_NEED),
    F(ghl_contact, "locationId", location_id, STR),
    F(ghl_contact, "firstName", first_name, STR),
    F(ghl_contact, "lastName", last_name, STR),
    F(ghl_contact, "contactName", name, STR),
    F(ghl_contact, "name", name, STR),
    F(ghl_contact, "email", email, STR),
    F(ghl_contact, "phone", phone, STR),
    F(ghl_contact, "companyName", company_name, STR),
    F(ghl_contact, "businessId", business_id, STR),
    F(ghl_contact, "address1", address1, STR),
    F(ghl_contact, "city", city, STR),
    F(ghl_contact, "state", state, STR),
    F(ghl_contact, "postalCode", postal_code, STR),
    F(ghl_contact, "country", country, STR),
    F(ghl_contact, "website", website, STR),
    F(ghl_contact, "timezone", timezone, STR),
    F(ghl_contact, "source", source, STR),
    F(ghl_contact, "dateOfBirth", date_of_birth, STR),
    F(ghl_contact, "assignedTo", assigned_to, STR),
    F(ghl_contact, "dateAdded", date_added, STR),
    F(ghl_contact, "dateUpdated", date_updated, STR),
    F(ghl_contact, "dnd", dnd, BOOL),
};

static const ghl_field task_fields[] = {
    F(ghl_task, "id", id, STR_NEED),
    F(ghl_task, "contactId", contact_id, STR),
    F(ghl_task, "title", title, STR),
    F(ghl_task, "body", body, STR),
    F(ghl_task, "assignedTo", assigned_to, STR),
    F(ghl_task, "dueDate", due_date, STR),
    F(ghl_task, "completed", completed, BOOL),
};

static const ghl_field note_fields[] = {
    F(ghl_note, "id", id, STR_NEED),
    F(ghl_note, "contactId", contact_id, STR),
    F(ghl_note, "body", body, STR),
    F(ghl_note, "title", title, STR),
    F(ghl_note, "userId", user_id, STR),
    F(ghl_note, "color", color, STR),
    F(ghl_note, "dateAdded", date_added, STR),
    F(ghl_note, "pinned", pinned, BOOL),
};

static const ghl_field appt_fields[] = {
    F(ghl_appointment, "id", id, STR_NEED),
    F(ghl_appointment, "calendarId", calendar_id, STR),
    F(ghl_appointment, "contactId", contact_id, STR),
    F(ghl_appointment, "locationId", location_id, STR),
    F(ghl_appointment, "title", title, STR),
    F(ghl_appointment, "status", status, STR),
    F(ghl_appointment, "appointmentStatus", appointment_status, STR),
    F(ghl_appointment, "assignedUserId", assigned_user_id, STR),
    F(ghl_appointment, "notes", notes, STR),
    F(ghl_appointment, "address", address, STR),
    F(ghl_appointment, "startTime", start_time, STR),
    F(ghl_appointment, "endTime", end_time, STR),
    F(ghl_appointment, "dateAdded", date_added, STR),
    F(ghl_appointment, "dateUpdated", date_updated, STR),
};

static const ghl_field field_def_fields[] = {
    F(ghl_field_def, "id", id, STR_NEED),
    F(ghl_field_def, "name", name, STR),
    F(ghl_field_def, "fieldKey", field_key, STR_NEED),
    F(ghl_field_def, "dataType", data_type, STR),
    F(ghl_field_def, "model", model, STR),
};

static const ghl_field token_fields[] = {
    F(ghl_token_answer, "access_token", access_token, STR_NEED),
    F(ghl_token_answer, "refresh_token", refresh_token, STR),
    F(ghl_token_answer, "token_type", token_type, STR),
    F(ghl_token_answer, "scope", scope, STR),
    F(ghl_token_answer, "userType", user_type, STR),
    F(ghl_token_answer, "locationId", location_id, STR),
    F(ghl_token_answer, "companyId", company_id, STR),
    F(ghl_token_answer, "userId", user_id, STR),
};

#undef F

static int64_t iso_ms(const char *s)
{
    int64_t ms = 0;
    if (!s || clock_parse_iso(&ms, s, NULL) != 0)
        return 0;
    return ms;
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

static void contact_derive(void *rec)
{
    ghl_contact *c = rec;
    c->date_added_ms = iso_ms(c->date_added);
    c->date_updated_ms = iso_ms(c->date_updated);
}

static void contact_release(void *rec)
{
    ghl_contact *c = rec;
    for (size_t i = 0; i < c->n_custom; i++)
        free(c->custom[i].key);
    free(c->custom);
    free(c->tags);
}

static void task_derive(void *rec)
{
    ghl_task *t = rec;
    t->due_ms = iso_ms(t->due_date);
}

static void appt_derive(void *rec)
{
    ghl_appointment *a = rec;
    a->start_ms = appt_ms(a->start_time);
    a->end_ms = appt_ms(a->end_time);
}

#define TYPE(type, what, fields, derive, release)                                                  \
    {                                                                                              \
        what, sizeof(type), offsetof(type, raw), fields, PS_ARRAY_LEN(fields), derive, release     \
    }

const ghl_record_type ghl_contact_type =
    TYPE(ghl_contact, "contact", contact_fields, contact_derive, contact_release);
const ghl_record_type ghl_task_type = TYPE(ghl_task, "task", task_fields, task_derive, NULL);
const ghl_record_type ghl_note_type = TYPE(ghl_note, "note", note_fields, NULL, NULL);
const ghl_record_type ghl_appointment_type =
    TYPE(ghl_appointment, "appointment", appt_fields, appt_derive, NULL);
const ghl_record_type ghl_field_def_type =
    TYPE(ghl_field_def, "custom field", field_def_fields, NULL, NULL);
const ghl_record_type ghl_token_answer_type =
    TYPE(ghl_token_answer, "token answer", token_fields, NULL, NULL);

#undef TYPE

int ghl_json_bool(bool *out, const json_t *obj, const char *key, const char *what, err *e)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return err_set(e, ERR_PARSE, "%s field '%s': must be true or false", what, key);
    *out = json_is_true(v);
    return 0;
}

static int read_field(void *rec, const json_t *obj, const ghl_field *f, const char *what, err *e)
{
    void *dst = (char *)rec + f->off;
    if (f->kind == GHL_FIELD_BOOL)
        return ghl_json_bool(dst, obj, f->key, what, e);
    const json_t *v = json_object_get(obj, f->key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return err_set(e, ERR_PARSE, "%s field '%s': must be a string", what, f->key);
    *(const char **)dst = json_string_value(v);
    return 0;
}

static int check_needed(const void *rec, const ghl_record_type *t, err *e)
{
    for (size_t i = 0; i < t->n_fields; i++) {
        const ghl_field *f = &t->fields[i];
        if (f->kind != GHL_FIELD_STR_NEED)
            continue;
        const char *s = *(const char *const *)((const char *)rec + f->off);
        if (!s || !*s)
            return err_set(e, ERR_PARSE, "%s: '%s' is missing", t->what, f->key);
    }
    return 0;
}

int ghl_record_read(const ghl_record_type *t, void *rec, json_t *obj, err *e)
{
    memset(rec, 0, t->size);
    if (!json_is_object(obj))
        return err_set(e, ERR_PARSE, "%s: not a JSON object", t->what);
    int rc = 0;
    for (size_t i = 0; i < t->n_fields && rc == 0; i++)
        rc = read_field(rec, obj, &t->fields[i], t->what, e);
    if (rc == 0)
        rc = check_needed(rec, t, e);
    if (rc != 0) {
        memset(rec, 0, t->size);
        return rc;
    }
    *(json_t **)((char *)rec + t->raw_off) = json_incref(obj);
    if (t->derive)
        t->derive(rec);
    return 0;
}

void ghl_record_clear(const ghl_record_type *t, void *rec)
{
    if (!rec)
        return;
    if (t->release)
        t->release(rec);
    json_decref(*(json_t **)((char *)rec + t->raw_off));
    memset(rec, 0, t->size);
}

void ghl_records_free(const ghl_record_type *t, void *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ghl_record_clear(t, (char *)v + i * t->size);
    free(v);
}

void ghl_contact_clear(ghl_contact *c)
{
    ghl_record_clear(&ghl_contact_type, c);
}

void ghl_task_clear(ghl_task *t)
{
    ghl_record_clear(&ghl_task_type, t);
}

void ghl_note_clear(ghl_note *n)
{
    ghl_record_clear(&ghl_note_type, n);
}

void ghl_token_answer_clear(ghl_token_answer *a)
{
    ghl_record_clear(&ghl_token_answer_type, a);
}

void ghl_contact_page_clear(ghl_contact_page *p)
{
    if (!p)
        return;
    ghl_records_free(&ghl_contact_type, p->v, p->n);
    json_decref(p->raw);
    memset(p, 0, sizeof *p);
}

/* The lists: each is {v, n} of one record type. */
#define CLEAR_LIST(l, type)                                                                        \
    do {                                                                                           \
        if (l) {                                                                                   \
            ghl_records_free(&type, (l)->v, (l)->n);                                               \
            memset(l, 0, sizeof *(l));                                                             \
        }                                                                                          \
    } while (0)

void ghl_tasks_clear(ghl_tasks *l)
{
    CLEAR_LIST(l, ghl_task_type);
}

void ghl_notes_clear(ghl_notes *l)
{
    CLEAR_LIST(l, ghl_note_type);
}

void ghl_appointments_clear(ghl_appointments *l)
{
    CLEAR_LIST(l, ghl_appointment_type);
}

void ghl_field_defs_clear(ghl_field_defs *l)
{
    CLEAR_LIST(l, ghl_field_def_type);
}

#undef CLEAR_LIST

const ghl_custom_value *ghl_contact_custom(const ghl_contact *c, const char *key)
{
    for (size_t i = 0; i < c->n_custom; i++) {
        if (c->custom[i].key && strcmp(c->custom[i].key, key) == 0)
            return &c->custom[i];
    }
    return NULL;
}

bool ghl_contact_has_tag(const ghl_contact *c, const char *tag)
{
    for (size_t i = 0; i < c->n_tags; i++) {
        if (strcasecmp(c->tags[i], tag) == 0)
            return true;
    }
    return false;
}
