/* alert_eval.c: the alert rules and the evaluator: conditions become incidents that fire once
 * and recover once. Pure: the caller brings the figures and the time. */
#include "ops/alert.h"

#include <stdarg.h>

#define PER_SERVICE 3 /* error rate, 429 rate, reauth */

typedef enum truth { UNKNOWN, HOLDS, CLEAR } truth;

typedef struct incident {
    bool active;
    int64_t change_ms; /* when the condition last turned (toward firing or clearing); -1 none */
    int64_t started_ms;
} incident;

struct alert_eval {
    alert_rules rules;
    size_t n_services;
    char services[ALERT_MAX_SERVICES][ALERT_NAME_MAX];
    incident per_service[ALERT_MAX_SERVICES][PER_SERVICE];
    incident dead_letters;
    incident lag;
};

/* What one condition looks like at this observation. */
typedef struct reading {
    truth t;
    double value, threshold;
    uint64_t part, whole; /* rates: the counts behind value */
} reading;

void alert_rules_default(alert_rules *r)
{
    *r = (alert_rules){
        .error_rate_pct = 10,
        .rate_429_pct = 5,
        .reauth = true,
        .dead_letters = 1,
        .lag_ms = 15 * 60 * 1000,
        .min_calls = 20,
    };
}

void alert_rules_from_config(alert_rules *out, const config *cfg)
{
    alert_rules_default(out);
    out->error_rate_pct = (int)config_int(cfg, "alert", "error_rate");
    out->rate_429_pct = (int)config_int(cfg, "alert", "rate_429");
    out->reauth = config_bool(cfg, "alert", "reauth");
    out->dead_letters = config_int(cfg, "alert", "dead_letters");
    out->lag_ms = config_int(cfg, "alert", "lag") * 1000;
}

const char *alert_condition_name(alert_condition c)
{
    static const char *const names[] = {"error_rate", "rate_429", "reauth", "dead_letters", "lag"};
    return (size_t)c < PS_ARRAY_LEN(names) ? names[c] : "unknown";
}

int alert_eval_new(alert_eval **out, const alert_rules *rules, err *e)
{
    alert_eval *ev = calloc(1, sizeof *ev);
    if (!ev)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (rules)
        ev->rules = *rules;
    else
        alert_rules_default(&ev->rules);
    incident *all[] = {&ev->dead_letters, &ev->lag};
    for (size_t i = 0; i < PS_ARRAY_LEN(all); i++)
        all[i]->change_ms = -1;
    for (size_t s = 0; s < ALERT_MAX_SERVICES; s++)
        for (size_t c = 0; c < PER_SERVICE; c++)
            ev->per_service[s][c].change_ms = -1;
    *out = ev;
    return 0;
}

void alert_eval_free(alert_eval *ev)
{
    free(ev);
}

size_t alert_eval_active(const alert_eval *ev)
{
    size_t n = ev->dead_letters.active + ev->lag.active;
    for (size_t s = 0; s < ev->n_services; s++)
        for (size_t c = 0; c < PER_SERVICE; c++)
            n += ev->per_service[s][c].active;
    return n;
}

/* The service's slot, claimed on first sight; -1 when the table is full. */
static int service_index(alert_eval *ev, const char *name)
{
    for (size_t i = 0; i < ev->n_services; i++)
        if (!strcmp(ev->services[i], name))
            return (int)i;
    if (ev->n_services == ALERT_MAX_SERVICES)
        return -1;
    snprintf(ev->services[ev->n_services], ALERT_NAME_MAX, "%s", name);
    return (int)ev->n_services++;
}

/* "HighLevel", or "HighLevel (link east)" for "ghl:east" (a link after the first). */
static const char *display(char *out, size_t size, const char *service)
{
    const char *colon = strchr(service, ':');
    size_t n = colon ? (size_t)(colon - service) : strlen(service);
    const char *name = n == 3 && !strncmp(service, "ghl", 3)         ? "HighLevel"
                       : n == 9 && !strncmp(service, "pheedloop", 9) ? "PheedLoop"
                                                                     : NULL;
    if (!name)
        return service;
    snprintf(out, size, colon ? "%s (link %s)" : "%s", name, colon ? colon + 1 : "");
    return out;
}

/* "45s", "12m", "2h5m", "3d4h". */
static void format_span(char *out, size_t size, int64_t ms)
{
    int64_t s = ms / 1000;
    if (s < 60)
        snprintf(out, size, "%llds", (long long)s);
    else if (s < 3600)
        snprintf(out, size, "%lldm", (long long)(s / 60));
    else if (s < 86400)
        snprintf(out, size, "%lldh%lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else
        snprintf(out, size, "%lldd%lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
}

/* The share part/whole against a percent threshold; unknown below min_calls. */
static reading rate_reading(uint64_t part, uint64_t whole, int pct, int64_t min_calls)
{
    reading r = {UNKNOWN, 0, pct, part, whole};
    if (pct >= 100) {
        r.t = CLEAR;
        return r;
    }
    if (whole == 0 || whole < (uint64_t)min_calls)
        return r;
    r.value = 100.0 * (double)part / (double)whole;
    r.t = part * 100 > (uint64_t)pct * whole ? HOLDS : CLEAR;
    return r;
}

/* The event's text; a long service name may cut it short, which an alert can live with. */
__attribute__((format(printf, 2, 3))) static void set_text(alert_event *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->text, ALERT_TEXT_MAX, fmt, ap);
    va_end(ap);
}

static void describe(alert_event *out, const reading *r)
{
    char who_buf[ALERT_NAME_MAX + 32], cmd[ALERT_NAME_MAX + 16];
    const char *who = display(who_buf, sizeof who_buf, out->service);
    const char *colon = strchr(out->service, ':');
    int n = colon ? (int)(colon - out->service) : (int)strlen(out->service);
    snprintf(cmd, sizeof cmd, colon ? "%.*s --link %s" : "%.*s", n, out->service,
             colon ? colon + 1 : "");
    char since[32], th[32], now[32];
    format_span(since, sizeof since, out->at_ms - out->started_ms);
    const char *pre = out->firing ? "" : "Resolved: ";
    switch (out->condition) {
    case ALERT_ERROR_RATE:
    case ALERT_RATE_429:
        set_text(out, "%s%s API calls %s: %.1f%% (%llu of %llu; threshold %.0f%%)%s%s", pre, who,
                 out->condition == ALERT_ERROR_RATE ? "failing" : "rate limited (429)", r->value,
                 (unsigned long long)r->part, (unsigned long long)r->whole, r->threshold,
                 out->firing ? "" : ", lasted ", out->firing ? "" : since);
        break;
    case ALERT_REAUTH:
        if (out->firing)
            set_text(out, "%s connection needs re-authorization: run `pheedsync connect %s`", who,
                     cmd);
        else
            set_text(out,
                     "Resolved: %s connection authorized again, "
                     "lasted %s",
                     who, since);
        break;
    case ALERT_DEAD_LETTERS:
        set_text(out, "%sDead-letter queue holds %.0f operation%s (threshold %.0f)%s%s", pre,
                 r->value, r->value == 1 ? "" : "s", r->threshold,
                 out->firing ? ": see `pheedsync dlq list`" : ", lasted ",
                 out->firing ? "" : since);
        break;
    case ALERT_LAG:
        format_span(th, sizeof th, (int64_t)(r->threshold * 1000));
        format_span(now, sizeof now, (int64_t)(r->value * 1000));
        set_text(out, "%sOldest pending change waited %s (threshold %s)%s%s", pre, now, th,
                 out->firing ? "" : ", lasted ", out->firing ? "" : since);
        break;
    }
}

/* Moves one incident along; true (and *out filled) when it fires or recovers now. */
static bool step(const alert_rules *rules, incident *inc, const reading *r, int64_t now,
                 alert_event *out)
{
    if (r->t == UNKNOWN)
        return false;
    bool wanted = r->t == HOLDS;
    if (wanted == inc->active) {
        inc->change_ms = -1;
        return false;
    }
    if (inc->change_ms < 0)
        inc->change_ms = now;
    int64_t hold = wanted ? rules->fire_after_ms : rules->clear_after_ms;
    if (now - inc->change_ms < hold)
        return false;
    if (wanted)
        inc->started_ms = inc->change_ms;
    inc->active = wanted;
    inc->change_ms = -1;
    out->firing = wanted;
    out->value = r->value;
    out->threshold = r->threshold;
    out->started_ms = inc->started_ms;
    out->at_ms = now;
    describe(out, r);
    return true;
}

static size_t feed_service(alert_eval *ev, const alert_service_obs *so, int64_t now,
                           alert_event *out)
{
    int idx = so->name ? service_index(ev, so->name) : -1;
    if (idx < 0)
        return 0;
    const alert_rules *ru = &ev->rules;
    reading r[PER_SERVICE] = {
        rate_reading(so->failures, so->calls, ru->error_rate_pct, ru->min_calls),
        rate_reading(so->rate_limited, so->calls, ru->rate_429_pct, ru->min_calls),
        {so->needs_reauth < 0             ? UNKNOWN
         : so->needs_reauth && ru->reauth ? HOLDS
                                          : CLEAR,
         so->needs_reauth > 0, 1, 0, 0},
    };
    static const alert_condition conds[PER_SERVICE] = {ALERT_ERROR_RATE, ALERT_RATE_429,
                                                       ALERT_REAUTH};
    size_t n = 0;
    for (size_t c = 0; c < PER_SERVICE; c++) {
        alert_event *ev_out = &out[n];
        memset(ev_out, 0, sizeof *ev_out);
        ev_out->condition = conds[c];
        snprintf(ev_out->service, ALERT_NAME_MAX, "%s", ev->services[idx]);
        n += step(ru, &ev->per_service[idx][c], &r[c], now, ev_out);
    }
    return n;
}

static size_t feed_global(alert_eval *ev, const alert_obs *obs, int64_t now, alert_event *out)
{
    const alert_rules *ru = &ev->rules;
    reading dl = {UNKNOWN, (double)obs->dead_letters, (double)ru->dead_letters, 0, 0};
    if (ru->dead_letters <= 0)
        dl.t = CLEAR;
    else if (obs->dead_letters >= 0)
        dl.t = obs->dead_letters >= ru->dead_letters ? HOLDS : CLEAR;
    reading lag = {UNKNOWN, (double)obs->max_lag_ms / 1000.0, (double)ru->lag_ms / 1000.0, 0, 0};
    if (ru->lag_ms <= 0)
        lag.t = CLEAR;
    else if (obs->max_lag_ms >= 0)
        lag.t = obs->max_lag_ms > ru->lag_ms ? HOLDS : CLEAR;
    size_t n = 0;
    memset(&out[n], 0, sizeof out[n]);
    out[n].condition = ALERT_DEAD_LETTERS;
    n += step(ru, &ev->dead_letters, &dl, now, &out[n]);
    memset(&out[n], 0, sizeof out[n]);
    out[n].condition = ALERT_LAG;
    n += step(ru, &ev->lag, &lag, now, &out[n]);
    return n;
}

size_t alert_eval_feed(alert_eval *ev, const alert_obs *obs, int64_t now_ms,
                       alert_event out[ALERT_MAX_EVENTS])
{
    size_t n = 0;
    /* A name listed twice is seen twice; the room left for the overall conditions stays. */
    for (size_t i = 0; i < obs->n_services && n + PER_SERVICE <= ALERT_MAX_EVENTS - 2; i++)
        n += feed_service(ev, &obs->services[i], now_ms, &out[n]);
    return n + feed_global(ev, obs, now_ms, &out[n]);
}
