/* http_server.h: an HTTP/1.1 server on libmicrohttpd with routing, a body size cap and the raw
 * body kept for signature checks. One thread per connection, so a handler may block. */
#ifndef PHEEDSYNC_HTTP_SERVER_H
#define PHEEDSYNC_HTTP_SERVER_H

#include "util/buf.h"
#include "util/err.h"

#include <jansson.h>

typedef struct http_server http_server;

#define HTTP_MAX_PARAMS 8

/* A request as handlers see it. Strings are owned by the server and valid during the call. */
typedef struct http_request {
    const char *method;       /* "GET", "POST", ... */
    const char *path;         /* URL path, percent-decoded, without the query */
    const char *route;        /* the matched route's name (e.g. "get-contact"), or NULL */
    const char *remote_addr;  /* "127.0.0.1" */
    const unsigned char *body;/* the raw body exactly as received; NUL after the last byte */
    size_t body_len;
    /* Path parameters captured by "{name}" segments of the route pattern. */
    size_t n_params;
    const char *param_names[HTTP_MAX_PARAMS];
    const char *param_values[HTTP_MAX_PARAMS];
    void *conn;               /* the libmicrohttpd connection; for the server only */
} http_request;

/* A header (case-insensitive name) or NULL. */
const char *http_request_header(const http_request *req, const char *name);
/* A query argument, percent-decoded, or NULL. */
const char *http_request_query(const http_request *req, const char *name);
/* Calls fn for each query argument in order; stops early when fn returns false. */
void http_request_each_query(const http_request *req,
                             bool (*fn)(void *ctx, const char *key, const char *value), void *ctx);
/* A path parameter named in the route pattern, or NULL. */
const char *http_request_param(const http_request *req, const char *name);

#define HTTP_MAX_HEADERS 24

/* What a handler answers. The server owns it; handlers fill it in with the setters below. */
typedef struct http_response {
    int status;                      /* 200 unless set */
    buf body;                        /* capped at the server's max_response */
    size_t n_headers;
    char *header_names[HTTP_MAX_HEADERS];
    char *header_values[HTTP_MAX_HEADERS];
    bool reset;                      /* true: close the connection without any answer */
} http_response;

/* Prepares an empty 200 answer whose body may reach max_body bytes (the server does this before
 * calling handlers; tests that call a handler directly do it themselves). */
void http_response_init(http_response *res, size_t max_body);
/* Frees the body and headers. */
void http_response_clear(http_response *res);
/* Adds (or replaces, same name) a response header. */
void http_response_header(http_response *res, const char *name, const char *value);
/* Sets status and a JSON body (Content-Type: application/json); takes ownership of json. */
void http_response_json(http_response *res, int status, json_t *json);
/* Sets status and a text body with the given content type ("text/plain", "text/html"). */
void http_response_text(http_response *res, int status, const char *content_type, const char *text);
/* Sets status and a redirect to location (302 when status is 0). */
void http_response_redirect(http_response *res, int status, const char *location);

typedef void (*http_handler)(void *ctx, const http_request *req, http_response *res);

/* Runs before routing on every request (req->route set when a route matched). Returns true
 * when it answered the request itself (then the route's handler is not called). */
typedef bool (*http_filter)(void *ctx, const http_request *req, http_response *res);
/* Runs after the answer is decided, for counters and logs. */
typedef void (*http_observer)(void *ctx, const http_request *req, const http_response *res);

typedef struct http_server_options {
    const char *bind_addr;   /* default "127.0.0.1" */
    uint16_t port;           /* 0 picks a free port: read it with http_server_port() */
    size_t max_body;         /* request bodies past this answer 413; default 1 MiB */
    size_t max_response;     /* default 16 MiB */
    unsigned connection_timeout_s; /* idle keep-alive connections close after this; default 60 */
} http_server_options;

int http_server_new(http_server **out, const http_server_options *opts, err *e);
/* Registers a route. pattern: "/contacts/{contactId}/tasks" ("{x}" matches one non-empty
 * segment; a literal segment beats a parameter; the trailing slash is significant).
 * name: a stable operation name used in counters. Register before http_server_start(). */
int http_server_route(http_server *srv, const char *method, const char *pattern, const char *name,
                      http_handler handler, void *ctx);
/* Handles everything no route matched (default: 404 JSON
 * {"statusCode":404,"message":"Not found"}). */
void http_server_fallback(http_server *srv, http_handler handler, void *ctx);
void http_server_set_filter(http_server *srv, http_filter filter, void *ctx);
void http_server_set_observer(http_server *srv, http_observer observer, void *ctx);

int http_server_start(http_server *srv, err *e);
/* The port actually bound (after start). */
uint16_t http_server_port(const http_server *srv);
/* Stops accepting, waits for in-flight handlers, releases the port. Safe to call twice. */
void http_server_stop(http_server *srv);
void http_server_free(http_server *srv);

/* Form (application/x-www-form-urlencoded) decoding for bodies: calls fn for each pair, decoded.
 * Returns ERR_PARSE on a malformed escape. */
int http_form_parse(const char *data, size_t len,
                    bool (*fn)(void *ctx, const char *key, const char *value), void *ctx, err *e);
/* Percent-encodes s into out (RFC 3986 unreserved kept). */
int http_url_encode(buf *out, const char *s);

#endif
