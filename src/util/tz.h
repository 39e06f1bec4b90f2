/* tz.h: IANA time zones ("America/New_York") read from the system's TZif files, and POSIX TZ
 * rules ("EST5EDT,M3.2.0,M11.1.0"): the offset from UTC at an instant, without touching the
 * process's TZ (setting it is not safe with threads). A zone is immutable once loaded. */
#ifndef PHEEDSYNC_UTIL_TZ_H
#define PHEEDSYNC_UTIL_TZ_H

#include "util/common.h"
#include "util/err.h"

typedef struct tz_zone tz_zone;

/* The zone named name, from $TZDIR or /usr/share/zoneinfo; NULL, "" and "UTC" need no file.
 * ERR_NOT_FOUND when the system has no such zone, ERR_INVALID for a name that is not one
 * ("../x"), ERR_PARSE when its file is not TZif; the message names the zone. */
int tz_load(tz_zone **out, const char *name, err *e);
/* A zone from the bytes of a TZif file (RFC 8536, versions 1 to 4). */
int tz_parse(tz_zone **out, const unsigned char *data, size_t len, err *e);
/* A zone from a POSIX TZ rule alone, as TZif files end with. */
int tz_parse_posix(tz_zone **out, const char *rule, err *e);
void tz_free(tz_zone *z);

/* The zone's offset from UTC, in seconds east, at the instant utc_s (Unix seconds). */
int32_t tz_offset_at(const tz_zone *z, int64_t utc_s);
/* The same in minutes at utc_ms, with the shape of a timezone callback (zone: a tz_zone *);
 * always 0. */
int tz_offset_minutes(void *zone, int64_t utc_ms, int *out_minutes);

#endif
