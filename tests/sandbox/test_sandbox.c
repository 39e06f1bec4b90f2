/* test_sandbox.c: the whole sandbox: both emulators started and seeded in-process, and the
 * `pheedsync sandbox` command as a user runs it (a real process, real ports, a signal to stop). */
#include "util/common.h"
#include "sandbox/sandbox.h"
#include "tests/support/testhttp.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Lower-cased, trimmed: how both services identify a person by email. */
static void norm_email(char *out, size_t len, const char *in)
{
    while (*in == ' ')
        in++;
    size_t n = 0;
    for (; *in && n + 1 < len; in++)
        out[n++] = (char)((*in >= 'A' && *in <= 'Z') ? *in - 'A' + 'a' : *in);
    while (n && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

static json_t *admin_get(const char *base, const char *token, const char *path)
{
    char url[256], hdr[128];
    snprintf(url, sizeof url, "%s%s", base, path);
    snprintf(hdr, sizeof hdr, "X-Sandbox-Token: %s", token);
    const char *headers[] = {hdr, NULL};
    th_response *r = th_request("GET", url, headers, NULL, 10000);
    assert_int_equal(r->status, 200);
    json_t *j = json_incref(r->json);
    th_response_free(r);
    return j;
}

/* Seeding puts about half of the people on both sides, PheedLoop holding another spelling of
 * their email, and the rest on one side only; every count matches the summary. */
static void seeded_people_overlap(void **state)
{
    sbx_options o = {.seed = 11, .seed_data = true, .people = 120};
    sbx_fault_config_defaults(&o.faults);
    sbx_sandbox *s = NULL;
    err e = {0};
    assert_int_equal(sbx_sandbox_start(&s, &o, &e), 0);
    json_t *info = sbx_sandbox_info(s);
    const char *token = jsonx_str(info, "admin_token");
    const json_t *seeded = json_object_get(info, "seeded");
    int64_t both = jsonx_int(seeded, "on_both_sides", -1);
    int64_t only_ghl = jsonx_int(seeded, "only_highlevel", -1);
    int64_t only_pl = jsonx_int(seeded, "only_pheedloop", -1);
    assert_true(both > 30 && only_ghl > 10 && only_pl > 10);
    assert_true(both + only_ghl + only_pl <= 120);

    json_t *ghl = admin_get(jsonx_str(jsonx_path(info, "highlevel"), "base_url"), token,
                            "/_sandbox/state");
    json_t *pl = admin_get(jsonx_str(jsonx_path(info, "pheedloop"), "base_url"), token,
                           "/_sandbox/state");
    json_t *contacts = json_object_get(ghl, "contacts");
    assert_true(json_is_array(contacts));
    assert_int_equal((int64_t)json_array_size(contacts), both + only_ghl);

    json_t *emails = json_object();
    size_t i;
    json_t *c;
    json_array_foreach(contacts, i, c) {
        char n[160];
        norm_email(n, sizeof n, jsonx_str(c, "email"));
        json_object_set_new(emails, n, json_true());
    }
    size_t matched = 0, spelled_differently = 0, attendees = 0;
    json_t *ev;
    json_array_foreach(json_object_get(pl, "events"), i, ev) {
        size_t k;
        json_t *a;
        json_array_foreach(json_object_get(ev, "attendees"), k, a) {
            const char *raw = jsonx_str(a, "email");
            char n[160];
            norm_email(n, sizeof n, raw);
            attendees++;
            if (json_object_get(emails, n)) {
                matched++;
                if (strcmp(n, raw) != 0)
                    spelled_differently++;
            }
        }
    }
    assert_true(attendees >= (size_t)(both + only_pl));
    assert_true(matched >= (size_t)both);
    assert_true(spelled_differently > 0);
    json_decref(emails);
    json_decref(ghl);
    json_decref(pl);
    json_decref(info);
    sbx_sandbox_free(s);
}

static long admin_call(const char *base, const char *token, const char *method, const char *path,
                       const char *body, json_t **out)
{
    char url[256], hdr[128];
    snprintf(url, sizeof url, "%s%s", base, path);
    snprintf(hdr, sizeof hdr, "X-Sandbox-Token: %s", token);
    const char *headers[] = {hdr, "Content-Type: application/json", NULL};
    th_response *r = th_request(method, url, headers, body, 10000);
    long status = r->status;
    if (out)
        *out = json_incref(r->json);
    th_response_free(r);
    return status;
}

/* GET base_path + path of one organization with this key and secret: the status. */
static long pl_get(const json_t *pl, const json_t *as, const char *org, const char *path)
{
    char url[512], key[160], secret[200];
    snprintf(url, sizeof url, "%s/api/v3/organization/%s/%s", jsonx_str(pl, "base_url"), org,
             path);
    snprintf(key, sizeof key, "X-API-KEY: %s", jsonx_str(as, "api_key"));
    snprintf(secret, sizeof secret, "X-API-SECRET: %s", jsonx_str(as, "api_secret"));
    const char *ph[] = {key, secret, NULL};
    th_response *r = th_request("GET", url, ph, NULL, 10000);
    long status = r->status;
    th_response_free(r);
    return status;
}

static const json_t *org_info(const json_t *pl, const char *code)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(pl, "organizations"), i, o) if (
        strcmp(jsonx_str(o, "org_code"), code) == 0) return o;
    fail_msg("no organization %s in the sandbox's info", code);
    return NULL;
}

/* Attendees of the organization's state, by event code: {code: count}. */
static json_t *attendees_by_event(const char *base, const char *token, const char *org)
{
    char path[128];
    snprintf(path, sizeof path, "/_sandbox/state%s%s", org ? "?org=" : "", org ? org : "");
    json_t *st = admin_get(base, token, path);
    json_t *out = json_object();
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(st, "events"), i, ev)
        json_object_set_new(out, jsonx_str(ev, "code"),
                            json_integer((json_int_t)json_array_size(json_object_get(ev, "attendees"))));
    json_decref(st);
    return out;
}

/* Other organizations on the PheedLoop port: each its own key, secret, events and seeded
 * attendees; a key opens its own organization only; the first organization and its events
 * are as they always were. */
static void several_organizations(void **state)
{
    static const char *const evb[] = {"EVB1", "EVB2", NULL};
    static const char *const *const events[] = {evb, NULL};
    sbx_pl_emu_options orgs[] = {{.org_code = "ORGB"}, {.org_code = "ORGC"}};
    sbx_options o = {.seed = 11, .seed_data = true, .people = 120, .pheedloop_orgs = orgs,
                     .pheedloop_org_events = events, .n_pheedloop_orgs = 2};
    sbx_fault_config_defaults(&o.faults);
    sbx_sandbox *s = NULL;
    err e = {0};
    assert_int_equal(sbx_sandbox_start(&s, &o, &e), 0);
    json_t *info = sbx_sandbox_info(s);
    const char *token = jsonx_str(info, "admin_token");
    const json_t *pl = json_object_get(info, "pheedloop");
    const char *base = jsonx_str(pl, "base_url");
    assert_int_equal(json_array_size(json_object_get(pl, "organizations")), 3);
    assert_string_equal(jsonx_str(pl, "org_code"), "ORGSANDBOX"); /* the first, as before */
    const json_t *a = org_info(pl, "ORGSANDBOX"), *b = org_info(pl, "ORGB"),
                 *c = org_info(pl, "ORGC");
    assert_string_not_equal(jsonx_str(a, "api_key"), jsonx_str(b, "api_key"));
    assert_string_not_equal(jsonx_str(b, "api_secret"), jsonx_str(c, "api_secret"));
    assert_string_equal(jsonx_str(json_array_get(json_object_get(c, "events"), 0), "code"),
                        "ORGCEV1");

    /* Each key opens its own organization; another's answers 404, an unknown one 401. */
    assert_int_equal(pl_get(pl, a, "ORGSANDBOX", "validateauth/"), 200);
    assert_int_equal(pl_get(pl, b, "ORGB", "validateauth/"), 200);
    assert_int_equal(pl_get(pl, b, "ORGB", "events/EVB2/attendees/"), 200);
    assert_int_equal(pl_get(pl, b, "ORGSANDBOX", "validateauth/"), 404);
    assert_int_equal(pl_get(pl, a, "ORGB", "events/EVB1/attendees/"), 404);
    assert_int_equal(pl_get(pl, b, "ORGB", "events/EVESANDBOX1/attendees/"), 404);
    json_t *wrong = json_pack("{ss ss}", "api_key", "nope", "api_secret", "nope");
    assert_int_equal(pl_get(pl, wrong, "ORGB", "validateauth/"), 401);
    json_decref(wrong);

    /* The seeded attendees are spread over every organization's events, each in its own. */
    json_t *in_a = attendees_by_event(base, token, NULL);
    json_t *in_b = attendees_by_event(base, token, "ORGB");
    json_t *in_c = attendees_by_event(base, token, "ORGC");
    assert_int_equal(json_object_size(in_a), 2);
    assert_true(jsonx_int(in_a, "EVESANDBOX1", 0) > 0);
    assert_int_equal(json_object_size(in_b), 2);
    assert_true(jsonx_int(in_b, "EVB1", 0) + jsonx_int(in_b, "EVB2", 0) > 0);
    assert_int_equal(json_object_size(in_c), 1);
    assert_true(jsonx_int(in_c, "ORGCEV1", 0) > 0);
    json_decref(in_a);
    json_decref(in_b);
    json_decref(in_c);

    /* Dashboard routes find the organization by its event, or by ?org=. */
    const char *reg = "{\"first_name\": \"Ola\", \"last_name\": \"B\", \"email\": "
                      "\"ola@example.com\"}";
    assert_int_equal(admin_call(base, token, "POST", "/_sandbox/ui/events/EVB1/register", reg, NULL),
                     201);
    assert_int_equal(
        admin_call(base, token, "POST", "/_sandbox/ui/events/EVB1/register?org=ORGSANDBOX", reg,
                   NULL),
        404);
    assert_int_equal(admin_call(base, token, "GET", "/_sandbox/state?org=NOPE", NULL, NULL), 404);
    json_decref(info);
    sbx_sandbox_free(s);
}

/* POST /_sandbox/organizations adds one while serving; bad bodies are refused clearly. */
static void organization_added_while_serving(void **state)
{
    sbx_options o = {.seed = 3};
    sbx_fault_config_defaults(&o.faults);
    sbx_sandbox *s = NULL;
    err e = {0};
    assert_int_equal(sbx_sandbox_start(&s, &o, &e), 0);
    json_t *info = sbx_sandbox_info(s);
    const char *token = jsonx_str(info, "admin_token");
    const json_t *pl = json_object_get(info, "pheedloop");
    const char *base = jsonx_str(pl, "base_url");
    assert_int_equal(json_array_size(json_object_get(pl, "organizations")), 1);
    json_t *org = NULL;
    assert_int_equal(admin_call(base, token, "POST", "/_sandbox/organizations",
                                "{\"org_code\": \"ORGNEW\", \"api_key\": \"k-new\", "
                                "\"events\": [{\"code\": \"EVN1\"}]}",
                                &org),
                     201);
    assert_string_equal(jsonx_str(org, "api_key"), "k-new");
    assert_true(strlen(jsonx_str(org, "api_secret")) > 20);
    assert_string_equal(jsonx_str(json_array_get(json_object_get(org, "events"), 0), "code"),
                        "EVN1");
    assert_int_equal(pl_get(pl, org, "ORGNEW", "events/EVN1/attendees/"), 200);
    json_t *err_body = NULL;
    assert_int_equal(admin_call(base, token, "POST", "/_sandbox/organizations",
                                "{\"org_code\": \"ORGNEW\"}", &err_body),
                     409);
    assert_non_null(strstr(jsonx_str(err_body, "detail"), "ORGNEW"));
    json_decref(err_body);
    assert_int_equal(admin_call(base, token, "POST", "/_sandbox/organizations", "{}", NULL), 400);
    json_decref(org);
    json_decref(info);
    sbx_sandbox_free(s);
}

typedef struct child {
    pid_t pid;
    int out; /* its stdout */
} child;

static void spawn_sandbox(child *c, char *const argv[])
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    assert_int_equal(posix_spawn(&c->pid, argv[0], &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    c->out = fds[0];
}

/* Reads the first line the child prints, waiting at most timeout_ms. */
static char *read_line(int fd, int timeout_ms)
{
    buf b;
    buf_init(&b, 1 << 20);
    int waited = 0;
    fcntl(fd, F_SETFL, O_NONBLOCK);
    while (waited < timeout_ms) {
        char ch;
        ssize_t n = read(fd, &ch, 1);
        if (n == 1) {
            if (ch == '\n')
                break;
            buf_addc(&b, ch);
            continue;
        }
        if (n == 0)
            break;
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
        waited += 10;
    }
    return buf_take(&b);
}

static int wait_exit(pid_t pid, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 10) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

/* The command a user runs: free ports, details as JSON, both APIs answer with the printed
 * credentials, SIGTERM stops it cleanly. */
static void command_runs_and_stops(void **state)
{
    const char *bin = getenv("PHEEDSYNC_BIN");
    assert_non_null(bin);
    char exe[512];
    snprintf(exe, sizeof exe, "%s", bin);
    char a0[] = "sandbox", a1[] = "--ghl-port", a2[] = "0", a3[] = "--pheedloop-port", a4[] = "0",
         a5[] = "--json", a6[] = "--people", a7[] = "20", a8[] = "--seed", a9[] = "5";
    char *argv[] = {exe, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, NULL};
    child c;
    spawn_sandbox(&c, argv);
    char *line = read_line(c.out, 20000);
    json_t *info = NULL;
    err e = {0};
    assert_int_equal(jsonx_parse(&info, line, strlen(line), "sandbox --json", &e), 0);
    const json_t *ghl = json_object_get(info, "highlevel");
    const json_t *pl = json_object_get(info, "pheedloop");

    char url[512], auth[256], key[160], secret[200];
    snprintf(url, sizeof url, "%s/contacts/?locationId=%s&limit=5", jsonx_str(ghl, "base_url"),
             jsonx_str(ghl, "location_id"));
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", jsonx_str(ghl, "pit"));
    const char *gh[] = {auth, "Version: 2021-07-28", NULL};
    th_response *r = th_request("GET", url, gh, NULL, 10000);
    assert_int_equal(r->status, 200);
    assert_true(json_array_size(json_object_get(r->json, "contacts")) > 0);
    th_response_free(r);

    snprintf(url, sizeof url, "%s%svalidateauth/", jsonx_str(pl, "base_url"),
             jsonx_str(pl, "base_path"));
    snprintf(key, sizeof key, "X-API-KEY: %s", jsonx_str(pl, "api_key"));
    snprintf(secret, sizeof secret, "X-API-SECRET: %s", jsonx_str(pl, "api_secret"));
    const char *ph[] = {key, secret, NULL};
    r = th_request("GET", url, ph, NULL, 10000);
    assert_int_equal(r->status, 200);
    th_response_free(r);

    kill(c.pid, SIGTERM);
    assert_int_equal(wait_exit(c.pid, 20000), 0);
    close(c.out);
    json_decref(info);
    free(line);
}

/* A bad flag is a usage error (exit 2) that names the flag. */
static void command_rejects_bad_flags(void **state)
{
    const char *bin = getenv("PHEEDSYNC_BIN");
    char exe[512];
    snprintf(exe, sizeof exe, "%s", bin);
    char a0[] = "sandbox", a1[] = "--ghl-port", a2[] = "99999";
    char *argv[] = {exe, a0, a1, a2, NULL};
    child c;
    spawn_sandbox(&c, argv);
    assert_int_equal(wait_exit(c.pid, 20000), 2);
    close(c.out);
    char b0[] = "sandbox", b1[] = "--faults", b2[] = "p_5xx=2";
    char *argv2[] = {exe, b0, b1, b2, NULL};
    spawn_sandbox(&c, argv2);
    assert_int_equal(wait_exit(c.pid, 20000), 2);
    close(c.out);
    /* --pheedloop-org: a code that is not one, or the first organization's again. */
    static const char *const bad[] = {"bad code", "ORGB:EV 1", "ORGSANDBOX", ""};
    for (size_t i = 0; i < PS_ARRAY_LEN(bad); i++) {
        char c0[] = "sandbox", c1[] = "--pheedloop-org", c2[64];
        snprintf(c2, sizeof c2, "%s", bad[i]);
        char *argv3[] = {exe, c0, c1, c2, NULL};
        spawn_sandbox(&c, argv3);
        if (wait_exit(c.pid, 20000) != 2)
            fail_msg("--pheedloop-org '%s' was not refused with exit 2", bad[i]);
        close(c.out);
    }
}

/* `pheedsync sandbox --pheedloop-org ORGB:EVB1`: the JSON lists the organization, whose key
 * opens its event. */
static void command_serves_other_organizations(void **state)
{
    const char *bin = getenv("PHEEDSYNC_BIN");
    char exe[512];
    snprintf(exe, sizeof exe, "%s", bin);
    char a0[] = "sandbox", a1[] = "--ghl-port", a2[] = "0", a3[] = "--pheedloop-port", a4[] = "0",
         a5[] = "--json", a6[] = "--people", a7[] = "0", a8[] = "--pheedloop-org",
         a9[] = "ORGB:EVB1";
    char *argv[] = {exe, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, NULL};
    child c;
    spawn_sandbox(&c, argv);
    char *line = read_line(c.out, 20000);
    json_t *info = NULL;
    err e = {0};
    assert_int_equal(jsonx_parse(&info, line, strlen(line), "sandbox --json", &e), 0);
    const json_t *pl = json_object_get(info, "pheedloop");
    const json_t *b = org_info(pl, "ORGB");
    assert_int_equal(pl_get(pl, b, "ORGB", "events/EVB1/attendees/"), 200);
    kill(c.pid, SIGTERM);
    assert_int_equal(wait_exit(c.pid, 20000), 0);
    close(c.out);
    json_decref(info);
    free(line);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seeded_people_overlap),
        cmocka_unit_test(command_runs_and_stops),
        cmocka_unit_test(command_rejects_bad_flags),
        cmocka_unit_test(several_organizations),
        cmocka_unit_test(organization_added_while_serving),
        cmocka_unit_test(command_serves_other_organizations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
