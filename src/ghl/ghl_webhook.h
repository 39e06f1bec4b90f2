/* ghl_webhook.h: HighLevel webhook deliveries: signature checks on the raw body (Ed25519
 * X-GHL-Signature preferred, RSA-SHA256 X-WH-Signature as legacy), the timestamp window, and
 * the hint a delivery becomes (what changed, where; the planner re-reads the record). */
#ifndef PHEEDSYNC_GHL_WEBHOOK_H
#define PHEEDSYNC_GHL_WEBHOOK_H

#include "util/err.h"

#define GHL_WEBHOOK_ED25519_HEADER "X-GHL-Signature"
#define GHL_WEBHOOK_RSA_HEADER "X-WH-Signature"

#define GHL_HINT_ID_MAX 128

/* What a delivery says changed. Strings are "" when the delivery does not carry them. */
typedef struct ghl_hint {
    char type[64]; /* "ContactUpdate", "TaskCreate", ... */
    char location_id[GHL_HINT_ID_MAX];
    char id[GHL_HINT_ID_MAX];         /* the record: contact, task, note or appointment */
    char contact_id[GHL_HINT_ID_MAX]; /* the contact it belongs to (the id itself for contact
                                         events) */
    char webhook_id[GHL_HINT_ID_MAX]; /* the delivery's id: dedupe on it */
    int64_t timestamp_ms;             /* 0 when absent */
} ghl_hint;

/* Reads a delivery body (body[0, len), not NUL-terminated). ERR_PARSE when it is not a JSON
 * object with a string "type", or a known field has the wrong type; ids longer than
 * GHL_HINT_ID_MAX - 1 are refused. Pure: no clock, no keys. */
int ghl_webhook_parse(ghl_hint *out, const char *body, size_t len, err *e);

typedef struct ghl_webhook_config {
    /* Public keys: a PEM file path, inline PEM, or base64 SPKI. NULL or "": HighLevel's
     * published key (crypto/verify.h) when one is built in; otherwise that header cannot be
     * checked. At least one key must be usable. */
    const char *ed25519_key;
    const char *rsa_key;
    int64_t window_ms; /* a delivery's timestamp must be within this of now; 0: 5 minutes;
                          negative: not checked */
} ghl_webhook_config;

typedef struct ghl_webhook_verifier ghl_webhook_verifier;

int ghl_webhook_verifier_new(ghl_webhook_verifier **out, const ghl_webhook_config *cfg, err *e);
void ghl_webhook_verifier_free(ghl_webhook_verifier *v);
/* Which headers this verifier can check. */
bool ghl_webhook_verifier_has(const ghl_webhook_verifier *v, bool ed25519);

/* Checks a delivery and reads its hint. ed_sig and rsa_sig are the header values (NULL when
 * absent). The Ed25519 signature decides when it is present and its key is known; otherwise
 * the RSA one. Then the timestamp must lie within the window of now_ms (Unix ms). Returns 0;
 * ERR_AUTH (answer 401) for a missing, forged or unverifiable signature or a stale or missing
 * timestamp; ERR_PARSE (answer 400) for a signed body that is not a delivery; ERR_CRYPTO when
 * the check itself failed (answer 5xx). *out_ed25519 (may be NULL) says which key passed. */
int ghl_webhook_verify(ghl_hint *out, bool *out_ed25519, const ghl_webhook_verifier *v,
                       const char *ed_sig, const char *rsa_sig, const void *body, size_t len,
                       int64_t now_ms, err *e);

#endif
