/* app_fixture.c: the sandbox in-process and the pheedsync binary run in a temporary directory. */
#include "tests/app/app_fixture.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int afx_setup(void **state)
{
    afx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    sbx_options o = {.seed = 7, .seed_data = false, .admin_token = AFX_TOKEN};
    sbx_fault_config_defaults(&o.faults);
    o.pheedloop = (sbx_pl_emu_options){AFX_ORG, AFX_KEY, AFX_SECRET};
    err e = {0};
    if (sbx_sandbox_start(&f->sbx, &o, &e) != 0)
        fail_msg("sandbox: %s", e.msg);
    sbx_pl_emu *pl = sbx_sandbox_pheedloop(f->sbx);
    assert_int_equal(sbx_pl_emu_seed_event(pl, AFX_EVENT, "App Summit", "2027-03-18", &e), 0);
    assert_int_equal(sbx_pl_emu_seed_event(pl, AFX_EVENT2, "App Expo", "2027-05-02", &e), 0);
    json_t *all = sbx_sandbox_info(f->sbx);
    f->ghl = json_incref(json_object_get(all, "highlevel"));
    json_decref(all);
    snprintf(f->ghl_base, sizeof f->ghl_base, "%s", jsonx_str(f->ghl, "base_url"));
    snprintf(f->location, sizeof f->location, "%s", jsonx_str(f->ghl, "location_id"));
    snprintf(f->pit, sizeof f->pit, "%s", jsonx_str(f->ghl, "pit"));
    snprintf(f->pl_base, sizeof f->pl_base, "http://127.0.0.1:%u",
             (unsigned)sbx_sandbox_pheedloop_port(f->sbx));
    snprintf(f->dir, sizeof f->dir, "/tmp/pheedsync-app-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->conf, sizeof f->conf, "%s/pheedsync.conf", f->dir);
    *state = f;
    return 0;
}

int afx_teardown(void **state)
{
    afx *f = *state;
    sbx_sandbox_free(f->sbx);
    json_decref(f->ghl);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    free(f);
    return 0;
}

void afx_write_file(afx *f, const char *name, const char *text, char *path, size_t n)
{
    snprintf(path, n, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

void afx_write_conf(afx *f, const afx_conf *c)
{
    buf t;
    buf_init(&t, 1 << 14);
    buf_addf(&t,
             "# written by the test\n[store]\nurl = sqlite:%s/state.db\n\n[ghl]\nbase_url = %s\n"
             "location_id = %s\n",
             f->dir, f->ghl_base, f->location);
    if (c->oauth)
        buf_addf(&t, "client_id = %s\nclient_secret = %s\n", jsonx_str(f->ghl, "client_id"),
                 jsonx_str(f->ghl, "client_secret"));
    else
        buf_addf(&t, "auth = token\ntoken = %s\n", f->pit);
    buf_addf(&t, "\n[pheedloop]\nbase_url = %s\nevents = %s\n", f->pl_base,
             c->events ? c->events : AFX_EVENT);
    if (!c->pl_secret || *c->pl_secret)
        buf_addf(&t, "org_code = %s\napi_key = %s\napi_secret = %s\n", AFX_ORG, AFX_KEY,
                 c->pl_secret ? c->pl_secret : AFX_SECRET);
    if (c->extra)
        buf_addstr(&t, c->extra);
    char path[256];
    afx_write_file(f, "pheedsync.conf", buf_cstr(&t), path, sizeof path);
    buf_free(&t);
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    buf b;
    buf_init(&b, 1 << 22);
    char chunk[4096];
    size_t n;
    while (fp && (n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_add(&b, chunk, n);
    if (fp)
        fclose(fp);
    return buf_take(&b);
}

/* The child's environment: the seal key, the sanitizers' options, and the test's extras. */
static void child_env(const char **envp, size_t cap, const char *const *extra)
{
    size_t n = 0;
    envp[n++] = "PHEEDSYNC_SEAL_KEY=" AFX_SEAL_KEY;
    for (char **p = environ; *p && n + 1 < cap; p++)
        if (!strncmp(*p, "ASAN_OPTIONS=", 13) || !strncmp(*p, "UBSAN_OPTIONS=", 14) ||
            !strncmp(*p, "LSAN_OPTIONS=", 13))
            envp[n++] = *p;
    for (size_t i = 0; extra && extra[i] && n + 1 < cap; i++)
        envp[n++] = extra[i];
    envp[n] = NULL;
}

afx_run afx_exec(afx *f, const char *const *args, const char *const *env)
{
    const char *bin = getenv("PHEEDSYNC_BIN");
    assert_non_null(bin);
    const char *argv[32] = {bin};
    for (size_t i = 0; args[i] && i < 30; i++)
        argv[i + 1] = args[i];
    const char *envp[32];
    child_env(envp, PS_ARRAY_LEN(envp), env);
    char out_path[256], err_path[256];
    snprintf(out_path, sizeof out_path, "%s/.stdout", f->dir);
    snprintf(err_path, sizeof err_path, "%s/.stderr", f->dir);
    int out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(out_fd >= 0 && err_fd >= 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Only async-signal-safe calls here: the parent has threads. */
        if (chdir(f->dir) != 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
            _exit(127);
        execve(bin, (char *const *)(uintptr_t)argv, (char *const *)(uintptr_t)envp);
        _exit(127);
    }
    close(out_fd);
    close(err_fd);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    afx_run r = {.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1};
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    if (r.code == -1 || r.code == 127)
        fprintf(stderr, "pheedsync %s ended abnormally:\n%s\n", args[0], r.err);
    return r;
}

void afx_run_free(afx_run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

json_t *afx_ghl_admin(afx *f, const char *method, const char *path, const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", f->ghl_base, path);
    const char *headers[] = {"X-Sandbox-Token: " AFX_TOKEN, "Content-Type: application/json", NULL};
    th_response *r = th_request(method, url, headers, body, 10000);
    if (r->status < 200 || r->status > 299)
        fail_msg("admin %s %s: %ld %s", method, path, r->status, r->body);
    json_t *j = json_incref(r->json);
    th_response_free(r);
    return j;
}

int afx_connect_oauth(afx *f, const char *scopes)
{
    char body[512];
    snprintf(body, sizeof body, "{\"scopes\": \"%s\"}", scopes);
    json_t *j = afx_ghl_admin(f, "POST", "/_sandbox/oauth/code", body);
    char code[256];
    snprintf(code, sizeof code, "%s", jsonx_str(j, "code"));
    json_decref(j);
    const char *args[] = {"connect", "ghl", "--config", f->conf, "--code", code, NULL};
    afx_run r = afx_exec(f, args, NULL);
    int rc = r.code;
    afx_run_free(&r);
    return rc;
}
