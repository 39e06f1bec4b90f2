/* fuzz_ghl_auth.c: the HighLevel emulator's OAuth input parsing: an Authorization header (the
 * bytes before the first newline) and a /oauth/token form body (the rest). */
#include "fuzz/fuzz.h"
#include "sandbox/ghl/ghl_auth_int.h"

static void check_header(sbx_ghl_auth *a, const uint8_t *data, size_t size)
{
    char *h = malloc(size + 1);
    if (!h)
        return;
    memcpy(h, data, size);
    h[size] = '\0';
    size_t start, len;
    if (sbx_ghl_auth_parse_bearer(h, size, &start, &len) && (start + len > size || len == 0))
        abort();
    http_response res;
    http_response_init(&res, 1 << 16);
    char loc[64];
    /* Every token is unknown here, so nothing may pass. */
    if (sbx_ghl_auth_check_authorization(a, h, "contacts.readonly", loc, sizeof loc, &res) ||
        res.status != 401)
        abort();
    http_response_clear(&res);
    free(h);
}

static void token_body(sbx_ghl_auth *a, const uint8_t *data, size_t size)
{
    http_response res;
    http_response_init(&res, 1 << 16);
    sbx_ghl_auth_token_body(a, "application/x-www-form-urlencoded", (const char *)data, size, &res);
    if (res.status != 200 && res.status != 400 && res.status != 401)
        abort();
    http_response_clear(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static clock_source clock;
    clock_fake_init(&clock, INT64_C(1795823940000));
    sbx_ghl_auth_options o = {.client_secret = "s", .clock = &clock, .seed = 1};
    sbx_ghl_auth *a = NULL;
    if (sbx_ghl_auth_new(&a, &o, NULL) != 0)
        return 0;
    sbx_ghl_auth_add_location(a, "ve9EPM428h8vShlRW1KT", "Main", NULL);
    const uint8_t *nl = memchr(data, '\n', size);
    size_t head = nl ? (size_t)(nl - data) : size;
    check_header(a, data, head);
    if (nl)
        token_body(a, nl + 1, size - head - 1);
    sbx_ghl_auth_free(a);
    return 0;
}
