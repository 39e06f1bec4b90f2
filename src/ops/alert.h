/* alert.h: alerts for the operator: rules from [alert], an evaluator that turns observations
 * into incidents (one alert when a condition starts, one recovery notice when it ends), and their
 * delivery as a JSON POST and/or a shell command, off the caller's thread.
 *
 * How an incident runs: at each observation each condition (per service where it applies)
 * holds (there is trouble), is clear, or is unknown. One that has held for fire_after_ms (0: at
 * once) becomes an incident and fires ONE alert; while it lasts nothing more is sent; once it has
 * been clear for clear_after_ms (0: at once) ONE recovery notice goes out, and trouble after that
 * is a new incident. "Unknown" (a rate measured on fewer than min_calls calls, a figure the caller could
 * not get) neither starts nor ends anything: a quiet night does not resolve an outage, and two
 * failed calls out of three do not page anyone. */
#ifndef PHEEDSYNC_ALERT_H
#define PHEEDSYNC_ALERT_H

#include "util/config.h"
#include "util/err.h"

#include <jansson.h>

typedef struct alert_rules {
    int error_rate_pct;     /* more than this share of calls failed; >= 100: never */
    int rate_429_pct;       /* more than this share of calls were answered 429; >= 100: never */
    bool reauth;            /* a connection needs re-authorization */
    int64_t dead_letters;   /* at least this many dead letters; 0: never */
    int64_t lag_ms;         /* the oldest pending change waited longer; 0: never */
    int64_t min_calls;      /* rates are judged on at least this many calls (default 20) */
    int64_t fire_after_ms;  /* how long a condition holds before it fires (default 0) */
    int64_t clear_after_ms; /* how long it is gone before the recovery (default 0) */
} alert_rules;

/* The defaults of the configuration schema. */
void alert_rules_default(alert_rules *r);
/* The rules of cfg's [alert] section. */
void alert_rules_from_config(alert_rules *out, const config *cfg);

/* Each link's HighLevel and PheedLoop: "ghl", "pheedloop" for the first, "ghl:LINK" after. */
#define ALERT_MAX_SERVICES 32
#define ALERT_NAME_MAX 80

/* One service's figures over the window ([alert] window). */
typedef struct alert_service_obs {
    const char *name;      /* "ghl", "pheedloop", "ghl:LINK", ...; at most ALERT_MAX_SERVICES */
    uint64_t calls;        /* API calls that got an answer or failed in transport */
    uint64_t failures;     /* of which failed (any error, 429 included) */
    uint64_t rate_limited; /* of which were answered 429 */
    int needs_reauth;      /* 1 yes, 0 no, -1 unknown */
} alert_service_obs;

typedef struct alert_obs {
    const alert_service_obs *services;
    size_t n_services;
    int64_t dead_letters; /* operations in the dead-letter queue; -1 unknown */
    int64_t max_lag_ms;   /* age of the oldest change not yet applied; 0 none; -1 unknown */
} alert_obs;

/* Running totals of a service's API calls, as counters keep them (they only grow). */
typedef struct alert_totals {
    uint64_t calls;
    uint64_t failures;
    uint64_t rate_limited;
} alert_totals;

/* Turns running totals sampled now and then into the figures of the last window: what
 * alert_service_obs wants. Pure, not thread-safe (one caller samples). */
typedef struct alert_window alert_window;

int alert_window_new(alert_window **out, int64_t window_ms, err *e);
void alert_window_free(alert_window *w);
/* Records service's totals at now_ms (never decreasing) and returns their increase since the
 * last sample at or before now_ms - window_ms (since the first sample while the history is
 * shorter than the window). Totals that went down (counters started over) start the history
 * over. At most ALERT_MAX_SERVICES services; others get zeros. */
alert_totals alert_window_add(alert_window *w, const char *service, int64_t now_ms,
                              alert_totals totals);

typedef enum alert_condition {
    ALERT_ERROR_RATE,
    ALERT_RATE_429,
    ALERT_REAUTH,
    ALERT_DEAD_LETTERS,
    ALERT_LAG,
} alert_condition;

/* "error_rate", "rate_429", "reauth", "dead_letters", "lag". */
const char *alert_condition_name(alert_condition c);

#define ALERT_TEXT_MAX 256
/* The most events one observation can produce: three per service, two overall. */
#define ALERT_MAX_EVENTS (3 * ALERT_MAX_SERVICES + 2)

typedef struct alert_event {
    bool firing; /* true: the incident starts; false: it is over */
    alert_condition condition;
    char service[ALERT_NAME_MAX]; /* "" for dead letters and lag */
    double value;       /* the figure now: percent, count, or seconds of lag; 1/0 for reauth */
    double threshold;   /* the rule's figure, in the same unit */
    int64_t started_ms; /* when the condition was first seen to hold */
    int64_t at_ms;      /* when this event was decided */
    char text[ALERT_TEXT_MAX]; /* one line for a person */
} alert_event;

typedef struct alert_eval alert_eval;

int alert_eval_new(alert_eval **out, const alert_rules *rules, err *e);
void alert_eval_free(alert_eval *ev);
/* Feeds the figures of now_ms (Unix ms; never decreasing) and writes the events they cause
 * into out (room for ALERT_MAX_EVENTS); returns how many. Pure: no I/O, no clock of its own. */
size_t alert_eval_feed(alert_eval *ev, const alert_obs *obs, int64_t now_ms,
                       alert_event out[ALERT_MAX_EVENTS]);
/* Incidents going on now. */
size_t alert_eval_active(const alert_eval *ev);

/* The event as delivered: {"text", "status": "firing"|"resolved", "condition", "service" (null
 * when none), "value", "threshold", "started_at", "at" (ISO 8601), "host", "source":
 * "pheedsync"}. "text" leads, so a Slack incoming webhook shows it as the message. host may be
 * NULL. NULL on allocation failure. */
json_t *alert_event_json(const alert_event *ev, const char *host);

/* Runs `sh -c command` with input on its standard input (its stdout and stderr are ours) and
 * waits for it at most timeout_ms; past that its whole process group is killed. It is always
 * reaped. *status gets its exit status (128 + signal when a signal ended it). ERR_IO when it
 * could not start, ERR_NET (a timeout) when it had to be killed. */
int alert_command_run(int *status, const char *command, const char *input, size_t len,
                      long timeout_ms, err *e);

typedef struct alert_sender alert_sender;

typedef struct alert_sender_options {
    const char *url;     /* POST target; NULL or "": none */
    const char *command; /* shell command; NULL or "": none */
    long timeout_ms;     /* one delivery (POST, or the command's run); default 10000 */
    size_t queue_max;    /* alerts waiting beyond this are dropped (and logged); default 64 */
} alert_sender_options;

/* Starts the delivery thread. */
int alert_sender_new(alert_sender **out, const alert_sender_options *o, err *e);
/* Queues a copy of alert for delivery to the URL and the command and returns at once; false
 * when the queue was full or the sender is stopping (the alert is dropped and logged). */
bool alert_sender_post(alert_sender *s, const json_t *alert);
/* Waits until everything queued was delivered or given up, at most timeout_ms; true if so. */
bool alert_sender_flush(alert_sender *s, long timeout_ms);
/* Deliveries that succeeded and that failed, per channel (URL, command), since the start. */
void alert_sender_stats(alert_sender *s, uint64_t *url_ok, uint64_t *url_failed,
                        uint64_t *command_ok, uint64_t *command_failed);
/* Gives what is queued one timeout to go out, then stops the thread. NULL is safe. */
void alert_sender_free(alert_sender *s);

/* The evaluator and a sender as [alert] configures them: what the daemon holds. */
typedef struct alert_monitor alert_monitor;

int alert_monitor_new(alert_monitor **out, const config *cfg, err *e);
/* Evaluates obs at now_ms; each event is logged (warn when firing, info when resolved) and
 * queued for delivery. Returns the number of events. */
size_t alert_monitor_feed(alert_monitor *m, const alert_obs *obs, int64_t now_ms);
/* Incidents going on now (alert_eval_active). Call it from the feeding thread. */
size_t alert_monitor_active(const alert_monitor *m);
/* The [alert] window in milliseconds: the span the caller measures rates over. */
int64_t alert_monitor_window_ms(const alert_monitor *m);
alert_sender *alert_monitor_sender(alert_monitor *m);
void alert_monitor_free(alert_monitor *m);

#endif
