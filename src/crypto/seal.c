/* seal.c: AES-256-GCM sealing of secrets at rest, as self-describing "v1:" text. */
#include "crypto/codec.h"
#include "crypto/seal.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

/* The purpose strings are short labels; a bound keeps the int conversions below safe. */
#define AAD_MAX 4096
#define OVERHEAD (CRYPTO_SEAL_NONCE_LEN + CRYPTO_SEAL_TAG_LEN)
#define PREFIX_LEN (sizeof CRYPTO_SEAL_PREFIX - 1)

static const char MODIFIED[] = "sealed value was modified or the key is wrong";

struct crypto_key {
    unsigned char k[CRYPTO_SEAL_KEY_LEN];
};

int crypto_key_from_raw(crypto_key **out, const unsigned char raw[CRYPTO_SEAL_KEY_LEN], err *e)
{
    crypto_key *k = OPENSSL_malloc(sizeof *k);
    if (!k)
        return err_set(e, ERR_NOMEM, "sealing key: out of memory");
    memcpy(k->k, raw, sizeof k->k);
    *out = k;
    return 0;
}

void crypto_key_free(crypto_key *k)
{
    OPENSSL_clear_free(k, sizeof *k);
}

bool crypto_is_sealed(const char *s, size_t len)
{
    return len >= PREFIX_LEN && memcmp(s, CRYPTO_SEAL_PREFIX, PREFIX_LEN) == 0;
}

void crypto_secret_free(char *p, size_t len)
{
    if (p)
        OPENSSL_clear_free(p, len + 1);
}

/* A GCM context keyed and fed the associated data; NULL on failure. */
static EVP_CIPHER_CTX *gcm_start(bool enc, const crypto_key *k, const unsigned char *nonce,
                                 const char *aad)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    size_t aad_len = aad ? strlen(aad) : 0;
    int n = 0;
    if (!ctx || EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, CRYPTO_SEAL_NONCE_LEN, NULL) != 1 ||
        EVP_CipherInit_ex(ctx, NULL, NULL, k->k, nonce, enc) != 1 ||
        (aad_len &&
         EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)aad_len) != 1)) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* raw = nonce | ciphertext | tag, for len bytes of plaintext. */
static int seal_raw(unsigned char *raw, const crypto_key *k, const void *plaintext, size_t len,
                    const char *aad)
{
    if (RAND_bytes(raw, CRYPTO_SEAL_NONCE_LEN) != 1)
        return ERR_CRYPTO;
    EVP_CIPHER_CTX *ctx = gcm_start(true, k, raw, aad);
    unsigned char *ct = raw + CRYPTO_SEAL_NONCE_LEN;
    int n = 0, fin = 0;
    bool ok = ctx && (len == 0 || EVP_EncryptUpdate(ctx, ct, &n, plaintext, (int)len) == 1) &&
              EVP_EncryptFinal_ex(ctx, ct + n, &fin) == 1 && (size_t)n + (size_t)fin == len &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CRYPTO_SEAL_TAG_LEN, ct + len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? 0 : ERR_CRYPTO;
}

int crypto_seal(buf *out, const crypto_key *k, const void *plaintext, size_t len, const char *aad,
                err *e)
{
    if (!k || (!plaintext && len))
        return err_set(e, ERR_INVALID, "seal: no key or no plaintext");
    if (len > CRYPTO_SEAL_MAX_PLAINTEXT)
        return err_set(e, ERR_LIMIT, "seal: %zu bytes; at most %d can be sealed", len,
                       CRYPTO_SEAL_MAX_PLAINTEXT);
    if (aad && strnlen(aad, AAD_MAX + 1) > AAD_MAX)
        return err_set(e, ERR_INVALID, "seal: the purpose string is over %d bytes", AAD_MAX);
    unsigned char *raw = malloc(len + OVERHEAD);
    if (!raw)
        return err_set(e, ERR_NOMEM, "seal: out of memory");
    int rc = seal_raw(raw, k, plaintext, len, aad);
    buf text;
    buf_init(&text, SIZE_MAX);
    if (rc == 0 && ((rc = buf_addstr(&text, CRYPTO_SEAL_PREFIX)) != 0 ||
                    (rc = crypto_b64_encode(&text, raw, len + OVERHEAD)) != 0 ||
                    (rc = buf_add(out, text.ptr, text.len)) != 0))
        err_set(e, rc, "seal: the sealed value does not fit (%s)", err_code_name(rc));
    else if (rc)
        err_set(e, rc, "seal: AES-256-GCM failed");
    buf_free(&text);
    free(raw);
    ERR_clear_error();
    return rc;
}

/* Why a blob without our prefix is not read. */
static int not_sealed(const char *blob, size_t blob_len, err *e)
{
    size_t n = 0;
    while (n < blob_len && n < 8 && blob[n] != ':')
        n++;
    bool versioned = n >= 2 && n < blob_len && blob[0] == 'v';
    for (size_t i = 1; versioned && i < n; i++)
        versioned = blob[i] >= '0' && blob[i] <= '9';
    if (versioned)
        return err_set(e, ERR_PARSE, "sealed value has format %.*s, this version reads %.*s",
                       (int)n, blob, (int)PREFIX_LEN - 1, CRYPTO_SEAL_PREFIX);
    return err_set(e, ERR_PARSE, "not a sealed value: no %s prefix", CRYPTO_SEAL_PREFIX);
}

/* Decrypts raw (nonce | ciphertext | tag) into pt, which holds the ciphertext's length. */
static int open_raw(unsigned char *pt, const crypto_key *k, const unsigned char *raw,
                    size_t raw_len, const char *aad)
{
    size_t ct_len = raw_len - OVERHEAD;
    const unsigned char *ct = raw + CRYPTO_SEAL_NONCE_LEN;
    unsigned char tag[CRYPTO_SEAL_TAG_LEN];
    memcpy(tag, ct + ct_len, sizeof tag);
    EVP_CIPHER_CTX *ctx = gcm_start(false, k, raw, aad);
    int n = 0, fin = 0;
    /* The tag is checked by the final call; no plaintext is used before it passes. */
    int ok = ctx && (ct_len == 0 || EVP_DecryptUpdate(ctx, pt, &n, ct, (int)ct_len) == 1) &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, sizeof tag, tag) == 1 &&
             EVP_DecryptFinal_ex(ctx, pt + n, &fin) == 1 && (size_t)n + (size_t)fin == ct_len;
    EVP_CIPHER_CTX_free(ctx);
    ERR_clear_error();
    return ok ? 0 : ERR_AUTH;
}

int crypto_open(char **out, size_t *out_len, const crypto_key *k, const char *blob, size_t blob_len,
                const char *aad, err *e)
{
    if (!k || (!blob && blob_len))
        return err_set(e, ERR_INVALID, "open: no key or no sealed value");
    if (!crypto_is_sealed(blob, blob_len))
        return not_sealed(blob, blob_len, e);
    if (aad && strnlen(aad, AAD_MAX + 1) > AAD_MAX)
        return err_set(e, ERR_INVALID, "open: the purpose string is over %d bytes", AAD_MAX);
    const char *text = blob + PREFIX_LEN;
    size_t text_len = blob_len - PREFIX_LEN;
    if (text_len > crypto_b64_encoded_len(CRYPTO_SEAL_MAX_PLAINTEXT + OVERHEAD))
        return err_set(e, ERR_AUTH, "%s (longer than any sealed value)", MODIFIED);
    size_t cap = text_len / 4 * 3, raw_len = 0;
    unsigned char *raw = malloc(cap ? cap : 1);
    if (!raw)
        return err_set(e, ERR_NOMEM, "open: out of memory");
    int rc = crypto_b64_decode(raw, cap, &raw_len, text, text_len, NULL);
    char *pt = NULL;
    if (rc)
        rc = err_set(e, ERR_AUTH, "%s (not valid base64)", MODIFIED);
    else if (raw_len < OVERHEAD)
        rc = err_set(e, ERR_AUTH, "%s (too short)", MODIFIED);
    else if (!(pt = OPENSSL_malloc(raw_len - OVERHEAD + 1)))
        rc = err_set(e, ERR_NOMEM, "open: out of memory");
    else if ((rc = open_raw((unsigned char *)pt, k, raw, raw_len, aad)) != 0) {
        OPENSSL_clear_free(pt, raw_len - OVERHEAD + 1);
        rc = err_set(e, ERR_AUTH, "%s", MODIFIED);
    } else {
        pt[raw_len - OVERHEAD] = '\0';
        *out = pt;
        *out_len = raw_len - OVERHEAD;
    }
    free(raw);
    return rc;
}
