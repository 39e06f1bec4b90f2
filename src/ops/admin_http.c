/* admin_http.c: the operator's JSON API and /readyz over the daemon's server; one store handle
 * for every request, used under a lock (operator traffic is light). */
#include "ops/admin_http_int.h"
#include "ops/page.h"
#include "ops/page_series.h"
#include "util/jsonx.h"
#include "util/log.h"

#include <openssl/crypto.h>

int ops_admin_with_store(ops_admin *a, ops_admin_store_fn fn, void *ctx, err *e)
{
    pthread_mutex_lock(&a->mu);
    int rc = a->store ? 0 : store_open(&a->store, a->store_url, a->o.clock, e);
    if (rc == 0)
        rc = fn(a, ctx, e);
    if (rc == ERR_IO) {
        store_close(a->store);
        a->store = NULL;
    }
    pthread_mutex_unlock(&a->mu);
    return rc;
}

static void no_cache(http_response *res)
{
    http_response_header(res, "Cache-Control", "no-store");
    http_response_header(res, "X-Content-Type-Options", "nosniff");
}

static int status_of(int rc)
{
    switch (rc) {
    case ERR_AUTH:
        return 401;
    case ERR_BAD_STATE:
        return 409;
    case ERR_NOT_FOUND:
        return 404;
    case ERR_INVALID:
        return 400;
    case ERR_IO:
        return 503;
    default:
        return 500;
    }
}

/* Answers {"ok": false, "error"} with this status. */
static void fail_with(http_response *res, int status, const err *e)
{
    no_cache(res);
    if (status == 401)
        http_response_header(res, "WWW-Authenticate", "Bearer realm=\"pheedsync\"");
    http_response_json(res, status, json_pack("{s:b, s:s}", "ok", 0, "error", e->msg));
}

void ops_admin_fail(http_response *res, int rc, const err *e)
{
    fail_with(res, status_of(rc), e);
}

void ops_admin_answer(http_response *res, json_t *j)
{
    no_cache(res);
    if (j)
        http_response_json(res, 200, j);
    else
        http_response_json(res, 500, json_pack("{s:b, s:s}", "ok", 0, "error", "out of memory"));
}

bool ops_admin_authorized(ops_admin *a, const http_request *req, http_response *res, bool action)
{
    if (!action && !a->token)
        return true;
    err e = {0};
    int rc = ops_admin_check_bearer(http_request_header(req, "Authorization"), a->token, &e);
    if (rc == 0)
        return true;
    fail_with(res, rc == ERR_BAD_STATE ? 403 : 401, &e); /* 403: no token is configured */
    return false;
}

size_t ops_admin_limit(const http_request *req, size_t def, size_t max)
{
    const char *s = http_request_query(req, "limit");
    char *end = NULL;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || end == s || *end || v <= 0)
        return def;
    return (size_t)PS_MIN((long)max, v);
}

json_t *ops_admin_iso(int64_t ms)
{
    if (ms <= 0)
        return json_null();
    char t[CLOCK_ISO_LEN];
    clock_format_iso(ms, t);
    return json_string(t);
}

/* ------------------------------------------------------------------ health */

typedef struct health_ctx {
    ops_health h;
    ops_status_src src;
} health_ctx;

static int collect(ops_admin *a, void *ctx, err *e)
{
    health_ctx *c = ctx;
    c->src.store = a->store;
    ops_health_collect(&c->h, &c->src);
    return 0;
}

/* Collects the health on the shared handle, or without the store when it cannot be had. */
static void health(ops_admin *a, health_ctx *c)
{
    c->src = (ops_status_src){.ghl = a->o.ghl,
                              .ghl_tokens = a->o.ghl_tokens,
                              .location_id = a->location_id,
                              .pl = a->o.pl,
                              .api = &a->api,
                              .now_ms = clock_now_ms(a->clk),
                              .more = a->o.more,
                              .n_more = a->o.n_more,
                              .link_name = a->o.link_name,
                              .events = a->o.events};
    err e = {0};
    if (ops_admin_with_store(a, collect, c, &e) != 0) {
        c->src.store = NULL;
        c->src.store_error = e.msg;
        ops_health_collect(&c->h, &c->src);
    }
    c->src.store = NULL;
    c->src.store_error = NULL; /* copied into c->h */
}

static void h_readyz(void *ctx, const http_request *req, http_response *res)
{
    health_ctx c;
    health(ctx, &c);
    no_cache(res);
    json_t *j = ops_readiness_json(&c.h);
    http_response_json(res, j && c.h.ready ? 200 : 503, j);
}

static void h_status(void *ctx, const http_request *req, http_response *res)
{
    ops_admin *a = ctx;
    health_ctx c;
    health(a, &c);
    json_t *j = ops_health_json(&c.h, &c.src);
    if (j) {
        json_object_set_new(j, "version", json_string(PHEEDSYNC_VERSION));
        json_object_set_new(j, "admin_token", json_boolean(a->token != NULL));
        json_object_set_new(
            j, "alerts_active",
            json_integer(a->o.watch ? (json_int_t)ops_watch_alerts_active(a->o.watch) : 0));
        json_t *d = a->o.daemon_json ? a->o.daemon_json(a->o.daemon_ctx) : NULL;
        json_object_set_new(j, "daemon", d ? d : json_null());
    }
    ops_admin_answer(res, j);
}

static void h_series(void *ctx, const http_request *req, http_response *res)
{
    ops_admin *a = ctx;
    if (a->o.watch) {
        ops_admin_answer(res, ops_watch_series_json(a->o.watch));
        return;
    }
    ops_series empty;
    ops_series_init(&empty);
    ops_admin_answer(res, ops_series_json(&empty, clock_now_ms(a->clk)));
}

/* ------------------------------------------------------------------ life */

int ops_admin_new(ops_admin **out, const ops_admin_options *o, err *e)
{
    if (!o->store_url || !*o->store_url)
        return err_set(e, ERR_CONFIG, "[store] url: not set");
    ops_admin *a = calloc(1, sizeof *a);
    if (!a)
        return err_set(e, ERR_NOMEM, "out of memory");
    a->o = *o;
    a->clk = o->clock ? o->clock : clock_system();
    pthread_mutex_init(&a->mu, NULL);
    a->store_url = strdup(o->store_url);
    a->token = o->admin_token && *o->admin_token ? strdup(o->admin_token) : NULL;
    a->location_id = o->location_id ? strdup(o->location_id) : NULL;
    int rc = !a->store_url || (o->admin_token && *o->admin_token && !a->token) ||
                     (o->location_id && !a->location_id)
                 ? err_set(e, ERR_NOMEM, "out of memory")
                 : ops_api_metrics_init(&a->api, NULL, e);
    if (rc != 0) {
        ops_admin_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

int ops_admin_mount(ops_admin *a, http_server *srv, err *e)
{
    int rc = http_server_route(srv, "GET", "/readyz", "readyz", h_readyz, a);
    if (rc == 0)
        rc = http_server_route(srv, "GET", "/api/status", "api-status", h_status, a);
    if (rc == 0)
        rc = http_server_route(srv, "GET", "/api/series", "api-series", h_series, a);
    if (rc == 0)
        rc = ops_admin_mount_lists(a, srv);
    if (rc == 0)
        rc = ops_page_mount(srv);
    return rc == 0 ? 0 : err_set(e, ERR_INTERNAL, "cannot route the status page and its API");
}

void ops_admin_free(ops_admin *a)
{
    if (!a)
        return;
    store_close(a->store);
    pthread_mutex_destroy(&a->mu);
    free(a->store_url);
    if (a->token) {
        OPENSSL_cleanse(a->token, strlen(a->token));
        free(a->token);
    }
    free(a->location_id);
    free(a);
}
