/* demo_setup.c: what the demo stands on: its state directory, the sandbox, a configuration
 * written for it, the OAuth connection to HighLevel and the webhooks of both sides. */
#include "demo/demo_int.h"
#include "cli/commands.h"
#include "cli/connect_ghl.h"
#include "engine/capture.h"
#include "ghl/ghl_oauth.h"
#include "util/jsonx.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* The first line of the configuration the demo writes: a file without it is not the demo's. */
#define CONF_MARK "# pheedsync demo:"

/* bytes random bytes as hex into out (2 * bytes + 1 chars). */
static int random_hex(char *out, size_t bytes, err *e)
{
    unsigned char r[32];
    bytes = PS_MIN(bytes, sizeof r);
    if (RAND_bytes(r, (int)bytes) != 1)
        return err_set(e, ERR_CRYPTO, "cannot draw random bytes");
    for (size_t i = 0; i < bytes; i++)
        snprintf(out + 2 * i, 3, "%02x", r[i]);
    return 0;
}

/* ---------------------------------------------------------------- directory and port */

static bool written_by_demo(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT;
    char line[64] = "";
    bool ours = fgets(line, sizeof line, f) && !strncmp(line, CONF_MARK, strlen(CONF_MARK));
    fclose(f);
    return ours;
}

/* Binds a probe to 127.0.0.1:want (0: any free port) to learn a port the daemon can take. */
static int probe_port(uint16_t *out, uint16_t want)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(want)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int rc = bind(fd, (struct sockaddr *)&a, sizeof a);
    if (rc == 0)
        rc = getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    if (rc == 0)
        *out = ntohs(a.sin_port);
    return rc;
}

static int pick_port(demo *d, err *e)
{
    int want = d->opt.port;
    if (want < 0 && probe_port(&d->port, DEMO_DEFAULT_PORT) == 0)
        return 0;
    if (probe_port(&d->port, (uint16_t)(want > 0 ? want : 0)) == 0)
        return 0;
    return err_set(e, ERR_IO, "port %d on 127.0.0.1 is taken (choose another with --port, or 0)",
                   want);
}

int demo_prepare(demo *d, err *e)
{
    const char *dir = d->opt.dir ? d->opt.dir : DEMO_DEFAULT_DIR;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return err_set(e, ERR_IO, "cannot create %s: %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set(e, ERR_INVALID, "%s is not a directory", dir);
    /* Absolute, so that the configuration works from any directory. */
    char cwd[PATH_MAX] = "";
    if (dir[0] != '/' && !getcwd(cwd, sizeof cwd))
        return err_set(e, ERR_IO, "cannot read the working directory: %s", strerror(errno));
    int n = snprintf(d->dir, sizeof d->dir, "%s%s%s", cwd, *cwd ? "/" : "",
                     strncmp(dir, "./", 2) == 0 ? dir + 2 : dir);
    if (n < 0 || (size_t)n >= sizeof d->dir)
        return err_set(e, ERR_INVALID, "--dir %s: the path is too long", dir);
    snprintf(d->conf_path, sizeof d->conf_path, "%s/pheedsync.conf", d->dir);
    if (!written_by_demo(d->conf_path))
        return err_set(e, ERR_INVALID,
                       "%s holds a configuration the demo did not write; choose another --dir",
                       d->conf_path);
    /* Each run starts a new sandbox: the state of the last one would name records that are
     * gone. Only the demo's own files are removed. */
    static const char *const stale[] = {"state.db", "state.db-wal", "state.db-shm",
                                        "state.db-journal"};
    for (size_t i = 0; i < PS_ARRAY_LEN(stale); i++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s", d->dir, stale[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            return err_set(e, ERR_IO, "cannot remove %s: %s", path, strerror(errno));
    }
    int rc = random_hex(d->page_token, 16, e);
    return rc ? rc : pick_port(d, e);
}

/* ---------------------------------------------------------------- sandbox */

int demo_start_sandbox(demo *d, err *e)
{
    sbx_options o = {.seed = d->opt.seed, .seed_data = true, .people = d->opt.people};
    sbx_fault_config_defaults(&o.faults);
    int rc = sbx_sandbox_start(&d->sbx, &o, e);
    if (rc != 0)
        return err_wrap(e, "sandbox: ");
    json_t *info = sbx_sandbox_info(d->sbx);
    const json_t *ghl = json_object_get(info, "highlevel");
    const json_t *pl = json_object_get(info, "pheedloop");
    snprintf(d->ghl_base, sizeof d->ghl_base, "%s", jsonx_str(ghl, "base_url"));
    snprintf(d->pl_base, sizeof d->pl_base, "%s", jsonx_str(pl, "base_url"));
    snprintf(d->location, sizeof d->location, "%s", jsonx_str(ghl, "location_id"));
    snprintf(d->org, sizeof d->org, "%s", jsonx_str(pl, "org_code"));
    snprintf(d->sbx_token, sizeof d->sbx_token, "%s", jsonx_str(info, "admin_token"));
    d->events = json_incref(json_object_get(pl, "events"));
    json_decref(info);
    return 0;
}

/* ---------------------------------------------------------------- configuration */

/* A PEM public key as base64 SPKI on one line, as the configuration takes it inline. */
static void pem_to_b64(buf *out, const char *pem)
{
    for (const char *line = pem; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (n && strncmp(line, "-----", 5) != 0)
            buf_add(out, line, n);
        line = end ? end + 1 : NULL;
    }
}

static void config_text(buf *t, demo *d, const json_t *info)
{
    const json_t *ghl = json_object_get(info, "highlevel");
    const json_t *pl = json_object_get(info, "pheedloop");
    buf rsa;
    buf_init(&rsa, 4096);
    pem_to_b64(&rsa, jsonx_str(ghl, "webhook_rsa_public_key"));
    buf_addf(
        t,
        CONF_MARK
        " the sandbox it started, rewritten at every start.\n\n"
        "[store]\nurl = sqlite:%s/state.db\nkey_file = %s/pheedsync.key\n\n"
        "[ghl]\nbase_url = %s\nauth = oauth\nclient_id = %s\nclient_secret = %s\n"
        "location_id = %s\nauthorize_url = %s\nredirect_uri = http://127.0.0.1:%u/oauth/callback\n"
        "webhook_public_key = %s\nwebhook_rsa_public_key = %s\n\n",
        d->dir, d->dir, d->ghl_base, jsonx_str(ghl, "client_id"), jsonx_str(ghl, "client_secret"),
        d->location, d->ghl_base, (unsigned)d->port, jsonx_str(ghl, "webhook_public_key_b64"),
        buf_cstr(&rsa));
    buf_free(&rsa);
    buf_addf(t,
             "[pheedloop]\nbase_url = %s\norg_code = %s\napi_key = %s\napi_secret = %s\nevents = ",
             d->pl_base, d->org, jsonx_str(pl, "api_key"), jsonx_str(pl, "api_secret"));
    size_t i;
    const json_t *ev;
    json_array_foreach(d->events, i, ev) buf_addf(t, "%s%s", i ? ", " : "", jsonx_str(ev, "code"));
    buf_addstr(t, "\nwebhook_secret = ");
    json_array_foreach(d->events, i, ev) buf_addf(
        t, "%s%s=%s", i ? ", " : "", jsonx_str(ev, "code"), jsonx_str(ev, "webhook_secret"));
    /* The sandbox has no PheedLoop limit, and the real service publishes none. */
    buf_addstr(t, "\nrate_limit = 0\n\n");
    buf_addf(
        t,
        "[server]\nlisten = 127.0.0.1:%u\nadmin_token = %s\npublic_url = http://127.0.0.1:%u\n\n"
        "[sync]\npoll_interval = %ds\ncoalesce_ms = 1000\n\n[log]\nlevel = warn\n",
        (unsigned)d->port, d->page_token, (unsigned)d->port, DEMO_POLL_INTERVAL_S);
}

static int write_file(const char *path, const char *text, err *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return err_set(e, ERR_IO, "cannot write %s: %s", path, strerror(errno));
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    int rc = fchmod(fd, 0600) == 0 && done == len ? 0 : -1;
    if (close(fd) != 0 || rc != 0)
        return err_set(e, ERR_IO, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

int demo_write_config(demo *d, err *e)
{
    json_t *info = sbx_sandbox_info(d->sbx);
    buf t;
    buf_init(&t, 1 << 16);
    config_text(&t, d, info);
    json_decref(info);
    int rc = write_file(d->conf_path, buf_cstr(&t), e);
    buf_free(&t);
    if (rc != 0)
        return rc;
    /* The user's PHEEDSYNC_* variables are for their own configuration, not this one. */
    static char *const no_env[] = {NULL};
    rc = ops_api_metrics_init(&d->api, NULL, e);
    if (rc != 0)
        return rc;
    d->hc = (http_client_config){.observe = ops_api_observe, .observe_ctx = &d->api};
    app_options ao = {
        .command = "demo", .config_path = d->conf_path, .envp = no_env, .http_config = &d->hc};
    rc = app_open(&d->app, &ao, e);
    d->app_open = true;
    if (rc == 0)
        rc = app_require(&d->app, APP_STORE | APP_KEY | APP_HTTP | APP_PL, e);
    return rc;
}

/* ---------------------------------------------------------------- admin calls */

int demo_admin(json_t **out, demo *d, bool ghl, const char *method, const char *path, json_t *body,
               err *e)
{
    char url[512], token[128];
    snprintf(url, sizeof url, "%s%s", ghl ? d->ghl_base : d->pl_base, path);
    snprintf(token, sizeof token, "X-Sandbox-Token: %s", d->sbx_token);
    const char *headers[] = {token, "Content-Type: application/json", NULL};
    char *text = body ? jsonx_dumps(body) : NULL;
    json_decref(body);
    http_client_request req = {.method = method,
                               .url = url,
                               .headers = headers,
                               .body = text,
                               .body_len = text ? strlen(text) : 0,
                               .label = "sandbox admin"};
    http_client_response res;
    http_client_response_init(&res);
    int rc = http_client_send(d->app.http, &req, &res, e);
    free(text);
    if (rc == 0 && out && res.body.len)
        rc = jsonx_parse(out, buf_cstr(&res.body), res.body.len, "sandbox answer", e);
    else if (rc != 0)
        err_set(e, rc, "%s %s: HTTP %ld %.200s", method, path, res.status, buf_cstr(&res.body));
    http_client_response_clear(&res);
    return rc;
}

/* ---------------------------------------------------------------- OAuth */

/* The value of name= in the query of url, percent-decoded. */
static bool query_value(char *out, size_t n, const char *url, const char *name)
{
    const char *q = strchr(url, '?');
    size_t nl = strlen(name);
    for (const char *p = q; p && *p; p = strchr(p + 1, '&')) {
        if (strncmp(p + 1, name, nl) != 0 || p[1 + nl] != '=')
            continue;
        size_t k = 0;
        for (const char *s = p + 2 + nl; *s && *s != '&' && k + 1 < n; s++) {
            unsigned v;
            if (*s == '%' && s[1] && s[2] && sscanf(s + 1, "%2x", &v) == 1) {
                out[k++] = (char)v;
                s += 2;
            } else {
                out[k++] = *s == '+' ? ' ' : *s;
            }
        }
        out[k] = '\0';
        return true;
    }
    return false;
}

/* GET the authorize page: the sandbox approves at once and redirects with the code. */
static int authorize(char *code, size_t n, demo *d, err *e)
{
    const config *cfg = d->app.cfg;
    const char *const *scopes = NULL;
    size_t n_scopes = config_list(cfg, "ghl", "scopes", &scopes);
    char state[33];
    int rc = random_hex(state, 16, e);
    buf url;
    buf_init(&url, 16384);
    if (rc == 0)
        rc = ghl_oauth_authorize_url(
            &url, config_str(cfg, "ghl", "authorize_url"), config_str(cfg, "ghl", "client_id"),
            config_str(cfg, "ghl", "redirect_uri"), scopes, n_scopes, state, e);
    http_client_request req = {.method = "GET", .url = buf_cstr(&url), .label = "authorize page"};
    http_client_response res;
    http_client_response_init(&res);
    if (rc == 0)
        http_client_send(d->app.http, &req, &res, NULL);
    const char *loc = http_client_response_header(&res, "location");
    char got_state[64] = "";
    if (rc == 0 && (res.status != 302 || !loc))
        rc = err_set(e, ERR_AUTH, "the authorize page answered HTTP %ld, not a redirect",
                     res.status);
    else if (rc == 0 && (!query_value(code, n, loc, "code") ||
                         !query_value(got_state, sizeof got_state, loc, "state") ||
                         strcmp(got_state, state) != 0))
        rc = err_set(e, ERR_AUTH, "the redirect carries no code or another state: %s", loc);
    http_client_response_clear(&res);
    buf_free(&url);
    return rc;
}

int demo_connect(demo *d, err *e)
{
    char code[256];
    int rc = authorize(code, sizeof code, d, e);
    if (rc != 0)
        return rc;
    /* From here it is `pheedsync connect ghl --code`: the exchange, the sealed tokens, the
     * scope check. */
    char *said = NULL;
    size_t said_len = 0;
    FILE *out = open_memstream(&said, &said_len);
    if (!out)
        return err_set(e, ERR_NOMEM, "out of memory");
    connect_ghl_options co = {.code = code, .timeout_s = 30, .out = out};
    int code_rc = connect_ghl_run(&d->app, &co);
    fclose(out);
    if (code_rc != EXIT_OK)
        rc = err_set(e, ERR_AUTH, "the code exchange failed: %s", said ? said : "");
    free(said);
    return rc;
}

/* ---------------------------------------------------------------- webhooks */

int demo_register_webhooks(demo *d, err *e)
{
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)d->port, CAPTURE_GHL_PATH);
    int rc = demo_admin(NULL, d, true, "PUT", "/_sandbox/settings",
                        json_pack("{s:s}", "webhook_url", url), e);
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)d->port, CAPTURE_PL_PATH);
    if (rc == 0)
        rc = capture_register_pl_hooks(NULL, d->app.pl, d->app.events, url, e);
    return rc;
}

void demo_teardown(demo *d)
{
    daemon_free(d->dmn);
    d->dmn = NULL;
    ghl_webhook_verifier_free(d->ghl_wh);
    pl_webhook_free(d->pl_wh);
    if (d->app_open)
        app_close(&d->app);
    sbx_sandbox_free(d->sbx);
    json_decref(d->events);
    free(d->people);
    memset(d, 0, sizeof *d);
}
