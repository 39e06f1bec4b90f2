/* ghl_auth_int.h: the OAuth emulator's state, shared by its token store (ghl_auth.c) and its
 * HTTP endpoints (ghl_auth_http.c); not for other modules. */
#ifndef PHEEDSYNC_SANDBOX_GHL_AUTH_INT_H
#define PHEEDSYNC_SANDBOX_GHL_AUTH_INT_H

#include "sandbox/ghl/ghl_auth.h"

#include <pthread.h>

#define SBX_GHL_ID_LEN 20       /* HighLevel ids: 20 letters and digits */
#define SBX_GHL_TOKEN_LEN 64    /* access and refresh tokens */
#define SBX_GHL_CODE_LEN 40     /* authorization codes: 40 hex digits */
#define SBX_GHL_TOKEN_MAX 128   /* longest bearer we look up at all */
#define SBX_GHL_SCOPES_MAX 4096 /* longest scope list, separators included */
#define SBX_GHL_CODE_TTL_MS INT64_C(600000)
#define SBX_GHL_REFRESH_TTL_MS (INT64_C(365) * 86400 * 1000)

typedef enum sbx_ghl_user_type {
    SBX_GHL_USER_LOCATION = 0,
    SBX_GHL_USER_COMPANY
} sbx_ghl_user_type;

typedef struct sbx_ghl_auth_location {
    char *id;
    char *name;
    int64_t installed_ms;
} sbx_ghl_auth_location;

typedef struct sbx_ghl_auth_code {
    char code[SBX_GHL_CODE_LEN + 1];
    char *location_id;
    char *scopes;
    char *redirect_uri; /* NULL: not bound */
    int64_t expires_ms;
    bool used;
    int family; /* the family issued from it, -1 before */
} sbx_ghl_auth_code;

/* One authorization and everything descending from it (refreshes, location tokens). */
typedef struct sbx_ghl_auth_family {
    sbx_ghl_user_type type;
    char *location_id; /* NULL for Company */
    char *scopes;
    bool revoked;
} sbx_ghl_auth_family;

typedef struct sbx_ghl_auth_access {
    char token[SBX_GHL_TOKEN_MAX + 1];
    int family; /* -1 for a Private Integration Token */
    sbx_ghl_user_type type;
    char *location_id; /* NULL for Company tokens */
    char *scopes;
    int64_t expires_ms; /* INT64_MAX for a PIT */
} sbx_ghl_auth_access;

typedef struct sbx_ghl_auth_refresh {
    char token[SBX_GHL_TOKEN_LEN + 1];
    int family;
    int64_t expires_ms;
    int64_t used_ms; /* 0 while unused */
    int successor;   /* index of the refresh token that replaced it, -1 while unused */
    json_t *answer;  /* the answer to its first use, replayed within the grace period */
} sbx_ghl_auth_refresh;

struct sbx_ghl_auth {
    pthread_mutex_t mu;
    clock_source *clock;
    char *client_id;
    char *client_secret;
    char *company_id;
    char app_id[25];
    char user_id[SBX_GHL_ID_LEN + 1];
    int64_t access_ttl_s;
    int64_t reuse_grace_ms;

    sbx_ghl_auth_location *locations;
    size_t n_locations, cap_locations;
    sbx_ghl_auth_code *codes;
    size_t n_codes, cap_codes;
    sbx_ghl_auth_family *families;
    size_t n_families, cap_families;
    sbx_ghl_auth_access *access;
    size_t n_access, cap_access;
    sbx_ghl_auth_refresh *refresh;
    size_t n_refresh, cap_refresh;

    int64_t n_refreshes, n_grace_replays, n_reuse_detections, n_codes_issued;
};

/* What a checked bearer token grants (copies, valid after the lock is released). */
typedef struct sbx_ghl_auth_grant {
    sbx_ghl_user_type type;
    bool pit;
    int family;
    char location_id[SBX_GHL_ID_LEN * 2 + 1];
    char scopes[SBX_GHL_SCOPES_MAX];
} sbx_ghl_auth_grant;

/* Outcome of a token-endpoint operation; on failure error/description say why. */
typedef struct sbx_ghl_auth_outcome {
    int status;        /* 200, 400, 401 */
    const char *error; /* OAuth error code: invalid_grant, invalid_request, ... */
    char description[160];
    json_t *answer; /* on success: the JSON to send (owned by the caller) */
} sbx_ghl_auth_outcome;

typedef struct sbx_ghl_auth_token_request {
    const char *grant_type;
    const char *client_id;
    const char *client_secret;
    const char *code;
    const char *refresh_token;
    const char *user_type;
    const char *redirect_uri;
} sbx_ghl_auth_token_request;

/* The token endpoint's logic, without HTTP: client check, both grants, rotation, reuse.
 * Both return out->status. */
int sbx_ghl_auth_token_grant(sbx_ghl_auth *a, const sbx_ghl_auth_token_request *rq,
                             sbx_ghl_auth_outcome *out);
/* POST /oauth/token from its Content-Type (may be NULL) and raw body: parse, grant, answer. */
void sbx_ghl_auth_token_body(sbx_ghl_auth *a, const char *content_type, const char *body,
                             size_t len, http_response *res);
/* A location token for a Company grant (POST /oauth/locationToken). */
int sbx_ghl_auth_location_token(sbx_ghl_auth *a, const sbx_ghl_auth_grant *company,
                                const char *company_id, const char *location_id,
                                sbx_ghl_auth_outcome *out);
/* Looks a bearer token up; false when unknown, expired or revoked. */
bool sbx_ghl_auth_lookup(sbx_ghl_auth *a, const char *token, size_t len, sbx_ghl_auth_grant *out);
/* True when the space-separated list holds scope exactly. */
bool sbx_ghl_auth_scope_has(const char *scopes, const char *scope);
/* Fills res with HighLevel's 401 answer carrying message. */
void sbx_ghl_auth_unauthorized(http_response *res, const char *message);
/* The bearer token of an Authorization header value: start and length; false if malformed. */
bool sbx_ghl_auth_parse_bearer(const char *value, size_t len, size_t *tok_start, size_t *tok_len);
/* sbx_ghl_auth_check on an Authorization header's value (NULL: absent). */
bool sbx_ghl_auth_check_authorization(sbx_ghl_auth *a, const char *authorization, const char *scope,
                                      char *location_out, size_t location_len, http_response *res);
/* Checks the bearer and scope for the company-only OAuth endpoints. */
bool sbx_ghl_auth_check_company(sbx_ghl_auth *a, const http_request *req, const char *scope,
                                sbx_ghl_auth_grant *grant, http_response *res);
typedef struct sbx_ghl_auth_installed_query {
    const char *query;       /* case-insensitive substring of the name, or NULL */
    const char *location_id; /* only this location, or NULL */
    bool not_installed;      /* isInstalled=false: every location here is installed: none */
    int64_t skip, limit;
} sbx_ghl_auth_installed_query;

/* The body of GET /oauth/installedLocations. */
json_t *sbx_ghl_auth_installed(sbx_ghl_auth *a, const sbx_ghl_auth_installed_query *q);

/* Store helpers; the *_locked ones expect a->mu held. */
int sbx_ghl_auth_grow(void **arr, size_t *cap, size_t n, size_t elem);
/* n characters drawn from alphabet with OpenSSL's generator, then a NUL. */
int sbx_ghl_auth_random(char *out, size_t n, const char *alphabet);
int sbx_ghl_auth_new_token(char *out, size_t n);
int sbx_ghl_auth_new_code(char *out);
const sbx_ghl_auth_location *sbx_ghl_auth_find_location(const sbx_ghl_auth *a, const char *id);
int sbx_ghl_auth_store_access(sbx_ghl_auth *a, int family, sbx_ghl_user_type type,
                              const char *location_id, const char *scopes, int64_t expires_ms,
                              const char *token);
bool sbx_ghl_auth_secret_eq(const char *stored, const char *given, size_t given_len);
bool sbx_ghl_auth_contains_ci(const char *haystack, const char *needle);

#endif
