/* pl_parse.c: pure parsers of PheedLoop answers into typed records (no I/O; fuzzed). */
#include "pheedloop/pl_parse.h"
#include "util/clock.h"
#include "util/jsonx.h"

/* ---------------------------------------------------------------- field readers */

/* A string field: NULL when absent or null; ERR_PARSE for any other type. */
static int opt_str(const char **out, const json_t *obj, const char *what, const char *key, err *e)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        *out = NULL;
        return 0;
    }
    if (!json_is_string(v))
        return err_set(e, ERR_PARSE, "PheedLoop %s field '%s': expected a string", what, key);
    *out = json_string_value(v);
    return 0;
}

static int req_str(const char **out, const json_t *obj, const char *what, const char *key, err *e)
{
    int rc = opt_str(out, obj, what, key, e);
    if (rc == 0 && (!*out || !**out))
        return err_set(e, ERR_PARSE, "PheedLoop %s without '%s'", what, key);
    return rc;
}

/* A boolean: absent or null is false; PheedLoop never sends booleans as strings. */
static int opt_bool(bool *out, const json_t *obj, const char *what, const char *key, err *e)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        *out = false;
        return 0;
    }
    if (!json_is_boolean(v))
        return err_set(e, ERR_PARSE, "PheedLoop %s field '%s': expected true or false", what, key);
    *out = json_is_true(v);
    return 0;
}

/* A numeric id: -1 when absent or null. */
static int opt_id(int64_t *out, const json_t *obj, const char *what, const char *key, err *e)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        *out = -1;
        return 0;
    }
    if (!json_is_integer(v))
        return err_set(e, ERR_PARSE, "PheedLoop %s field '%s': expected a whole number", what, key);
    *out = json_integer_value(v);
    return 0;
}

/* A timestamp in Unix ms; 0 when absent or not ISO-8601 (times are informative, never keys). */
static int64_t opt_time(const char *s)
{
    int64_t ms = 0;
    if (!s || clock_parse_iso(&ms, s, NULL) < 0)
        return 0;
    return ms;
}

static int need_object(const json_t *obj, const char *what, err *e)
{
    if (!json_is_object(obj))
        return err_set(e, ERR_PARSE, "PheedLoop %s: expected a JSON object", what);
    return 0;
}

/* Reads several string fields at once: keys[i] into *outs[i]. */
static int str_fields(const json_t *obj, const char *what, const char *const *keys,
                      const char **const *outs, size_t n, err *e)
{
    for (size_t i = 0; i < n; i++) {
        int rc = opt_str(outs[i], obj, what, keys[i], e);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- records */

static int attendee_people(pl_attendee *a, const json_t *obj, err *e)
{
    static const char *const keys[] = {
        "code_internal",   "first_name",   "last_name",     "email",
        "organization",    "title",        "address_phone", "address_line_1",
        "address_line_2",  "address_city", "address_state", "address_zip",
        "address_country", "checkin_date", "ticket_name",   "ticket_code",
    };
    const char **const outs[] = {
        &a->code_internal,   &a->first_name,   &a->last_name,     &a->email,
        &a->organization,    &a->title,        &a->phone,         &a->address.line_1,
        &a->address.line_2,  &a->address.city, &a->address.state, &a->address.zip,
        &a->address.country, &a->checkin_date, &a->ticket_name,   &a->ticket_code,
    };
    return str_fields(obj, "attendee", keys, outs, PS_ARRAY_LEN(keys), e);
}

int pl_parse_attendee(pl_attendee *out, json_t *obj, err *e)
{
    pl_attendee a = {0};
    int rc = need_object(obj, "attendee", e);
    if (rc == 0)
        rc = req_str(&a.code, obj, "attendee", "code", e);
    if (rc == 0)
        rc = attendee_people(&a, obj, e);
    if (rc == 0)
        rc = opt_bool(&a.is_checked_in, obj, "attendee", "is_checked_in", e);
    if (rc < 0)
        return rc;
    const json_t *tags = json_object_get(obj, "tags");
    if (tags && !json_is_null(tags) && !json_is_array(tags))
        return err_set(e, ERR_PARSE, "PheedLoop attendee field 'tags': expected a list");
    const json_t *meta = json_object_get(obj, "metadata");
    if (meta && !json_is_null(meta) && !json_is_object(meta))
        return err_set(e, ERR_PARSE, "PheedLoop attendee field 'metadata': expected an object");
    a.tags = json_is_array(tags) ? tags : NULL;
    a.metadata = json_is_object(meta) ? meta : NULL;
    a.checkin_ms = opt_time(a.checkin_date);
    a.raw = json_incref(obj);
    *out = a;
    return 0;
}

int pl_parse_registration(pl_registration *out, json_t *obj, err *e)
{
    static const char *const keys[] = {"attendee_code", "event_code",  "first_name", "last_name",
                                       "email",         "ticket_name", "ticket_code"};
    pl_registration r = {0};
    const char **const outs[] = {&r.attendee_code, &r.event_code,  &r.first_name, &r.last_name,
                                 &r.email,         &r.ticket_name, &r.ticket_code};
    const char *reg_date = NULL, *upd_date = NULL;
    int rc = need_object(obj, "registration", e);
    if (rc == 0)
        rc = req_str(&r.code, obj, "registration", "code", e);
    if (rc == 0)
        rc = str_fields(obj, "registration", keys, outs, PS_ARRAY_LEN(keys), e);
    if (rc == 0)
        rc = opt_bool(&r.registration_complete, obj, "registration", "registration_complete", e);
    if (rc == 0)
        rc = opt_bool(&r.canceled, obj, "registration", "canceled", e);
    if (rc == 0)
        rc = opt_bool(&r.paid, obj, "registration", "paid", e);
    if (rc == 0)
        rc = opt_bool(&r.checked_in, obj, "registration", "checked_in", e);
    if (rc == 0)
        rc = opt_str(&reg_date, obj, "registration", "registration_date", e);
    if (rc == 0)
        rc = opt_str(&upd_date, obj, "registration", "date_updated", e);
    if (rc < 0)
        return rc;
    r.registration_ms = opt_time(reg_date);
    r.updated_ms = opt_time(upd_date);
    r.raw = json_incref(obj);
    *out = r;
    return 0;
}

int pl_parse_event(pl_event_rec *out, json_t *obj, err *e)
{
    static const char *const keys[] = {"event_name", "date", "end_date", "timezone"};
    pl_event_rec ev = {0};
    const char **const outs[] = {&ev.name, &ev.date, &ev.end_date, &ev.timezone};
    const char *upd = NULL;
    int rc = need_object(obj, "event", e);
    if (rc == 0)
        rc = req_str(&ev.code, obj, "event", "code", e);
    if (rc == 0)
        rc = opt_id(&ev.id, obj, "event", "id", e);
    if (rc == 0)
        rc = str_fields(obj, "event", keys, outs, PS_ARRAY_LEN(keys), e);
    if (rc == 0)
        rc = opt_str(&upd, obj, "event", "date_updated", e);
    if (rc < 0)
        return rc;
    ev.updated_ms = opt_time(upd);
    ev.raw = json_incref(obj);
    *out = ev;
    return 0;
}

int pl_parse_member(pl_member *out, json_t *obj, err *e)
{
    static const char *const keys[] = {"code_internal", "first_name", "last_name", "email"};
    pl_member m = {0};
    const char **const outs[] = {&m.code_internal, &m.first_name, &m.last_name, &m.email};
    int rc = need_object(obj, "member", e);
    if (rc == 0)
        rc = req_str(&m.code, obj, "member", "code", e);
    if (rc == 0)
        rc = str_fields(obj, "member", keys, outs, PS_ARRAY_LEN(keys), e);
    if (rc < 0)
        return rc;
    const json_t *meta = json_object_get(obj, "metadata");
    if (meta && !json_is_null(meta) && !json_is_object(meta))
        return err_set(e, ERR_PARSE, "PheedLoop member field 'metadata': expected an object");
    m.metadata = json_is_object(meta) ? meta : NULL;
    m.raw = json_incref(obj);
    *out = m;
    return 0;
}

int pl_parse_tag(pl_tag *out, json_t *obj, err *e)
{
    static const char *const keys[] = {"code", "event", "description"};
    pl_tag t = {0};
    const char **const outs[] = {&t.code, &t.event, &t.description};
    int rc = need_object(obj, "tag", e);
    if (rc == 0)
        rc = req_str(&t.name, obj, "tag", "name", e);
    if (rc == 0)
        rc = opt_id(&t.id, obj, "tag", "id", e);
    if (rc == 0)
        rc = str_fields(obj, "tag", keys, outs, PS_ARRAY_LEN(keys), e);
    if (rc < 0)
        return rc;
    if (!t.code && t.id < 0)
        return err_set(e, ERR_PARSE, "PheedLoop tag without 'code' or 'id'");
    t.raw = json_incref(obj);
    *out = t;
    return 0;
}

int pl_parse_announcement(pl_announcement *out, json_t *obj, err *e)
{
    static const char *const keys[] = {"title", "release_date", "release_time"};
    pl_announcement a = {0};
    const char **const outs[] = {&a.title, &a.release_date, &a.release_time};
    int rc = need_object(obj, "announcement", e);
    if (rc == 0)
        rc = req_str(&a.code, obj, "announcement", "code", e);
    if (rc == 0)
        rc = str_fields(obj, "announcement", keys, outs, PS_ARRAY_LEN(keys), e);
    if (rc < 0)
        return rc;
    a.raw = json_incref(obj);
    *out = a;
    return 0;
}

int pl_parse_hook(pl_hook *out, json_t *obj, err *e)
{
    static const char *const keys[] = {"event", "action", "endpoint"};
    pl_hook h = {0};
    const char **const outs[] = {&h.event, &h.action, &h.endpoint};
    int rc = need_object(obj, "REST hook", e);
    if (rc == 0)
        rc = opt_id(&h.id, obj, "REST hook", "id", e);
    if (rc == 0)
        rc = str_fields(obj, "REST hook", keys, outs, PS_ARRAY_LEN(keys), e);
    if (rc < 0)
        return rc;
    if (h.id < 0)
        return err_set(e, ERR_PARSE, "PheedLoop REST hook without 'id'");
    h.raw = json_incref(obj);
    *out = h;
    return 0;
}

#define RECORD_FREE(fn, type)                                                                      \
    void fn(type *r)                                                                               \
    {                                                                                              \
        if (!r)                                                                                    \
            return;                                                                                \
        json_decref(r->raw);                                                                       \
        memset(r, 0, sizeof *r);                                                                   \
    }

RECORD_FREE(pl_attendee_free, pl_attendee)
RECORD_FREE(pl_registration_free, pl_registration)
RECORD_FREE(pl_event_rec_free, pl_event_rec)
RECORD_FREE(pl_member_free, pl_member)
RECORD_FREE(pl_tag_free, pl_tag)
RECORD_FREE(pl_announcement_free, pl_announcement)
RECORD_FREE(pl_hook_free, pl_hook)

/* ---------------------------------------------------------------- bodies */

static int parse_body(json_t **out, const char *body, size_t len, err *e)
{
    return jsonx_parse(out, body, len, "PheedLoop answer", e);
}

int pl_parse_attendee_body(pl_attendee *out, const char *body, size_t len, err *e)
{
    json_t *j = NULL;
    int rc = parse_body(&j, body, len, e);
    if (rc == 0)
        rc = pl_parse_attendee(out, j, e);
    json_decref(j);
    return rc;
}

int pl_parse_attendee_array(pl_attendee_list *out, const json_t *arr, err *e)
{
    if (!json_is_array(arr))
        return err_set(e, ERR_PARSE, "PheedLoop answer: expected a list of attendees");
    pl_attendee_list l = {NULL, 0};
    size_t n = json_array_size(arr);
    if (n > 0) {
        l.items = calloc(n, sizeof *l.items);
        if (!l.items)
            return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        int rc = pl_parse_attendee(&l.items[i], json_array_get(arr, i), e);
        if (rc < 0) {
            pl_attendee_list_free(&l);
            return err_wrap(e, "attendee %zu: ", i);
        }
        l.n++;
    }
    *out = l;
    return 0;
}

int pl_parse_attendee_array_body(pl_attendee_list *out, const char *body, size_t len, err *e)
{
    json_t *j = NULL;
    int rc = parse_body(&j, body, len, e);
    if (rc == 0)
        rc = pl_parse_attendee_array(out, j, e);
    json_decref(j);
    return rc;
}

void pl_attendee_list_free(pl_attendee_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        pl_attendee_free(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

int pl_parse_list_page(pl_list_page *out, const char *body, size_t len, err *e)
{
    json_t *j = NULL;
    int rc = parse_body(&j, body, len, e);
    if (rc < 0)
        return rc;
    json_t *results = json_object_get(j, "results");
    const json_t *count = json_object_get(j, "count");
    const json_t *next = json_object_get(j, "next");
    if (!json_is_object(j) || !json_is_array(results)) {
        rc = err_set(e, ERR_PARSE, "PheedLoop list: expected {\"count\", \"next\", \"results\"}");
    } else if ((count && !json_is_null(count) && !json_is_integer(count)) ||
               (next && !json_is_null(next) && !json_is_string(next))) {
        rc = err_set(e, ERR_PARSE, "PheedLoop list: 'count' or 'next' of the wrong type");
    } else {
        out->count = json_is_integer(count) ? json_integer_value(count) : -1;
        out->has_next = json_is_string(next) && json_string_length(next) > 0;
        out->results = json_incref(results);
    }
    json_decref(j);
    return rc;
}

void pl_list_page_free(pl_list_page *p)
{
    if (!p)
        return;
    json_decref(p->results);
    memset(p, 0, sizeof *p);
}

bool pl_parse_is_invalid_page(const char *body, size_t len)
{
    json_t *j = NULL;
    if (!body || parse_body(&j, body, len, NULL) < 0)
        return false;
    const char *detail = jsonx_str(j, "detail");
    bool end = detail && strcmp(detail, "Invalid page.") == 0;
    json_decref(j);
    return end;
}

/* An owned array of strings from obj[key]; ERR_PARSE when absent or not all strings. */
static int string_array(json_t **out, json_t *obj, const char *what, const char *key, err *e)
{
    json_t *arr = json_object_get(obj, key);
    if (!json_is_array(arr))
        return err_set(e, ERR_PARSE, "PheedLoop %s: '%s' is not a list", what, key);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v))
            return err_set(e, ERR_PARSE, "PheedLoop %s: '%s' item %zu is not a string", what, key,
                           i);
    }
    *out = json_incref(arr);
    return 0;
}

int pl_parse_attendance(pl_attendance *out, const char *body, size_t len, err *e)
{
    json_t *j = NULL;
    int rc = parse_body(&j, body, len, e);
    pl_attendance a = {NULL, NULL};
    if (rc == 0)
        rc = string_array(&a.checked_in, j, "attendance", "checked_in", e);
    if (rc == 0)
        rc = string_array(&a.not_checked_in, j, "attendance", "not_checked_in", e);
    json_decref(j);
    if (rc < 0) {
        pl_attendance_free(&a);
        return rc;
    }
    *out = a;
    return 0;
}

void pl_attendance_free(pl_attendance *a)
{
    if (!a)
        return;
    json_decref(a->checked_in);
    json_decref(a->not_checked_in);
    a->checked_in = a->not_checked_in = NULL;
}

int pl_parse_codes_result(pl_codes_result *out, const char *body, size_t len, err *e)
{
    json_t *j = NULL;
    int rc = parse_body(&j, body, len, e);
    pl_codes_result r = {{NULL, 0}, NULL};
    if (rc == 0)
        rc = string_array(&r.errored, j, "result", "errored_attendees", e);
    if (rc == 0)
        rc = pl_parse_attendee_array(&r.attendees, json_object_get(j, "attendees"), e);
    json_decref(j);
    if (rc < 0) {
        pl_codes_result_free(&r);
        return rc;
    }
    *out = r;
    return 0;
}

void pl_codes_result_free(pl_codes_result *r)
{
    if (!r)
        return;
    pl_attendee_list_free(&r->attendees);
    json_decref(r->errored);
    r->errored = NULL;
}

/* ---------------------------------------------------------------- error bodies */

/* Appends s with control characters shown as '?', so that a log line stays one line. */
static void add_printable(buf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        buf_addc(out, c < 0x20 || c == 0x7f ? '?' : (char)c);
    }
}

/* "field: msg, msg; other: msg" for one DRF error object. */
static void add_fields(buf *out, json_t *obj, int depth)
{
    const char *key;
    json_t *v;
    bool first = true;
    json_object_foreach(obj, key, v)
    {
        buf_addstr(out, first ? "" : "; ");
        first = false;
        if (strcmp(key, "detail") != 0 && strcmp(key, "non_field_errors") != 0) {
            add_printable(out, key, strlen(key));
            buf_addstr(out, ": ");
        }
        if (json_is_string(v)) {
            add_printable(out, json_string_value(v), json_string_length(v));
        } else if (json_is_array(v)) {
            size_t i;
            json_t *m;
            json_array_foreach(v, i, m)
            {
                buf_addstr(out, i ? ", " : "");
                if (json_is_string(m))
                    add_printable(out, json_string_value(m), json_string_length(m));
                else if (json_is_object(m) && depth < 4)
                    add_fields(out, m, depth + 1);
            }
        } else if (json_is_object(v) && depth < 4) {
            add_fields(out, v, depth + 1);
        }
    }
}

void pl_parse_error_text(buf *out, const char *body, size_t len)
{
    json_t *j = NULL;
    if (!body || len == 0)
        return;
    if (parse_body(&j, body, len, NULL) < 0) {
        add_printable(out, body, PS_MIN(len, 200));
        return;
    }
    if (json_is_object(j)) {
        add_fields(out, j, 0);
    } else if (json_is_array(j)) {
        bool first = true;
        size_t i;
        json_t *item;
        json_array_foreach(j, i, item)
        {
            if (!json_is_object(item) || json_object_size(item) == 0)
                continue;
            buf_addf(out, "%sitem %zu: ", first ? "" : "; ", i);
            first = false;
            add_fields(out, item, 0);
        }
    }
    json_decref(j);
}
