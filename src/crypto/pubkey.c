/* pubkey.c: loads webhook public keys from configuration: inline PEM, base64 SPKI, or a file. */
#include "crypto/codec.h"
#include "crypto/fileio.h"
#include "crypto/pubkey_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* Public key files are small; anything larger is not one. */
#define PUBKEY_FILE_MAX (64 * 1024)
/* An RSA-16384 SPKI is about 2 KB of DER. */
#define PUBKEY_DER_MAX 4096
#define PATH_MAX_LEN 4096

static const char PEM_BEGIN[] = "-----BEGIN";

static int pubkey_wrap(crypto_pubkey **out, EVP_PKEY *pkey, const char *name, err *e)
{
    if (!EVP_PKEY_is_a(pkey, "ED25519") && !EVP_PKEY_is_a(pkey, "RSA")) {
        const char *type = EVP_PKEY_get0_type_name(pkey);
        EVP_PKEY_free(pkey);
        return err_set(e, ERR_CONFIG,
                       "%s: key type %s is not supported: give an Ed25519 or RSA key", name,
                       type ? type : "unknown");
    }
    crypto_pubkey *k = malloc(sizeof *k);
    if (!k) {
        EVP_PKEY_free(pkey);
        return err_set(e, ERR_NOMEM, "%s: out of memory", name);
    }
    k->pkey = pkey;
    *out = k;
    return 0;
}

/* PEM text: a PUBLIC KEY block (SubjectPublicKeyInfo); text before the block is allowed. */
static EVP_PKEY *from_pem(const char *text, size_t len)
{
    BIO *bio = BIO_new_mem_buf(text, (int)len);
    if (!bio)
        return NULL;
    EVP_PKEY *pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    ERR_clear_error();
    return pkey;
}

/* Base64 of a DER SubjectPublicKeyInfo, with nothing after the structure. */
static EVP_PKEY *from_b64_spki(const char *text, size_t len, bool *was_base64)
{
    unsigned char der[PUBKEY_DER_MAX];
    size_t der_len = 0;
    *was_base64 = crypto_b64_decode(der, sizeof der, &der_len, text, len, NULL) == 0;
    if (!*was_base64 || der_len == 0)
        return NULL;
    const unsigned char *p = der;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)der_len);
    if (pkey && p != der + der_len) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    ERR_clear_error();
    return pkey;
}

/* Why key text could not be read. */
static const char *const WHY[] = {
    "the PEM text holds no readable PUBLIC KEY block",
    "the base64 does not decode to a DER SubjectPublicKeyInfo",
    "the value is neither PEM nor base64",
};
enum { WHY_PEM, WHY_DER, WHY_NOT_B64 };

static bool looks_pem(const char *text, size_t len)
{
    return len >= sizeof PEM_BEGIN - 1 && memcmp(text, PEM_BEGIN, sizeof PEM_BEGIN - 1) == 0;
}

/* Parses key text in either form; *why tells what went wrong. */
static EVP_PKEY *from_text(const char *text, size_t len, int *why)
{
    crypto_trim(&text, &len);
    if (looks_pem(text, len)) {
        *why = WHY_PEM;
        return from_pem(text, len);
    }
    bool was_base64 = false;
    EVP_PKEY *pkey = from_b64_spki(text, len, &was_base64);
    *why = was_base64 ? WHY_DER : WHY_NOT_B64;
    return pkey;
}

/* Reads the key file at path. Returns 1 when there is no regular file to read there (*errnum
 * says why), so that the value may still be inline base64; else 0 with *pkey set, or an error. */
static int from_file(EVP_PKEY **pkey, int *errnum, const char *name, const char *path, err *e)
{
    /* O_NONBLOCK: a FIFO named here must not hang the start-up; it is refused below. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *errnum = fd < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        if (fd >= 0)
            close(fd);
        return 1;
    }
    char *data = malloc(PUBKEY_FILE_MAX);
    size_t len = 0;
    int rc = data ? crypto_read_fd(fd, (unsigned char *)data, PUBKEY_FILE_MAX, &len) : ERR_NOMEM;
    int saved = errno;
    close(fd);
    int why = 0;
    char reason[128];
    if (rc == 0 && !(*pkey = from_text(data, len, &why)))
        rc = err_set(e, ERR_CONFIG, "%s: not a PEM file nor base64 SPKI: %s: %s", name, path,
                     WHY[why]);
    else if (rc == ERR_LIMIT)
        rc = err_set(e, ERR_CONFIG, "%s: not a PEM file nor base64 SPKI: %s is over %d bytes", name,
                     path, PUBKEY_FILE_MAX);
    else if (rc == ERR_IO)
        rc = err_set(e, ERR_CONFIG, "%s: cannot read %s: %s", name, path,
                     crypto_strerror(saved, reason, sizeof reason));
    else if (rc == ERR_NOMEM)
        rc = err_set(e, ERR_NOMEM, "%s: out of memory", name);
    free(data);
    return rc;
}

int crypto_pubkey_load_named(crypto_pubkey **out, const char *name, const char *value_or_path,
                             err *e)
{
    const char *v = value_or_path ? value_or_path : "";
    size_t len = strlen(v);
    crypto_trim(&v, &len);
    if (len == 0)
        return err_set(e, ERR_CONFIG, "%s: not a PEM file nor base64 SPKI: the value is empty",
                       name);
    EVP_PKEY *pkey = NULL;
    int errnum = 0;
    /* A one-line value may name a file; an existing file is read before trying base64. */
    bool maybe_path = !looks_pem(v, len) && !memchr(v, '\n', len) && len < PATH_MAX_LEN;
    if (maybe_path) {
        char path[PATH_MAX_LEN];
        snprintf(path, sizeof path, "%.*s", (int)len, v);
        int rc = from_file(&pkey, &errnum, name, path, e);
        if (rc <= 0)
            return rc ? rc : pubkey_wrap(out, pkey, name, e);
    }
    int why = 0;
    if ((pkey = from_text(v, len, &why)) != NULL)
        return pubkey_wrap(out, pkey, name, e);
    if (maybe_path && why == WHY_NOT_B64) {
        char reason[128];
        return err_set(e, ERR_CONFIG,
                       "%s: not a PEM file nor base64 SPKI: cannot open '%.*s' (%s), and the "
                       "value is not base64 either",
                       name, (int)PS_MIN(len, 200), v,
                       crypto_strerror(errnum, reason, sizeof reason));
    }
    return err_set(e, ERR_CONFIG, "%s: not a PEM file nor base64 SPKI: %s", name, WHY[why]);
}

int crypto_pubkey_load(crypto_pubkey **out, const char *value_or_path, err *e)
{
    return crypto_pubkey_load_named(out, "webhook_public_key", value_or_path, e);
}

int crypto_pubkey_ghl_default(crypto_pubkey **out, crypto_sig_alg alg, err *e)
{
    bool rsa = alg == CRYPTO_SIG_RSA_SHA256;
    if (!rsa && alg != CRYPTO_SIG_ED25519)
        return err_set(e, ERR_INVALID, "HighLevel publishes keys for ed25519 and rsa-sha256 only");
    const char *pem = rsa ? CRYPTO_GHL_DEFAULT_RSA_KEY_PEM : CRYPTO_GHL_DEFAULT_ED25519_KEY_PEM;
    const char *name = rsa ? "webhook_rsa_public_key" : "webhook_public_key";
    if (pem[0] == '\0')
        return err_set(e, ERR_CONFIG,
                       "%s: HighLevel's published key is not built into this version: set %s to "
                       "the key from HighLevel's webhook documentation (a PEM file path or base64)",
                       name, name);
    return crypto_pubkey_load_named(out, name, pem, e);
}

void crypto_pubkey_free(crypto_pubkey *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}

const char *crypto_pubkey_type(const crypto_pubkey *k)
{
    return EVP_PKEY_is_a(k->pkey, "ED25519") ? "ED25519" : "RSA";
}
