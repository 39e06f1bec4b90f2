/* ghl_auth.h: the HighLevel emulator's OAuth 2.0 server (authorize page, token endpoint with
 * rotating single-use refresh tokens and family revocation, location tokens), Private
 * Integration Tokens, and the bearer and scope check on every API request. */
#ifndef PHEEDSYNC_SANDBOX_GHL_AUTH_H
#define PHEEDSYNC_SANDBOX_GHL_AUTH_H

#include "net/http_server.h"
#include "util/clock.h"
#include "util/err.h"

#include <jansson.h>

typedef struct ghl_auth ghl_auth;

typedef struct ghl_auth_options {
    const char *client_id;      /* default "sandbox-client" */
    const char *client_secret;  /* default: generated */
    const char *company_id;     /* the agency; default generated */
    int64_t access_ttl_s;       /* default 86399, as HighLevel */
    int64_t reuse_grace_s;      /* an identical refresh repeated within this gets the same answer; default 30 */
    clock_source *clock;
    uint64_t seed;
} ghl_auth_options;

int ghl_auth_new(ghl_auth **out, const ghl_auth_options *opts, err *e);
void ghl_auth_free(ghl_auth *a);

/* Declares a location the app is installed on (the authorize page picks the first one unless
 * the request names location_id). */
int ghl_auth_add_location(ghl_auth *a, const char *location_id, const char *name, err *e);
/* Mounts GET /oauth/chooselocation, POST /oauth/token, POST /oauth/locationToken,
 * GET /oauth/installedLocations. */
int ghl_auth_mount(ghl_auth *a, http_server *srv, err *e);

/* A Private Integration Token for the location with the space-separated scopes. */
int ghl_auth_create_pit(ghl_auth *a, const char *location_id, const char *scopes, char *out,
                        size_t out_len, err *e);
/* Issues an authorization code as the authorize page would (for tests and the demo). */
int ghl_auth_issue_code(ghl_auth *a, const char *location_id, const char *scopes,
                        const char *redirect_uri, char *out, size_t out_len, err *e);

/* Checks the request's bearer token for scope (NULL: any valid token). On success copies the
 * token's location id to location_out and returns true; otherwise fills res with HighLevel's
 * 401 answer and returns false. */
bool ghl_auth_check(ghl_auth *a, const http_request *req, const char *scope, char *location_out,
                    size_t location_len, http_response *res);

/* Admin: every access token issued so far expires now. */
void ghl_auth_expire_access_tokens(ghl_auth *a);
/* Admin: the next refresh of every token family answers invalid_grant (as a revoked install). */
void ghl_auth_revoke_all(ghl_auth *a);
/* Admin: counts of codes, live access tokens, families, refreshes, reuse detections. */
json_t *ghl_auth_state(ghl_auth *a);
/* The credentials a configuration needs: client_id, client_secret, company_id. */
json_t *ghl_auth_info(ghl_auth *a);

#endif
