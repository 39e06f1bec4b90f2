/* api_metrics.c: the API request counters behind /metrics and the alert rates. */
#include "ops/api_metrics.h"

#define NAME_MAX_LEN 64

int ops_api_metrics_init(ops_api_metrics *out, metrics *m, err *e)
{
    if (!m)
        m = metrics_default();
    ops_api_metrics am = {0};
    int rc = metrics_counter(&am.requests, m, "pheedsync_api_requests_total",
                             "API requests (attempts) by service, operation, HTTP status and "
                             "account (HighLevel location, PheedLoop organization).",
                             "service,operation,status,account", e);
    if (rc == 0)
        rc = metrics_histogram(&am.seconds, m, "pheedsync_api_request_duration_seconds",
                               "API request latency by service, operation and account.",
                               "service,operation,account", NULL, 0, e);
    if (rc == 0)
        rc = metrics_counter(&am.outcomes, m, "pheedsync_api_outcomes_total",
                             "API requests by service and kind of outcome (ok, auth, rate, "
                             "transient, ...).",
                             "service,kind", e);
    if (rc == 0)
        rc = metrics_counter(&am.account_outcomes, m, "pheedsync_api_account_outcomes_total",
                             "API requests by service, account and kind of outcome.",
                             "service,account,kind", e);
    if (rc == 0)
        *out = am;
    return rc;
}

/* The parts of a request's label: "ghl get-contact @LOC1" -> "ghl", "get-contact", "LOC1". */
typedef struct label_parts {
    char service[NAME_MAX_LEN], operation[NAME_MAX_LEN], account[NAME_MAX_LEN];
} label_parts;

static void split_label(label_parts *out, const http_client_attempt_info *info)
{
    const char *label = info->label ? info->label : "";
    const char *end = label + strlen(label);
    const char *at = strstr(label, " @");
    if (at) { /* the account is the label's last word */
        snprintf(out->account, NAME_MAX_LEN, "%s", at + 2);
        end = at;
    } else {
        out->account[0] = '\0';
    }
    const char *space = memchr(label, ' ', (size_t)(end - label));
    if (end == label) {
        snprintf(out->service, NAME_MAX_LEN, "other");
        snprintf(out->operation, NAME_MAX_LEN, "%s", info->method ? info->method : "");
    } else if (!space || space == label) {
        snprintf(out->service, NAME_MAX_LEN, "other");
        snprintf(out->operation, NAME_MAX_LEN, "%.*s", (int)(end - label), label);
    } else {
        snprintf(out->service, NAME_MAX_LEN, "%.*s", (int)(space - label), label);
        snprintf(out->operation, NAME_MAX_LEN, "%.*s", (int)(end - space - 1), space + 1);
    }
}

void ops_api_observe(void *ctx, const http_client_attempt_info *info)
{
    ops_api_metrics *am = ctx;
    label_parts l;
    char status[24];
    split_label(&l, info);
    if (info->transport == API_TRANSPORT_NONE && info->status > 0)
        snprintf(status, sizeof status, "%ld", info->status);
    else
        snprintf(status, sizeof status, "%s", api_transport_name(info->transport));
    metric_inc(metric_at(am->requests, l.service, l.operation, status, l.account));
    metric_observe(metric_at(am->seconds, l.service, l.operation, l.account), info->seconds);
    metric_inc(metric_at(am->outcomes, l.service, api_error_kind_name(info->kind)));
    if (l.account[0])
        metric_inc(
            metric_at(am->account_outcomes, l.service, l.account, api_error_kind_name(info->kind)));
}

/* Totals over the kinds, each kind's count given by count_of. */
static alert_totals totals(uint64_t (*count_of)(const ops_api_metrics *am, const char *service,
                                                const char *account, const char *kind),
                           const ops_api_metrics *am, const char *service, const char *account)
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
        uint64_t n = count_of(am, service, account, api_error_kind_name(kinds[i]));
        t.calls += n;
        if (kinds[i] == API_ERR_RATE)
            t.rate_limited += n;
        if (kinds[i] != API_OK && kinds[i] != API_ERR_NOT_FOUND && kinds[i] != API_ERR_DUPLICATE)
            t.failures += n;
    }
    return t;
}

static uint64_t service_count(const ops_api_metrics *am, const char *service, const char *account,
                              const char *kind)
{
    (void)account;
    return metric_counter_value(metric_at(am->outcomes, service, kind));
}

static uint64_t account_count(const ops_api_metrics *am, const char *service, const char *account,
                              const char *kind)
{
    return metric_counter_value(metric_at(am->account_outcomes, service, account, kind));
}

alert_totals ops_api_totals(const ops_api_metrics *am, const char *service)
{
    return totals(service_count, am, service, NULL);
}

alert_totals ops_api_account_totals(const ops_api_metrics *am, const char *service,
                                    const char *account)
{
    return totals(account_count, am, service, account);
}
