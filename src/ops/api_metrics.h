/* api_metrics.h: API requests counted for /metrics and for alerts: an http_client observer that
 * records every attempt by service, operation and status with its latency, and the running
 * totals per service that alert rates are measured on.
 *
 * The request's label names the service, the operation and the account it was made for
 * ("ghl get-contact @LOC1": service "ghl", operation "get-contact", account "LOC1", the
 * HighLevel location or the PheedLoop organization, which the API clients append: a label per
 * configured account, so the series stay few); a label of one word (HighLevel's "/oauth/token")
 * is service "other" with that word as the operation, and a request without a label is "other"
 * with its method; a label without " @ACCOUNT" has account "".
 * Families (all in the registry given to ops_api_metrics_init):
 *   pheedsync_api_requests_total{service, operation, status, account}
 *                                       status: the HTTP status, or the transport failure
 *                                       ("timeout", "reset", "connect", ...)
 *   pheedsync_api_request_duration_seconds{service, operation, account}
 *                                       one observation per attempt
 *   pheedsync_api_outcomes_total{service, kind}   kind: api_error_kind_name; every account
 *                                                 together (the alerts' rates)
 *   pheedsync_api_account_outcomes_total{service, account, kind}
 *                                       the same per account: each link's figures when there
 *                                       are several */
#ifndef PHEEDSYNC_OPS_API_METRICS_H
#define PHEEDSYNC_OPS_API_METRICS_H

#include "net/http_client.h"
#include "ops/alert.h"
#include "util/metrics.h"

typedef struct ops_api_metrics {
    metric *requests;
    metric *seconds;
    metric *outcomes;
    metric *account_outcomes;
} ops_api_metrics;

/* Registers the families in m (NULL: metrics_default()); registering twice on one registry
 * gives the same families, so every holder of an ops_api_metrics sees the same figures. */
int ops_api_metrics_init(ops_api_metrics *out, metrics *m, err *e);

/* The http_client_observer: ctx is an ops_api_metrics that outlives the client. */
void ops_api_observe(void *ctx, const http_client_attempt_info *info);

/* service's running totals: calls (every attempt), failures (every kind but ok, not_found and
 * duplicate: those are answers the flows expect) and rate_limited (kind rate, 429). */
alert_totals ops_api_totals(const ops_api_metrics *am, const char *service);
/* The same for one account of service (a HighLevel location, a PheedLoop organization). */
alert_totals ops_api_account_totals(const ops_api_metrics *am, const char *service,
                                    const char *account);

#endif
