/* test_sync_cli.c: `pheedsync sync` as a user runs it: one pass per link (one report line), exit
 * 0, everyone linked; run again, it writes nothing. */
#include "tests/engine/efix.h"

#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* `pheedsync sync` on the fixture's configuration: its exit status; its output in out. */
static int run_sync(efix *f, char *out, size_t n)
{
    const char *bin = getenv("PHEEDSYNC_BIN");
    assert_non_null(bin);
    char path[300];
    snprintf(path, sizeof path, "%s/sync.out", f->dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen(path, "w", stdout))
            _exit(126);
        execl(bin, bin, "sync", "--config", f->config_path, "--log-level", "error", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    size_t len = fread(out, 1, n - 1, in);
    out[len] = '\0';
    fclose(in);
    return WEXITSTATUS(status);
}

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
    assert_int_equal(run_sync(f, out, sizeof out), 0);
    assert_int_equal(count_lines_starting(out, "listed "), 1);
    efix_assert_all_linked(f);
    efix_assert_no_duplicates(f);

    efix_reset_counters(f);
    assert_int_equal(run_sync(f, out, sizeof out), 0);
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
