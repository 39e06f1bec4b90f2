/* normalize.c: normal forms of e-mails, phone numbers (E.164), tags and personal names. */
#include "core/normalize.h"

#include <stdarg.h>

#define PHONE_DIGITS_MAX 20

bool core_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

void core_trim(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len;
    while (n > 0 && core_is_space(*p)) {
        p++;
        n--;
    }
    while (n > 0 && core_is_space(p[n - 1]))
        n--;
    *s = p;
    *len = n;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

__attribute__((format(printf, 2, 3))) static int why_set(char why[CORE_WHY_MAX], const char *fmt,
                                                         ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, CORE_WHY_MAX, fmt, ap);
    va_end(ap);
    return ERR_INVALID;
}

static int add_lower(buf *out, const char *s, size_t n)
{
    size_t start = out->len;
    int rc = buf_add(out, s, n);
    for (size_t i = start; rc == 0 && i < out->len; i++)
        out->ptr[i] = lower(out->ptr[i]);
    return rc;
}

int core_norm_email(buf *out, const char *in, size_t len, char why[CORE_WHY_MAX])
{
    core_trim(&in, &len);
    const char *at = len ? memchr(in, '@', len) : NULL;
    if (!at)
        return why_set(why, "no '@' in the address");
    size_t local = (size_t)(at - in);
    if (local == 0 || local + 1 == len)
        return why_set(why, "text is needed on both sides of '@'");
    if (memchr(at + 1, '@', len - local - 1))
        return why_set(why, "more than one '@' in the address");
    for (size_t i = 0; i < len; i++) {
        if (core_is_space(in[i]) || in[i] == '\0')
            return why_set(why, "spaces are not allowed in an address");
    }
    return add_lower(out, in, len);
}

int core_norm_tag(buf *out, const char *in, size_t len)
{
    core_trim(&in, &len);
    return add_lower(out, in, len);
}

/* ---------------------------------------------------------------- phone numbers */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool starts_ci(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    if (n < k)
        return false;
    for (size_t i = 0; i < k; i++) {
        if (lower(s[i]) != prefix[i])
            return false;
    }
    return true;
}

/* The length of an extension marker at s ("ext.", "x", "#", ...), or 0. Longest first. */
static size_t ext_marker(const char *s, size_t n)
{
    static const char *const markers[] = {";ext=", "extension", "ext", "x", "#", ","};
    for (size_t i = 0; i < PS_ARRAY_LEN(markers); i++) {
        if (starts_ci(s, n, markers[i]))
            return strlen(markers[i]);
    }
    return 0;
}

/* True when [s, s + n) is an extension: a marker, then digits (spaces, '.', ':' or '=' may
 * come between). */
static bool is_extension(const char *s, size_t n)
{
    size_t i = ext_marker(s, n);
    if (i == 0)
        return false;
    while (i < n && (s[i] == ' ' || s[i] == '.' || s[i] == ':' || s[i] == '='))
        i++;
    size_t digits = 0;
    for (; i < n; i++) {
        if (is_digit(s[i]))
            digits++;
        else if (s[i] != ' ')
            return false;
    }
    return digits > 0;
}

/* The length of the number without its extension (or n). */
static size_t cut_extension(const char *s, size_t n)
{
    bool seen_digit = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (is_digit(c)) {
            seen_digit = true;
        } else if (seen_digit &&
                   (c == ';' || c == '#' || c == ',' || lower(c) == 'x' || lower(c) == 'e')) {
            size_t end = i;
            while (end > 0 && s[end - 1] == ' ')
                end--;
            return is_extension(s + i, n - i) ? end : n;
        }
    }
    return n;
}

static bool is_separator(char c)
{
    return c == ' ' || c == '.' || c == '-' || c == '/' || c == '(' || c == ')' || c == '\t';
}

/* The digits of [s, s + n) into d; a leading '+' sets *plus. "(0)" is skipped when skip_trunk. */
static int collect_digits(char d[PHONE_DIGITS_MAX + 1], size_t *nd, bool *plus, const char *s,
                          size_t n, bool skip_trunk, char why[CORE_WHY_MAX])
{
    size_t k = 0;
    *plus = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (skip_trunk && c == '(' && i + 2 < n && s[i + 1] == '0' && s[i + 2] == ')') {
            i += 2;
        } else if (is_digit(c)) {
            if (k == PHONE_DIGITS_MAX)
                return why_set(why, "too many digits for a phone number");
            d[k++] = c;
        } else if (c == '+') {
            if (i != 0)
                return why_set(why, "'+' is only allowed at the start");
            *plus = true;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            return why_set(why, "letters are not allowed in a phone number");
        } else if (!is_separator(c)) {
            if (c > 0x20 && c < 0x7f)
                return why_set(why, "unexpected character '%c'", c);
            return why_set(why, "unexpected character 0x%02x", (unsigned)(unsigned char)c);
        }
    }
    d[k] = '\0';
    *nd = k;
    return 0;
}

/* Area code and exchange of a ten-digit North American number both start with 2-9. */
static int nanp_check(const char *ten, char why[CORE_WHY_MAX])
{
    if (ten[0] < '2' || ten[3] < '2')
        return why_set(why, "not a valid North American number (area code and exchange start "
                            "with 2-9)");
    return 0;
}

static int finish(char out[CORE_E164_MAX], const char *cc, const char *national,
                  char why[CORE_WHY_MAX])
{
    size_t total = strlen(cc) + strlen(national);
    if (total < 7)
        return why_set(why, "too few digits for a phone number");
    if (total > 15)
        return why_set(why, "too many digits for a phone number (E.164 allows 15)");
    if (cc[0] == '0' || (!cc[0] && national[0] == '0'))
        return why_set(why, "a country code cannot start with 0");
    size_t ncc = strlen(cc);
    out[0] = '+';
    memcpy(out + 1, cc, ncc);
    memcpy(out + 1 + ncc, national, total - ncc);
    out[1 + total] = '\0';
    return 0;
}

static int phone_international(char out[CORE_E164_MAX], const char *d, char why[CORE_WHY_MAX])
{
    if (d[0] == '1') {
        if (strlen(d) != 11)
            return why_set(why, "a North American number has 10 digits after +1");
        if (nanp_check(d + 1, why) != 0)
            return ERR_INVALID;
    }
    return finish(out, "", d, why);
}

static int phone_national(char out[CORE_E164_MAX], const char *d, int default_cc,
                          char why[CORE_WHY_MAX])
{
    size_t n = strlen(d);
    if (default_cc == 1) {
        if (n == 11 && d[0] == '1') {
            d++;
            n--;
        }
        if (n != 10)
            return why_set(why, "a North American number has 10 digits");
        if (nanp_check(d, why) != 0)
            return ERR_INVALID;
        return finish(out, "1", d, why);
    }
    char cc[8];
    snprintf(cc, sizeof cc, "%d", default_cc);
    if (d[0] == '0')
        d++;
    if (!*d)
        return why_set(why, "too few digits for a phone number");
    return finish(out, cc, d, why);
}

int core_norm_phone(char out[CORE_E164_MAX], const char *in, size_t len, int default_cc,
                    char why[CORE_WHY_MAX])
{
    out[0] = '\0';
    why[0] = '\0';
    if (default_cc < 1 || default_cc > 999)
        return why_set(why, "the default country code must be 1 to 999");
    core_trim(&in, &len);
    if (len == 0)
        return why_set(why, "empty");
    len = cut_extension(in, len);
    bool intl_prefix = in[0] == '+' || (len >= 2 && in[0] == '0' && in[1] == '0');
    char d[PHONE_DIGITS_MAX + 1];
    size_t nd = 0;
    bool plus = false;
    if (collect_digits(d, &nd, &plus, in, len, intl_prefix, why) != 0)
        return ERR_INVALID;
    if (nd == 0)
        return why_set(why, "no digits in the phone number");
    int rc;
    if (plus)
        rc = phone_international(out, d, why);
    else if (nd > 2 && d[0] == '0' && d[1] == '0')
        rc = phone_international(out, d + 2, why);
    else if (default_cc == 1 && nd > 3 && strncmp(d, "011", 3) == 0)
        rc = phone_international(out, d + 3, why);
    else
        rc = phone_national(out, d, default_cc, why);
    if (rc != 0)
        out[0] = '\0';
    return rc;
}

/* ---------------------------------------------------------------- durations */

#define DURATION_MAX (10LL * 366 * 86400)

static int64_t unit_seconds(char u)
{
    switch (lower(u)) {
    case 's':
        return 1;
    case 'm':
        return 60;
    case 'h':
        return 3600;
    case 'd':
        return 86400;
    case 'w':
        return 7 * 86400;
    default:
        return 0;
    }
}

int core_duration_parse(int64_t *out_s, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    core_trim(&s, &len);
    size_t i = 0;
    int sign = 1;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        sign = s[i++] == '-' ? -1 : 1;
    if (i == len)
        return ERR_INVALID;
    int64_t total = 0;
    while (i < len) {
        int64_t n = 0;
        size_t start = i;
        while (i < len && is_digit(s[i]) && n <= DURATION_MAX)
            n = n * 10 + (s[i++] - '0');
        if (i == start || n > DURATION_MAX)
            return ERR_INVALID;
        int64_t unit = 1;
        if (i < len) {
            unit = unit_seconds(s[i++]);
            if (unit == 0)
                return ERR_INVALID;
        } else if (start > 0 && !(start == 1 && (s[0] == '+' || s[0] == '-'))) {
            return ERR_INVALID; /* "1h30": a bare number only on its own */
        }
        total += n * unit;
        if (total > DURATION_MAX)
            return ERR_INVALID;
    }
    *out_s = sign * total;
    return 0;
}

/* ---------------------------------------------------------------- names */

int core_name_split(buf *first, buf *last, const char *in, size_t len)
{
    core_trim(&in, &len);
    size_t i = 0;
    while (i < len && !core_is_space(in[i]))
        i++;
    int rc = buf_add(first, in, i);
    bool pending_space = false;
    bool any = false;
    for (; rc == 0 && i < len; i++) {
        if (core_is_space(in[i])) {
            pending_space = any;
            continue;
        }
        if (pending_space)
            rc = buf_addc(last, ' ');
        if (rc == 0)
            rc = buf_addc(last, in[i]);
        pending_space = false;
        any = true;
    }
    return rc;
}

int core_name_join(buf *out, const char *first, const char *last)
{
    const char *a = first ? first : "", *b = last ? last : "";
    size_t na = strlen(a), nb = strlen(b);
    core_trim(&a, &na);
    core_trim(&b, &nb);
    int rc = buf_add(out, a, na);
    if (rc == 0 && na && nb)
        rc = buf_addc(out, ' ');
    if (rc == 0)
        rc = buf_add(out, b, nb);
    return rc;
}
