/* test_check.c: `pheedsync check` against the sandbox, run as a user runs it: ready with a
 * Private Integration token and with OAuth after `connect ghl --code`; not ready for a wrong
 * PheedLoop secret, a missing scope, an unknown event, a revoked grant (needs
 * re-authorization) and no grant at all; configuration errors exit 2 naming file, line, key. */
#include "tests/app/app_fixture.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <unistd.h>

static afx_run check(afx *f, bool json)
{
    const char *args[] = {"check", "--config", f->conf, json ? "--json" : NULL, NULL};
    return afx_exec(f, args, NULL);
}

/* The check named name in part ("ghl", "pheedloop", "store") of the --json report. */
static const json_t *find_check(const json_t *report, const char *part, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(report, part), "checks"), i, c)
    {
        if (!strcmp(jsonx_str(c, "name"), name))
            return c;
    }
    return NULL;
}

static json_t *check_json(afx *f, int want_code)
{
    afx_run r = check(f, true);
    assert_int_equal(r.code, want_code);
    json_t *j = NULL;
    err e = {0};
    if (jsonx_parse(&j, r.out, strlen(r.out), "check --json", &e) != 0)
        fail_msg("%s: %s", e.msg, r.out);
    afx_run_free(&r);
    return j;
}

static void ready_with_pit(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){.events = AFX_EVENT ", " AFX_EVENT2});
    afx_run r = check(f, false);
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "ok    API: 3 custom fields read"));
    assert_non_null(strstr(r.out, "ok    credentials: API key and secret accepted"));
    assert_non_null(strstr(r.out, "ok    event " AFX_EVENT ": visible (App Summit"));
    assert_non_null(strstr(r.out, "ok    event " AFX_EVENT2 ": visible"));
    assert_non_null(strstr(r.out, "\nready:"));
    assert_null(strstr(r.out, "FAIL"));
    assert_null(strstr(r.out, f->pit)); /* secrets never shown */
    assert_null(strstr(r.err, f->pit));
    assert_null(strstr(r.out, AFX_SECRET));
    afx_run_free(&r);

    json_t *j = check_json(f, 0);
    assert_true(jsonx_bool(j, "ready", false));
    assert_int_equal(jsonx_int(j, "problems", -1), 0);
    const json_t *ghl = json_object_get(j, "ghl");
    assert_string_equal(jsonx_str(ghl, "state"), "token");
    /* The budget is the emulator's headers of that answer: 100 per 10 s, 200000 a day. */
    const json_t *b = json_object_get(ghl, "budget");
    assert_int_equal(jsonx_int(b, "max_per_interval", -1), 100);
    assert_int_equal(jsonx_int(b, "interval_ms", -1), 10000);
    assert_int_equal(jsonx_int(b, "daily_limit", -1), 200000);
    assert_true(jsonx_int(b, "remaining", -1) >= 0 && jsonx_int(b, "remaining", -1) < 100);
    assert_true(jsonx_int(b, "daily_remaining", -1) < 200000);
    const json_t *pl = json_object_get(j, "pheedloop");
    assert_string_equal(jsonx_str(pl, "org_code"), AFX_ORG);
    assert_int_equal(jsonx_int(json_object_get(pl, "budget"), "rate_per_minute", -1), 120);
    json_decref(j);
}

static void ready_with_oauth_then_revoked(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){.oauth = true});
    /* Not connected yet: said so, with the command that fixes it. */
    afx_run r = check(f, false);
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.out, "FAIL  connection: not connected"));
    assert_non_null(strstr(r.out, "fix: run `pheedsync connect ghl`"));
    afx_run_free(&r);

    assert_int_equal(afx_connect_oauth(f, AFX_SCOPES), 0);
    r = check(f, false);
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "ok    connection: connected (Location token; expires in 23 h"));
    assert_non_null(strstr(r.out, "ok    scopes: every scope the flows need is granted"));
    assert_non_null(strstr(r.out, "\nready:"));
    afx_run_free(&r);
    json_t *j = check_json(f, 0);
    const json_t *ghl = json_object_get(j, "ghl");
    assert_string_equal(jsonx_str(ghl, "state"), "connected");
    assert_int_equal(json_array_size(json_object_get(json_object_get(ghl, "scopes"), "missing")),
                     0);
    assert_int_equal(json_array_size(json_object_get(json_object_get(ghl, "scopes"), "granted")),
                     3);
    json_decref(j);

    /* The user removes the app: the next check finds the grant refused and says what to do. */
    json_decref(afx_ghl_admin(f, "POST", "/_sandbox/oauth/revoke", "{}"));
    r = check(f, false);
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.out, "FAIL  connection: needs re-authorization"));
    assert_non_null(strstr(r.out, "fix: run `pheedsync connect ghl` to approve the app again"));
    assert_non_null(strstr(r.out, "not ready: 1 problem"));
    afx_run_free(&r);
    /* The state is stored: a second check sends nothing and reads it from the store. */
    j = check_json(f, 1);
    assert_string_equal(jsonx_str(json_object_get(j, "ghl"), "state"), "needs_reauth");
    const json_t *c = find_check(j, "ghl", "connection");
    assert_non_null(c);
    assert_string_equal(jsonx_str(c, "result"), "fail");
    assert_non_null(strstr(jsonx_str(c, "detail"), "invalid_grant"));
    json_decref(j);
}

static void missing_scope(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){.oauth = true});
    assert_int_equal(afx_connect_oauth(f, "contacts.readonly"), 1); /* connected, not ready */
    afx_run r = check(f, false);
    assert_int_equal(r.code, 1);
    assert_non_null(
        strstr(r.out, "FAIL  scopes: missing contacts.write locations/customFields.readonly"));
    /* The custom field read is refused for the same reason. */
    assert_non_null(strstr(r.out, "FAIL  API: the token lacks a scope"));
    afx_run_free(&r);
    json_t *j = check_json(f, 1);
    const json_t *missing =
        json_object_get(json_object_get(json_object_get(j, "ghl"), "scopes"), "missing");
    assert_int_equal(json_array_size(missing), 2);
    assert_true(jsonx_array_has_str(missing, "contacts.write"));
    json_decref(j);
}

static void bad_pheedloop_secret(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){.pl_secret = "not-the-secret-000"});
    afx_run r = check(f, false);
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.out, "FAIL  credentials: PheedLoop refused the API key and secret"));
    assert_non_null(strstr(r.out, "Dashboard > Settings > Integrations > Rest API"));
    assert_non_null(strstr(r.out, "ok    API")); /* HighLevel is fine */
    assert_null(strstr(r.out, "not-the-secret-000"));
    afx_run_free(&r);
}

static void unknown_event(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){.events = AFX_EVENT ", EVENOPE"});
    afx_run r = check(f, false);
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.out, "ok    event " AFX_EVENT ": visible"));
    assert_non_null(strstr(r.out, "FAIL  event EVENOPE: not visible to this key"));
    afx_run_free(&r);
    json_t *j = check_json(f, 1);
    assert_int_equal(jsonx_int(j, "problems", -1), 1);
    json_t *events = json_object_get(json_object_get(j, "pheedloop"), "events");
    assert_int_equal(json_array_size(events), 2);
    assert_false(jsonx_bool(json_array_get(events, 1), "visible", true));
    json_decref(j);
}

/* Credentials stored by `connect pheedloop` complete a configuration that lacks them. */
static void pheedloop_credentials_from_the_store(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){.pl_secret = ""});
    afx_run r = check(f, false);
    assert_int_equal(r.code, 1);
    assert_non_null(
        strstr(r.out, "FAIL  credentials: [pheedloop] org_code, api_key and api_secret"));
    afx_run_free(&r);
    const char *env[] = {"PHEEDSYNC_PHEEDLOOP_ORG_CODE=" AFX_ORG,
                         "PHEEDSYNC_PHEEDLOOP_API_KEY=" AFX_KEY,
                         "PHEEDSYNC_PHEEDLOOP_API_SECRET=" AFX_SECRET, NULL};
    const char *args[] = {"connect", "pheedloop", "--config", f->conf, NULL};
    r = afx_exec(f, args, env);
    assert_int_equal(r.code, 0);
    afx_run_free(&r);
    r = check(f, false);
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "accepted for organization " AFX_ORG));
    afx_run_free(&r);
}

static void configuration_errors(void **state)
{
    afx *f = *state;
    char path[256];
    afx_write_file(f, "bad.conf", "[store]\nurl = sqlite:state.db\n\n[ghl]\nbase_urll = http://x\n",
                   path, sizeof path);
    const char *args[] = {"check", "--config", path, NULL};
    afx_run r = afx_exec(f, args, NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "bad.conf:5"));
    assert_non_null(strstr(r.err, "base_urll"));
    assert_string_equal(r.out, "");
    afx_run_free(&r);

    afx_write_file(f, "bad2.conf", "[pheedloop]\nrate_limit = lots\n", path, sizeof path);
    r = afx_exec(f, args, NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "bad2.conf:2"));
    assert_non_null(strstr(r.err, "rate_limit"));
    afx_run_free(&r);

    /* An environment override is checked like the file. */
    afx_write_conf(f, &(afx_conf){0});
    const char *env[] = {"PHEEDSYNC_GHL_AUTH=magic", NULL};
    const char *args2[] = {"check", "--config", f->conf, NULL};
    r = afx_exec(f, args2, env);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "PHEEDSYNC_GHL_AUTH"));
    afx_run_free(&r);

    const char *missing[] = {"check", "--config", "/nonexistent/pheedsync.conf", NULL};
    r = afx_exec(f, missing, NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "/nonexistent/pheedsync.conf"));
    afx_run_free(&r);

    const char *bad_level[] = {"check", "--log-level", "loud", NULL};
    r = afx_exec(f, bad_level, NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "--log-level 'loud'"));
    afx_run_free(&r);

    const char *bad_opt[] = {"check", "--frobnicate", NULL};
    r = afx_exec(f, bad_opt, NULL);
    assert_int_equal(r.code, 2);
    afx_run_free(&r);
}

/* Without --config: ./pheedsync.conf (the run's directory is the fixture's), else a clear
 * message. */
static void default_configuration(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    const char *args[] = {"check", NULL};
    afx_run r = afx_exec(f, args, NULL);
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "Configuration: pheedsync.conf read"));
    afx_run_free(&r);
    if (access("/etc/pheedsync.conf", F_OK) == 0)
        return; /* this machine has a system-wide one: the fallback cannot be shown */
    unlink(f->conf);
    r = afx_exec(f, args, NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(
        strstr(r.err, "no configuration: write one with `pheedsync init` or pass --config FILE"));
    afx_run_free(&r);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, afx_setup, afx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(ready_with_pit),       T(ready_with_oauth_then_revoked),
        T(missing_scope),        T(bad_pheedloop_secret),
        T(unknown_event),        T(pheedloop_credentials_from_the_store),
        T(configuration_errors), T(default_configuration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
