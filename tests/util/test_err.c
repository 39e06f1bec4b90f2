/* test_err.c: the error record: set, wrap, clear, names. */
#include "util/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static void set_returns_code_and_formats(void **state)
{
    (void)state;
    err e;
    err_clear(&e);
    assert_int_equal(err_set(&e, ERR_INVALID, "field '%s': %d", "email", 7), ERR_INVALID);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.msg, "field 'email': 7");
}

static void set_with_null_record_still_returns_code(void **state)
{
    (void)state;
    assert_int_equal(err_set(NULL, ERR_NET, "x"), ERR_NET);
    assert_int_equal(err_wrap(NULL, "y"), ERR_INTERNAL);
    err_clear(NULL);
}

static void set_truncates_long_messages(void **state)
{
    (void)state;
    err e;
    char big[2 * ERR_MSG_MAX];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    err_set(&e, ERR_LIMIT, "%s", big);
    assert_int_equal(strlen(e.msg), ERR_MSG_MAX - 1);
}

static void wrap_prefixes_and_keeps_code(void **state)
{
    (void)state;
    err e;
    err_set(&e, ERR_PARSE, "bad date");
    assert_int_equal(err_wrap(&e, "contact %s: ", "c1"), ERR_PARSE);
    assert_string_equal(e.msg, "contact c1: bad date");
    assert_int_equal(e.code, ERR_PARSE);
}

static void wrap_truncates_the_old_message_to_fit(void **state)
{
    (void)state;
    err e;
    char big[ERR_MSG_MAX];
    memset(big, 'b', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    err_set(&e, ERR_IO, "%s", big);
    err_wrap(&e, "prefix: ");
    assert_int_equal(strlen(e.msg), ERR_MSG_MAX - 1);
    assert_memory_equal(e.msg, "prefix: bbb", 11);
}

static void clear_resets(void **state)
{
    (void)state;
    err e;
    err_set(&e, ERR_AUTH, "no");
    err_clear(&e);
    assert_int_equal(e.code, ERR_OK);
    assert_string_equal(e.msg, "");
}

static void code_names_are_stable(void **state)
{
    (void)state;
    assert_string_equal(err_code_name(ERR_OK), "ok");
    assert_string_equal(err_code_name(ERR_NOT_FOUND), "not_found");
    assert_string_equal(err_code_name(ERR_INTERNAL), "internal");
    assert_string_equal(err_code_name(ERR_CONFLICT), "conflict");
    assert_string_equal(err_code_name(12345), "unknown");
    for (int c = ERR_INTERNAL; c <= ERR_OK; c++)
        assert_string_not_equal(err_code_name(c), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_returns_code_and_formats),
        cmocka_unit_test(set_with_null_record_still_returns_code),
        cmocka_unit_test(set_truncates_long_messages),
        cmocka_unit_test(wrap_prefixes_and_keeps_code),
        cmocka_unit_test(wrap_truncates_the_old_message_to_fit),
        cmocka_unit_test(clear_resets),
        cmocka_unit_test(code_names_are_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
