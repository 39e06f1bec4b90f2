/* api_error.c: classifying failed API calls by status, body words and transport failure. */
#include "net/api_error.h"

#include "util/jsonx.h"

/* Bodies past this are not parsed for a message: error answers are small. */
#define API_ERROR_BODY_SCAN_MAX (64 * 1024)

static const char *const kind_names[] = {
    "ok", "auth", "scope", "not_found", "validation", "duplicate", "rate", "transient", "permanent",
};

static const char *const transport_names[] = {
    "none", "connect", "timeout", "reset", "too_large", "tls", "other",
};

const char *api_error_kind_name(api_error_kind kind)
{
    return (unsigned)kind < PS_ARRAY_LEN(kind_names) ? kind_names[kind] : "unknown";
}

const char *api_transport_name(api_transport t)
{
    return (unsigned)t < PS_ARRAY_LEN(transport_names) ? transport_names[t] : "unknown";
}

bool api_error_is_retryable(api_error_kind kind)
{
    return kind == API_ERR_RATE || kind == API_ERR_TRANSIENT;
}

int api_error_code(const api_error *ae)
{
    switch (ae->kind) {
    case API_OK:
        return 0;
    case API_ERR_AUTH:
    case API_ERR_SCOPE:
        return ERR_AUTH;
    case API_ERR_NOT_FOUND:
        return ERR_NOT_FOUND;
    case API_ERR_VALIDATION:
        return ERR_INVALID;
    case API_ERR_DUPLICATE:
        return ERR_CONFLICT;
    case API_ERR_RATE:
        return ERR_LIMIT;
    case API_ERR_TRANSIENT:
        return ERR_NET;
    case API_ERR_PERMANENT:
        break;
    }
    return ae->transport == API_TRANSPORT_TOO_LARGE ? ERR_LIMIT : ERR_IO;
}

static bool ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

/* Appends s to the message, "; "-separated, truncating quietly; control bytes become spaces. */
static void msg_append(api_error *ae, const char *prefix, const char *s)
{
    size_t len = strlen(ae->message);
    int n = snprintf(ae->message + len, sizeof ae->message - len, "%s%s%s", len ? "; " : "",
                     prefix ? prefix : "", prefix ? ": " : "");
    if (n < 0 || (size_t)n >= sizeof ae->message - len)
        return;
    len += (size_t)n;
    for (; *s && len + 1 < sizeof ae->message; s++)
        ae->message[len++] = (unsigned char)*s < 0x20 ? ' ' : *s;
    if (*s) {
        /* Cut short: drop a UTF-8 sequence the cut may have split, so the text stays valid. */
        while (len > 0 && ((unsigned char)ae->message[len - 1] & 0xC0) == 0x80)
            len--;
        if (len > 0 && (unsigned char)ae->message[len - 1] >= 0xC0)
            len--;
    }
    ae->message[len] = '\0';
}

/* A string, or every string of an array of strings. */
static void msg_from_value(api_error *ae, const char *prefix, const json_t *v)
{
    if (json_is_string(v)) {
        msg_append(ae, prefix, json_string_value(v));
        return;
    }
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item) {
        if (json_is_string(item))
            msg_append(ae, i == 0 ? prefix : NULL, json_string_value(item));
    }
}

static void msg_from_json(api_error *ae, json_t *j)
{
    static const char *const keys[] = {"message", "detail", "error_description", "error"};
    for (size_t i = 0; i < PS_ARRAY_LEN(keys); i++) {
        const json_t *v = json_object_get(j, keys[i]);
        if (json_is_string(v) || json_is_array(v)) {
            msg_from_value(ae, NULL, v);
            if (ae->message[0])
                return;
        }
    }
    /* Django REST Framework validation errors: {"field": ["msg", ...], ...} */
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) {
        if (json_is_array(v))
            msg_from_value(ae, key, v);
    }
}

static void copy_id(api_error *ae, const json_t *v)
{
    if (json_is_string(v) && !ae->existing_id[0])
        snprintf(ae->existing_id, sizeof ae->existing_id, "%s", json_string_value(v));
}

/* Text bodies: the first printable run, so that an HTML error page still says something. */
static void msg_from_text(api_error *ae, const char *body, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < sizeof ae->message; i++) {
        unsigned char c = (unsigned char)body[i];
        if (c >= 0x20 && c < 0x7f)
            ae->message[o++] = (char)c;
        else if (o > 0 && ae->message[o - 1] != ' ')
            ae->message[o++] = ' ';
    }
    ae->message[o] = '\0';
}

/* Returns the parsed error object (or NULL), having filled message and existing_id. */
static json_t *read_body(api_error *ae, const char *body, size_t len)
{
    if (!body || len == 0 || len > API_ERROR_BODY_SCAN_MAX)
        return NULL;
    json_t *j = NULL;
    if (jsonx_parse(&j, body, len, "error body", NULL) != 0 || !json_is_object(j)) {
        json_decref(j);
        msg_from_text(ae, body, len);
        return NULL;
    }
    msg_from_json(ae, j);
    copy_id(ae, jsonx_path(j, "meta.contactId"));
    copy_id(ae, jsonx_path(j, "meta.id"));
    return j;
}

static bool says_duplicate(const api_error *ae)
{
    return ci_contains(ae->message, "duplicat") || ci_contains(ae->message, "already exist");
}

static api_error_kind from_transport(api_transport t)
{
    switch (t) {
    case API_TRANSPORT_CONNECT:
    case API_TRANSPORT_TIMEOUT:
    case API_TRANSPORT_RESET:
        return API_ERR_TRANSIENT;
    default:
        return API_ERR_PERMANENT;
    }
}

static api_error_kind from_client_error(const api_error *ae, const json_t *j)
{
    const char *oauth = jsonx_str(j, "error");
    switch (ae->status) {
    case 401:
        return ci_contains(ae->message, "scope") ? API_ERR_SCOPE : API_ERR_AUTH;
    case 403:
        return ci_contains(ae->message, "credential") || ci_contains(ae->message, "authenticat")
                   ? API_ERR_AUTH
                   : API_ERR_SCOPE;
    case 404:
    case 410:
        return API_ERR_NOT_FOUND;
    case 408:
    case 425:
        return API_ERR_TRANSIENT;
    case 409:
        return API_ERR_DUPLICATE;
    case 429:
        return API_ERR_RATE;
    case 400:
    case 422:
        /* OAuth token endpoint: a dead grant or client is an authorization problem. */
        if (oauth && (strcmp(oauth, "invalid_grant") == 0 || strcmp(oauth, "invalid_client") == 0 ||
                      strcmp(oauth, "unauthorized_client") == 0))
            return API_ERR_AUTH;
        return says_duplicate(ae) ? API_ERR_DUPLICATE : API_ERR_VALIDATION;
    default:
        return API_ERR_PERMANENT;
    }
}

void api_error_classify(api_error *out, int status, api_transport transport, const char *body,
                        size_t len)
{
    memset(out, 0, sizeof *out);
    out->status = status;
    out->transport = transport;
    if (transport != API_TRANSPORT_NONE || status == 0) {
        out->kind = transport != API_TRANSPORT_NONE ? from_transport(transport) : API_ERR_TRANSIENT;
        snprintf(out->message, sizeof out->message, "transport: %s", api_transport_name(transport));
        return;
    }
    if (status >= 200 && status < 300) {
        out->kind = API_OK;
        return;
    }
    json_t *j = read_body(out, body, len);
    if (status >= 500)
        out->kind = status == 501 || status == 505 ? API_ERR_PERMANENT : API_ERR_TRANSIENT;
    else if (status >= 400)
        out->kind = from_client_error(out, j);
    else
        out->kind = API_ERR_PERMANENT; /* 1xx/3xx: these APIs never redirect */
    json_decref(j);
    if (!out->message[0])
        snprintf(out->message, sizeof out->message, "HTTP %d", status);
}
