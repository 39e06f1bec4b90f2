/* test_status_page.c: the status page in a real browser. The sandbox runs in this process; a
 * dead letter, a held delete and some audit entries are put in the store; `pheedsync run` serves
 * the page; then `node tests/browser/status_page.mjs` drives headless Chromium through it
 * (replay, approve) and saves screenshots under the build directory's test-artifacts/. The store
 * is checked afterwards: the dead letter is back in the outbox, the delete approved. The same
 * again with a second link ("two": its own location, organization and event): the page shows
 * both links, which it does not with one. */
#include "store/store.h"
#include "tests/ops/page_fixture.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <libgen.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TOKEN "browser-test-admin-token"
#define LOC2 "LOCATIONTWO0000000002"
#define ORGB "ORGB"
#define KEYB "orgb-key-0123"
#define SECRETB "orgb-secret-4567"
#define EVB "EVEB1"
#define CHROMIUM "/usr/bin/chromium"

extern char **environ;

/* What the browser test needs, or a message naming the script that installs it. */
static void require_tools(const char *src)
{
    char path[512];
    if (access(CHROMIUM, X_OK) != 0)
        fail_msg("%s is missing: run scripts/deps.sh (it installs Debian's chromium)", CHROMIUM);
    snprintf(path, sizeof path, "%s/tests/browser/node_modules/playwright-core/package.json", src);
    if (access(path, R_OK) != 0)
        fail_msg("playwright-core is missing: run scripts/node-deps.sh");
    if (system("node --version > /dev/null 2>&1") != 0)
        fail_msg("node is missing: run scripts/deps.sh");
}

typedef struct seeded {
    int64_t dead_id, held_id;
} seeded;

static void seed_store(afx *f, seeded *out)
{
    char url[256];
    snprintf(url, sizeof url, "sqlite:%s/state.db", f->dir);
    store *s = NULL;
    err e = {0};
    if (store_open(&s, url, NULL, &e) != 0)
        fail_msg("store: %s", e.msg);
    store_op_new op = {.service = "ghl",
                       .account = f->location,
                       .kind = "ghl.upsert_contact",
                       .record_key = "pl:ORGAPP:EVEAPP1:ATT1001",
                       .payload = "{\"email\": \"not-an-address\"}",
                       .idem_key = "browser-upsert-1"};
    assert_int_equal(store_outbox_enqueue(&out->dead_id, NULL, s, &op, NULL), 0);
    store_ops ops = {0};
    assert_int_equal(store_outbox_claim(&ops, s, "browser-test", 60000, NULL, 1, NULL), 0);
    assert_int_equal(ops.n, 1);
    assert_int_equal(store_outbox_dead(s, &ops.v[0], "http_400",
                                       "email: must be a valid email address", NULL, NULL),
                     0);
    store_ops_free(&ops);
    store_held_new h = {.batch = "reconcile-7",
                        .side = "pheedloop",
                        .record_key = "pl:ORGAPP:EVEAPP1:ATT1002",
                        .reason = "contact deleted in HighLevel",
                        .payload = "{}"};
    assert_int_equal(store_held_create(&out->held_id, NULL, s, &h, NULL), 0);
    const char *people[][3] = {
        {"ana@example.com", "pheedloop_to_ghl", "[\"email\", \"phone\"]"},
        {"12", "decision", "[\"companyName\"]"},
        {"bo@example.com", "ghl_to_pheedloop", "[\"tags\"]"},
    };
    for (size_t i = 0; i < PS_ARRAY_LEN(people); i++) {
        store_audit_new a = {.person_key = people[i][0],
                             .direction = people[i][1],
                             .fields = people[i][2],
                             .reason = i == 1 ? "both changed; owner=newest" : "sync"};
        assert_int_equal(store_audit_append(NULL, s, &a, NULL), 0);
    }
    store_close(s);
}

typedef struct child {
    pid_t pid;
    int status;
    bool done;
} child;

static bool child_done(void *ctx)
{
    child *c = ctx;
    c->done = c->done || waitpid(c->pid, &c->status, WNOHANG) == c->pid;
    return c->done;
}

/* Runs the node script (its output is this test's) and returns its exit status. links: the
 * links the page must show ("default,two"), or "" for a configuration of one link. */
static int run_browser(const char *src, const char *base, const seeded *sd, const char *out_dir,
                       const char *links)
{
    char script[512], dead[32], held[32];
    snprintf(script, sizeof script, "%s/tests/browser/status_page.mjs", src);
    snprintf(dead, sizeof dead, "%lld", (long long)sd->dead_id);
    snprintf(held, sizeof held, "%lld", (long long)sd->held_id);
    const char *argv[] = {"node", script, base, TOKEN, dead, held, out_dir, links, NULL};
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execvp("node", (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    child c = {.pid = pid};
    if (!th_wait_until(child_done, &c, 120000)) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        fail_msg("the browser test took over 120 s");
    }
    return WIFEXITED(c.status) ? WEXITSTATUS(c.status) : 128 + WTERMSIG(c.status);
}

static void check_store(afx *f, const seeded *sd)
{
    char url[256];
    snprintf(url, sizeof url, "sqlite:%s/state.db", f->dir);
    store *s = NULL;
    assert_int_equal(store_open(&s, url, NULL, NULL), 0);
    store_counts c;
    assert_int_equal(store_count(&c, s, NULL), 0);
    assert_int_equal(c.dead_letters, 0);
    assert_int_equal(c.outbox_pending, 1); /* replayed: back in the queue (--capture-only) */
    assert_int_equal(c.held_pending, 0);
    store_helds all = {0};
    assert_int_equal(store_held_list(&all, s, -1, 0, 10, NULL), 0);
    assert_int_equal(all.n, 1);
    assert_int_equal(all.v[0].id, sd->held_id);
    assert_int_equal(all.v[0].state, STORE_HELD_APPROVED);
    store_helds_free(&all);
    store_close(s);
}

/* A second location (its own token) with a second organization and event, as link "two". */
static void add_link_two(afx *f, char *conf, size_t n)
{
    json_t *loc = afx_ghl_admin(f, "POST", "/_sandbox/locations",
                                "{\"id\": \"" LOC2 "\", \"name\": \"Second\"}");
    sbx_pl_emu_options o = {.org_code = ORGB, .api_key = KEYB, .api_secret = SECRETB};
    sbx_pl_emu *orgb = NULL;
    err e = {0};
    assert_int_equal(sbx_pl_emu_add_org(&orgb, sbx_sandbox_pheedloop(f->sbx), &o, &e), 0);
    assert_int_equal(sbx_pl_emu_seed_event(orgb, EVB, "B's event", "2027-05-01", &e), 0);
    snprintf(conf, n,
             "\n[link \"two\"]\nlocation_id = " LOC2 "\ntoken = %s\norg_code = " ORGB
             "\nevents = " EVB "\napi_key = " KEYB "\napi_secret = " SECRETB "\n",
             jsonx_str(loc, "pit"));
    json_decref(loc);
}

/* The page over `pheedsync run` on this configuration: with two links when two is set. */
static void page_in_chromium(afx *f, bool two)
{
    const char *src = getenv("PHEEDSYNC_SOURCE_ROOT");
    const char *bin = getenv("PHEEDSYNC_BIN");
    assert_non_null(src);
    assert_non_null(bin);
    require_tools(src);

    uint16_t port = pfx_free_port();
    char link[1024] = "", extra[1600];
    if (two)
        add_link_two(f, link, sizeof link);
    snprintf(extra, sizeof extra,
             "\n[server]\nlisten = 127.0.0.1:%u\nadmin_token = %s\n[log]\nlevel = info\n%s",
             (unsigned)port, TOKEN, link);
    afx_write_conf(f, &(afx_conf){.extra = extra});
    seeded sd = {0};
    seed_store(f, &sd);

    char key[600];
    snprintf(key, sizeof key, "PHEEDSYNC_GHL_WEBHOOK_PUBLIC_KEY=%s",
             jsonx_str(f->ghl, "webhook_public_key_b64"));
    const char *env[] = {key, NULL};
    const char *args[] = {"--capture-only", NULL};
    pfx_daemon d = {0};
    pfx_daemon_start(&d, f, port, args, env);

    char build[512], out_dir[600];
    snprintf(build, sizeof build, "%s", bin);
    snprintf(out_dir, sizeof out_dir, "%s/test-artifacts%s", dirname(build), two ? "/links" : "");
    int rc = run_browser(src, d.base, &sd, out_dir, two ? "default,two" : "");
    if (rc != 0) {
        pfx_daemon_show_log(&d);
        fail_msg("the browser test failed (exit %d): its output and the daemon's log are above",
                 rc);
    }
    assert_int_equal(pfx_daemon_stop(&d), 0);
    check_store(f, &sd);
    printf("screenshot: %s/status_page.png\n", out_dir);
}

static void test_status_page_in_chromium(void **state)
{
    page_in_chromium(*state, false);
}

static void test_links_in_chromium(void **state)
{
    page_in_chromium(*state, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_status_page_in_chromium, afx_setup, afx_teardown),
        cmocka_unit_test_setup_teardown(test_links_in_chromium, afx_setup, afx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
