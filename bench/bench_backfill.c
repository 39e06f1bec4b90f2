/* bench_backfill.c: a first `pheedsync sync` of about N attendees (two events) into a HighLevel
 * location that already holds many of the same people under other spellings, against the
 * sandbox with its rate limits lifted. The sandbox runs in this process, pheedsync as a child
 * process, so that its CPU time and memory are its own. Prints, each with its bound:
 *   HighLevel calls / (records that needed a write + list pages read)      <= 1.05
 *     (every attendee needs its contact written: at least its sign-up tags are new)
 *   pheedsync CPU (user + sys) per record                                  <= 100 us
 *   records per second / a bare HTTP loop's requests per second on the
 *     endpoint the backfill writes to (PUT /contacts/{id}), same run       >= 0.5
 *   pheedsync peak memory (VmHWM, sampled every 5 ms)                      < 100 MB
 * Exit status 0 when all four hold. Beside them, the floor under the CPU bound, measured in the
 * same run: what it takes only to parse, with jansson (the project's JSON library), the list
 * pages the backfill must read (every contact page, every attendee and registration page), and
 * only to send the writes it must make (both services' write calls per record, each at the
 * client CPU of one request of the bare loop, libcurl on a kept-alive connection), before any
 * planning or bookkeeping.
 * Usage: bench_backfill --bin PATH/pheedsync [--attendees 10000] [--bare 3000] [--dir DIR] */
#include "bench/bench_args.h"
#include "sandbox/sandbox.h"
#include "util/jsonx.h"

#include <curl/curl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct bench {
    sbx_sandbox *sbx;
    json_t *info;
    char ghl[128], pl[128], admin[200], location[64];
    const char *bin, *dir;
    long attendees_wanted, bare_n;
} bench;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One request on a reused handle; the answer's JSON when out is not NULL. */
static long request(CURL *h, const char *method, const char *url, struct curl_slist *hdrs,
                    const char *body, json_t **out)
{
    buf b;
    buf_init(&b, 64 << 20);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    if (!body)
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, bench_sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (out)
        *out = b.len ? json_loadb(b.ptr, b.len, 0, NULL) : NULL;
    buf_free(&b);
    return status;
}

static json_t *admin(bench *b, bool ghl, const char *method, const char *path, const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", ghl ? b->ghl : b->pl, path);
    CURL *h = curl_easy_init();
    struct curl_slist *hdrs = curl_slist_append(NULL, b->admin);
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    json_t *out = NULL;
    long st = request(h, method, url, hdrs, body, &out);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    if (st < 200 || st > 299) {
        fprintf(stderr, "bench_backfill: admin %s %s: HTTP %ld\n", method, path, st);
        exit(3);
    }
    return out;
}

static long attendee_count(bench *b)
{
    json_t *st = admin(b, false, "GET", "/_sandbox/state", NULL);
    long n = 0;
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(st, "events"), i, ev) n +=
        (long)json_array_size(json_object_get(ev, "attendees"));
    json_decref(st);
    return n;
}

static int write_config(bench *b, char *path, size_t n)
{
    json_t *g = json_object_get(b->info, "highlevel"), *p = json_object_get(b->info, "pheedloop");
    snprintf(path, n, "%s/pheedsync.conf", b->dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return ERR_IO;
    fprintf(f,
            "[store]\nurl = sqlite:%s/state.db\n\n[ghl]\nbase_url = %s\nauth = token\n"
            "token = %s\nlocation_id = %s\n\n[pheedloop]\nbase_url = %s\norg_code = %s\n"
            "api_key = %s\napi_secret = %s\nevents = EVESANDBOX1, EVESANDBOX2\nrate_limit = 0\n",
            b->dir, b->ghl, jsonx_str(g, "pit"), b->location, b->pl, jsonx_str(p, "org_code"),
            jsonx_str(p, "api_key"), jsonx_str(p, "api_secret"));
    return fclose(f) == 0 ? 0 : ERR_IO;
}

typedef struct child_run {
    double wall_s, cpu_s;
    long maxrss_kb;
    int status;
} child_run;

/* The child's peak resident size since its exec (VmHWM), in kB; 0 when unreadable. Its
 * getrusage maximum would also count the memory of this process it was forked from. */
static long peak_kb(pid_t pid, const char *bin)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = 0;
    const char *base = strrchr(bin, '/') ? strrchr(bin, '/') + 1 : bin;
    bool execd = false; /* before its exec the child still has this process's memory */
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "Name:", 5) == 0) {
            char *n = line + 5;
            while (*n == ' ' || *n == '\t')
                n++;
            n[strcspn(n, "\n")] = '\0';
            execd = strncmp(n, base, 15) == 0;
        }
        if (execd && strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    }
    if (f)
        fclose(f);
    return kb;
}

static int run_sync(child_run *out, bench *b, const char *config)
{
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0)
        return ERR_IO;
    if (pid == 0) {
        execl(b->bin, b->bin, "sync", "--config", config, "--log-level", "error", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    long kb = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0)
            return ERR_IO;
        long now = peak_kb(pid, b->bin);
        kb = now > kb ? now : kb;
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    /* The only child: its CPU time is all of RUSAGE_CHILDREN once it is waited for. */
    if (getrusage(RUSAGE_CHILDREN, &ru) != 0)
        return ERR_IO;
    out->wall_s = now_s() - t0;
    out->cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    out->maxrss_kb = kb;
    out->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return 0;
}

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The bare loop: n sequential PUT /contacts/{id} on one kept-alive connection, each a change.
 * Returns its requests per second; *out_cpu_s: the CPU time of one request on the client's side
 * (this thread: libcurl and the kernel's sending; the sandbox serves from its own threads). */
static double bare_loop(bench *b, long n, double *out_cpu_s)
{
    json_t *g = json_object_get(b->info, "highlevel");
    char auth[256], url[512], body[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", jsonx_str(g, "pit"));
    struct curl_slist *hdrs = curl_slist_append(NULL, auth);
    hdrs = curl_slist_append(hdrs, "Version: 2021-07-28");
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    CURL *h = curl_easy_init();
    snprintf(url, sizeof url, "%s/contacts/", b->ghl);
    snprintf(body, sizeof body,
             "{\"locationId\": \"%s\", \"firstName\": \"Bare\", \"email\": \"bare@loop.example\"}",
             b->location);
    json_t *ans = NULL;
    request(h, "POST", url, hdrs, body, &ans);
    const char *id = jsonx_str(json_object_get(ans, "contact"), "id");
    snprintf(url, sizeof url, "%s/contacts/%s", b->ghl, id ? id : "none");
    json_decref(ans);
    double t0 = now_s(), cpu0 = thread_cpu_s();
    long ok = 0;
    for (long i = 0; i < n; i++) {
        snprintf(body, sizeof body, "{\"lastName\": \"Loop %ld\"}", i);
        ok += request(h, "PUT", url, hdrs, body, NULL) == 200;
    }
    double dt = now_s() - t0;
    *out_cpu_s = (thread_cpu_s() - cpu0) / (double)n;
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    if (ok != n)
        fprintf(stderr, "bench_backfill: the bare loop had %ld failures\n", n - ok);
    return (double)n / dt;
}

/* ---------------------------------------------------------------- the parse floor */

typedef struct page_set {
    buf *v;
    size_t n;
} page_set;

static void pages_add(page_set *ps, buf *b)
{
    buf *grown = realloc(ps->v, (ps->n + 1) * sizeof *grown);
    if (!grown) {
        buf_free(b);
        return;
    }
    ps->v = grown;
    ps->v[ps->n++] = *b;
}

/* The body of one GET, or 0 when the answer is not 200. */
static bool get_body(CURL *h, const char *url, struct curl_slist *hdrs, buf *out)
{
    buf_init(out, 256 << 20);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "GET");
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, bench_sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status == 200)
        return true;
    buf_free(out);
    return false;
}

/* Every contact list page of the location, as pheedsync reads them (100 a page). */
static void contact_pages(page_set *ps, bench *b, CURL *h)
{
    json_t *g = json_object_get(b->info, "highlevel");
    char auth[256], url[1024], after[160] = "";
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", jsonx_str(g, "pit"));
    struct curl_slist *hdrs = curl_slist_append(NULL, auth);
    hdrs = curl_slist_append(hdrs, "Version: 2021-07-28");
    for (;;) {
        snprintf(url, sizeof url, "%s/contacts/?locationId=%s&limit=100%s", b->ghl, b->location,
                 after);
        buf body;
        if (!get_body(h, url, hdrs, &body))
            break;
        json_t *page = json_loadb(body.ptr, body.len, 0, NULL);
        json_t *meta = json_object_get(page, "meta");
        const char *id = jsonx_str(meta, "startAfterId");
        if (id)
            snprintf(after, sizeof after, "&startAfter=%lld&startAfterId=%s",
                     (long long)jsonx_int(meta, "startAfter", 0), id);
        json_decref(page);
        pages_add(ps, &body);
        if (!id)
            break;
    }
    curl_slist_free_all(hdrs);
}

/* Every attendee and registration page of the two events (500 a page, as pheedsync asks). */
static void event_pages(page_set *ps, bench *b, CURL *h)
{
    json_t *p = json_object_get(b->info, "pheedloop");
    char key[256], secret[256], url[1024];
    snprintf(key, sizeof key, "X-API-KEY: %s", jsonx_str(p, "api_key"));
    snprintf(secret, sizeof secret, "X-API-SECRET: %s", jsonx_str(p, "api_secret"));
    struct curl_slist *hdrs = curl_slist_append(NULL, key);
    hdrs = curl_slist_append(hdrs, secret);
    static const char *const events[] = {"EVESANDBOX1", "EVESANDBOX2"};
    static const char *const lists[] = {"attendees", "registrations"};
    for (size_t ev = 0; ev < PS_ARRAY_LEN(events); ev++) {
        for (size_t l = 0; l < PS_ARRAY_LEN(lists); l++) {
            for (int page = 1;; page++) {
                snprintf(url, sizeof url,
                         "%s/api/v3/organization/%s/events/%s/%s/?page=%d&page_size=500", b->pl,
                         jsonx_str(p, "org_code"), events[ev], lists[l], page);
                buf body;
                if (!get_body(h, url, hdrs, &body))
                    break;
                pages_add(ps, &body);
            }
        }
    }
    curl_slist_free_all(hdrs);
}

/* The least CPU time, in seconds, one parse of every page took (best of five rounds). */
static double parse_floor_s(bench *b, size_t *out_pages, size_t *out_bytes)
{
    page_set ps = {0};
    CURL *h = curl_easy_init();
    contact_pages(&ps, b, h);
    event_pages(&ps, b, h);
    curl_easy_cleanup(h);
    double best = -1;
    for (int round = 0; round < 5; round++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
        for (size_t i = 0; i < ps.n; i++)
            json_decref(json_loadb(ps.v[i].ptr, ps.v[i].len, 0, NULL));
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
        double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        best = best < 0 || dt < best ? dt : best;
    }
    *out_pages = ps.n;
    *out_bytes = 0;
    for (size_t i = 0; i < ps.n; i++) {
        *out_bytes += ps.v[i].len;
        buf_free(&ps.v[i]);
    }
    free(ps.v);
    return best;
}

static int start(bench *b)
{
    /* Of the sandbox's people, about three in four are in PheedLoop and a tenth of those in
     * both events. */
    sbx_options so = {
        .seed = 2028, .seed_data = true, .people = (size_t)((double)b->attendees_wanted * 1.212)};
    sbx_fault_config_defaults(&so.faults);
    so.ghl.rate = (sbx_ghl_ratelimit_options){
        .max_per_interval = 1000000000, .interval_ms = 10000, .max_daily = 2000000000};
    err e = {0};
    if (sbx_sandbox_start(&b->sbx, &so, &e) != 0) {
        fprintf(stderr, "bench_backfill: sandbox: %s\n", e.msg);
        return 3;
    }
    b->info = sbx_sandbox_info(b->sbx);
    json_t *g = json_object_get(b->info, "highlevel"), *p = json_object_get(b->info, "pheedloop");
    snprintf(b->ghl, sizeof b->ghl, "%s", jsonx_str(g, "base_url"));
    snprintf(b->pl, sizeof b->pl, "%s", jsonx_str(p, "base_url"));
    snprintf(b->location, sizeof b->location, "%s", jsonx_str(g, "location_id"));
    snprintf(b->admin, sizeof b->admin, "X-Sandbox-Token: %s", jsonx_str(b->info, "admin_token"));
    return 0;
}

static int64_t counter(json_t *c, const char *op)
{
    int64_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(json_object_get(c, "by_operation"), op), k, v) n +=
        json_integer_value(v);
    return n;
}

static bool line(const char *what, double value, const char *unit, const char *cmp, double bound)
{
    bool ok = !strcmp(cmp, "<=")  ? value <= bound
              : !strcmp(cmp, "<") ? value < bound
                                  : value >= bound;
    printf("%-58s %12.3f %-6s (%s %g) %s\n", what, value, unit, cmp, bound, ok ? "ok" : "FAIL");
    return ok;
}

int main(int argc, char **argv)
{
    bench b = {.bin = bench_arg_str(argc, argv, "--bin", NULL),
               .dir = bench_arg_str(argc, argv, "--dir", NULL),
               .attendees_wanted = bench_arg_long(argc, argv, "--attendees", 10000),
               .bare_n = bench_arg_long(argc, argv, "--bare", 3000)};
    char tmp[] = "/tmp/pheedsync-bench-XXXXXX";
    if (!b.bin || b.attendees_wanted <= 0 || b.bare_n <= 0) {
        fprintf(stderr, "usage: bench_backfill --bin PATH [--attendees N] [--bare N] [--dir D]\n");
        return 2;
    }
    bool own_dir = !b.dir;
    if (!b.dir)
        b.dir = mkdtemp(tmp);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!b.dir || start(&b) != 0)
        return 3;
    long records = attendee_count(&b);
    char config[512];
    if (write_config(&b, config, sizeof config) != 0)
        return 3;
    json_decref(admin(&b, true, "POST", "/_sandbox/counters/reset", "{}"));
    json_decref(admin(&b, false, "POST", "/_sandbox/counters/reset", "{}"));
    child_run run = {0};
    if (run_sync(&run, &b, config) != 0)
        return 3;
    json_t *c = admin(&b, true, "GET", "/_sandbox/counters", NULL);
    int64_t calls = jsonx_int(c, "total", 0), writes = jsonx_int(c, "writes", 0);
    int64_t pages = counter(c, "get-contacts");
    printf("HighLevel calls by operation:");
    const char *op;
    json_t *v;
    json_object_foreach(json_object_get(c, "by_operation"), op, v)
        printf(" %s %lld", op, (long long)counter(c, op));
    printf("\n");
    json_decref(c);
    c = admin(&b, false, "GET", "/_sandbox/counters", NULL);
    int64_t pl_writes = jsonx_int(c, "writes", 0);
    json_decref(c);
    double request_cpu_s = 0;
    double bare = bare_loop(&b, b.bare_n, &request_cpu_s);
    size_t floor_pages = 0, floor_bytes = 0;
    double floor_s = parse_floor_s(&b, &floor_pages, &floor_bytes);
    double rate = (double)records / run.wall_s;
    printf("backfill of %ld attendees: pheedsync sync exited %d after %.2f s\n", records,
           run.status, run.wall_s);
    printf("HighLevel: %lld calls (%lld writes, %lld list pages)\n", (long long)calls,
           (long long)writes, (long long)pages);
    printf("throughput %.0f records/s; bare loop %.0f requests/s\n", rate, bare);
    bool ok = run.status == 0;
    ok &= line("HighLevel calls / (records needing a write + pages)",
               (double)calls / (double)(records + pages), "", "<=", 1.05);
    ok &= line("pheedsync CPU per record", run.cpu_s * 1e6 / (double)records, "us", "<=", 100);
    ok &= line("throughput / bare HTTP loop", rate / bare, "", ">=", 0.5);
    ok &= line("pheedsync peak memory", (double)run.maxrss_kb / 1024.0, "MB", "<", 100);
    /* Not bounds: what any engine reading these pages with jansson and making these writes with
     * libcurl pays before it plans or records anything. */
    double parse_us = floor_s * 1e6 / (double)records;
    double writes_per_record = (double)(writes + pl_writes) / (double)records;
    double send_us = writes_per_record * request_cpu_s * 1e6;
    printf("floor: jansson parse of the %zu list pages (%.1f MB) the backfill reads: %.1f us per "
           "record of CPU; alone it would allow %.0f records/s, %.3f of the bare loop\n",
           floor_pages, (double)floor_bytes / 1e6, parse_us, (double)records / floor_s,
           (double)records / floor_s / bare);
    printf("floor: %.2f write calls per record (HighLevel %lld, PheedLoop %lld) at %.1f us of "
           "client CPU each (bare loop): %.1f us per record; with the parse, %.1f us per record "
           "before any planning or bookkeeping\n",
           writes_per_record, (long long)writes, (long long)pl_writes, request_cpu_s * 1e6,
           send_us, parse_us + send_us);
    sbx_sandbox_stop(b.sbx);
    sbx_sandbox_free(b.sbx);
    if (own_dir) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", b.dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_backfill: could not remove %s\n", b.dir);
    }
    json_decref(b.info);
    curl_global_cleanup();
    return ok ? 0 : 1;
}
