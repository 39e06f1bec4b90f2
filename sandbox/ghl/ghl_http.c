/* ghl_http.c: the HighLevel emulator's HTTP helpers: error answers in HighLevel's shapes, body
 * parsing, and the checks that tie a request to a location and a contact. */
#include "sandbox/ghl/ghl_state.h"

#include <errno.h>
#include <stdarg.h>

/* The guard and the handler of one request run on the connection's thread, one after the
 * other, so the token's location travels between them in a thread-local. */
static _Thread_local char tl_location[SBX_GHL_LOC_MAX];

const char *sbx_ghl_token_location(void)
{
    return tl_location;
}

void sbx_ghl_set_token_location(const char *loc)
{
    snprintf(tl_location, sizeof(tl_location), "%s", loc ? loc : "");
}

static json_t *error_body(int status, const char *msg)
{
    json_t *j = json_object();
    json_object_set_new(j, "statusCode", json_integer(status));
    if (status == 422) {
        json_t *arr = json_array();
        json_array_append_new(arr, json_string(msg));
        json_object_set_new(j, "message", arr);
        json_object_set_new(j, "error", json_string("Unprocessable Entity"));
    } else {
        json_object_set_new(j, "message", json_string(msg));
        if (status == 401)
            json_object_set_new(j, "error", json_string("Unauthorized"));
        else if (status == 403)
            json_object_set_new(j, "error", json_string("Forbidden"));
    }
    return j;
}

void sbx_ghl_reply_error(http_response *res, int status, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    http_response_json(res, status, error_body(status, msg));
}

int sbx_ghl_fail_set(sbx_ghl_fail *f, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof(f->message), fmt, ap);
    va_end(ap);
    f->status = status;
    return status == 422 || status == 400 ? ERR_INVALID : ERR_BAD_STATE;
}

void sbx_ghl_fail_clear(sbx_ghl_fail *f)
{
    json_decref(f->meta);
    f->meta = NULL;
    f->status = 0;
    f->message[0] = '\0';
}

void sbx_ghl_reply_fail(http_response *res, sbx_ghl_fail *f)
{
    json_t *j = error_body(f->status ? f->status : 400, f->message);
    if (f->meta) {
        json_object_set(j, "meta", f->meta);
    }
    http_response_json(res, f->status ? f->status : 400, j);
    sbx_ghl_fail_clear(f);
}

json_t *sbx_ghl_body(const http_request *req, http_response *res)
{
    json_t *j = NULL;
    err e = {0};
    if (req->body_len == 0) {
        sbx_ghl_reply_error(res, 400, "request body is required");
        return NULL;
    }
    if (jsonx_parse(&j, req->body, req->body_len, "request body", &e) != 0) {
        sbx_ghl_reply_error(res, 400, "%s", e.msg);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        sbx_ghl_reply_error(res, 400, "request body must be a JSON object");
        return NULL;
    }
    return j;
}

static bool token_allows(const char *loc_id, http_response *res)
{
    const char *tok = sbx_ghl_token_location();
    if (*tok && strcmp(tok, loc_id) != 0) {
        sbx_ghl_reply_error(res, 403, "The token does not have access to this location.");
        return false;
    }
    return true;
}

sbx_ghl_location *sbx_ghl_request_location(sbx_ghl_emu *g, const char *id, int missing_status,
                                           http_response *res)
{
    if (!id || !*id) {
        sbx_ghl_reply_error(res, missing_status, "locationId should not be empty");
        return NULL;
    }
    if (!token_allows(id, res))
        return NULL;
    sbx_ghl_location *l = sbx_ghl_location_find(g, id);
    if (!l)
        sbx_ghl_reply_error(res, 400, "Location not found");
    return l;
}

sbx_ghl_contact *sbx_ghl_request_contact(sbx_ghl_emu *g, const http_request *req,
                                         http_response *res)
{
    sbx_ghl_contact *c = sbx_ghl_contact_get(g, http_request_param(req, "contactId"));
    if (!c) {
        sbx_ghl_reply_error(res, 400, "Contact not found");
        return NULL;
    }
    return token_allows(c->loc->id, res) ? c : NULL;
}

bool sbx_ghl_query_int(const http_request *req, const char *name, int64_t fallback, int64_t *out,
                       http_response *res)
{
    const char *s = http_request_query(req, name);
    if (!s || !*s) {
        *out = fallback;
        return true;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    const char *rest = end;
    /* Numbers such as "20.0" come from clients that print numbers as floats. */
    if (rest != s && *rest == '.') {
        rest++;
        while (*rest == '0')
            rest++;
    }
    if (errno != 0 || end == s || *rest != '\0' || v < 0) {
        sbx_ghl_reply_error(res, 422, "%s must be a non-negative number", name);
        return false;
    }
    *out = v;
    return true;
}
