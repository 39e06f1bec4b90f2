/* fuzz_tz.c: tz_parse on arbitrary bytes as a TZif file, and the same bytes as a POSIX TZ rule:
 * a zone is either refused with a reason or answers offsets within a day of UTC at any time. */
#include "fuzz/fuzz.h"
#include "util/tz.h"

static void check_zone(tz_zone *z)
{
    /* From before 1900 to past 2100, both sides of any file's last transition. */
    for (int64_t t = -INT64_C(2500000000); t < INT64_C(4200000000); t += INT64_C(86400) * 97) {
        int32_t off = tz_offset_at(z, t);
        if (off < -26 * 3600 || off > 26 * 3600)
            abort();
    }
    int minutes = 0;
    if (tz_offset_minutes(z, -1, &minutes) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tz_zone *z = NULL;
    err e = {0};
    if (tz_parse(&z, data, size, &e) == 0)
        check_zone(z);
    else if (z || !e.msg[0])
        abort();
    tz_free(z);
    z = NULL;
    char rule[128];
    size_t n = size < sizeof rule - 1 ? size : sizeof rule - 1;
    memcpy(rule, data, n);
    rule[n] = '\0';
    if (tz_parse_posix(&z, rule, &e) == 0)
        check_zone(z);
    else if (z || !e.msg[0])
        abort();
    tz_free(z);
    return 0;
}
