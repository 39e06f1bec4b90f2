/* fuzz_admin_auth.c: the status page's admin token check and path ids on arbitrary bytes.
 * Input: AUTHORIZATION-HEADER '\n' PATH-ID (each cut at its first NUL, as the server hands them
 * on as C strings). The configured token is fixed: "fuzz-admin-token". */
#include "fuzz/fuzz.h"
#include "ops/admin_http.h"

#define TOKEN "fuzz-admin-token"

static char *part(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t head_len = nl ? (size_t)(nl - data) : size;
    char *header = part(data, head_len);
    char *id_text = nl ? part(nl + 1, size - head_len - 1) : part(data, 0);
    if (!header || !id_text)
        goto out;
    err e = {0};
    int rc = ops_admin_check_bearer(header, TOKEN, &e);
    if (rc != 0 && rc != ERR_AUTH)
        abort();
    /* Accepted only when the token is what the header carries after "Bearer". */
    if (rc == 0 && !strstr(header, TOKEN))
        abort();
    if (ops_admin_check_bearer(header, NULL, &e) != ERR_BAD_STATE)
        abort();
    int64_t id = -1;
    rc = ops_admin_parse_id(&id, id_text, &e);
    if (rc == 0 && (id <= 0 || strspn(id_text, "0123456789") != strlen(id_text)))
        abort();
    if (rc != 0 && (rc != ERR_INVALID || id != -1))
        abort();
out:
    free(header);
    free(id_text);
    return 0;
}
