/* test_daemon.c: the daemon in-process (threads woken by webhooks, jobs on their cadences, a stop
 * that lets passes finish) and `pheedsync run` as a process: it serves, exits 0 on SIGTERM, and
 * loses no acknowledged webhook when killed with SIGKILL at random points. */
#include "tests/engine/capture_env.h"
#include "engine/daemon.h"
#include "engine/reconcile.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int setup(void **state)
{
    *state = cenv_start();
    return 0;
}

static int teardown(void **state)
{
    cenv_stop(*state);
    return 0;
}

/* ------------------------------------------------------------------ in-process */

static atomic_int planned, passes_started, passes_finished;

/* A planner that takes every ready hint. */
static int fake_planner(engine *eng, size_t max, size_t *out_done, err *e)
{
    store_hints h = {0};
    int rc = store_inbox_claim(&h, eng->store, eng->owner, 60000, max, e);
    for (size_t i = 0; rc == 0 && i < h.n; i++)
        rc = store_inbox_ack(eng->store, &h.v[i], e);
    if (rc == 0) {
        atomic_fetch_add(&planned, (int)h.n);
        *out_done = h.n;
    }
    store_hints_free(&h);
    return rc;
}

/* A worker whose every pass takes a while, to be caught in the middle by a stop. */
static int slow_worker(engine *eng, size_t max, size_t *out_done, err *e)
{
    atomic_fetch_add(&passes_started, 1);
    clock_sleep_ms(clock_system(), 200);
    atomic_fetch_add(&passes_finished, 1);
    *out_done = 0;
    return 0;
}

static bool planned_one(void *ctx)
{
    return atomic_load(&planned) >= 1;
}

static bool worker_busy(void *ctx)
{
    return atomic_load(&passes_started) > atomic_load(&passes_finished);
}

static void test_inprocess_wakes_planner_and_stops_cleanly(void **state)
{
    cenv *c = *state;
    cenv_capture_start(c, NULL); /* for its verifiers */
    atomic_store(&planned, 0);
    atomic_store(&passes_started, 0);
    atomic_store(&passes_finished, 0);
    daemon_options o = {.store_url = c->store_url,
                        .link = c->eng.link,
                        .pl_webhooks = c->pl_wh,
                        .ghl_webhooks = c->ghl_wh,
                        .planner = fake_planner,
                        .worker = slow_worker,
                        .workers = 2,
                        .idle_ms = 30000}; /* only a stored webhook can wake the planner in time */
    daemon *d = NULL;
    err e = {0};
    assert_int_equal(daemon_start(&d, &o, &e), 0);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned)daemon_port(d));
    char *body = cenv_pl_body(CENV_EVENT, "ATTWAKE", "wake-1", clock_now_ms(clock_system()));
    assert_int_equal(cenv_post_pl(base, c->event_secret[0], body, 10000), 200);
    assert_true(th_wait_until(planned_one, NULL, 10000));

    char url[96];
    snprintf(url, sizeof url, "%s/healthz", base);
    th_response *r = th_request("GET", url, NULL, NULL, 5000);
    assert_int_equal(r->status, 200);
    assert_int_equal(jsonx_int(json_object_get(json_object_get(r->json, "webhooks"), "pheedloop"),
                               "accepted", 0),
                     1);
    th_response_free(r);

    assert_true(th_wait_until(worker_busy, NULL, 5000));
    daemon_stop(d);
    assert_int_equal(atomic_load(&passes_started), atomic_load(&passes_finished));
    assert_int_equal(cenv_post_pl(base, c->event_secret[0], body, 2000), 0); /* not listening */
    daemon_free(d);
    free(body);
}

static bool inbox_has(cenv *c, const char *key)
{
    json_t *h = cenv_take_hints(c);
    bool found = json_object_get(h, key) != NULL;
    json_decref(h);
    return found;
}

typedef struct key_wait {
    cenv *c;
    const char *key;
    bool seen;
} key_wait;

/* Taking hints consumes them: remember a sighting. */
static bool key_seen(void *ctx)
{
    key_wait *w = ctx;
    w->seen = w->seen || inbox_has(w->c, w->key);
    return w->seen;
}

static bool reconciled(void *ctx)
{
    json_t *s = daemon_status(ctx);
    bool done = jsonx_int(s, "reconciles", 0) >= 1;
    json_decref(s);
    return done;
}

static void test_inprocess_jobs_run_on_their_cadence(void **state)
{
    cenv *c = *state;
    daemon_options o = {.store_url = c->store_url,
                        .ghl = c->ghl,
                        .pl = c->pl,
                        .link = c->eng.link,
                        .poll_interval_ms = 100,
                        .reconcile_interval_ms = 300};
    daemon *d = NULL;
    err e = {0};
    assert_int_equal(daemon_start(&d, &o, &e), 0);
    char *id = cenv_ui_contact(c, "Polled", "polled@example.com"); /* no webhook: polled */
    char key[ENGINE_KEY_MAX];
    cenv_key_ghl(key, c, id);
    key_wait w = {c, key, false};
    assert_true(th_wait_until(key_seen, &w, 15000));
    assert_true(th_wait_until(reconciled, d, 15000));
    daemon_free(d);
    char *text = NULL;
    assert_int_equal(store_cursor_get(&text, c->store, RECONCILE_CURSOR, &e), 0);
    assert_non_null(strstr(text, "\"complete\":true"));
    free(text);
    free(id);
}

/* ------------------------------------------------------------------ as a process */

static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

typedef struct proc {
    char config[256], log[256], base[64];
    uint16_t port;
    pid_t pid;
    char *envp[256];
    char *owned[4];
} proc;

static void write_config(cenv *c, proc *p, int64_t poll_s)
{
    snprintf(p->config, sizeof p->config, "%s/pheedsync.conf", c->dir);
    snprintf(p->log, sizeof p->log, "%s/daemon.log", c->dir);
    p->port = free_port();
    snprintf(p->base, sizeof p->base, "http://127.0.0.1:%u", (unsigned)p->port);
    FILE *f = fopen(p->config, "w");
    assert_non_null(f);
    fprintf(f,
            "[store]\nurl = %s\n"
            "[ghl]\nbase_url = %s\nauth = token\nlocation_id = %s\nwebhook_public_key = %s\n"
            "[pheedloop]\nbase_url = %s\norg_code = %s\nevents = %s, %s\n"
            "[server]\nlisten = 127.0.0.1:%u\npublic_url = %s/\n"
            "[sync]\npoll_interval = %lld\ncoalesce_ms = 0\n"
            "[log]\nlevel = info\nformat = json\n",
            c->store_url, c->ghl_base, c->location, c->ed_key, c->pl_base, CENV_ORG, CENV_EVENT,
            CENV_EVENT2, (unsigned)p->port, p->base, (long long)poll_s);
    fclose(f);
    /* Secrets through the environment, as the documentation advises. */
    size_t n = 0;
    for (char **v = environ; *v && n < 240; v++)
        p->envp[n++] = *v;
    char line[1024];
    snprintf(line, sizeof line, "PHEEDSYNC_GHL_TOKEN=%s", c->pit);
    p->envp[n++] = p->owned[0] = strdup(line);
    p->envp[n++] = p->owned[1] = strdup("PHEEDSYNC_PHEEDLOOP_API_KEY=" CENV_KEY);
    p->envp[n++] = p->owned[2] = strdup("PHEEDSYNC_PHEEDLOOP_API_SECRET=" CENV_SECRET);
    snprintf(line, sizeof line, "PHEEDSYNC_PHEEDLOOP_WEBHOOK_SECRET=%s=%s, %s=%s", CENV_EVENT,
             c->event_secret[0], CENV_EVENT2, c->event_secret[1]);
    p->envp[n++] = p->owned[3] = strdup(line);
    p->envp[n] = NULL;
}

static void proc_free(proc *p)
{
    for (size_t i = 0; i < PS_ARRAY_LEN(p->owned); i++)
        free(p->owned[i]);
}

static bool healthy(void *ctx)
{
    proc *p = ctx;
    char url[96];
    snprintf(url, sizeof url, "%s/healthz", p->base);
    th_response *r = th_request("GET", url, NULL, NULL, 1000);
    bool ok = r->status == 200;
    th_response_free(r);
    return ok;
}

static void proc_start(proc *p, char *flag)
{
    const char *bin = getenv("PHEEDSYNC_BIN");
    assert_non_null(bin);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, STDERR_FILENO);
            dup2(fd, STDOUT_FILENO);
        }
        char *argv[] = {(char *)"pheedsync", (char *)"run", (char *)"--config",
                        p->config,           flag,          NULL};
        execve(bin, argv, p->envp);
        _exit(127);
    }
    p->pid = pid;
    if (!th_wait_until(healthy, p, 30000)) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        fail_msg("pheedsync run did not come up; see %s", p->log);
    }
}

typedef struct exit_wait {
    pid_t pid;
    int status;
    bool done;
} exit_wait;

static bool exited(void *ctx)
{
    exit_wait *w = ctx;
    w->done = w->done || waitpid(w->pid, &w->status, WNOHANG) == w->pid;
    return w->done;
}

/* SIGTERM, then the exit status (fails the test if it takes more than 20 s). */
static int proc_term(proc *p)
{
    kill(p->pid, SIGTERM);
    exit_wait w = {.pid = p->pid};
    if (!th_wait_until(exited, &w, 20000)) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
        fail_msg("pheedsync run ignored SIGTERM; see %s", p->log);
    }
    return w.status;
}

static void test_process_serves_and_exits_on_sigterm(void **state)
{
    cenv *c = *state;
    proc p = {0};
    write_config(c, &p, 3600);
    proc_start(&p, (char *)"--register-hooks");
    /* HighLevel's webhooks to the daemon; PheedLoop's were subscribed by --register-hooks. */
    char body[256];
    snprintf(body, sizeof body, "{\"webhook_url\": \"%s%s\"}", p.base, CAPTURE_GHL_PATH);
    json_decref(cenv_ghl_admin(c, "PUT", "/_sandbox/settings", body));
    char *id = cenv_ui_contact(c, "Served", "served@example.com");
    char *code = cenv_attendee(c, CENV_EVENT, "Served", "served@example.com");
    cenv_drain_webhooks(c);
    /* Both came by webhook (the planner, when built in, may already have taken the hints). */
    char url[96];
    snprintf(url, sizeof url, "%s/healthz", p.base);
    th_response *r = th_request("GET", url, NULL, NULL, 5000);
    const json_t *wh = json_object_get(r->json, "webhooks");
    assert_true(jsonx_int(json_object_get(wh, "ghl"), "accepted", 0) >= 1);
    assert_true(jsonx_int(json_object_get(wh, "pheedloop"), "accepted", 0) >= 2);
    th_response_free(r);
    snprintf(url, sizeof url, "%s/metrics", p.base);
    r = th_request("GET", url, NULL, NULL, 5000);
    assert_int_equal(r->status, 200);
    assert_non_null(
        strstr(r->body, "pheedsync_webhooks_total{source=\"pheedloop\",outcome=\"accepted\"}"));
    th_response_free(r);

    int status = proc_term(&p);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_false(healthy(&p));
    proc_free(&p);
    free(id);
    free(code);
}

static int run_cli(char *const *args)
{
    const char *bin = getenv("PHEEDSYNC_BIN");
    assert_non_null(bin);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, STDERR_FILENO);
        dup2(fd, STDOUT_FILENO);
        execv(bin, args);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_process_usage_errors(void **state)
{
    char *no_config[] = {(char *)"pheedsync", (char *)"run", (char *)"--config",
                         (char *)"/nonexistent/pheedsync.conf", NULL};
    assert_int_equal(run_cli(no_config), 2);
    char *bad_option[] = {(char *)"pheedsync", (char *)"run", (char *)"--bogus", NULL};
    assert_int_equal(run_cli(bad_option), 2);
    char *help[] = {(char *)"pheedsync", (char *)"run", (char *)"--help", NULL};
    assert_int_equal(run_cli(help), 0);
}

/* ------------------------------------------------------------------ kill -9 */

#define KILL_N 120

typedef struct sender {
    cenv *c;
    proc *p;
    atomic_bool acked[KILL_N];
    atomic_int n_acked, refused;
    atomic_bool done;
} sender;

/* Sends every delivery until it is answered 2xx, keeping its own record of those answers: a
 * delivery with no answer (the daemon died) or a 429 is sent again, as HighLevel would. */
static void *send_all(void *arg)
{
    sender *s = arg;
    int64_t deadline = clock_mono_ms(clock_system()) + 90000;
    for (int i = 0; i < KILL_N && clock_mono_ms(clock_system()) < deadline; i++) {
        char id[32], code[32];
        snprintf(id, sizeof id, "kill-%d", i);
        snprintf(code, sizeof code, "KILL%d", i);
        char *body = cenv_pl_body(CENV_EVENT, code, id, clock_now_ms(clock_system()));
        while (clock_mono_ms(clock_system()) < deadline) {
            long status = cenv_post_pl(s->p->base, s->c->event_secret[0], body, 3000);
            if (status >= 200 && status < 300) {
                atomic_store(&s->acked[i], true);
                atomic_fetch_add(&s->n_acked, 1);
                break;
            }
            atomic_fetch_add(&s->refused, 1);
            clock_sleep_ms(clock_system(), 20);
        }
        free(body);
    }
    atomic_store(&s->done, true);
    return NULL;
}

static void test_kill9_loses_no_acknowledged_delivery(void **state)
{
    cenv *c = *state;
    proc p = {0};
    write_config(c, &p, 3600);
    proc_start(&p, (char *)"--capture-only");
    sender s = {.c = c, .p = &p};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, send_all, &s), 0);
    unsigned seed = 20270101;
    int kills = 0;
    while (!atomic_load(&s.done) && kills < 4) {
        /* A random point in the stream of deliveries. */
        clock_sleep_ms(clock_system(), 20 + rand_r(&seed) % 150);
        kill(p.pid, SIGKILL);
        waitpid(p.pid, NULL, 0);
        kills++;
        proc_start(&p, (char *)"--capture-only");
    }
    pthread_join(t, NULL);
    fprintf(stderr, "kill -9: %d kills, %d deliveries sent again\n", kills,
            atomic_load(&s.refused));
    assert_int_equal(atomic_load(&s.n_acked), KILL_N);
    assert_true(kills >= 1);
    int status = proc_term(&p);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* Every acknowledged delivery is in the inbox, once. */
    json_t *hints = cenv_take_hints(c);
    for (int i = 0; i < KILL_N; i++) {
        char code[32], key[ENGINE_KEY_MAX];
        snprintf(code, sizeof code, "KILL%d", i);
        cenv_key_pl(key, CENV_EVENT, code);
        const json_t *h = json_object_get(hints, key);
        if (!h)
            fail_msg("delivery %d was answered 2xx but is not in the inbox", i);
        assert_int_equal(jsonx_int(h, "count", 0), 1);
    }
    json_decref(hints);
    proc_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_inprocess_wakes_planner_and_stops_cleanly, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_inprocess_jobs_run_on_their_cadence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_process_serves_and_exits_on_sigterm, setup, teardown),
        cmocka_unit_test(test_process_usage_errors),
        cmocka_unit_test_setup_teardown(test_kill9_loses_no_acknowledged_delivery, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
