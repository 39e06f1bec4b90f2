/* pl_attendees.c: PheedLoop attendee operations (single and bulk, the safe-create lookup),
 * registrations since a date, attendance, check-in and check-out. */
#include "pheedloop/pl_client_int.h"
#include "util/clock.h"
#include "util/jsonx.h"

#include <ctype.h>

#define PL_BULK_MAX 1000
#define DAY_MS ((int64_t)24 * 3600 * 1000)

static int parse_attendee(void *out, json_t *j, err *e)
{
    return pl_parse_attendee(out, j, e);
}

static int parse_attendees(void *out, json_t *j, err *e)
{
    return pl_parse_attendee_array(out, j, e);
}

/* events/{event}/{what}/[code/] */
static int event_path(buf *p, const char *event, const char *what, const char *code, err *e)
{
    buf_init(p, PLC_PATH_MAX);
    if (!event)
        return err_set(e, ERR_INVALID, "no PheedLoop event code given");
    return plc_path(p, e, "events", event, what, code, (const char *)NULL);
}

/* A shallow copy of one create body with the welcome emails turned off. */
static json_t *silent_create(const json_t *fields, err *e)
{
    static const char *const flags[] = {"send_app_welcome_email", "send_attendee_portal_welcome",
                                        "send_welcome_virtual_portal_email"};
    if (!json_is_object(fields)) {
        err_set(e, ERR_INVALID, "attendee fields must be a JSON object");
        return NULL;
    }
    /* jansson's copy takes a non-const pointer but does not change the original. */
    json_t *body = json_copy((json_t *)(uintptr_t)fields);
    for (size_t i = 0; body && i < PS_ARRAY_LEN(flags); i++) {
        /* ASSUMED: an absent flag sends the email, so every one is stated explicitly. */
        if (json_object_set_new(body, flags[i], json_false()) < 0) {
            json_decref(body);
            body = NULL;
        }
    }
    if (!body)
        err_set(e, ERR_NOMEM, "out of memory");
    return body;
}

int pl_client_attendees(pl_iter **out, pl_client *c, const char *event, governor_lane lane, err *e)
{
    buf p;
    int rc = event_path(&p, event, "attendees", NULL, e);
    if (rc == 0)
        rc = plc_iter_new(out, c, buf_cstr(&p), "list-attendees", lane, e);
    buf_free(&p);
    return rc;
}

int pl_client_get_attendee(pl_attendee *out, pl_client *c, const char *event, const char *code,
                           pl_call *call, err *e)
{
    buf p;
    int rc = event_path(&p, event, "attendees", code ? code : "", e);
    if (rc == 0)
        rc = plc_call(out, parse_attendee, c, "GET", buf_cstr(&p), NULL, HTTP_IDEMPOTENT_BY_METHOD,
                      "get-attendee", call, e);
    buf_free(&p);
    return rc;
}

int pl_client_create_attendee(pl_attendee *out, pl_client *c, const char *event,
                              const json_t *fields, pl_call *call, err *e)
{
    buf p;
    int rc = event_path(&p, event, "attendees", NULL, e);
    json_t *body = rc == 0 ? silent_create(fields, e) : NULL;
    if (rc == 0 && !body)
        rc = e ? e->code : ERR_INVALID;
    if (rc == 0)
        rc = plc_call(out, parse_attendee, c, "POST", buf_cstr(&p), body, HTTP_IDEMPOTENT_NO,
                      "create-attendee", call, e);
    json_decref(body);
    buf_free(&p);
    return rc;
}

int pl_client_update_attendee(pl_attendee *out, pl_client *c, const char *event, const char *code,
                              const json_t *fields, pl_call *call, err *e)
{
    if (!json_is_object(fields))
        return err_set(e, ERR_INVALID, "attendee fields must be a JSON object");
    buf p;
    int rc = event_path(&p, event, "attendees", code ? code : "", e);
    /* A PATCH of absolute values does the same thing twice: safe to retry. */
    if (rc == 0)
        rc = plc_call(out, parse_attendee, c, "PATCH", buf_cstr(&p), fields, HTTP_IDEMPOTENT_YES,
                      "update-attendee", call, e);
    buf_free(&p);
    return rc;
}

int pl_client_delete_attendee(pl_client *c, const char *event, const char *code, pl_call *call,
                              err *e)
{
    buf p;
    int rc = event_path(&p, event, "attendees", code ? code : "", e);
    if (rc == 0)
        rc = plc_call(NULL, NULL, c, "DELETE", buf_cstr(&p), NULL, HTTP_IDEMPOTENT_BY_METHOD,
                      "delete-attendee", call, e);
    buf_free(&p);
    return rc;
}

static int check_items(const json_t *items, bool need_code, err *e)
{
    if (!json_is_array(items) || json_array_size(items) == 0)
        return err_set(e, ERR_INVALID, "bulk items must be a non-empty JSON array");
    if (json_array_size(items) > PL_BULK_MAX)
        return err_set(e, ERR_INVALID, "PheedLoop takes at most %d items per bulk call",
                       PL_BULK_MAX);
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        if (!json_is_object(item))
            return err_set(e, ERR_INVALID, "bulk item %zu is not a JSON object", i);
        if (need_code && !jsonx_str(item, "code"))
            return err_set(e, ERR_INVALID, "bulk item %zu has no \"code\"", i);
    }
    return 0;
}

int pl_client_bulk_create_attendees(pl_attendee_list *out, pl_client *c, const char *event,
                                    const json_t *items, pl_call *call, err *e)
{
    int rc = check_items(items, false, e);
    if (rc < 0)
        return rc;
    json_t *body = json_array();
    if (!body)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < json_array_size(items); i++) {
        json_t *one = silent_create(json_array_get(items, i), e);
        rc = one ? json_array_append_new(body, one) : ERR_NOMEM;
    }
    buf p;
    buf_init(&p, 0);
    if (rc == 0)
        rc = event_path(&p, event, "attendeesbulk", NULL, e);
    if (rc == 0)
        rc = plc_call(out, parse_attendees, c, "POST", buf_cstr(&p), body, HTTP_IDEMPOTENT_NO,
                      "bulk-create-attendees", call, e);
    json_decref(body);
    buf_free(&p);
    return rc;
}

int pl_client_bulk_update_attendees(pl_attendee_list *out, pl_client *c, const char *event,
                                    const json_t *items, pl_call *call, err *e)
{
    int rc = check_items(items, true, e);
    buf p;
    buf_init(&p, 0);
    if (rc == 0)
        rc = event_path(&p, event, "attendeesbulk", NULL, e);
    if (rc == 0)
        rc = plc_call(out, parse_attendees, c, "PATCH", buf_cstr(&p), items, HTTP_IDEMPOTENT_YES,
                      "bulk-update-attendees", call, e);
    buf_free(&p);
    return rc;
}

/* {"codes": [...]} from a C array. */
static json_t *codes_body(const char *const *codes, size_t n, err *e)
{
    if (n == 0 || n > PL_BULK_MAX) {
        err_set(e, ERR_INVALID, "give 1 to %d attendee codes", PL_BULK_MAX);
        return NULL;
    }
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        if (!codes[i] || json_array_append_new(arr, json_string(codes[i])) < 0) {
            json_decref(arr);
            err_set(e, ERR_INVALID, "attendee code %zu is missing or not UTF-8", i);
            return NULL;
        }
    }
    json_t *body = arr ? json_pack("{s:o}", "codes", arr) : NULL;
    if (!body)
        err_set(e, ERR_NOMEM, "out of memory");
    return body;
}

/* The calls that take codes and answer {"attendees", "errored_attendees"}. */
static int codes_call(pl_codes_result *out, pl_client *c, const char *event, const char *what,
                      const char *method, const char *const *codes, size_t n, http_idempotency idem,
                      const char *label, pl_call *call, err *e)
{
    json_t *body = codes_body(codes, n, e);
    if (!body)
        return e ? e->code : ERR_INVALID;
    buf p;
    int rc = event_path(&p, event, what, NULL, e);
    http_client_response res;
    http_client_response_init(&res);
    plc_req r = {method, buf_cstr(&p), body, idem, label};
    if (rc == 0)
        rc = plc_send(&res, c, &r, call, e);
    if (rc == 0 && (rc = pl_parse_codes_result(out, res.body.ptr, res.body.len, e)) < 0)
        err_wrap(e, "pheedloop %s: ", label);
    http_client_response_clear(&res);
    json_decref(body);
    buf_free(&p);
    return rc;
}

int pl_client_bulk_delete_attendees(pl_codes_result *out, pl_client *c, const char *event,
                                    const char *const *codes, size_t n, pl_call *call, err *e)
{
    return codes_call(out, c, event, "attendeesbulk", "DELETE", codes, n, HTTP_IDEMPOTENT_BY_METHOD,
                      "bulk-delete-attendees", call, e);
}

int pl_client_checkin(pl_codes_result *out, pl_client *c, const char *event,
                      const char *const *codes, size_t n, pl_call *call, err *e)
{
    /* Checking in someone already checked in changes nothing: a repeat is harmless. */
    return codes_call(out, c, event, "checkin", "POST", codes, n, HTTP_IDEMPOTENT_YES, "checkin",
                      call, e);
}

int pl_client_checkout(pl_codes_result *out, pl_client *c, const char *event,
                       const char *const *codes, size_t n, pl_call *call, err *e)
{
    return codes_call(out, c, event, "checkout", "DELETE", codes, n, HTTP_IDEMPOTENT_BY_METHOD,
                      "checkout", call, e);
}

int pl_client_attendance(pl_attendance *out, pl_client *c, const char *event, pl_call *call, err *e)
{
    buf p;
    int rc = event_path(&p, event, "attendance", NULL, e);
    http_client_response res;
    http_client_response_init(&res);
    plc_req r = {"GET", buf_cstr(&p), NULL, HTTP_IDEMPOTENT_BY_METHOD, "attendance"};
    if (rc == 0)
        rc = plc_send(&res, c, &r, call, e);
    if (rc == 0 && (rc = pl_parse_attendance(out, res.body.ptr, res.body.len, e)) < 0)
        err_wrap(e, "pheedloop attendance: ");
    http_client_response_clear(&res);
    buf_free(&p);
    return rc;
}

/* ---------------------------------------------------------------- the safe-create lookup */

/* Trimmed and lower-cased (ASCII), as PheedLoop's importer matches emails. */
static bool email_equals(const char *email, const char *norm)
{
    if (!email)
        return false;
    while (isspace((unsigned char)*email))
        email++;
    size_t len = strlen(email);
    while (len > 0 && isspace((unsigned char)email[len - 1]))
        len--;
    if (len != strlen(norm))
        return false;
    for (size_t i = 0; i < len; i++)
        if (tolower((unsigned char)email[i]) != (unsigned char)norm[i])
            return false;
    return true;
}

int pl_client_find_attendee_by_email(pl_attendee *out, pl_client *c, const char *event,
                                     const char *email_norm, pl_call *call, err *e)
{
    if (!email_norm || !*email_norm)
        return err_set(e, ERR_INVALID, "no email to look for");
    pl_iter *it = NULL;
    int rc = pl_client_attendees(&it, c, event, call ? call->lane : GOVERNOR_LANE_LIVE, e);
    pl_attendee found = {0}, a;
    int matches = 0;
    while (rc == 0 && (rc = pl_iter_next_attendee(&a, it, e)) == 1) {
        rc = 0;
        if (!email_equals(a.email, email_norm)) {
            pl_attendee_free(&a);
            continue;
        }
        if (matches++ == 0)
            found = a;
        else
            pl_attendee_free(&a);
    }
    if (it && call)
        *call = *pl_iter_call(it);
    pl_iter_free(it);
    if (rc == 0 && matches == 0)
        rc = err_set(e, ERR_NOT_FOUND, "no attendee of event %s has that email", event);
    else if (rc == 0 && matches > 1)
        rc = err_set(e, ERR_CONFLICT, "%d attendees of event %s have that email", matches, event);
    if (rc < 0) {
        pl_attendee_free(&found);
        return rc;
    }
    *out = found;
    return 0;
}

/* ---------------------------------------------------------------- registrations */

void pl_client_registrations_from_date(char out[32], int64_t since_ms)
{
    out[0] = '\0';
    if (since_ms <= 0)
        return;
    char d[CLOCK_ISO_LEN];
    /* One day back: see the header. */
    clock_format_date(since_ms > DAY_MS ? since_ms - DAY_MS : 0, d);
    snprintf(out, 32, "%s", d);
}

int pl_client_registrations_since(pl_iter **out, pl_client *c, const char *event, int64_t since_ms,
                                  governor_lane lane, err *e)
{
    buf p;
    int rc = event_path(&p, event, "registrations", NULL, e);
    char from[32];
    pl_client_registrations_from_date(from, since_ms);
    if (rc == 0 && from[0])
        rc = plc_query(&p, "date_updated_gte", from, e);
    if (rc == 0)
        rc = plc_iter_new(out, c, buf_cstr(&p), "list-registrations", lane, e);
    buf_free(&p);
    return rc;
}
