/* breaker.h: a circuit breaker per remote service: after sustained failures it opens (calls
 * fail fast), after a cool-down lets one probe through (half-open), and closes when the probe
 * succeeds. Thread-safe; time comes from an injected clock. */
#ifndef PHEEDSYNC_BREAKER_H
#define PHEEDSYNC_BREAKER_H

#include "util/clock.h"
#include "util/err.h"

#include <jansson.h>

typedef enum breaker_state { BREAKER_CLOSED = 0, BREAKER_OPEN, BREAKER_HALF_OPEN } breaker_state;

typedef enum breaker_outcome {
    BREAKER_SUCCESS = 0, /* the service answered (4xx included: it is up, we were wrong) */
    BREAKER_FAILURE,     /* 5xx, timeout, reset, refused connection */
    BREAKER_NEUTRAL,     /* says nothing of the service's health (429: it is busy, not down) */
} breaker_outcome;

typedef struct breaker_config {
    int consecutive_failures; /* this many failures in a row open it; default 5 */
    int64_t window_ms;        /* the failure-rate window; default 60000 */
    int min_calls;            /* the rate rule needs this many calls in the window; default 20 */
    double failure_rate;      /* opens when failures / calls in the window reach it; default 0.5;
                                 above 1 disables the rate rule */
    int64_t open_ms;          /* first cool-down; default 30000 */
    int64_t max_open_ms;      /* each failed probe doubles the cool-down up to this; default
                                 300000 */
} breaker_config;

/* Given by breaker_allow(), handed back to breaker_record(). */
typedef struct breaker_ticket {
    uint64_t generation; /* outcomes from before a state change are ignored */
    bool probe;
} breaker_ticket;

typedef struct breaker breaker;

/* name labels the service in messages and state ("ghl", "pheedloop"). cfg NULL: defaults;
 * zero fields get defaults. clk NULL: system clock. */
int breaker_new(breaker **out, const char *name, const breaker_config *cfg, clock_source *clk,
                err *e);
void breaker_free(breaker *b);
/* 0 when a call may go (out says whether it is the half-open probe); ERR_BAD_STATE while open or
 * while the probe is out, with the time left in the message. */
int breaker_allow(breaker *b, breaker_ticket *out, err *e);
void breaker_record(breaker *b, const breaker_ticket *t, breaker_outcome outcome);
breaker_state breaker_get_state(breaker *b);
/* "closed", "open", "half_open". */
const char *breaker_state_name(breaker_state s);
/* {"name", "state", "consecutive_failures", "window": {"calls", "failures"}, "opens",
 *  "opened_at" (ISO, while not closed), "retry_in_ms" (while open), "cool_down_ms"} */
json_t *breaker_state_json(breaker *b);

#endif
