/* test_metrics.c: the metrics registry: exact exposition text, escaping, registration rules,
 * the series cap, and exact totals under concurrent updates. */
#include "util/metrics.h"

#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static metrics *new_registry(void)
{
    metrics *m = NULL;
    assert_int_equal(metrics_new(&m, NULL), 0);
    return m;
}

static char *render(metrics *m)
{
    buf b;
    buf_init(&b, 1 << 20);
    assert_int_equal(metrics_render(m, &b), 0);
    return buf_take(&b);
}

#define DROPPED_TAIL                                                                               \
    "# HELP pheedsync_metrics_series_dropped_total Label combinations refused because their "      \
    "metric had too many.\n"                                                                       \
    "# TYPE pheedsync_metrics_series_dropped_total counter\n"                                      \
    "pheedsync_metrics_series_dropped_total 0\n"

static void test_render_exact(void **state)
{
    metrics *m = new_registry();
    metric *req = NULL, *up = NULL, *lat = NULL, *unused = NULL;
    assert_int_equal(metrics_counter(&req, m, "pheedsync_requests_total", "API calls made.",
                                     "service,operation,status", NULL),
                     0);
    assert_int_equal(
        metrics_gauge(&up, m, "pheedsync_up", "1 when running.\nSecond \\ line.", NULL, NULL), 0);
    const double bounds[] = {0.125, 0.5, 2};
    assert_int_equal(metrics_histogram(&lat, m, "pheedsync_latency_seconds", "Latency.", "service",
                                       bounds, 3, NULL),
                     0);
    assert_int_equal(
        metrics_counter(&unused, m, "pheedsync_unused_total", "Never used.", "x", NULL), 0);
    metric_inc(metric_at(req, "pheedloop", "list-attendees", "200"));
    metric_add(metric_at(req, "ghl", "get-contact", "200"), 41);
    metric_inc(metric_at(req, "ghl", "get-contact", "200"));
    metric_inc(metric_at(req, "ghl", "get-contact", "429"));
    metric_set(metric_only(up), 1);
    metric_series *h = metric_at(lat, "ghl");
    metric_observe(h, 0.125); /* on a bound: counts in that bucket (le) */
    metric_observe(h, 0.25);
    metric_observe(h, 7.5); /* past every bound: +Inf only */
    char *text = render(m);
    assert_string_equal(
        text,
        "# HELP pheedsync_requests_total API calls made.\n"
        "# TYPE pheedsync_requests_total counter\n"
        "pheedsync_requests_total{service=\"ghl\",operation=\"get-contact\",status=\"200\"} 42\n"
        "pheedsync_requests_total{service=\"ghl\",operation=\"get-contact\",status=\"429\"} 1\n"
        "pheedsync_requests_total{service=\"pheedloop\",operation=\"list-attendees\","
        "status=\"200\"} 1\n"
        "# HELP pheedsync_up 1 when running.\\nSecond \\\\ line.\n"
        "# TYPE pheedsync_up gauge\n"
        "pheedsync_up 1\n"
        "# HELP pheedsync_latency_seconds Latency.\n"
        "# TYPE pheedsync_latency_seconds histogram\n"
        "pheedsync_latency_seconds_bucket{service=\"ghl\",le=\"0.125\"} 1\n"
        "pheedsync_latency_seconds_bucket{service=\"ghl\",le=\"0.5\"} 2\n"
        "pheedsync_latency_seconds_bucket{service=\"ghl\",le=\"2\"} 2\n"
        "pheedsync_latency_seconds_bucket{service=\"ghl\",le=\"+Inf\"} 3\n"
        "pheedsync_latency_seconds_sum{service=\"ghl\"} 7.875\n"
        "pheedsync_latency_seconds_count{service=\"ghl\"} 3\n" DROPPED_TAIL);
    free(text);
    assert_int_equal(metric_histogram_count(h), 3);
    assert_true(metric_histogram_sum(h) == 7.875);
    metrics_free(m);
}

static void test_unlabelled_render_zero_and_gauge_values(void **state)
{
    metrics *m = new_registry();
    metric *c = NULL, *g = NULL, *h = NULL;
    assert_int_equal(metrics_counter(&c, m, "a_total", "A.", "", NULL), 0);
    assert_int_equal(metrics_gauge(&g, m, "b", "B.", NULL, NULL), 0);
    const double one[] = {1};
    assert_int_equal(metrics_histogram(&h, m, "c", "C.", NULL, one, 1, NULL), 0);
    metric_gauge_add(metric_only(g), 2.5);
    metric_gauge_add(metric_only(g), -3);
    char *text = render(m);
    assert_string_equal(
        text, "# HELP a_total A.\n# TYPE a_total counter\na_total 0\n"
              "# HELP b B.\n# TYPE b gauge\nb -0.5\n"
              "# HELP c C.\n# TYPE c histogram\n"
              "c_bucket{le=\"1\"} 0\nc_bucket{le=\"+Inf\"} 0\nc_sum 0\nc_count 0\n" DROPPED_TAIL);
    free(text);
    metric_set(metric_only(g), 0.1);
    assert_true(metric_gauge_value(metric_only(g)) == 0.1);
    metric_set(metric_only(g), INFINITY);
    text = render(m);
    assert_non_null(strstr(text, "\nb +Inf\n"));
    free(text);
    metric_set(metric_only(g), 0.1);
    text = render(m);
    assert_non_null(strstr(text, "\nb 0.1\n"));
    free(text);
    metrics_free(m);
}

static void test_label_escaping(void **state)
{
    metrics *m = new_registry();
    metric *c = NULL;
    assert_int_equal(metrics_counter(&c, m, "x_total", "X.", "path, why", NULL), 0);
    metric_inc(metric_at(c, "C:\\dir", "said \"no\"\nthen left"));
    metric_inc(metric_at(c, NULL, "")); /* NULL counts as "" */
    metric_inc(metric_at(c, "", NULL));
    char *text = render(m);
    assert_non_null(strstr(text, "x_total{path=\"\",why=\"\"} 2\n"));
    assert_non_null(
        strstr(text, "x_total{path=\"C:\\\\dir\",why=\"said \\\"no\\\"\\nthen left\"} 1\n"));
    free(text);
    metrics_free(m);
}

static void test_registration_rules(void **state)
{
    metrics *m = new_registry();
    metric *a = NULL, *b = NULL;
    err e = {0};
    assert_int_equal(metrics_counter(&a, m, "req_total", "R.", "service,status", &e), 0);
    assert_int_equal(metrics_counter(&b, m, "req_total", "Other help.", "service, status", &e), 0);
    assert_ptr_equal(a, b);
    assert_int_equal(metrics_gauge(&b, m, "req_total", "R.", "service,status", &e), ERR_CONFLICT);
    assert_int_equal(metrics_counter(&b, m, "req_total", "R.", "service", &e), ERR_CONFLICT);
    assert_int_equal(metrics_counter(&b, m, "9lives", "R.", NULL, &e), ERR_INVALID);
    assert_int_equal(metrics_counter(&b, m, "a-b", "R.", NULL, &e), ERR_INVALID);
    assert_int_equal(metrics_counter(&b, m, "ok", "R.", "bad-label", &e), ERR_INVALID);
    assert_int_equal(metrics_counter(&b, m, "ok", "R.", "__reserved", &e), ERR_INVALID);
    assert_int_equal(metrics_counter(&b, m, "ok", "R.", "a,a", &e), ERR_INVALID);
    assert_int_equal(metrics_histogram(&b, m, "h", "H.", "le", NULL, 0, &e), ERR_INVALID);
    const double bad[] = {1, 1};
    assert_int_equal(metrics_histogram(&b, m, "h", "H.", NULL, bad, 2, &e), ERR_INVALID);
    assert_int_equal(metrics_histogram(&b, m, "h", "H.", NULL, NULL, 0, &e), 0);
    assert_int_equal(metrics_histogram(&a, m, "h", "H.", NULL, METRICS_LATENCY_BUCKETS,
                                       METRICS_LATENCY_BUCKETS_LEN, &e),
                     0);
    assert_ptr_equal(a, b);
    assert_int_equal(metrics_counter(&b, NULL, "x", "X.", NULL, &e), ERR_INVALID);
    /* Wrong number of values, or a series of another type: nothing happens. */
    assert_int_equal(metrics_counter(&a, m, "req_total", "R.", "service,status", &e), 0);
    assert_null(metric_at(a, "ghl"));
    assert_null(metric_only(a));
    metric_inc(NULL);
    metric_observe(metric_at(a, "ghl", "200"), 1);
    metric_set(metric_at(a, "ghl", "200"), 5);
    assert_int_equal(metric_counter_value(metric_at(a, "ghl", "200")), 0);
    assert_ptr_equal(metric_at(a, "ghl", "200"), metric_at(a, "ghl", "200"));
    metrics_free(m);
}

static void test_series_cap(void **state)
{
    metrics *m = new_registry();
    metric *c = NULL;
    assert_int_equal(metrics_counter(&c, m, "ids_total", "Bad idea.", "id", NULL), 0);
    char id[32];
    for (int i = 0; i < METRICS_MAX_SERIES; i++) {
        snprintf(id, sizeof id, "%d", i);
        assert_non_null(metric_at(c, id));
    }
    assert_null(metric_at(c, "one-too-many"));
    assert_null(metric_at(c, "two-too-many"));
    assert_non_null(metric_at(c, "17")); /* existing series still found */
    metric_inc(metric_at(c, "17"));
    assert_int_equal(metric_counter_value(metric_at(c, "17")), 1);
    char *text = render(m);
    assert_non_null(strstr(text, "\npheedsync_metrics_series_dropped_total 2\n"));
    free(text);
    metrics_free(m);
}

static void test_render_limit(void **state)
{
    metrics *m = new_registry();
    metric *c = NULL;
    assert_int_equal(metrics_counter(&c, m, "x_total", "X.", NULL, NULL), 0);
    buf b;
    buf_init(&b, 64);
    assert_int_equal(buf_addstr(&b, "keep"), 0);
    assert_int_equal(metrics_render(m, &b), ERR_LIMIT);
    assert_string_equal(buf_cstr(&b), "keep");
    buf_free(&b);
    metrics_free(m);
}

static void test_default_registry(void **state)
{
    metrics *m = metrics_default();
    assert_non_null(m);
    assert_ptr_equal(m, metrics_default());
}

#define THREADS 8
#define ROUNDS 20000

typedef struct worker {
    metric *req;
    metric *lat;
    metric *gauge;
    int id;
} worker;

/* Each thread looks its series up every time (the path that takes locks and inserts) and
 * updates shared and own series. */
static void *work(void *arg)
{
    worker *w = arg;
    char own[16];
    snprintf(own, sizeof own, "t%d", w->id);
    for (int i = 0; i < ROUNDS; i++) {
        char status[16];
        snprintf(status, sizeof status, "%d", 200 + i % 5);
        metric_inc(metric_at(w->req, "ghl", status));
        metric_inc(metric_at(w->req, own, "200"));
        metric_observe(metric_at(w->lat, "ghl"), (i % 4) * 0.5);
        metric_gauge_add(metric_only(w->gauge), 1.0);
    }
    return NULL;
}

static void test_concurrent_totals_exact(void **state)
{
    metrics *m = new_registry();
    worker w[THREADS];
    pthread_t th[THREADS];
    metric *req = NULL, *lat = NULL, *g = NULL;
    assert_int_equal(metrics_counter(&req, m, "r_total", "R.", "service,status", NULL), 0);
    const double bounds[] = {0.5, 1};
    assert_int_equal(metrics_histogram(&lat, m, "l", "L.", "service", bounds, 2, NULL), 0);
    assert_int_equal(metrics_gauge(&g, m, "g", "G.", NULL, NULL), 0);
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){req, lat, g, i};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    /* Rendering while updates run must not crash or deadlock. */
    for (int i = 0; i < 20; i++)
        free(render(m));
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    for (int s = 0; s < 5; s++) {
        char status[16];
        snprintf(status, sizeof status, "%d", 200 + s);
        assert_int_equal(metric_counter_value(metric_at(req, "ghl", status)), THREADS * ROUNDS / 5);
    }
    for (int i = 0; i < THREADS; i++) {
        char own[16];
        snprintf(own, sizeof own, "t%d", i);
        assert_int_equal(metric_counter_value(metric_at(req, own, "200")), ROUNDS);
    }
    metric_series *h = metric_at(lat, "ghl");
    assert_int_equal(metric_histogram_count(h), THREADS * ROUNDS);
    /* 0, 0.5, 1, 1.5 in turn: the sum is exact in binary. */
    assert_true(metric_histogram_sum(h) == THREADS * (ROUNDS / 4) * 3.0);
    assert_true(metric_gauge_value(metric_only(g)) == THREADS * ROUNDS);
    char *text = render(m);
    char line[128];
    snprintf(line, sizeof line, "l_bucket{service=\"ghl\",le=\"0.5\"} %d\n", THREADS * ROUNDS / 2);
    assert_non_null(strstr(text, line));
    snprintf(line, sizeof line, "l_bucket{service=\"ghl\",le=\"1\"} %d\n",
             THREADS * ROUNDS / 4 * 3);
    assert_non_null(strstr(text, line));
    free(text);
    metrics_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_exact),
        cmocka_unit_test(test_unlabelled_render_zero_and_gauge_values),
        cmocka_unit_test(test_label_escaping),
        cmocka_unit_test(test_registration_rules),
        cmocka_unit_test(test_series_cap),
        cmocka_unit_test(test_render_limit),
        cmocka_unit_test(test_default_registry),
        cmocka_unit_test(test_concurrent_totals_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
