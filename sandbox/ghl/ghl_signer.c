/* ghl_signer.c: signs the HighLevel emulator's webhook bodies with Ed25519 and RSA-SHA256. */
#include "sandbox/ghl/ghl_signer.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

struct sbx_ghl_signer {
    EVP_PKEY *ed25519;
    EVP_PKEY *rsa;
    char *ed25519_pem;
    char *ed25519_spki_b64;
    char *rsa_pem;
};

/* Standard base64 with padding and no line breaks, malloc'd. */
static char *b64_encode(const unsigned char *data, size_t len)
{
    if (len > (size_t)INT32_MAX / 2)
        return NULL;
    size_t out_len = 4 * ((len + 2) / 3) + 1;
    char *out = malloc(out_len);
    if (!out)
        return NULL;
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

static char *public_pem(EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return NULL;
    char *out = NULL;
    if (PEM_write_bio_PUBKEY(bio, key) == 1) {
        char *data;
        long n = BIO_get_mem_data(bio, &data);
        if (n > 0 && (out = malloc((size_t)n + 1)) != NULL) {
            memcpy(out, data, (size_t)n);
            out[n] = '\0';
        }
    }
    BIO_free(bio);
    return out;
}

static char *public_spki_b64(EVP_PKEY *key)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(key, &der);
    if (n <= 0)
        return NULL;
    char *out = b64_encode(der, (size_t)n);
    OPENSSL_free(der);
    return out;
}

/* Fills the exported forms once the keys exist. */
static int export_keys(sbx_ghl_signer *s, err *e)
{
    s->ed25519_pem = public_pem(s->ed25519);
    s->ed25519_spki_b64 = public_spki_b64(s->ed25519);
    s->rsa_pem = public_pem(s->rsa);
    if (!s->ed25519_pem || !s->ed25519_spki_b64 || !s->rsa_pem)
        return err_set(e, ERR_CRYPTO, "webhook signer: exporting the public keys failed");
    return 0;
}

static int signer_build(sbx_ghl_signer **out, EVP_PKEY *ed25519, err *e)
{
    sbx_ghl_signer *s = calloc(1, sizeof *s);
    if (!s) {
        EVP_PKEY_free(ed25519);
        return err_set(e, ERR_NOMEM, "webhook signer: out of memory");
    }
    s->ed25519 = ed25519;
    if (!s->ed25519) {
        sbx_ghl_signer_free(s);
        return err_set(e, ERR_CRYPTO, "webhook signer: Ed25519 key generation failed");
    }
    s->rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    if (!s->rsa) {
        sbx_ghl_signer_free(s);
        return err_set(e, ERR_CRYPTO, "webhook signer: RSA-2048 key generation failed");
    }
    int rc = export_keys(s, e);
    if (rc) {
        sbx_ghl_signer_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int sbx_ghl_signer_new(sbx_ghl_signer **out, err *e)
{
    return signer_build(out, EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), e);
}

int sbx_ghl_signer_new_with_ed25519_seed(sbx_ghl_signer **out, const unsigned char seed[32], err *e)
{
    return signer_build(out, EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32), e);
}

void sbx_ghl_signer_free(sbx_ghl_signer *s)
{
    if (!s)
        return;
    EVP_PKEY_free(s->ed25519);
    EVP_PKEY_free(s->rsa);
    free(s->ed25519_pem);
    free(s->ed25519_spki_b64);
    free(s->rsa_pem);
    free(s);
}

/* One signature of body, base64; md NULL for Ed25519 (pure, the message is not prehashed). */
static char *sign_b64(EVP_PKEY *key, const EVP_MD *md, const char *body, size_t len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char *sig = NULL;
    char *out = NULL;
    size_t sig_len = 0;
    if (!ctx || EVP_DigestSignInit(ctx, NULL, md, NULL, key) != 1)
        goto done;
    /* EVP_DigestSign wants a non-NULL pointer even for an empty message. */
    const unsigned char *msg = body ? (const unsigned char *)body : (const unsigned char *)"";
    if (EVP_DigestSign(ctx, NULL, &sig_len, msg, len) != 1)
        goto done;
    sig = OPENSSL_malloc(sig_len);
    if (sig && EVP_DigestSign(ctx, sig, &sig_len, msg, len) == 1)
        out = b64_encode(sig, sig_len);
done:
    OPENSSL_free(sig);
    EVP_MD_CTX_free(ctx);
    return out;
}

int sbx_ghl_signer_sign(sbx_ghl_signer *s, const char *body, size_t len, char **ed25519_b64,
                        char **rsa_b64, err *e)
{
    if (!body && len)
        return err_set(e, ERR_INVALID, "webhook signer: no body");
    char *ed = sign_b64(s->ed25519, NULL, body, len);
    char *rsa = sign_b64(s->rsa, EVP_sha256(), body, len);
    if (!ed || !rsa) {
        free(ed);
        free(rsa);
        return err_set(e, ERR_CRYPTO, "webhook signer: signing failed");
    }
    *ed25519_b64 = ed;
    *rsa_b64 = rsa;
    return 0;
}

const char *sbx_ghl_signer_ed25519_pem(const sbx_ghl_signer *s)
{
    return s->ed25519_pem;
}

const char *sbx_ghl_signer_ed25519_spki_b64(const sbx_ghl_signer *s)
{
    return s->ed25519_spki_b64;
}

const char *sbx_ghl_signer_rsa_pem(const sbx_ghl_signer *s)
{
    return s->rsa_pem;
}
