/* ghl_oauth.c: HighLevel's OAuth 2.0 endpoints: authorize URL, token and location token calls. */
#include "ghl/ghl_oauth.h"
#include "net/http_server.h"
#include "util/jsonx.h"

const char *const ghl_required_scopes[] = {
    "contacts.readonly",
    "contacts.write",
    "locations/customFields.readonly",
    NULL,
};

static bool granted_has(const char *granted, const char *scope)
{
    size_t n = strlen(scope);
    const char *p = granted;
    while (p && *p) {
        while (*p == ' ' || *p == ',' || *p == '+')
            p++;
        size_t w = strcspn(p, " ,+");
        if (w == n && strncmp(p, scope, n) == 0)
            return true;
        p += w;
    }
    return false;
}

size_t ghl_scopes_missing(buf *missing, const char *granted)
{
    size_t n = 0;
    for (size_t i = 0; ghl_required_scopes[i]; i++) {
        if (granted && granted_has(granted, ghl_required_scopes[i]))
            continue;
        if (missing)
            buf_addf(missing, "%s%s", n ? " " : "", ghl_required_scopes[i]);
        n++;
    }
    return n;
}

static int add_param(buf *out, const char *name, const char *value, bool first)
{
    int rc = buf_addf(out, "%s%s=", first ? "" : "&", name);
    if (rc == 0)
        rc = http_url_encode(out, value ? value : "");
    return rc;
}

int ghl_oauth_authorize_url(buf *out, const char *authorize_root, const char *client_id,
                            const char *redirect_uri, const char *const *scopes, size_t n_scopes,
                            const char *state, err *e)
{
    if (!authorize_root || !*authorize_root || !client_id || !*client_id || !redirect_uri)
        return err_set(e, ERR_CONFIG,
                       "[ghl] authorize_url, client_id and a redirect URI are needed");
    buf sc;
    buf_init(&sc, 4096);
    for (size_t i = 0; i < n_scopes; i++)
        buf_addf(&sc, "%s%s", i ? " " : "", scopes[i]);
    size_t root_len = strlen(authorize_root);
    while (root_len && authorize_root[root_len - 1] == '/')
        root_len--;
    int rc = buf_addf(out, "%.*s/v2/oauth/chooselocation?", (int)root_len, authorize_root);
    if (rc == 0)
        rc = add_param(out, "response_type", "code", true);
    if (rc == 0)
        rc = add_param(out, "redirect_uri", redirect_uri, false);
    if (rc == 0)
        rc = add_param(out, "client_id", client_id, false);
    if (rc == 0)
        rc = add_param(out, "scope", buf_cstr(&sc), false);
    if (rc == 0 && state)
        rc = add_param(out, "state", state, false);
    buf_free(&sc);
    return rc ? err_set(e, rc, "authorize URL too long") : 0;
}

/* POSTs the form to BASE/PATH with an optional bearer, and parses a token answer. */
static int token_call(ghl_token_answer *out, const ghl_oauth_app *app, const char *path,
                      const char *form, const char *bearer, http_idempotency idem,
                      ghl_oauth_result *res, err *e)
{
    buf url, auth;
    buf_init(&url, 4096);
    buf_init(&auth, 8192);
    buf_addf(&url, "%s%s", app->base_url, path);
    const char *headers[5] = {"Content-Type: application/x-www-form-urlencoded",
                              "Accept: application/json", NULL, NULL, NULL};
    if (bearer) {
        buf_addf(&auth, "Authorization: Bearer %s", bearer);
        headers[2] = buf_cstr(&auth);
        headers[3] = "Version: " GHL_API_VERSION;
    }
    http_client_request req = {
        .method = "POST",
        .url = buf_cstr(&url),
        .headers = headers,
        .body = form,
        .body_len = strlen(form),
        .idempotency = idem,
        .label = path,
    };
    http_client_response r;
    http_client_response_init(&r);
    int rc = http_client_send(app->http, &req, &r, e);
    ghl_oauth_result tmp;
    if (!res)
        res = &tmp;
    memset(res, 0, sizeof *res);
    res->error = r.error;
    res->maybe_applied = r.maybe_applied;
    if (rc != 0) {
        const char *oauth = NULL;
        json_t *j = NULL;
        if (jsonx_parse(&j, r.body.ptr, r.body.len, "token error", NULL) == 0)
            oauth = jsonx_str(j, "error");
        res->invalid_grant = oauth && strcmp(oauth, "invalid_grant") == 0;
        json_decref(j);
    } else {
        rc = ghl_parse_token_answer(out, r.body.ptr ? r.body.ptr : "", r.body.len, e);
    }
    http_client_response_clear(&r);
    buf_free(&url);
    buf_free(&auth);
    return rc;
}

static int form_start(buf *f, const ghl_oauth_app *app, const char *grant)
{
    int rc = add_param(f, "client_id", app->client_id, true);
    if (rc == 0)
        rc = add_param(f, "client_secret", app->client_secret, false);
    if (rc == 0)
        rc = add_param(f, "grant_type", grant, false);
    return rc;
}

int ghl_oauth_exchange_code(ghl_token_answer *out, const ghl_oauth_app *app, const char *code,
                            const char *redirect_uri, const char *user_type, ghl_oauth_result *res,
                            err *e)
{
    buf f;
    buf_init(&f, 16384);
    int rc = form_start(&f, app, "authorization_code");
    if (rc == 0)
        rc = add_param(&f, "code", code, false);
    if (rc == 0 && user_type)
        rc = add_param(&f, "user_type", user_type, false);
    if (rc == 0 && redirect_uri)
        rc = add_param(&f, "redirect_uri", redirect_uri, false);
    if (rc == 0)
        /* A code is single-use: a repeat after a lost answer would revoke the grant. */
        rc = token_call(out, app, "/oauth/token", buf_cstr(&f), NULL, HTTP_IDEMPOTENT_NO, res, e);
    else
        rc = err_set(e, rc, "token request too large");
    buf_free(&f);
    return rc;
}

int ghl_oauth_refresh(ghl_token_answer *out, const ghl_oauth_app *app, const char *refresh_token,
                      const char *user_type, ghl_oauth_result *res, err *e)
{
    buf f;
    buf_init(&f, 16384);
    int rc = form_start(&f, app, "refresh_token");
    if (rc == 0)
        rc = add_param(&f, "refresh_token", refresh_token, false);
    if (rc == 0 && user_type)
        rc = add_param(&f, "user_type", user_type, false);
    if (rc == 0)
        rc = token_call(out, app, "/oauth/token", buf_cstr(&f), NULL, HTTP_IDEMPOTENT_YES, res, e);
    else
        rc = err_set(e, rc, "token request too large");
    buf_free(&f);
    return rc;
}

int ghl_oauth_location_token(ghl_token_answer *out, const ghl_oauth_app *app,
                             const char *company_token, const char *company_id,
                             const char *location_id, ghl_oauth_result *res, err *e)
{
    buf f;
    buf_init(&f, 4096);
    int rc = add_param(&f, "companyId", company_id, true);
    if (rc == 0)
        rc = add_param(&f, "locationId", location_id, false);
    if (rc == 0)
        rc = token_call(out, app, "/oauth/locationToken", buf_cstr(&f), company_token,
                        HTTP_IDEMPOTENT_YES, res, e);
    else
        rc = err_set(e, rc, "location token request too large");
    buf_free(&f);
    return rc;
}
