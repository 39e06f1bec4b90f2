/* bench_webhook_latency.c: webhook to write with `pheedsync run` (coalescing off) on the sandbox:
 * a first `pheedsync sync` links the people, then the daemon runs while this driver changes
 * linked HighLevel contacts through the sandbox's admin UI routes (which fire signed webhooks to
 * the daemon) at a steady rate. Each change carries a unique last name; the latency of a change
 * is from just before its UI call to the commit of the last PheedLoop write that carries it
 * (the outbox row's completion time, read from the store once the run is over).
 * Prints p50, p99, max, count, and p99 against 100 ms. Exit status 0 when p99 <= 100 ms.
 * Usage: bench_webhook_latency --bin PATH/pheedsync [--rate 100] [--seconds 20] [--people 600] */
#include "bench/bench_args.h"
#include "sandbox/sandbox.h"
#include "util/jsonx.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MARK "Wlat"

typedef struct bench {
    sbx_sandbox *sbx;
    json_t *info;
    char ghl[128], pl[128], admin[200], location[64], listen[64], secrets[512];
    const char *bin;
    char dir[64];
} bench;

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* One admin request on a reused handle (h may be NULL: a fresh one); the answer's JSON. */
static json_t *admin(bench *b, CURL *h, bool ghl, const char *method, const char *path,
                     const char *body, long *status)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", ghl ? b->ghl : b->pl, path);
    CURL *own = h ? NULL : curl_easy_init();
    if (!h)
        h = own;
    struct curl_slist *hdrs = curl_slist_append(NULL, b->admin);
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    buf out;
    buf_init(&out, 256 << 20);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    if (!body)
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, bench_sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
    long st = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
    json_t *j = out.len ? json_loadb(out.ptr, out.len, 0, NULL) : NULL;
    buf_free(&out);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(own);
    if (status)
        *status = st;
    else if (st < 200 || st > 299) {
        fprintf(stderr, "bench_webhook_latency: admin %s %s: HTTP %ld\n", method, path, st);
        exit(3);
    }
    return j;
}

static int start_sandbox(bench *b, size_t people)
{
    sbx_options so = {.seed = 2029, .seed_data = true, .people = people};
    sbx_fault_config_defaults(&so.faults);
    so.ghl.rate = (sbx_ghl_ratelimit_options){
        .max_per_interval = 1000000000, .interval_ms = 10000, .max_daily = 2000000000};
    err e = {0};
    if (sbx_sandbox_start(&b->sbx, &so, &e) != 0) {
        fprintf(stderr, "bench_webhook_latency: sandbox: %s\n", e.msg);
        return 3;
    }
    b->info = sbx_sandbox_info(b->sbx);
    json_t *g = json_object_get(b->info, "highlevel"), *p = json_object_get(b->info, "pheedloop");
    snprintf(b->ghl, sizeof b->ghl, "%s", jsonx_str(g, "base_url"));
    snprintf(b->pl, sizeof b->pl, "%s", jsonx_str(p, "base_url"));
    snprintf(b->location, sizeof b->location, "%s", jsonx_str(g, "location_id"));
    snprintf(b->admin, sizeof b->admin, "X-Sandbox-Token: %s", jsonx_str(b->info, "admin_token"));
    size_t i, off = 0;
    json_t *ev;
    json_array_foreach(json_object_get(p, "events"), i, ev)
    {
        int n = snprintf(b->secrets + off, sizeof b->secrets - off, "%s%s=%s", off ? ", " : "",
                         jsonx_str(ev, "code"), jsonx_str(ev, "webhook_secret"));
        if (n > 0 && (size_t)n < sizeof b->secrets - off)
            off += (size_t)n;
    }
    return 0;
}

/* A free loopback port for the daemon: bind to port 0, read it, let it go. */
static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    unsigned port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static int write_config(bench *b, char *path, size_t n)
{
    json_t *g = json_object_get(b->info, "highlevel"), *p = json_object_get(b->info, "pheedloop");
    unsigned port = free_port();
    snprintf(b->listen, sizeof b->listen, "http://127.0.0.1:%u", port);
    snprintf(path, n, "%s/pheedsync.conf", b->dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return ERR_IO;
    fprintf(f,
            "[store]\nurl = sqlite:%s/state.db\n\n[ghl]\nbase_url = %s\nauth = token\n"
            "token = %s\nlocation_id = %s\nwebhook_public_key = %s\n\n[pheedloop]\nbase_url = %s\n"
            "org_code = %s\napi_key = %s\napi_secret = %s\nevents = EVESANDBOX1, EVESANDBOX2\n"
            "rate_limit = 0\n\n[server]\nlisten = 127.0.0.1:%u\npublic_url = %s/\n\n"
            "[sync]\npoll_interval = 3600\ncoalesce_ms = 0\n",
            b->dir, b->ghl, jsonx_str(g, "pit"), b->location,
            jsonx_str(g, "webhook_public_key_b64"), b->pl, jsonx_str(p, "org_code"),
            jsonx_str(p, "api_key"), jsonx_str(p, "api_secret"), port, b->listen);
    return fclose(f) == 0 ? 0 : ERR_IO;
}

static pid_t spawn(bench *b, const char *config, const char *cmd, const char *flag)
{
    pid_t pid = fork();
    if (pid == 0) {
        char env[600];
        snprintf(env, sizeof env, "%s", b->secrets);
        setenv("PHEEDSYNC_PHEEDLOOP_WEBHOOK_SECRET", env, 1);
        const char *level = getenv("BENCH_LOG_LEVEL"); /* the daemon's log, on stderr */
        execl(b->bin, b->bin, cmd, "--config", config, "--log-level", level ? level : "error", flag,
              (char *)NULL);
        _exit(127);
    }
    return pid;
}

static bool healthy(bench *b)
{
    char url[128];
    snprintf(url, sizeof url, "%s/healthz", b->listen);
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, bench_sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 1000L);
    long st = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
    curl_easy_cleanup(h);
    return st == 200;
}

/* The contact ids of the linked people, from the store after the backfill. */
static json_t *linked_contacts(const char *db_path, int64_t *max_op)
{
    sqlite3 *db = NULL;
    json_t *ids = json_array();
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return ids;
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db,
                       "SELECT DISTINCT l.contact_id FROM links l JOIN link_attendees a ON"
                       " a.link_id = l.id WHERE l.unlinked_at IS NULL AND a.unlinked_at IS NULL",
                       -1, &st, NULL);
    while (st && sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(ids, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    st = NULL;
    sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(id), 0) FROM outbox", -1, &st, NULL);
    if (st && sqlite3_step(st) == SQLITE_ROW)
        *max_op = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ids;
}

/* For each change (by its number), the latest completion of a PheedLoop write carrying its mark;
 * returns how many changes have landed. */
static long landed(const char *db_path, int64_t after_op, int64_t *done_ms, int64_t *made_ms,
                   long n)
{
    sqlite3 *db = NULL;
    long count = 0;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return 0;
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db,
                       "SELECT payload, updated_at, created_at FROM outbox WHERE id > ? AND"
                       " service = 'pheedloop' AND state = 'done'",
                       -1, &st, NULL);
    sqlite3_bind_int64(st, 1, after_op);
    for (long i = 0; i < n; i++)
        done_ms[i] = 0;
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        int64_t at = sqlite3_column_int64(st, 1);
        for (const char *m = p ? strstr(p, MARK) : NULL; m; m = strstr(m + 1, MARK)) {
            long k = strtol(m + strlen(MARK), NULL, 10);
            if (k >= 0 && k < n && at > done_ms[k]) {
                done_ms[k] = at;
                made_ms[k] = sqlite3_column_int64(st, 2);
            }
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    for (long i = 0; i < n; i++)
        count += done_ms[i] != 0;
    return count;
}

/* Hints and operations still waiting in the store (-1: unreadable): the daemon's first poll hands
 * every record over once; the changes are driven once that has settled. */
static long backlog(const char *db_path)
{
    sqlite3 *db = NULL;
    long n = -1;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 2000);
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(db,
                           "SELECT (SELECT COUNT(*) FROM inbox) + (SELECT COUNT(*) FROM outbox"
                           " WHERE state IN ('pending', 'claimed', 'in_flight'))",
                           -1, &st, NULL);
        if (st && sqlite3_step(st) == SQLITE_ROW)
            n = (long)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Drives n changes at rate per second; sent_ms[i] is when change i was sent (0: it failed). */
static void drive(bench *b, const json_t *ids, long n, long rate, int64_t *sent_ms)
{
    CURL *h = curl_easy_init();
    int64_t t0 = wall_ms();
    for (long i = 0; i < n; i++) {
        int64_t due = t0 + i * 1000 / rate, now = wall_ms();
        if (due > now)
            sleep_ms((long)(due - now));
        char path[160], body[96];
        snprintf(path, sizeof path, "/_sandbox/ui/contacts/%s",
                 json_string_value(json_array_get(ids, (size_t)i % json_array_size(ids))));
        snprintf(body, sizeof body, "{\"lastName\": \"" MARK "%06ld\"}", i);
        long st = 0;
        sent_ms[i] = wall_ms();
        json_decref(admin(b, h, true, "PATCH", path, body, &st));
        if (st < 200 || st > 299)
            sent_ms[i] = 0;
    }
    curl_easy_cleanup(h);
}

/* p50 and p99 of a[i] - b[i] over the changes that landed. */
static void split(const char *what, const int64_t *a, const int64_t *b, const int64_t *sent,
                  const int64_t *done, long n)
{
    int64_t *d = calloc((size_t)n + 1, sizeof *d);
    long m = 0;
    for (long i = 0; i < n; i++) {
        if (sent[i] && done[i])
            d[m++] = a[i] - b[i];
    }
    qsort(d, (size_t)m, sizeof *d, cmp_i64);
    if (m)
        printf("  %s: p50 %lld ms, p99 %lld ms\n", what, (long long)d[(m - 1) / 2],
               (long long)d[(m * 99 + 99) / 100 - 1]);
    free(d);
}

static int report(const int64_t *sent, const int64_t *done, const int64_t *made, long n,
                  double seconds)
{
    int64_t *lat = calloc((size_t)n + 1, sizeof *lat);
    long m = 0, lost = 0;
    for (long i = 0; i < n; i++) {
        if (sent[i] && done[i])
            lat[m++] = done[i] - sent[i];
        else if (sent[i])
            lost++;
    }
    qsort(lat, (size_t)m, sizeof *lat, cmp_i64);
    int64_t p50 = m ? lat[(m - 1) / 2] : 0, p99 = m ? lat[(m * 99 + 99) / 100 - 1] : 0;
    int64_t max = m ? lat[m - 1] : 0;
    printf("webhook to write, daemon, coalescing off, %.0f changes/s for %.0f s:\n",
           (double)n / seconds, seconds);
    printf("  count %ld landed, %ld not landed; p50 %lld ms, p99 %lld ms, max %lld ms\n", m, lost,
           (long long)p50, (long long)p99, (long long)max);
    split("change to operation queued (capture, plan)", made, sent, sent, done, n);
    split("operation queued to written (work)", done, made, sent, done, n);
    bool ok = m > 0 && lost == 0 && p99 <= 100;
    printf("%-58s %12.3f %-6s (%s %g) %s\n", "p99 / 100 ms", (double)p99 / 100.0, "", "<=", 1.0,
           ok ? "ok" : "FAIL");
    free(lat);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    bench b = {.bin = bench_arg_str(argc, argv, "--bin", NULL)};
    long rate = bench_arg_long(argc, argv, "--rate", 100),
         secs = bench_arg_long(argc, argv, "--seconds", 20);
    long people = bench_arg_long(argc, argv, "--people", 600);
    if (!b.bin || rate <= 0 || secs <= 0 || people <= 0) {
        fprintf(stderr, "usage: bench_webhook_latency --bin PATH [--rate N] [--seconds N]\n");
        return 2;
    }
    snprintf(b.dir, sizeof b.dir, "/tmp/pheedsync-wlat-XXXXXX");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!mkdtemp(b.dir) || start_sandbox(&b, (size_t)people) != 0)
        return 3;
    char config[512], db[600];
    snprintf(db, sizeof db, "%s/state.db", b.dir);
    if (write_config(&b, config, sizeof config) != 0)
        return 3;
    int status = 0;
    pid_t pid = spawn(&b, config, "sync", NULL);
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_webhook_latency: the first sync failed (%d)\n", status);
        return 3;
    }
    int64_t base_op = 0;
    json_t *ids = linked_contacts(db, &base_op);
    if (json_array_size(ids) == 0) {
        fprintf(stderr, "bench_webhook_latency: no linked contacts\n");
        return 3;
    }
    pid = spawn(&b, config, "run", "--register-hooks");
    for (int i = 0; i < 300 && !healthy(&b); i++)
        sleep_ms(100);
    char body[256];
    snprintf(body, sizeof body, "{\"webhook_url\": \"%s/webhooks/ghl\"}", b.listen);
    json_decref(admin(&b, NULL, true, "PUT", "/_sandbox/settings", body, NULL));
    sleep_ms(500); /* the first poll starts */
    for (int i = 0; i < 600 && backlog(db) != 0; i++)
        sleep_ms(100);
    if (backlog(db) != 0)
        fprintf(stderr, "bench_webhook_latency: the daemon's first poll has not settled\n");
    int64_t settled = 0;
    json_decref(linked_contacts(db, &settled));
    base_op = settled;
    long n = rate * secs;
    int64_t *sent = calloc((size_t)n, sizeof *sent), *done = calloc((size_t)n, sizeof *done);
    int64_t *made = calloc((size_t)n, sizeof *made);
    drive(&b, ids, n, rate, sent);
    long got = 0;
    for (int i = 0; i < 150 && (got = landed(db, base_op, done, made, n)) < n; i++)
        sleep_ms(200);
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    landed(db, base_op, done, made, n);
    printf("%zu linked contacts changed in turn; %ld of %ld changes landed\n", json_array_size(ids),
           got, n);
    int rc = report(sent, done, made, n, (double)secs);
    free(sent);
    free(done);
    free(made);
    json_decref(ids);
    sbx_sandbox_stop(b.sbx);
    sbx_sandbox_free(b.sbx);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", b.dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_webhook_latency: could not remove %s\n", b.dir);
    json_decref(b.info);
    curl_global_cleanup();
    return rc;
}
