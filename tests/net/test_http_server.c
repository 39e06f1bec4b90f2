/* test_http_server.c: end-to-end tests of the HTTP server over loopback with a real client. */
#include "net/http_server.h"
#include "tests/support/testhttp.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* What the handlers, filter and observer saw; shared with connection threads. */
typedef struct fixture {
    http_server *srv;
    char base[64];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int handler_calls;
    int observed_status;
    char observed_route[64];
    bool observed_reset;
    bool blocked_entered, release;
} fixture;

static fixture *fx_global; /* for handlers registered without ctx in helper threads */

static void count_call(fixture *fx)
{
    pthread_mutex_lock(&fx->mu);
    fx->handler_calls++;
    pthread_mutex_unlock(&fx->mu);
}

static int handler_calls(fixture *fx)
{
    pthread_mutex_lock(&fx->mu);
    int n = fx->handler_calls;
    pthread_mutex_unlock(&fx->mu);
    return n;
}

/* Answers {"route": ..., "path": ..., params...}. */
static void h_describe(void *ctx, const http_request *req, http_response *res)
{
    count_call(ctx);
    json_t *j = json_object();
    json_object_set_new(j, "route", json_string(req->route));
    json_object_set_new(j, "path", json_string(req->path));
    json_object_set_new(j, "remote", json_string(req->remote_addr));
    for (size_t i = 0; i < req->n_params; i++)
        json_object_set_new(j, req->param_names[i], json_string(req->param_values[i]));
    http_response_json(res, 200, j);
}

static bool add_query(void *ctx, const char *key, const char *value)
{
    json_array_append_new(ctx, json_pack("[ss]", key, value));
    return true;
}

static void h_query(void *ctx, const http_request *req, http_response *res)
{
    json_t *all = json_array();
    http_request_each_query(req, add_query, all);
    const char *b = http_request_query(req, "b");
    const char *flag = http_request_query(req, "flag");
    const char *missing = http_request_query(req, "missing");
    http_response_json(res, 200,
                       json_pack("{s:o, s:s?, s:s?, s:b}", "all", all, "b", b, "flag", flag,
                                 "missing_is_null", missing == NULL));
}

static void h_headers(void *ctx, const http_request *req, http_response *res)
{
    const char *v = http_request_header(req, "x-custom-thing");
    http_response_header(res, "X-Echo", v ? v : "(none)");
    http_response_header(res, "X-Replaced", "first");
    http_response_header(res, "x-replaced", "second");
    http_response_text(res, 201, "text/plain", "ok");
}

/* Echoes the raw body; checks the promised NUL after it. */
static void h_echo(void *ctx, const http_request *req, http_response *res)
{
    count_call(ctx);
    if (req->body[req->body_len] != '\0') {
        http_response_text(res, 500, "text/plain", "no NUL after body");
        return;
    }
    buf_add(&res->body, req->body, req->body_len);
    http_response_header(res, "Content-Type", "application/octet-stream");
}

static void h_reset(void *ctx, const http_request *req, http_response *res)
{
    res->reset = true;
}

static void h_redirect(void *ctx, const http_request *req, http_response *res)
{
    http_response_redirect(res, 0, "https://example.com/after");
}

static void h_big(void *ctx, const http_request *req, http_response *res)
{
    char text[3000];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    http_response_text(res, 200, "text/plain", text);
}

/* Blocks until the test releases it. */
static void h_block(void *ctx, const http_request *req, http_response *res)
{
    fixture *fx = ctx;
    pthread_mutex_lock(&fx->mu);
    fx->blocked_entered = true;
    pthread_cond_broadcast(&fx->cv);
    while (!fx->release)
        pthread_cond_wait(&fx->cv, &fx->mu);
    pthread_mutex_unlock(&fx->mu);
    http_response_text(res, 200, "text/plain", "released");
}

static bool filter(void *ctx, const http_request *req, http_response *res)
{
    const char *block = http_request_header(req, "X-Block");
    if (!block)
        return false;
    json_t *j = json_pack("{s:s, s:s?}", "blocked", "yes", "route", req->route);
    http_response_json(res, 403, j);
    return true;
}

static void observer(void *ctx, const http_request *req, const http_response *res)
{
    fixture *fx = ctx;
    pthread_mutex_lock(&fx->mu);
    fx->observed_status = res->status;
    snprintf(fx->observed_route, sizeof fx->observed_route, "%s", req->route ? req->route : "-");
    fx->observed_reset = res->reset;
    pthread_mutex_unlock(&fx->mu);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    pthread_mutex_init(&fx->mu, NULL);
    pthread_cond_init(&fx->cv, NULL);
    http_server_options o = {.max_body = 1000, .max_response = 2048};
    err e = {0};
    assert_int_equal(http_server_new(&fx->srv, &o, &e), 0);
    http_server *s = fx->srv;
    assert_int_equal(
        http_server_route(s, "GET", "/contacts/{contactId}", "get-contact", h_describe, fx), 0);
    assert_int_equal(http_server_route(s, "GET", "/contacts/search", "search", h_describe, fx), 0);
    assert_int_equal(http_server_route(s, "GET", "/contacts/{contactId}/tasks/{taskId}", "get-task",
                                       h_describe, fx),
                     0);
    assert_int_equal(http_server_route(s, "GET", "/things/", "things-slash", h_describe, fx), 0);
    assert_int_equal(http_server_route(s, "GET", "/things", "things", h_describe, fx), 0);
    assert_int_equal(http_server_route(s, "GET", "/query", "query", h_query, fx), 0);
    assert_int_equal(http_server_route(s, "GET", "/headers", "headers", h_headers, fx), 0);
    assert_int_equal(http_server_route(s, "POST", "/echo", "echo", h_echo, fx), 0);
    assert_int_equal(http_server_route(s, "GET", "/reset", "reset", h_reset, fx), 0);
    assert_int_equal(http_server_route(s, "GET", "/redirect", "redirect", h_redirect, fx), 0);
    assert_int_equal(http_server_route(s, "GET", "/big", "big", h_big, fx), 0);
    assert_int_equal(http_server_route(s, "GET", "/block", "block", h_block, fx), 0);
    assert_int_equal(http_server_route(s, "GET", "bad", "bad", h_block, fx), ERR_INVALID);
    http_server_set_filter(s, filter, fx);
    http_server_set_observer(s, observer, fx);
    assert_int_equal(http_server_start(s, &e), 0);
    assert_int_not_equal(http_server_port(s), 0);
    assert_int_equal(http_server_route(s, "GET", "/late", "late", h_describe, fx), ERR_BAD_STATE);
    snprintf(fx->base, sizeof fx->base, "http://127.0.0.1:%u", (unsigned)http_server_port(s));
    fx_global = fx;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    http_server_free(fx->srv);
    pthread_mutex_destroy(&fx->mu);
    pthread_cond_destroy(&fx->cv);
    free(fx);
    fx_global = NULL;
    return 0;
}

static th_response *get(fixture *fx, const char *path)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", fx->base, path);
    return th_request("GET", url, NULL, NULL, 0);
}

static void expect_route(fixture *fx, const char *path, const char *route)
{
    th_response *r = get(fx, path);
    assert_int_equal(r->status, 200);
    assert_non_null(r->json);
    assert_string_equal(json_string_value(json_object_get(r->json, "route")), route);
    th_response_free(r);
}

static void test_routes_and_params(void **state)
{
    fixture *fx = *state;
    th_response *r = get(fx, "/contacts/abc123");
    assert_int_equal(r->status, 200);
    assert_string_equal(th_header(r, "Content-Type"), "application/json");
    assert_string_equal(json_string_value(json_object_get(r->json, "contactId")), "abc123");
    assert_string_equal(json_string_value(json_object_get(r->json, "remote")), "127.0.0.1");
    th_response_free(r);

    r = get(fx, "/contacts/c1/tasks/t2");
    assert_string_equal(json_string_value(json_object_get(r->json, "route")), "get-task");
    assert_string_equal(json_string_value(json_object_get(r->json, "contactId")), "c1");
    assert_string_equal(json_string_value(json_object_get(r->json, "taskId")), "t2");
    th_response_free(r);

    /* Percent-decoded before matching. */
    r = get(fx, "/contacts/a%20b%C3%A9");
    assert_string_equal(json_string_value(json_object_get(r->json, "contactId")), "a b\xc3\xa9");
    assert_string_equal(json_string_value(json_object_get(r->json, "path")),
                        "/contacts/a b\xc3\xa9");
    th_response_free(r);
}

static void test_literal_beats_param_and_slash(void **state)
{
    fixture *fx = *state;
    expect_route(fx, "/contacts/search", "search"); /* registered after the parameter */
    expect_route(fx, "/contacts/searchx", "get-contact");
    expect_route(fx, "/things", "things");
    expect_route(fx, "/things/", "things-slash");
    th_response *r = get(fx, "/contacts/abc/");
    assert_int_equal(r->status, 404);
    th_response_free(r);
}

static void test_not_found_and_method(void **state)
{
    fixture *fx = *state;
    th_response *r = get(fx, "/nowhere");
    assert_int_equal(r->status, 404);
    assert_int_equal(json_integer_value(json_object_get(r->json, "statusCode")), 404);
    assert_string_equal(json_string_value(json_object_get(r->json, "message")), "Not found");
    th_response_free(r);

    char url[128];
    snprintf(url, sizeof url, "%s/contacts/abc", fx->base);
    r = th_request("DELETE", url, NULL, NULL, 0);
    assert_int_equal(r->status, 404);
    th_response_free(r);

    r = get(fx, "/contacts/a%00b");
    assert_int_equal(r->status, 400);
    th_response_free(r);
}

static void test_query(void **state)
{
    fixture *fx = *state;
    th_response *r = get(fx, "/query?a=1&b=x%20y&b=2&flag&c=%2B+d&e=%C3%A9");
    assert_int_equal(r->status, 200);
    char *all = json_dumps(json_object_get(r->json, "all"), JSON_COMPACT);
    assert_string_equal(all, "[[\"a\",\"1\"],[\"b\",\"x y\"],[\"b\",\"2\"],[\"flag\",\"\"],"
                             "[\"c\",\"+ d\"],[\"e\",\"\xc3\xa9\"]]");
    free(all);
    assert_string_equal(json_string_value(json_object_get(r->json, "b")), "x y");
    assert_string_equal(json_string_value(json_object_get(r->json, "flag")), "");
    assert_true(json_is_true(json_object_get(r->json, "missing_is_null")));
    th_response_free(r);
}

static void test_headers(void **state)
{
    fixture *fx = *state;
    char url[128];
    snprintf(url, sizeof url, "%s/headers", fx->base);
    const char *hdrs[] = {"X-CUSTOM-Thing: hello there", NULL};
    th_response *r = th_request("GET", url, hdrs, NULL, 0);
    assert_int_equal(r->status, 201);
    assert_string_equal(r->body, "ok");
    assert_string_equal(th_header(r, "x-echo"), "hello there");
    assert_string_equal(th_header(r, "X-Replaced"), "second");
    assert_string_equal(th_header(r, "content-type"), "text/plain");
    assert_non_null(strstr(r->headers, "x-replaced: second\n"));
    assert_null(strstr(r->headers, "first"));
    th_response_free(r);
}

static void post_echo(fixture *fx, const void *body, size_t len, long want_status)
{
    char url[128];
    snprintf(url, sizeof url, "%s/echo", fx->base);
    const char *hdrs[] = {"Content-Type: application/octet-stream", NULL};
    th_response *r = th_request_raw("POST", url, hdrs, body, len, 0);
    assert_int_equal(r->status, want_status);
    if (want_status == 200) {
        assert_int_equal(r->body_len, len);
        assert_memory_equal(r->body, body, len);
    } else {
        assert_string_equal(json_string_value(json_object_get(r->json, "message")),
                            "Request body too large");
    }
    th_response_free(r);
}

static void test_raw_body(void **state)
{
    fixture *fx = *state;
    const unsigned char body[] = {'{', 0, 0xff, 0xfe, 0xc3, 0x28, '"', 0, 'x', 0x80, '\r', '\n', 0};
    post_echo(fx, body, sizeof body, 200);
    post_echo(fx, "", 0, 200);
}

static void test_body_cap(void **state)
{
    fixture *fx = *state;
    unsigned char *big = malloc(300000);
    for (size_t i = 0; i < 300000; i++)
        big[i] = (unsigned char)(i * 7);
    post_echo(fx, big, 1000, 200);
    int before = handler_calls(fx);
    post_echo(fx, big, 1001, 413);
    assert_int_equal(handler_calls(fx), before);
    pthread_mutex_lock(&fx->mu);
    assert_int_equal(fx->observed_status, 413);
    assert_string_equal(fx->observed_route, "echo");
    pthread_mutex_unlock(&fx->mu);

    /* Far over the cap: refused before reading, or the connection is closed. */
    char url[128];
    snprintf(url, sizeof url, "%s/echo", fx->base);
    th_response *r = th_request_raw("POST", url, NULL, big, 300000, 0);
    assert_true(r->status == 413 || r->status == 0);
    th_response_free(r);
    assert_int_equal(handler_calls(fx), before);

    /* Chunked (no length): the cap still holds. */
    const char *hdrs[] = {"Transfer-Encoding: chunked", NULL};
    r = th_request_raw("POST", url, hdrs, big, 5000, 0);
    assert_int_equal(r->status, 413);
    th_response_free(r);
    r = th_request_raw("POST", url, hdrs, big, 300000, 0); /* past what is read and dropped */
    assert_true(r->status == 413 || r->status == 0);
    th_response_free(r);
    assert_int_equal(handler_calls(fx), before);
    free(big);

    post_echo(fx, "still fine", 10, 200); /* the server still answers */
}

static void test_filter_and_observer(void **state)
{
    fixture *fx = *state;
    char url[128];
    snprintf(url, sizeof url, "%s/contacts/xyz", fx->base);
    const char *hdrs[] = {"X-Block: 1", NULL};
    int before = handler_calls(fx);
    th_response *r = th_request("GET", url, hdrs, NULL, 0);
    assert_int_equal(r->status, 403);
    assert_string_equal(json_string_value(json_object_get(r->json, "route")), "get-contact");
    th_response_free(r);
    assert_int_equal(handler_calls(fx), before);
    pthread_mutex_lock(&fx->mu);
    assert_int_equal(fx->observed_status, 403);
    assert_string_equal(fx->observed_route, "get-contact");
    pthread_mutex_unlock(&fx->mu);

    snprintf(url, sizeof url, "%s/nowhere", fx->base);
    r = th_request("GET", url, hdrs, NULL, 0);
    assert_int_equal(r->status, 403);
    assert_true(json_is_null(json_object_get(r->json, "route"))); /* no route: NULL */
    th_response_free(r);

    r = get(fx, "/nowhere");
    th_response_free(r);
    pthread_mutex_lock(&fx->mu);
    assert_int_equal(fx->observed_status, 404);
    assert_string_equal(fx->observed_route, "-");
    pthread_mutex_unlock(&fx->mu);
}

static void test_reset(void **state)
{
    fixture *fx = *state;
    th_response *r = get(fx, "/reset");
    assert_int_equal(r->status, 0);
    assert_true(r->curl_code == CURLE_GOT_NOTHING || r->curl_code == CURLE_RECV_ERROR);
    assert_int_equal(r->body_len, 0);
    th_response_free(r);
    pthread_mutex_lock(&fx->mu);
    assert_true(fx->observed_reset);
    assert_string_equal(fx->observed_route, "reset");
    pthread_mutex_unlock(&fx->mu);
    expect_route(fx, "/things", "things");
}

static void test_helpers(void **state)
{
    fixture *fx = *state;
    th_response *r = get(fx, "/redirect");
    assert_int_equal(r->status, 302);
    assert_string_equal(th_header(r, "location"), "https://example.com/after");
    th_response_free(r);

    r = get(fx, "/big"); /* 2999 bytes over a 2048-byte max_response */
    assert_int_equal(r->status, 500);
    assert_string_equal(json_string_value(json_object_get(r->json, "message")),
                        "Response too large");
    th_response_free(r);
}

static void *blocked_request(void *arg)
{
    return get(arg, "/block");
}

static bool entered(void *ctx)
{
    fixture *fx = ctx;
    pthread_mutex_lock(&fx->mu);
    bool v = fx->blocked_entered;
    pthread_mutex_unlock(&fx->mu);
    return v;
}

static void test_blocking_handler(void **state)
{
    fixture *fx = *state;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, blocked_request, fx), 0);
    assert_true(th_wait_until(entered, fx, 5000));
    expect_route(fx, "/contacts/other", "get-contact"); /* answered while /block waits */
    pthread_mutex_lock(&fx->mu);
    fx->release = true;
    pthread_cond_broadcast(&fx->cv);
    pthread_mutex_unlock(&fx->mu);
    th_response *r = NULL;
    pthread_join(t, (void **)&r);
    assert_int_equal(r->status, 200);
    assert_string_equal(r->body, "released");
    th_response_free(r);
}

static size_t discard(char *data, size_t size, size_t n, void *ctx)
{
    return size * n;
}

static void test_keep_alive(void **state)
{
    fixture *fx = *state;
    char url[128];
    snprintf(url, sizeof url, "%s/things", fx->base);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(curl_easy_perform(c), CURLE_OK);
        long connects = -1, status = 0;
        curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        assert_int_equal(status, 200);
        assert_int_equal(connects, i == 0 ? 1 : 0); /* later requests reuse the connection */
    }
    http_server_stop(fx->srv); /* must not wait for the idle connection to time out */
    assert_int_not_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
}

/* Sends raw bytes on a fresh connection, reads what comes back (up to out_len - 1 bytes, until
 * the server closes or 2 s pass), and hangs up. */
static void raw_exchange(fixture *fx, const char *data, size_t len, char *out, size_t out_len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(http_server_port(fx->srv))};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    size_t got = 0;
    if (out_len) {
        struct timeval tv = {2, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ssize_t n;
        while (got + 1 < out_len && (n = read(fd, out + got, out_len - 1 - got)) > 0)
            got += (size_t)n;
        out[got] = '\0';
    }
    close(fd);
}

/* Broken and abandoned requests: the server answers what it can and frees every request's state
 * (ASan reports leaks at exit), and keeps serving. */
static void test_broken_requests(void **state)
{
    fixture *fx = *state;
    const char half_body[] = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc";
    raw_exchange(fx, half_body, sizeof half_body - 1, NULL, 0);
    const char line_only[] = "GET /things HTTP/1.1\r\n";
    raw_exchange(fx, line_only, sizeof line_only - 1, NULL, 0);

    char answer[4096];
    const char bad_header[] = "GET /things HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n";
    raw_exchange(fx, bad_header, sizeof bad_header - 1, answer, sizeof answer);
    assert_non_null(strstr(answer, "HTTP/1.1 400"));

    buf huge;
    buf_init(&huge, 100000);
    buf_addstr(&huge, "GET /things HTTP/1.1\r\nHost: x\r\nX-Big: ");
    for (int i = 0; i < 40000; i++)
        buf_addc(&huge, 'a');
    buf_addstr(&huge, "\r\n\r\n");
    raw_exchange(fx, huge.ptr, huge.len, answer, sizeof answer);
    assert_non_null(strstr(answer, "HTTP/1.1 431"));
    buf_free(&huge);

    const char ok[] = "GET /things HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    raw_exchange(fx, ok, sizeof ok - 1, answer, sizeof answer);
    assert_non_null(strstr(answer, "HTTP/1.1 200"));
    assert_non_null(strstr(answer, "\"route\":\"things\""));
}

static void test_stop_twice(void **state)
{
    fixture *fx = *state;
    http_server_stop(fx->srv);
    http_server_stop(fx->srv);
    th_response *r = get(fx, "/things");
    assert_int_equal(r->status, 0);
    assert_int_equal(r->curl_code, CURLE_COULDNT_CONNECT);
    th_response_free(r);
    http_server_free(NULL);
}

static void custom_fallback(void *ctx, const http_request *req, http_response *res)
{
    http_response_text(res, 418, "text/plain", req->path);
}

static void test_fallback_and_fixed_port(void **state)
{
    http_server *s = NULL;
    http_server_options o = {.bind_addr = "127.0.0.1"};
    assert_int_equal(http_server_new(&s, &o, NULL), 0);
    http_server_fallback(s, custom_fallback, NULL);
    assert_int_equal(http_server_start(s, NULL), 0);
    uint16_t port = http_server_port(s);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/any%%20thing", (unsigned)port);
    th_response *r = th_request("GET", url, NULL, NULL, 0);
    assert_int_equal(r->status, 418);
    assert_string_equal(r->body, "/any thing");
    th_response_free(r);

    /* The port is taken while s runs, and free again after stop. */
    http_server *t = NULL;
    o.port = port;
    assert_int_equal(http_server_new(&t, &o, NULL), 0);
    err e = {0};
    assert_int_equal(http_server_start(t, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "cannot listen"));
    http_server_free(t);
    http_server_stop(s);
    assert_int_equal(http_server_new(&t, &o, NULL), 0);
    assert_int_equal(http_server_start(t, NULL), 0);
    assert_int_equal(http_server_port(t), port);
    http_server_free(t);
    http_server_free(s);

    o.bind_addr = "not-an-address";
    assert_int_equal(http_server_new(&t, &o, NULL), 0);
    assert_int_equal(http_server_start(t, &e), ERR_CONFIG);
    http_server_free(t);
}

static void test_ipv6(void **state)
{
    http_server *s = NULL;
    http_server_options o = {.bind_addr = "::1"};
    assert_int_equal(http_server_new(&s, &o, NULL), 0);
    http_server_route(s, "GET", "/v6", "v6", h_describe, fx_global);
    if (http_server_start(s, NULL) != 0) { /* no IPv6 loopback here */
        http_server_free(s);
        skip();
    }
    char url[128];
    snprintf(url, sizeof url, "http://[::1]:%u/v6", (unsigned)http_server_port(s));
    th_response *r = th_request("GET", url, NULL, NULL, 0);
    assert_int_equal(r->status, 200);
    assert_string_equal(json_string_value(json_object_get(r->json, "remote")), "::1");
    th_response_free(r);
    http_server_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_routes_and_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literal_beats_param_and_slash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found_and_method, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filter_and_observer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_helpers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocking_handler, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keep_alive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broken_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6, setup, teardown),
        cmocka_unit_test(test_fallback_and_fixed_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
