/* http_message.c: what handlers use: request accessors (headers, query, path parameters) and
 * the response setters. */
#include "net/http_server.h"

#include <microhttpd.h>

const char *http_request_header(const http_request *req, const char *name)
{
    if (!req->conn)
        return NULL;
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_request_query(const http_request *req, const char *name)
{
    const char *value = NULL;
    size_t value_len = 0;
    if (!req->conn || MHD_lookup_connection_value_n(req->conn, MHD_GET_ARGUMENT_KIND, name,
                                                    strlen(name), &value, &value_len) != MHD_YES)
        return NULL;
    return value ? value : ""; /* "?flag" has a key and no value */
}

typedef struct query_walk {
    bool (*fn)(void *ctx, const char *key, const char *value);
    void *ctx;
} query_walk;

static enum MHD_Result query_step(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    query_walk *w = cls;
    return w->fn(w->ctx, key, value ? value : "") ? MHD_YES : MHD_NO;
}

void http_request_each_query(const http_request *req,
                             bool (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
    if (!req->conn)
        return;
    query_walk w = {fn, ctx};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, query_step, &w);
}

const char *http_request_param(const http_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_params; i++)
        if (strcmp(req->param_names[i], name) == 0)
            return req->param_values[i];
    return NULL;
}

void http_response_init(http_response *res, size_t max_body)
{
    memset(res, 0, sizeof *res);
    res->status = 200;
    buf_init(&res->body, max_body);
}

void http_response_clear(http_response *res)
{
    buf_free(&res->body);
    for (size_t i = 0; i < res->n_headers; i++) {
        free(res->header_names[i]);
        free(res->header_values[i]);
    }
    res->n_headers = 0;
}

void http_response_header(http_response *res, const char *name, const char *value)
{
    size_t i = 0;
    while (i < res->n_headers && strcasecmp(res->header_names[i], name) != 0)
        i++;
    if (i == HTTP_MAX_HEADERS)
        return; /* full: a handler bug that tests catch by the header's absence */
    char *v = strdup(value);
    char *n = i < res->n_headers ? res->header_names[i] : strdup(name);
    if (!v || !n) {
        free(v);
        if (i == res->n_headers)
            free(n);
        return;
    }
    if (i < res->n_headers) {
        free(res->header_values[i]);
    } else {
        res->header_names[i] = n;
        res->n_headers++;
    }
    res->header_values[i] = v;
}

/* A 500 with a fixed JSON message, for when the handler's own answer cannot be built (it did
 * not fit under the server's max_response, or there was no JSON): better than half an answer. */
static void response_fail(http_response *res, const char *message)
{
    buf_reset(&res->body);
    /* Cannot fail unless max_response is absurdly small; then the body stays empty. */
    buf_addf(&res->body, "{\"statusCode\":500,\"message\":\"%s\"}", message);
    res->status = 500;
    http_response_header(res, "Content-Type", "application/json");
}

static int dump_to_buf(const char *data, size_t size, void *ctx)
{
    return buf_add(ctx, data, size) == 0 ? 0 : -1;
}

void http_response_json(http_response *res, int status, json_t *json)
{
    buf_reset(&res->body);
    if (!json) {
        response_fail(res, "No JSON to answer with");
        return;
    }
    if (json_dump_callback(json, dump_to_buf, &res->body, JSON_COMPACT | JSON_ENCODE_ANY) != 0) {
        json_decref(json);
        response_fail(res, "Response too large");
        return;
    }
    json_decref(json);
    res->status = status;
    http_response_header(res, "Content-Type", "application/json");
}

void http_response_text(http_response *res, int status, const char *content_type, const char *text)
{
    buf_reset(&res->body);
    if (buf_addstr(&res->body, text) != 0) {
        response_fail(res, "Response too large");
        return;
    }
    res->status = status;
    http_response_header(res, "Content-Type", content_type);
}

void http_response_redirect(http_response *res, int status, const char *location)
{
    buf_reset(&res->body);
    res->status = status ? status : 302;
    http_response_header(res, "Location", location);
}
