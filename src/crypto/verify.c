/* verify.c: checks webhook signatures (Ed25519, RSA-SHA256, HMAC) over the raw body. */
#include "crypto/codec.h"
#include "crypto/pubkey_int.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

/* Larger RSA keys would make signatures longer than CRYPTO_SIG_HEADER_MAX allows. */
#define RSA_MAX_BITS 8192
#define SIG_MAX (RSA_MAX_BITS / 8)

struct crypto_webhook_verifier {
    crypto_sig_alg alg;
    crypto_sig_encoding enc;
    size_t sig_len;        /* the exact decoded size a signature must have */
    EVP_PKEY *pkey;        /* Ed25519, RSA */
    EVP_MAC *mac;          /* HMAC */
    char *digest;          /* HMAC hash, OpenSSL's name */
    const char *prefix;    /* HMAC label tolerated before the value ("sha256=") */
    unsigned char *secret; /* HMAC key, wiped on free */
    size_t secret_len;
};

/* OSSL_PARAM wants a mutable string; these never change. */
static char NAME_SHA1[] = "SHA1";
static char NAME_SHA256[] = "SHA256";
static char NAME_SHA512[] = "SHA512";

static const struct {
    crypto_sig_alg alg;
    const char *name;   /* configuration */
    const char *alias;  /* also read */
    const char *prefix; /* HMAC label */
    char *digest;
    size_t mac_len;
} ALGS[] = {
    {CRYPTO_SIG_ED25519, "ed25519", "ed25519", NULL, NULL, 0},
    {CRYPTO_SIG_RSA_SHA256, "rsa-sha256", "rsa", NULL, NULL, 0},
    {CRYPTO_SIG_HMAC_SHA256, "sha256", "hmac-sha256", "sha256=", NAME_SHA256, 32},
    {CRYPTO_SIG_HMAC_SHA1, "sha1", "hmac-sha1", "sha1=", NAME_SHA1, 20},
    {CRYPTO_SIG_HMAC_SHA512, "sha512", "hmac-sha512", "sha512=", NAME_SHA512, 64},
};

static int alg_index(crypto_sig_alg alg)
{
    for (size_t i = 0; i < PS_ARRAY_LEN(ALGS); i++) {
        if (ALGS[i].alg == alg)
            return (int)i;
    }
    return -1;
}

int crypto_sig_alg_parse(crypto_sig_alg *out, const char *name)
{
    for (size_t i = 0; name && i < PS_ARRAY_LEN(ALGS); i++) {
        if (strcasecmp(name, ALGS[i].name) == 0 || strcasecmp(name, ALGS[i].alias) == 0) {
            *out = ALGS[i].alg;
            return 0;
        }
    }
    return ERR_INVALID;
}

int crypto_sig_encoding_parse(crypto_sig_encoding *out, const char *name)
{
    if (name && strcasecmp(name, "hex") == 0)
        *out = CRYPTO_SIG_HEX;
    else if (name && strcasecmp(name, "base64") == 0)
        *out = CRYPTO_SIG_BASE64;
    else
        return ERR_INVALID;
    return 0;
}

const char *crypto_sig_alg_name(crypto_sig_alg alg)
{
    int i = alg_index(alg);
    return i < 0 ? "unknown" : ALGS[i].name;
}

static int pubkey_check(const crypto_pubkey *key, crypto_sig_alg alg, err *e)
{
    bool rsa = alg == CRYPTO_SIG_RSA_SHA256;
    if (!key)
        return err_set(e, ERR_CONFIG, "webhook verifier: no public key");
    if (!EVP_PKEY_is_a(key->pkey, rsa ? "RSA" : "ED25519"))
        return err_set(e, ERR_CONFIG, "webhook verifier: the key is %s, but the algorithm is %s",
                       crypto_pubkey_type(key), crypto_sig_alg_name(alg));
    int bits = EVP_PKEY_get_bits(key->pkey);
    if (rsa && (bits < CRYPTO_RSA_MIN_BITS || bits > RSA_MAX_BITS))
        return err_set(e, ERR_CONFIG,
                       "webhook verifier: RSA key of %d bits; between %d and %d are accepted", bits,
                       CRYPTO_RSA_MIN_BITS, RSA_MAX_BITS);
    return 0;
}

int crypto_verifier_new_pubkey(crypto_webhook_verifier **out, crypto_sig_alg alg,
                               const crypto_pubkey *key, err *e)
{
    if (alg != CRYPTO_SIG_ED25519 && alg != CRYPTO_SIG_RSA_SHA256)
        return err_set(e, ERR_INVALID, "webhook verifier: %s is not a public key algorithm",
                       crypto_sig_alg_name(alg));
    int rc = pubkey_check(key, alg, e);
    if (rc)
        return rc;
    crypto_webhook_verifier *v = calloc(1, sizeof *v);
    if (!v)
        return err_set(e, ERR_NOMEM, "webhook verifier: out of memory");
    if (EVP_PKEY_up_ref(key->pkey) != 1) {
        free(v);
        return err_set(e, ERR_CRYPTO, "webhook verifier: cannot reference the key");
    }
    v->alg = alg;
    v->enc = CRYPTO_SIG_BASE64;
    v->pkey = key->pkey;
    v->sig_len = (size_t)EVP_PKEY_get_size(key->pkey);
    *out = v;
    return 0;
}

int crypto_verifier_new_hmac(crypto_webhook_verifier **out, crypto_sig_alg alg, const void *secret,
                             size_t secret_len, crypto_sig_encoding enc, err *e)
{
    int i = alg_index(alg);
    if (i < 0 || !ALGS[i].digest)
        return err_set(e, ERR_INVALID, "webhook verifier: %s is not an HMAC algorithm",
                       crypto_sig_alg_name(alg));
    if (!secret || secret_len == 0)
        return err_set(e, ERR_CONFIG, "webhook verifier: the shared secret is empty");
    if (enc != CRYPTO_SIG_HEX && enc != CRYPTO_SIG_BASE64)
        return err_set(e, ERR_INVALID, "webhook verifier: unknown signature encoding");
    crypto_webhook_verifier *v = calloc(1, sizeof *v);
    if (!v)
        return err_set(e, ERR_NOMEM, "webhook verifier: out of memory");
    v->alg = alg;
    v->enc = enc;
    v->sig_len = ALGS[i].mac_len;
    v->digest = ALGS[i].digest;
    v->prefix = ALGS[i].prefix;
    v->secret = OPENSSL_malloc(secret_len);
    v->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (!v->secret || !v->mac) {
        crypto_verifier_free(v);
        ERR_clear_error();
        return err_set(e, ERR_CRYPTO, "webhook verifier: HMAC is not available");
    }
    memcpy(v->secret, secret, secret_len);
    v->secret_len = secret_len;
    *out = v;
    return 0;
}

void crypto_verifier_free(crypto_webhook_verifier *v)
{
    if (!v)
        return;
    EVP_PKEY_free(v->pkey);
    EVP_MAC_free(v->mac);
    OPENSSL_clear_free(v->secret, v->secret_len);
    free(v);
}

/* The header value without surrounding spaces and tabs, bounded. */
static int header_slice(const char *h, const char **s, size_t *len, err *e)
{
    if (!h)
        return err_set(e, ERR_AUTH, "webhook signature: the header is missing");
    size_t n = strnlen(h, CRYPTO_SIG_HEADER_MAX + 1);
    if (n > CRYPTO_SIG_HEADER_MAX)
        return err_set(e, ERR_AUTH, "webhook signature: longer than %d characters",
                       CRYPTO_SIG_HEADER_MAX);
    while (n && (*h == ' ' || *h == '\t')) {
        h++;
        n--;
    }
    while (n && (h[n - 1] == ' ' || h[n - 1] == '\t'))
        n--;
    if (n == 0)
        return err_set(e, ERR_AUTH, "webhook signature: the header is empty");
    *s = h;
    *len = n;
    return 0;
}

/* Drops an HMAC label naming our hash; refuses one naming another. */
static int strip_label(const crypto_webhook_verifier *v, const char **s, size_t *len, err *e)
{
    for (size_t i = 0; i < PS_ARRAY_LEN(ALGS); i++) {
        const char *p = ALGS[i].prefix;
        size_t plen = p ? strlen(p) : 0;
        if (!p || *len < plen || strncasecmp(*s, p, plen) != 0)
            continue;
        if (p != v->prefix)
            return err_set(e, ERR_AUTH, "webhook signature: labelled %.*s, expected %s",
                           (int)plen - 1, p, ALGS[alg_index(v->alg)].name);
        *s += plen;
        *len -= plen;
        return 0;
    }
    return 0;
}

/* Decodes the signature into sig, which must come out exactly v->sig_len bytes. */
static int decode_sig(const crypto_webhook_verifier *v, unsigned char *sig, const char *s,
                      size_t len, err *e)
{
    size_t n = 0;
    int rc = v->enc == CRYPTO_SIG_HEX ? crypto_hex_decode(sig, SIG_MAX, &n, s, len, e)
                                      : crypto_b64_decode(sig, SIG_MAX, &n, s, len, e);
    if (rc) {
        err_wrap(e, "webhook signature: ");
        if (e)
            e->code = ERR_AUTH;
        return ERR_AUTH;
    }
    if (n != v->sig_len)
        return err_set(e, ERR_AUTH, "webhook signature: %zu bytes, expected %zu", n, v->sig_len);
    return 0;
}

static int check_pubkey(const crypto_webhook_verifier *v, const unsigned char *sig,
                        const unsigned char *body, size_t len, err *e)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    bool rsa = v->alg == CRYPTO_SIG_RSA_SHA256;
    int rc = 0;
    if (!ctx || EVP_DigestVerifyInit(ctx, &pctx, rsa ? EVP_sha256() : NULL, NULL, v->pkey) != 1 ||
        (rsa && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0))
        rc = err_set(e, ERR_CRYPTO, "webhook signature: %s verification could not start",
                     crypto_sig_alg_name(v->alg));
    /* Anything but success is the sender's fault: malformed values fail here too. */
    else if (EVP_DigestVerify(ctx, sig, v->sig_len, body, len) != 1)
        rc = err_set(e, ERR_AUTH, "webhook signature: does not match the body (%s)",
                     crypto_sig_alg_name(v->alg));
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return rc;
}

static int check_hmac(const crypto_webhook_verifier *v, const unsigned char *sig,
                      const unsigned char *body, size_t len, err *e)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, v->digest, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(v->mac);
    int rc = 0;
    if (!ctx || EVP_MAC_init(ctx, v->secret, v->secret_len, params) != 1 ||
        EVP_MAC_update(ctx, body, len) != 1 || EVP_MAC_final(ctx, mac, &mac_len, sizeof mac) != 1 ||
        mac_len != v->sig_len)
        rc = err_set(e, ERR_CRYPTO, "webhook signature: computing the HMAC failed");
    else if (CRYPTO_memcmp(mac, sig, mac_len) != 0)
        rc = err_set(e, ERR_AUTH, "webhook signature: does not match the body (hmac-%s)",
                     crypto_sig_alg_name(v->alg));
    EVP_MAC_CTX_free(ctx);
    OPENSSL_cleanse(mac, sizeof mac);
    ERR_clear_error();
    return rc;
}

int crypto_verify_webhook(const crypto_webhook_verifier *v, const char *sig_header_value,
                          const void *body, size_t len, err *e)
{
    if (!body && len)
        return err_set(e, ERR_INVALID, "webhook signature: no body");
    const char *s = NULL;
    size_t n = 0;
    int rc = header_slice(sig_header_value, &s, &n, e);
    if (!rc && v->prefix)
        rc = strip_label(v, &s, &n, e);
    unsigned char sig[SIG_MAX];
    if (!rc)
        rc = decode_sig(v, sig, s, n, e);
    if (rc)
        return rc;
    /* The one-shot calls want a pointer even for an empty body. */
    const unsigned char *msg = body ? body : (const unsigned char *)"";
    return v->pkey ? check_pubkey(v, sig, msg, len, e) : check_hmac(v, sig, msg, len, e);
}
