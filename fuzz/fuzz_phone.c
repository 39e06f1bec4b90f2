/* fuzz_phone.c: core_norm_phone (and the e-mail and name normal forms) on arbitrary bytes: a
 * result is E.164 and a fixed point; a refusal says why. */
#include "fuzz/fuzz.h"
#include "core/normalize.h"

static void check_phone(const uint8_t *data, size_t size, int cc)
{
    char out[CORE_E164_MAX], why[CORE_WHY_MAX];
    int rc = core_norm_phone(out, (const char *)data, size, cc, why);
    if (rc != 0) {
        if (rc != ERR_INVALID || out[0] != '\0' || why[0] == '\0')
            abort();
        return;
    }
    size_t n = strlen(out);
    if (out[0] != '+' || n < 8 || n > 16)
        abort();
    for (size_t i = 1; i < n; i++) {
        if (out[i] < '0' || out[i] > '9')
            abort();
    }
    char again[CORE_E164_MAX];
    if (core_norm_phone(again, out, n, 44, why) != 0 || strcmp(again, out) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_phone(data, size, 1);
    check_phone(data, size, 44);
    check_phone(data, size, 999);
    buf b;
    buf_init(&b, size + 1);
    char why[CORE_WHY_MAX];
    if (core_norm_email(&b, (const char *)data, size, why) == 0 && !memchr(b.ptr, '@', b.len))
        abort();
    buf_free(&b);
    buf first, last;
    buf_init(&first, size + 1);
    buf_init(&last, size + 1);
    if (core_name_split(&first, &last, (const char *)data, size) != 0)
        abort();
    buf_free(&first);
    buf_free(&last);
    return 0;
}
