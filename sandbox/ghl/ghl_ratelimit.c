/* ghl_ratelimit.c: per-location burst windows and daily budgets for the HighLevel emulator. */
#include "sandbox/ghl/ghl_ratelimit.h"

#include <pthread.h>

#define DEFAULT_MAX 100
#define DEFAULT_INTERVAL_MS 10000
#define DEFAULT_DAILY 200000
#define DAY_MS INT64_C(86400000)

typedef struct rl_account {
    char *name;
    bool window_open;
    int64_t window_start; /* monotonic ms */
    int64_t window_count;
    int64_t day; /* UTC day number of day_count */
    int64_t day_count;
} rl_account;

struct sbx_ghl_ratelimit {
    pthread_mutex_t mu;
    clock_source *clock;
    sbx_ghl_ratelimit_options opts;
    rl_account *accounts;
    size_t n_accounts, cap_accounts;
    int64_t rejected;
};

static sbx_ghl_ratelimit_options normalized(const sbx_ghl_ratelimit_options *in)
{
    sbx_ghl_ratelimit_options o = {0};
    if (in)
        o = *in;
    if (o.max_per_interval <= 0)
        o.max_per_interval = DEFAULT_MAX;
    if (o.interval_ms <= 0)
        o.interval_ms = DEFAULT_INTERVAL_MS;
    if (o.max_daily <= 0)
        o.max_daily = DEFAULT_DAILY;
    return o;
}

int sbx_ghl_ratelimit_new(sbx_ghl_ratelimit **out, const sbx_ghl_ratelimit_options *opts,
                          clock_source *clock, err *e)
{
    sbx_ghl_ratelimit *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(e, ERR_NOMEM, "rate limiter: out of memory");
    if (pthread_mutex_init(&r->mu, NULL) != 0) {
        free(r);
        return err_set(e, ERR_INTERNAL, "rate limiter: mutex init failed");
    }
    r->clock = clock ? clock : clock_system();
    r->opts = normalized(opts);
    *out = r;
    return 0;
}

static void free_accounts(sbx_ghl_ratelimit *r)
{
    for (size_t i = 0; i < r->n_accounts; i++)
        free(r->accounts[i].name);
    free(r->accounts);
    r->accounts = NULL;
    r->n_accounts = r->cap_accounts = 0;
}

void sbx_ghl_ratelimit_free(sbx_ghl_ratelimit *r)
{
    if (!r)
        return;
    free_accounts(r);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

void sbx_ghl_ratelimit_set(sbx_ghl_ratelimit *r, const sbx_ghl_ratelimit_options *opts)
{
    pthread_mutex_lock(&r->mu);
    r->opts = normalized(opts);
    pthread_mutex_unlock(&r->mu);
}

void sbx_ghl_ratelimit_get(sbx_ghl_ratelimit *r, sbx_ghl_ratelimit_options *out)
{
    pthread_mutex_lock(&r->mu);
    *out = r->opts;
    pthread_mutex_unlock(&r->mu);
}

void sbx_ghl_ratelimit_reset(sbx_ghl_ratelimit *r)
{
    pthread_mutex_lock(&r->mu);
    free_accounts(r);
    r->rejected = 0;
    pthread_mutex_unlock(&r->mu);
}

/* The account's record, created on first use; NULL when out of memory. */
static rl_account *account_get(sbx_ghl_ratelimit *r, const char *name)
{
    for (size_t i = 0; i < r->n_accounts; i++)
        if (strcmp(r->accounts[i].name, name) == 0)
            return &r->accounts[i];
    if (r->n_accounts == r->cap_accounts) {
        size_t cap = r->cap_accounts ? r->cap_accounts * 2 : 8;
        rl_account *p = realloc(r->accounts, cap * sizeof *p);
        if (!p)
            return NULL;
        r->accounts = p;
        r->cap_accounts = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return NULL;
    rl_account *a = &r->accounts[r->n_accounts++];
    *a = (rl_account){.name = copy, .day = -1};
    return a;
}

/* Ends a finished window and starts the next at now; moves the daily count to today. */
static void roll(rl_account *a, const sbx_ghl_ratelimit_options *o, int64_t mono, int64_t wall)
{
    if (!a->window_open || mono - a->window_start >= o->interval_ms) {
        a->window_open = true;
        a->window_start = mono;
        a->window_count = 0;
    }
    int64_t day = wall >= 0 ? wall / DAY_MS : (wall - DAY_MS + 1) / DAY_MS;
    if (day != a->day) {
        a->day = day;
        a->day_count = 0;
    }
}

static void set_int_header(http_response *res, const char *name, int64_t v)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)v);
    http_response_header(res, name, text);
}

static void set_headers(http_response *res, const sbx_ghl_ratelimit_options *o,
                        int64_t window_count, int64_t day_count)
{
    set_int_header(res, "X-RateLimit-Max", o->max_per_interval);
    set_int_header(res, "X-RateLimit-Remaining", PS_MAX(0, o->max_per_interval - window_count));
    set_int_header(res, "X-RateLimit-Interval-Milliseconds", o->interval_ms);
    set_int_header(res, "X-RateLimit-Limit-Daily", o->max_daily);
    set_int_header(res, "X-RateLimit-Daily-Remaining", PS_MAX(0, o->max_daily - day_count));
}

static void too_many(http_response *res)
{
    json_t *body = json_pack("{s:i, s:s}", "statusCode", 429, "message", "Too many requests");
    http_response_json(res, 429, body);
}

bool sbx_ghl_ratelimit_take(sbx_ghl_ratelimit *r, const char *account, http_response *res)
{
    int64_t mono = clock_mono_ms(r->clock);
    int64_t wall = clock_now_ms(r->clock);
    pthread_mutex_lock(&r->mu);
    sbx_ghl_ratelimit_options o = r->opts;
    rl_account *a = account_get(r, account ? account : "");
    if (!a) {
        pthread_mutex_unlock(&r->mu);
        too_many(res); /* out of memory: refusing is the safe answer */
        return false;
    }
    roll(a, &o, mono, wall);
    bool ok = a->window_count < o.max_per_interval && a->day_count < o.max_daily;
    if (ok) {
        a->window_count++;
        a->day_count++;
    } else {
        r->rejected++;
    }
    int64_t wc = a->window_count, dc = a->day_count;
    pthread_mutex_unlock(&r->mu);
    set_headers(res, &o, wc, dc);
    if (!ok)
        too_many(res);
    return ok;
}

json_t *sbx_ghl_ratelimit_state(sbx_ghl_ratelimit *r)
{
    json_t *accounts = json_object();
    pthread_mutex_lock(&r->mu);
    json_t *out = json_pack("{s:i, s:i, s:i, s:I}", "max_per_interval", r->opts.max_per_interval,
                            "interval_ms", r->opts.interval_ms, "max_daily", r->opts.max_daily,
                            "rejected", (json_int_t)r->rejected);
    for (size_t i = 0; i < r->n_accounts && accounts; i++) {
        const rl_account *a = &r->accounts[i];
        json_object_set_new(accounts, a->name,
                            json_pack("{s:I, s:I}", "window_count", (json_int_t)a->window_count,
                                      "day_count", (json_int_t)a->day_count));
    }
    pthread_mutex_unlock(&r->mu);
    if (out && accounts)
        json_object_set_new(out, "accounts", accounts);
    else
        json_decref(accounts);
    return out;
}
