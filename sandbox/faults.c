/* faults.c: seeded fault decisions for an emulator (latency, hangs, 5xx, 429, resets) and for
 * its webhooks, plus the configuration's JSON and command-line forms. */
#include "sandbox/faults.h"
#include "util/clock.h"
#include "util/rng.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>

/* The longest latency, jitter, hang or webhook delay accepted (one hour). */
#define FAULT_MAX_MS 3600000

struct sbx_faults {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* signalled by sbx_faults_release */
    rng r;
    sbx_fault_config cfg;
    bool released; /* sticky: once the server is stopping nobody sleeps again */
};

typedef enum field_kind { KIND_SHARE, KIND_MS } field_kind;

typedef struct field_desc {
    const char *name;
    field_kind kind;
    size_t offset;
} field_desc;

static const field_desc fields[] = {
    {"p_5xx", KIND_SHARE, offsetof(sbx_fault_config, p_5xx)},
    {"p_429", KIND_SHARE, offsetof(sbx_fault_config, p_429)},
    {"latency_ms", KIND_MS, offsetof(sbx_fault_config, latency_ms)},
    {"latency_jitter_ms", KIND_MS, offsetof(sbx_fault_config, latency_jitter_ms)},
    {"p_hang", KIND_SHARE, offsetof(sbx_fault_config, p_hang)},
    {"hang_ms", KIND_MS, offsetof(sbx_fault_config, hang_ms)},
    {"p_reset", KIND_SHARE, offsetof(sbx_fault_config, p_reset)},
    {"wh_p_drop", KIND_SHARE, offsetof(sbx_fault_config, wh_p_drop)},
    {"wh_p_duplicate", KIND_SHARE, offsetof(sbx_fault_config, wh_p_duplicate)},
    {"wh_p_reorder", KIND_SHARE, offsetof(sbx_fault_config, wh_p_reorder)},
    {"wh_delay_ms", KIND_MS, offsetof(sbx_fault_config, wh_delay_ms)},
};

void sbx_fault_config_defaults(sbx_fault_config *out)
{
    memset(out, 0, sizeof *out);
    out->hang_ms = 30000;
}

int sbx_faults_new(sbx_faults **out, uint64_t seed, err *e)
{
    sbx_faults *f = calloc(1, sizeof *f);
    if (!f)
        return err_set(e, ERR_NOMEM, "faults: out of memory");
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&f->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&f->mu, NULL);
    rng_seed(&f->r, seed);
    sbx_fault_config_defaults(&f->cfg);
    *out = f;
    return 0;
}

void sbx_faults_free(sbx_faults *f)
{
    if (!f)
        return;
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

void sbx_faults_set(sbx_faults *f, const sbx_fault_config *cfg)
{
    pthread_mutex_lock(&f->mu);
    f->cfg = *cfg;
    pthread_mutex_unlock(&f->mu);
}

void sbx_faults_get(sbx_faults *f, sbx_fault_config *out)
{
    pthread_mutex_lock(&f->mu);
    *out = f->cfg;
    pthread_mutex_unlock(&f->mu);
}

int sbx_faults_update(sbx_faults *f, const json_t *j, sbx_fault_config *out, err *e)
{
    pthread_mutex_lock(&f->mu);
    sbx_fault_config cfg = f->cfg;
    int rc = sbx_fault_config_update(&cfg, j, e);
    if (rc == 0)
        f->cfg = cfg;
    pthread_mutex_unlock(&f->mu);
    if (rc == 0 && out)
        *out = cfg;
    return rc;
}

/* ---- configuration forms ---- */

static const field_desc *find_field(const char *name, size_t len)
{
    for (size_t i = 0; i < PS_ARRAY_LEN(fields); i++)
        if (strlen(fields[i].name) == len && memcmp(fields[i].name, name, len) == 0)
            return &fields[i];
    return NULL;
}

static int unknown_key(err *e, const char *name, size_t len)
{
    char known[256];
    size_t n = 0;
    for (size_t i = 0; i < PS_ARRAY_LEN(fields) && n < sizeof known; i++) {
        int w = snprintf(known + n, sizeof known - n, "%s%s", i ? ", " : "", fields[i].name);
        n += w > 0 ? (size_t)w : 0;
    }
    return err_set(e, ERR_INVALID, "unknown fault setting '%.*s' (known: %s)", (int)PS_MIN(len, 64),
                   name, known);
}

/* Checks v for the field and stores it in cfg. */
static int store_value(sbx_fault_config *cfg, const field_desc *d, double v, err *e)
{
    char *p = (char *)cfg + d->offset;
    if (d->kind == KIND_SHARE) {
        if (!(v >= 0.0 && v <= 1.0))
            return err_set(e, ERR_INVALID, "%s: %g is not a share in [0, 1]", d->name, v);
        memcpy(p, &v, sizeof v);
        return 0;
    }
    if (!(v >= 0.0 && v <= FAULT_MAX_MS) || v != floor(v))
        return err_set(e, ERR_INVALID, "%s: %g is not a whole number of milliseconds in [0, %d]",
                       d->name, v, FAULT_MAX_MS);
    int ms = (int)v;
    memcpy(p, &ms, sizeof ms);
    return 0;
}

int sbx_fault_config_update(sbx_fault_config *cfg, const json_t *j, err *e)
{
    if (!json_is_object(j))
        return err_set(e, ERR_INVALID, "fault settings: expected a JSON object");
    sbx_fault_config next = *cfg;
    const char *key;
    json_t *val;
    /* jansson's iteration API takes a mutable object; nothing is changed here. */
    json_t *obj = (json_t *)(uintptr_t)j;
    json_object_foreach(obj, key, val)
    {
        const field_desc *d = find_field(key, strlen(key));
        if (!d)
            return unknown_key(e, key, strlen(key));
        if (!json_is_number(val))
            return err_set(e, ERR_INVALID, "%s: expected a number", key);
        int rc = store_value(&next, d, json_number_value(val), e);
        if (rc)
            return rc;
    }
    *cfg = next;
    return 0;
}

json_t *sbx_fault_config_json(const sbx_fault_config *cfg)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    for (size_t i = 0; i < PS_ARRAY_LEN(fields); i++) {
        const char *p = (const char *)cfg + fields[i].offset;
        json_t *v;
        if (fields[i].kind == KIND_SHARE) {
            double d;
            memcpy(&d, p, sizeof d);
            v = json_real(d);
        } else {
            int ms;
            memcpy(&ms, p, sizeof ms);
            v = json_integer(ms);
        }
        if (json_object_set_new(j, fields[i].name, v) != 0) {
            json_decref(j);
            return NULL;
        }
    }
    return j;
}

/* One "key=value" item of the command-line form. */
static int parse_item(sbx_fault_config *cfg, const char *item, size_t len, err *e)
{
    const char *eq = memchr(item, '=', len);
    if (!eq)
        return err_set(e, ERR_INVALID, "fault setting '%.*s': expected key=value",
                       (int)PS_MIN(len, 64), item);
    const field_desc *d = find_field(item, (size_t)(eq - item));
    if (!d)
        return unknown_key(e, item, (size_t)(eq - item));
    char num[64];
    size_t vlen = len - (size_t)(eq + 1 - item);
    if (vlen == 0 || vlen >= sizeof num)
        return err_set(e, ERR_INVALID, "%s: expected a number", d->name);
    memcpy(num, eq + 1, vlen);
    num[vlen] = '\0';
    char *end = NULL;
    errno = 0;
    double v = strtod(num, &end);
    if (errno != 0 || end == num || *end != '\0' || isnan(v))
        return err_set(e, ERR_INVALID, "%s: '%s' is not a number", d->name, num);
    return store_value(cfg, d, v, e);
}

int sbx_fault_config_parse(sbx_fault_config *cfg, const char *spec, err *e)
{
    sbx_fault_config next = *cfg;
    const char *p = spec ? spec : "";
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        /* Tolerate spaces around items ("p_5xx=0.1, p_429=0.2"). */
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len) {
            int rc = parse_item(&next, p, len, e);
            if (rc)
                return rc;
        }
        p += len;
        while (*p && *p != ',')
            p++;
        if (*p == ',')
            p++;
    }
    *cfg = next;
    return 0;
}

/* ---- decisions ---- */

/* Sleeps ms on the monotonic clock unless (or until) the faults are released. */
static void pause_ms(sbx_faults *f, int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = clock_mono_deadline(ms);
    pthread_mutex_lock(&f->mu);
    while (!f->released) {
        int rc = pthread_cond_timedwait(&f->cv, &f->mu, &ts);
        if (rc == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&f->mu);
}

/* Draws a fixed number of values per request so that the sequence of decisions depends only on
 * the seed and the number of requests, not on which faults are switched on. */
void sbx_faults_decide(sbx_faults *f, sbx_fault_decision *d)
{
    pthread_mutex_lock(&f->mu);
    const sbx_fault_config *c = &f->cfg;
    double u_jitter = rng_double(&f->r);
    double u_hang = rng_double(&f->r);
    double u_answer = rng_double(&f->r);
    uint64_t kind = rng_below(&f->r, 3);
    d->sleep_ms = c->latency_ms + (int64_t)(u_jitter * (c->latency_jitter_ms + 1));
    d->hang = u_hang < c->p_hang;
    d->hang_ms = c->hang_ms;
    /* One draw splits [0, 1) so that each share is exact even when several are on. */
    static const int fives[] = {500, 502, 503};
    double edge = c->p_reset;
    d->answer = 0;
    if (u_answer < edge)
        d->answer = -1;
    else if (u_answer < (edge += c->p_5xx))
        d->answer = fives[kind];
    else if (u_answer < edge + c->p_429)
        d->answer = 429;
    pthread_mutex_unlock(&f->mu);
}

static void answer_error(http_response *res, int status)
{
    const char *msg = status == 429   ? "Too many requests (injected)"
                      : status == 502 ? "Bad gateway (injected)"
                      : status == 503 ? "Service unavailable (injected)"
                                      : "Internal server error (injected)";
    if (status == 429)
        http_response_header(res, "Retry-After", "1");
    http_response_json(res, status, json_pack("{s:i, s:s}", "statusCode", status, "message", msg));
}

bool sbx_faults_apply(sbx_faults *f, const http_request *req, http_response *res)
{
    (void)req;
    if (!f)
        return false;
    sbx_fault_decision d;
    sbx_faults_decide(f, &d);
    pause_ms(f, d.sleep_ms);
    if (d.hang)
        pause_ms(f, d.hang_ms);
    if (d.answer == 0)
        return false;
    if (d.answer < 0)
        res->reset = true;
    else
        answer_error(res, d.answer);
    return true;
}

void sbx_faults_webhook_fate(sbx_faults *f, sbx_webhook_fate *out)
{
    memset(out, 0, sizeof *out);
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    double u_drop = rng_double(&f->r);
    double u_dup = rng_double(&f->r);
    double u_reorder = rng_double(&f->r);
    out->drop = u_drop < f->cfg.wh_p_drop;
    out->duplicate = !out->drop && u_dup < f->cfg.wh_p_duplicate;
    out->reorder = !out->drop && u_reorder < f->cfg.wh_p_reorder;
    out->delay_ms = out->drop ? 0 : f->cfg.wh_delay_ms;
    pthread_mutex_unlock(&f->mu);
}

void sbx_faults_release(sbx_faults *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    f->released = true;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}
