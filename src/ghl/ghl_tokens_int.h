/* ghl_tokens_int.h: the token manager's state, shared by ghl_tokens.c (cache and store) and
 * ghl_tokens_refresh.c (the single-flight refresh); private to src/ghl. */
#ifndef PHEEDSYNC_GHL_TOKENS_INT_H
#define PHEEDSYNC_GHL_TOKENS_INT_H

#include "ghl/ghl_token_rec.h"
#include "ghl/ghl_tokens.h"

#include <pthread.h>

typedef struct tok_entry {
    char *account;
    pthread_mutex_t refresh_mu; /* one refresh at a time per account in this process */
    ghl_token_rec rec;          /* guarded by ghl_tokens.mu */
    bool loaded;
    bool unsaved; /* rec is newer than the store: save before handing it out */
    struct tok_entry *next;
} tok_entry;

struct ghl_tokens {
    ghl_tokens_config cfg;
    char *store_url, *base_url, *client_id, *client_secret, *pit;
    clock_source *clock;
    pthread_mutex_t mu;       /* entries, their records, stats */
    pthread_mutex_t store_mu; /* the store handle is used by one thread at a time */
    store *st;
    char owner[64];
    tok_entry *entries;
    ghl_tokens_stats stats;
};

tok_entry *ghl_tokens_entry(ghl_tokens *t, const char *account, err *e);
int ghl_tokens_store_load(ghl_token_rec *out, ghl_tokens *t, const char *account, err *e);
int ghl_tokens_store_save(ghl_tokens *t, const char *account, const ghl_token_rec *r, err *e);
/* Replaces the entry's record with a copy of r. */
int ghl_tokens_install(ghl_tokens *t, tok_entry *x, const ghl_token_rec *r, bool unsaved);
int ghl_tokens_reauth_error(const tok_entry *x, const char *reason, err *e);
/* Refreshes x unless its token is no longer stale; the caller holds x->refresh_mu. 0 when a
 * newer token is installed; ERR_BAD_STATE when the account needs re-authorization. */
int ghl_tokens_refresh_locked(ghl_tokens *t, tok_entry *x, const char *stale, err *e);

#endif
