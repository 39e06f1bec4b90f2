/* test_init.c: `pheedsync init` run as a user would: the file it writes loads back, holds every
 * section, has mode 600; it refuses to overwrite without --force; usage errors exit 2. */
#include "tests/ops/ops_testutil.h"
#include "util/config.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static char dir[256];

/* Runs `cd dir && pheedsync ARGS`, its output kept in dir/out and dir/err; the exit code. */
static int run(const char *args)
{
    const char *bin = getenv("PHEEDSYNC_BIN");
    assert_non_null(bin);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >out 2>err", dir, bin, args);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

/* A file of dir, which must exist. */
static char *slurp(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = ops_slurp(path);
    assert_non_null(text);
    return text;
}

static void spit(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int mode_of(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (int)(st.st_mode & 07777);
}

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/pheedsync-init-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void assert_is_template(const char *name)
{
    char *text = slurp(name);
    buf want;
    buf_init(&want, 1 << 20);
    assert_int_equal(config_template(&want), 0);
    assert_string_equal(text, buf_cstr(&want));
    for (const config_section_spec *s = config_schema(); s->name; s++) {
        char header[64];
        snprintf(header, sizeof header, s->named ? "\n#[%s \"" : "\n[%s]\n", s->name);
        assert_non_null(strstr(text, header));
    }
    buf_free(&want);
    free(text);
}

static void test_writes_a_file_that_loads_back(void **state)
{
    assert_int_equal(run("init"), 0);
    assert_int_equal(mode_of("pheedsync.conf"), 0600);
    assert_is_template("pheedsync.conf");
    char path[512];
    snprintf(path, sizeof path, "%s/pheedsync.conf", dir);
    config *cfg = NULL;
    err e = {0};
    assert_int_equal(config_load_file(&cfg, path, NULL, &e), 0);
    /* Every value is the default. */
    assert_string_equal(config_str(cfg, "ghl", "base_url"), "https://services.leadconnectorhq.com");
    assert_int_equal(config_int(cfg, "alert", "rate_429"), 5);
    assert_false(config_sec_is_set(config_section_get(cfg, "store"), "url"));
    config_free(cfg);
    char *out = slurp("out");
    const char *steps[] = {
        "pheedsync.conf",  "pheedsync connect ghl",    "pheedsync connect pheedloop",
        "pheedsync check", "pheedsync sync --dry-run", "pheedsync run"};
    for (size_t i = 0; i < PS_ARRAY_LEN(steps); i++)
        assert_non_null(strstr(out, steps[i]));
    assert_null(strstr(out, "--config")); /* the default path needs none */
    free(out);
}

static void test_refuses_to_overwrite_without_force(void **state)
{
    spit("mine.conf", "[log]\nlevel = debug\n");
    chmod(dir, 0700);
    assert_int_equal(run("init --config mine.conf"), 2);
    char *err_text = slurp("err");
    assert_non_null(strstr(err_text, "mine.conf already exists"));
    assert_non_null(strstr(err_text, "--force"));
    free(err_text);
    char *kept = slurp("mine.conf");
    assert_string_equal(kept, "[log]\nlevel = debug\n");
    free(kept);
    char path[512];
    snprintf(path, sizeof path, "%s/mine.conf", dir);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(run("init --force --config mine.conf"), 0);
    assert_int_equal(mode_of("mine.conf"), 0600);
    assert_is_template("mine.conf");
    char *out = slurp("out");
    assert_non_null(strstr(out, "pheedsync check --config mine.conf"));
    free(out);
    /* No temporary file left behind. */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -q tmp", dir);
    assert_int_not_equal(system(cmd), 0);
}

static void test_usage_and_runtime_errors(void **state)
{
    assert_int_equal(run("init --bogus"), 2);
    assert_int_equal(run("init extra"), 2);
    assert_int_equal(run("init --config ''"), 2);
    assert_int_equal(run("init --config"), 2);
    assert_int_equal(run("init --config no/such/dir/p.conf"), 3);
    char *err_text = slurp("err");
    assert_non_null(strstr(err_text, "cannot write no/such/dir/p.conf"));
    free(err_text);
    assert_int_equal(run("init --help"), 0);
    char *out = slurp("out");
    assert_non_null(strstr(out, "usage: pheedsync init"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_writes_a_file_that_loads_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_to_overwrite_without_force, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage_and_runtime_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
