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
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seeded_people_overlap),
        cmocka_unit_test(command_runs_and_stops),
        cmocka_unit_test(command_rejects_bad_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
