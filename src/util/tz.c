/* tz.c: time zones from TZif files (RFC 8536) and POSIX TZ rules: offsets from UTC. */
#include "util/tz.h"

#include "util/clock.h"

#include <errno.h>

#define TZ_DIR "/usr/share/zoneinfo"
#define TZ_FILE_MAX (512 * 1024)
#define TZ_NAME_MAX 128
#define TZ_TRANSITIONS_MAX 20000
#define TZ_OFFSET_MAX (26 * 3600) /* RFC 8536 bounds offsets below 25 h; some slack */
#define DAY_S 86400

/* A date of the rule's year. */
typedef struct tz_when {
    char kind;      /* 'J': day 1-365, February 29 never counted; 'D': day 0-365; 'M' */
    int day;        /* J and D */
    int month;      /* M: 1-12 */
    int week;       /* M: 1-5, 5 being the last */
    int weekday;    /* M: 0 (Sunday) - 6 */
    int32_t time_s; /* local time of day; may be negative or past a day (RFC 8536) */
} tz_when;

/* Standard time, and daylight time from start to end each year. */
typedef struct tz_rule {
    int32_t std_off, dst_off; /* seconds east of UTC */
    bool has_dst;
    tz_when start, end;
} tz_rule;

struct tz_zone {
    int64_t *at;   /* transition instants, ascending */
    uint8_t *type; /* the type in force from each */
    size_t n_at;
    int32_t *off; /* offset of each type */
    size_t n_types;
    bool has_rule; /* the rule holds after the last transition */
    tz_rule rule;
};

void tz_free(tz_zone *z)
{
    if (!z)
        return;
    free(z->at);
    free(z->type);
    free(z->off);
    free(z);
}

/* ---------------------------------------------------------------- POSIX rules */

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* "EST" or "<+0330>": at least three characters. */
static bool rule_name(const char **p)
{
    const char *s = *p;
    if (*s == '<') {
        const char *b = ++s;
        while (is_alpha(*s) || is_digit(*s) || *s == '+' || *s == '-')
            s++;
        if (*s != '>' || s - b < 3)
            return false;
        *p = s + 1;
        return true;
    }
    const char *b = s;
    while (is_alpha(*s))
        s++;
    if (s - b < 3)
        return false;
    *p = s;
    return true;
}

static bool number(const char **p, int max_digits, int *out)
{
    int v = 0, n = 0;
    while (n < max_digits && is_digit(**p)) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *out = v;
    return n > 0 && !is_digit(**p);
}

/* [+-]hh[:mm[:ss]], hours at most max_h. */
static bool hms(const char **p, int max_h, int32_t *out)
{
    int sign = 1, h, m = 0, s = 0;
    if (**p == '+' || **p == '-')
        sign = *(*p)++ == '-' ? -1 : 1;
    if (!number(p, 3, &h) || h > max_h)
        return false;
    if (**p == ':') {
        (*p)++;
        if (!number(p, 2, &m) || m > 59)
            return false;
        if (**p == ':') {
            (*p)++;
            if (!number(p, 2, &s) || s > 59)
                return false;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return true;
}

static bool rule_when(const char **p, tz_when *w)
{
    memset(w, 0, sizeof *w);
    bool ok;
    if (**p == 'J') {
        (*p)++;
        w->kind = 'J';
        ok = number(p, 3, &w->day) && w->day >= 1 && w->day <= 365;
    } else if (**p == 'M') {
        (*p)++;
        w->kind = 'M';
        ok = number(p, 2, &w->month) && w->month >= 1 && w->month <= 12 && *(*p)++ == '.' &&
             number(p, 1, &w->week) && w->week >= 1 && w->week <= 5 && *(*p)++ == '.' &&
             number(p, 1, &w->weekday) && w->weekday <= 6;
    } else {
        w->kind = 'D';
        ok = number(p, 3, &w->day) && w->day <= 365;
    }
    w->time_s = 2 * 3600;
    if (ok && **p == '/') {
        (*p)++;
        ok = hms(p, 167, &w->time_s);
    }
    return ok;
}

static bool rule_parse(tz_rule *r, const char *s)
{
    memset(r, 0, sizeof *r);
    int32_t v;
    if (!rule_name(&s) || !hms(&s, 24, &v))
        return false;
    r->std_off = r->dst_off = -v; /* POSIX counts west of UTC */
    if (!*s)
        return true;
    if (!rule_name(&s))
        return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (*s != ',') {
        if (!hms(&s, 24, &v))
            return false;
        r->dst_off = -v;
    }
    /* Without dates the change days are the implementation's choice: no TZif file omits them. */
    return *s++ == ',' && rule_when(&s, &r->start) && *s++ == ',' && rule_when(&s, &r->end) && !*s;
}

static bool leap_year(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The day (since 1970-01-01) w falls on in year y. */
static int64_t when_day(const tz_when *w, int64_t y)
{
    int64_t jan1 = clock_days_from_civil(y, 1, 1);
    if (w->kind == 'J')
        return jan1 + w->day - 1 + (leap_year(y) && w->day >= 60);
    if (w->kind == 'D')
        return jan1 + w->day;
    int64_t first = clock_days_from_civil(y, w->month, 1);
    int64_t next = w->month == 12 ? clock_days_from_civil(y + 1, 1, 1)
                                  : clock_days_from_civil(y, w->month + 1, 1);
    int wd = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    int64_t day = first + (w->weekday - wd + 7) % 7 + (int64_t)(w->week - 1) * 7;
    while (day >= next)
        day -= 7;
    return day;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t year_of_day(int64_t day)
{
    int64_t y = 1970 + floor_div(day * 400, 146097);
    while (clock_days_from_civil(y, 1, 1) > day)
        y--;
    while (clock_days_from_civil(y + 1, 1, 1) <= day)
        y++;
    return y;
}

static int32_t rule_offset(const tz_rule *r, int64_t t)
{
    if (!r->has_dst)
        return r->std_off;
    int64_t y = year_of_day(floor_div(t + r->std_off, DAY_S));
    int64_t start = when_day(&r->start, y) * DAY_S + r->start.time_s - r->std_off;
    int64_t end = when_day(&r->end, y) * DAY_S + r->end.time_s - r->dst_off;
    bool dst = start < end ? t >= start && t < end : !(t >= end && t < start);
    return dst ? r->dst_off : r->std_off;
}

int tz_parse_posix(tz_zone **out, const char *rule, err *e)
{
    tz_rule r;
    if (!rule || !rule_parse(&r, rule))
        return err_set(e, ERR_PARSE, "'%.60s' is not a POSIX TZ rule (e.g. EST5EDT,M3.2.0,M11.1.0)",
                       rule ? rule : "");
    tz_zone *z = calloc(1, sizeof *z);
    if (!z)
        return err_set(e, ERR_NOMEM, "out of memory");
    z->has_rule = true;
    z->rule = r;
    *out = z;
    return 0;
}

/* ---------------------------------------------------------------- TZif */

typedef struct tzif_head {
    char version;
    uint32_t isut, isstd, leap, time, type, chars;
} tzif_head;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static bool read_head(tzif_head *h, const unsigned char *d, size_t len)
{
    if (len < 44 || memcmp(d, "TZif", 4) != 0)
        return false;
    h->version = (char)d[4];
    uint32_t *const counts[] = {&h->isut, &h->isstd, &h->leap, &h->time, &h->type, &h->chars};
    for (size_t i = 0; i < PS_ARRAY_LEN(counts); i++)
        *counts[i] = be32(d + 20 + 4 * i);
    /* Bounds, so that the block size below cannot overflow. */
    return h->type <= 256 && h->chars <= 65536 && h->time <= TZ_TRANSITIONS_MAX &&
           h->leap <= 65536 && h->isstd <= 256 && h->isut <= 256;
}

/* What the block read must hold (a version 1 block before a version 2 one may be empty). */
static bool usable(const tzif_head *h)
{
    return h->type >= 1 && h->chars >= 1 && (h->isstd == 0 || h->isstd == h->type) &&
           (h->isut == 0 || h->isut == h->type);
}

static size_t block_len(const tzif_head *h, size_t tsize)
{
    return h->time * tsize + h->time + h->type * 6 + h->chars + h->leap * (tsize + 4) + h->isstd +
           h->isut;
}

/* The transitions and types of one data block (d: its start, enough bytes checked). */
static int read_block(tz_zone *z, const tzif_head *h, const unsigned char *d, size_t tsize, err *e)
{
    z->n_at = h->time;
    z->n_types = h->type;
    z->at = calloc(h->time ? h->time : 1, sizeof *z->at);
    z->type = calloc(h->time ? h->time : 1, 1);
    z->off = calloc(h->type, sizeof *z->off);
    if (!z->at || !z->type || !z->off)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < h->time; i++) {
        z->at[i] = tsize == 4 ? (int64_t)(int32_t)be32(d + 4 * i) : be64(d + 8 * i);
        if (i && z->at[i] <= z->at[i - 1])
            return err_set(e, ERR_PARSE, "TZif: transitions out of order");
    }
    const unsigned char *types = d + h->time * tsize;
    for (size_t i = 0; i < h->time; i++) {
        if (types[i] >= h->type)
            return err_set(e, ERR_PARSE, "TZif: transition %zu names type %u of %u", i,
                           (unsigned)types[i], (unsigned)h->type);
        z->type[i] = types[i];
    }
    const unsigned char *info = types + h->time;
    for (size_t i = 0; i < h->type; i++) {
        int32_t off = (int32_t)be32(info + 6 * i);
        if (off < -TZ_OFFSET_MAX || off > TZ_OFFSET_MAX)
            return err_set(e, ERR_PARSE, "TZif: type %zu has offset %ld s", i, (long)off);
        z->off[i] = off;
    }
    return 0;
}

/* The rule between the newlines after the version 2 block; an empty one is none. */
static int read_footer(tz_zone *z, const unsigned char *d, size_t len, err *e)
{
    if (len < 2 || d[0] != '\n')
        return err_set(e, ERR_PARSE, "TZif: no footer after the data");
    const unsigned char *nl = memchr(d + 1, '\n', len - 1);
    size_t n = nl ? (size_t)(nl - d - 1) : 0;
    if (!nl || n >= 256)
        return err_set(e, ERR_PARSE, "TZif: the footer is not one line");
    if (n == 0)
        return 0;
    char rule[256];
    memcpy(rule, d + 1, n);
    rule[n] = '\0';
    if (memchr(rule, '\0', n) || !rule_parse(&z->rule, rule))
        return err_set(e, ERR_PARSE, "TZif: footer '%s' is not a POSIX TZ rule", rule);
    z->has_rule = true;
    return 0;
}

static int parse_tzif(tz_zone *z, const unsigned char *data, size_t len, err *e)
{
    tzif_head h;
    if (!read_head(&h, data, len))
        return err_set(e, ERR_PARSE, "not a TZif file (bad magic or counts)");
    size_t pos = 44, n1 = block_len(&h, 4);
    if (len - pos < n1)
        return err_set(e, ERR_PARSE, "TZif: the file ends inside its data");
    if (h.version == '\0')
        return usable(&h) ? read_block(z, &h, data + pos, 4, e)
                          : err_set(e, ERR_PARSE, "TZif: no time types");
    if (h.version < '2' || h.version > '4')
        return err_set(e, ERR_PARSE, "TZif: unknown version %u",
                       (unsigned)(unsigned char)h.version);
    pos += n1;
    if (!read_head(&h, data + pos, len - pos) || !usable(&h))
        return err_set(e, ERR_PARSE, "TZif: bad second header");
    pos += 44;
    size_t n2 = block_len(&h, 8);
    if (len - pos < n2)
        return err_set(e, ERR_PARSE, "TZif: the file ends inside its data");
    int rc = read_block(z, &h, data + pos, 8, e);
    return rc ? rc : read_footer(z, data + pos + n2, len - pos - n2, e);
}

int tz_parse(tz_zone **out, const unsigned char *data, size_t len, err *e)
{
    tz_zone *z = calloc(1, sizeof *z);
    if (!z)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = parse_tzif(z, data, len, e);
    if (rc != 0) {
        tz_free(z);
        return rc;
    }
    *out = z;
    return 0;
}

/* ---------------------------------------------------------------- loading */

static bool valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n >= TZ_NAME_MAX || name[0] == '/' || strstr(name, ".."))
        return false;
    for (const char *p = name; *p; p++) {
        if (!is_alpha(*p) && !is_digit(*p) && !strchr("/_+-", *p))
            return false;
    }
    return true;
}

static int read_file(unsigned char **out, size_t *out_len, const char *path, const char *name,
                     err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT || errno == ENOTDIR
                   ? err_set(e, ERR_NOT_FOUND,
                             "time zone '%s' is unknown here (no %s): correct the name or "
                             "install the tzdata package",
                             name, path)
                   : err_set(e, ERR_IO, "time zone '%s': %s: %s", name, path, strerror(errno));
    unsigned char *d = malloc(TZ_FILE_MAX);
    size_t n = d ? fread(d, 1, TZ_FILE_MAX, f) : 0;
    bool err_read = ferror(f), too_big = n == TZ_FILE_MAX;
    fclose(f);
    if (!d || err_read || too_big) {
        free(d);
        return !d ? err_set(e, ERR_NOMEM, "out of memory")
                  : err_set(e, err_read ? ERR_IO : ERR_LIMIT, "time zone '%s': %s: %s", name, path,
                            err_read ? "read failed" : "too large for a TZif file");
    }
    *out = d;
    *out_len = n;
    return 0;
}

int tz_load(tz_zone **out, const char *name, err *e)
{
    if (!name || !*name || !strcmp(name, "UTC"))
        return tz_parse_posix(out, "UTC0", e);
    if (!valid_name(name))
        return err_set(e, ERR_INVALID, "'%.60s' is not a time zone name (e.g. America/New_York)",
                       name);
    const char *dir = getenv("TZDIR");
    char path[TZ_NAME_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", dir && *dir && strlen(dir) < 200 ? dir : TZ_DIR, name);
    unsigned char *d = NULL;
    size_t n = 0;
    int rc = read_file(&d, &n, path, name, e);
    if (rc == 0) {
        rc = tz_parse(out, d, n, e);
        if (rc != 0)
            err_wrap(e, "time zone '%s' (%s)", name, path);
    }
    free(d);
    return rc;
}

/* ---------------------------------------------------------------- offsets */

int32_t tz_offset_at(const tz_zone *z, int64_t utc_s)
{
    if (z->n_at == 0 || utc_s >= z->at[z->n_at - 1]) {
        if (z->has_rule)
            return rule_offset(&z->rule, utc_s);
        if (z->n_at == 0)
            return z->n_types ? z->off[0] : 0;
    }
    if (utc_s < z->at[0])
        return z->off[0];        /* RFC 8536: type 0 before the first transition */
    size_t lo = 0, hi = z->n_at; /* the last transition at or before utc_s */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->at[mid] <= utc_s)
            lo = mid;
        else
            hi = mid;
    }
    return z->off[z->type[lo]];
}

int tz_offset_minutes(void *zone, int64_t utc_ms, int *out_minutes)
{
    int32_t s = tz_offset_at(zone, floor_div(utc_ms, 1000));
    *out_minutes = (int)(s / 60);
    return 0;
}
