/* test_call.c: `pheedsync call` against the sandbox: actions of both services with path
 * parameters, query strings and bodies (the HighLevel location filled in from the
 * configuration), the answers printed as JSON, API errors (exit 1), usage errors (exit 2); and
 * pl_client_call, the PheedLoop client's raw request it runs on. */
#include "tests/app/app_fixture.h"
#include "pheedloop/pl_client.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* Runs `pheedsync call ARGS... --config CONF`; the answer must be JSON when code is 0. */
static afx_run call(afx *f, const char *const *args, int want_code, json_t **out)
{
    const char *argv[24] = {"call"};
    size_t n = 1;
    for (size_t i = 0; args[i] && n < 20; i++)
        argv[n++] = args[i];
    argv[n++] = "--config";
    argv[n++] = f->conf;
    argv[n] = NULL;
    afx_run r = afx_exec(f, argv, NULL);
    if (r.code != want_code)
        fail_msg("call %s %s: exit %d, wanted %d\n%s%s", args[0], args[1], r.code, want_code, r.out,
                 r.err);
    if (out) {
        err e = {0};
        if (jsonx_parse(out, r.out, strlen(r.out), "call's answer", &e) != 0)
            fail_msg("%s: %s", e.msg, r.out);
    }
    return r;
}

static void ghl_actions(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    json_t *j = NULL;
    /* A body action: locationId comes from [ghl] location_id. */
    afx_run r = call(f,
                     (const char *[]){"ghl", "contacts.create", "firstName=Ada",
                                      "email=ada@example.com", "tags=[\"vip\"]", NULL},
                     0, &j);
    afx_run_free(&r);
    const json_t *c = json_object_get(j, "contact");
    assert_string_equal(jsonx_str(c, "locationId"), f->location);
    assert_true(jsonx_array_has_str(json_object_get(c, "tags"), "vip")); /* JSON values */
    char id[64], arg[96];
    snprintf(id, sizeof id, "%s", jsonx_str(c, "id"));
    json_decref(j);

    snprintf(arg, sizeof arg, "contactId=%s", id);
    r = call(f, (const char *[]){"ghl", "contacts.get", arg, NULL}, 0, &j);
    afx_run_free(&r);
    assert_string_equal(jsonx_str(json_object_get(j, "contact"), "email"), "ada@example.com");
    json_decref(j);

    /* A path parameter filled from the configuration. */
    r = call(f, (const char *[]){"ghl", "custom_fields.list", NULL}, 0, &j);
    afx_run_free(&r);
    assert_int_equal(json_array_size(json_object_get(j, "customFields")), 3);
    json_decref(j);

    /* A query string, the location passed explicitly. */
    char loc[96];
    snprintf(loc, sizeof loc, "locationId=%s", f->location);
    r = call(f, (const char *[]){"ghl", "contacts.duplicate", loc, "email=ADA@example.com", NULL},
             0, &j);
    afx_run_free(&r);
    assert_string_equal(jsonx_str(json_object_get(j, "contact"), "id"), id);
    json_decref(j);

    /* A note's text is its "body" member, and body= means the whole body: give that. */
    r = call(f,
             (const char *[]){"ghl", "notes.create", arg, "body={\"body\": \"met at the summit\"}",
                              NULL},
             0, &j);
    afx_run_free(&r);
    assert_string_equal(jsonx_str(json_object_get(j, "note"), "body"), "met at the summit");
    json_decref(j);

    r = call(f, (const char *[]){"ghl", "contacts.delete", arg, NULL}, 0, &j);
    afx_run_free(&r);
    json_decref(j);
    /* Gone: the API's refusal is exit 1 with its class and message on stderr. */
    r = call(f, (const char *[]){"ghl", "contacts.get", arg, NULL}, 1, NULL);
    assert_non_null(strstr(r.err, "ghl contacts.get failed: not_found"));
    assert_non_null(strstr(r.err, "Contact not found"));
    assert_string_equal(r.out, "");
    afx_run_free(&r);
}

static void pheedloop_actions(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    json_t *j = NULL;
    afx_run r = call(f, (const char *[]){"pheedloop", "events.list", NULL}, 0, &j);
    afx_run_free(&r);
    assert_int_equal(jsonx_int(j, "count", -1), 2);
    json_decref(j);

    r = call(f,
             (const char *[]){"pheedloop", "attendees.create", "event=" AFX_EVENT,
                              "first_name=Grace", "last_name=Hopper", "email=grace@example.com",
                              NULL},
             0, &j);
    afx_run_free(&r);
    char code[64], arg[96];
    snprintf(code, sizeof code, "%s", jsonx_str(j, "code"));
    json_decref(j);
    snprintf(arg, sizeof arg, "code=%s", code);

    r = call(f,
             (const char *[]){"pheedloop", "attendees.update", "event=" AFX_EVENT, arg,
                              "title=Rear Admiral", NULL},
             0, &j);
    afx_run_free(&r);
    assert_string_equal(jsonx_str(j, "title"), "Rear Admiral");
    json_decref(j);

    r = call(f, (const char *[]){"pheedloop", "attendees.get", "event=" AFX_EVENT, arg, NULL}, 0,
             &j);
    afx_run_free(&r);
    assert_string_equal(jsonx_str(j, "email"), "grace@example.com");
    assert_string_equal(jsonx_str(j, "title"), "Rear Admiral");
    json_decref(j);

    /* A query string: page_size on a list. */
    r = call(
        f, (const char *[]){"pheedloop", "attendees.list", "event=" AFX_EVENT, "page_size=1", NULL},
        0, &j);
    afx_run_free(&r);
    assert_int_equal(jsonx_int(j, "count", -1), 1);
    json_decref(j);

    r = call(f, (const char *[]){"pheedloop", "events.get", "event=EVENOPE", NULL}, 1, NULL);
    assert_non_null(strstr(r.err, "pheedloop events.get failed: not_found"));
    afx_run_free(&r);
}

static void usage_errors(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){0});
    afx_run r = call(f, (const char *[]){"ghl", "contacts.get", NULL}, 2, NULL);
    assert_non_null(strstr(r.err, "contacts.get needs contactId=VALUE"));
    afx_run_free(&r);
    r = call(f, (const char *[]){"pheedloop", "attendees.get", "event=" AFX_EVENT, NULL}, 2, NULL);
    assert_non_null(strstr(r.err, "attendees.get needs code=VALUE"));
    afx_run_free(&r);
    r = call(f, (const char *[]){"ghl", "contacts.frobnicate", NULL}, 2, NULL);
    assert_non_null(strstr(r.err, "unknown action 'contacts.frobnicate'"));
    assert_non_null(strstr(r.err, "pheedsync catalog ghl"));
    afx_run_free(&r);
    r = call(f, (const char *[]){"salesforce", "contacts.get", NULL}, 2, NULL);
    assert_non_null(strstr(r.err, "unknown service 'salesforce'"));
    assert_non_null(strstr(r.err, "pheedsync catalog"));
    afx_run_free(&r);
    r = call(f, (const char *[]){"ghl", NULL}, 2, NULL);
    afx_run_free(&r);
    r = call(f, (const char *[]){"ghl", "contacts.get", "contactId", NULL}, 2, NULL);
    assert_non_null(strstr(r.err, "expected key=value"));
    afx_run_free(&r);
    r = call(f, (const char *[]){"ghl", "contacts.search", "body=[1,", NULL}, 2, NULL);
    afx_run_free(&r);
}

/* Credentials missing or refused: the user's to fix, said on stderr. */
static void credential_failures(void **state)
{
    afx *f = *state;
    afx_write_conf(f, &(afx_conf){.oauth = true, .pl_secret = "wrong-secret-0000"});
    afx_run r = call(f, (const char *[]){"ghl", "contacts.get", "contactId=abc", NULL}, 1, NULL);
    assert_non_null(strstr(r.err, "failed: auth"));
    afx_run_free(&r);
    r = call(f, (const char *[]){"pheedloop", "events.list", NULL}, 1, NULL);
    assert_non_null(strstr(r.err, "failed: auth"));
    afx_run_free(&r);
}

static void raw_pheedloop_call(void **state)
{
    afx *f = *state;
    pl_client_config pc = {
        .base_url = f->pl_base, .org_code = AFX_ORG, .api_key = AFX_KEY, .api_secret = AFX_SECRET};
    pl_client *c = NULL;
    err e = {0};
    assert_int_equal(pl_client_new(&c, &pc, &e), 0);
    char *body = NULL;
    size_t len = 0;
    pl_call call = {.lane = GOVERNOR_LANE_LIVE};
    assert_int_equal(pl_client_call(&body, &len, c, "GET", "events/?page_size=1", NULL,
                                    HTTP_IDEMPOTENT_BY_METHOD, "list", &call, &e),
                     0);
    assert_int_equal(call.status, 200);
    assert_int_equal(len, strlen(body));
    json_t *j = NULL;
    assert_int_equal(jsonx_parse(&j, body, len, "answer", &e), 0);
    assert_int_equal(jsonx_int(j, "count", -1), 2);
    json_decref(j);
    free(body);

    json_t *in = json_pack("{s:s, s:s, s:s}", "first_name", "Alan", "last_name", "Kay", "email",
                           "alan@example.com");
    body = NULL;
    assert_int_equal(pl_client_call(&body, &len, c, "POST", "events/" AFX_EVENT "/attendees/", in,
                                    HTTP_IDEMPOTENT_NO, "create", &call, &e),
                     0);
    assert_int_equal(call.status, 201);
    assert_int_equal(jsonx_parse(&j, body, len, "answer", &e), 0);
    assert_string_equal(jsonx_str(j, "email"), "alan@example.com");
    json_decref(j);
    json_decref(in);
    free(body);

    body = NULL;
    assert_int_equal(pl_client_call(&body, &len, c, "GET", "events/NOPE/", NULL,
                                    HTTP_IDEMPOTENT_BY_METHOD, "get", &call, &e),
                     ERR_NOT_FOUND);
    assert_null(body);
    assert_int_equal(call.status, 404);
    assert_int_equal(call.error.kind, API_ERR_NOT_FOUND);

    /* Paths stay below the organization. */
    static const char *const bad[] = {"../ORGELSE/events/", "events/../../x/", "/events/",
                                      "events/./"};
    for (size_t i = 0; i < PS_ARRAY_LEN(bad); i++)
        assert_int_equal(pl_client_call(NULL, NULL, c, "GET", bad[i], NULL,
                                        HTTP_IDEMPOTENT_BY_METHOD, "bad", NULL, &e),
                         ERR_INVALID);
    /* A dot inside a segment or in the query is fine. */
    assert_int_equal(pl_client_call(NULL, NULL, c, "GET", "events/?search=a..b", NULL,
                                    HTTP_IDEMPOTENT_BY_METHOD, "dots", NULL, &e),
                     0);
    pl_client_free(c);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, afx_setup, afx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(ghl_actions),         T(pheedloop_actions),  T(usage_errors),
        T(credential_failures), T(raw_pheedloop_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
