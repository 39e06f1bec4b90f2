/* http_client_send.c: one call as callers see it: governor slot, breaker, attempt,
 * classification, and the waits between attempts. */
#include "net/http_client_internal.h"

#include "util/jsonx.h"
#include "util/log.h"

static bool is_idempotent(const http_client_request *req)
{
    static const char *const safe[] = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"};
    if (req->idempotency != HTTP_IDEMPOTENT_BY_METHOD)
        return req->idempotency == HTTP_IDEMPOTENT_YES;
    const char *m = req->method ? req->method : "GET";
    for (size_t i = 0; i < PS_ARRAY_LEN(safe); i++)
        if (strcmp(m, safe[i]) == 0)
            return true;
    return false;
}

static bool contains(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return true;
    return false;
}

/* The service's request id: from the configured header, else a top-level "traceId" in a JSON
 * body (HighLevel returns it there); the body is parsed only when it mentions the key. */
static void capture_trace(const http_client *c, http_client_response *res)
{
    const char *h = http_client_response_header(res, c->trace_header);
    if (h) {
        snprintf(res->trace_id, sizeof res->trace_id, "%s", h);
        return;
    }
    if (!res->body.ptr || !contains(res->body.ptr, res->body.len, "\"traceId\""))
        return;
    json_t *j = NULL;
    if (jsonx_parse(&j, res->body.ptr, res->body.len, "answer", NULL) != 0)
        return;
    const char *t = jsonx_str(j, "traceId");
    if (t)
        snprintf(res->trace_id, sizeof res->trace_id, "%s", t);
    json_decref(j);
}

static breaker_outcome health_of(const api_error *ae)
{
    if (ae->kind == API_ERR_TRANSIENT)
        return BREAKER_FAILURE;
    if (ae->kind == API_ERR_RATE || ae->transport != API_TRANSPORT_NONE)
        return BREAKER_NEUTRAL; /* busy, or our side's problem (cap, TLS, URL) */
    return BREAKER_SUCCESS;
}

static void label_of(const http_client_request *req, char *out, size_t n)
{
    if (req->label) {
        snprintf(out, n, "%s", req->label);
        return;
    }
    const char *url = req->url ? req->url : "";
    const char *q = strchr(url, '?');
    int len = (int)(q ? (size_t)(q - url) : strlen(url));
    snprintf(out, n, "%s %.*s", req->method ? req->method : "GET", len, url);
}

/* One line per attempt that did not succeed: what failed, and what happens next. */
static void log_attempt(const http_client_response *res, const char *label, const char *why,
                        bool retry, int64_t wait_ms)
{
    json_t *f = json_pack("{s:s, s:i, s:s, s:I, s:s, s:s, s:b}", "call", label, "attempt",
                          res->attempts, "kind", api_error_kind_name(res->error.kind), "status",
                          (json_int_t)res->status, "error", res->error.message, "next", why,
                          "retry", retry);
    if (f && retry)
        json_object_set_new(f, "wait_ms", json_integer(wait_ms));
    if (f && res->trace_id[0])
        json_object_set_new(f, "trace_id", json_string(res->trace_id));
    log_write(retry ? LOG_WARN : LOG_DEBUG, retry ? "http call retried" : "http call failed", f);
}

static int fail(const http_client_response *res, const char *label, const char *why, err *e)
{
    const api_error *ae = &res->error;
    return err_set(e, api_error_code(ae), "%s: %s (HTTP %ld): %s [%d attempt%s: %s]", label,
                   api_error_kind_name(ae->kind), res->status, ae->message, res->attempts,
                   res->attempts == 1 ? "" : "s", why);
}

static void set_error(http_client_response *res, api_error_kind kind, const char *msg)
{
    http_client_response_reset(res);
    memset(&res->error, 0, sizeof res->error);
    res->error.kind = kind;
    snprintf(res->error.message, sizeof res->error.message, "%.*s",
             (int)sizeof res->error.message - 1, msg); /* cut on purpose */
}

/* Waits for the governor (bounded by the time the policy has left), then asks the breaker. An
 * open breaker is seen before the wait, so that a dead service does not hold up the queue. */
static int admit(const http_client_request *req, int64_t left_ms, governor_ticket *gt,
                 breaker_ticket *bt, http_client_response *res, err *e)
{
    err sub = {0};
    bool have_bt = false;
    if (req->brk && breaker_get_state(req->brk) == BREAKER_OPEN) {
        if (breaker_allow(req->brk, bt, &sub) != 0)
            goto open;
        have_bt = true;
    }
    if (req->gov) {
        int64_t hint = -1;
        int rc = governor_acquire(req->gov, req->lane, PS_MAX((int64_t)0, left_ms), gt, &hint, &sub);
        if (rc) {
            /* A probe ticket taken above lapses by itself after a cool-down. */
            set_error(res, API_ERR_RATE, sub.msg);
            res->retry_after_ms = hint;
            return err_set(e, rc, "%s", sub.msg);
        }
    }
    if (req->brk && !have_bt && breaker_allow(req->brk, bt, &sub) != 0) {
        if (req->gov)
            governor_release(req->gov, gt, &(governor_result){.sent = false, .status = 0, .rate = NULL});
        goto open;
    }
    return 0;
open:
    set_error(res, API_ERR_TRANSIENT, sub.msg);
    res->breaker_open = true;
    return err_set(e, ERR_BAD_STATE, "%s", sub.msg);
}

/* One attempt, reported to the governor and the breaker. */
static bool attempt_once(http_client *c, const http_client_request *req, bool idempotent,
                         governor_ticket *gt, breaker_ticket *bt, http_client_response *res)
{
    http_attempt at;
    http_client_attempt(c, req, idempotent, res, &at);
    res->new_connections += at.new_connections;
    api_error_classify(&res->error, (int)res->status, at.transport, res->body.ptr, res->body.len);
    if (req->gov) {
        governor_result gr = {.sent = at.sent,
                              .status = at.transport == API_TRANSPORT_NONE ? (int)res->status : 0,
                              .rate = &res->rate};
        governor_release(req->gov, gt, &gr);
    }
    if (req->brk)
        breaker_record(req->brk, bt, health_of(&res->error));
    capture_trace(c, res);
    if (c->cfg.observe) {
        http_client_attempt_info info = {.label = req->label,
                                         .method = req->method ? req->method : "GET",
                                         .status = res->status,
                                         .transport = at.transport,
                                         .kind = res->error.kind,
                                         .seconds = at.seconds};
        c->cfg.observe(c->cfg.observe_ctx, &info);
    }
    return at.sent;
}

#define STOPPING_WHY "the http client is shutting down"

static int send_calls(http_client *c, const http_client_request *req, const char *label,
                      http_client_response *res, err *e)
{
    retry_policy policy = req->retry ? *req->retry : c->cfg.retry;
    retry_policy_defaults(&policy);
    bool idempotent = is_idempotent(req);
    int64_t start = clock_mono_ms(c->clk);
    res->attempts = 0;
    res->new_connections = 0;
    res->retry_after_ms = -1;
    res->maybe_applied = res->breaker_open = false;
    for (int attempt = 1;; attempt++) {
        governor_ticket gt;
        breaker_ticket bt;
        int rc = admit(req, policy.max_elapsed_ms - (clock_mono_ms(c->clk) - start), &gt, &bt,
                       res, e);
        if (rc) {
            res->elapsed_ms = clock_mono_ms(c->clk) - start;
            return err_wrap(e, "%s: ", label);
        }
        bool sent = attempt_once(c, req, idempotent, &gt, &bt, res);
        res->attempts = attempt;
        res->elapsed_ms = clock_mono_ms(c->clk) - start;
        if (res->error.kind == API_OK) {
            res->maybe_applied = false;
            return 0;
        }
        if (sent && res->error.kind == API_ERR_TRANSIENT)
            res->maybe_applied = true;
        retry_outcome o = {.kind = res->error.kind, .sent = sent, .idempotent = idempotent,
                           .rate = &res->rate};
        pthread_mutex_lock(&c->rng_mu);
        retry_decision d = retry_decide(&policy, attempt, res->elapsed_ms, &o, &c->rng);
        pthread_mutex_unlock(&c->rng_mu);
        if (http_client_stopping(c)) /* a transfer it dropped, or a retry it would not wait for */
            d = (retry_decision){.retry = false, .why = STOPPING_WHY, .retry_after_ms = -1};
        log_attempt(res, label, d.why, d.retry, d.wait_ms);
        if (!d.retry) {
            res->retry_after_ms = d.retry_after_ms;
            return fail(res, label, d.why, e);
        }
        if (!http_client_pause(c, d.wait_ms)) {
            res->elapsed_ms = clock_mono_ms(c->clk) - start;
            return fail(res, label, STOPPING_WHY, e);
        }
    }
}

int http_client_send(http_client *c, const http_client_request *req, http_client_response *res,
                     err *e)
{
    char label[256];
    label_of(req, label, sizeof label);
    if (!http_client_enter(c)) {
        res->attempts = 0;
        res->maybe_applied = res->breaker_open = false;
        set_error(res, API_ERR_TRANSIENT, STOPPING_WHY);
        return err_set(e, ERR_NET, "%s: %s", label, STOPPING_WHY);
    }
    int rc = send_calls(c, req, label, res, e);
    http_client_leave(c);
    return rc;
}
