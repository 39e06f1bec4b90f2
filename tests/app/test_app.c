/* test_app.c: the application context: common options, where the configuration comes from and
 * what its errors say, the log settings, the key file's place, services opened only on demand
 * (and what each stands on), and the engine filled from it. No server is contacted. */
#include "app/app.h"
#include "cli/commands.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#define SEAL_HEX "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

typedef struct tdir {
    char path[64];
    char old_cwd[512];
} tdir;

static int setup(void **state)
{
    tdir *d = calloc(1, sizeof *d);
    snprintf(d->path, sizeof d->path, "/tmp/pheedsync-apptest-XXXXXX");
    assert_non_null(mkdtemp(d->path));
    assert_non_null(getcwd(d->old_cwd, sizeof d->old_cwd));
    assert_int_equal(chdir(d->path), 0);
    unsetenv("PHEEDSYNC_SEAL_KEY");
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    tdir *d = *state;
    assert_int_equal(chdir(d->old_cwd), 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->path);
    assert_int_equal(system(cmd), 0);
    free(d);
    return 0;
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(name, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void common_options(void **state)
{
    app_options o = {0};
    err e = {0};
    assert_int_equal(app_option(&o, APP_OPT_CONFIG, "x.conf", &e), 1);
    assert_string_equal(o.config_path, "x.conf");
    assert_int_equal(app_option(&o, APP_OPT_LOG_LEVEL, "debug", &e), 1);
    assert_string_equal(o.log_level, "debug");
    assert_int_equal(app_option(&o, APP_OPT_JSON, NULL, &e), 1);
    assert_true(o.json);
    assert_int_equal(app_option(&o, APP_OPT_LOG_LEVEL, "chatty", &e), ERR_INVALID);
    assert_non_null(strstr(e.msg, "--log-level 'chatty'"));
    assert_int_equal(app_option(&o, APP_OPT_CONFIG, "", &e), ERR_INVALID);
    assert_int_equal(app_option(&o, 'h', NULL, &e), 0); /* the command's own */
    assert_string_equal(o.log_level, "debug");          /* a refused value changes nothing */
}

static void configuration_sources(void **state)
{
    config *cfg = NULL;
    char *path = NULL;
    err e = {0};
    char *const env[] = {NULL};
    if (access("/etc/pheedsync.conf", F_OK) != 0) {
        assert_int_equal(app_load_config(&cfg, &path, NULL, env, &e), ERR_CONFIG);
        assert_string_equal(
            e.msg, "no configuration: write one with `pheedsync init` or pass --config FILE");
        assert_null(cfg);
    }
    write_file("pheedsync.conf", "[ghl]\nlocation_id = here\n");
    assert_int_equal(app_load_config(&cfg, &path, NULL, env, &e), 0);
    assert_string_equal(path, "pheedsync.conf");
    assert_string_equal(config_str(cfg, "ghl", "location_id"), "here");
    config_free(cfg);
    free(path);
    /* --config wins over the default, and its errors name file, line and key. */
    write_file("other.conf", "# comment\n[ghl]\nlocation_id = there\ncolour = blue\n");
    assert_int_equal(app_load_config(&cfg, &path, "other.conf", env, &e), ERR_CONFIG);
    assert_non_null(strstr(e.msg, "other.conf:4"));
    assert_non_null(strstr(e.msg, "colour"));
    assert_int_equal(app_load_config(&cfg, &path, "absent.conf", env, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "absent.conf"));
    /* The environment given is the one read. */
    char *const env2[] = {"PHEEDSYNC_GHL_LOCATION_ID=from-env", NULL};
    assert_int_equal(app_load_config(&cfg, &path, NULL, env2, &e), 0);
    assert_string_equal(config_str(cfg, "ghl", "location_id"), "from-env");
    config_free(cfg);
    free(path);
    assert_int_equal(app_exit_code(ERR_CONFIG), EXIT_USAGE);
    assert_int_equal(app_exit_code(ERR_INVALID), EXIT_USAGE);
    assert_int_equal(app_exit_code(ERR_NET), EXIT_RUNTIME);
}

static config *load(const char *text)
{
    config *cfg = NULL;
    err e = {0};
    if (config_load_string(&cfg, text, strlen(text), "t.conf", NULL, &e) != 0)
        fail_msg("%s", e.msg);
    return cfg;
}

static void log_settings(void **state)
{
    log_level l;
    log_format fm;
    err e = {0};
    FILE *not_tty = tmpfile();
    config *cfg = load("");
    assert_int_equal(app_log_settings(&l, &fm, cfg, NULL, LOG_WARN, not_tty, &e), 0);
    assert_int_equal(l, LOG_WARN);  /* [log] level unset: the command's default */
    assert_int_equal(fm, LOG_JSON); /* auto, not a terminal */
    assert_int_equal(app_log_settings(&l, &fm, cfg, "error", LOG_WARN, not_tty, &e), 0);
    assert_int_equal(l, LOG_ERROR);
    config_free(cfg);
    cfg = load("[log]\nlevel = debug\nformat = text\n");
    assert_int_equal(app_log_settings(&l, &fm, cfg, NULL, LOG_WARN, not_tty, &e), 0);
    assert_int_equal(l, LOG_DEBUG);
    assert_int_equal(fm, LOG_TEXT);
    assert_int_equal(app_log_settings(&l, &fm, cfg, "off", LOG_WARN, not_tty, &e), 0);
    assert_int_equal(l, LOG_OFF); /* the option wins */
    config_free(cfg);
    fclose(not_tty);
}

static void key_path(void **state)
{
    buf b;
    buf_init(&b, 4096);
    err e = {0};
    config *cfg = load("[store]\nurl = sqlite:/var/lib/ps/state.db\n");
    assert_int_equal(app_key_path(&b, cfg, &e), 0);
    assert_string_equal(buf_cstr(&b), "/var/lib/ps/pheedsync.key");
    config_free(cfg);
    buf_reset(&b);
    cfg = load("[store]\nurl = sqlite:state.db\n");
    assert_int_equal(app_key_path(&b, cfg, &e), 0);
    assert_string_equal(buf_cstr(&b), "pheedsync.key");
    config_free(cfg);
    buf_reset(&b);
    cfg = load("[store]\nurl = sqlite:/x/state.db\nkey_file = /etc/ps.key\n");
    assert_int_equal(app_key_path(&b, cfg, &e), 0);
    assert_string_equal(buf_cstr(&b), "/etc/ps.key");
    config_free(cfg);
    buf_free(&b);
}

/* Only what is asked for is opened: a PIT HighLevel and a fully configured PheedLoop need no
 * key and no store. */
static void opens_on_demand(void **state)
{
    write_file("pheedsync.conf", "[store]\nurl = sqlite:state.db\n\n[ghl]\nauth = token\n"
                                 "token = pit-abc\nlocation_id = LOC1\nbase_url = "
                                 "http://127.0.0.1:9\n\n[pheedloop]\nbase_url = "
                                 "http://127.0.0.1:9\norg_code = ORG\napi_key = k0123\n"
                                 "api_secret = s0123\nevents = E1, E2\n");
    app_options o = {.command = "test"};
    app_ctx a;
    err e = {0};
    assert_int_equal(app_open(&a, &o, &e), 0);
    assert_string_equal(a.config_path, "pheedsync.conf");
    assert_int_equal(a.open, 0u);
    assert_int_equal(app_require(&a, APP_GHL | APP_PL, &e), 0);
    assert_int_equal(a.open, (unsigned)(APP_GHL | APP_PL | APP_HTTP));
    assert_non_null(a.ghl);
    assert_non_null(a.pl);
    assert_null(a.store);
    assert_null(a.key);
    assert_int_equal(access("state.db", F_OK), -1);
    assert_int_equal(access("pheedsync.key", F_OK), -1);
    /* Asking again opens nothing twice. */
    http_client *h = a.http;
    assert_int_equal(app_require(&a, APP_PL, &e), 0);
    assert_ptr_equal(a.http, h);
    assert_int_equal(app_require(&a, APP_STORE, &e), 0);
    engine en;
    app_engine(&en, &a);
    assert_ptr_equal(en.cfg, a.cfg);
    assert_ptr_equal(en.store, a.store);
    assert_ptr_equal(en.ghl, a.ghl);
    assert_ptr_equal(en.pl, a.pl);
    assert_non_null(en.clock);
    assert_non_null(strchr(en.owner, ':'));
    assert_string_equal(en.link.location_id, "LOC1");
    assert_string_equal(en.link.org_code, "ORG");
    assert_string_equal(en.link.events[0], "E1");
    assert_string_equal(en.link.events[1], "E2");
    assert_null(en.link.events[2]);
    app_close(&a);
    app_close(&a); /* closing twice is harmless */
}

/* OAuth tokens are sealed: the key comes along (created beside the store, mode 600); PheedLoop
 * credentials missing from the file are looked for in the store, and their absence says what
 * to run. */
static void opens_what_needs_stand_on(void **state)
{
    write_file("pheedsync.conf", "[store]\nurl = sqlite:state.db\n\n[ghl]\nclient_id = c\n"
                                 "client_secret = s\nbase_url = http://127.0.0.1:9\n\n"
                                 "[pheedloop]\nbase_url = http://127.0.0.1:9\n");
    app_options o = {.command = "test"};
    app_ctx a;
    err e = {0};
    assert_int_equal(app_open(&a, &o, &e), 0);
    assert_int_equal(app_require(&a, APP_GHL, &e), 0);
    assert_non_null(a.key);
    struct stat st;
    assert_int_equal(stat("pheedsync.key", &st), 0);
    assert_int_equal(st.st_mode & 077, 0);
    assert_null(a.store); /* the token manager opens its own handle */
    assert_int_equal(app_require(&a, APP_PL, &e), ERR_CONFIG);
    assert_non_null(strstr(e.msg, "pheedsync connect pheedloop"));
    assert_non_null(a.store); /* it looked */
    assert_null(a.pl);
    app_close(&a);
}

static void setup_errors(void **state)
{
    write_file("pheedsync.conf", "[ghl]\nauth = token\n");
    app_options o = {.command = "test"};
    app_ctx a;
    err e = {0};
    assert_int_equal(app_open(&a, &o, &e), 0);
    assert_int_equal(app_require(&a, APP_GHL, &e), ERR_CONFIG);
    assert_non_null(strstr(e.msg, "[ghl] token"));
    assert_null(a.ghl);
    assert_int_equal(a.open & APP_GHL, 0u);
    app_close(&a);
    /* No configuration: app_open fails, app_close is still safe. */
    unlink("pheedsync.conf");
    o.config_path = "missing.conf";
    assert_int_equal(app_open(&a, &o, &e), ERR_IO);
    assert_int_equal(app_require(&a, APP_STORE, &e), ERR_BAD_STATE);
    app_close(&a);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(common_options),  T(configuration_sources),     T(log_settings), T(key_path),
        T(opens_on_demand), T(opens_what_needs_stand_on), T(setup_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
