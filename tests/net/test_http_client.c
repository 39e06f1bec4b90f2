/* test_http_client.c: end-to-end tests of the HTTP client against a local server whose handlers
 * answer what each test needs: connection reuse, timeouts, the size cap, 429s, 5xx, resets,
 * creates that must not be repeated, trace ids, the breaker and the governor. */
#include "net/http_client.h"
#include "net/http_server.h"
#include "tests/support/testhttp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define T0 ((int64_t)1767225600000)
#define MAX_PORTS 64

typedef struct fixture {
    http_server *srv;
    http_client *client;
    clock_source clk; /* the client's: backoff sleeps move it instead of sleeping */
    char base[64];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int calls;                 /* requests the scripted and hanging handlers saw */
    char script[16][16];       /* answers to give, in order; past the end: "200" */
    int n_script;
    uint16_t ports[MAX_PORTS]; /* client ports seen: one per connection */
    int n_ports;
    bool release;              /* frees the hanging handler */
    int hanging;
    /* fixed-window limiter for the governor test */
    int64_t window_start;
    int window_count, limit_429s;
} fixture;

static void note_port(fixture *fx, const http_request *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr || ci->client_addr->sa_family != AF_INET)
        return;
    const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)ci->client_addr;
    uint16_t port = ntohs(sin->sin_port);
    pthread_mutex_lock(&fx->mu);
    bool seen = false;
    for (int i = 0; i < fx->n_ports; i++)
        seen |= fx->ports[i] == port;
    if (!seen && fx->n_ports < MAX_PORTS)
        fx->ports[fx->n_ports++] = port;
    pthread_mutex_unlock(&fx->mu);
}

static int n_ports(fixture *fx)
{
    pthread_mutex_lock(&fx->mu);
    int n = fx->n_ports;
    pthread_mutex_unlock(&fx->mu);
    return n;
}

static int calls(fixture *fx)
{
    pthread_mutex_lock(&fx->mu);
    int n = fx->calls;
    pthread_mutex_unlock(&fx->mu);
    return n;
}

static void h_ok(void *ctx, const http_request *req, http_response *res)
{
    note_port(ctx, req);
    http_response_json(res, 200, json_pack("{s:b}", "ok", 1));
}

/* Describes the request back: method, body, content type, a custom header, the agent. */
static void h_echo(void *ctx, const http_request *req, http_response *res)
{
    const char *ct = http_request_header(req, "Content-Type");
    const char *x = http_request_header(req, "X-Thing");
    const char *ua = http_request_header(req, "User-Agent");
    http_response_json(res, 200,
                       json_pack("{s:s, s:s#, s:s?, s:s?, s:s?}", "method", req->method, "body",
                                 (const char *)req->body, (int)req->body_len, "content_type", ct,
                                 "x_thing", x, "agent", ua));
}

static void h_big(void *ctx, const http_request *req, http_response *res)
{
    char *text = malloc(100001);
    memset(text, 'x', 100000);
    text[100000] = '\0';
    http_response_text(res, 200, "text/plain", text);
    free(text);
}

static void h_hang(void *ctx, const http_request *req, http_response *res)
{
    fixture *fx = ctx;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    pthread_mutex_lock(&fx->mu);
    fx->calls++;
    fx->hanging++;
    while (!fx->release && pthread_cond_timedwait(&fx->cv, &fx->mu, &until) != ETIMEDOUT)
        ;
    fx->hanging--;
    pthread_mutex_unlock(&fx->mu);
    http_response_text(res, 200, "text/plain", "late");
}

/* Answers the next scripted step. */
static void h_script(void *ctx, const http_request *req, http_response *res)
{
    fixture *fx = ctx;
    pthread_mutex_lock(&fx->mu);
    int i = fx->calls++;
    char step[16];
    snprintf(step, sizeof step, "%s", i < fx->n_script ? fx->script[i] : "200");
    pthread_mutex_unlock(&fx->mu);
    if (strcmp(step, "503") == 0) {
        http_response_json(res, 503, json_pack("{s:s}", "message", "busy"));
    } else if (strcmp(step, "reset") == 0) {
        res->reset = true;
    } else if (strcmp(step, "429ra") == 0) {
        http_response_header(res, "Retry-After", "2");
        http_response_json(res, 429, json_pack("{s:s}", "message", "slow down"));
    } else if (strcmp(step, "429rl") == 0) {
        http_response_header(res, "X-RateLimit-Max", "10");
        http_response_header(res, "X-RateLimit-Remaining", "0");
        http_response_header(res, "X-RateLimit-Interval-Milliseconds", "1500");
        http_response_json(res, 429, json_pack("{s:s}", "message", "slow down"));
    } else if (strcmp(step, "daily") == 0) {
        http_response_header(res, "X-RateLimit-Daily-Remaining", "0");
        http_response_header(res, "Retry-After", "3600");
        http_response_json(res, 429, json_pack("{s:s}", "message", "daily limit"));
    } else if (strcmp(step, "400") == 0) {
        http_response_json(res, 400, json_pack("{s:s, s:s}", "message", "bad", "traceId", "tr-err"));
    } else if (strcmp(step, "trace-h") == 0) {
        http_response_header(res, "X-Trace-Id", "hdr-7");
        http_response_json(res, 200, json_object());
    } else {
        http_response_json(res, 201, json_pack("{s:s, s:s}", "traceId", "tr-1", "id", "c1"));
    }
}

/* A fixed-window limiter as HighLevel's: a window starts at the first request after the last
 * one ended; 5 per 300 ms; the headers on every answer. */
static void h_limited(void *ctx, const http_request *req, http_response *res)
{
    fixture *fx = ctx;
    const int max = 5, interval = 300;
    pthread_mutex_lock(&fx->mu);
    int64_t now = clock_mono_ms(clock_system());
    if (fx->window_count == 0 || now >= fx->window_start + interval) {
        fx->window_start = now;
        fx->window_count = 0;
    }
    bool ok = fx->window_count < max;
    fx->window_count += ok;
    fx->limit_429s += !ok;
    fx->calls++;
    int remaining = max - fx->window_count;
    pthread_mutex_unlock(&fx->mu);
    char v[32];
    snprintf(v, sizeof v, "%d", max);
    http_response_header(res, "X-RateLimit-Max", v);
    snprintf(v, sizeof v, "%d", remaining);
    http_response_header(res, "X-RateLimit-Remaining", v);
    snprintf(v, sizeof v, "%d", interval);
    http_response_header(res, "X-RateLimit-Interval-Milliseconds", v);
    http_response_json(res, ok ? 200 : 429, json_object());
}

static void script(fixture *fx, const char *steps)
{
    pthread_mutex_lock(&fx->mu);
    fx->calls = 0;
    fx->n_script = 0;
    char copy[256];
    snprintf(copy, sizeof copy, "%s", steps);
    for (char *save = NULL, *s = strtok_r(copy, ",", &save); s && fx->n_script < 16;
         s = strtok_r(NULL, ",", &save))
        snprintf(fx->script[fx->n_script++], sizeof fx->script[0], "%s", s);
    pthread_mutex_unlock(&fx->mu);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    pthread_mutex_init(&fx->mu, NULL);
    pthread_cond_init(&fx->cv, NULL);
    clock_fake_init(&fx->clk, T0);
    http_server_options o = {.max_response = 1 << 20};
    err e = {0};
    assert_int_equal(http_server_new(&fx->srv, &o, &e), 0);
    const char *methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH"};
    for (size_t i = 0; i < PS_ARRAY_LEN(methods); i++) {
        assert_int_equal(http_server_route(fx->srv, methods[i], "/script", "script", h_script, fx), 0);
        assert_int_equal(http_server_route(fx->srv, methods[i], "/echo", "echo", h_echo, fx), 0);
    }
    assert_int_equal(http_server_route(fx->srv, "GET", "/ok", "ok", h_ok, fx), 0);
    assert_int_equal(http_server_route(fx->srv, "GET", "/big", "big", h_big, fx), 0);
    assert_int_equal(http_server_route(fx->srv, "GET", "/hang", "hang", h_hang, fx), 0);
    assert_int_equal(http_server_route(fx->srv, "GET", "/limited", "limited", h_limited, fx), 0);
    assert_int_equal(http_server_start(fx->srv, &e), 0);
    snprintf(fx->base, sizeof fx->base, "http://127.0.0.1:%u", (unsigned)http_server_port(fx->srv));
    http_client_config cc = {
        .connect_timeout_ms = 2000, .timeout_ms = 5000, .max_response = 10000,
        .max_host_connections = 2, .clock = &fx->clk, .seed = 1,
        .retry = {.max_attempts = 4, .base_ms = 100, .cap_ms = 1000, .max_elapsed_ms = 60000},
    };
    assert_int_equal(http_client_new(&fx->client, &cc, &e), 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    http_client_free(fx->client);
    pthread_mutex_lock(&fx->mu);
    fx->release = true;
    pthread_cond_broadcast(&fx->cv);
    pthread_mutex_unlock(&fx->mu);
    http_server_free(fx->srv);
    pthread_cond_destroy(&fx->cv);
    pthread_mutex_destroy(&fx->mu);
    free(fx);
    return 0;
}

/* Sends method path (body may be NULL) and returns the rc; res must be initialised. */
static int send_req(fixture *fx, const char *method, const char *path, const char *body,
                    http_idempotency idem, http_client_response *res, err *e)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", fx->base, path);
    http_client_request req = {.method = method, .url = url, .body = body,
                               .body_len = body ? strlen(body) : 0, .idempotency = idem};
    return http_client_send(fx->client, &req, res, e);
}

static void test_reuse(void **state)
{
    fixture *fx = *state;
    long opened = 0;
    for (int i = 0; i < 20; i++) {
        http_client_response res;
        http_client_response_init(&res);
        err e = {0};
        assert_int_equal(send_req(fx, "GET", "/ok", NULL, 0, &res, &e), 0);
        assert_int_equal(res.status, 200);
        assert_int_equal(res.attempts, 1);
        opened += res.new_connections;
        http_client_response_clear(&res);
    }
    assert_int_equal(opened, 1);
    assert_int_equal(n_ports(fx), 1); /* the server saw one connection for twenty requests */
}

typedef struct burst {
    fixture *fx;
    int failures;
} burst;

static void *send_burst(void *arg)
{
    burst *b = arg;
    for (int i = 0; i < 15; i++) {
        http_client_response res;
        http_client_response_init(&res);
        err e = {0};
        b->failures += send_req(b->fx, "GET", "/ok", NULL, 0, &res, &e) != 0;
        http_client_response_clear(&res);
    }
    return NULL;
}

static void test_reuse_concurrent(void **state)
{
    fixture *fx = *state;
    pthread_t th[6];
    burst b[6];
    for (int i = 0; i < 6; i++) {
        b[i] = (burst){.fx = fx, .failures = 0};
        assert_int_equal(pthread_create(&th[i], NULL, send_burst, &b[i]), 0);
    }
    for (int i = 0; i < 6; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(b[i].failures, 0);
    }
    /* Six callers, ninety requests, at most max_host_connections connections. */
    assert_true(n_ports(fx) >= 1 && n_ports(fx) <= 2);
}

static void test_total_timeout(void **state)
{
    fixture *fx = *state;
    char url[256];
    snprintf(url, sizeof url, "%s/hang", fx->base);
    retry_policy once_more = {.max_attempts = 2, .base_ms = 10, .cap_ms = 10, .max_elapsed_ms = 60000};
    http_client_request req = {.method = "GET", .url = url, .timeout_ms = 300, .retry = &once_more,
                               .label = "hang test"};
    http_client_response res;
    http_client_response_init(&res);
    err e = {0};
    assert_int_equal(http_client_send(fx->client, &req, &res, &e), ERR_NET);
    assert_int_equal(res.error.kind, API_ERR_TRANSIENT);
    assert_int_equal(res.error.transport, API_TRANSPORT_TIMEOUT);
    assert_int_equal(res.attempts, 2); /* a GET is retried after a timeout */
    assert_true(res.maybe_applied);
    assert_int_equal(calls(fx), 2);
    assert_non_null(strstr(e.msg, "hang test: transient"));
    http_client_response_clear(&res);
}

/* A listener whose accept queue is full: connection attempts get no answer at all. */
static int full_listener(int *fds, int n, uint16_t *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    fds[0] = socket(AF_INET, SOCK_STREAM, 0);
    if (bind(fds[0], (struct sockaddr *)&a, len) || listen(fds[0], 0) ||
        getsockname(fds[0], (struct sockaddr *)&a, &len))
        return -1;
    *port = ntohs(a.sin_port);
    for (int i = 1; i < n; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        fcntl(fds[i], F_SETFL, O_NONBLOCK);
        connect(fds[i], (struct sockaddr *)&a, len);
        if (i == 1) { /* the one the queue holds: wait until it is established */
            struct pollfd p = {.fd = fds[i], .events = POLLOUT};
            poll(&p, 1, 2000);
        }
    }
    return 0;
}

static void test_connect_timeout(void **state)
{
    fixture *fx = *state;
    int fds[4];
    uint16_t port = 0;
    assert_int_equal(full_listener(fds, 4, &port), 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/x", (unsigned)port);
    http_client_config cc = {.connect_timeout_ms = 200, .timeout_ms = 5000, .clock = &fx->clk,
                             .retry = {.max_attempts = 2, .base_ms = 1, .cap_ms = 1}};
    http_client *c;
    err e = {0};
    assert_int_equal(http_client_new(&c, &cc, &e), 0);
    /* Even a create is tried again: nothing was sent. */
    http_client_request req = {.method = "POST", .url = url, .body = "{}", .body_len = 2};
    http_client_response res;
    http_client_response_init(&res);
    assert_int_equal(http_client_send(c, &req, &res, &e), ERR_NET);
    assert_int_equal(res.error.transport, API_TRANSPORT_TIMEOUT);
    assert_int_equal(res.attempts, 2);
    assert_false(res.maybe_applied);
    http_client_response_clear(&res);
    http_client_free(c);
    for (int i = 0; i < 4; i++)
        close(fds[i]);
}

static void test_refused(void **state)
{
    fixture *fx = *state;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, len), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd); /* nobody listens there now */
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/x", (unsigned)ntohs(a.sin_port));
    http_client_request req = {.method = "POST", .url = url, .body = "{}", .body_len = 2};
    http_client_response res;
    http_client_response_init(&res);
    err e = {0};
    assert_int_equal(http_client_send(fx->client, &req, &res, &e), ERR_NET);
    assert_int_equal(res.error.transport, API_TRANSPORT_CONNECT);
    assert_int_equal(res.attempts, 4);
    assert_false(res.maybe_applied);
    http_client_response_clear(&res);
}

static void test_size_cap(void **state)
{
    fixture *fx = *state;
    http_client_response res;
    http_client_response_init(&res);
    err e = {0};
    assert_int_equal(send_req(fx, "GET", "/big", NULL, 0, &res, &e), ERR_LIMIT);
    assert_int_equal(res.error.kind, API_ERR_PERMANENT);
    assert_int_equal(res.error.transport, API_TRANSPORT_TOO_LARGE);
    assert_int_equal(res.attempts, 1);
    assert_true(res.body.len <= 10000);
    http_client_response_clear(&res);
}

static void test_429_retry_after(void **state)
{
    fixture *fx = *state;
    script(fx, "429ra,200");
    int64_t before = clock_mono_ms(&fx->clk);
    http_client_response res;
    http_client_response_init(&res);
    err e = {0};
    /* A create too: the limiter refused it before any work. */
    assert_int_equal(send_req(fx, "POST", "/script", "{}", 0, &res, &e), 0);
    assert_int_equal(res.status, 201);
    assert_int_equal(res.attempts, 2);
    assert_int_equal(clock_mono_ms(&fx->clk) - before, 2000);
    http_client_response_clear(&res);
}

static void test_429_ratelimit_headers(void **state)
{
    fixture *fx = *state;
    script(fx, "429rl,429rl,200");
    int64_t before = clock_mono_ms(&fx->clk);
    http_client_response res;
    http_client_response_init(&res);
    err e = {0};
    assert_int_equal(send_req(fx, "GET", "/script", NULL, 0, &res, &e), 0);
    assert_int_equal(res.attempts, 3);
    assert_int_equal(clock_mono_ms(&fx->clk) - before, 3000); /* a full interval each time */
    http_client_response_clear(&res);
}

static void test_daily_exhausted(void **state)
{
    fixture *fx = *state;
    script(fx, "daily");
    http_client_response res;
    http_client_response_init(&res);
    err e = {0};
    assert_int_equal(send_req(fx, "GET", "/script", NULL, 0, &res, &e), ERR_LIMIT);
    assert_int_equal(res.error.kind, API_ERR_RATE);
    assert_int_equal(res.attempts, 1);
    assert_int_equal(res.retry_after_ms, 3600000);
    assert_int_equal(res.rate.daily_remaining, 0);
    assert_string_equal(http_client_response_header(&res, "retry-after"), "3600");
    assert_non_null(strstr(e.msg, "daily budget exhausted"));
    http_client_response_clear(&res);
}

static void test_5xx_then_success(void **state)
{
    fixture *fx = *state;
    script(fx, "503,503,200");
    http_client_response res;
    http_client_response_init(&res);
    err e = {0};
    assert_int_equal(send_req(fx, "GET", "/script", NULL, 0, &res, &e), 0);
    assert_int_equal(res.attempts, 3);
    assert_int_equal(calls(fx), 3);
    assert_false(res.maybe_applied);
    /* Exhausted attempts keep the last answer and say so. */
    script(fx, "503,503,503,503,200");
    assert_int_equal(send_req(fx, "GET", "/script", NULL, 0, &res, &e), ERR_NET);
    assert_int_equal(res.attempts, 4);
    assert_int_equal(res.status, 503);
    assert_string_equal(res.error.message, "busy");
    assert_non_null(strstr(e.msg, "attempts exhausted"));
    http_client_response_clear(&res);
}

static void test_reset_retried(void **state)
{
    fixture *fx = *state;
    script(fx, "reset,200"); /* on the client's first connection: the retry is ours */
    http_client_response res;
    http_client_response_init(&res);
    err e = {0};
    assert_int_equal(send_req(fx, "DELETE", "/script", NULL, 0, &res, &e), 0);
    assert_int_equal(res.attempts, 2);
    http_client_response_clear(&res);
}

static void test_create_not_repeated(void **state)
{
    fixture *fx = *state;
    const char *fails[] = {"503,200", "reset,200"};
    for (size_t i = 0; i < PS_ARRAY_LEN(fails); i++) {
        script(fx, fails[i]);
        http_client_response res;
        http_client_response_init(&res);
        err e = {0};
        assert_int_equal(send_req(fx, "POST", "/script", "{\"email\":\"a@b.c\"}", 0, &res, &e),
                         ERR_NET);
        assert_int_equal(res.attempts, 1);
        assert_int_equal(calls(fx), 1);
        assert_true(res.maybe_applied);
        assert_non_null(strstr(e.msg, "not idempotent"));
        /* The caller made it safe (an upsert, a key): then it may be repeated. */
        script(fx, fails[i]);
        assert_int_equal(send_req(fx, "POST", "/script", "{}", HTTP_IDEMPOTENT_YES, &res, &e), 0);
        /* (after a reset on a reused connection libcurl itself may have sent it again) */
        assert_int_equal(calls(fx), 2);
        http_client_response_clear(&res);
    }
    /* PATCH is not idempotent by default either; a GET marked NO is not repeated. */
    script(fx, "503,200");
    http_client_response res;
    http_client_response_init(&res);
    err e = {0};
    assert_int_equal(send_req(fx, "PATCH", "/script", "{}", 0, &res, &e), ERR_NET);
    script(fx, "503,200");
    assert_int_equal(send_req(fx, "GET", "/script", NULL, HTTP_IDEMPOTENT_NO, &res, &e), ERR_NET);
    assert_int_equal(res.attempts, 1);
    http_client_response_clear(&res);
}

static void test_trace_id(void **state)
{
    fixture *fx = *state;
    script(fx, "200,trace-h,400");
    http_client_response res;
    http_client_response_init(&res);
    err e = {0};
    assert_int_equal(send_req(fx, "POST", "/script", "{}", 0, &res, &e), 0);
    assert_string_equal(res.trace_id, "tr-1");
    assert_int_equal(send_req(fx, "GET", "/script", NULL, 0, &res, &e), 0);
    assert_string_equal(res.trace_id, "hdr-7");
    assert_int_equal(send_req(fx, "POST", "/script", "{}", 0, &res, &e), ERR_INVALID);
    assert_int_equal(res.error.kind, API_ERR_VALIDATION);
    assert_string_equal(res.error.message, "bad");
    assert_string_equal(res.trace_id, "tr-err");
    http_client_response_clear(&res);
}

static void test_request_shapes(void **state)
{
    fixture *fx = *state;
    char url[256];
    snprintf(url, sizeof url, "%s/echo", fx->base);
    const char *headers[] = {"X-Thing: 42", "Content-Type: text/plain", NULL};
    const char *methods[] = {"PUT", "DELETE", "PATCH"};
    for (size_t i = 0; i < PS_ARRAY_LEN(methods); i++) {
        http_client_request req = {.method = methods[i], .url = url, .body = "a\0b", .body_len = 3,
                                   .headers = i == 0 ? headers : NULL};
        http_client_response res;
        http_client_response_init(&res);
        err e = {0};
        assert_int_equal(http_client_send(fx->client, &req, &res, &e), 0);
        json_t *j = json_loadb(res.body.ptr, res.body.len, JSON_ALLOW_NUL, NULL);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_object_get(j, "method")), methods[i]);
        assert_int_equal(json_string_length(json_object_get(j, "body")), 3);
        assert_string_equal(json_string_value(json_object_get(j, "content_type")),
                            i == 0 ? "text/plain" : "application/json");
        if (i == 0)
            assert_string_equal(json_string_value(json_object_get(j, "x_thing")), "42");
        assert_non_null(strstr(json_string_value(json_object_get(j, "agent")), "pheedsync/"));
        assert_string_equal(http_client_response_header(&res, "CONTENT-TYPE"), "application/json");
        json_decref(j);
        http_client_response_clear(&res);
    }
}

static void test_breaker_opens(void **state)
{
    fixture *fx = *state;
    script(fx, "503,503,503,503,503,503");
    breaker *b;
    breaker_config bc = {.consecutive_failures = 2, .open_ms = 60000};
    err e = {0};
    assert_int_equal(breaker_new(&b, "script", &bc, &fx->clk, &e), 0);
    char url[256];
    snprintf(url, sizeof url, "%s/script", fx->base);
    retry_policy once = {.max_attempts = 1};
    http_client_request req = {.method = "GET", .url = url, .brk = b, .retry = &once};
    http_client_response res;
    http_client_response_init(&res);
    assert_int_equal(http_client_send(fx->client, &req, &res, &e), ERR_NET);
    assert_int_equal(http_client_send(fx->client, &req, &res, &e), ERR_NET);
    assert_int_equal(breaker_get_state(b), BREAKER_OPEN);
    assert_int_equal(http_client_send(fx->client, &req, &res, &e), ERR_BAD_STATE);
    assert_true(res.breaker_open);
    assert_int_equal(res.attempts, 0);
    assert_int_equal(calls(fx), 2); /* the third call never left */
    assert_non_null(strstr(e.msg, "circuit open"));
    /* After the cool-down the probe finds the service back. */
    script(fx, "200");
    clock_fake_advance(&fx->clk, 60000);
    assert_int_equal(http_client_send(fx->client, &req, &res, &e), 0);
    assert_int_equal(breaker_get_state(b), BREAKER_CLOSED);
    http_client_response_clear(&res);
    breaker_free(b);
}

typedef struct governed {
    fixture *fx;
    governor *g;
    int failures;
} governed;

static void *send_governed(void *arg)
{
    governed *w = arg;
    char url[256];
    snprintf(url, sizeof url, "%s/limited", w->fx->base);
    for (int i = 0; i < 10; i++) {
        http_client_request req = {.method = "GET", .url = url, .gov = w->g,
                                   .lane = GOVERNOR_LANE_BACKFILL};
        http_client_response res;
        http_client_response_init(&res);
        err e = {0};
        w->failures += http_client_send(w->fx->client, &req, &res, &e) != 0;
        w->failures += res.attempts != 1;
        http_client_response_clear(&res);
    }
    return NULL;
}

/* HighLevel's defaults configured; the server allows 5 per 300 ms in fixed windows: the governor
 * learns that from the first answer and no request is ever refused. */
static void test_governor_no_429(void **state)
{
    fixture *fx = *state;
    governor_config gc = {.max_per_interval = 100, .interval_ms = 10000, .daily_limit = 200000,
                          .learn_from_headers = true};
    governor *g;
    err e = {0};
    assert_int_equal(governor_new(&g, "limited", &gc, NULL, &e), 0);
    pthread_t th[4];
    governed w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (governed){.fx = fx, .g = g, .failures = 0};
        assert_int_equal(pthread_create(&th[i], NULL, send_governed, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    assert_int_equal(calls(fx), 40);
    assert_int_equal(fx->limit_429s, 0);
    json_t *j = governor_state_json(g);
    assert_int_equal(json_integer_value(json_object_get(j, "max_per_interval")), 5);
    assert_int_equal(json_integer_value(json_object_get(j, "interval_ms")), 300);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "granted"), "backfill")),
                     40);
    json_decref(j);
    governor_free(g);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_reuse),           T(test_reuse_concurrent),     T(test_total_timeout),
        T(test_connect_timeout), T(test_refused),              T(test_size_cap),
        T(test_429_retry_after), T(test_429_ratelimit_headers), T(test_daily_exhausted),
        T(test_5xx_then_success), T(test_reset_retried),       T(test_create_not_repeated),
        T(test_trace_id),        T(test_request_shapes),       T(test_breaker_opens),
        T(test_governor_no_429),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
