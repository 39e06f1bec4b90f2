/* ghl_oauth.h: HighLevel's OAuth 2.0 endpoints as plain calls (authorize URL, code exchange,
 * refresh, agency location tokens) and the one table of scopes the flows need. No state: the
 * token manager (ghl_tokens.h) decides when to call them and keeps what they return. */
#ifndef PHEEDSYNC_GHL_OAUTH_H
#define PHEEDSYNC_GHL_OAUTH_H

#include "ghl/ghl_types.h"
#include "net/http_client.h"

/* The scopes the flows need, NULL-terminated: what `connect` and `check` hold grants against.
 * The emulator enforces them exactly as HighLevel does (contacts.write does not imply
 * contacts.readonly). */
extern const char *const ghl_required_scopes[];

/* Appends to missing (space-separated) every required scope that granted (space- or
 * comma-separated, as the token answer's "scope") lacks; returns how many. */
size_t ghl_scopes_missing(buf *missing, const char *granted);

typedef struct ghl_oauth_app {
    const char *base_url; /* the API root; the token endpoint is BASE/oauth/token */
    const char *client_id;
    const char *client_secret;
    http_client *http;
} ghl_oauth_app;

/* authorize_root + "/v2/oauth/chooselocation?response_type=code&redirect_uri=...&client_id=...
 * &scope=...&state=..." (scopes joined with spaces, everything percent-encoded). */
int ghl_oauth_authorize_url(buf *out, const char *authorize_root, const char *client_id,
                            const char *redirect_uri, const char *const *scopes, size_t n_scopes,
                            const char *state, err *e);

/* What a token call did on the wire, besides its answer. */
typedef struct ghl_oauth_result {
    api_error error;    /* kind API_OK on success */
    bool invalid_grant; /* the grant is dead: a new authorization is needed */
    bool maybe_applied; /* failed after sending: the server may have rotated */
} ghl_oauth_result;

/* grant_type=authorization_code. user_type "Location" or "Company"; redirect_uri may be NULL. */
int ghl_oauth_exchange_code(ghl_token_answer *out, const ghl_oauth_app *app, const char *code,
                            const char *redirect_uri, const char *user_type, ghl_oauth_result *res,
                            err *e);
/* grant_type=refresh_token. Repeats after a timeout or reset are safe within HighLevel's grace
 * for an identical refresh, and never worse than not repeating: the old token is spent either
 * way once the server rotated it. */
int ghl_oauth_refresh(ghl_token_answer *out, const ghl_oauth_app *app, const char *refresh_token,
                      const char *user_type, ghl_oauth_result *res, err *e);
/* POST /oauth/locationToken with the company's access token. */
int ghl_oauth_location_token(ghl_token_answer *out, const ghl_oauth_app *app,
                             const char *company_token, const char *company_id,
                             const char *location_id, ghl_oauth_result *res, err *e);

#endif
