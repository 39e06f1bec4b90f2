/* common.h: included first by every pheedsync source file; bans the unsafe libc calls. */
#ifndef PHEEDSYNC_COMMON_H
#define PHEEDSYNC_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define PS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define PS_MAX(a, b) ((a) > (b) ? (a) : (b))

#if defined(__GNUC__) && !defined(PHEEDSYNC_NO_POISON)
/* Unbounded or non-reentrant: use buf_addf, snprintf, strtol, gmtime_r instead. */
#pragma GCC poison sprintf vsprintf strcpy strcat strtok atoi atol gmtime localtime gets
#endif

#endif
