/* ghl_token_rec.h: one stored HighLevel grant (the record the token manager seals in the store)
 * and its conversions; private to src/ghl. */
#ifndef PHEEDSYNC_GHL_TOKEN_REC_H
#define PHEEDSYNC_GHL_TOKEN_REC_H

#include "crypto/seal.h"
#include "ghl/ghl_types.h"
#include "store/store.h"

/* The store's service name for HighLevel grants. */
#define GHL_TOKENS_SERVICE "ghl"

typedef struct ghl_token_rec {
    char *access, *refresh; /* secrets: wiped on clear */
    char *scope, *user_type, *company_id, *location_id;
    char *via;          /* "oauth" (refresh with the refresh token) or "company" (exchange again) */
    char *reason;       /* why it needs re-authorization */
    int64_t expires_ms; /* 0: never */
    bool needs_reauth;
} ghl_token_rec;

void ghl_token_rec_clear(ghl_token_rec *r);
int ghl_token_rec_copy(ghl_token_rec *out, const ghl_token_rec *src);
/* From a token answer received at now_ms; via as above. Missing expires_in counts as a day. */
int ghl_token_rec_from_answer(ghl_token_rec *out, const ghl_token_answer *a, const char *via,
                              int64_t now_ms, err *e);
/* The store's account for a record: "company:<id>" for a Company grant, else its location. */
int ghl_token_rec_account(char **out, const ghl_token_rec *r, err *e);

/* Seals r under "ghl-token:<account>" and stores it. */
int ghl_token_rec_save(store *st, const crypto_key *key, const char *account,
                       const ghl_token_rec *r, err *e);
/* Reads and opens account's record; ERR_NOT_FOUND when none. */
int ghl_token_rec_load(ghl_token_rec *out, store *st, const crypto_key *key, const char *account,
                       err *e);
/* Two records name the same grant state (same access and refresh tokens, same state). */
bool ghl_token_rec_same(const ghl_token_rec *a, const ghl_token_rec *b);

#endif
