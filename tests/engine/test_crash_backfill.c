/* test_crash_backfill.c: `pheedsync sync` killed with SIGKILL at random points of a backfill,
 * again and again, then run to its end: everything converges, nobody is duplicated on either
 * side, and a pass after that writes nothing. */
#include "tests/engine/efix.h"
#include "util/jsonx.h"
#include "util/rng.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KILLS 6

static pid_t spawn_sync(efix *f)
{
    const char *bin = getenv("PHEEDSYNC_BIN");
    assert_non_null(bin);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char log[256];
        snprintf(log, sizeof log, "%s/child.log", f->dir);
        FILE *out = freopen(log, "a", stdout);
        (void)out;
        out = freopen(log, "a", stderr);
        (void)out;
        execl(bin, bin, "sync", "--config", f->config_path, "--log-level", "error", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void test_kill_during_backfill_then_restart(void **state)
{
    (void)state;
    efix_opts o = {.seed_data = true, .people = 300, .seed = 71};
    efix *f = efix_start(&o);
    efix_faults(f, "{\"latency_ms\": 1, \"latency_jitter_ms\": 2}");
    size_t attendees = efix_attendee_count(f);
    rng r;
    rng_seed(&r, 71);
    int killed = 0;
    for (int i = 0; i < KILLS; i++) {
        pid_t pid = spawn_sync(f);
        sleep_ms(100 + (int64_t)rng_below(&r, 1500));
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            killed++;
        }
    }
    assert_true(killed >= KILLS / 2); /* most runs were cut short */
    /* The restart: leases of the killed runs expire, their work is taken over. */
    pid_t pid = spawn_sync(f);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    efix_assert_no_duplicates(f);
    assert_int_equal(efix_attendee_count(f), attendees);
    efix_assert_all_linked(f);
    efix_reset_counters(f);
    efix_faults(f, "{\"latency_ms\": 0, \"latency_jitter_ms\": 0}");
    efix_pass(f, true);
    assert_int_equal(efix_writes(f, true), 0);
    assert_int_equal(efix_writes(f, false), 0);
    efix_stop(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_during_backfill_then_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
