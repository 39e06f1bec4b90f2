/* health.h: the daemon's health in one record, for its /readyz, its status page and its alerts:
 * the store (reachable, queue depths, sync lag) and each service (its grant, its circuit
 * breaker, its request budget, its API totals), from what the process holds, with no API call
 * and on any thread (`pheedsync status`, ops/status.h, is the command's report, with probes).
 *
 * Ready (GET /readyz) means exactly:
 *   store      a count query on the store succeeds (it opens, its schema is current, it reads);
 *   HighLevel  when configured: the location's grant is stored and not marked needs_reauth (a
 *              Private Integration Token always passes), and its circuit breaker is not open;
 *   PheedLoop  when configured: its circuit breaker is not open (its key and secret have no
 *              expiry to watch).
 * A half-open breaker (one probe call on its way) passes: the service is being tried again. */
#ifndef PHEEDSYNC_OPS_HEALTH_H
#define PHEEDSYNC_OPS_HEALTH_H

#include "ghl/ghl_client.h"
#include "ops/api_metrics.h"
#include "pheedloop/pl_client.h"
#include "store/store.h"

/* Another link of the configuration (engine.h): its accounts, watched like the first one's. */
typedef struct ops_link_src {
    const char *name; /* its [link] name */
    ghl_client *ghl;
    ghl_tokens *ghl_tokens;
    const char *location_id;
    pl_client *pl;
    const char *const *events; /* its PheedLoop events, NULL-terminated; NULL: not known */
} ops_link_src;

/* Where the figures come from. Every pointer may be NULL (that part is not configured). */
typedef struct ops_status_src {
    store *store;            /* a handle of the calling thread; NULL: not reachable */
    const char *store_error; /* why store is NULL */
    ghl_client *ghl;
    ghl_tokens *ghl_tokens;  /* the grant's state */
    const char *location_id; /* the HighLevel location synced */
    pl_client *pl;
    const ops_api_metrics *api; /* API totals; NULL: none */
    int64_t now_ms;             /* Unix ms */
    const ops_link_src *more;   /* the links after the first (the fields above); may be NULL */
    size_t n_more;
    /* The first link's name ("default" or its [link] name; NULL: "default") and events
     * (NULL-terminated; NULL: not known), shown with several links. */
    const char *link_name;
    const char *const *events;
} ops_status_src;

#define OPS_MAX_LINKS 15 /* besides the first */
#define OPS_MAX_SERVICES (2 * (OPS_MAX_LINKS + 1))
#define OPS_MAX_PROBLEMS 12

typedef struct ops_service_health {
    char name[16];    /* "ghl", "pheedloop" */
    int needs_reauth; /* 1 yes (or never connected), 0 no, -1 unknown */
    char auth[16];    /* "ok", "needs_reauth", "not_connected", "unknown" */
    char reason[200]; /* why, when not ok */
    char breaker[16]; /* "closed", "open", "half_open"; "" when it has none */
    alert_totals api; /* running totals of its API requests */
    char link[40];    /* "" for the first link's, else the [link] name */
    char fix[96];     /* the command that connects it again when needs_reauth is 1, else "" */
    ghl_client *ghl;  /* the account's client (HighLevel or PheedLoop) */
    pl_client *pl;
    const char *location_id;
} ops_service_health;

typedef struct ops_health {
    bool store_ok;
    char store_error[256];
    store_counts counts; /* when store_ok */
    int64_t lag_ms;      /* now minus counts.oldest_pending_ms; 0 nothing waits; -1 unknown */
    ops_service_health services[OPS_MAX_SERVICES];
    size_t n_services;
    bool ready;
    char problems[OPS_MAX_PROBLEMS][256]; /* why not ready, one line each with what to do */
    size_t n_problems;
} ops_health;

/* Collects the health from src (reads the store and the grant; sends nothing to the APIs). */
void ops_health_collect(ops_health *out, const ops_status_src *src);

/* The status as JSON:
 * {"ready", "problems": [...], "at": ISO,
 *  "store": {"ok", "error", "links", "inbox_pending", "inbox_claimed", "outbox_pending",
 *            "outbox_running", "outbox_done", "dead_letters", "held_pending", "lag_seconds"},
 *  "services": {"ghl"|"pheedloop": {"account", "auth", "reason", "breaker",
 *               "budget": {"interval_max", "interval_ms", "interval_left", "daily_limit",
 *                          "daily_left"} or null before the first call,
 *               "api": {"calls", "failures", "rate_limited"},
 *               "fix": "pheedsync connect ghl [--link NAME]" when it needs re-authorization}},
 *  "links": [{"name", "events": [...] when known, "services": {...as above}}] (the links after
 *  the first), "link": {"name", "events"} (the first link's; both only with several links)}.
 * The API totals are per service, all links together (the first link's services carry them). */
json_t *ops_health_json(const ops_health *h, const ops_status_src *src);

/* /readyz's answer: {"ready", "checks": {"store": "ok"|error, "ghl": ..., "pheedloop": ...,
 * "ghl:LINK": ..., "pheedloop:LINK": ... for the links after the first}, "problems": [...]}.
 * A connection of any link needing re-authorization makes it not ready. */
json_t *ops_readiness_json(const ops_health *h);

/* "ghl" for the first link's service, "ghl:LINK" for another's: its key in checks, alerts. */
void ops_service_key(char *out, size_t size, const ops_service_health *s);

/* A service's request budget from its governor's state (governor_state_json), as in
 * ops_health_json; NULL when gov is NULL. */
json_t *ops_budget_json(const json_t *gov);

#endif
