/* bench_governor.c: the rate governor against the HighLevel emulator's limiter: N requests
 * through the HTTP client with HighLevel's default limits configured (the governor learns the
 * server's from the headers); reports the time against the theoretical minimum and the 429s.
 * Usage: bench_governor [--requests 2000] [--max 100] [--interval-ms 1000] [--workers 16] */
#include "net/http_client.h"
#include "net/http_server.h"
#include "sandbox/ghl/ghl_ratelimit.h"
#include "util/jsonx.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct bench {
    http_client *client;
    governor *gov;
    char url[128];
    int total;
    atomic_int next;
    atomic_int failed, retried;
    ghl_ratelimit *rl;
} bench;

static void h_contact(void *ctx, const http_request *req, http_response *res)
{
    bench *b = ctx;
    if (!ghl_ratelimit_take(b->rl, "bench-location", res))
        return;
    http_response_json(res, 200,
                       json_pack("{s:{s:s}}", "contact", "id", http_request_param(req, "id")));
}

static void *worker(void *arg)
{
    bench *b = arg;
    for (int i; (i = atomic_fetch_add(&b->next, 1)) < b->total;) {
        char url[192];
        snprintf(url, sizeof url, "%s/contacts/c%d", b->url, i);
        http_client_request req = {.method = "GET", .url = url, .gov = b->gov,
                                   .lane = GOVERNOR_LANE_LIVE};
        http_client_response res;
        http_client_response_init(&res);
        err e = {0};
        if (http_client_send(b->client, &req, &res, &e) != 0) {
            atomic_fetch_add(&b->failed, 1);
            fprintf(stderr, "bench_governor: %s\n", e.msg);
        }
        if (res.attempts > 1)
            atomic_fetch_add(&b->retried, 1);
        http_client_response_clear(&res);
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

int main(int argc, char **argv)
{
    bench b = {.total = arg_int(argc, argv, "--requests", 2000)};
    int max = arg_int(argc, argv, "--max", 100), interval = arg_int(argc, argv, "--interval-ms", 1000);
    int workers = arg_int(argc, argv, "--workers", 16);
    err e = {0};
    ghl_ratelimit_options ro = {.max_per_interval = max, .interval_ms = interval};
    http_server *srv = NULL;
    http_server_options so = {0};
    http_client_config cc = {.max_host_connections = workers, .max_total_connections = workers};
    /* What a HighLevel client configures: the documented limits, corrected by the headers. */
    governor_config gc = {.max_per_interval = 100, .interval_ms = 10000, .daily_limit = 200000,
                          .learn_from_headers = true};
    if (ghl_ratelimit_new(&b.rl, &ro, NULL, &e) || http_server_new(&srv, &so, &e) ||
        http_server_route(srv, "GET", "/contacts/{id}", "get-contact", h_contact, &b) ||
        http_server_start(srv, &e) || http_client_new(&b.client, &cc, &e) ||
        governor_new(&b.gov, "ghl:bench-location", &gc, NULL, &e)) {
        fprintf(stderr, "bench_governor: %s\n", e.msg);
        return 3;
    }
    snprintf(b.url, sizeof b.url, "http://127.0.0.1:%u", (unsigned)http_server_port(srv));
    double elapsed = 0;
    if (run(&b, workers, &elapsed) != 0) {
        fprintf(stderr, "bench_governor: cannot start the workers\n");
        return 3;
    }
    json_t *state = ghl_ratelimit_state(b.rl);
    int64_t rejected = jsonx_int(state, "rejected", -1);
    json_decref(state);
    double minimum = (double)b.total / max * interval / 1000.0;
    double ratio = elapsed / minimum;
    bool pass = rejected == 0 && atomic_load(&b.failed) == 0 && ratio <= 1.05;
    printf("{\"bench\":\"governor\",\"requests\":%d,\"limit\":\"%d per %d ms\",\"workers\":%d,"
           "\"elapsed_s\":%.3f,\"minimum_s\":%.3f,\"ratio\":%.4f,\"rejected_429\":%lld,"
           "\"failed\":%d,\"retried\":%d,\"pass\":%s}\n",
           b.total, max, interval, workers, elapsed, minimum, ratio, (long long)rejected,
           atomic_load(&b.failed), atomic_load(&b.retried), pass ? "true" : "false");
    governor_free(b.gov);
    http_client_free(b.client);
    http_server_free(srv);
    ghl_ratelimit_free(b.rl);
    return pass ? 0 : 1;
}
