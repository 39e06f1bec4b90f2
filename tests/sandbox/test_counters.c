/* test_counters.c: the request counters and their JSON shape. */
#include "util/common.h"
#include "sandbox/counters.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>
#include <pthread.h>

static json_int_t at(const json_t *j, const char *a, const char *b)
{
    const json_t *x = json_object_get(j, a);
    if (b)
        x = json_object_get(x, b);
    return json_integer_value(x);
}

static void test_shape(void **state)
{
    (void)state;
    sbx_counters *c = NULL;
    err e = {0};
    assert_int_equal(sbx_counters_new(&c, &e), 0);
    sbx_counters_add(c, "get-contact", "GET", 200);
    sbx_counters_add(c, "get-contact", "GET", 404);
    sbx_counters_add(c, "get-contact", "GET", 200);
    sbx_counters_add(c, "create-contact", "POST", 201);
    sbx_counters_add(c, NULL, "DELETE", 404);
    /* POSTs that only read or sign in are not writes. */
    sbx_counters_add(c, "search-contacts-advanced", "POST", 200);
    sbx_counters_add(c, "get-access-token", "POST", 200);

    json_t *j = sbx_counters_json(c);
    assert_non_null(j);
    assert_int_equal(at(j, "total", NULL), 7);
    assert_int_equal(at(j, "writes", NULL), 2);
    assert_int_equal(at(j, "by_method", "GET"), 3);
    assert_int_equal(at(j, "by_method", "POST"), 3);
    assert_int_equal(at(j, "by_method", "DELETE"), 1);
    assert_int_equal(at(j, "by_status", "200"), 4);
    assert_int_equal(at(j, "by_status", "404"), 2);
    assert_int_equal(at(j, "by_status", "201"), 1);
    const json_t *ops = json_object_get(j, "by_operation");
    assert_int_equal(at(ops, "get-contact", "200"), 2);
    assert_int_equal(at(ops, "get-contact", "404"), 1);
    assert_int_equal(at(ops, "create-contact", "201"), 1);
    assert_int_equal(at(ops, "unrouted", "404"), 1);
    assert_int_equal(json_object_size(ops), 5);

    /* A snapshot: later additions do not change it. */
    sbx_counters_add(c, "get-contact", "GET", 200);
    assert_int_equal(at(j, "total", NULL), 7);
    json_decref(j);

    sbx_counters_reset(c);
    j = sbx_counters_json(c);
    assert_int_equal(at(j, "total", NULL), 0);
    assert_int_equal(at(j, "writes", NULL), 0);
    assert_int_equal(json_object_size(json_object_get(j, "by_operation")), 0);
    assert_int_equal(json_object_size(json_object_get(j, "by_method")), 0);
    json_decref(j);
    sbx_counters_free(c);
    sbx_counters_free(NULL);
}

static void *adder(void *arg)
{
    sbx_counters *c = arg;
    for (int i = 0; i < 1000; i++)
        sbx_counters_add(c, (i % 2) ? "a" : "b", "PUT", 200);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    sbx_counters *c = NULL;
    assert_int_equal(sbx_counters_new(&c, NULL), 0);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, adder, c), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    json_t *j = sbx_counters_json(c);
    assert_int_equal(at(j, "total", NULL), 4000);
    assert_int_equal(at(j, "writes", NULL), 4000);
    assert_int_equal(at(json_object_get(j, "by_operation"), "a", "200"), 2000);
    json_decref(j);
    sbx_counters_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
