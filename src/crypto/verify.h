/* verify.h: webhook signature checks over the raw body: Ed25519, RSA-SHA256 and HMAC. */
#ifndef PHEEDSYNC_CRYPTO_VERIFY_H
#define PHEEDSYNC_CRYPTO_VERIFY_H

#include "util/err.h"

typedef enum crypto_sig_alg {
    CRYPTO_SIG_ED25519,     /* HighLevel X-GHL-Signature: base64 of a pure Ed25519 signature */
    CRYPTO_SIG_RSA_SHA256,  /* HighLevel X-WH-Signature (legacy): base64, RSASSA-PKCS1-v1_5 */
    CRYPTO_SIG_HMAC_SHA256, /* shared secret (PheedLoop, assumed): hex or base64 */
    CRYPTO_SIG_HMAC_SHA1,
    CRYPTO_SIG_HMAC_SHA512,
} crypto_sig_alg;

typedef enum crypto_sig_encoding {
    CRYPTO_SIG_HEX,    /* either case */
    CRYPTO_SIG_BASE64, /* strict, see crypto_b64_decode */
} crypto_sig_encoding;

/* The longest header value looked at; an RSA-8192 signature in base64 is 1368 characters. */
#define CRYPTO_SIG_HEADER_MAX 2048
/* Smaller RSA keys are refused when a verifier is made. */
#define CRYPTO_RSA_MIN_BITS 2048

/* PLACEHOLDER: HighLevel publishes the RSA public key that signs X-WH-Signature in its webhook
 * documentation; the repository has no copy, so this stays empty until someone pastes the
 * published PEM ("-----BEGIN PUBLIC KEY-----" ...) here from HighLevel's own page. While it is
 * empty, an RSA verifier without a configured key fails with a clear configuration error.
 * [ghl] webhook_rsa_public_key overrides it in every case. */
#define CRYPTO_GHL_DEFAULT_RSA_KEY_PEM ""
/* PLACEHOLDER, likewise for the Ed25519 key behind X-GHL-Signature ([ghl] webhook_public_key
 * overrides it). */
#define CRYPTO_GHL_DEFAULT_ED25519_KEY_PEM ""

/* A public key: Ed25519 or RSA. Immutable once loaded; safe to share between threads. */
typedef struct crypto_pubkey crypto_pubkey;

/* Loads a key from configuration: value_or_path is the inline PEM text, the base64 of the DER
 * SubjectPublicKeyInfo, or the path of a file holding either (an existing file wins over a
 * reading as base64). Surrounding whitespace is ignored. Errors are ERR_CONFIG, worded
 * "webhook_public_key: not a PEM file nor base64 SPKI: <why>", or naming an unsupported key
 * type. */
int crypto_pubkey_load(crypto_pubkey **out, const char *value_or_path, err *e);
/* The same with the configuration key's name in messages ("webhook_rsa_public_key"). */
int crypto_pubkey_load_named(crypto_pubkey **out, const char *name, const char *value_or_path,
                             err *e);
/* HighLevel's published key for alg (ED25519 or RSA_SHA256); ERR_CONFIG while the built-in
 * constant is still a placeholder. */
int crypto_pubkey_ghl_default(crypto_pubkey **out, crypto_sig_alg alg, err *e);
void crypto_pubkey_free(crypto_pubkey *k);
/* "ED25519" or "RSA". */
const char *crypto_pubkey_type(const crypto_pubkey *k);

/* A configured check: algorithm, key or secret, encoding. Immutable; crypto_verify_webhook
 * may run on it from many threads at once. */
typedef struct crypto_webhook_verifier crypto_webhook_verifier;

/* For CRYPTO_SIG_ED25519 or CRYPTO_SIG_RSA_SHA256; the key's type must match the algorithm
 * and RSA keys need CRYPTO_RSA_MIN_BITS. The verifier keeps its own reference to key. */
int crypto_verifier_new_pubkey(crypto_webhook_verifier **out, crypto_sig_alg alg,
                               const crypto_pubkey *key, err *e);
/* For the HMAC algorithms; the secret (not empty) is copied and wiped on free. */
int crypto_verifier_new_hmac(crypto_webhook_verifier **out, crypto_sig_alg alg, const void *secret,
                             size_t secret_len, crypto_sig_encoding enc, err *e);
void crypto_verifier_free(crypto_webhook_verifier *v);

/* Checks sig_header_value (the header's value as a C string; NULL when the header is absent)
 * against body[0, len), the raw bytes as received. Spaces and tabs around the value are
 * ignored, none inside. HMAC values may carry a prefix naming the hash ("sha256=", any case);
 * a prefix naming another hash is refused. The signature must decode to exactly the expected
 * size. Returns 0 when the signature is good; ERR_AUTH when it is missing, malformed or does
 * not match (answer 401); ERR_CRYPTO or ERR_NOMEM when the check itself failed (answer 5xx so
 * that the sender retries). */
int crypto_verify_webhook(const crypto_webhook_verifier *v, const char *sig_header_value,
                          const void *body, size_t len, err *e);

/* Configuration names: "ed25519", "rsa-sha256", "sha256", "sha1", "sha512" (the HMAC hashes,
 * as in [pheedloop] webhook_algorithm; "hmac-sha256" and the like also read). 0 or
 * ERR_INVALID. */
int crypto_sig_alg_parse(crypto_sig_alg *out, const char *name);
/* "hex" or "base64"; 0 or ERR_INVALID. */
int crypto_sig_encoding_parse(crypto_sig_encoding *out, const char *name);
const char *crypto_sig_alg_name(crypto_sig_alg alg);

#endif
