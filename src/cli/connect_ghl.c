/* connect_ghl.c: `pheedsync connect ghl`: the OAuth code flow with a loopback redirect, the
 * code exchange, scope checks, agency location tokens, and the Private Integration Token check. */
#include "cli/commands.h"
#include "cli/connect_ghl.h"
#include "ghl/ghl_client.h"
#include "net/http_server.h"
#include "util/jsonx.h"

#include <errno.h>
#include <openssl/rand.h>
#include <pthread.h>

/* What the redirect brought. */
typedef struct redirect_wait {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    char *code, *state, *error;
} redirect_wait;

static void on_redirect(void *ctx, const http_request *req, http_response *res)
{
    redirect_wait *w = ctx;
    const char *code = http_request_query(req, "code");
    const char *error = http_request_query(req, "error");
    pthread_mutex_lock(&w->mu);
    if (!w->done && (code || error)) {
        w->code = code ? strdup(code) : NULL;
        const char *state = http_request_query(req, "state");
        w->state = state ? strdup(state) : NULL;
        w->error = error ? strdup(error) : NULL;
        w->done = true;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    http_response_text(res, code ? 200 : 400, "text/html; charset=utf-8",
                       code ? "<p>pheedsync is authorized. You can close this window.</p>"
                            : "<p>The authorization did not complete; see the terminal.</p>");
}

/* http://HOST[:PORT]/PATH: the parts needed to listen for the redirect. */
typedef struct loopback_uri {
    char host[128];
    uint16_t port;
    char path[512];
} loopback_uri;

static int parse_redirect(loopback_uri *out, const char *uri, err *e)
{
    const char *p = strncmp(uri, "http://", 7) == 0 ? uri + 7 : NULL;
    if (!p)
        return err_set(e, ERR_CONFIG,
                       "[ghl] redirect_uri '%s': only http:// on loopback can be "
                       "listened on here; use --code",
                       uri);
    size_t hl = strcspn(p, ":/");
    loopback_uri u = {.port = 80};
    snprintf(u.host, sizeof u.host, "%.*s", (int)hl, p);
    p += hl;
    if (*p == ':') {
        char *end = NULL;
        long port = strtol(p + 1, &end, 10);
        if (end == p + 1 || port <= 0 || port > 65535)
            return err_set(e, ERR_CONFIG, "[ghl] redirect_uri '%s': bad port", uri);
        u.port = (uint16_t)port;
        p = end;
    }
    snprintf(u.path, sizeof u.path, "%s", *p == '/' ? p : "/");
    if (strcmp(u.host, "127.0.0.1") != 0 && strcmp(u.host, "localhost") != 0)
        return err_set(e, ERR_CONFIG,
                       "[ghl] redirect_uri '%s': not a loopback address; run "
                       "with --code CODE after approving in a browser",
                       uri);
    *out = u;
    return 0;
}

/* [ghl] redirect_uri, else http://LISTEN/oauth/callback; --port replaces the port. */
static void redirect_uri_of(buf *out, const config *cfg, uint16_t port)
{
    const char *uri = config_str(cfg, "ghl", "redirect_uri");
    loopback_uri u;
    if (uri && *uri) {
        if (port && parse_redirect(&u, uri, NULL) == 0)
            buf_addf(out, "http://%s:%u%s", u.host, (unsigned)port, u.path);
        else
            buf_addstr(out, uri);
        return;
    }
    const char *listen = config_str(cfg, "server", "listen");
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    unsigned p = port ? port : colon ? (unsigned)strtoul(colon + 1, NULL, 10) : 8470;
    buf_addf(out, "http://127.0.0.1:%u/oauth/callback", p);
}

static void random_hex(char *out, size_t bytes)
{
    unsigned char r[32];
    if (bytes > sizeof r)
        bytes = sizeof r;
    RAND_bytes(r, (int)bytes);
    for (size_t i = 0; i < bytes; i++)
        snprintf(out + 2 * i, 3, "%02x", r[i]);
}

static int wait_redirect(char **out_code, const loopback_uri *u, const char *state,
                         int64_t timeout_s, err *e)
{
    redirect_wait w = {.done = false};
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    http_server *srv = NULL;
    http_server_options so = {.bind_addr = "127.0.0.1", .port = u->port};
    int rc = http_server_new(&srv, &so, e);
    if (rc == 0)
        rc = http_server_route(srv, "GET", u->path, "oauth-redirect", on_redirect, &w);
    if (rc == 0)
        rc = http_server_start(srv, e);
    if (rc == 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += timeout_s;
        pthread_mutex_lock(&w.mu);
        while (!w.done && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&w.cv, &w.mu, &until);
        pthread_mutex_unlock(&w.mu);
        /* The handler's answer (the browser's "you can close this window") is written after
         * it returns: give it a moment before the listener goes away. */
        if (w.done) {
            struct timespec linger = {0, 300 * 1000000L};
            nanosleep(&linger, NULL);
        }
        rc = 0;
        if (!w.done)
            rc = err_set(e, ERR_NET, "no redirect came within %lld s", (long long)timeout_s);
        else if (w.error || !w.code)
            rc = err_set(e, ERR_AUTH, "HighLevel answered error=%s", w.error ? w.error : "?");
        else if (!w.state || strcmp(w.state, state) != 0)
            rc = err_set(e, ERR_AUTH, "the redirect's state does not match: ignored");
    }
    http_server_free(srv);
    if (rc == 0) {
        *out_code = w.code;
        w.code = NULL;
    }
    free(w.code);
    free(w.state);
    free(w.error);
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
    return rc;
}

static int get_code(char **out, const config *cfg, const connect_ghl_options *o,
                    const char *redirect, err *e)
{
    loopback_uri u;
    int rc = parse_redirect(&u, redirect, e);
    const char *const *scopes = NULL;
    size_t n = config_list(cfg, "ghl", "scopes", &scopes);
    char state[65] = {0};
    random_hex(state, 16);
    buf url;
    buf_init(&url, 16384);
    if (rc == 0)
        rc = ghl_oauth_authorize_url(&url, config_str(cfg, "ghl", "authorize_url"),
                                     config_str(cfg, "ghl", "client_id"), redirect, scopes, n,
                                     state, e);
    if (rc == 0) {
        fprintf(o->out,
                "Open this page, choose the location and approve pheedsync:\n\n  %s\n\n"
                "Waiting for HighLevel's redirect on %s ...\n",
                buf_cstr(&url), redirect);
        fflush(o->out);
        rc = wait_redirect(out, &u, state, o->timeout_s, e);
    }
    buf_free(&url);
    return rc;
}

/* Says which scopes are missing; returns EXIT_OK or EXIT_CHECK. */
static int report_scopes(FILE *out, const char *granted)
{
    buf missing;
    buf_init(&missing, 4096);
    size_t n = ghl_scopes_missing(&missing, granted);
    fprintf(out, "granted scopes: %s\n", granted && *granted ? granted : "(none reported)");
    if (n)
        fprintf(out,
                "missing scopes the flows need: %s\nAdd them to the app's scopes (and "
                "[ghl] scopes), then run `pheedsync connect ghl` again.\n",
                buf_cstr(&missing));
    buf_free(&missing);
    return n ? EXIT_CHECK : EXIT_OK;
}

static int exchange(ghl_setup *s, const config *cfg, const connect_ghl_options *o, const char *code,
                    const char *redirect, err *e)
{
    ghl_oauth_app app = {s->base_url, config_str(cfg, "ghl", "client_id"),
                         config_str(cfg, "ghl", "client_secret"), s->http};
    ghl_token_answer a = {0};
    int rc = ghl_oauth_exchange_code(&a, &app, code, redirect, o->company ? "Company" : "Location",
                                     NULL, e);
    char *account = NULL;
    if (rc == 0)
        rc = ghl_tokens_save_grant(&account, s->tokens, &a, e);
    if (rc != 0) {
        ghl_token_answer_clear(&a);
        err_wrap(e, "code exchange: ");
        return EXIT_RUNTIME;
    }
    fprintf(o->out, "connected: %s (%s token)\n", account, a.user_type ? a.user_type : "?");
    int code_out = report_scopes(o->out, a.scope);
    const char *loc = o->location ? o->location : s->location_id;
    if (o->company && loc && *loc && a.company_id) {
        rc = ghl_tokens_location_from_company(s->tokens, a.company_id, loc, e);
        if (rc == 0)
            fprintf(o->out, "location token stored for %s\n", loc);
    }
    free(account);
    ghl_token_answer_clear(&a);
    return rc != 0 ? EXIT_RUNTIME : code_out;
}

/* auth = token: one read of the location's custom fields and of contacts shows whether the
 * token works and holds the read scopes (a write would change data, so it is not tried). */
static int check_pit(ghl_setup *s, ghl_client *c, const connect_ghl_options *o, err *e)
{
    const char *loc = o->location ? o->location : s->location_id;
    if (!loc || !*loc)
        return err_set(e, ERR_CONFIG, "[ghl] location_id is needed with auth = token");
    int rc = 0;
    ghl_call call;
    ghl_op op = {.location_id = loc, .call = &call};
    ghl_field_defs defs = {0};
    if (rc == 0)
        rc = ghl_client_list_custom_fields(&defs, c, &op, e);
    ghl_field_defs_clear(&defs);
    ghl_client_iter *it = NULL;
    ghl_client_query q = {.kind = GHL_ITER_SEARCH, .page_size = 1, .max = 1};
    ghl_contact_page page = {0};
    if (rc == 0)
        rc = ghl_client_iter_new(&it, c, &op, &q, e);
    if (rc == 0)
        rc = ghl_client_iter_next(&page, it, e);
    ghl_contact_page_clear(&page);
    ghl_client_iter_free(it);
    if (rc == 0)
        fprintf(o->out,
                "the Private Integration token works for location %s (contacts and custom "
                "fields readable)\n",
                loc);
    else if (call.error.kind == API_ERR_SCOPE)
        fprintf(o->out, "the token lacks a scope the flows need: %s\n", call.error.message);
    return rc;
}

static int show_status(ghl_setup *s, const connect_ghl_options *o, const char *loc, err *e)
{
    json_t *j = NULL;
    int rc = ghl_tokens_describe(&j, s->tokens, loc, e);
    if (rc == 0) {
        char *text = json_dumps(j, JSON_INDENT(2));
        fprintf(o->out, "%s\n", text ? text : "{}");
        free(text);
        json_decref(j);
    }
    return rc;
}

static int refresh_now(ghl_setup *s, const connect_ghl_options *o, const char *loc, err *e)
{
    char *tok = NULL;
    int rc = ghl_tokens_access(&tok, s->tokens, loc, e);
    if (rc == 0)
        rc = ghl_tokens_refresh(s->tokens, loc, tok, e);
    if (tok)
        crypto_secret_free(tok, strlen(tok));
    if (rc == 0)
        fprintf(o->out, "refreshed: %s\n", loc);
    return rc;
}

int connect_ghl_run(app_ctx *a, const connect_ghl_options *o)
{
    err e = {0};
    if (app_require(a, APP_GHL, &e) != 0) {
        app_fail(a, &e);
        return app_exit_code(e.code);
    }
    const config *cfg = a->cfg;
    size_t li = 0;
    if (o->link && app_link_find(&li, a, o->link, &e) != 0) {
        app_fail(a, &e);
        return EXIT_USAGE;
    }
    /* A link signing in with a token of its own has its own manager and client. */
    app_link *l = a->n_links ? &a->links[li] : NULL;
    ghl_setup *s = l && l->own_ghl ? &l->own_setup : &a->ghl_setup;
    ghl_client *client = l && l->ghl ? l->ghl : a->ghl;
    connect_ghl_options lo = *o;
    if (!lo.location && l && o->link)
        lo.location = l->cfg.location_id;
    o = &lo;
    const char *loc = o->location ? o->location : s->location_id;
    int code = EXIT_OK, rc = 0;
    if (s->pit) {
        rc = check_pit(s, client, o, &e);
    } else if (o->status || o->refresh) {
        if (!loc || !*loc)
            rc = err_set(&e, ERR_CONFIG, "[ghl] location_id (or --location) is needed");
        else
            rc = o->refresh ? refresh_now(s, o, loc, &e) : show_status(s, o, loc, &e);
    } else {
        buf redirect;
        buf_init(&redirect, 4096);
        redirect_uri_of(&redirect, cfg, o->port);
        char *code_got = NULL;
        if (!o->code)
            rc = get_code(&code_got, cfg, o, buf_cstr(&redirect), &e);
        if (rc == 0)
            code = exchange(s, cfg, o, o->code ? o->code : code_got,
                            o->code ? NULL : buf_cstr(&redirect), &e);
        rc = code == EXIT_RUNTIME ? -1 : rc;
        free(code_got);
        buf_free(&redirect);
    }
    if (rc != 0) {
        app_fail(a, &e);
        return app_exit_code(e.code);
    }
    return code;
}
