/* status_watch.h: the daemon's watch: a thread that every tick reads the health (health.h) on
 * its own store handle and turns it into the /metrics gauges (queue depths, sync lag, dead
 * letters, budgets, grants, breakers), the counters derived from the store (operations applied,
 * conflicts), the status page's per-minute chart (page_series.h), and the observations the alert
 * monitor ([alert]) decides incidents on.
 *
 * Families it keeps up to date (besides those of api_metrics.h and the webhooks' own):
 *   pheedsync_up_store, pheedsync_ready                         1 or 0
 *   pheedsync_queue_depth{queue}       inbox_pending, inbox_claimed, outbox_pending,
 *                                      outbox_running, held_deletes
 *   pheedsync_dead_letters, pheedsync_links, pheedsync_sync_lag_seconds
 *   pheedsync_operations_applied_total  operations completed, seen since this process started
 *   pheedsync_conflicts_total           merge decisions audited (a field changed on both sides)
 *   pheedsync_rate_budget_left{service, window}   window: "interval" or "day"
 *   pheedsync_needs_reauth{service}, pheedsync_breaker_open{service}
 *   pheedsync_alerts_active
 * The per-account series above are the first link's (as with one link); every link's, the
 * first included, are also labelled by link:
 *   pheedsync_link_rate_budget_left{link, service, window}
 *   pheedsync_link_needs_reauth{link, service}, pheedsync_link_breaker_open{link, service}
 * An alert of a link after the first names its service "ghl:LINK" or "pheedloop:LINK". */
#ifndef PHEEDSYNC_OPS_STATUS_WATCH_H
#define PHEEDSYNC_OPS_STATUS_WATCH_H

#include "ops/health.h"
#include "util/config.h"

typedef struct ops_watch_options {
    const config *cfg; /* [alert] rules and delivery; NULL: no alerts */
    const char *store_url;
    clock_source *clock; /* NULL: system */
    ghl_client *ghl;     /* each may be NULL: that service is not watched */
    ghl_tokens *ghl_tokens;
    const char *location_id;
    pl_client *pl;
    const ops_link_src *more; /* the links after the first, kept by reference; may be NULL */
    size_t n_more;
    metrics *metrics; /* NULL: metrics_default() */
    int64_t tick_ms;  /* 0: 2000 */
} ops_watch_options;

typedef struct ops_watch ops_watch;

/* Registers the families and starts the thread; the first tick runs at once. */
int ops_watch_start(ops_watch **out, const ops_watch_options *o, err *e);
/* Makes the next tick happen now (after an operator's action). */
void ops_watch_kick(ops_watch *w);
/* Ticks completed so far (tests wait on it). */
uint64_t ops_watch_ticks(ops_watch *w);
/* The chart's data (ops_series_json) plus "alerts_active". */
json_t *ops_watch_series_json(ops_watch *w);
size_t ops_watch_alerts_active(ops_watch *w);
/* Stops the thread (after the tick in hand) and lets queued alerts go out; NULL is safe. */
void ops_watch_free(ops_watch *w);

#endif
