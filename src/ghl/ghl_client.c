/* ghl_client.c: the HighLevel client's core: per-location budgets, the request with its
 * headers, the 401 refresh-and-retry, and HighLevel's error quirks. */
#include "ghl/ghl_client_int.h"
#include "net/http_server.h"
#include "util/jsonx.h"
#include "util/log.h"

int ghl_client_new(ghl_client **out, const ghl_client_config *cfg, err *e)
{
    if (!cfg->base_url || !*cfg->base_url || !cfg->http || !cfg->tokens)
        return err_set(e, ERR_CONFIG, "the HighLevel client needs base_url, http and tokens");
    ghl_client *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(e, ERR_NOMEM, "out of memory");
    c->cfg = *cfg;
    c->clock = cfg->clock ? cfg->clock : clock_system();
    size_t n = strlen(cfg->base_url);
    while (n && cfg->base_url[n - 1] == '/')
        n--;
    c->base_url = strndup(cfg->base_url, n);
    if (!c->base_url) {
        free(c);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    c->cfg.base_url = c->base_url;
    if (c->cfg.fields_ttl_ms <= 0)
        c->cfg.fields_ttl_ms = 600000;
    if (!c->cfg.gov.max_per_interval && !c->cfg.gov.daily_limit) {
        c->cfg.gov.max_per_interval = 100;
        c->cfg.gov.interval_ms = 10000;
        c->cfg.gov.daily_limit = 200000;
        c->cfg.gov.learn_from_headers = true;
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->fields_mu, NULL);
    *out = c;
    return 0;
}

void ghl_client_free(ghl_client *c)
{
    if (!c)
        return;
    for (ghl_loc *l = c->locs, *next; l; l = next) {
        next = l->next;
        governor_free(l->gov);
        ghl_field_defs_clear(&l->fields);
        free(l->id);
        free(l);
    }
    pthread_mutex_destroy(&c->mu);
    pthread_mutex_destroy(&c->fields_mu);
    free(c->base_url);
    free(c);
}

json_t *ghl_client_state_json(ghl_client *c)
{
    json_t *govs = json_object();
    pthread_mutex_lock(&c->mu);
    for (ghl_loc *l = c->locs; l; l = l->next)
        if (l->gov)
            json_object_set_new(govs, l->id, governor_state_json(l->gov));
    pthread_mutex_unlock(&c->mu);
    return json_pack("{s:o, s:o}", "governors", govs ? govs : json_object(), "breaker",
                     c->cfg.brk ? breaker_state_json(c->cfg.brk) : json_null());
}

void ghl_client_stop_waits(ghl_client *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->stopping = true;
    for (ghl_loc *l = c->locs; l; l = l->next)
        if (l->gov)
            governor_shutdown(l->gov);
    pthread_mutex_unlock(&c->mu);
}

ghl_loc *ghl_client_loc(ghl_client *c, const char *location_id, err *e)
{
    pthread_mutex_lock(&c->mu);
    ghl_loc *l = c->locs;
    while (l && strcmp(l->id, location_id) != 0)
        l = l->next;
    if (!l) {
        l = calloc(1, sizeof *l);
        char name[256];
        snprintf(name, sizeof name, "ghl:%s", location_id);
        if (!l || !(l->id = strdup(location_id)) ||
            (!c->cfg.no_governor &&
             governor_new(&l->gov, name, &c->cfg.gov, c->cfg.clock, e) != 0)) {
            if (l)
                free(l->id);
            free(l);
            pthread_mutex_unlock(&c->mu);
            if (e && !e->code)
                err_set(e, ERR_NOMEM, "out of memory");
            return NULL;
        }
        if (c->stopping && l->gov)
            governor_shutdown(l->gov);
        l->next = c->locs;
        c->locs = l;
    }
    pthread_mutex_unlock(&c->mu);
    return l;
}

int ghl_path_seg(buf *path, const char *segment)
{
    return http_url_encode(path, segment ? segment : "");
}

static bool ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    }
    return false;
}

/* HighLevel answers a missing contact, task or note with 400 "... not found": as retrying or
 * dead-lettering it differ from a malformed request, it is classified as not found. */
static int requalify(ghl_call *call, int rc)
{
    api_error *ae = &call->error;
    if (ae->status == 400 && ae->kind == API_ERR_VALIDATION &&
        ci_contains(ae->message, "not found")) {
        ae->kind = API_ERR_NOT_FOUND;
        return ERR_NOT_FOUND;
    }
    return rc;
}

static void note_response(ghl_call *call, const http_client_response *r)
{
    call->error = r->error;
    call->attempts += r->attempts;
    call->maybe_applied = call->maybe_applied || r->maybe_applied;
    call->retry_after_ms = r->retry_after_ms;
    call->rate = r->rate;
    snprintf(call->trace_id, sizeof call->trace_id, "%s", r->trace_id);
}

/* One send with the given token; the answer stays in r. */
static int send_once(ghl_client *c, const ghl_op *op, governor *gov, const char *method,
                     const char *url, const char *json, const char *token, http_idempotency idem,
                     const char *label, http_client_response *r, err *e)
{
    buf auth;
    buf_init(&auth, 8192);
    buf_addf(&auth, "Authorization: Bearer %s", token);
    const char *headers[] = {buf_cstr(&auth), "Version: " GHL_API_VERSION,
                             "Accept: application/json",
                             json ? "Content-Type: application/json" : NULL, NULL};
    /* The location closes the label: the request metrics tell locations apart by it
     * (ops/api_metrics.h). */
    char wire[192];
    snprintf(wire, sizeof wire, "%s @%s", label, op->location_id);
    http_client_request req = {
        .method = method,
        .url = url,
        .headers = headers,
        .body = json,
        .body_len = json ? strlen(json) : 0,
        .idempotency = idem,
        .gov = gov,
        .lane = op->lane,
        .brk = c->cfg.brk,
        .label = wire,
    };
    int rc = http_client_send(c->cfg.http, &req, r, e);
    char *a = buf_take(&auth);
    crypto_secret_free(a, strlen(a));
    return rc;
}

static int held(ghl_call *call, int rc)
{
    call->held = true;
    call->error.kind = API_ERR_AUTH;
    snprintf(call->error.message, sizeof call->error.message, "needs re-authorization");
    return rc;
}

int ghl_client_call(char **out_body, size_t *out_len, ghl_client *c, const ghl_op *op,
                    const char *method, const char *path, const json_t *body, http_idempotency idem,
                    const char *label, err *e)
{
    ghl_call local, *call = op->call ? op->call : &local;
    memset(call, 0, sizeof *call);
    call->retry_after_ms = -1;
    retry_rate_info_init(&call->rate);
    if (!op->location_id || !*op->location_id)
        return err_set(e, ERR_INVALID, "%s: no location id", label);
    ghl_loc *loc = ghl_client_loc(c, op->location_id, e);
    if (!loc)
        return ERR_NOMEM;
    char *json = body ? jsonx_dumps(body) : NULL;
    if (body && !json)
        return err_set(e, ERR_NOMEM, "out of memory");
    buf url;
    buf_init(&url, 16384);
    buf_addf(&url, "%s%s", c->base_url, path);
    int rc = 0;
    http_client_response r;
    http_client_response_init(&r);
    for (int attempt = 0; attempt < 2; attempt++) {
        char *token = NULL;
        rc = ghl_tokens_access(&token, c->cfg.tokens, op->location_id, e);
        if (rc != 0) {
            /* No token: nothing was sent. Not connected reads as an auth failure; a refresh
             * that failed for now (network, lock) as transient. */
            if (rc == ERR_BAD_STATE)
                rc = held(call, rc);
            else
                call->error.kind = rc == ERR_NOT_FOUND || rc == ERR_AUTH || rc == ERR_PARSE
                                       ? API_ERR_AUTH
                                       : API_ERR_TRANSIENT;
            break;
        }
        http_client_response_clear(&r);
        http_client_response_init(&r);
        rc = send_once(c, op, loc->gov, method, buf_cstr(&url), json, token, idem, label, &r, e);
        note_response(call, &r);
        bool retry = rc != 0 && attempt == 0 && r.status == 401 && r.error.kind == API_ERR_AUTH &&
                     !ghl_tokens_is_pit(c->cfg.tokens);
        if (retry) {
            err re = {0};
            int rr = ghl_tokens_refresh(c->cfg.tokens, op->location_id, token, &re);
            if (rr == 0) {
                call->refreshed = true;
            } else {
                retry = false;
                if (rr == ERR_BAD_STATE)
                    rc = held(call, err_set(e, rr, "%s", re.msg));
                else
                    log_warnf("%s: token refresh after 401 failed: %s", label, re.msg);
            }
        }
        crypto_secret_free(token, strlen(token));
        if (!retry)
            break;
    }
    if (rc == 0 && out_body) {
        *out_len = r.body.len;
        *out_body = buf_take(&r.body);
    } else if (rc != 0 && !call->held) {
        int before = rc;
        rc = requalify(call, rc);
        if (rc != before)
            err_set(e, rc, "%s: %s", label, call->error.message);
    }
    http_client_response_clear(&r);
    buf_free(&url);
    free(json);
    return rc;
}

int ghl_call_parse(void *out, ghl_parse_fn parse, ghl_client *c, const ghl_op *op,
                   const char *method, const char *path, const json_t *body, http_idempotency idem,
                   const char *label, err *e)
{
    char *ans = NULL;
    size_t len = 0;
    int rc = ghl_client_call(&ans, &len, c, op, method, path, body, idem, label, e);
    if (rc != 0)
        return rc;
    rc = parse(out, ans, len, e);
    free(ans);
    if (rc != 0)
        err_wrap(e, "%s: unexpected answer: ", label);
    return rc;
}
