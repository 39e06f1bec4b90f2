/* test_ghl_tokens.c: the HighLevel token manager against the emulator's OAuth server: refresh
 * rotation under concurrency (16 threads; two managers; two real processes) never reuses a
 * refresh token, expiry mid-run, invalid_grant and the held state, Private Integration Tokens,
 * agency location tokens, and tokens sealed at rest. */
#include "crypto/codec.h"
#include "ghl/ghl_token_rec.h"
#include "tests/ghl/ghl_env.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

#define THREADS 16
#define ROUNDS 4

static int setup(void **state)
{
    *state = genv_start(NULL, NULL);
    return 0;
}

static int teardown(void **state)
{
    genv_stop(*state);
    return 0;
}

/* The emulator's OAuth counters. */
static int64_t oauth_stat(genv *g, const char *name)
{
    json_t *j = genv_admin(g, "GET", "/_sandbox/oauth/state", NULL);
    int64_t v = jsonx_int(j, name, -1);
    json_decref(j);
    return v;
}

static void assert_family_alive(genv *g)
{
    assert_int_equal(oauth_stat(g, "reuse_detections"), 0);
    assert_int_equal(oauth_stat(g, "families_revoked"), 0);
}

static char *access_of(ghl_tokens *t, const char *loc)
{
    char *tok = NULL;
    err e = {0};
    if (ghl_tokens_access(&tok, t, loc, &e) != 0)
        fail_msg("access: %s", e.msg);
    return tok;
}

typedef struct racer {
    ghl_tokens *t;
    const char *loc;
    pthread_barrier_t *start;
    int rounds;
    int failures;
} racer;

/* Each round every thread reads the current token, waits for the others, then all refresh it
 * at once: exactly one refresh may happen per round. */
static void *race(void *arg)
{
    racer *r = arg;
    for (int i = 0; i < r->rounds; i++) {
        char *stale = access_of(r->t, r->loc);
        pthread_barrier_wait(&r->start[2 * i]);
        err e = {0};
        if (ghl_tokens_refresh(r->t, r->loc, stale, &e) != 0)
            r->failures++;
        free(stale);
        pthread_barrier_wait(&r->start[2 * i + 1]);
    }
    return NULL;
}

static int64_t run_racers(ghl_tokens **managers, size_t n_managers, const char *loc)
{
    pthread_barrier_t bars[2 * ROUNDS];
    for (int i = 0; i < 2 * ROUNDS; i++)
        pthread_barrier_init(&bars[i], NULL, THREADS);
    pthread_t th[THREADS];
    racer rs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        rs[i] = (racer){managers[(size_t)i % n_managers], loc, bars, ROUNDS, 0};
        assert_int_equal(pthread_create(&th[i], NULL, race, &rs[i]), 0);
    }
    int failures = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        failures += rs[i].failures;
    }
    for (int i = 0; i < 2 * ROUNDS; i++)
        pthread_barrier_destroy(&bars[i]);
    assert_int_equal(failures, 0);
    int64_t refreshes = 0;
    for (size_t m = 0; m < n_managers; m++) {
        ghl_tokens_stats st;
        ghl_tokens_get_stats(managers[m], &st);
        refreshes += st.refreshes;
    }
    return refreshes;
}

static void sixteen_threads_one_refresh(void **state)
{
    genv *g = *state;
    int64_t before = oauth_stat(g, "refreshes");
    ghl_tokens *m[] = {g->tokens};
    assert_int_equal(run_racers(m, 1, g->location), ROUNDS);
    assert_int_equal(oauth_stat(g, "refreshes") - before, ROUNDS);
    assert_family_alive(g);
    ghl_field_defs d = {0};
    err e = {0};
    assert_int_equal(ghl_client_list_custom_fields(&d, g->client, &g->op, &e), 0);
    ghl_field_defs_clear(&d);
}

/* Two managers on one store stand for two processes: the store lock and the re-read after it
 * keep them from refreshing the same token twice. */
static void two_managers_share_the_store(void **state)
{
    genv *g = *state;
    ghl_tokens *m[] = {g->tokens, genv_tokens(g)};
    int64_t before = oauth_stat(g, "refreshes");
    int64_t done = run_racers(m, 2, g->location);
    assert_int_equal(done, ROUNDS);
    assert_int_equal(oauth_stat(g, "refreshes") - before, ROUNDS);
    assert_family_alive(g);
    ghl_tokens_free(m[1]);
}

static void write_config(genv *g, const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "[store]\nurl = %s\n\n[ghl]\nbase_url = %s\nclient_id = %s\nclient_secret = %s\n"
            "location_id = %s\n",
            g->store_url, g->base, jsonx_str(g->info, "client_id"),
            jsonx_str(g->info, "client_secret"), g->location);
    fclose(f);
}

static pid_t spawn_refresh(char *conf, char *const *envp)
{
    char *bin = getenv("PHEEDSYNC_BIN");
    assert_non_null(bin);
    char *argv[] = {bin, "connect", "ghl", "--refresh", "--config", conf, NULL};
    pid_t pid = 0;
    assert_int_equal(posix_spawn(&pid, bin, NULL, NULL, argv, envp), 0);
    return pid;
}

/* Real processes: `pheedsync connect ghl --refresh` started twice at once, several times. */
static void two_processes_refresh_at_once(void **state)
{
    genv *g = *state;
    char conf[256];
    snprintf(conf, sizeof conf, "%s/pheedsync.conf", g->dir);
    write_config(g, conf);
    unsigned char raw[CRYPTO_SEAL_KEY_LEN];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (unsigned char)(i * 7 + 1);
    buf kv;
    buf_init(&kv, 256);
    buf_addstr(&kv, "PHEEDSYNC_SEAL_KEY=");
    assert_int_equal(crypto_b64_encode(&kv, raw, sizeof raw), 0);
    char *envp[] = {kv.ptr, "ASAN_OPTIONS=detect_leaks=1", NULL};
    for (int round = 0; round < 3; round++) {
        pid_t a = spawn_refresh(conf, envp), b = spawn_refresh(conf, envp);
        int sa = 0, sb = 0;
        assert_int_equal(waitpid(a, &sa, 0), a);
        assert_int_equal(waitpid(b, &sb, 0), b);
        assert_true(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
        assert_true(WIFEXITED(sb) && WEXITSTATUS(sb) == 0);
    }
    buf_free(&kv);
    assert_family_alive(g);
    /* What the processes stored works, read by a manager that saw none of it. */
    ghl_tokens *fresh = genv_tokens(g);
    char *tok = access_of(fresh, g->location);
    assert_int_equal(ghl_tokens_refresh(fresh, g->location, tok, NULL), 0);
    ghl_tokens_stats st;
    ghl_tokens_get_stats(fresh, &st);
    assert_int_equal(st.refreshes, 1); /* the stored refresh token was the live one */
    ghl_tokens_free(fresh);
    free(tok);
    assert_family_alive(g);
}

static void expiry_mid_run(void **state)
{
    genv *g = *state;
    err e = {0};
    ghl_field_defs d = {0};
    assert_int_equal(ghl_client_list_custom_fields(&d, g->client, &g->op, &e), 0);
    ghl_field_defs_clear(&d);
    json_decref(genv_admin(g, "POST", "/_sandbox/oauth/expire", "{}"));
    assert_int_equal(ghl_client_list_custom_fields(&d, g->client, &g->op, &e), 0);
    assert_true(g->call.refreshed);
    ghl_field_defs_clear(&d);
    assert_family_alive(g);
}

static void refresh_ahead_of_expiry(void **state)
{
    genv *g = *state;
    ghl_tokens_config tc = {
        .store_url = g->store_url,
        .key = g->key,
        .app = {g->base, jsonx_str(g->info, "client_id"), jsonx_str(g->info, "client_secret"),
                g->http},
        .refresh_ahead_ms = 3LL * 86400 * 1000, /* longer than any token lives */
    };
    ghl_tokens *t = NULL;
    err e = {0};
    assert_int_equal(ghl_tokens_new(&t, &tc, &e), 0);
    char *a = access_of(t, g->location);
    char *b = access_of(t, g->location);
    assert_string_not_equal(a, b);
    ghl_tokens_stats st;
    ghl_tokens_get_stats(t, &st);
    assert_int_equal(st.refreshes, 2);
    free(a);
    free(b);
    ghl_tokens_free(t);
    assert_family_alive(g);
}

static int alerts;
static void on_alert(void *ctx, const char *account, const char *message)
{
    (void)ctx;
    (void)account;
    assert_non_null(strstr(message, "connect ghl"));
    alerts++;
}

static void invalid_grant_holds_writes(void **state)
{
    genv *g = *state;
    err e = {0};
    ghl_tokens_config tc = {
        .store_url = g->store_url,
        .key = g->key,
        .app = {g->base, jsonx_str(g->info, "client_id"), jsonx_str(g->info, "client_secret"),
                g->http},
        .alert = on_alert,
    };
    ghl_tokens *t = NULL;
    assert_int_equal(ghl_tokens_new(&t, &tc, &e), 0);
    ghl_client *c = NULL;
    ghl_client_config cc = {.base_url = g->base, .http = g->http, .tokens = t};
    assert_int_equal(ghl_client_new(&c, &cc, &e), 0);
    json_decref(genv_admin(g, "POST", "/_sandbox/oauth/revoke", "{}"));
    alerts = 0;
    ghl_contact_input in = {.first_name = "Held", .email = "held@example.com"};
    ghl_contact got;
    assert_int_equal(ghl_client_create_contact(&got, c, &g->op, &in, &e), ERR_BAD_STATE);
    assert_true(g->call.held);
    assert_int_equal(alerts, 1);
    assert_non_null(strstr(e.msg, "re-authorization"));
    bool reauth = false;
    assert_int_equal(ghl_tokens_needs_reauth(&reauth, NULL, t, g->location, &e), 0);
    assert_true(reauth);
    /* Another process learns it from the store at its next 401 (its old token is dead too),
     * and from then on sends nothing. */
    assert_int_equal(ghl_client_create_contact(&got, g->client, &g->op, &in, &e), ERR_BAD_STATE);
    assert_true(g->call.held);
    assert_int_equal(ghl_client_create_contact(&got, g->client, &g->op, &in, &e), ERR_BAD_STATE);
    assert_true(g->call.held);
    assert_int_equal(g->call.attempts, 0);
    assert_int_equal(oauth_stat(g, "reuse_detections"), 0); /* nobody tried the dead token */

    /* `connect` again: a new grant clears the state everywhere. */
    json_t *j = genv_admin(g, "POST", "/_sandbox/oauth/code", "{\"scopes\": \"" GENV_SCOPES "\"}");
    ghl_oauth_app app = {g->base, jsonx_str(g->info, "client_id"),
                         jsonx_str(g->info, "client_secret"), g->http};
    ghl_token_answer a = {0};
    assert_int_equal(
        ghl_oauth_exchange_code(&a, &app, jsonx_str(j, "code"), NULL, "Location", NULL, &e), 0);
    assert_int_equal(ghl_tokens_save_grant(NULL, t, &a, &e), 0);
    ghl_token_answer_clear(&a);
    json_decref(j);
    assert_int_equal(ghl_client_create_contact(&got, g->client, &g->op, &in, &e), 0);
    ghl_contact_clear(&got);
    ghl_client_free(c);
    ghl_tokens_free(t);
}

static void pit_mode(void **state)
{
    genv *g = genv_start_pit(NULL);
    err e = {0};
    char *id = genv_contact(g, "Pat", "pat@example.com");
    ghl_contact c;
    assert_int_equal(ghl_client_get_contact(&c, g->client, &g->op, id, &e), 0);
    ghl_contact_clear(&c);
    assert_true(ghl_tokens_is_pit(g->tokens));
    /* PITs survive the admin's expiry and revocation of OAuth tokens. */
    json_decref(genv_admin(g, "POST", "/_sandbox/oauth/revoke", "{}"));
    assert_int_equal(ghl_client_get_contact(&c, g->client, &g->op, id, &e), 0);
    ghl_contact_clear(&c);
    free(id);
    genv_stop(g);
}

static void agency_location_token(void **state)
{
    genv *g = *state;
    err e = {0};
    json_t *j = genv_admin(g, "POST", "/_sandbox/oauth/code",
                           "{\"scopes\": \"" GENV_SCOPES " oauth.write oauth.readonly\"}");
    ghl_oauth_app app = {g->base, jsonx_str(g->info, "client_id"),
                         jsonx_str(g->info, "client_secret"), g->http};
    ghl_token_answer a = {0};
    assert_int_equal(
        ghl_oauth_exchange_code(&a, &app, jsonx_str(j, "code"), NULL, "Company", NULL, &e), 0);
    json_decref(j);
    assert_string_equal(a.user_type, "Company");
    char *account = NULL;
    assert_int_equal(ghl_tokens_save_grant(&account, g->tokens, &a, &e), 0);
    assert_non_null(strstr(account, "company:"));
    assert_int_equal(ghl_tokens_location_from_company(g->tokens, a.company_id, g->location, &e), 0);
    ghl_token_answer_clear(&a);
    free(account);
    ghl_field_defs d = {0};
    assert_int_equal(ghl_client_list_custom_fields(&d, g->client, &g->op, &e), 0);
    ghl_field_defs_clear(&d);
    /* Expired: the location token is exchanged again with the company's token. */
    json_decref(genv_admin(g, "POST", "/_sandbox/oauth/expire", "{}"));
    assert_int_equal(ghl_client_list_custom_fields(&d, g->client, &g->op, &e), 0);
    assert_true(g->call.refreshed);
    ghl_field_defs_clear(&d);
    ghl_tokens_stats st;
    ghl_tokens_get_stats(g->tokens, &st);
    assert_true(st.exchanges >= 2);
    json_t *desc = NULL;
    assert_int_equal(ghl_tokens_describe(&desc, g->tokens, g->location, &e), 0);
    assert_string_equal(jsonx_str(desc, "via"), "company");
    json_decref(desc);
    assert_family_alive(g);
}

/* The store holds only sealed text: no token appears in it, and another key cannot open it. */
static void sealed_at_rest(void **state)
{
    genv *g = *state;
    char *tok = access_of(g->tokens, g->location);
    store *st = NULL;
    err e = {0};
    assert_int_equal(store_open(&st, g->store_url, NULL, &e), 0);
    char *sealed = NULL;
    assert_int_equal(store_token_get(&sealed, NULL, st, "ghl", g->location, &e), 0);
    assert_true(crypto_is_sealed(sealed, strlen(sealed)));
    assert_null(strstr(sealed, tok));
    unsigned char other_raw[CRYPTO_SEAL_KEY_LEN] = {9};
    crypto_key *other = NULL;
    assert_int_equal(crypto_key_from_raw(&other, other_raw, &e), 0);
    ghl_token_rec r;
    assert_int_equal(ghl_token_rec_load(&r, st, other, g->location, &e), ERR_AUTH);
    crypto_key_free(other);
    free(sealed);
    free(tok);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sixteen_threads_one_refresh, setup, teardown),
        cmocka_unit_test_setup_teardown(two_managers_share_the_store, setup, teardown),
        cmocka_unit_test_setup_teardown(two_processes_refresh_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(expiry_mid_run, setup, teardown),
        cmocka_unit_test_setup_teardown(refresh_ahead_of_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(invalid_grant_holds_writes, setup, teardown),
        cmocka_unit_test(pit_mode),
        cmocka_unit_test_setup_teardown(agency_location_token, setup, teardown),
        cmocka_unit_test_setup_teardown(sealed_at_rest, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
