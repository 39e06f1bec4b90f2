/* test_ghl_connect.c: `pheedsync connect ghl` as a user runs it: the authorize URL printed, the
 * emulator's approval redirected to the command's loopback listener, the code exchanged and
 * stored; `--code` with a code obtained elsewhere; missing scopes named; `--status`. */
#include "tests/ghl/ghl_env.h"
#include "crypto/codec.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int setup(void **state)
{
    genv *g = genv_start(NULL, NULL);
    ghl_tokens_free(g->tokens); /* the command stores its own grant in a fresh store */
    g->tokens = NULL;
    snprintf(g->store_url, sizeof g->store_url, "sqlite:%s/cli.db", g->dir);
    *state = g;
    return 0;
}

static int teardown(void **state)
{
    genv_stop(*state);
    return 0;
}

static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void write_config(genv *g, const char *path, uint16_t port)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "[store]\nurl = %s\n\n[ghl]\nbase_url = %s\nauthorize_url = %s\nclient_id = %s\n"
            "client_secret = %s\nlocation_id = %s\nredirect_uri = "
            "http://127.0.0.1:%u/oauth/callback\n",
            g->store_url, g->base, g->base, jsonx_str(g->info, "client_id"),
            jsonx_str(g->info, "client_secret"), g->location, (unsigned)port);
    fclose(f);
}

/* Runs pheedsync with args; its standard output comes back through *out_fd. */
static pid_t run(char **args, int *out_fd)
{
    char *bin = getenv("PHEEDSYNC_BIN");
    assert_non_null(bin);
    char *argv[16] = {bin};
    for (size_t i = 0; args[i] && i < 14; i++)
        argv[i + 1] = args[i];
    static char keyvar[128];
    unsigned char raw[CRYPTO_SEAL_KEY_LEN] = {1, 2, 3};
    buf kv;
    buf_init(&kv, 128);
    buf_addstr(&kv, "PHEEDSYNC_SEAL_KEY=");
    crypto_b64_encode(&kv, raw, sizeof raw);
    snprintf(keyvar, sizeof keyvar, "%s", buf_cstr(&kv));
    buf_free(&kv);
    char *envp[] = {keyvar, NULL};
    int p[2];
    assert_int_equal(pipe(p), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    pid_t pid = 0;
    assert_int_equal(posix_spawn(&pid, bin, &fa, NULL, argv, envp), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    *out_fd = p[0];
    return pid;
}

/* Reads fd until EOF or until a line holding needle came; returns everything read. */
static char *read_until(int fd, const char *needle)
{
    buf b;
    buf_init(&b, 1 << 16);
    char chunk[512];
    ssize_t n;
    while ((!needle || !strstr(buf_cstr(&b), needle)) && (n = read(fd, chunk, sizeof chunk)) > 0)
        buf_add(&b, chunk, (size_t)n);
    return buf_take(&b);
}

static int finish(pid_t pid)
{
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void browser_flow(void **state)
{
    genv *g = *state;
    char conf[256];
    snprintf(conf, sizeof conf, "%s/pheedsync.conf", g->dir);
    write_config(g, conf, free_port());
    int fd = -1;
    char *args[] = {"connect", "ghl", "--config", conf, "--no-browser", "--timeout", "30", NULL};
    pid_t pid = run(args, &fd);
    char *out = read_until(fd, "Waiting");
    char *url = strstr(out, "http://");
    assert_non_null(url);
    url[strcspn(url, " \n")] = '\0';
    assert_non_null(strstr(url, "/v2/oauth/chooselocation?response_type=code&"));
    th_response *r = th_request("GET", url, NULL, NULL, 10000);
    assert_int_equal(r->status, 302);
    const char *loc = th_header(r, "location");
    assert_non_null(loc);
    char *back = strdup(loc);
    back[strcspn(back, "\r\n")] = '\0';
    th_response_free(r);
    r = th_request("GET", back, NULL, NULL, 10000);
    assert_int_equal(r->status, 200);
    th_response_free(r);
    free(back);
    char *rest = read_until(fd, NULL);
    close(fd);
    assert_int_equal(finish(pid), 0);
    assert_non_null(strstr(rest, "connected: "));
    assert_null(strstr(rest, "missing scopes"));
    free(rest);
    free(out);

    char *st_args[] = {"connect", "ghl", "--config", conf, "--status", NULL};
    pid = run(st_args, &fd);
    out = read_until(fd, NULL);
    close(fd);
    assert_int_equal(finish(pid), 0);
    assert_non_null(strstr(out, "\"state\": \"ok\""));
    assert_null(strstr(out, "access_token")); /* no secrets shown */
    free(out);
}

static void code_flag_and_missing_scopes(void **state)
{
    genv *g = *state;
    char conf[256];
    snprintf(conf, sizeof conf, "%s/pheedsync.conf", g->dir);
    write_config(g, conf, free_port());
    json_t *j =
        genv_admin(g, "POST", "/_sandbox/oauth/code", "{\"scopes\": \"contacts.readonly\"}");
    char code[128];
    snprintf(code, sizeof code, "%s", jsonx_str(j, "code"));
    json_decref(j);
    int fd = -1;
    char *args[] = {"connect", "ghl", "--config", conf, "--code", code, NULL};
    pid_t pid = run(args, &fd);
    char *out = read_until(fd, NULL);
    close(fd);
    assert_int_equal(finish(pid), 1); /* connected, but not ready */
    assert_non_null(strstr(out, "missing scopes the flows need: contacts.write "
                                "locations/customFields.readonly"));
    free(out);
    /* A code works once. */
    pid = run(args, &fd);
    out = read_until(fd, NULL);
    close(fd);
    assert_int_equal(finish(pid), 3);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(browser_flow, setup, teardown),
        cmocka_unit_test_setup_teardown(code_flag_and_missing_scopes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
