/* fuzz_http_answer.c: what the HTTP client reads from a server: header lines (X-RateLimit-*,
 * Retry-After in both forms) and the error classification of a body. Input: a status byte, then
 * header lines, a blank line, and the body. */
#include "fuzz/fuzz.h"
#include "net/http_client_internal.h"

static const int statuses[] = {200, 201, 400, 401, 403, 404, 409, 422, 429, 500, 503, 302};

static void check_error(const api_error *ae)
{
    if (strnlen(ae->message, sizeof ae->message) >= sizeof ae->message ||
        strnlen(ae->existing_id, sizeof ae->existing_id) >= sizeof ae->existing_id ||
        (unsigned)ae->kind > API_ERR_PERMANENT)
        abort();
    (void)api_error_is_retryable(ae->kind);
    (void)api_error_code(ae);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int status = statuses[data[0] % PS_ARRAY_LEN(statuses)];
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    http_client_response res;
    http_client_response_init(&res);
    /* Header lines up to an empty one; each is handed over as libcurl would: CRLF included. */
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        if (len <= 2 && (*p == '\n' || *p == '\r')) {
            p += len;
            break;
        }
        http_client_header_line(&res, p, len, 784111777000);
        p += len;
    }
    for (size_t i = 0; i < res.n_headers; i++)
        (void)http_client_response_header(&res, "x-ratelimit-remaining");
    if (res.rate.retry_after_ms < -1 || res.rate.max < -1 || res.rate.remaining < -1)
        abort();
    api_error ae;
    api_error_classify(&ae, status, API_TRANSPORT_NONE, p, (size_t)(end - p));
    check_error(&ae);
    int64_t ms;
    (void)retry_parse_retry_after(&ms, (const char *)data, size, 784111777000, NULL);
    http_client_response_clear(&res);
    return 0;
}
