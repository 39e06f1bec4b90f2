/* breaker.c: the circuit breaker: consecutive and windowed failure counts, cool-down, probe. */
#include "net/breaker.h"
#include "util/log.h"

#include <pthread.h>

/* The failure-rate window is kept as this many slots, each a tenth of the window. */
#define SLOTS 10

typedef struct slot {
    int64_t index; /* which slot-length period it counts */
    int calls, failures;
} slot;

struct breaker {
    pthread_mutex_t mu;
    breaker_config cfg;
    clock_source *clk;
    char name[64];
    breaker_state state;
    uint64_t generation;
    int consecutive;
    slot slots[SLOTS];
    int64_t opened_mono, opened_wall, cool_down_ms;
    bool probe_out;
    int64_t probe_started;
    uint64_t opens;
};

const char *breaker_state_name(breaker_state s)
{
    switch (s) {
    case BREAKER_CLOSED:
        return "closed";
    case BREAKER_OPEN:
        return "open";
    case BREAKER_HALF_OPEN:
        return "half_open";
    }
    return "unknown";
}

static void defaults(breaker_config *c)
{
    if (c->consecutive_failures <= 0)
        c->consecutive_failures = 5;
    if (c->window_ms <= 0)
        c->window_ms = 60000;
    if (c->min_calls <= 0)
        c->min_calls = 20;
    if (c->failure_rate <= 0)
        c->failure_rate = 0.5;
    if (c->open_ms <= 0)
        c->open_ms = 30000;
    if (c->max_open_ms < c->open_ms)
        c->max_open_ms = PS_MAX(c->open_ms, (int64_t)300000);
}

int breaker_new(breaker **out, const char *name, const breaker_config *cfg, clock_source *clk,
                err *e)
{
    breaker *b = calloc(1, sizeof *b);
    if (!b)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (cfg)
        b->cfg = *cfg;
    defaults(&b->cfg);
    b->clk = clk ? clk : clock_system();
    snprintf(b->name, sizeof b->name, "%s", name ? name : "");
    b->cool_down_ms = b->cfg.open_ms;
    pthread_mutex_init(&b->mu, NULL);
    *out = b;
    return 0;
}

void breaker_free(breaker *b)
{
    if (!b)
        return;
    pthread_mutex_destroy(&b->mu);
    free(b);
}

static int64_t slot_ms(const breaker *b)
{
    return PS_MAX((int64_t)1, b->cfg.window_ms / SLOTS);
}

static void window_add(breaker *b, int64_t now, bool failure)
{
    int64_t idx = now / slot_ms(b);
    slot *s = &b->slots[idx % SLOTS];
    if (s->index != idx)
        *s = (slot){.index = idx, .calls = 0, .failures = 0};
    s->calls++;
    s->failures += failure;
}

static void window_sum(const breaker *b, int64_t now, int *calls, int *failures)
{
    int64_t idx = now / slot_ms(b);
    *calls = *failures = 0;
    for (int i = 0; i < SLOTS; i++) {
        if (b->slots[i].index > idx - SLOTS && b->slots[i].index <= idx) {
            *calls += b->slots[i].calls;
            *failures += b->slots[i].failures;
        }
    }
}

static void go(breaker *b, breaker_state s)
{
    b->state = s;
    b->generation++;
    b->probe_out = false;
}

static void open_now(breaker *b, int64_t now)
{
    go(b, BREAKER_OPEN);
    b->opened_mono = now;
    b->opened_wall = clock_now_ms(b->clk);
    b->opens++;
    log_write(LOG_WARN, "circuit breaker opened",
              json_pack("{s:s, s:I, s:i}", "service", b->name, "cool_down_ms",
                        (json_int_t)b->cool_down_ms, "consecutive_failures", b->consecutive));
}

static void close_now(breaker *b)
{
    log_write(LOG_INFO, "circuit breaker closed", json_pack("{s:s}", "service", b->name));
    go(b, BREAKER_CLOSED);
    b->consecutive = 0;
    memset(b->slots, 0, sizeof b->slots);
    b->cool_down_ms = b->cfg.open_ms;
}

int breaker_allow(breaker *b, breaker_ticket *out, err *e)
{
    pthread_mutex_lock(&b->mu);
    int64_t now = clock_mono_ms(b->clk);
    if (b->state == BREAKER_OPEN && now - b->opened_mono >= b->cool_down_ms)
        go(b, BREAKER_HALF_OPEN);
    /* A probe that never reported (its caller died) is replaced after another cool-down. */
    if (b->state == BREAKER_HALF_OPEN && b->probe_out && now - b->probe_started >= b->cool_down_ms)
        b->probe_out = false;
    int rc = 0;
    if (b->state == BREAKER_CLOSED) {
        *out = (breaker_ticket){.generation = b->generation, .probe = false};
    } else if (b->state == BREAKER_HALF_OPEN && !b->probe_out) {
        b->probe_out = true;
        b->probe_started = now;
        *out = (breaker_ticket){.generation = b->generation, .probe = true};
    } else if (b->state == BREAKER_OPEN) {
        rc = err_set(e, ERR_BAD_STATE, "service %s is failing: circuit open, next probe in %lld ms",
                     b->name, (long long)(b->cool_down_ms - (now - b->opened_mono)));
    } else {
        rc = err_set(e, ERR_BAD_STATE, "service %s is failing: circuit half-open, a probe is out",
                     b->name);
    }
    pthread_mutex_unlock(&b->mu);
    return rc;
}

static void record_closed(breaker *b, breaker_outcome o, int64_t now)
{
    if (o == BREAKER_NEUTRAL)
        return;
    bool failure = o == BREAKER_FAILURE;
    window_add(b, now, failure);
    b->consecutive = failure ? b->consecutive + 1 : 0;
    if (!failure)
        return;
    int calls, failures;
    window_sum(b, now, &calls, &failures);
    if (b->consecutive >= b->cfg.consecutive_failures ||
        (calls >= b->cfg.min_calls && (double)failures >= b->cfg.failure_rate * calls))
        open_now(b, now);
}

void breaker_record(breaker *b, const breaker_ticket *t, breaker_outcome outcome)
{
    pthread_mutex_lock(&b->mu);
    int64_t now = clock_mono_ms(b->clk);
    if (t->generation == b->generation) {
        if (b->state == BREAKER_CLOSED) {
            record_closed(b, outcome, now);
        } else if (b->state == BREAKER_HALF_OPEN && t->probe) {
            if (outcome == BREAKER_FAILURE) {
                b->cool_down_ms = PS_MIN(b->cool_down_ms * 2, b->cfg.max_open_ms);
                open_now(b, now);
            } else {
                close_now(b);
            }
        }
    }
    pthread_mutex_unlock(&b->mu);
}

breaker_state breaker_get_state(breaker *b)
{
    pthread_mutex_lock(&b->mu);
    int64_t now = clock_mono_ms(b->clk);
    breaker_state s = b->state;
    if (s == BREAKER_OPEN && now - b->opened_mono >= b->cool_down_ms)
        s = BREAKER_HALF_OPEN; /* what the next call would find */
    pthread_mutex_unlock(&b->mu);
    return s;
}

json_t *breaker_state_json(breaker *b)
{
    breaker_state s = breaker_get_state(b);
    pthread_mutex_lock(&b->mu);
    int64_t now = clock_mono_ms(b->clk);
    int calls, failures;
    window_sum(b, now, &calls, &failures);
    json_t *j = json_object();
    json_object_set_new(j, "name", json_string(b->name));
    json_object_set_new(j, "state", json_string(breaker_state_name(s)));
    json_object_set_new(j, "consecutive_failures", json_integer(b->consecutive));
    json_object_set_new(j, "window", json_pack("{s:i, s:i}", "calls", calls, "failures", failures));
    json_object_set_new(j, "opens", json_integer((json_int_t)b->opens));
    json_object_set_new(j, "cool_down_ms", json_integer(b->cool_down_ms));
    if (s != BREAKER_CLOSED) {
        char iso[CLOCK_ISO_LEN];
        clock_format_iso(b->opened_wall, iso);
        json_object_set_new(j, "opened_at", json_string(iso));
    }
    if (s == BREAKER_OPEN)
        json_object_set_new(j, "retry_in_ms",
                            json_integer(b->cool_down_ms - (now - b->opened_mono)));
    pthread_mutex_unlock(&b->mu);
    return j;
}
