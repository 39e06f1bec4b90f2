/* test_alert_delivery.c: alerts delivered for real: a JSON POST to a local receiver (answers,
 * failures, a hanging receiver, a full queue), the command path into a temp file (timeouts,
 * process groups, unread input, a scrubbed environment), the monitor from [alert], and
 * /metrics served over HTTP. */
#include "net/http_server.h"
#include "ops/alert.h"
#include "ops/metrics_http.h"
#include "tests/ops/ops_testutil.h"
#include "tests/support/testhttp.h"
#include "util/jsonx.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define MAX_BODIES 16

/* The receiver: what it was sent, and how it answers. */
typedef struct receiver {
    http_server *srv;
    char url[96];
    pthread_mutex_t mu;
    int status;   /* answer with this */
    bool hang;    /* hold each request until release (at most 5 s) */
    bool release; /* let held requests go */
    int held;     /* requests inside the handler now */
    int n;
    json_t *bodies[MAX_BODIES];
    char content_type[64];
} receiver;

static bool released(void *ctx)
{
    receiver *r = ctx;
    pthread_mutex_lock(&r->mu);
    bool go = r->release;
    pthread_mutex_unlock(&r->mu);
    return go;
}

static void h_hook(void *ctx, const http_request *req, http_response *res)
{
    receiver *r = ctx;
    json_t *j = NULL;
    jsonx_parse(&j, req->body, req->body_len, "alert", NULL);
    pthread_mutex_lock(&r->mu);
    if (r->n < MAX_BODIES)
        r->bodies[r->n++] = j;
    else
        json_decref(j);
    const char *ct = http_request_header(req, "Content-Type");
    snprintf(r->content_type, sizeof r->content_type, "%s", ct ? ct : "");
    bool hang = r->hang;
    int status = r->status;
    r->held++;
    pthread_mutex_unlock(&r->mu);
    if (hang)
        th_wait_until(released, r, 5000);
    pthread_mutex_lock(&r->mu);
    r->held--;
    pthread_mutex_unlock(&r->mu);
    http_response_text(res, status, "text/plain", "ok");
}

static receiver *receiver_start(void)
{
    receiver *r = calloc(1, sizeof *r);
    assert_non_null(r);
    pthread_mutex_init(&r->mu, NULL);
    r->status = 200;
    http_server_options o = {.port = 0};
    assert_int_equal(http_server_new(&r->srv, &o, NULL), 0);
    assert_int_equal(http_server_route(r->srv, "POST", "/hook", "hook", h_hook, r), 0);
    assert_int_equal(http_server_start(r->srv, NULL), 0);
    snprintf(r->url, sizeof r->url, "http://127.0.0.1:%u/hook", http_server_port(r->srv));
    return r;
}

static int received(receiver *r)
{
    pthread_mutex_lock(&r->mu);
    int n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}

static bool one_held(void *ctx)
{
    receiver *r = ctx;
    pthread_mutex_lock(&r->mu);
    bool yes = r->held > 0;
    pthread_mutex_unlock(&r->mu);
    return yes;
}

static void receiver_stop(receiver *r)
{
    pthread_mutex_lock(&r->mu);
    r->release = true;
    pthread_mutex_unlock(&r->mu);
    http_server_stop(r->srv);
    http_server_free(r->srv);
    for (int i = 0; i < r->n; i++)
        json_decref(r->bodies[i]);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/* A firing error-rate alert, as the monitor would send it. */
static json_t *sample_alert(void)
{
    alert_event ev = {.firing = true,
                      .condition = ALERT_ERROR_RATE,
                      .service = "ghl",
                      .value = 42.5,
                      .threshold = 10,
                      .started_ms = 1767225600000LL,
                      .at_ms = 1767225660000LL};
    snprintf(ev.text, sizeof ev.text, "HighLevel API calls failing: 42.5%%");
    json_t *j = alert_event_json(&ev, "box1");
    assert_non_null(j);
    return j;
}

static void stats(alert_sender *s, uint64_t out[4])
{
    alert_sender_stats(s, &out[0], &out[1], &out[2], &out[3]);
}

static void test_post_to_url(void **state)
{
    receiver *r = receiver_start();
    alert_sender *s = NULL;
    alert_sender_options o = {.url = r->url, .timeout_ms = 5000};
    assert_int_equal(alert_sender_new(&s, &o, NULL), 0);
    json_t *a = sample_alert();
    assert_true(alert_sender_post(s, a));
    assert_true(alert_sender_flush(s, 10000));
    assert_int_equal(received(r), 1);
    assert_true(json_equal(r->bodies[0], a));
    assert_string_equal(json_string_value(json_object_get(r->bodies[0], "text")),
                        "pheedsync on box1: HighLevel API calls failing: 42.5%");
    assert_string_equal(json_string_value(json_object_get(r->bodies[0], "status")), "firing");
    assert_string_equal(r->content_type, "application/json");
    uint64_t st[4];
    stats(s, st);
    assert_int_equal(st[0], 1);
    assert_int_equal(st[1], 0);
    assert_int_equal(st[2] + st[3], 0); /* no command configured */
    json_decref(a);
    alert_sender_free(s);
    receiver_stop(r);
}

static void test_url_failures_counted(void **state)
{
    receiver *r = receiver_start();
    r->status = 500;
    alert_sender *s = NULL;
    alert_sender_options o = {.url = r->url, .timeout_ms = 5000};
    assert_int_equal(alert_sender_new(&s, &o, NULL), 0);
    json_t *a = sample_alert();
    assert_true(alert_sender_post(s, a));
    assert_true(alert_sender_flush(s, 20000));
    assert_true(received(r) >= 1);
    uint64_t st[4];
    stats(s, st);
    assert_int_equal(st[0], 0);
    assert_int_equal(st[1], 1);
    json_decref(a);
    alert_sender_free(s);
    receiver_stop(r);
    /* Nobody listening at all. */
    assert_int_equal(
        alert_sender_new(
            &s, &(alert_sender_options){.url = "http://127.0.0.1:1/x", .timeout_ms = 2000}, NULL),
        0);
    a = sample_alert();
    assert_true(alert_sender_post(s, a));
    assert_true(alert_sender_flush(s, 20000));
    stats(s, st);
    assert_int_equal(st[1], 1);
    json_decref(a);
    alert_sender_free(s);
}

static void test_hanging_receiver_times_out_and_queue_is_bounded(void **state)
{
    receiver *r = receiver_start();
    r->hang = true;
    alert_sender *s = NULL;
    alert_sender_options o = {.url = r->url, .timeout_ms = 300, .queue_max = 1};
    assert_int_equal(alert_sender_new(&s, &o, NULL), 0);
    json_t *a = sample_alert();
    assert_true(alert_sender_post(s, a)); /* taken by the delivery thread */
    assert_true(th_wait_until(one_held, r, 5000));
    assert_true(alert_sender_post(s, a));  /* waits in the queue */
    assert_false(alert_sender_post(s, a)); /* no room: dropped, the caller not held */
    assert_true(alert_sender_flush(s, 20000));
    uint64_t st[4];
    stats(s, st);
    assert_int_equal(st[0], 0);
    assert_int_equal(st[1], 2); /* both timed out */
    json_decref(a);
    alert_sender_free(s);
    receiver_stop(r);
}

static char *tmp_path(const char *name)
{
    char *p = malloc(256);
    assert_non_null(p);
    snprintf(p, 256, "/tmp/pheedsync-test-%ld-%s", (long)getpid(), name);
    unlink(p);
    return p;
}

static void test_command_gets_json_on_stdin(void **state)
{
    char *out = tmp_path("cmd.json");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cat > '%s'", out);
    alert_sender *s = NULL;
    alert_sender_options o = {.command = cmd, .timeout_ms = 5000};
    assert_int_equal(alert_sender_new(&s, &o, NULL), 0);
    json_t *a = sample_alert();
    assert_true(alert_sender_post(s, a));
    assert_true(alert_sender_flush(s, 10000));
    char *got = ops_slurp(out);
    assert_non_null(got);
    char *want = jsonx_dumps(a);
    assert_string_equal(got, want);
    uint64_t st[4];
    stats(s, st);
    assert_int_equal(st[2], 1);
    assert_int_equal(st[3], 0);
    free(want);
    free(got);
    alert_sender_free(s);
    /* A command that fails counts as a failed delivery. */
    o.command = "cat > /dev/null; exit 4";
    assert_int_equal(alert_sender_new(&s, &o, NULL), 0);
    assert_true(alert_sender_post(s, a));
    assert_true(alert_sender_flush(s, 10000));
    stats(s, st);
    assert_int_equal(st[3], 1);
    alert_sender_free(s);
    json_decref(a);
    unlink(out);
    free(out);
}

static bool gone_or_zombie(void *ctx)
{
    pid_t pid = *(pid_t *)ctx;
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    char *stat = ops_slurp(path);
    if (!stat)
        return true;
    const char *close_paren = strrchr(stat, ')');
    bool zombie = close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z';
    free(stat);
    return zombie;
}

static void test_command_timeout_kills_the_group(void **state)
{
    char *pidfile = tmp_path("pid");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "sleep 30 & echo $! > '%s'; wait", pidfile);
    int status = -1;
    err e = {0};
    assert_int_equal(alert_command_run(&status, cmd, "{}", 2, 500, &e), ERR_NET);
    assert_non_null(strstr(e.msg, "killed"));
    assert_int_equal(status, -1); /* untouched on failure */
    char *text = ops_slurp(pidfile);
    assert_non_null(text);
    pid_t child = (pid_t)strtol(text, NULL, 10);
    assert_true(child > 0);
    assert_true(th_wait_until(gone_or_zombie, &child, 5000));
    free(text);
    unlink(pidfile);
    free(pidfile);
}

static void test_command_unread_input_and_status(void **state)
{
    size_t len = 1 << 20; /* far past a pipe's buffer */
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, 'x', len);
    int status = -1;
    err e = {0};
    /* The shell exits without reading: the write meets a closed pipe; the test process lives. */
    assert_int_equal(alert_command_run(&status, "exit 3", big, len, 5000, &e), 0);
    assert_int_equal(status, 3);
    sigset_t pending;
    sigpending(&pending);
    assert_false(sigismember(&pending, SIGPIPE));
    assert_int_equal(alert_command_run(&status, "kill -TERM $$", "", 0, 5000, &e), 0);
    assert_int_equal(status, 128 + SIGTERM);
    assert_int_equal(alert_command_run(&status, "wc -c > /dev/null", big, len, 5000, &e), 0);
    assert_int_equal(status, 0);
    free(big);
}

static void test_command_environment_scrubbed(void **state)
{
    char *out = tmp_path("env");
    setenv("PHEEDSYNC_GHL_TOKEN", "very-secret-token", 1);
    setenv("ALERT_TEST_VISIBLE", "yes", 1);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "env > '%s'", out);
    int status = -1;
    assert_int_equal(alert_command_run(&status, cmd, "", 0, 5000, NULL), 0);
    assert_int_equal(status, 0);
    char *env = ops_slurp(out);
    assert_non_null(env);
    assert_non_null(strstr(env, "ALERT_TEST_VISIBLE=yes"));
    assert_null(strstr(env, "PHEEDSYNC_"));
    assert_null(strstr(env, "very-secret-token"));
    free(env);
    unsetenv("PHEEDSYNC_GHL_TOKEN");
    unlink(out);
    free(out);
}

static void test_monitor_from_config(void **state)
{
    receiver *r = receiver_start();
    char *out = tmp_path("monitor.jsonl");
    char text[1024];
    int len = snprintf(text, sizeof text,
                       "[alert]\nurl = %s\ncommand = cat >> '%s'; echo >> '%s'\n"
                       "dead_letters = 2\n",
                       r->url, out, out);
    config *cfg = NULL;
    err e = {0};
    assert_int_equal(config_load_string(&cfg, text, (size_t)len, "t.conf", NULL, &e), 0);
    alert_monitor *m = NULL;
    assert_int_equal(alert_monitor_new(&m, cfg, &e), 0);
    assert_int_equal(alert_monitor_window_ms(m), 300000);
    alert_obs obs = {.dead_letters = 5, .max_lag_ms = 0};
    int64_t t = 1767225600000LL;
    assert_int_equal(alert_monitor_feed(m, &obs, t), 1);
    assert_int_equal(alert_monitor_feed(m, &obs, t + 60000), 0);
    obs.dead_letters = 1;
    assert_int_equal(alert_monitor_feed(m, &obs, t + 120000), 1);
    assert_true(alert_sender_flush(alert_monitor_sender(m), 10000));
    assert_int_equal(received(r), 2);
    assert_string_equal(json_string_value(json_object_get(r->bodies[0], "status")), "firing");
    assert_string_equal(json_string_value(json_object_get(r->bodies[0], "condition")),
                        "dead_letters");
    assert_string_equal(json_string_value(json_object_get(r->bodies[1], "status")), "resolved");
    char *lines = ops_slurp(out);
    assert_non_null(lines);
    char *nl = strchr(lines, '\n');
    assert_non_null(nl);
    json_t *first = NULL;
    assert_int_equal(jsonx_parse(&first, lines, (size_t)(nl - lines), "line", &e), 0);
    assert_true(json_equal(first, r->bodies[0]));
    assert_non_null(strstr(nl + 1, "\"resolved\""));
    json_decref(first);
    free(lines);
    alert_monitor_free(m);
    config_free(cfg);
    receiver_stop(r);
    unlink(out);
    free(out);
}

static void test_metrics_endpoint(void **state)
{
    metrics *m = NULL;
    assert_int_equal(metrics_new(&m, NULL), 0);
    metric *c = NULL;
    assert_int_equal(metrics_counter(&c, m, "pheedsync_requests_total", "API calls.",
                                     "service,operation,status", NULL),
                     0);
    metric_add(metric_at(c, "ghl", "get-contact", "200"), 3);
    http_server *srv = NULL;
    assert_int_equal(http_server_new(&srv, &(http_server_options){.port = 0}, NULL), 0);
    assert_int_equal(ops_metrics_route(srv, m), 0);
    assert_int_equal(http_server_start(srv, NULL), 0);
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/metrics", http_server_port(srv));
    th_response *res = th_request("GET", url, NULL, NULL, 0);
    assert_int_equal(res->status, 200);
    assert_string_equal(th_header(res, "content-type"), METRICS_CONTENT_TYPE);
    assert_non_null(strstr(res->body, "\npheedsync_requests_total{service=\"ghl\","
                                      "operation=\"get-contact\",status=\"200\"} 3\n"));
    th_response_free(res);
    http_server_stop(srv);
    http_server_free(srv);
    metrics_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_post_to_url),
        cmocka_unit_test(test_url_failures_counted),
        cmocka_unit_test(test_hanging_receiver_times_out_and_queue_is_bounded),
        cmocka_unit_test(test_command_gets_json_on_stdin),
        cmocka_unit_test(test_command_timeout_kills_the_group),
        cmocka_unit_test(test_command_unread_input_and_status),
        cmocka_unit_test(test_command_environment_scrubbed),
        cmocka_unit_test(test_monitor_from_config),
        cmocka_unit_test(test_metrics_endpoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
