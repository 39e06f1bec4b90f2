/* test_sync_cli.c: `pheedsync sync` as a user runs it: one pass per link (one report line), exit
 * 0, everyone linked; run again, it writes nothing. */
#include "tests/engine/efix.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static size_t count_lines_starting(const char *text, const char *prefix)
{
    size_t n = 0;
    for (const char *line = text; line && *line;) {
        n += strncmp(line, prefix, strlen(prefix)) == 0;
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return n;
}

static void test_one_pass_then_nothing_to_write(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 30, .seed = 77};
    efix *f = efix_start(&o);
    char out[8192];
    assert_int_equal(efix_sync_cli(f, NULL, out, sizeof out), 0);
    assert_int_equal(count_lines_starting(out, "listed "), 1);
    efix_assert_all_linked(f);
    efix_assert_no_duplicates(f);

    efix_reset_counters(f);
    assert_int_equal(efix_sync_cli(f, NULL, out, sizeof out), 0);
    assert_int_equal(count_lines_starting(out, "listed "), 1);
    assert_int_equal(efix_writes(f, true), 0);
    assert_int_equal(efix_writes(f, false), 0);
    efix_stop(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_pass_then_nothing_to_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
