/* seal.h: secrets at rest: AES-256-GCM sealing bound to a purpose, and the sealing key. */
#ifndef PHEEDSYNC_CRYPTO_SEAL_H
#define PHEEDSYNC_CRYPTO_SEAL_H

#include "util/buf.h"
#include "util/err.h"

#define CRYPTO_SEAL_KEY_LEN 32
/* Where crypto_key_load looks first: base64 of 32 bytes (44 characters) or 64 hex digits. */
#define CRYPTO_SEAL_KEY_ENV "PHEEDSYNC_SEAL_KEY"
/* Every sealed value starts with this; the version names the format below. */
#define CRYPTO_SEAL_PREFIX "v1:"
/* Tokens and keys are small; larger plaintexts are refused. */
#define CRYPTO_SEAL_MAX_PLAINTEXT (64 * 1024)
#define CRYPTO_SEAL_NONCE_LEN 12
#define CRYPTO_SEAL_TAG_LEN 16

/* The 32-byte sealing key; immutable, shareable between threads, wiped on free. */
typedef struct crypto_key crypto_key;

/* The key from PHEEDSYNC_SEAL_KEY when it is set and not empty; else from key_file, which is
 * created (mode 0600, 32 random bytes in base64) when missing and refused when group or others
 * may read or write it ("key file X is readable by others: chmod 600 X"). key_file NULL and no
 * variable: ERR_CONFIG. Errors never show key material. */
int crypto_key_load(crypto_key **out, const char *key_file, err *e);
/* The key from its text form (base64 of 32 bytes or 64 hex digits, surrounding whitespace
 * ignored); what names the source in messages ("PHEEDSYNC_SEAL_KEY", a file). ERR_CONFIG. */
int crypto_key_parse(crypto_key **out, const char *what, const char *text, size_t len, err *e);
int crypto_key_from_raw(crypto_key **out, const unsigned char raw[CRYPTO_SEAL_KEY_LEN], err *e);
void crypto_key_free(crypto_key *k);

/* Appends to out "v1:" + base64(nonce(12) | ciphertext | tag(16)) of plaintext[0, len), with
 * a fresh random nonce. aad (NULL for none) binds the value to its purpose, for example
 * "ghl-token:<location>": it is not stored, and opening needs the same string. The blob is
 * about 4/3 of len + 40 characters. 0, ERR_LIMIT (len over CRYPTO_SEAL_MAX_PLAINTEXT or out
 * full), ERR_NOMEM, ERR_CRYPTO. */
int crypto_seal(buf *out, const crypto_key *k, const void *plaintext, size_t len, const char *aad,
                err *e);
/* Opens blob[0, blob_len) sealed under aad. On success *out is a malloc'd copy of the plaintext
 * with a NUL after its *out_len bytes (tokens read as C strings); release it with
 * crypto_secret_free. ERR_PARSE when the blob is not a sealed value at all (no "v1:"; another
 * version); ERR_AUTH "sealed value was modified or the key is wrong" for any change after the
 * prefix, a wrong key or a wrong aad. */
int crypto_open(char **out, size_t *out_len, const crypto_key *k, const char *blob, size_t blob_len,
                const char *aad, err *e);
/* Wipes then frees a secret of len bytes (plus its NUL) from crypto_open; NULL is safe. */
void crypto_secret_free(char *p, size_t len);
/* True when s[0, len) starts like a sealed value (so that plaintext left by an older version
 * can be told apart and sealed). */
bool crypto_is_sealed(const char *s, size_t len);

#endif
