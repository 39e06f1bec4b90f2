/* args.h: strict parsing of command-line values, with messages that name the option. */
#ifndef PHEEDSYNC_ARGS_H
#define PHEEDSYNC_ARGS_H

#include "util/err.h"

/* A decimal integer in [min, max]; the whole string must be the number. */
int args_parse_int(int64_t *out, const char *option, const char *value, int64_t min, int64_t max,
                   err *e);
/* A TCP port; 0 allowed (a free port). */
int args_parse_port(uint16_t *out, const char *option, const char *value, err *e);

#endif
