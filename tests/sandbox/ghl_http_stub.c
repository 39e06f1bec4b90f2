/* ghl_http_stub.c: the request and response helpers of net/http_server.h, minimal, for unit tests
 * that call handlers' logic without a server. req->conn points to a stub_conn. */
#include "ghl_http_stub.h"

#include <ctype.h>

const char *http_request_header(const http_request *req, const char *name)
{
    const stub_conn *c = req->conn;
    for (size_t i = 0; c && c->headers && c->headers[i]; i += 2)
        if (strcasecmp(c->headers[i], name) == 0)
            return c->headers[i + 1];
    return NULL;
}

const char *http_request_query(const http_request *req, const char *name)
{
    const stub_conn *c = req->conn;
    for (size_t i = 0; c && c->query && c->query[i]; i += 2)
        if (strcmp(c->query[i], name) == 0)
            return c->query[i + 1];
    return NULL;
}

void http_response_header(http_response *res, const char *name, const char *value)
{
    for (size_t i = 0; i < res->n_headers; i++) {
        if (strcasecmp(res->header_names[i], name) == 0) {
            free(res->header_values[i]);
            res->header_values[i] = strdup(value);
            return;
        }
    }
    if (res->n_headers == HTTP_MAX_HEADERS)
        return;
    res->header_names[res->n_headers] = strdup(name);
    res->header_values[res->n_headers++] = strdup(value);
}

void http_response_json(http_response *res, int status, json_t *json)
{
    res->status = status;
    buf_reset(&res->body);
    char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
    buf_addstr(&res->body, text ? text : "null");
    free(text);
    json_decref(json);
    http_response_header(res, "Content-Type", "application/json");
}

void http_response_text(http_response *res, int status, const char *content_type, const char *text)
{
    res->status = status;
    buf_reset(&res->body);
    buf_addstr(&res->body, text);
    http_response_header(res, "Content-Type", content_type);
}

void http_response_redirect(http_response *res, int status, const char *location)
{
    res->status = status ? status : 302;
    http_response_header(res, "Location", location);
}

int http_server_route(http_server *srv, const char *method, const char *pattern, const char *name,
                      http_handler handler, void *ctx)
{
    (void)srv, (void)method, (void)pattern, (void)name, (void)handler, (void)ctx;
    return 0;
}

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

static int decode(buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            buf_addc(out, ' ');
        } else if (s[i] == '%') {
            if (i + 2 >= n)
                return ERR_PARSE;
            if (!isxdigit((unsigned char)s[i + 1]) || !isxdigit((unsigned char)s[i + 2]))
                return ERR_PARSE;
            buf_addc(out, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
            i += 2;
        } else {
            buf_addc(out, s[i]);
        }
    }
    return 0;
}

int http_form_parse(const char *data, size_t len,
                    bool (*fn)(void *ctx, const char *key, const char *value), void *ctx, err *e)
{
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && data[end] != '&')
            end++;
        size_t eq = i;
        while (eq < end && data[eq] != '=')
            eq++;
        buf k, v;
        buf_init(&k, 1 << 20);
        buf_init(&v, 1 << 20);
        int rc = decode(&k, data + i, eq - i);
        if (!rc && eq < end)
            rc = decode(&v, data + eq + 1, end - eq - 1);
        bool go = rc == 0 && (end == i || fn(ctx, buf_cstr(&k), buf_cstr(&v)));
        buf_free(&k);
        buf_free(&v);
        if (rc)
            return err_set(e, ERR_PARSE, "malformed escape");
        if (!go)
            return 0;
        i = end + 1;
    }
    return 0;
}

int http_url_encode(buf *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        int rc = isalnum(c) || strchr("-._~", c) ? buf_addc(out, (char)c)
                                                 : buf_addf(out, "%%%02X", c);
        if (rc)
            return rc;
    }
    return 0;
}

void stub_response_init(http_response *res)
{
    memset(res, 0, sizeof *res);
    res->status = 200;
    buf_init(&res->body, 1 << 20);
}

void stub_response_free(http_response *res)
{
    for (size_t i = 0; i < res->n_headers; i++) {
        free(res->header_names[i]);
        free(res->header_values[i]);
    }
    buf_free(&res->body);
    memset(res, 0, sizeof *res);
}

const char *stub_response_header(const http_response *res, const char *name)
{
    for (size_t i = 0; i < res->n_headers; i++)
        if (strcasecmp(res->header_names[i], name) == 0)
            return res->header_values[i];
    return NULL;
}
