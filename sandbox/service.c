/* service.c: the glue in front of an emulator's routes (admin token, faults, guard, counters)
 * and the admin routes every emulator shares. */
#include "sandbox/service.h"
#include "util/jsonx.h"

#define ADMIN_PREFIX "/_sandbox"
#define DRAIN_DEFAULT_MS 5000
#define DRAIN_MAX_MS 60000

static bool is_admin_path(const char *path)
{
    size_t n = strlen(ADMIN_PREFIX);
    return path && strncmp(path, ADMIN_PREFIX, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Compares in time that depends only on the expected token's length. */
static bool token_matches(const char *want, const char *given)
{
    if (!want || !*want || !given)
        return false;
    size_t n = strlen(want);
    size_t m = strnlen(given, n + 1);
    unsigned char diff = (unsigned char)(m != n);
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(want[i] ^ (i < m ? given[i] : 0));
    return diff == 0;
}

static void answer_error(http_response *res, int status, const char *msg)
{
    http_response_json(res, status, json_pack("{s:i, s:s}", "statusCode", status, "message", msg));
}

static bool filter(void *ctx, const http_request *req, http_response *res)
{
    sbx_service *svc = ctx;
    if (is_admin_path(req->path)) {
        if (token_matches(svc->admin_token, http_request_header(req, "X-Sandbox-Token")))
            return false;
        answer_error(res, 401, "Missing or wrong X-Sandbox-Token");
        return true;
    }
    if (sbx_faults_apply(svc->faults, req, res))
        return true;
    return svc->guard && svc->guard(svc->guard_ctx, req, res);
}

static void observer(void *ctx, const http_request *req, const http_response *res)
{
    sbx_service *svc = ctx;
    if (is_admin_path(req->path))
        return;
    /* A reset connection got no status: it counts as 0. */
    sbx_counters_add(svc->counters, req->route ? req->route : "unrouted", req->method,
                     res->reset ? 0 : res->status);
}

/* ---- admin routes ---- */

static void answer_json(http_response *res, json_t *j)
{
    if (j)
        http_response_json(res, 200, j);
    else
        answer_error(res, 500, "out of memory");
}

static void get_faults(void *ctx, const http_request *req, http_response *res)
{
    (void)req;
    sbx_service *svc = ctx;
    sbx_fault_config cfg;
    sbx_fault_config_defaults(&cfg);
    if (svc->faults)
        sbx_faults_get(svc->faults, &cfg);
    answer_json(res, sbx_fault_config_json(&cfg));
}

static void put_faults(void *ctx, const http_request *req, http_response *res)
{
    sbx_service *svc = ctx;
    if (!svc->faults) {
        answer_error(res, 404, "this emulator has no fault injection");
        return;
    }
    err e = {0};
    json_t *j = NULL;
    sbx_fault_config cfg;
    if (jsonx_parse(&j, req->body, req->body_len, "request body", &e) != 0 ||
        sbx_faults_update(svc->faults, j, &cfg, &e) != 0) {
        json_decref(j);
        answer_error(res, 400, e.msg);
        return;
    }
    json_decref(j);
    answer_json(res, sbx_fault_config_json(&cfg));
}

static void get_counters(void *ctx, const http_request *req, http_response *res)
{
    (void)req;
    sbx_service *svc = ctx;
    if (!svc->counters) {
        answer_error(res, 404, "this emulator keeps no counters");
        return;
    }
    answer_json(res, sbx_counters_json(svc->counters));
}

static void reset_counters(void *ctx, const http_request *req, http_response *res)
{
    sbx_service *svc = ctx;
    sbx_counters_reset(svc->counters);
    get_counters(ctx, req, res);
}

static void get_webhooks(void *ctx, const http_request *req, http_response *res)
{
    (void)req;
    sbx_service *svc = ctx;
    if (!svc->webhooks) {
        answer_error(res, 404, "this emulator sends no webhooks");
        return;
    }
    answer_json(res, sbx_webhooks_json(svc->webhooks));
}

/* The optional {"timeout_ms": N} of a drain request. */
static int drain_timeout(int64_t *out, const http_request *req, err *e)
{
    *out = DRAIN_DEFAULT_MS;
    if (req->body_len == 0)
        return 0;
    json_t *j = NULL;
    int rc = jsonx_parse(&j, req->body, req->body_len, "request body", e);
    if (rc == 0 && !json_is_object(j))
        rc = err_set(e, ERR_INVALID, "request body: expected a JSON object");
    if (rc == 0)
        rc = jsonx_get_int(out, j, "timeout_ms", false, e);
    json_decref(j);
    if (rc == 0 && (*out < 0 || *out > DRAIN_MAX_MS))
        rc = err_set(e, ERR_INVALID, "timeout_ms: must be in [0, %d]", DRAIN_MAX_MS);
    return rc;
}

static void drain_webhooks(void *ctx, const http_request *req, http_response *res)
{
    sbx_service *svc = ctx;
    err e = {0};
    int64_t timeout_ms;
    if (drain_timeout(&timeout_ms, req, &e) != 0) {
        answer_error(res, 400, e.msg);
        return;
    }
    bool drained = !svc->webhooks || sbx_webhooks_drain(svc->webhooks, (int)timeout_ms);
    answer_json(res, json_pack("{s:b}", "drained", drained));
}

int sbx_service_mount(sbx_service *svc, http_server *srv, sbx_api_guard guard, void *guard_ctx,
                      err *e)
{
    static const struct {
        const char *method, *pattern, *name;
        http_handler handler;
    } routes[] = {
        {"GET", "/_sandbox/faults", "sandbox-get-faults", get_faults},
        {"PUT", "/_sandbox/faults", "sandbox-put-faults", put_faults},
        {"GET", "/_sandbox/counters", "sandbox-get-counters", get_counters},
        {"POST", "/_sandbox/counters/reset", "sandbox-reset-counters", reset_counters},
        {"GET", "/_sandbox/webhooks", "sandbox-get-webhooks", get_webhooks},
        {"POST", "/_sandbox/webhooks/drain", "sandbox-drain-webhooks", drain_webhooks},
    };
    svc->guard = guard;
    svc->guard_ctx = guard_ctx;
    for (size_t i = 0; i < PS_ARRAY_LEN(routes); i++) {
        int rc = http_server_route(srv, routes[i].method, routes[i].pattern, routes[i].name,
                                   routes[i].handler, svc);
        if (rc)
            return err_set(e, rc, "%s: cannot register the admin route %s %s",
                           svc->name ? svc->name : "sandbox", routes[i].method, routes[i].pattern);
    }
    http_server_set_filter(srv, filter, svc);
    http_server_set_observer(srv, observer, svc);
    return 0;
}
