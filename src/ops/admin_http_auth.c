/* admin_http_auth.c: the admin token check (constant time) and path ids, kept apart from the
 * handlers so that the fuzzer reaches them without a store. */
#include "ops/admin_http.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

/* Hashing both sides first makes the comparison's time independent of the lengths too. */
static bool same_secret(const char *a, size_t a_len, const char *b, size_t b_len)
{
    unsigned char da[EVP_MAX_MD_SIZE], db[EVP_MAX_MD_SIZE];
    unsigned int la = 0, lb = 0;
    if (!EVP_Digest(a, a_len, da, &la, EVP_sha256(), NULL) ||
        !EVP_Digest(b, b_len, db, &lb, EVP_sha256(), NULL) || la != lb)
        return false;
    return CRYPTO_memcmp(da, db, la) == 0;
}

int ops_admin_check_bearer(const char *header, const char *token, err *e)
{
    if (!token || !*token)
        return err_set(e, ERR_BAD_STATE,
                       "admin actions are off: set [server] admin_token (or the environment "
                       "variable PHEEDSYNC_SERVER_ADMIN_TOKEN) and restart pheedsync");
    if (!header)
        return err_set(e, ERR_AUTH, "this needs the admin token (Authorization: Bearer ...)");
    while (*header == ' ' || *header == '\t')
        header++;
    if (strncasecmp(header, "Bearer", 6) != 0 || (header[6] != ' ' && header[6] != '\t'))
        return err_set(e, ERR_AUTH, "the Authorization header is not a Bearer token");
    const char *t = header + 6;
    while (*t == ' ' || *t == '\t')
        t++;
    size_t len = strlen(t);
    while (len > 0 && (t[len - 1] == ' ' || t[len - 1] == '\t'))
        len--;
    if (len == 0 || !same_secret(t, len, token, strlen(token)))
        return err_set(e, ERR_AUTH, "wrong admin token");
    return 0;
}

int ops_admin_parse_id(int64_t *out, const char *s, err *e)
{
    int64_t v = 0;
    size_t n = 0;
    for (; s && s[n]; n++) {
        if (s[n] < '0' || s[n] > '9' || n == 18)
            return err_set(e, ERR_INVALID, "not an id: expected 1 to 18 digits");
        v = v * 10 + (s[n] - '0');
    }
    if (n == 0 || v == 0)
        return err_set(e, ERR_INVALID, "not an id: expected 1 to 18 digits");
    *out = v;
    return 0;
}
