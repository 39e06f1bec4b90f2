/* http_server.c: the libmicrohttpd daemon: per-request state, the body kept under a cap,
 * routing, then filter, handler and observer, and the answer (or a reset). */
#include "net/http_route.h"
#include "net/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <sys/socket.h>

typedef struct route {
    char *method, *pattern, *name;
    http_handler handler;
    void *ctx;
} route;

struct http_server {
    char bind_addr[INET6_ADDRSTRLEN];
    uint16_t port;
    size_t max_body, max_response;
    unsigned timeout_s;
    route *routes;
    size_t n_routes;
    http_handler fallback;
    void *fallback_ctx;
    http_filter filter;
    void *filter_ctx;
    http_observer observer;
    void *observer_ctx;
    struct MHD_Daemon *daemon;
    bool started;
};

/* One request, from its request line to libmicrohttpd's completion notice. */
typedef struct request_state {
    char *target; /* the raw request target, query included */
    bool started, answered, too_large, bad_path;
    size_t received; /* body bytes seen, kept or discarded */
    const route *route;
    buf path, body, params;
    char remote[INET6_ADDRSTRLEN];
    http_request req;
    http_response res;
} request_state;

/* Set on a connection's thread when it resets on purpose, so that libmicrohttpd's complaint
 * about the closed connection is not logged as an error. */
static _Thread_local bool tl_resetting;

/* Bodies a little over the cap are read and dropped so that the client, still sending, gets
 * its 413 instead of a reset; past this many bytes the connection is closed. */
static size_t discard_limit(const http_server *srv)
{
    size_t slack = PS_MAX(srv->max_body, (size_t)64 * 1024);
    return srv->max_body > SIZE_MAX - slack ? SIZE_MAX : srv->max_body + slack;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    http_server *srv = cls;
    tl_resetting = false;
    request_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->target = strdup(uri);
    if (!st->target) {
        free(st);
        return NULL;
    }
    buf_init(&st->body, srv->max_body);
    http_response_init(&st->res, srv->max_response);
    return st;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    request_state *st = *con_cls;
    if (!st)
        return;
    free(st->target);
    buf_free(&st->path);
    buf_free(&st->body);
    buf_free(&st->params);
    http_response_clear(&st->res);
    free(st);
    *con_cls = NULL;
}

static void on_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void on_log(void *cls, const char *fmt, va_list ap)
{
    if (tl_resetting)
        return;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    fprintf(stderr, "http_server: %s%s", line, strchr(line, '\n') ? "" : "\n");
}

static void fill_remote(request_state *st, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, st->remote,
                  sizeof st->remote);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, st->remote,
                  sizeof st->remote);
}

/* Copies the captured names and values into st->params (so they are C strings) and points the
 * request at them. */
static int set_params(request_state *st, const route *r, const http_route_match_result *m)
{
    const char *path = buf_cstr(&st->path);
    buf_init(&st->params, strlen(r->pattern) + st->path.len + 2 * HTTP_MAX_PARAMS);
    size_t offs[2 * HTTP_MAX_PARAMS];
    for (size_t i = 0; i < m->n_caps; i++) {
        const http_route_capture *c = &m->caps[i];
        offs[2 * i] = st->params.len;
        if (buf_add(&st->params, r->pattern + c->name_off, c->name_len) ||
            buf_addc(&st->params, '\0'))
            return ERR_NOMEM;
        offs[2 * i + 1] = st->params.len;
        if (buf_add(&st->params, path + c->value_off, c->value_len) || buf_addc(&st->params, '\0'))
            return ERR_NOMEM;
    }
    for (size_t i = 0; i < m->n_caps; i++) {
        st->req.param_names[i] = st->params.ptr + offs[2 * i];
        st->req.param_values[i] = st->params.ptr + offs[2 * i + 1];
    }
    st->req.n_params = m->n_caps;
    return 0;
}

/* The most specific route for this method and path; the first registered wins a tie. */
static void resolve_route(const http_server *srv, request_state *st, const char *method)
{
    http_route_match_result best = {0}, m;
    const route *winner = NULL;
    for (size_t i = 0; i < srv->n_routes; i++) {
        const route *r = &srv->routes[i];
        if (strcmp(r->method, method) == 0 &&
            http_route_match(&m, r->pattern, buf_cstr(&st->path), st->path.len) &&
            (!winner || m.rank > best.rank)) {
            winner = r;
            best = m;
        }
    }
    if (winner && set_params(st, winner, &best) == 0) {
        st->route = winner;
        st->req.route = winner->name;
    }
}

static void answer_error(http_response *res, int status, const char *body)
{
    http_response_text(res, status, "application/json", body);
}

static enum MHD_Result send_answer(request_state *st, struct MHD_Connection *conn)
{
    http_response *res = &st->res;
    if (res->reset) {
        tl_resetting = true;
        return MHD_NO; /* libmicrohttpd closes the connection without answering */
    }
    size_t len = res->body.len;
    char *data = buf_take(&res->body);
    struct MHD_Response *mr = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!mr) {
        free(data);
        return MHD_NO;
    }
    for (size_t i = 0; i < res->n_headers; i++)
        MHD_add_response_header(mr, res->header_names[i], res->header_values[i]);
    unsigned status = res->status >= 100 && res->status <= 599 ? (unsigned)res->status : 500;
    enum MHD_Result ok = MHD_queue_response(conn, status, mr);
    MHD_destroy_response(mr);
    return ok;
}

static void observe(http_server *srv, request_state *st)
{
    if (srv->observer)
        srv->observer(srv->observer_ctx, &st->req, &st->res);
}

static void dispatch(http_server *srv, request_state *st)
{
    http_request *req = &st->req;
    http_response *res = &st->res;
    if (srv->filter && srv->filter(srv->filter_ctx, req, res))
        return;
    if (st->route)
        st->route->handler(st->route->ctx, req, res);
    else if (srv->fallback)
        srv->fallback(srv->fallback_ctx, req, res);
    else
        answer_error(res, 404, "{\"statusCode\":404,\"message\":\"Not found\"}");
}

static enum MHD_Result finish_request(http_server *srv, request_state *st,
                                      struct MHD_Connection *conn)
{
    st->answered = true;
    st->req.body = st->body.ptr ? (const unsigned char *)st->body.ptr : (const unsigned char *)"";
    st->req.body_len = st->body.len;
    if (st->too_large)
        answer_error(&st->res, 413, "{\"message\":\"Request body too large\"}");
    else if (st->bad_path)
        answer_error(&st->res, 400, "{\"statusCode\":400,\"message\":\"Bad request path\"}");
    else
        dispatch(srv, st);
    observe(srv, st);
    return send_answer(st, conn);
}

static enum MHD_Result begin_request(http_server *srv, request_state *st,
                                     struct MHD_Connection *conn, const char *method)
{
    st->started = true;
    st->req.method = method;
    st->req.conn = conn;
    st->req.remote_addr = st->remote;
    st->req.body = (const unsigned char *)"";
    fill_remote(st, conn);
    size_t raw_len = strcspn(st->target, "?");
    buf_init(&st->path, raw_len);
    st->bad_path = http_path_decode(&st->path, st->target, raw_len, NULL) != 0;
    st->req.path = buf_cstr(&st->path);
    if (!st->bad_path)
        resolve_route(srv, st, method);

    /* A declared length far over the cap is refused before the body is read. */
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (cl) {
        char *end = NULL;
        unsigned long long n = strtoull(cl, &end, 10);
        if (end != cl && n > discard_limit(srv)) {
            st->too_large = true;
            return finish_request(srv, st, conn);
        }
    }
    return MHD_YES;
}

/* Keeps the body up to max_body; past it, drops bytes up to discard_limit, then gives up. */
static enum MHD_Result take_body(http_server *srv, request_state *st, const char *data, size_t n)
{
    st->received = n > SIZE_MAX - st->received ? SIZE_MAX : st->received + n;
    if (!st->too_large && buf_add(&st->body, data, n) != 0) {
        st->too_large = true;
        buf_free(&st->body);
    }
    return st->too_large && st->received > discard_limit(srv) ? MHD_NO : MHD_YES;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    http_server *srv = cls;
    request_state *st = *con_cls;
    if (!st)
        return MHD_NO; /* out of memory when the request began */
    if (!st->started)
        return begin_request(srv, st, conn, method);
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        return st->answered ? MHD_YES : take_body(srv, st, upload_data, n);
    }
    if (st->answered)
        return MHD_YES;
    return finish_request(srv, st, conn);
}

int http_server_new(http_server **out, const http_server_options *opts, err *e)
{
    http_server_options o = opts ? *opts : (http_server_options){0};
    const char *addr = o.bind_addr && *o.bind_addr ? o.bind_addr : "127.0.0.1";
    if (strlen(addr) >= INET6_ADDRSTRLEN)
        return err_set(e, ERR_CONFIG, "bind address '%s' is not an IP address", addr);
    http_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return err_set(e, ERR_NOMEM, "http server: out of memory");
    snprintf(srv->bind_addr, sizeof srv->bind_addr, "%s", addr);
    srv->port = o.port;
    srv->max_body = o.max_body ? o.max_body : (size_t)1024 * 1024;
    srv->max_response = o.max_response ? o.max_response : (size_t)16 * 1024 * 1024;
    srv->timeout_s = o.connection_timeout_s ? o.connection_timeout_s : 60;
    *out = srv;
    return 0;
}

int http_server_route(http_server *srv, const char *method, const char *pattern, const char *name,
                      http_handler handler, void *ctx)
{
    if (srv->started)
        return ERR_BAD_STATE;
    if (!method || !*method || !name || !handler || http_route_check(pattern, NULL) != 0)
        return ERR_INVALID;
    route *grown = realloc(srv->routes, (srv->n_routes + 1) * sizeof *grown);
    if (!grown)
        return ERR_NOMEM;
    srv->routes = grown;
    route *r = &srv->routes[srv->n_routes];
    *r = (route){strdup(method), strdup(pattern), strdup(name), handler, ctx};
    if (!r->method || !r->pattern || !r->name) {
        free(r->method);
        free(r->pattern);
        free(r->name);
        return ERR_NOMEM;
    }
    srv->n_routes++;
    return 0;
}

void http_server_fallback(http_server *srv, http_handler handler, void *ctx)
{
    srv->fallback = handler;
    srv->fallback_ctx = ctx;
}

void http_server_set_filter(http_server *srv, http_filter filter, void *ctx)
{
    srv->filter = filter;
    srv->filter_ctx = ctx;
}

void http_server_set_observer(http_server *srv, http_observer observer, void *ctx)
{
    srv->observer = observer;
    srv->observer_ctx = ctx;
}

/* Fills ss from the bind address and port; *v6 tells libmicrohttpd which family. */
static int bind_sockaddr(struct sockaddr_storage *ss, bool *v6, const http_server *srv, err *e)
{
    memset(ss, 0, sizeof *ss);
    const char *addr = strcmp(srv->bind_addr, "localhost") == 0 ? "127.0.0.1" : srv->bind_addr;
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons(srv->port);
        *v6 = false;
        return 0;
    }
    if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(srv->port);
        *v6 = true;
        return 0;
    }
    return err_set(e, ERR_CONFIG, "bind address '%s' is not an IPv4 or IPv6 address", addr);
}

int http_server_start(http_server *srv, err *e)
{
    if (srv->started)
        return err_set(e, ERR_BAD_STATE, "http server: already started");
    struct sockaddr_storage ss;
    bool v6 = false;
    int rc = bind_sockaddr(&ss, &v6, srv, e);
    if (rc)
        return rc;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    /* The logger goes first so that it sees the messages about the other options. */
    srv->daemon = MHD_start_daemon(flags, srv->port, NULL, NULL, on_access, srv,
                                   MHD_OPTION_EXTERNAL_LOGGER, on_log, srv, MHD_OPTION_SOCK_ADDR,
                                   (struct sockaddr *)&ss, MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
                                   MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                                   MHD_OPTION_CONNECTION_TIMEOUT, srv->timeout_s, MHD_OPTION_END);
    if (!srv->daemon)
        return err_set(e, ERR_IO, "http server: cannot listen on %s port %u (in use?)",
                       srv->bind_addr, (unsigned)srv->port);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (info)
        srv->port = info->port;
    srv->started = true;
    return 0;
}

uint16_t http_server_port(const http_server *srv)
{
    return srv->port;
}

void http_server_stop(http_server *srv)
{
    if (srv && srv->daemon) {
        MHD_stop_daemon(srv->daemon); /* joins every connection thread */
        srv->daemon = NULL;
    }
}

void http_server_free(http_server *srv)
{
    if (!srv)
        return;
    http_server_stop(srv);
    for (size_t i = 0; i < srv->n_routes; i++) {
        free(srv->routes[i].method);
        free(srv->routes[i].pattern);
        free(srv->routes[i].name);
    }
    free(srv->routes);
    free(srv);
}
