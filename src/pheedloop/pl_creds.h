/* pl_creds.h: PheedLoop credentials (organization code, API key and secret) sealed in the
 * store, so that the daemon runs without them in the configuration file. */
#ifndef PHEEDSYNC_PL_CREDS_H
#define PHEEDSYNC_PL_CREDS_H

#include "crypto/seal.h"
#include "pheedloop/pl_client.h"
#include "store/store.h"

/* One organization per configuration: its credentials live under this service and account
 * (the organization code is inside the sealed value). */
#define PL_CREDS_SERVICE "pheedloop"
#define PL_CREDS_ACCOUNT "default"
/* Binds the sealed value to its purpose: it cannot be passed off as another secret. */
#define PL_CREDS_AAD "pheedloop-credentials:default"

typedef struct pl_creds {
    char *org_code;
    char *api_key;
    char *api_secret;
} pl_creds;

/* Seals {org_code, api_key, api_secret} under k and replaces what the store held. */
int pl_creds_save(store *s, const crypto_key *k, const char *org_code, const char *api_key,
                  const char *api_secret, err *e);
/* ERR_NOT_FOUND when nothing is stored; ERR_AUTH when the sealing key is not the one used. */
int pl_creds_load(pl_creds *out, store *s, const crypto_key *k, err *e);
/* The same for another account than PL_CREDS_ACCOUNT: a link of the configuration with an
 * organization of its own keeps its credentials under "link:NAME" (sealed bound to
 * "pheedloop-credentials:ACCOUNT"). */
int pl_creds_save_account(store *s, const crypto_key *k, const char *account, const char *org_code,
                          const char *api_key, const char *api_secret, err *e);
int pl_creds_load_account(pl_creds *out, store *s, const crypto_key *k, const char *account,
                          err *e);
/* Wipes the strings, then frees them; NULL and cleared records are safe. */
void pl_creds_free(pl_creds *c);

/* A client from [pheedloop] where org_code, api_key and api_secret that the file (or the
 * environment) leaves unset come from the stored credentials; what is set wins. Stored
 * credentials of another organization than the configured one are not mixed in (ERR_CONFIG).
 * s and k may be NULL: the configuration alone. shared (may be NULL): the rate budget shared
 * with other processes. */
int pl_client_from_config_and_store(pl_client **out, const config *cfg, store *s,
                                    const crypto_key *k, http_client *http,
                                    const governor_shared *shared, err *e);

#endif
