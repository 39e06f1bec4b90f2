/* ghl_types.h: HighLevel records as the flows use them (contacts, tasks, notes, appointments,
 * custom field definitions, OAuth token answers) and their pure parsers from answer bodies.
 *
 * Every record keeps the JSON object it was read from (raw); its string fields point into that
 * object and live as long as the record. Fields absent from the answer (or null) are NULL. */
#ifndef PHEEDSYNC_GHL_TYPES_H
#define PHEEDSYNC_GHL_TYPES_H

#include "util/err.h"

#include <jansson.h>

/* The API version every request names in its Version header. */
#define GHL_API_VERSION "2021-07-28"

/* A custom field value on a contact. The API names fields by opaque id; key is filled from the
 * location's field list (ghl_fields) and is what the rest of pheedsync uses. */
typedef struct ghl_custom_value {
    const char *id;
    char *key;           /* "contact.ticket_type"; NULL until resolved (or unknown to the list) */
    const json_t *value; /* a string, or an array of strings (checkbox, multiple options) */
} ghl_custom_value;

typedef struct ghl_contact {
    const char *id, *location_id;
    const char *first_name, *last_name, *name, *email, *phone;
    const char *company_name, *business_id;
    const char *address1, *city, *state, *postal_code, *country;
    const char *website, *timezone, *source, *date_of_birth, *assigned_to;
    bool dnd;
    const char **tags;
    size_t n_tags;
    ghl_custom_value *custom;
    size_t n_custom;
    const char *date_added, *date_updated;  /* ISO 8601 as given */
    int64_t date_added_ms, date_updated_ms; /* 0 when absent or unreadable */
    const json_t *search_after;             /* search results: the cursor after this one */
    json_t *raw;
} ghl_contact;

typedef struct ghl_contact_page {
    ghl_contact *v;
    size_t n;
    int64_t total; /* matches in all ("total", "count" or meta.total); -1 when not given */
    /* GET /contacts/ only: the cursor of the next page (meta.startAfter, startAfterId); the
     * id is NULL on the last page. */
    int64_t next_start_after;
    const char *next_start_after_id;
    json_t *raw;
} ghl_contact_page;

typedef struct ghl_task {
    const char *id, *contact_id, *title, *body, *assigned_to, *due_date;
    int64_t due_ms; /* 0 when absent or unreadable */
    bool completed;
    json_t *raw;
} ghl_task;

typedef struct ghl_note {
    const char *id, *contact_id, *body, *title, *user_id, *color, *date_added;
    bool pinned;
    json_t *raw;
} ghl_note;

typedef struct ghl_appointment {
    const char *id, *calendar_id, *contact_id, *location_id, *title, *status;
    const char *appointment_status, *assigned_user_id, *notes, *address;
    const char *start_time, *end_time, *date_added, *date_updated;
    int64_t start_ms,
        end_ms; /* 0 when unreadable (the spec's examples use "YYYY-MM-DD HH:MM:SS") */
    json_t *raw;
} ghl_appointment;

/* A location's custom field definition (GET /locations/{id}/customFields). */
typedef struct ghl_field_def {
    const char *id, *name, *field_key, *data_type, *model;
    json_t *raw;
} ghl_field_def;

typedef struct ghl_tasks {
    ghl_task *v;
    size_t n;
} ghl_tasks;
typedef struct ghl_notes {
    ghl_note *v;
    size_t n;
} ghl_notes;
typedef struct ghl_appointments {
    ghl_appointment *v;
    size_t n;
} ghl_appointments;
typedef struct ghl_field_defs {
    ghl_field_def *v;
    size_t n;
} ghl_field_defs;

/* The token endpoint's answer (POST /oauth/token, /oauth/locationToken). */
typedef struct ghl_token_answer {
    const char *access_token, *refresh_token, *token_type, *scope;
    const char *user_type, *location_id, *company_id, *user_id;
    int64_t expires_in_s; /* -1 when not given */
    json_t *raw;
} ghl_token_answer;

/* Parsers of answer bodies: body[0, len) need not be NUL-terminated. ERR_PARSE when the bytes
 * are not JSON or a field has the wrong type (the message names it). Out-parameters are set
 * only on success. */
int ghl_parse_contact(ghl_contact *out, json_t *obj, err *e);
/* {"contact": {...}} (get, create, update); also the upsert answer, whose "new" goes to
 * *out_new when out_new is not NULL. */
int ghl_parse_contact_answer(ghl_contact *out, bool *out_new, const char *body, size_t len, err *e);
/* {"contact": {...} | null} of the duplicate lookup: *out_found false for null. */
int ghl_parse_duplicate_answer(ghl_contact *out, bool *out_found, const char *body, size_t len,
                               err *e);
/* {"contacts": [...], "total"|"count", "meta"} of list, search and by-business. */
int ghl_parse_contact_page(ghl_contact_page *out, const char *body, size_t len, err *e);
int ghl_parse_task_answer(ghl_task *out, const char *body, size_t len, err *e);
int ghl_parse_tasks(ghl_tasks *out, const char *body, size_t len, err *e);
int ghl_parse_note_answer(ghl_note *out, const char *body, size_t len, err *e);
int ghl_parse_notes(ghl_notes *out, const char *body, size_t len, err *e);
int ghl_parse_appointments(ghl_appointments *out, const char *body, size_t len, err *e);
int ghl_parse_field_defs(ghl_field_defs *out, const char *body, size_t len, err *e);
/* {"tags": [...]}: a new array of the strings. */
int ghl_parse_tags_answer(json_t **out, const char *body, size_t len, err *e);
/* {"succeded": true} (HighLevel's spelling; "succeeded" is read too): ERR_PARSE when the key
 * is missing, ERR_BAD_STATE when it is false. */
int ghl_parse_succeded(const char *body, size_t len, err *e);
/* Needs access_token; the rest as given. */
int ghl_parse_token_answer(ghl_token_answer *out, const char *body, size_t len, err *e);

void ghl_contact_clear(ghl_contact *c);
void ghl_contact_page_clear(ghl_contact_page *p);
void ghl_task_clear(ghl_task *t);
void ghl_note_clear(ghl_note *n);
void ghl_tasks_clear(ghl_tasks *l);
void ghl_notes_clear(ghl_notes *l);
void ghl_appointments_clear(ghl_appointments *l);
void ghl_field_defs_clear(ghl_field_defs *l);
void ghl_token_answer_clear(ghl_token_answer *a);

/* The custom value with this key (after resolution), or NULL. */
const ghl_custom_value *ghl_contact_custom(const ghl_contact *c, const char *key);
bool ghl_contact_has_tag(const ghl_contact *c, const char *tag);

#endif
