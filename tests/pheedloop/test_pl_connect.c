/* test_pl_connect.c: `pheedsync connect pheedloop` against the emulator: credentials checked,
 * events listed, credentials sealed in the store and read back by a client whose configuration
 * no longer holds them; refusals store nothing. */
#include "tests/support/pl_fixture.h"
#include "app/app.h"
#include "cli/commands.h"
#include "pheedloop/pl_creds.h"

#include <fcntl.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define SEAL_HEX "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

typedef struct run_out {
    int code;
    char *out; /* what the command printed on stdout */
} run_out;

static void write_config(pl_fx *fx, const char *dir, const char *extra, char *path, size_t n)
{
    snprintf(path, n, "%s/pheedsync.conf", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "[store]\nurl = sqlite:%s/state.db\n\n[pheedloop]\nbase_url = %s\n%s", dir, fx->base,
            extra);
    fclose(f);
}

/* Runs the command with stdout captured in a file. */
static run_out run_connect(const char *config_path, bool no_store)
{
    char tmpl[] = "/tmp/plconnect-out-XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    dup2(fd, STDOUT_FILENO);
    char *argv[] = {"pheedloop", "--config", (char *)(uintptr_t)config_path,
                    no_store ? "--no-store" : NULL, NULL};
    run_out r = {.code = cmd_connect_pheedloop(no_store ? 4 : 3, argv)};
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    off_t len = lseek(fd, 0, SEEK_END);
    r.out = calloc(1, (size_t)len + 1);
    assert_int_equal(pread(fd, r.out, (size_t)len, 0), len);
    close(fd);
    unlink(tmpl);
    return r;
}

static void make_dir(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/plconnect-XXXXXX");
    assert_non_null(mkdtemp(dir));
}

static void remove_dir(const char *dir)
{
    static const char *const files[] = {"pheedsync.conf", "state.db", "state.db-wal",
                                        "state.db-shm", "pheedsync.key"};
    char p[256];
    for (size_t i = 0; i < PS_ARRAY_LEN(files); i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void set_credentials(const char *key)
{
    setenv("PHEEDSYNC_SEAL_KEY", SEAL_HEX, 1);
    setenv("PHEEDSYNC_PHEEDLOOP_ORG_CODE", PLFX_ORG, 1);
    setenv("PHEEDSYNC_PHEEDLOOP_API_KEY", key, 1);
    setenv("PHEEDSYNC_PHEEDLOOP_API_SECRET", PLFX_SECRET, 1);
}

static void clear_credentials(void)
{
    unsetenv("PHEEDSYNC_PHEEDLOOP_ORG_CODE");
    unsetenv("PHEEDSYNC_PHEEDLOOP_API_KEY");
    unsetenv("PHEEDSYNC_PHEEDLOOP_API_SECRET");
}

static store *open_store(const char *dir, crypto_key **key)
{
    char url[256];
    snprintf(url, sizeof url, "sqlite:%s/state.db", dir);
    store *s = NULL;
    err e = {0};
    assert_int_equal(store_open(&s, url, NULL, &e), 0);
    assert_int_equal(crypto_key_load(key, NULL, &e), 0);
    return s;
}

static void connect_checks_lists_and_stores(void **state)
{
    pl_fx *fx = *state;
    char dir[64], path[128];
    make_dir(dir, sizeof dir);
    write_config(fx, dir, "events = " PLFX_EVENT ", EVEMISSING\n", path, sizeof path);
    set_credentials(PLFX_KEY);
    run_out r = run_connect(path, false);
    assert_int_equal(r.code, EXIT_OK);
    assert_non_null(strstr(r.out, "organization " PLFX_ORG ": API key and secret accepted"));
    assert_non_null(strstr(r.out, PLFX_EVENT));
    assert_non_null(strstr(r.out, "(synced)"));
    assert_non_null(strstr(r.out, PLFX_EVENT2));
    assert_non_null(strstr(r.out, "events names EVEMISSING, which this key cannot see"));
    assert_non_null(strstr(r.out, "Credentials sealed and stored"));
    assert_null(strstr(r.out, PLFX_KEY));
    assert_null(strstr(r.out, PLFX_SECRET));
    free(r.out);

    /* The store holds them sealed; they open with the key and nothing else. */
    crypto_key *key = NULL;
    store *s = open_store(dir, &key);
    err e = {0};
    char *sealed = NULL;
    assert_int_equal(store_token_get(&sealed, NULL, s, "pheedloop", "default", &e), 0);
    assert_null(strstr(sealed, PLFX_SECRET));
    assert_true(crypto_is_sealed(sealed, strlen(sealed)));
    free(sealed);
    pl_creds c;
    assert_int_equal(pl_creds_load(&c, s, key, &e), 0);
    assert_string_equal(c.org_code, PLFX_ORG);
    assert_string_equal(c.api_key, PLFX_KEY);
    assert_string_equal(c.api_secret, PLFX_SECRET);
    pl_creds_free(&c);

    /* The daemon's way: a configuration without credentials, completed from the store. */
    clear_credentials();
    config *cfg = NULL;
    char text[256];
    snprintf(text, sizeof text, "[pheedloop]\nbase_url = %s\n", fx->base);
    assert_int_equal(config_load_string(&cfg, text, strlen(text), "t", NULL, &e), 0);
    pl_client *client = NULL;
    assert_int_equal(pl_client_from_config(&client, cfg, NULL, &e), ERR_CONFIG);
    assert_int_equal(pl_client_from_config_and_store(&client, cfg, s, key, NULL, NULL, &e), 0);
    assert_int_equal(pl_client_validate_auth(NULL, client, NULL, &e), 0);
    pl_client_free(client);
    config_free(cfg);
    /* Stored credentials of another organization are not mixed into this one. */
    snprintf(text, sizeof text, "[pheedloop]\nbase_url = %s\norg_code = ORGELSE\n", fx->base);
    assert_int_equal(config_load_string(&cfg, text, strlen(text), "t", NULL, &e), 0);
    assert_int_equal(pl_client_from_config_and_store(&client, cfg, s, key, NULL, NULL, &e), ERR_CONFIG);
    config_free(cfg);
    store_close(s);
    crypto_key_free(key);
    remove_dir(dir);
}

static void refused_credentials_store_nothing(void **state)
{
    pl_fx *fx = *state;
    char dir[64], path[128];
    make_dir(dir, sizeof dir);
    write_config(fx, dir, "", path, sizeof path);
    set_credentials("not-the-key-000");
    run_out r = run_connect(path, false);
    assert_int_equal(r.code, EXIT_CHECK);
    free(r.out);
    setenv("PHEEDSYNC_PHEEDLOOP_API_KEY", PLFX_KEY, 1);
    setenv("PHEEDSYNC_PHEEDLOOP_ORG_CODE", "ORGNOPE", 1);
    r = run_connect(path, false);
    assert_int_equal(r.code, EXIT_CHECK);
    free(r.out);
    /* Checking only: accepted, listed, not stored. */
    setenv("PHEEDSYNC_PHEEDLOOP_ORG_CODE", PLFX_ORG, 1);
    r = run_connect(path, true);
    assert_int_equal(r.code, EXIT_OK);
    assert_null(strstr(r.out, "stored"));
    free(r.out);
    crypto_key *key = NULL;
    store *s = open_store(dir, &key);
    err e = {0};
    pl_creds c;
    assert_int_equal(pl_creds_load(&c, s, key, &e), ERR_NOT_FOUND);
    store_close(s);
    crypto_key_free(key);
    clear_credentials();
    unsetenv("PHEEDSYNC_PHEEDLOOP_ORG_CODE");
    r = run_connect(path, true);
    assert_int_equal(r.code, EXIT_USAGE); /* nothing to check with */
    free(r.out);
    char *argv[] = {"pheedloop", "--bogus", NULL};
    assert_int_equal(cmd_connect_pheedloop(2, argv), EXIT_USAGE);
    remove_dir(dir);
}

/* --link NAME: the link's organization and keys are checked and stored for that link only; a
 * configuration whose link then holds no keys gets them from the store. */
static void connect_a_link(void **state)
{
    pl_fx *fx = *state;
    char dir[64], path[128], extra[512];
    make_dir(dir, sizeof dir);
    snprintf(extra, sizeof extra,
             "[link \"two\"]\nlocation_id = L2\norg_code = %s\nevents = " PLFX_EVENT "\n"
             "api_key = %s\napi_secret = %s\n",
             PLFX_ORG, PLFX_KEY, PLFX_SECRET);
    write_config(fx, dir, extra, path, sizeof path);
    setenv("PHEEDSYNC_SEAL_KEY", SEAL_HEX, 1);
    char *argv[] = {"pheedloop", "--config", path, "--link", "two", NULL};
    assert_int_equal(cmd_connect_pheedloop(5, argv), EXIT_OK);
    char *bad[] = {"pheedloop", "--config", path, "--link", "three", NULL};
    assert_int_equal(cmd_connect_pheedloop(5, bad), EXIT_USAGE);
    crypto_key *key = NULL;
    store *s = open_store(dir, &key);
    err e = {0};
    pl_creds c;
    assert_int_equal(pl_creds_load(&c, s, key, &e), ERR_NOT_FOUND);
    assert_int_equal(pl_creds_load_account(&c, s, key, "link:two", &e), 0);
    assert_string_equal(c.org_code, PLFX_ORG);
    assert_string_equal(c.api_secret, PLFX_SECRET);
    pl_creds_free(&c);
    store_close(s);
    crypto_key_free(key);

    write_config(fx, dir,
                 "[link \"two\"]\nlocation_id = L2\norg_code = " PLFX_ORG "\nevents = " PLFX_EVENT
                 "\n",
                 path, sizeof path);
    app_options o = {.command = "test", .config_path = path};
    app_ctx a;
    assert_int_equal(app_open(&a, &o, &e), 0);
    assert_int_equal(app_require(&a, APP_PL, &e), 0);
    assert_int_equal(pl_client_validate_auth(NULL, a.links[0].pl, NULL, &e), 0);
    app_close(&a);
    unsetenv("PHEEDSYNC_SEAL_KEY");
    remove_dir(dir);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, plfx_client_setup, plfx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(connect_checks_lists_and_stores),
        T(refused_credentials_store_nothing),
        T(connect_a_link),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
