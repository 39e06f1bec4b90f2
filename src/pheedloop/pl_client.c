/* pl_client.c: the PheedLoop client's life cycle and request plumbing: URLs under the
 * organization root, the key and secret headers, one send through the shared HTTP client with
 * the outcome recorded for the caller. */
#include "pheedloop/pl_client_int.h"
#include "net/http_server.h"
#include "util/jsonx.h"
#include "util/log.h"

#include <stdarg.h>

/* ---------------------------------------------------------------- life cycle */

static char *dup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *dup_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* Header values must not be able to start another header. */
static int check_header_value(const char *name, const char *v, err *e)
{
    if (!v || !*v)
        return err_set(e, ERR_CONFIG, "PheedLoop %s is not set", name);
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return err_set(e, ERR_CONFIG, "PheedLoop %s holds a control character", name);
    return 0;
}

static int build_base(pl_client *c, const pl_client_config *cfg, err *e)
{
    const char *base = cfg->base_url && *cfg->base_url ? cfg->base_url : PL_DEFAULT_BASE_URL;
    size_t blen = strlen(base);
    while (blen > 0 && base[blen - 1] == '/')
        blen--;
    buf b;
    buf_init(&b, PLC_PATH_MAX);
    buf_add(&b, base, blen);
    buf_addstr(&b, PL_API_ROOT);
    int rc = plc_path(&b, e, cfg->org_code, (const char *)NULL);
    if (rc < 0) {
        buf_free(&b);
        return err_wrap(e, "PheedLoop org_code: ");
    }
    c->api_base = buf_take(&b);
    return c->api_base ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

static int make_limits(pl_client *c, const pl_client_config *cfg, err *e)
{
    char name[160];
    snprintf(name, sizeof name, "pheedloop:%s", cfg->org_code);
    /* Always a governor, even without a rate of our own: after a 429 it holds every worker back
     * until Retry-After has passed, not only the one that got the answer. */
    governor_config g = {.shared = cfg->shared};
    if (cfg->rate_per_minute > 0) {
        g.max_per_interval = cfg->rate_per_minute;
        g.interval_ms = 60000;
    }
    int rc = governor_new(&c->gov, name, &g, cfg->clock, e);
    if (rc == 0)
        rc = breaker_new(&c->brk, "pheedloop", cfg->breaker, cfg->clock, e);
    return rc;
}

void pl_client_stop_waits(pl_client *c)
{
    if (c)
        governor_shutdown(c->gov);
}

int pl_client_new(pl_client **out, const pl_client_config *cfg, err *e)
{
    if (!cfg || !cfg->org_code || !*cfg->org_code)
        return err_set(e, ERR_CONFIG, "PheedLoop org_code is not set");
    int rc = check_header_value("api_key", cfg->api_key, e);
    if (rc == 0)
        rc = check_header_value("api_secret", cfg->api_secret, e);
    if (rc < 0)
        return rc;
    if (cfg->rate_per_minute < 0 || cfg->page_size < 0 || cfg->page_size > 100000)
        return err_set(e, ERR_CONFIG, "PheedLoop rate or page size out of range");
    pl_client *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(e, ERR_NOMEM, "out of memory");
    c->page_size = cfg->page_size ? cfg->page_size : PL_PAGE_SIZE_DEFAULT;
    c->org = strdup(cfg->org_code);
    c->hdr_key = dup_printf("X-API-KEY: %s", cfg->api_key);
    c->hdr_secret = dup_printf("X-API-SECRET: %s", cfg->api_secret);
    if (!c->org || !c->hdr_key || !c->hdr_secret)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = build_base(c, cfg, e);
    if (rc == 0)
        rc = make_limits(c, cfg, e);
    if (rc == 0 && cfg->http) {
        c->http = cfg->http;
    } else if (rc == 0) {
        rc = http_client_new(&c->http, cfg->http_config, e);
        c->own_http = rc == 0;
    }
    if (rc < 0) {
        pl_client_free(c);
        return rc;
    }
    log_add_secret(cfg->api_key);
    log_add_secret(cfg->api_secret);
    *out = c;
    return 0;
}

int pl_client_from_config(pl_client **out, const config *cfg, http_client *http, err *e)
{
    const config_section *s = config_section_get(cfg, "pheedloop");
    static const char *const need[] = {"org_code", "api_key", "api_secret"};
    for (size_t i = 0; i < PS_ARRAY_LEN(need); i++) {
        const char *v = config_sec_str(s, need[i]);
        if (!v || !*v)
            return err_set(e, ERR_CONFIG,
                           "[pheedloop] %s is not set: put it in the configuration file or "
                           "set PHEEDSYNC_PHEEDLOOP_%s",
                           need[i],
                           i == 0   ? "ORG_CODE"
                           : i == 1 ? "API_KEY"
                                    : "API_SECRET");
    }
    pl_client_config pc = {
        .base_url = config_sec_str(s, "base_url"),
        .org_code = config_sec_str(s, "org_code"),
        .api_key = config_sec_str(s, "api_key"),
        .api_secret = config_sec_str(s, "api_secret"),
        .rate_per_minute = config_sec_int(s, "rate_limit"),
        .http = http,
    };
    return pl_client_new(out, &pc, e);
}

static void free_secret_str(char *s)
{
    if (!s)
        return;
    /* The headers hold the key and the secret: wipe them before the memory goes back. */
    volatile char *v = s;
    while (*v)
        *v++ = '\0';
    free(s);
}

void pl_client_free(pl_client *c)
{
    if (!c)
        return;
    if (c->own_http)
        http_client_free(c->http);
    governor_free(c->gov);
    breaker_free(c->brk);
    free(c->api_base);
    free(c->org);
    free_secret_str(c->hdr_key);
    free_secret_str(c->hdr_secret);
    free(c);
}

const char *pl_client_org(const pl_client *c)
{
    return c->org;
}

json_t *pl_client_state_json(pl_client *c)
{
    return json_pack("{s:s, s:o, s:o}", "organization", c->org, "governor",
                     governor_state_json(c->gov), "breaker", breaker_state_json(c->brk));
}

/* ---------------------------------------------------------------- paths and queries */

int plc_path(buf *out, err *e, ...)
{
    va_list ap;
    va_start(ap, e);
    int rc = 0;
    for (const char *seg = va_arg(ap, const char *); seg && rc == 0;
         seg = va_arg(ap, const char *)) {
        if (!*seg || strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0) {
            rc = err_set(e, ERR_INVALID, "'%s' is not a valid PheedLoop code", seg);
            break;
        }
        rc = http_url_encode(out, seg);
        if (rc == 0)
            rc = buf_addc(out, '/');
        if (rc < 0)
            rc = err_set(e, rc, "PheedLoop path too long");
    }
    va_end(ap);
    return rc;
}

int plc_query(buf *out, const char *key, const char *value, err *e)
{
    bool first = !out->ptr || !strchr(out->ptr, '?');
    int rc = buf_addc(out, first ? '?' : '&');
    if (rc == 0)
        rc = http_url_encode(out, key);
    if (rc == 0)
        rc = buf_addc(out, '=');
    if (rc == 0)
        rc = http_url_encode(out, value);
    return rc < 0 ? err_set(e, rc, "PheedLoop query too long") : 0;
}

/* ---------------------------------------------------------------- sending */

static void record(pl_call *call, const http_client_response *res)
{
    if (!call)
        return;
    call->status = (int)res->status;
    call->error = res->error;
    call->attempts = res->attempts;
    call->retry_after_ms = res->retry_after_ms;
    call->maybe_applied = res->maybe_applied;
}

/* The transport's message, with every field error of a 400 spelled out (the classification
 * keeps only the first). */
static int describe_failure(const http_client_response *res, const plc_req *r, int rc, err *e)
{
    if (res->status != 400 || res->error.kind == API_OK)
        return rc;
    buf msg;
    buf_init(&msg, 400);
    pl_parse_error_text(&msg, res->body.ptr, res->body.len);
    err_set(e, rc, "pheedloop %s: %s (HTTP 400): %s", r->label,
            api_error_kind_name(res->error.kind), buf_cstr(&msg));
    buf_free(&msg);
    return rc;
}

int plc_send(http_client_response *res, pl_client *c, const plc_req *r, pl_call *call, err *e)
{
    buf url;
    buf_init(&url, PLC_PATH_MAX * 2);
    int rc = buf_addstr(&url, c->api_base);
    if (rc == 0)
        rc = buf_addstr(&url, r->path);
    if (rc < 0) {
        buf_free(&url);
        return err_set(e, ERR_INVALID, "pheedloop %s: URL too long", r->label);
    }
    char *body = NULL;
    if (r->body && !(body = jsonx_dumps(r->body))) {
        buf_free(&url);
        return err_set(e, ERR_NOMEM, "pheedloop %s: out of memory", r->label);
    }
    /* The organization closes the label: the request metrics tell organizations apart by it
     * (ops/api_metrics.h). */
    char label[160];
    snprintf(label, sizeof label, "pheedloop %s @%s", r->label, c->org);
    const char *headers[] = {c->hdr_key, c->hdr_secret, "Accept: application/json", NULL};
    http_client_request req = {
        .method = r->method,
        .url = buf_cstr(&url),
        .headers = headers,
        .body = body,
        .body_len = body ? strlen(body) : 0,
        .idempotency = r->idem,
        .gov = c->gov,
        .lane = call ? call->lane : GOVERNOR_LANE_LIVE,
        .brk = c->brk,
        .label = label,
    };
    rc = http_client_send(c->http, &req, res, e);
    record(call, res);
    free(body);
    buf_free(&url);
    if (rc < 0)
        return describe_failure(res, r, rc, e);
    return 0;
}

int plc_send_json(json_t **out, pl_client *c, const plc_req *r, pl_call *call, err *e)
{
    http_client_response res;
    http_client_response_init(&res);
    int rc = plc_send(&res, c, r, call, e);
    json_t *j = NULL;
    if (rc == 0 && jsonx_parse(&j, res.body.ptr, res.body.len, "PheedLoop answer", e) < 0)
        rc = err_wrap(e, "pheedloop %s: ", r->label);
    http_client_response_clear(&res);
    if (rc == 0)
        *out = j;
    return rc;
}

int plc_call(void *out, int (*parse)(void *out, json_t *j, err *e), pl_client *c,
             const char *method, const char *path, const json_t *body, http_idempotency idem,
             const char *label, pl_call *call, err *e)
{
    plc_req r = {method, path, body, idem, label};
    if (!parse) {
        http_client_response res;
        http_client_response_init(&res);
        int rc = plc_send(&res, c, &r, call, e);
        http_client_response_clear(&res);
        return rc;
    }
    json_t *j = NULL;
    int rc = plc_send_json(&j, c, &r, call, e);
    if (rc == 0 && (rc = parse(out, j, e)) < 0) {
        err_wrap(e, "pheedloop %s: ", label);
        /* The service did act: a create made its record even if we cannot read the answer. */
        if (call && strcmp(method, "GET") != 0)
            call->maybe_applied = true;
    }
    json_decref(j);
    return rc;
}

/* ---------------------------------------------------------------- the raw request */

/* A path segment "." or ".." would walk out of the organization's root. */
static bool walks_out(const char *path)
{
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "/?");
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return true;
        if (p[n] != '/')
            break;
        p += n + 1;
    }
    return false;
}

int pl_client_call(char **out_body, size_t *out_len, pl_client *c, const char *method,
                   const char *path, const json_t *body, http_idempotency idem, const char *label,
                   pl_call *call, err *e)
{
    if (!path || path[0] == '/' || walks_out(path))
        return err_set(e, ERR_INVALID, "pheedloop %s: path '%s' is not below the organization",
                       label, path ? path : "");
    plc_req r = {method, path, body, idem, label};
    http_client_response res;
    http_client_response_init(&res);
    int rc = plc_send(&res, c, &r, call, e);
    if (rc == 0 && out_body) {
        *out_len = res.body.len;
        *out_body = buf_take(&res.body);
        if (!*out_body)
            rc = err_set(e, ERR_NOMEM, "out of memory");
    }
    http_client_response_clear(&res);
    return rc;
}

/* ---------------------------------------------------------------- authentication */

int pl_client_validate_auth(json_t **out_answer, pl_client *c, pl_call *call, err *e)
{
    plc_req r = {"GET", "validateauth/", NULL, HTTP_IDEMPOTENT_BY_METHOD, "validateauth"};
    http_client_response res;
    http_client_response_init(&res);
    int rc = plc_send(&res, c, &r, call, e);
    json_t *j = NULL;
    /* The answer's shape is not documented: any 2xx means yes; keep JSON when there is some. */
    if (rc == 0 && out_answer && res.body.len > 0)
        jsonx_parse(&j, res.body.ptr, res.body.len, "PheedLoop answer", NULL);
    http_client_response_clear(&res);
    if (rc == 0 && out_answer)
        *out_answer = j ? j : json_object();
    return rc;
}
