/* test_store_url.c: store URLs as they may be shown (errors, status, check): a password, in the
 * authority or as a parameter, becomes ***; everything else is kept, and the output is cut to its
 * buffer, never overrun. And which URLs name a PostgreSQL store. */
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static void shown(const char *url, const char *want)
{
    char out[STORE_URL_SHOWN_MAX];
    store_url_shown(out, sizeof out, url);
    assert_string_equal(out, want);
}

static void test_passwords_are_hidden(void **state)
{
    (void)state;
    shown("postgresql://pheed:s3cret@db.example:5432/state",
          "postgresql://pheed:***@db.example:5432/state");
    shown("postgres://u:x@h/db", "postgres://u:***@h/db"); /* shorter than *** */
    shown("postgresql://u:p%40ss:word@h/db?sslmode=require",
          "postgresql://u:***@h/db?sslmode=require");
    shown("postgresql:///db?host=/run/pg&password=hunter2&user=u",
          "postgresql:///db?host=/run/pg&password=***&user=u");
    shown("postgresql://u:a@h/db?password=b", "postgresql://u:***@h/db?password=***");
    shown("postgresql://u:p@ss@h/db", "postgresql://u:***@h/db"); /* an unescaped @ in it */
}

static void test_the_rest_is_kept(void **state)
{
    (void)state;
    shown("postgresql://pheed@db/state", "postgresql://pheed@db/state");
    shown("postgresql://db/state?application_name=x", "postgresql://db/state?application_name=x");
    shown("sqlite:/var/lib/pheedsync/state.db", "sqlite:/var/lib/pheedsync/state.db");
    shown("postgresql:///db?xpassword=kept", "postgresql:///db?xpassword=kept");
    shown("", "");
}

static void test_postgresql_urls_are_told_apart(void **state)
{
    (void)state;
    assert_true(store_url_postgresql("postgresql://u@h/db"));
    assert_true(store_url_postgresql("postgres://h/db"));
    assert_false(store_url_postgresql("sqlite:state.db"));
    assert_false(store_url_postgresql("postgresq://h/db"));
    assert_false(store_url_postgresql(NULL));
}

static void test_output_is_cut_to_its_buffer(void **state)
{
    (void)state;
    char out[12];
    memset(out, 'Z', sizeof out);
    store_url_shown(out, sizeof out, "postgresql://u:secret@host/db");
    assert_string_equal(out, "postgresql:");
    assert_null(strstr(out, "secret"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passwords_are_hidden),
        cmocka_unit_test(test_the_rest_is_kept),
        cmocka_unit_test(test_postgresql_urls_are_told_apart),
        cmocka_unit_test(test_output_is_cut_to_its_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
