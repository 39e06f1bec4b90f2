/* test_http_client_threads.c: the HTTP client under many callers at once: slow and fast answers
 * mixed, requests that finish while another thread drives the transfers, the driver leaving
 * with others' requests unfinished, easy handles reused without yesterday's options, and
 * shutdown with requests in flight. Every wait is bounded: a lost wake-up fails, not hangs. */
#include "net/http_client.h"
#include "net/http_server.h"
#include "tests/support/testhttp.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define HOLD_MS 10000 /* how long /gate and /hang hold an answer at most */

typedef struct fixture {
    http_server *srv;
    char base[64];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool gate_open, release; /* free /gate and /hang */
    int gated, hanging;      /* requests those two are holding */
    _Atomic int attempts;    /* the client's observer */
} fixture;

static void deadline_in(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Holds the answer until *open (bounded), counting the request in *held meanwhile. */
static void hold(fixture *fx, const bool *open, int *held)
{
    struct timespec until;
    deadline_in(&until, HOLD_MS);
    pthread_mutex_lock(&fx->mu);
    (*held)++;
    pthread_cond_broadcast(&fx->cv);
    while (!*open && pthread_cond_timedwait(&fx->cv, &fx->mu, &until) != ETIMEDOUT)
        ;
    (*held)--;
    pthread_mutex_unlock(&fx->mu);
}

static void h_gate(void *ctx, const http_request *req, http_response *res)
{
    fixture *fx = ctx;
    hold(fx, &fx->gate_open, &fx->gated);
    http_response_text(res, 200, "text/plain", "gate");
}

static void h_hang(void *ctx, const http_request *req, http_response *res)
{
    fixture *fx = ctx;
    hold(fx, &fx->release, &fx->hanging);
    http_response_text(res, 200, "text/plain", "hang");
}

/* Answers {"tag": ?tag, "method": ..., "body": ...} after ?ms of simulated service latency. */
static void h_echo(void *ctx, const http_request *req, http_response *res)
{
    const char *ms = http_request_query(req, "ms");
    long delay = ms ? strtol(ms, NULL, 10) : 0;
    if (delay > 0) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = delay * 1000000L};
        nanosleep(&ts, NULL);
    }
    const char *tag = http_request_query(req, "tag");
    const char *body = req->body ? (const char *)req->body : "";
    http_response_json(res, 200,
                       json_pack("{s:s?, s:s, s:s#}", "tag", tag, "method", req->method, "body",
                                 body, (int)req->body_len));
}

static void h_busy(void *ctx, const http_request *req, http_response *res)
{
    http_response_header(res, "Retry-After", "60");
    http_response_json(res, 429, json_pack("{s:s}", "message", "come back in a minute"));
}

static void observe(void *ctx, const http_client_attempt_info *info)
{
    fixture *fx = ctx;
    atomic_fetch_add(&fx->attempts, 1);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    pthread_mutex_init(&fx->mu, NULL);
    pthread_cond_init(&fx->cv, NULL);
    http_server_options o = {.max_response = 1 << 20};
    err e = {0};
    assert_int_equal(http_server_new(&fx->srv, &o, &e), 0);
    const char *methods[] = {"GET", "POST", "HEAD", "PUT"};
    for (size_t i = 0; i < PS_ARRAY_LEN(methods); i++)
        assert_int_equal(http_server_route(fx->srv, methods[i], "/echo", "echo", h_echo, fx), 0);
    assert_int_equal(http_server_route(fx->srv, "GET", "/gate", "gate", h_gate, fx), 0);
    assert_int_equal(http_server_route(fx->srv, "GET", "/hang", "hang", h_hang, fx), 0);
    assert_int_equal(http_server_route(fx->srv, "GET", "/busy", "busy", h_busy, fx), 0);
    assert_int_equal(http_server_start(fx->srv, &e), 0);
    snprintf(fx->base, sizeof fx->base, "http://127.0.0.1:%u", (unsigned)http_server_port(fx->srv));
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    pthread_mutex_lock(&fx->mu);
    fx->gate_open = fx->release = true;
    pthread_cond_broadcast(&fx->cv);
    pthread_mutex_unlock(&fx->mu);
    http_server_free(fx->srv);
    pthread_cond_destroy(&fx->cv);
    pthread_mutex_destroy(&fx->mu);
    free(fx);
    return 0;
}

static http_client *new_client(fixture *fx, const retry_policy *retry)
{
    http_client_config cc = {.connect_timeout_ms = 2000,
                             .timeout_ms = 20000,
                             .max_host_connections = 4,
                             .seed = 1,
                             .observe = observe,
                             .observe_ctx = fx};
    if (retry)
        cc.retry = *retry;
    http_client *c = NULL;
    err e = {0};
    assert_int_equal(http_client_new(&c, &cc, &e), 0);
    return c;
}

/* Waits (bounded) until the server holds n requests at *held. */
static bool held_reaches(fixture *fx, const int *held, int n)
{
    struct timespec until;
    deadline_in(&until, 5000);
    pthread_mutex_lock(&fx->mu);
    while (*held < n && pthread_cond_timedwait(&fx->cv, &fx->mu, &until) != ETIMEDOUT)
        ;
    bool ok = *held >= n;
    pthread_mutex_unlock(&fx->mu);
    return ok;
}

static void open_flag(fixture *fx, bool *flag)
{
    pthread_mutex_lock(&fx->mu);
    *flag = true;
    pthread_cond_broadcast(&fx->cv);
    pthread_mutex_unlock(&fx->mu);
}

/* One caller thread: n requests to path (echo ones tagged and checked), the outcome kept. */
typedef struct caller {
    fixture *fx;
    http_client *client;
    const char *path;
    int id, n, slow_ms;
    int failures, wrong; /* failed sends; answers that were not this request's */
    int last_rc, last_attempts;
    char last_msg[ERR_MSG_MAX];
    pthread_t th;
    atomic_bool done;
} caller;

static bool echo_is(const http_client_response *res, const char *tag)
{
    json_t *j = json_loadb(res->body.ptr, res->body.len, 0, NULL);
    const char *got = j ? json_string_value(json_object_get(j, "tag")) : NULL;
    bool same = got && strcmp(got, tag) == 0;
    json_decref(j);
    return same;
}

static void *caller_main(void *arg)
{
    caller *cl = arg;
    for (int k = 0; k < cl->n; k++) {
        char tag[32], url[256];
        snprintf(tag, sizeof tag, "c%d-%d", cl->id, k);
        int ms = cl->slow_ms ? 1 + (cl->id * 7 + k) % cl->slow_ms : 0;
        if (strcmp(cl->path, "/echo") == 0)
            snprintf(url, sizeof url, "%s/echo?tag=%s&ms=%d", cl->fx->base, tag, ms);
        else
            snprintf(url, sizeof url, "%s%s", cl->fx->base, cl->path);
        http_client_request req = {.method = "GET", .url = url};
        http_client_response res;
        http_client_response_init(&res);
        err e = {0};
        cl->last_rc = http_client_send(cl->client, &req, &res, &e);
        cl->last_attempts = res.attempts;
        snprintf(cl->last_msg, sizeof cl->last_msg, "%s", e.msg);
        cl->failures += cl->last_rc != 0;
        if (cl->last_rc == 0 && strcmp(cl->path, "/echo") == 0)
            cl->wrong += !echo_is(&res, tag);
        http_client_response_clear(&res);
    }
    atomic_store(&cl->done, true);
    return NULL;
}

static void start(caller *cl, fixture *fx, http_client *c, const char *path, int id, int n,
                  int slow_ms)
{
    *cl = (caller){.fx = fx, .client = c, .path = path, .id = id, .n = n, .slow_ms = slow_ms};
    atomic_init(&cl->done, false);
    assert_int_equal(pthread_create(&cl->th, NULL, caller_main, cl), 0);
}

static bool is_done(void *ctx)
{
    return atomic_load(&((caller *)ctx)->done);
}

typedef struct group {
    caller *c;
    int n;
} group;

static bool all_done(void *ctx)
{
    group *g = ctx;
    for (int i = 0; i < g->n; i++)
        if (!is_done(&g->c[i]))
            return false;
    return true;
}

/* Many callers at once, half with answers that take 1 to 20 ms: each gets its own answer. */
static void test_many_threads_mixed(void **state)
{
    fixture *fx = *state;
    http_client *c = new_client(fx, NULL);
    caller cl[8];
    for (int i = 0; i < 8; i++)
        start(&cl[i], fx, c, "/echo", i, 25, i % 2 ? 20 : 0);
    group g = {cl, 8};
    assert_true(th_wait_until(all_done, &g, 60000));
    for (int i = 0; i < 8; i++) {
        pthread_join(cl[i].th, NULL);
        assert_int_equal(cl[i].failures, 0);
        assert_int_equal(cl[i].wrong, 0);
    }
    assert_int_equal(atomic_load(&fx->attempts), 8 * 25); /* the observer saw every attempt */
    http_client_free(c);
}

/* A caller alone drives the transfers; requests of others that come and finish meanwhile are
 * run by it, and it goes on waiting for its own. */
static void test_finish_while_another_drives(void **state)
{
    fixture *fx = *state;
    http_client *c = new_client(fx, NULL);
    caller slow, fast[3];
    start(&slow, fx, c, "/gate", 99, 1, 0);
    assert_true(held_reaches(fx, &fx->gated, 1));
    for (int i = 0; i < 3; i++)
        start(&fast[i], fx, c, "/echo", i, 10, 0);
    group g = {fast, 3};
    assert_true(th_wait_until(all_done, &g, 20000));
    for (int i = 0; i < 3; i++) {
        pthread_join(fast[i].th, NULL);
        assert_int_equal(fast[i].failures, 0);
        assert_int_equal(fast[i].wrong, 0);
    }
    assert_false(is_done(&slow)); /* still held by the server */
    open_flag(fx, &fx->gate_open);
    assert_true(th_wait_until(is_done, &slow, 10000));
    pthread_join(slow.th, NULL);
    assert_int_equal(slow.failures, 0);
    http_client_free(c);
}

/* The driver's own request ends while another's is still running: a waiting caller takes over
 * (otherwise the other request would never be read), and callers that come later still get
 * through. */
static void test_hand_over(void **state)
{
    fixture *fx = *state;
    http_client *c = new_client(fx, NULL);
    caller first, second, later;
    start(&first, fx, c, "/gate", 1, 1, 0);
    assert_true(held_reaches(fx, &fx->gated, 1));
    start(&second, fx, c, "/hang", 2, 1, 0);
    assert_true(held_reaches(fx, &fx->hanging, 1));
    open_flag(fx, &fx->gate_open);
    assert_true(th_wait_until(is_done, &first, 10000));
    pthread_join(first.th, NULL);
    assert_int_equal(first.failures, 0);
    start(&later, fx, c, "/echo", 3, 5, 0);
    assert_true(th_wait_until(is_done, &later, 10000));
    pthread_join(later.th, NULL);
    assert_int_equal(later.failures, 0);
    assert_false(is_done(&second));
    open_flag(fx, &fx->release);
    assert_true(th_wait_until(is_done, &second, 10000));
    pthread_join(second.th, NULL);
    assert_int_equal(second.failures, 0);
    http_client_free(c);
}

static json_t *echo(http_client *c, const char *method, const char *url, const char *body,
                    long *new_connections)
{
    http_client_request req = {
        .method = method, .url = url, .body = body, .body_len = body ? strlen(body) : 0};
    http_client_response res;
    http_client_response_init(&res);
    err e = {0};
    assert_int_equal(http_client_send(c, &req, &res, &e), 0);
    *new_connections = res.new_connections;
    json_t *j = res.body.len ? json_loadb(res.body.ptr, res.body.len, 0, NULL) : json_null();
    http_client_response_clear(&res);
    assert_non_null(j);
    return j;
}

/* Easy handles are reused: one attempt's method, body, fresh-connection flag or short timeout
 * must not leak into the next one. */
static void test_handles_reused_clean(void **state)
{
    fixture *fx = *state;
    http_client *c = new_client(fx, &(retry_policy){.max_attempts = 1});
    char url[256], hang[256];
    snprintf(url, sizeof url, "%s/echo", fx->base);
    snprintf(hang, sizeof hang, "%s/hang", fx->base);
    long opened = 0;
    json_decref(echo(c, "GET", url, NULL, &opened));
    assert_int_equal(opened, 1);
    for (int round = 0; round < 3; round++) {
        json_t *j = echo(c, "POST", url, "{\"a\":1}", &opened);
        assert_string_equal(json_string_value(json_object_get(j, "method")), "POST");
        assert_int_equal(opened, 1); /* not idempotent: a connection of its own */
        json_decref(j);
        j = echo(c, "GET", url, NULL, &opened);
        assert_string_equal(json_string_value(json_object_get(j, "method")), "GET");
        assert_string_equal(json_string_value(json_object_get(j, "body")), "");
        assert_int_equal(opened, 0); /* reused, not fresh */
        json_decref(j);
        json_decref(echo(c, "HEAD", url, NULL, &opened));
        j = echo(c, "PUT", url, "{}", &opened);
        assert_string_equal(json_string_value(json_object_get(j, "method")), "PUT");
        json_decref(j);
    }
    /* A short per-request timeout, then the client's own (20 s) on the same handle. */
    http_client_request quick = {.method = "GET", .url = hang, .timeout_ms = 200};
    http_client_response res;
    http_client_response_init(&res);
    err e = {0};
    assert_int_equal(http_client_send(c, &quick, &res, &e), ERR_NET);
    assert_int_equal(res.error.transport, API_TRANSPORT_TIMEOUT);
    http_client_response_clear(&res);
    assert_true(held_reaches(fx, &fx->hanging, 1)); /* the server still holds it */
    caller patient;
    start(&patient, fx, c, "/hang", 1, 1, 0);
    assert_true(held_reaches(fx, &fx->hanging, 2));
    open_flag(fx, &fx->release); /* answers both: the patient one is still waiting for it */
    assert_true(th_wait_until(is_done, &patient, 10000));
    pthread_join(patient.th, NULL);
    assert_int_equal(patient.failures, 0);
    http_client_free(c);
}

static void *free_main(void *arg)
{
    caller *cl = arg;
    http_client_free(cl->client);
    atomic_store(&cl->done, true);
    return NULL;
}

static bool attempts_reach(void *ctx)
{
    return atomic_load(&((fixture *)ctx)->attempts) >= 1;
}

/* Freed with three transfers in flight (one driving, two waiting) and a caller in a minute's
 * wait before its retry: all four return at once with ERR_NET, saying why. */
static void test_shutdown_in_flight(void **state)
{
    fixture *fx = *state;
    retry_policy patient = {
        .max_attempts = 5, .base_ms = 100, .cap_ms = 1000, .max_elapsed_ms = 600000};
    http_client *c = new_client(fx, &patient);
    caller hung[3], busy;
    for (int i = 0; i < 3; i++)
        start(&hung[i], fx, c, "/hang", i, 1, 0);
    assert_true(held_reaches(fx, &fx->hanging, 3));
    start(&busy, fx, c, "/busy", 9, 1, 0); /* 429, Retry-After: 60 */
    assert_true(th_wait_until(attempts_reach, fx, 10000));
    caller freer = {.client = c};
    atomic_init(&freer.done, false);
    assert_int_equal(pthread_create(&freer.th, NULL, free_main, &freer), 0);
    assert_true(th_wait_until(is_done, &freer, 10000));
    pthread_join(freer.th, NULL);
    /* http_client_free() returned: every sender has returned too. */
    for (int i = 0; i < 3; i++) {
        assert_true(th_wait_until(is_done, &hung[i], 5000));
        pthread_join(hung[i].th, NULL);
        assert_int_equal(hung[i].last_rc, ERR_NET);
        assert_int_equal(hung[i].last_attempts, 1);
        assert_non_null(strstr(hung[i].last_msg, "shutting down"));
    }
    assert_true(th_wait_until(is_done, &busy, 5000));
    pthread_join(busy.th, NULL);
    assert_int_equal(busy.last_rc, ERR_LIMIT);
    assert_int_equal(busy.last_attempts, 1);
    assert_non_null(strstr(busy.last_msg, "shutting down"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_many_threads_mixed),   T(test_finish_while_another_drives), T(test_hand_over),
        T(test_handles_reused_clean), T(test_shutdown_in_flight),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
