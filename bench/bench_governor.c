/* bench_governor.c: the HighLevel client's rate governor against the sandbox: the HighLevel
 * emulator's limit set to MAX requests per INTERVAL through its admin API, then N real
 * ghl_client_get_contact calls from several threads through one client (Private Integration
 * token, HighLevel's documented limits configured, the governor learning the real ones from the
 * headers). Prints requests, elapsed time, the theoretical minimum (N / MAX intervals), their
 * ratio, and the 429s the sandbox counted; passes at ratio <= 1.05 with no 429.
 * Usage: bench_governor [--requests 2000] [--max 100] [--interval-ms 1000] [--workers 16] */
#include "ghl/ghl_client.h"
#include "sandbox/sandbox.h"
#include "util/jsonx.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct bench {
    sbx_sandbox *sbx;
    http_client *http;
    ghl_tokens *tokens;
    ghl_client *client;
    char base[128], admin[160], location[64], contact[64];
    int total;
    atomic_int next, failed, retried;
} bench;

static void *worker(void *arg)
{
    bench *b = arg;
    for (int i; (i = atomic_fetch_add(&b->next, 1)) < b->total;) {
        ghl_call call;
        ghl_op op = {.location_id = b->location, .lane = GOVERNOR_LANE_LIVE, .call = &call};
        ghl_contact c;
        err e = {0};
        if (ghl_client_get_contact(&c, b->client, &op, b->contact, &e) != 0) {
            atomic_fetch_add(&b->failed, 1);
            fprintf(stderr, "bench_governor: %s\n", e.msg);
        } else {
            ghl_contact_clear(&c);
        }
        if (call.attempts > 1)
            atomic_fetch_add(&b->retried, 1);
    }
    return NULL;
}

static int arg_int(int argc, char **argv, const char *name, int fallback)
{
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], name) == 0) {
            char *end;
            long v = strtol(argv[i + 1], &end, 10);
            if (*end == '\0' && v > 0 && v < 1000000)
                return (int)v;
            fprintf(stderr, "bench_governor: %s wants a positive number\n", name);
            exit(2);
        }
    }
    return fallback;
}

/* An admin request to the HighLevel emulator; *out (may be NULL) gets the answer's JSON. */
static int admin(json_t **out, bench *b, const char *method, const char *path, const char *body,
                 err *e)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", b->base, path);
    const char *headers[] = {b->admin, "Content-Type: application/json", NULL};
    http_client_request req = {.method = method,
                               .url = url,
                               .headers = headers,
                               .body = body,
                               .body_len = body ? strlen(body) : 0,
                               .label = path};
    http_client_response res;
    http_client_response_init(&res);
    int rc = http_client_send(b->http, &req, &res, e);
    if (rc == 0 && out)
        rc = jsonx_parse(out, res.body.ptr, res.body.len, path, e);
    http_client_response_clear(&res);
    return rc;
}

/* The sandbox, the limit, one contact to read, and the client under test. */
static int setup(bench *b, int max, int interval, int workers, err *e)
{
    sbx_options so = {.seed = 11, .seed_data = false};
    sbx_fault_config_defaults(&so.faults);
    http_client_config hc = {.max_host_connections = workers, .max_total_connections = workers};
    int rc = sbx_sandbox_start(&b->sbx, &so, e);
    if (rc == 0)
        rc = http_client_new(&b->http, &hc, e);
    if (rc != 0)
        return rc;
    json_t *info = sbx_sandbox_info(b->sbx);
    const json_t *g = json_object_get(info, "highlevel");
    snprintf(b->base, sizeof b->base, "%s", jsonx_str(g, "base_url"));
    snprintf(b->location, sizeof b->location, "%s", jsonx_str(g, "location_id"));
    snprintf(b->admin, sizeof b->admin, "X-Sandbox-Token: %s", jsonx_str(info, "admin_token"));
    ghl_tokens_config tc = {.pit = jsonx_str(g, "pit")};
    rc = ghl_tokens_new(&b->tokens, &tc, e);
    json_decref(info);
    char body[160];
    snprintf(body, sizeof body, "{\"rate\":{\"max_per_interval\":%d,\"interval_ms\":%d}}", max,
             interval);
    if (rc == 0)
        rc = admin(NULL, b, "PUT", "/_sandbox/settings", body, e);
    /* What the daemon configures: HighLevel's documented limits, learning from the headers. */
    ghl_client_config cc = {.base_url = b->base, .http = b->http, .tokens = b->tokens};
    if (rc == 0)
        rc = ghl_client_new(&b->client, &cc, e);
    ghl_contact c;
    ghl_contact_input in = {.first_name = "Bench", .email = "bench@example.com"};
    ghl_op op = {.location_id = b->location};
    if (rc == 0 && (rc = ghl_client_create_contact(&c, b->client, &op, &in, e)) == 0) {
        snprintf(b->contact, sizeof b->contact, "%s", c.id);
        ghl_contact_clear(&c);
    }
    if (rc == 0)
        rc = admin(NULL, b, "POST", "/_sandbox/counters/reset", "{}", e);
    return rc;
}

static int run(bench *b, int workers, double *elapsed_s)
{
    pthread_t *th = calloc((size_t)workers, sizeof *th);
    if (!th)
        return -1;
    int64_t start = clock_mono_ms(clock_system());
    int started = 0;
    for (; started < workers; started++)
        if (pthread_create(&th[started], NULL, worker, b) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    *elapsed_s = (double)(clock_mono_ms(clock_system()) - start) / 1000.0;
    free(th);
    return started == workers ? 0 : -1;
}

/* The sandbox's own count of the answers it gave with this status. */
static int64_t counted(const json_t *counters, const char *status)
{
    return jsonx_int(json_object_get(counters, "by_status"), status, 0);
}

static void teardown(bench *b)
{
    ghl_client_free(b->client);
    ghl_tokens_free(b->tokens);
    if (b->sbx)
        sbx_sandbox_stop(b->sbx);
    http_client_free(b->http);
    sbx_sandbox_free(b->sbx);
}

int main(int argc, char **argv)
{
    bench b = {.total = arg_int(argc, argv, "--requests", 2000)};
    int max = arg_int(argc, argv, "--max", 100),
        interval = arg_int(argc, argv, "--interval-ms", 1000);
    int workers = arg_int(argc, argv, "--workers", 16);
    err e = {0};
    double elapsed = 0;
    json_t *counters = NULL;
    if (setup(&b, max, interval, workers, &e) != 0 || run(&b, workers, &elapsed) != 0 ||
        admin(&counters, &b, "GET", "/_sandbox/counters", NULL, &e) != 0) {
        fprintf(stderr, "bench_governor: %s\n", e.msg[0] ? e.msg : "cannot start the workers");
        teardown(&b);
        return 3;
    }
    int64_t rejected = counted(counters, "429"), served = counted(counters, "200");
    json_decref(counters);
    double minimum = (double)b.total / max * interval / 1000.0;
    double ratio = elapsed / minimum;
    bool pass = rejected == 0 && atomic_load(&b.failed) == 0 && ratio <= 1.05;
    printf("governor through the HighLevel client: %d requests, limit %d per %d ms, %d workers\n"
           "  elapsed %.3f s, theoretical minimum %.3f s, ratio %.4f (target <= 1.05), "
           "429 received %lld, %s\n",
           b.total, max, interval, workers, elapsed, minimum, ratio, (long long)rejected,
           pass ? "pass" : "FAIL");
    printf("{\"bench\":\"governor\",\"requests\":%d,\"limit\":\"%d per %d ms\",\"workers\":%d,"
           "\"elapsed_s\":%.3f,\"minimum_s\":%.3f,\"ratio\":%.4f,\"rejected_429\":%lld,"
           "\"served_200\":%lld,\"failed\":%d,\"retried\":%d,\"pass\":%s}\n",
           b.total, max, interval, workers, elapsed, minimum, ratio, (long long)rejected,
           (long long)served, atomic_load(&b.failed), atomic_load(&b.retried),
           pass ? "true" : "false");
    teardown(&b);
    return pass ? 0 : 1;
}
