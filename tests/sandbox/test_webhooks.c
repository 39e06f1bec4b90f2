/* test_webhooks.c: webhook delivery against a small receiver on loopback: bytes and headers,
 * the drop, duplicate, reorder and delay faults, redelivery after 429 only, draining, stopping. */
#include "util/common.h"
#include "net/http_server.h"
#include "sandbox/webhooks.h"
#include "tests/support/testhttp.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>
#include <pthread.h>

#define MAX_SEEN 32

/* What the receiver got, and how it answers. */
typedef struct receiver {
    http_server *srv;
    char url[128];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int n;
    char *bodies[MAX_SEEN];
    char *content_type[MAX_SEEN];
    char *sig[MAX_SEEN];
    int64_t at_ms[MAX_SEEN];
    int statuses[8]; /* answers in turn; 0 (or past the end) means 200 */
    bool block;      /* handlers wait until this is false */
} receiver;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void hook(void *ctx, const http_request *req, http_response *res)
{
    receiver *rc = ctx;
    pthread_mutex_lock(&rc->mu);
    while (rc->block)
        pthread_cond_wait(&rc->cv, &rc->mu);
    int i = rc->n;
    if (i < MAX_SEEN) {
        rc->bodies[i] = malloc(req->body_len + 1);
        memcpy(rc->bodies[i], req->body, req->body_len);
        rc->bodies[i][req->body_len] = '\0';
        rc->content_type[i] = dup_or_null(http_request_header(req, "Content-Type"));
        rc->sig[i] = dup_or_null(http_request_header(req, "X-Test-Signature"));
        rc->at_ms[i] = clock_mono_ms(clock_system());
        rc->n++;
    }
    int status = i < 8 && rc->statuses[i] ? rc->statuses[i] : 200;
    pthread_mutex_unlock(&rc->mu);
    http_response_json(res, status, json_pack("{s:b}", "ok", status == 200));
}

static receiver *receiver_start(void)
{
    receiver *rc = calloc(1, sizeof *rc);
    pthread_mutex_init(&rc->mu, NULL);
    pthread_cond_init(&rc->cv, NULL);
    http_server_options o = {0};
    err e = {0};
    assert_int_equal(http_server_new(&rc->srv, &o, &e), 0);
    assert_int_equal(http_server_route(rc->srv, "POST", "/hook", "hook", hook, rc), 0);
    assert_int_equal(http_server_start(rc->srv, &e), 0);
    snprintf(rc->url, sizeof rc->url, "http://127.0.0.1:%u/hook",
             (unsigned)http_server_port(rc->srv));
    return rc;
}

static void receiver_unblock(receiver *rc)
{
    pthread_mutex_lock(&rc->mu);
    rc->block = false;
    pthread_cond_broadcast(&rc->cv);
    pthread_mutex_unlock(&rc->mu);
}

static void receiver_free(receiver *rc)
{
    receiver_unblock(rc);
    http_server_stop(rc->srv);
    http_server_free(rc->srv);
    for (int i = 0; i < rc->n && i < MAX_SEEN; i++) {
        free(rc->bodies[i]);
        free(rc->content_type[i]);
        free(rc->sig[i]);
    }
    pthread_cond_destroy(&rc->cv);
    pthread_mutex_destroy(&rc->mu);
    free(rc);
}

static int seen(receiver *rc)
{
    pthread_mutex_lock(&rc->mu);
    int n = rc->n;
    pthread_mutex_unlock(&rc->mu);
    return n;
}

typedef struct fixture {
    receiver *rc;
    sbx_faults *faults;
    sbx_webhooks *w;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    err e = {0};
    fx->rc = receiver_start();
    assert_int_equal(sbx_faults_new(&fx->faults, 11, &e), 0);
    assert_int_equal(sbx_webhooks_new(&fx->w, fx->faults, clock_system(), &e), 0);
    assert_int_equal(sbx_webhooks_start(fx->w, &e), 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    sbx_webhooks_free(fx->w);
    sbx_faults_free(fx->faults);
    receiver_free(fx->rc);
    free(fx);
    return 0;
}

static void set_faults(fixture *fx, const char *spec)
{
    sbx_fault_config cfg;
    sbx_fault_config_defaults(&cfg);
    err e = {0};
    assert_int_equal(sbx_fault_config_parse(&cfg, spec, &e), 0);
    sbx_faults_set(fx->faults, &cfg);
}

static void send(fixture *fx, const char *label, const char *body)
{
    sbx_webhook_header h[] = {{"X-Test-Signature", label}};
    assert_int_equal(sbx_webhooks_send(fx->w, fx->rc->url, label, body, h, 1), 0);
}

static json_t *recent(fixture *fx, json_t **all)
{
    *all = sbx_webhooks_json(fx->w);
    assert_non_null(*all);
    return json_object_get(*all, "recent");
}

static json_int_t num(const json_t *j, const char *key)
{
    return json_integer_value(json_object_get(j, key));
}

static void test_delivery_exact(void **state)
{
    fixture *fx = *state;
    const char *body = "{\"type\":\"ContactCreate\", \"name\":\"Zoë  Ólafsdóttir\",\n \"n\":1}";
    send(fx, "ContactCreate", body);
    assert_true(sbx_webhooks_drain(fx->w, 5000));
    assert_int_equal(seen(fx->rc), 1);
    assert_string_equal(fx->rc->bodies[0], body);
    assert_string_equal(fx->rc->content_type[0], "application/json");
    assert_string_equal(fx->rc->sig[0], "ContactCreate");

    json_t *all;
    json_t *r = recent(fx, &all);
    assert_int_equal(num(all, "delivered"), 1);
    assert_int_equal(num(all, "failed"), 0);
    assert_int_equal(num(all, "queued"), 0);
    assert_int_equal(json_array_size(r), 1);
    json_t *d = json_array_get(r, 0);
    assert_string_equal(json_string_value(json_object_get(d, "label")), "ContactCreate");
    assert_string_equal(json_string_value(json_object_get(d, "url")), fx->rc->url);
    assert_int_equal(num(d, "status"), 200);
    assert_int_equal(num(d, "attempts"), 1);
    assert_non_null(json_string_value(json_object_get(d, "ts")));
    json_decref(all);
}

static void test_duplicate(void **state)
{
    fixture *fx = *state;
    set_faults(fx, "wh_p_duplicate=1");
    send(fx, "a", "{\"id\":\"a\"}");
    assert_true(sbx_webhooks_drain(fx->w, 5000));
    assert_int_equal(seen(fx->rc), 2);
    assert_string_equal(fx->rc->bodies[0], "{\"id\":\"a\"}");
    assert_string_equal(fx->rc->bodies[1], "{\"id\":\"a\"}");
    json_t *all;
    recent(fx, &all);
    assert_int_equal(num(all, "delivered"), 2);
    assert_int_equal(num(all, "duplicated"), 1);
    json_decref(all);
}

static void test_reorder(void **state)
{
    fixture *fx = *state;
    set_faults(fx, "wh_p_reorder=1");
    send(fx, "a", "A");
    send(fx, "b", "B");
    send(fx, "c", "C");
    /* a is held and goes right after b; c, with nothing after it, goes on drain. */
    assert_true(sbx_webhooks_drain(fx->w, 5000));
    assert_int_equal(seen(fx->rc), 3);
    assert_string_equal(fx->rc->bodies[0], "B");
    assert_string_equal(fx->rc->bodies[1], "A");
    assert_string_equal(fx->rc->bodies[2], "C");
}

static void test_drop(void **state)
{
    fixture *fx = *state;
    set_faults(fx, "wh_p_drop=1");
    for (int i = 0; i < 3; i++)
        send(fx, "x", "{}");
    assert_true(sbx_webhooks_drain(fx->w, 5000));
    assert_int_equal(seen(fx->rc), 0);
    json_t *all;
    json_t *r = recent(fx, &all);
    assert_int_equal(num(all, "dropped"), 3);
    assert_int_equal(num(all, "delivered"), 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(r, 2), "outcome")),
                        "dropped");
    json_decref(all);
}

static void test_delay_and_drain_bound(void **state)
{
    fixture *fx = *state;
    set_faults(fx, "wh_delay_ms=400");
    int64_t t0 = clock_mono_ms(clock_system());
    send(fx, "slow", "{}");
    /* Still waiting out its delay: a short drain gives up. */
    assert_false(sbx_webhooks_drain(fx->w, 50));
    assert_true(sbx_webhooks_drain(fx->w, 5000));
    assert_int_equal(seen(fx->rc), 1);
    assert_true(fx->rc->at_ms[0] - t0 >= 400);
}

static void test_429_redelivered(void **state)
{
    fixture *fx = *state;
    fx->rc->statuses[0] = 429;
    fx->rc->statuses[1] = 429;
    send(fx, "retry", "{\"r\":1}");
    assert_true(sbx_webhooks_drain(fx->w, 10000));
    assert_int_equal(seen(fx->rc), 3);
    assert_string_equal(fx->rc->bodies[2], "{\"r\":1}");
    /* Backoff grows: the second wait is longer than the first. */
    assert_true(fx->rc->at_ms[2] - fx->rc->at_ms[1] > fx->rc->at_ms[1] - fx->rc->at_ms[0]);
    json_t *all;
    json_t *r = recent(fx, &all);
    json_t *d = json_array_get(r, 0);
    assert_int_equal(num(d, "status"), 200);
    assert_int_equal(num(d, "attempts"), 3);
    assert_int_equal(num(all, "delivered"), 1);
    assert_int_equal(num(all, "redeliveries"), 2);
    json_decref(all);
}

static void test_500_not_redelivered(void **state)
{
    fixture *fx = *state;
    fx->rc->statuses[0] = 500;
    fx->rc->statuses[1] = 404;
    send(fx, "five", "{}");
    send(fx, "four", "{}");
    assert_true(sbx_webhooks_drain(fx->w, 5000));
    assert_int_equal(seen(fx->rc), 2);
    json_t *all;
    json_t *r = recent(fx, &all);
    assert_int_equal(num(all, "failed"), 2);
    assert_int_equal(num(json_array_get(r, 0), "status"), 500);
    assert_int_equal(num(json_array_get(r, 0), "attempts"), 1);
    assert_int_equal(num(json_array_get(r, 1), "status"), 404);
    assert_string_equal(json_string_value(json_object_get(json_array_get(r, 1), "outcome")),
                        "failed");
    json_decref(all);
}

static void test_refused_not_redelivered(void **state)
{
    fixture *fx = *state;
    /* A port that was just free: nothing listens there. */
    receiver *gone = receiver_start();
    char url[128];
    snprintf(url, sizeof url, "%s", gone->url);
    receiver_free(gone);
    assert_int_equal(sbx_webhooks_send(fx->w, url, "nowhere", "{}", NULL, 0), 0);
    assert_true(sbx_webhooks_drain(fx->w, 5000));
    json_t *all;
    json_t *r = recent(fx, &all);
    assert_int_equal(num(all, "failed"), 1);
    assert_int_equal(num(json_array_get(r, 0), "status"), 0);
    assert_int_equal(num(json_array_get(r, 0), "attempts"), 1);
    json_decref(all);
}

static bool one_seen_or_blocked(void *ctx)
{
    fixture *fx = ctx;
    json_t *j = sbx_webhooks_json(fx->w);
    bool busy = num(j, "in_flight") > 0;
    json_decref(j);
    return busy;
}

static void test_drain_waits_for_in_flight_and_stop_discards(void **state)
{
    fixture *fx = *state;
    fx->rc->block = true;
    send(fx, "stuck", "{}");
    assert_true(th_wait_until(one_seen_or_blocked, fx, 5000));
    for (int i = 0; i < 3; i++)
        send(fx, "pending", "{}");
    assert_false(sbx_webhooks_drain(fx->w, 100));
    receiver_unblock(fx->rc);
    assert_true(sbx_webhooks_drain(fx->w, 5000));
    assert_int_equal(seen(fx->rc), 4);

    /* Stopping with a delivery in flight and more queued returns and discards them. */
    pthread_mutex_lock(&fx->rc->mu);
    fx->rc->block = true;
    pthread_mutex_unlock(&fx->rc->mu);
    send(fx, "stuck", "{}");
    assert_true(th_wait_until(one_seen_or_blocked, fx, 5000));
    send(fx, "pending", "{}");
    sbx_webhooks_stop(fx->w);
    json_t *j = sbx_webhooks_json(fx->w);
    assert_int_equal(num(j, "queued"), 0);
    json_decref(j);
    assert_int_equal(sbx_webhooks_send(fx->w, fx->rc->url, "late", "{}", NULL, 0), ERR_BAD_STATE);
    receiver_unblock(fx->rc);
    sbx_webhooks_free(NULL);
}

static void test_recent_keeps_last_200(void **state)
{
    fixture *fx = *state;
    set_faults(fx, "wh_p_drop=1");
    char label[16];
    for (int i = 0; i < 250; i++) {
        snprintf(label, sizeof label, "e%d", i);
        assert_int_equal(sbx_webhooks_send(fx->w, fx->rc->url, label, "{}", NULL, 0), 0);
    }
    assert_true(sbx_webhooks_drain(fx->w, 5000));
    json_t *all;
    json_t *r = recent(fx, &all);
    assert_int_equal(json_array_size(r), 200);
    assert_string_equal(json_string_value(json_object_get(json_array_get(r, 0), "label")), "e50");
    assert_string_equal(json_string_value(json_object_get(json_array_get(r, 199), "label")),
                        "e249");
    json_decref(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_delivery_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reorder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delay_and_drain_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_429_redelivered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_500_not_redelivered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_not_redelivered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drain_waits_for_in_flight_and_stop_discards, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_recent_keeps_last_200, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
