/* api_metrics.c: the API request counters behind /metrics and the alert rates. */
#include "ops/api_metrics.h"

#define NAME_MAX_LEN 64

int ops_api_metrics_init(ops_api_metrics *out, metrics *m, err *e)
{
    if (!m)
        m = metrics_default();
    ops_api_metrics am = {0};
    int rc = metrics_counter(&am.requests, m, "pheedsync_api_requests_total",
                             "API requests (attempts) by service, operation and HTTP status.",
                             "service,operation,status", e);
    if (rc == 0)
        rc = metrics_histogram(&am.seconds, m, "pheedsync_api_request_duration_seconds",
                               "API request latency by service and operation.", "service,operation",
                               NULL, 0, e);
    if (rc == 0)
        rc = metrics_counter(&am.outcomes, m, "pheedsync_api_outcomes_total",
                             "API requests by service and kind of outcome (ok, auth, rate, "
                             "transient, ...).",
                             "service,kind", e);
    if (rc == 0)
        *out = am;
    return rc;
}

/* "ghl get-contact" -> "ghl", "get-contact". */
static void split_label(const http_client_attempt_info *info, char service[NAME_MAX_LEN],
                        char operation[NAME_MAX_LEN])
{
    const char *label = info->label;
    const char *space = label ? strchr(label, ' ') : NULL;
    if (!label || !*label) {
        snprintf(service, NAME_MAX_LEN, "other");
        snprintf(operation, NAME_MAX_LEN, "%s", info->method ? info->method : "");
    } else if (!space || space == label) {
        snprintf(service, NAME_MAX_LEN, "other");
        snprintf(operation, NAME_MAX_LEN, "%s", label);
    } else {
        snprintf(service, NAME_MAX_LEN, "%.*s", (int)(space - label), label);
        snprintf(operation, NAME_MAX_LEN, "%s", space + 1);
    }
}

void ops_api_observe(void *ctx, const http_client_attempt_info *info)
{
    ops_api_metrics *am = ctx;
    char service[NAME_MAX_LEN], operation[NAME_MAX_LEN], status[24];
    split_label(info, service, operation);
    if (info->transport == API_TRANSPORT_NONE && info->status > 0)
        snprintf(status, sizeof status, "%ld", info->status);
    else
        snprintf(status, sizeof status, "%s", api_transport_name(info->transport));
    metric_inc(metric_at(am->requests, service, operation, status));
    metric_observe(metric_at(am->seconds, service, operation), info->seconds);
    metric_inc(metric_at(am->outcomes, service, api_error_kind_name(info->kind)));
}

alert_totals ops_api_totals(const ops_api_metrics *am, const char *service)
{
    static const api_error_kind kinds[] = {
        API_OK,
        API_ERR_AUTH,
        API_ERR_SCOPE,
        API_ERR_NOT_FOUND,
        API_ERR_VALIDATION,
        API_ERR_DUPLICATE,
        API_ERR_RATE,
        API_ERR_TRANSIENT,
        API_ERR_PERMANENT,
    };
    alert_totals t = {0};
    for (size_t i = 0; i < PS_ARRAY_LEN(kinds); i++) {
        uint64_t n =
            metric_counter_value(metric_at(am->outcomes, service, api_error_kind_name(kinds[i])));
        t.calls += n;
        if (kinds[i] == API_ERR_RATE)
            t.rate_limited += n;
        if (kinds[i] != API_OK && kinds[i] != API_ERR_NOT_FOUND && kinds[i] != API_ERR_DUPLICATE)
            t.failures += n;
    }
    return t;
}
