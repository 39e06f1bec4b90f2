/* ghl_auth_http.c: the HighLevel emulator's OAuth endpoints over HTTP: the authorize page,
 * /oauth/token, /oauth/locationToken and /oauth/installedLocations. */
#include "sandbox/ghl/ghl_auth_int.h"
#include "util/buf.h"

#include <errno.h>

#define URL_MAX 8192

/* A NestJS-style error: {"statusCode", "message", "error"}. Returns false, for handlers' checks. */
static bool dto_error(http_response *res, int status, const char *message)
{
    const char *name = status == 400   ? "Bad Request"
                       : status == 401 ? "Unauthorized"
                       : status == 422 ? "Unprocessable Entity"
                                       : "Internal Server Error";
    json_t *body = status == 422 ? json_pack("{s:i, s:[s], s:s}", "statusCode", status, "message",
                                             message, "error", name)
                                 : json_pack("{s:i, s:s, s:s}", "statusCode", status, "message",
                                             message, "error", name);
    http_response_json(res, status, body);
    return false;
}

/* Token endpoint errors carry both HighLevel's DTO fields (statusCode, message) and OAuth's
 * (error, error_description, RFC 6749 5.2), so clients of either kind read them. */
static void oauth_error(http_response *res, const sbx_ghl_auth_outcome *o)
{
    if (!o->error) {
        dto_error(res, o->status, o->description);
        return;
    }
    json_t *body =
        json_pack("{s:i, s:s, s:s, s:s}", "statusCode", o->status, "message", o->description,
                  "error", o->error, "error_description", o->description);
    http_response_json(res, o->status, body);
}

static void no_store(http_response *res)
{
    http_response_header(res, "Cache-Control", "no-store");
    http_response_header(res, "Pragma", "no-cache");
}

/* Scopes as one space between names, whether the client sent spaces or plus signs. */
static int normalize_scopes(buf *out, const char *in)
{
    for (const char *p = in ? in : ""; *p;) {
        p += strspn(p, " +\t");
        size_t w = strcspn(p, " +\t");
        if (w == 0)
            break;
        if ((out->len && buf_addc(out, ' ')) || buf_add(out, p, w))
            return ERR_LIMIT;
        p += w;
    }
    return 0;
}

static bool redirect_uri_ok(const char *u)
{
    bool scheme = strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
    return scheme && strlen(u) < URL_MAX / 2 && !strchr(u, '#');
}

static int build_redirect(buf *loc, const char *redirect_uri, const char *code, const char *state)
{
    int rc = buf_addstr(loc, redirect_uri);
    rc = rc ? rc : buf_addstr(loc, strchr(redirect_uri, '?') ? "&code=" : "?code=");
    rc = rc ? rc : http_url_encode(loc, code);
    if (state && !rc) {
        rc = buf_addstr(loc, "&state=");
        rc = rc ? rc : http_url_encode(loc, state);
    }
    return rc;
}

/* GET /oauth/chooselocation: the sandbox approves at once and redirects with a code. */
static void h_choose_location(void *ctx, const http_request *req, http_response *res)
{
    sbx_ghl_auth *a = ctx;
    const char *client_id = http_request_query(req, "client_id");
    const char *type = http_request_query(req, "response_type");
    const char *redirect_uri = http_request_query(req, "redirect_uri");
    if (!client_id || strcmp(client_id, a->client_id) != 0) {
        dto_error(res, 400, "Invalid client_id: no app has this client id");
        return;
    }
    if (!type || strcmp(type, "code") != 0) {
        dto_error(res, 400, "response_type must be code");
        return;
    }
    if (!redirect_uri || !redirect_uri_ok(redirect_uri)) {
        dto_error(res, 400, "redirect_uri must be an absolute http(s) URL without fragment");
        return;
    }
    buf scopes, loc;
    buf_init(&scopes, SBX_GHL_SCOPES_MAX - 1);
    buf_init(&loc, URL_MAX);
    char code[SBX_GHL_CODE_LEN + 1];
    err e = {0};
    const char *location_id = http_request_query(req, "location_id");
    if (location_id && !*location_id)
        location_id = NULL;
    if (normalize_scopes(&scopes, http_request_query(req, "scope")) != 0) {
        dto_error(res, 400, "scope is too long");
    } else if (sbx_ghl_auth_issue_code(a, location_id, buf_cstr(&scopes), redirect_uri, code,
                                       sizeof code, &e) != 0) {
        dto_error(res, e.code == ERR_NOT_FOUND ? 400 : 500, e.msg);
    } else if (build_redirect(&loc, redirect_uri, code, http_request_query(req, "state")) != 0) {
        dto_error(res, 400, "redirect_uri or state is too long");
    } else {
        http_response_redirect(res, 302, buf_cstr(&loc));
    }
    buf_free(&scopes);
    buf_free(&loc);
}

static bool is_form(const char *ct)
{
    static const char FORM[] = "application/x-www-form-urlencoded";
    if (!ct || strncasecmp(ct, FORM, sizeof FORM - 1) != 0)
        return false;
    char next = ct[sizeof FORM - 1];
    return next == '\0' || next == ';' || next == ' ';
}

/* The form fields a handler wants, copied; a repeated wanted field is an error (RFC 6749 3.2). */
typedef struct form_fields {
    const char *const *names;
    char *values[8];
    size_t n;
    const char *repeated;
    bool nomem;
} form_fields;

static bool form_field(void *ctx, const char *key, const char *value)
{
    form_fields *f = ctx;
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(key, f->names[i]) != 0)
            continue;
        if (f->values[i]) {
            f->repeated = f->names[i];
            return false;
        }
        f->values[i] = strdup(value);
        f->nomem |= !f->values[i];
        return !f->nomem;
    }
    return true;
}

static void form_free(form_fields *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->values[i]);
}

/* Parses the body into f; false after answering the request with an error. */
static bool read_form(const char *content_type, const char *body, size_t len, form_fields *f,
                      http_response *res, bool oauth)
{
    sbx_ghl_auth_outcome o = {.status = 400, .error = oauth ? "invalid_request" : NULL};
    err e = {0};
    if (!is_form(content_type)) {
        snprintf(o.description, sizeof o.description,
                 "Content-Type must be application/x-www-form-urlencoded");
    } else if (http_form_parse(body, len, form_field, f, &e) != 0) {
        snprintf(o.description, sizeof o.description, "malformed form body: %.100s", e.msg);
    } else if (f->repeated) {
        snprintf(o.description, sizeof o.description, "%s must not be repeated", f->repeated);
    } else if (f->nomem) {
        o.status = 500;
        o.error = oauth ? "server_error" : NULL;
        snprintf(o.description, sizeof o.description, "out of memory");
    } else {
        return true;
    }
    oauth_error(res, &o);
    return false;
}

static const char *const TOKEN_FIELDS[] = {"grant_type",    "client_id", "client_secret", "code",
                                           "refresh_token", "user_type", "redirect_uri"};

void sbx_ghl_auth_token_body(sbx_ghl_auth *a, const char *content_type, const char *body,
                             size_t len, http_response *res)
{
    form_fields f = {.names = TOKEN_FIELDS, .n = PS_ARRAY_LEN(TOKEN_FIELDS)};
    no_store(res);
    if (read_form(content_type, body, len, &f, res, true)) {
        sbx_ghl_auth_token_request rq = {f.values[0], f.values[1], f.values[2], f.values[3],
                                         f.values[4], f.values[5], f.values[6]};
        sbx_ghl_auth_outcome o;
        if (sbx_ghl_auth_token_grant(a, &rq, &o) == 200)
            http_response_json(res, 200, o.answer);
        else
            oauth_error(res, &o);
    }
    form_free(&f);
}

/* POST /oauth/token */
static void h_token(void *ctx, const http_request *req, http_response *res)
{
    sbx_ghl_auth_token_body(ctx, http_request_header(req, "Content-Type"), (const char *)req->body,
                            req->body_len, res);
}

static const char *const LOCATION_TOKEN_FIELDS[] = {"companyId", "locationId"};

/* POST /oauth/locationToken: a Location token from a Company one. */
static void h_location_token(void *ctx, const http_request *req, http_response *res)
{
    sbx_ghl_auth *a = ctx;
    sbx_ghl_auth_grant g;
    if (!sbx_ghl_auth_check_company(a, req, "oauth.write", &g, res))
        return;
    form_fields f = {.names = LOCATION_TOKEN_FIELDS, .n = 2};
    no_store(res);
    if (read_form(http_request_header(req, "Content-Type"), (const char *)req->body, req->body_len,
                  &f, res, false)) {
        sbx_ghl_auth_outcome o;
        if (!f.values[0] || !*f.values[0])
            dto_error(res, 422, "companyId should not be empty");
        else if (!f.values[1] || !*f.values[1])
            dto_error(res, 422, "locationId should not be empty");
        else if (sbx_ghl_auth_location_token(a, &g, f.values[0], f.values[1], &o) == 200)
            http_response_json(res, 200, o.answer);
        else
            oauth_error(res, &o);
    }
    form_free(&f);
}

/* A non-negative integer query argument (HighLevel sends them as strings); false if malformed. */
static bool query_count(const http_request *req, const char *name, int64_t fallback, int64_t *out)
{
    const char *s = http_request_query(req, name);
    if (!s || !*s) {
        *out = fallback;
        return true;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 0)
        return false;
    *out = v;
    return true;
}

/* Reads the query of GET /oauth/installedLocations; false after answering with an error. */
static bool installed_query(sbx_ghl_auth *a, const http_request *req,
                            sbx_ghl_auth_installed_query *q, http_response *res)
{
    const char *company = http_request_query(req, "companyId");
    const char *app = http_request_query(req, "appId");
    const char *installed = http_request_query(req, "isInstalled");
    if (!company || !*company)
        return dto_error(res, 422, "companyId should not be empty");
    if (!app || !*app)
        return dto_error(res, 422, "appId should not be empty");
    if (!query_count(req, "skip", 0, &q->skip))
        return dto_error(res, 422, "skip must be a number string");
    if (!query_count(req, "limit", 20, &q->limit))
        return dto_error(res, 422, "limit must be a number string");
    if (installed && strcmp(installed, "true") != 0 && strcmp(installed, "false") != 0)
        return dto_error(res, 422, "isInstalled must be a boolean value");
    if (strcmp(company, a->company_id) != 0)
        return dto_error(res, 400, "companyId does not match the access token's company");
    /* The app id is the client id's first part at HighLevel; accept either spelling. */
    if (strcmp(app, a->app_id) != 0 && strcmp(app, a->client_id) != 0)
        return dto_error(res, 400, "appId does not match the installed app");
    q->not_installed = installed && strcmp(installed, "false") == 0;
    q->query = http_request_query(req, "query");
    q->location_id = http_request_query(req, "locationId");
    return true;
}

/* GET /oauth/installedLocations */
static void h_installed(void *ctx, const http_request *req, http_response *res)
{
    sbx_ghl_auth *a = ctx;
    sbx_ghl_auth_grant g;
    sbx_ghl_auth_installed_query q = {0};
    if (!sbx_ghl_auth_check_company(a, req, "oauth.readonly", &g, res) ||
        !installed_query(a, req, &q, res))
        return;
    json_t *body = sbx_ghl_auth_installed(a, &q);
    if (body)
        http_response_json(res, 200, body);
    else
        dto_error(res, 500, "out of memory");
}

int sbx_ghl_auth_mount(sbx_ghl_auth *a, http_server *srv, err *e)
{
    /* The marketplace serves the page under /v2/ too; authorize URLs use that form. */
    int rc = http_server_route(srv, "GET", "/oauth/chooselocation", "oauth-chooselocation",
                               h_choose_location, a);
    rc = rc ? rc
            : http_server_route(srv, "GET", "/v2/oauth/chooselocation", "oauth-chooselocation",
                                h_choose_location, a);
    rc = rc ? rc : http_server_route(srv, "POST", "/oauth/token", "get-access-token", h_token, a);
    rc = rc ? rc
            : http_server_route(srv, "POST", "/oauth/locationToken", "get-location-access-token",
                                h_location_token, a);
    rc = rc ? rc
            : http_server_route(srv, "GET", "/oauth/installedLocations", "get-installed-location",
                                h_installed, a);
    if (rc)
        return err_set(e, rc, "oauth emulator: cannot register the OAuth routes");
    return 0;
}
