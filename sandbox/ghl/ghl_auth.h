/* ghl_auth.h: the HighLevel emulator's OAuth 2.0 server (authorize page, token endpoint with
 * rotating single-use refresh tokens and family revocation, location tokens), Private
 * Integration Tokens, and the bearer and scope check on every API request.
 *
 * Behaviour a client can rely on (where HighLevel's spec is silent, the choice is noted):
 * - GET /oauth/chooselocation approves at once: 302 to redirect_uri?code=C&state=S (appended
 *   with & when redirect_uri has a query; state only when given). client_id must match,
 *   response_type must be "code", redirect_uri an absolute http(s) URL without fragment,
 *   location_id (optional; default the first location) an installed one; otherwise 400 JSON
 *   {"statusCode":400,"message":...,"error":"Bad Request"} and no redirect. scope is split on
 *   spaces or plus signs. Codes: 40 hex digits, single-use, valid 10 minutes.
 * - POST /oauth/token takes application/x-www-form-urlencoded only. A repeated parameter is
 *   invalid_request. Answers carry Cache-Control: no-store. Errors carry both HighLevel's DTO
 *   and OAuth's fields: {"statusCode", "message", "error", "error_description"}: 401
 *   invalid_client (bad client_id or client_secret); 400 invalid_request (missing or repeated
 *   parameter, user_type not Location|Company, wrong Content-Type); 400 unsupported_grant_type
 *   (only authorization_code and refresh_token); 400 invalid_grant (unknown, used or expired
 *   code; redirect_uri given and different from the authorize request's; unknown, revoked,
 *   expired or replayed refresh token; user_type not that of the grant).
 * - Code exchange: user_type=Company gives a Company token (approvedLocations: every installed
 *   location, no locationId); otherwise a Location token for the code's location. A second use
 *   of a code is refused and revokes what the first use granted (RFC 6749 4.1.2).
 * - Refresh: each use returns a new access and refresh token; the old refresh token is spent.
 *   The same request repeated less than reuse_grace_s after the first use, while the new refresh
 *   token is still unused, gets the first answer again, byte for byte. Any other reuse is
 *   refused with invalid_grant and revokes the family: every access and refresh token (and
 *   location token) descending from that authorization. Refresh tokens live 365 days. Old
 *   access tokens stay valid until they expire.
 * - Bearer check: a missing, malformed, unknown, expired or revoked token gets 401
 *   {"statusCode":401,"message":"Invalid JWT","error":"Unauthorized"}; a valid token without
 *   the scope gets the same shape with "The token is not authorized for this scope.". Scopes
 *   match exactly (contacts.write does not imply contacts.readonly). API routes want a
 *   Location token or a PIT: a Company token gets 401. Private Integration Tokens
 *   (pit-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) never expire and survive the admin calls below.
 * - POST /oauth/locationToken (form companyId, locationId) and GET /oauth/installedLocations
 *   (companyId and appId required; appId: app_id or client_id; skip, limit (20), query: name
 *   substring, case-insensitive; isInstalled; locationId) want a Company access token with
 *   oauth.write / oauth.readonly respectively. Missing fields: 422 UnprocessableDTO; a
 *   companyId other than the token's, an uninstalled location: 400. A location token has no
 *   refresh token and carries the company token's scopes. */
#ifndef PHEEDSYNC_SANDBOX_GHL_AUTH_H
#define PHEEDSYNC_SANDBOX_GHL_AUTH_H

#include "net/http_server.h"
#include "util/clock.h"
#include "util/err.h"

#include <jansson.h>

typedef struct sbx_ghl_auth sbx_ghl_auth;

typedef struct sbx_ghl_auth_options {
    const char *client_id;      /* default "sandbox-client" */
    const char *client_secret;  /* default: generated */
    const char *company_id;     /* the agency; default generated */
    int64_t access_ttl_s;       /* default 86399, as HighLevel */
    int64_t reuse_grace_s;      /* an identical refresh repeated within this gets the same answer; default 30 */
    clock_source *clock;
    uint64_t seed;
} sbx_ghl_auth_options;

int sbx_ghl_auth_new(sbx_ghl_auth **out, const sbx_ghl_auth_options *opts, err *e);
void sbx_ghl_auth_free(sbx_ghl_auth *a);

/* Declares a location the app is installed on (the authorize page picks the first one unless
 * the request names location_id). */
int sbx_ghl_auth_add_location(sbx_ghl_auth *a, const char *location_id, const char *name, err *e);
/* Mounts GET /oauth/chooselocation, POST /oauth/token, POST /oauth/locationToken,
 * GET /oauth/installedLocations. */
int sbx_ghl_auth_mount(sbx_ghl_auth *a, http_server *srv, err *e);

/* A Private Integration Token for the location with the space-separated scopes. */
int sbx_ghl_auth_create_pit(sbx_ghl_auth *a, const char *location_id, const char *scopes, char *out,
                        size_t out_len, err *e);
/* Issues an authorization code as the authorize page would (for tests and the demo). */
int sbx_ghl_auth_issue_code(sbx_ghl_auth *a, const char *location_id, const char *scopes,
                        const char *redirect_uri, char *out, size_t out_len, err *e);

/* Checks the request's bearer token for scope (NULL: any valid token). On success copies the
 * token's location id to location_out and returns true; otherwise fills res with HighLevel's
 * 401 answer and returns false. */
bool sbx_ghl_auth_check(sbx_ghl_auth *a, const http_request *req, const char *scope, char *location_out,
                    size_t location_len, http_response *res);

/* Admin: every access token issued so far expires now. */
void sbx_ghl_auth_expire_access_tokens(sbx_ghl_auth *a);
/* Admin: tokens issued from now on live this long (<= 0: HighLevel's 86399 s). */
void sbx_ghl_auth_set_access_ttl(sbx_ghl_auth *a, int64_t seconds);
/* Admin: the next refresh of every token family answers invalid_grant (as a revoked install);
 * their access tokens stop working at once too. PITs are kept. */
void sbx_ghl_auth_revoke_all(sbx_ghl_auth *a);
/* Admin: counts of codes, live access tokens, families, refreshes, reuse detections:
 * {"codes_issued", "codes_pending", "access_tokens_live", "refresh_tokens_live", "pits",
 *  "families", "families_revoked", "refreshes", "grace_replays", "reuse_detections"}. */
json_t *sbx_ghl_auth_state(sbx_ghl_auth *a);
/* The credentials a configuration needs: client_id, client_secret, company_id; also app_id,
 * user_id and the installed location ids. */
json_t *sbx_ghl_auth_info(sbx_ghl_auth *a);

#endif
