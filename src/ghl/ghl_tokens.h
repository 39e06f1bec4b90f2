/* ghl_tokens.h: the HighLevel token manager: the access token for a location, sealed at rest in
 * the store, refreshed ahead of expiry with single flight across threads and processes; agency
 * location tokens; Private Integration Tokens; the "needs re-authorization" state.
 *
 * Why the refresh is so careful: HighLevel's refresh tokens are single-use and rotate; using
 * one twice (two threads, or two processes, refreshing at once) is taken as theft and revokes
 * the whole authorization. So a refresh for a location runs under an in-process mutex and a
 * store lock ("ghl-refresh:<account>"); after taking the lock it re-reads the store (another
 * process may have refreshed meanwhile) and refreshes only when the stored refresh token is
 * still the one it knew; the rotated pair is saved in the store before the new access token is
 * handed to anyone. A refresh refused with invalid_grant marks the account "needs_reauth" in
 * the store, so that every process stops sending for that location until `pheedsync connect
 * ghl` stores a new grant.
 *
 * Accounts in the store (service "ghl"): a location's id, or "company:<companyId>" for an
 * agency's token. Each value is a JSON record sealed with AES-256-GCM bound to
 * "ghl-token:<account>". */
#ifndef PHEEDSYNC_GHL_TOKENS_H
#define PHEEDSYNC_GHL_TOKENS_H

#include "crypto/seal.h"
#include "ghl/ghl_oauth.h"

typedef struct ghl_tokens_config {
    const char *store_url;    /* where tokens and locks live; the manager opens its own handle */
    const crypto_key *key;    /* seals tokens at rest; kept by reference */
    ghl_oauth_app app;        /* the token endpoint; app.http is kept by reference */
    const char *pit;          /* auth = token: this Private Integration Token for every location
                                 (nothing is stored, nothing refreshed) */
    int64_t refresh_ahead_ms; /* refresh when the access token expires sooner; default 600000 */
    int64_t lock_ttl_ms;      /* the cross-process refresh lock's lease; default 30000 */
    int64_t lock_wait_ms;     /* how long to wait for another process's refresh; default 60000 */
    clock_source *clock;      /* NULL: system */
    /* Called (outside any lock) when an account needs re-authorization; may be NULL. */
    void (*alert)(void *ctx, const char *account, const char *message);
    void *alert_ctx;
} ghl_tokens_config;

typedef struct ghl_tokens ghl_tokens;

int ghl_tokens_new(ghl_tokens **out, const ghl_tokens_config *cfg, err *e);
void ghl_tokens_free(ghl_tokens *t);
bool ghl_tokens_is_pit(const ghl_tokens *t);

/* Saves a new grant (a code exchange, or a location token) for its account: the location id, or
 * "company:<id>" for a Company token. Clears any needs_reauth state. *out_account (may be NULL)
 * gets the account, malloc'd. */
int ghl_tokens_save_grant(char **out_account, ghl_tokens *t, const ghl_token_answer *a, err *e);

/* The access token for location, malloc'd (free with crypto_secret_free(p, strlen(p))). Loads
 * from the store, refreshes when expiry is near (or exchanges the company token again for a
 * location token). Errors: ERR_NOT_FOUND when the location was never connected;
 * ERR_BAD_STATE when it needs re-authorization (nothing should be sent: hold the writes);
 * ERR_NET, ERR_LIMIT, ... when a refresh failed and the old token has expired. */
int ghl_tokens_access(char **out, ghl_tokens *t, const char *location, err *e);

/* The API refused `stale` (401): refresh once unless someone already replaced it. Returns 0
 * when a newer token is stored; the same errors as ghl_tokens_access. */
int ghl_tokens_refresh(ghl_tokens *t, const char *location, const char *stale, err *e);

/* Whether account (a location id or "company:<id>") waits for re-authorization, and why. */
int ghl_tokens_needs_reauth(bool *out, char **out_reason, ghl_tokens *t, const char *account,
                            err *e);

/* Agency install: exchanges the stored company token for a token of location and stores it
 * (it carries the company's scopes and no refresh token: it is exchanged again when it
 * expires). */
int ghl_tokens_location_from_company(ghl_tokens *t, const char *company_id, const char *location_id,
                                     err *e);

/* What is stored for account, without secrets: {"account", "state", "reason", "scope",
 * "user_type", "expires_ms", "company_id", "location_id", "via"}. ERR_NOT_FOUND when none. */
int ghl_tokens_describe(json_t **out, ghl_tokens *t, const char *account, err *e);

/* Counts for tests and status: refreshes this manager performed, and adoptions of a token
 * another thread or process had already refreshed. */
typedef struct ghl_tokens_stats {
    int64_t refreshes, adopted, exchanges, reauth_marks;
} ghl_tokens_stats;
void ghl_tokens_get_stats(ghl_tokens *t, ghl_tokens_stats *out);

#endif
