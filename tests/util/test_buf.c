/* test_buf.c: bounded buffers: limits, failure leaves the buffer unchanged, addf, take. */
#include "util/buf.h"
#include "util/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static void empty_buffer_reads_as_empty_string(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 10);
    assert_string_equal(buf_cstr(&b), "");
    assert_int_equal(b.len, 0);
    buf_free(&b);
    buf_free(&b); /* twice is safe */
}

static void add_appends_and_terminates(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 100);
    assert_int_equal(buf_add(&b, "abc", 3), 0);
    assert_int_equal(buf_addstr(&b, "de"), 0);
    assert_int_equal(buf_addc(&b, 'f'), 0);
    assert_int_equal(buf_add(&b, "zzz", 0), 0);
    assert_string_equal(buf_cstr(&b), "abcdef");
    assert_int_equal(b.len, 6);
    buf_free(&b);
}

static void binary_bytes_are_kept(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 100);
    assert_int_equal(buf_add(&b, "a\0b", 3), 0);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.ptr, "a\0b", 4);
    buf_free(&b);
}

static void exact_limit_fits_one_more_fails_unchanged(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 5);
    assert_int_equal(buf_addstr(&b, "abc"), 0);
    assert_int_equal(buf_addstr(&b, "def"), ERR_LIMIT);
    assert_string_equal(buf_cstr(&b), "abc");
    assert_int_equal(b.len, 3);
    assert_int_equal(buf_addstr(&b, "de"), 0);
    assert_string_equal(buf_cstr(&b), "abcde");
    assert_int_equal(buf_addc(&b, 'x'), ERR_LIMIT);
    assert_int_equal(buf_addf(&b, "%d", 1), ERR_LIMIT);
    assert_string_equal(buf_cstr(&b), "abcde");
    assert_true(b.cap <= 6);
    buf_free(&b);
}

static void zero_limit_refuses_everything(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 0);
    assert_int_equal(buf_addc(&b, 'a'), ERR_LIMIT);
    assert_int_equal(buf_add(&b, "", 0), 0);
    assert_string_equal(buf_cstr(&b), "");
    buf_free(&b);
}

static void unlimited_buffer_grows(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, SIZE_MAX);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_addstr(&b, "0123456789"), 0);
    assert_int_equal(b.len, 10000);
    assert_true(b.cap > b.len);
    assert_int_equal(buf_add(&b, "x", SIZE_MAX), ERR_LIMIT);
    assert_int_equal(b.len, 10000);
    buf_free(&b);
}

static void addf_formats_and_grows(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 1000);
    assert_int_equal(buf_addf(&b, "%s=%d;", "a", 1), 0);
    assert_int_equal(buf_addf(&b, "%05.1f|%x", 3.14159, 255u), 0);
    assert_string_equal(buf_cstr(&b), "a=1;003.1|ff");
    assert_int_equal(buf_addf(&b, "%s", ""), 0);
    assert_int_equal(b.len, 12);
    char big[300];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(buf_addf(&b, "[%s]", big), 0);
    assert_int_equal(b.len, 12 + 301);
    assert_int_equal(buf_cstr(&b)[b.len - 1], ']');
    buf_free(&b);
}

static void addf_past_limit_leaves_buffer_unchanged(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_addf(&b, "%s", "1234"), 0);
    assert_int_equal(buf_addf(&b, "%s", "56789"), ERR_LIMIT);
    assert_string_equal(buf_cstr(&b), "1234");
    assert_int_equal(buf_addf(&b, "%d", 5678), 0);
    assert_string_equal(buf_cstr(&b), "12345678");
    buf_free(&b);
}

static void reset_keeps_allocation(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 100);
    buf_addstr(&b, "hello");
    char *p = b.ptr;
    buf_reset(&b);
    assert_string_equal(buf_cstr(&b), "");
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.ptr, p);
    buf_addstr(&b, "x");
    assert_string_equal(buf_cstr(&b), "x");
    buf_free(&b);
}

static void take_hands_over_and_resets(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 100);
    buf_addstr(&b, "mine");
    char *s = buf_take(&b);
    assert_string_equal(s, "mine");
    assert_null(b.ptr);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.max, 100);
    free(s);
    char *empty = buf_take(&b);
    assert_non_null(empty);
    assert_string_equal(empty, "");
    free(empty);
    assert_int_equal(buf_addstr(&b, "again"), 0);
    assert_string_equal(buf_cstr(&b), "again");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_buffer_reads_as_empty_string),
        cmocka_unit_test(add_appends_and_terminates),
        cmocka_unit_test(binary_bytes_are_kept),
        cmocka_unit_test(exact_limit_fits_one_more_fails_unchanged),
        cmocka_unit_test(zero_limit_refuses_everything),
        cmocka_unit_test(unlimited_buffer_grows),
        cmocka_unit_test(addf_formats_and_grows),
        cmocka_unit_test(addf_past_limit_leaves_buffer_unchanged),
        cmocka_unit_test(reset_keeps_allocation),
        cmocka_unit_test(take_hands_over_and_resets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
