/* clock.c: the injectable clock and ISO-8601 formatting. */
#include "util/clock.h"

#include <errno.h>
#include <time.h>

static clock_source system_clock = {.fake = false};

clock_source *clock_system(void)
{
    return &system_clock;
}

void clock_fake_init(clock_source *c, int64_t wall_ms)
{
    c->fake = true;
    atomic_store(&c->wall_ms, wall_ms);
    atomic_store(&c->mono_ms, 1000000);
}

void clock_fake_advance(clock_source *c, int64_t ms)
{
    atomic_fetch_add(&c->wall_ms, ms);
    atomic_fetch_add(&c->mono_ms, ms);
}

static int64_t read_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_now_ms(const clock_source *c)
{
    if (c && c->fake)
        return atomic_load(&c->wall_ms);
    return read_clock(CLOCK_REALTIME);
}

int64_t clock_mono_ms(const clock_source *c)
{
    if (c && c->fake)
        return atomic_load(&c->mono_ms);
    return read_clock(CLOCK_MONOTONIC);
}

void clock_sleep_ms(clock_source *c, int64_t ms)
{
    if (ms <= 0)
        return;
    if (c && c->fake) {
        clock_fake_advance(c, ms);
        return;
    }
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

static void split_time(int64_t unix_ms, struct tm *tm, int *millis)
{
    int64_t secs = unix_ms / 1000;
    int ms = (int)(unix_ms % 1000);
    if (ms < 0) {
        ms += 1000;
        secs -= 1;
    }
    time_t t = (time_t)secs;
    gmtime_r(&t, tm);
    *millis = ms;
}

void clock_format_iso(int64_t unix_ms, char out[CLOCK_ISO_LEN])
{
    struct tm tm;
    int ms;
    split_time(unix_ms, &tm, &ms);
    /* The modulos only tell the compiler the ranges (tm fields are already in range). */
    snprintf(out, CLOCK_ISO_LEN, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ",
             (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
             (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
             (unsigned)tm.tm_sec % 100u, (unsigned)ms % 1000u);
}

void clock_format_date(int64_t unix_ms, char out[CLOCK_ISO_LEN])
{
    struct tm tm;
    int ms;
    split_time(unix_ms, &tm, &ms);
    snprintf(out, CLOCK_ISO_LEN, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
}

/* Howard Hinnant's civil algorithm. */
int64_t clock_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static bool read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char ch = (*p)[i];
        if (ch < '0' || ch > '9')
            return false;
        v = v * 10 + (ch - '0');
    }
    *p += n;
    *out = v;
    return true;
}

int clock_parse_iso(int64_t *out_ms, const char *s, err *e)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, off_min = 0;
    if (!read_digits(&p, 4, &y) || *p++ != '-' || !read_digits(&p, 2, &mo) || *p++ != '-' ||
        !read_digits(&p, 2, &d))
        goto bad;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        goto bad;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (!read_digits(&p, 2, &h) || *p++ != ':' || !read_digits(&p, 2, &mi))
            goto bad;
        if (*p == ':') {
            p++;
            if (!read_digits(&p, 2, &sec))
                goto bad;
        }
        if (*p == '.') {
            p++;
            int scale = 100;
            if (*p < '0' || *p > '9')
                goto bad;
            while (*p >= '0' && *p <= '9') {
                ms += (*p - '0') * scale;
                scale /= 10;
                p++;
            }
        }
        if (h > 23 || mi > 59 || sec > 60)
            goto bad;
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1;
            int oh, om;
            if (!read_digits(&p, 2, &oh))
                goto bad;
            if (*p == ':')
                p++;
            if (!read_digits(&p, 2, &om) || oh > 23 || om > 59)
                goto bad;
            off_min = sign * (oh * 60 + om);
        }
    }
    if (*p != '\0')
        goto bad;
    int64_t days = clock_days_from_civil(y, mo, d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - (int64_t)off_min * 60;
    *out_ms = secs * 1000 + ms;
    return 0;
bad:
    return err_set(e, ERR_PARSE,
                   "'%.40s' is not an ISO-8601 date (expected YYYY-MM-DD[THH:MM:SS[.fff]Z])", s);
}

struct timespec clock_mono_deadline(int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t ns = ts.tv_nsec + (ms % 1000) * 1000000;
    ts.tv_sec += (time_t)(ms / 1000 + ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    return ts;
}
