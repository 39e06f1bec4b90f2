/* cmd_status.c: `pheedsync status [--json] [--no-probe]`: linked people, in sync, pending,
 * failing, dead letters, held deletes, each service's connection and budget, pollers' lag. */
#include "ops/ops_cmd.h"
#include "ops/status.h"
#include "util/jsonx.h"

static const char usage_text[] =
    "usage: pheedsync status [OPTIONS]\n"
    "\n"
    "Shows the health of the sync: people linked and in sync (as the last `pheedsync verify`\n"
    "found them), changes pending, operations failing (dead letters) and the people they\n"
    "concern, deletes held for approval, the connection of each service with the rate budget\n"
    "left, and how far behind each poller is (the newest change its cursor has seen).\n"
    "Each service is probed with one read (a one-contact search, PheedLoop's validateauth)\n"
    "unless --no-probe is given; nothing is written anywhere.\n"
    "Exit status: 0 healthy, 1 something needs attention (listed: a service not connected or\n"
    "not answering, dead letters, held deletes), 2 usage or configuration error, 3 runtime\n"
    "failure (the store cannot be read, or was written by a newer pheedsync).\n"
    "\n"
    "options:\n" APP_USAGE_OPTIONS APP_USAGE_JSON
    "  --no-probe        only what the store knows: no request to either service\n"
    "  -h, --help        this text\n";

enum { OPT_NO_PROBE = 256 };

static const struct option long_options[] = {
    APP_LONG_OPTIONS,
    APP_LONG_OPTION_JSON,
    {"no-probe", no_argument, NULL, OPT_NO_PROBE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int own_option(void *ctx, int opt, const char *arg)
{
    (void)arg;
    if (opt != OPT_NO_PROBE)
        return -1;
    *(bool *)ctx = false;
    return 0;
}

/* "3 min", or "-" when the value is absent. */
static void age_of(char *out, size_t n, const json_t *obj, const char *key)
{
    if (json_is_integer(json_object_get(obj, key)))
        ops_fmt_age(out, n, jsonx_int(obj, key, 0));
    else
        snprintf(out, n, "-");
}

static void print_people(const json_t *r, int64_t now_ms)
{
    const json_t *p = json_object_get(r, "people");
    const json_t *q = json_object_get(r, "queue");
    const json_t *f = json_object_get(r, "failing");
    printf("People\n  linked        %lld\n", (long long)jsonx_int(p, "linked", 0));
    const char *at = jsonx_str(p, "verified_at");
    int64_t at_ms = 0;
    err e = {0};
    if (at && clock_parse_iso(&at_ms, at, &e) == 0) {
        char age[64];
        ops_fmt_age(age, sizeof age, now_ms - at_ms);
        printf("  in sync       %lld (%lld drifted) at the last verify, %s ago\n",
               (long long)jsonx_int(p, "in_sync", 0), (long long)jsonx_int(p, "drifted", 0), age);
    } else {
        printf("  in sync       unknown: `pheedsync verify` has not run\n");
    }
    printf("  pending       %lld (%lld change hints, %lld operations)\n",
           (long long)jsonx_int(q, "pending", 0),
           (long long)(jsonx_int(q, "hints_pending", 0) + jsonx_int(q, "hints_claimed", 0)),
           (long long)(jsonx_int(q, "ops_pending", 0) + jsonx_int(q, "ops_running", 0)));
    printf("  failing       %lld dead letters, concerning %lld people\n",
           (long long)jsonx_int(f, "dead_letters", 0), (long long)jsonx_int(f, "people", 0));
    printf("  held deletes  %lld\n", (long long)jsonx_int(r, "held_deletes", 0));
}

static void print_ghl(const json_t *s, int64_t now_ms)
{
    const char *state = jsonx_str(s, "state");
    printf("  HighLevel     %s", state);
    if (jsonx_str(s, "location_id"))
        printf(" (location %s)", jsonx_str(s, "location_id"));
    int64_t exp = jsonx_int(s, "expires_ms", 0);
    if (exp > 0) {
        char left[64];
        ops_fmt_age(left, sizeof left, exp - now_ms);
        if (exp > now_ms)
            printf("; access token good for %s", left);
        else
            printf("; access token expired (refreshed on next use)");
    }
    if (jsonx_str(s, "detail"))
        printf(": %s", jsonx_str(s, "detail"));
    printf("\n");
    const json_t *b = json_object_get(s, "budget");
    if (json_object_get(b, "remaining"))
        printf("                budget: %lld of %lld left in this %.1f s window, %lld of %lld "
               "today (%lld%% of the day kept for other tools)\n",
               (long long)jsonx_int(b, "remaining", 0),
               (long long)jsonx_int(b, "max_per_interval", 0),
               (double)jsonx_int(b, "interval_ms", 0) / 1000.0,
               (long long)jsonx_int(b, "daily_remaining", 0),
               (long long)jsonx_int(b, "daily_limit", 0),
               (long long)jsonx_int(b, "reserve_percent", 0));
    else if (b)
        printf("                budget: not known without a probe (100 per 10 s, 200000 a day "
               "assumed)\n");
}

static void print_pl(const json_t *s)
{
    printf("  PheedLoop     %s", jsonx_str(s, "state"));
    if (jsonx_str(s, "org_code"))
        printf(" (organization %s)", jsonx_str(s, "org_code"));
    if (jsonx_str(s, "detail"))
        printf(": %s", jsonx_str(s, "detail"));
    printf("\n");
    const json_t *b = json_object_get(s, "budget");
    int64_t per_min = jsonx_int(b, "rate_per_minute", 0);
    if (b && per_min > 0)
        printf("                budget: %lld requests per minute of our own ([pheedloop] "
               "rate_limit)\n",
               (long long)per_min);
    else if (b)
        printf("                budget: no limit of our own; waits only when PheedLoop answers "
               "429\n");
}

static void print_pollers(const json_t *r)
{
    printf("Pollers\n");
    size_t i;
    const json_t *p;
    json_array_foreach(json_object_get(r, "pollers"), i, p)
    {
        char lag[64];
        age_of(lag, sizeof lag, p, "lag_ms");
        if (!jsonx_bool(p, "ran", false))
            printf("  %-40s never ran\n", jsonx_str(p, "name"));
        else if (jsonx_str(p, "newest_change_at"))
            printf("  %-40s lag %s (newest change seen %s)\n", jsonx_str(p, "name"), lag,
                   jsonx_str(p, "newest_change_at"));
        else
            printf("  %-40s ran (keeps no change time)\n", jsonx_str(p, "name"));
    }
    const json_t *rec = json_object_get(r, "reconcile");
    char age[64];
    age_of(age, sizeof age, rec, "age_ms");
    if (jsonx_bool(rec, "ran", false))
        printf("  %-40s last finished %s ago (%s)\n", "reconcile", age,
               jsonx_bool(rec, "complete", false) ? "complete" : "incomplete");
    else
        printf("  %-40s never ran\n", "reconcile");
}

static void print_links(const json_t *r, int64_t now_ms)
{
    const json_t *list = json_object_get(r, "links");
    if (!json_array_size(list))
        return;
    printf("Links\n");
    size_t i;
    const json_t *l;
    json_array_foreach(list, i, l)
    {
        const json_t *p = json_object_get(l, "pending");
        printf("  %-13s location %s, organization %s: %lld change hints, %lld operations "
               "pending\n",
               jsonx_str(l, "name"),
               jsonx_str(l, "location_id") ? jsonx_str(l, "location_id") : "-",
               jsonx_str(l, "org_code") ? jsonx_str(l, "org_code") : "-",
               (long long)jsonx_int(p, "hints", 0), (long long)jsonx_int(p, "operations", 0));
        const json_t *svc = json_object_get(l, "services");
        if (i > 0 && svc) { /* the first link's services are listed above */
            print_ghl(json_object_get(svc, "ghl"), now_ms);
            print_pl(json_object_get(svc, "pheedloop"));
        }
    }
}

static void print_report(const json_t *r, const app_ctx *a)
{
    int64_t now = clock_now_ms(a->clock);
    printf("pheedsync status (configuration %s, store %s)\n\n", a->config_path,
           jsonx_str(json_object_get(r, "store"), "url"));
    print_people(r, now);
    printf("Services\n");
    print_ghl(json_object_get(json_object_get(r, "services"), "ghl"), now);
    print_pl(json_object_get(json_object_get(r, "services"), "pheedloop"));
    print_pollers(r);
    print_links(r, now);
    const json_t *att = json_object_get(r, "attention");
    if (!json_array_size(att)) {
        printf("\nhealthy\n");
        return;
    }
    printf("\nneeds attention:\n");
    size_t i;
    const json_t *line;
    json_array_foreach(att, i, line) printf("  - %s\n", json_string_value(line));
}

int cmd_status(int argc, char **argv)
{
    /* A status should answer soon: few, short retries. */
    http_client_config hc = {
        .connect_timeout_ms = 5000,
        .timeout_ms = 15000,
        .retry = {.max_attempts = 2, .base_ms = 200, .cap_ms = 1000, .max_elapsed_ms = 10000},
    };
    bool probe = true;
    ops_cmd_spec spec = {"status", usage_text, long_options, own_option, &probe};
    app_options ao;
    int first = 0;
    int code = ops_cmd_parse(&ao, &first, &spec, argc, argv);
    if (code >= 0)
        return code;
    if (first < argc)
        return ops_cmd_usage_error(&spec, "unexpected argument '%s'", argv[first]);
    ao.http_config = &hc;
    app_ctx a;
    code = ops_cmd_open(&a, &ao, APP_STORE);
    json_t *r = NULL;
    err e = {0};
    if (code == EXIT_OK && ops_status(&r, &a, probe, &e) != 0)
        code = ops_cmd_fail(&a, &e);
    if (code == EXIT_OK) {
        if (a.json)
            ops_json_print(r);
        else
            print_report(r, &a);
        code = json_array_size(json_object_get(r, "attention")) ? EXIT_CHECK : EXIT_OK;
    }
    json_decref(r);
    app_close(&a);
    return code;
}
