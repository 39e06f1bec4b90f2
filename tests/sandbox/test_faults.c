/* test_faults.c: fault decisions (shares, reproducibility), configuration forms, and what
 * sbx_faults_apply answers. */
#include "util/common.h"
#include "sandbox/faults.h"
#include "util/clock.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>

#define DRAWS 20000

static sbx_faults *make(uint64_t seed, const char *spec)
{
    sbx_faults *f = NULL;
    err e = {0};
    assert_int_equal(sbx_faults_new(&f, seed, &e), 0);
    sbx_fault_config cfg;
    sbx_faults_get(f, &cfg);
    assert_int_equal(sbx_fault_config_parse(&cfg, spec, &e), 0);
    sbx_faults_set(f, &cfg);
    return f;
}

static void assert_share(int count, double want)
{
    double got = (double)count / DRAWS;
    /* Ten standard deviations would be far past chance; this is about four. */
    double tol = 4.0 * sqrt(want * (1 - want) / DRAWS) + 0.002;
    if (fabs(got - want) > tol)
        fail_msg("share %.4f, expected %.4f (+/- %.4f)", got, want, tol);
}

static void test_request_shares(void **state)
{
    (void)state;
    sbx_faults *f = make(42, "p_5xx=0.1,p_429=0.05,p_reset=0.02,p_hang=0.2,hang_ms=7,"
                             "latency_ms=10,latency_jitter_ms=5");
    int n5xx = 0, n429 = 0, nreset = 0, nhang = 0, seen[3] = {0};
    for (int i = 0; i < DRAWS; i++) {
        sbx_fault_decision d;
        sbx_faults_decide(f, &d);
        assert_in_range(d.sleep_ms, 10, 15);
        if (d.hang) {
            nhang++;
            assert_int_equal(d.hang_ms, 7);
        }
        switch (d.answer) {
        case 0:
            break;
        case -1:
            nreset++;
            break;
        case 429:
            n429++;
            break;
        case 500:
            seen[0]++, n5xx++;
            break;
        case 502:
            seen[1]++, n5xx++;
            break;
        case 503:
            seen[2]++, n5xx++;
            break;
        default:
            fail_msg("unexpected answer %d", d.answer);
        }
    }
    assert_share(n5xx, 0.1);
    assert_share(n429, 0.05);
    assert_share(nreset, 0.02);
    assert_share(nhang, 0.2);
    for (int k = 0; k < 3; k++)
        assert_true(seen[k] > DRAWS / 50);
    sbx_faults_free(f);
}

static void test_all_or_nothing(void **state)
{
    (void)state;
    sbx_faults *f = make(1, "");
    for (int i = 0; i < 1000; i++) {
        sbx_fault_decision d;
        sbx_faults_decide(f, &d);
        assert_int_equal(d.answer, 0);
        assert_false(d.hang);
        assert_int_equal(d.sleep_ms, 0);
        sbx_webhook_fate w;
        sbx_faults_webhook_fate(f, &w);
        assert_false(w.drop || w.duplicate || w.reorder);
    }
    sbx_faults_free(f);
    f = make(1, "p_429=1");
    for (int i = 0; i < 1000; i++) {
        sbx_fault_decision d;
        sbx_faults_decide(f, &d);
        assert_int_equal(d.answer, 429);
    }
    sbx_faults_free(f);
}

static void test_webhook_shares(void **state)
{
    (void)state;
    sbx_faults *f = make(7, "wh_p_drop=0.1,wh_p_duplicate=0.3,wh_p_reorder=0.25,wh_delay_ms=40");
    int drop = 0, dup = 0, reorder = 0, kept = 0;
    for (int i = 0; i < DRAWS; i++) {
        sbx_webhook_fate w;
        sbx_faults_webhook_fate(f, &w);
        if (w.drop) {
            drop++;
            assert_false(w.duplicate || w.reorder);
            continue;
        }
        kept++;
        dup += w.duplicate;
        reorder += w.reorder;
        assert_int_equal(w.delay_ms, 40);
    }
    assert_share(drop, 0.1);
    /* Duplicate and reorder apply to what is not dropped. */
    assert_share((int)((double)dup * DRAWS / kept), 0.3);
    assert_share((int)((double)reorder * DRAWS / kept), 0.25);
    sbx_faults_free(f);
}

static void test_reproducible(void **state)
{
    (void)state;
    const char *spec = "p_5xx=0.3,p_429=0.2,p_hang=0.1,latency_jitter_ms=50,wh_p_drop=0.2,"
                       "wh_p_duplicate=0.2,wh_p_reorder=0.2";
    sbx_faults *a = make(99, spec), *b = make(99, spec), *c = make(100, spec);
    int differ = 0;
    for (int i = 0; i < 2000; i++) {
        sbx_fault_decision da, db, dc;
        sbx_faults_decide(a, &da);
        sbx_faults_decide(b, &db);
        sbx_faults_decide(c, &dc);
        assert_int_equal(da.answer, db.answer);
        assert_int_equal(da.hang, db.hang);
        assert_int_equal(da.sleep_ms, db.sleep_ms);
        differ += da.answer != dc.answer;
        sbx_webhook_fate wa, wb;
        sbx_faults_webhook_fate(a, &wa);
        sbx_faults_webhook_fate(b, &wb);
        assert_memory_equal(&wa, &wb, sizeof wa);
    }
    assert_true(differ > 100);
    sbx_faults_free(a);
    sbx_faults_free(b);
    sbx_faults_free(c);
}

static void test_parse_errors(void **state)
{
    (void)state;
    sbx_fault_config cfg;
    sbx_fault_config_defaults(&cfg);
    assert_int_equal(cfg.hang_ms, 30000);
    err e = {0};
    assert_int_equal(sbx_fault_config_parse(&cfg, "p_5xx=1.5", &e), ERR_INVALID);
    assert_string_equal(e.msg, "p_5xx: 1.5 is not a share in [0, 1]");
    assert_int_equal(sbx_fault_config_parse(&cfg, "p_429=0.1,bogus=3", &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "unknown fault setting 'bogus'"));
    /* A failed parse leaves cfg as it was. */
    assert_true(cfg.p_429 == 0.0);
    assert_int_equal(sbx_fault_config_parse(&cfg, "latency_ms=-3", &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "latency_ms"));
    assert_int_equal(sbx_fault_config_parse(&cfg, "latency_ms=2.5", &e), ERR_INVALID);
    assert_int_equal(sbx_fault_config_parse(&cfg, "p_hang=abc", &e), ERR_INVALID);
    assert_string_equal(e.msg, "p_hang: 'abc' is not a number");
    assert_int_equal(sbx_fault_config_parse(&cfg, "p_hang", &e), ERR_INVALID);
    assert_int_equal(sbx_fault_config_parse(&cfg, "p_hang=", &e), ERR_INVALID);
    assert_int_equal(sbx_fault_config_parse(&cfg, "p_hang=nan", &e), ERR_INVALID);

    assert_int_equal(sbx_fault_config_parse(&cfg, " p_5xx=0.25 , wh_delay_ms=15,", &e), 0);
    assert_true(cfg.p_5xx == 0.25);
    assert_int_equal(cfg.wh_delay_ms, 15);
    assert_int_equal(cfg.hang_ms, 30000);
}

static void test_json_forms(void **state)
{
    (void)state;
    sbx_fault_config cfg;
    sbx_fault_config_defaults(&cfg);
    err e = {0};
    json_t *j = json_loads("{\"p_5xx\": 0.5, \"latency_ms\": 12, \"wh_p_drop\": 1}", 0, NULL);
    assert_int_equal(sbx_fault_config_update(&cfg, j, &e), 0);
    json_decref(j);
    assert_true(cfg.p_5xx == 0.5);
    assert_int_equal(cfg.latency_ms, 12);
    assert_true(cfg.wh_p_drop == 1.0);

    j = json_loads("{\"p_429\": 0.5, \"nope\": 1}", 0, NULL);
    assert_int_equal(sbx_fault_config_update(&cfg, j, &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "'nope'"));
    json_decref(j);
    assert_true(cfg.p_429 == 0.0);
    j = json_loads("{\"p_429\": \"0.5\"}", 0, NULL);
    assert_int_equal(sbx_fault_config_update(&cfg, j, &e), ERR_INVALID);
    assert_string_equal(e.msg, "p_429: expected a number");
    json_decref(j);
    j = json_loads("{\"p_reset\": -0.1}", 0, NULL);
    assert_int_equal(sbx_fault_config_update(&cfg, j, &e), ERR_INVALID);
    assert_string_equal(e.msg, "p_reset: -0.1 is not a share in [0, 1]");
    json_decref(j);
    j = json_loads("[1]", 0, NULL);
    assert_int_equal(sbx_fault_config_update(&cfg, j, &e), ERR_INVALID);
    json_decref(j);

    j = sbx_fault_config_json(&cfg);
    assert_int_equal(json_object_size(j), 11);
    assert_true(json_real_value(json_object_get(j, "p_5xx")) == 0.5);
    assert_int_equal(json_integer_value(json_object_get(j, "latency_ms")), 12);
    assert_int_equal(json_integer_value(json_object_get(j, "hang_ms")), 30000);
    /* The JSON form round-trips. */
    sbx_fault_config back;
    memset(&back, 0, sizeof back);
    assert_int_equal(sbx_fault_config_update(&back, j, &e), 0);
    assert_memory_equal(&back, &cfg, sizeof cfg);
    json_decref(j);
}

static void test_update_atomic(void **state)
{
    (void)state;
    sbx_faults *f = make(1, "p_5xx=0.2");
    err e = {0};
    json_t *j = json_loads("{\"p_429\": 0.3, \"hang_ms\": -1}", 0, NULL);
    sbx_fault_config out = {0};
    assert_int_equal(sbx_faults_update(f, j, &out, &e), ERR_INVALID);
    json_decref(j);
    sbx_fault_config now;
    sbx_faults_get(f, &now);
    assert_true(now.p_429 == 0.0 && now.p_5xx == 0.2);
    j = json_loads("{\"p_429\": 0.3}", 0, NULL);
    assert_int_equal(sbx_faults_update(f, j, &out, &e), 0);
    json_decref(j);
    sbx_faults_get(f, &now);
    assert_true(now.p_429 == 0.3 && now.p_5xx == 0.2);
    assert_memory_equal(&out, &now, sizeof now);
    sbx_faults_free(f);
}

/* A response as the server hands it to handlers. */
static void response_init(http_response *res)
{
    memset(res, 0, sizeof *res);
    res->status = 200;
    buf_init(&res->body, 1 << 20);
}

static void response_free(http_response *res)
{
    for (size_t i = 0; i < res->n_headers; i++) {
        free(res->header_names[i]);
        free(res->header_values[i]);
    }
    buf_free(&res->body);
}

static const char *response_header(const http_response *res, const char *name)
{
    for (size_t i = 0; i < res->n_headers; i++)
        if (strcasecmp(res->header_names[i], name) == 0)
            return res->header_values[i];
    return NULL;
}

static void test_apply_answers(void **state)
{
    (void)state;
    http_request req = {.method = "GET", .path = "/contacts/x"};
    http_response res;

    sbx_faults *f = make(3, "");
    response_init(&res);
    assert_false(sbx_faults_apply(f, &req, &res));
    assert_int_equal(res.status, 200);
    assert_int_equal(res.body.len, 0);
    response_free(&res);
    sbx_faults_free(f);

    f = make(3, "p_5xx=1");
    for (int i = 0; i < 30; i++) {
        response_init(&res);
        assert_true(sbx_faults_apply(f, &req, &res));
        assert_in_range(res.status, 500, 503);
        assert_int_not_equal(res.status, 501);
        json_t *j = json_loads(buf_cstr(&res.body), 0, NULL);
        assert_non_null(j);
        assert_int_equal(json_integer_value(json_object_get(j, "statusCode")), res.status);
        if (res.status == 500)
            assert_string_equal(
                buf_cstr(&res.body),
                "{\"statusCode\":500,\"message\":\"Internal server error (injected)\"}");
        json_decref(j);
        assert_false(res.reset);
        response_free(&res);
    }
    sbx_faults_free(f);

    f = make(3, "p_429=1");
    response_init(&res);
    assert_true(sbx_faults_apply(f, &req, &res));
    assert_int_equal(res.status, 429);
    assert_string_equal(response_header(&res, "Retry-After"), "1");
    assert_string_equal(buf_cstr(&res.body),
                        "{\"statusCode\":429,\"message\":\"Too many requests (injected)\"}");
    response_free(&res);
    sbx_faults_free(f);

    f = make(3, "p_reset=1");
    response_init(&res);
    assert_true(sbx_faults_apply(f, &req, &res));
    assert_true(res.reset);
    response_free(&res);
    sbx_faults_free(f);
}

static void test_apply_latency(void **state)
{
    (void)state;
    sbx_faults *f = make(3, "latency_ms=60,latency_jitter_ms=20");
    http_request req = {.method = "GET", .path = "/x"};
    http_response res;
    response_init(&res);
    int64_t t0 = clock_mono_ms(clock_system());
    assert_false(sbx_faults_apply(f, &req, &res));
    /* A lower bound only: the answer waited at least the configured latency. */
    assert_true(clock_mono_ms(clock_system()) - t0 >= 60);
    response_free(&res);
    sbx_faults_free(f);
}

typedef struct hang_ctx {
    sbx_faults *f;
    bool answered;
    bool done;
    pthread_mutex_t mu;
} hang_ctx;

static void *hang_thread(void *arg)
{
    hang_ctx *h = arg;
    http_request req = {.method = "GET", .path = "/x"};
    http_response res;
    response_init(&res);
    bool answered = sbx_faults_apply(h->f, &req, &res);
    response_free(&res);
    pthread_mutex_lock(&h->mu);
    h->answered = answered;
    h->done = true;
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

static void test_release_wakes_hang(void **state)
{
    (void)state;
    /* Hangs for a minute unless released; the test would time out if release did nothing. */
    hang_ctx h = {.f = make(3, "p_hang=1,hang_ms=60000,latency_ms=0")};
    pthread_mutex_init(&h.mu, NULL);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, hang_thread, &h), 0);
    sbx_faults_release(h.f);
    pthread_join(t, NULL);
    assert_true(h.done);
    assert_false(h.answered);
    pthread_mutex_destroy(&h.mu);
    sbx_faults_free(h.f);
    sbx_faults_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_shares), cmocka_unit_test(test_all_or_nothing),
        cmocka_unit_test(test_webhook_shares), cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_parse_errors),   cmocka_unit_test(test_json_forms),
        cmocka_unit_test(test_update_atomic),  cmocka_unit_test(test_apply_answers),
        cmocka_unit_test(test_apply_latency),  cmocka_unit_test(test_release_wakes_hang),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
