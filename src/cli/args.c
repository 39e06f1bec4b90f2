/* args.c: strict parsing of command-line values. */
#include "cli/args.h"

#include <errno.h>

int args_parse_int(int64_t *out, const char *option, const char *value, int64_t min, int64_t max,
                   err *e)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno || end == value || *end != '\0' || v < min || v > max)
        return err_set(e, ERR_INVALID, "%s: '%s' is not a whole number in [%lld, %lld]", option,
                       value, (long long)min, (long long)max);
    *out = v;
    return 0;
}

int args_parse_port(uint16_t *out, const char *option, const char *value, err *e)
{
    int64_t v = 0;
    int rc = args_parse_int(&v, option, value, 0, 65535, e);
    if (rc)
        return rc;
    *out = (uint16_t)v;
    return 0;
}
