/* test_demo.c: `pheedsync demo` as a user runs it: it sets everything up by itself, makes live
 * edits whose sync outcomes it prints, stops by itself (--duration) or on SIGINT with a summary
 * and exit 0, and leaves a store in which every sign-up it made is linked and nothing is queued
 * or dead. It refuses a state directory holding someone else's configuration. */
#include "util/common.h"
#include "store/store.h"
#include "tests/support/testhttp.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef struct child {
    char dir[128], out_path[256], err_path[256];
    pid_t pid;
    int status;
    bool done;
} child;

static int setup(void **state)
{
    child *c = calloc(1, sizeof *c);
    assert_non_null(c);
    snprintf(c->dir, sizeof c->dir, "/tmp/pheedsync-demo-test-XXXXXX");
    assert_non_null(mkdtemp(c->dir));
    snprintf(c->out_path, sizeof c->out_path, "%s/stdout", c->dir);
    snprintf(c->err_path, sizeof c->err_path, "%s/stderr", c->dir);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    child *c = *state;
    if (c->pid > 0 && !c->done) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, NULL, 0);
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", c->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", c->dir);
    free(c);
    return 0;
}

/* Starts `pheedsync ARGS...` in the test's directory, its output into files. */
static void start(child *c, const char *const *args)
{
    const char *bin = getenv("PHEEDSYNC_BIN");
    assert_non_null(bin);
    const char *argv[24] = {bin};
    for (size_t i = 0; args[i] && i < 22; i++)
        argv[i + 1] = args[i];
    int out = open(c->out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int errfd = open(c->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(out >= 0 && errfd >= 0);
    c->pid = fork();
    assert_true(c->pid >= 0);
    if (c->pid == 0) {
        if (chdir(c->dir) != 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
            _exit(127);
        execve(bin, (char *const *)(uintptr_t)argv, environ);
        _exit(127);
    }
    close(out);
    close(errfd);
    c->done = false;
}

static bool exited(void *ctx)
{
    child *c = ctx;
    if (!c->done && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
        c->done = true;
    return c->done;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    buf b;
    buf_init(&b, 1 << 24);
    char chunk[4096];
    size_t n;
    while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    if (f)
        fclose(f);
    return buf_take(&b);
}

/* Waits for the exit (bounded); returns the exit code, the output in *out (both shown when the
 * code is not the one expected). */
static int finish(child *c, int timeout_ms, char **out, int expected)
{
    if (!th_wait_until(exited, c, timeout_ms)) {
        char *text = slurp(c->err_path);
        fail_msg("pheedsync demo did not stop in time; stderr:\n%s", text);
    }
    *out = slurp(c->out_path);
    if (!WIFEXITED(c->status) || WEXITSTATUS(c->status) != expected) {
        char *text = slurp(c->err_path);
        fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", *out, text);
        free(text);
    }
    return WIFEXITED(c->status) ? WEXITSTATUS(c->status) : -1;
}

/* Lines holding needle. */
static size_t count_lines(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *copy = strndup(line, len);
        n += copy && strstr(copy, needle) != NULL;
        free(copy);
        line = end ? end + 1 : NULL;
    }
    return n;
}

/* The number after the summary's label ("  people linked   361"), or -1. */
static int64_t summary_value(const char *text, const char *label)
{
    char key[64];
    snprintf(key, sizeof key, "\n  %s ", label);
    const char *p = strstr(text, key);
    return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

/* ------------------------------------------------------------------ tests */

static void test_runs_by_itself_and_converges(void **state)
{
    child *c = *state;
    const char *args[] = {"demo",  "--duration", "20", "--people", "120", "--edit-interval",
                          "400",   "--port",     "0",  "--seed",   "7",   "--dir",
                          "state", NULL};
    start(c, args);
    char *out = NULL;
    assert_int_equal(finish(c, 150000, &out, 0), 0);

    assert_non_null(strstr(out, "HighLevel connected through OAuth"));
    assert_non_null(strstr(out, "initial sync completed"));
    assert_non_null(strstr(out, "webhooks registered"));
    assert_non_null(strstr(out, "Status page   http://127.0.0.1:"));
    /* Live edits on both sides, and outcomes in both directions. */
    assert_true(count_lines(out, "  PheedLoop  ") >= 3);
    assert_true(count_lines(out, "  HighLevel  ") >= 3);
    assert_true(count_lines(out, "pheedsync  → HighLevel") >= 1);
    assert_true(count_lines(out, "pheedsync  → PheedLoop") >= 1);
    assert_true(summary_value(out, "people linked") > 0);
    assert_true(summary_value(out, "operations applied") > 0);
    assert_true(summary_value(out, "webhooks received") > 0);
    assert_int_equal(summary_value(out, "still queued"), 0);
    assert_int_equal(summary_value(out, "dead letters"), 0);

    /* The store the demo leaves behind agrees: every sign-up it made is linked. */
    char url[256];
    snprintf(url, sizeof url, "sqlite:%s/state/state.db", c->dir);
    store *st = NULL;
    err e = {0};
    assert_int_equal(store_open(&st, url, NULL, &e), 0);
    store_counts n = {0};
    assert_int_equal(store_count(&n, st, &e), 0);
    assert_int_equal(n.dead_letters, 0);
    assert_int_equal(n.inbox_pending + n.inbox_claimed + n.outbox_pending + n.outbox_running, 0);
    size_t signups = 0;
    for (const char *p = strstr(out, "  sign-up  "); p; p = strstr(p + 1, "  sign-up  ")) {
        const char *lt = strchr(p, '<'), *gt = lt ? strchr(lt, '>') : NULL;
        assert_non_null(gt);
        char email[160];
        snprintf(email, sizeof email, "%.*s", (int)(gt - lt - 1), lt + 1);
        store_links links = {0};
        assert_int_equal(store_link_by_email(&links, st, email, &e), 0);
        if (links.n != 1)
            fail_msg("sign-up %s: %zu links", email, links.n);
        store_links_free(&links);
        signups++;
    }
    assert_true(signups >= 1);
    store_close(st);

    /* The state directory is private. */
    char dir[256];
    snprintf(dir, sizeof dir, "%s/state", c->dir);
    struct stat sb;
    assert_int_equal(stat(dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    free(out);
}

static bool has_outcome(void *ctx)
{
    child *c = ctx;
    char *out = slurp(c->out_path);
    bool yes = count_lines(out, "pheedsync  → ") >= 2;
    free(out);
    return yes;
}

static void test_stops_cleanly_on_sigint(void **state)
{
    child *c = *state;
    const char *args[] = {"demo",   "--people", "40",    "--edit-interval", "300",
                          "--port", "0",        "--dir", "state",           NULL};
    start(c, args);
    if (!th_wait_until(has_outcome, c, 90000)) {
        char *out = slurp(c->out_path);
        fail_msg("no sync outcome within 90 s:\n%s", out);
    }
    assert_int_equal(kill(c->pid, SIGINT), 0);
    char *out = NULL;
    assert_int_equal(finish(c, 60000, &out, 0), 0);
    assert_non_null(strstr(out, "\nSummary ("));
    assert_int_equal(summary_value(out, "dead letters"), 0);
    free(out);
}

static void test_refuses_a_foreign_configuration(void **state)
{
    child *c = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/mine", c->dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/mine/pheedsync.conf", c->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("[store]\nurl = sqlite:precious.db\n", f);
    fclose(f);
    const char *args[] = {"demo", "--dir", "mine", "--port", "0", NULL};
    start(c, args);
    char *out = NULL;
    assert_int_equal(finish(c, 30000, &out, 2), 2);
    assert_non_null(strstr(out, "the demo did not write"));
    free(out);
    char *kept = slurp(path);
    assert_string_equal(kept, "[store]\nurl = sqlite:precious.db\n");
    free(kept);

    const char *bad[] = {"demo", "--people", "many", NULL};
    start(c, bad);
    assert_int_equal(finish(c, 30000, &out, 2), 2);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_runs_by_itself_and_converges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stops_cleanly_on_sigint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_a_foreign_configuration, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
