/* config_value.c: typed parsing of configuration values, and "did you mean" suggestions. */
#include "util/config_priv.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>

void config_value_clear(config_value *v)
{
    free(v->text);
    for (size_t i = 0; i < v->n_items; i++)
        free(v->items[i]);
    free(v->items);
    free(v->env_name);
    memset(v, 0, sizeof *v);
}

/* A whole decimal number, optional sign, nothing else. */
static bool parse_whole(const char *s, int64_t *out)
{
    if (!*s || isspace((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return false;
    *out = n;
    return true;
}

static bool unit_seconds(char unit, int64_t *out)
{
    switch (unit) {
    case 's':
        *out = 1;
        return true;
    case 'm':
        *out = 60;
        return true;
    case 'h':
        *out = 3600;
        return true;
    case 'd':
        *out = 86400;
        return true;
    case 'w':
        *out = 7 * 86400;
        return true;
    default:
        return false;
    }
}

/* "90" (seconds), or one or more NUMBER UNIT pairs: "30s", "5m", "1h30m", "2d". */
static bool parse_duration(const char *s, int64_t *out)
{
    int64_t total = 0;
    if (parse_whole(s, &total)) {
        if (total < 0)
            return false;
        *out = total;
        return true;
    }
    const char *p = s;
    if (!*p)
        return false;
    const int64_t cap = INT64_C(1) << 40; /* far past any sensible interval; no overflow */
    while (*p) {
        int64_t n = 0, mult;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9') {
            n = n * 10 + (*p++ - '0');
            if (n > cap)
                return false;
        }
        if (!unit_seconds((char)tolower((unsigned char)*p), &mult))
            return false;
        p++;
        total += n * mult;
        if (total > cap)
            return false;
    }
    *out = total;
    return true;
}

static bool parse_bool(const char *s, int64_t *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < PS_ARRAY_LEN(yes); i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return (*out = 1, true);
        if (strcasecmp(s, no[i]) == 0)
            return (*out = 0, true);
    }
    return false;
}

/* Finds s among "a|b|c" (case-insensitive); sets the index and the canonical spelling. */
static bool parse_enum(const char *s, const char *choices, int64_t *index, char *canon,
                       size_t canon_size)
{
    const char *p = choices;
    for (int64_t i = 0;; i++) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (strlen(s) == n && strncasecmp(s, p, n) == 0 && n < canon_size) {
            memcpy(canon, p, n);
            canon[n] = '\0';
            *index = i;
            return true;
        }
        if (!bar)
            return false;
        p = bar + 1;
    }
}

static void enum_why(const char *s, const char *choices, char *why, size_t why_size)
{
    config_suggest sg;
    config_suggest_init(&sg, s);
    for (const char *p = choices;;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        config_suggest_try(&sg, p, n);
        if (!bar)
            break;
        p = bar + 1;
    }
    char list[160];
    snprintf(list, sizeof list, "%s", choices);
    for (char *c = list; *c; c++) {
        if (*c == '|')
            *c = '/';
    }
    if (sg.best)
        snprintf(why, why_size, "'%s' is not one of %s (did you mean '%.*s'?)", s, list,
                 (int)sg.best_len, sg.best);
    else
        snprintf(why, why_size, "'%s' is not one of %s", s, list);
}

/* Splits a comma-separated list into trimmed, non-empty items. */
static int split_list(const char *s, char ***items, size_t *n_items)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    char **out = calloc(cap, sizeof *out);
    if (!out)
        return ERR_NOMEM;
    size_t n = 0;
    for (const char *p = s;;) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        while (p < end && isspace((unsigned char)*p))
            p++;
        while (end > p && isspace((unsigned char)end[-1]))
            end--;
        if (end > p && !(out[n++] = strndup(p, (size_t)(end - p)))) {
            for (size_t i = 0; i + 1 < n; i++)
                free(out[i]);
            free(out);
            return ERR_NOMEM;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    *items = out;
    *n_items = n;
    return 0;
}

static bool check_range(const config_key_spec *k, int64_t n, const char *s, char *why,
                        size_t why_size)
{
    if (k->min == 0 && k->max == 0)
        return true;
    if (n >= k->min && n <= k->max)
        return true;
    if (k->type == CONFIG_DURATION)
        snprintf(why, why_size, "'%s' is out of range: use %" PRId64 "s to %" PRId64 "s", s, k->min,
                 k->max);
    else
        snprintf(why, why_size, "'%s' is out of range: use %" PRId64 " to %" PRId64, s, k->min,
                 k->max);
    return false;
}

/* Checks text against k's type; fills num (and canon for enums). */
static bool check_typed(const config_key_spec *k, const char *s, int64_t *num, char *canon,
                        size_t canon_size, char *why, size_t why_size)
{
    switch (k->type) {
    case CONFIG_STRING:
    case CONFIG_LIST:
        return true;
    case CONFIG_INT:
        if (!parse_whole(s, num)) {
            snprintf(why, why_size, "'%s' is not a whole number", s);
            return false;
        }
        return check_range(k, *num, s, why, why_size);
    case CONFIG_DURATION:
        if (!parse_duration(s, num)) {
            snprintf(why, why_size, "'%s' is not a duration (use e.g. 30s, 5m, 1h)", s);
            return false;
        }
        return check_range(k, *num, s, why, why_size);
    case CONFIG_PERCENT: {
        char tmp[32];
        size_t n = strlen(s);
        bool ok = n > 0 && n < sizeof tmp;
        if (ok) {
            memcpy(tmp, s, n + 1);
            if (tmp[n - 1] == '%')
                tmp[n - 1] = '\0';
            ok = parse_whole(tmp, num) && *num >= 0 && *num <= 100;
        }
        if (!ok)
            snprintf(why, why_size, "'%s' is not a percentage (use 0 to 100, e.g. 20%%)", s);
        return ok;
    }
    case CONFIG_BOOL:
        if (!parse_bool(s, num)) {
            snprintf(why, why_size, "'%s' is not a boolean (use true or false)", s);
            return false;
        }
        return true;
    case CONFIG_ENUM:
        if (!parse_enum(s, k->choices, num, canon, canon_size)) {
            enum_why(s, k->choices, why, why_size);
            return false;
        }
        return true;
    }
    snprintf(why, why_size, "unknown type");
    return false;
}

int config_value_set(config_value *v, const config_key_spec *k, const char *text, char *why,
                     size_t why_size)
{
    int64_t num = 0;
    char canon[64] = "";
    if (!check_typed(k, text, &num, canon, sizeof canon, why, why_size))
        return -1;
    char **items = NULL;
    size_t n_items = 0;
    if (k->type == CONFIG_LIST && split_list(text, &items, &n_items) != 0) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    char *copy = strdup(k->type == CONFIG_ENUM ? canon : text);
    if (!copy) {
        for (size_t i = 0; i < n_items; i++)
            free(items[i]);
        free(items);
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    config_value_clear(v);
    v->text = copy;
    v->num = num;
    v->items = items;
    v->n_items = n_items;
    return 0;
}

/* Optimal string alignment distance, case-insensitive; short words only. */
static size_t edit_distance(const char *a, size_t n, const char *b, size_t m)
{
    enum { W = 48 };
    if (n >= W || m >= W)
        return SIZE_MAX;
    size_t d[W][W];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (ca != cb);
            best = PS_MIN(best, d[i - 1][j] + 1);
            best = PS_MIN(best, d[i][j - 1] + 1);
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb)
                best = PS_MIN(best, d[i - 2][j - 2] + 1);
            d[i][j] = best;
        }
    }
    return d[n][m];
}

void config_suggest_init(config_suggest *s, const char *word)
{
    s->word = word;
    s->best = NULL;
    s->best_len = 0;
    size_t n = strlen(word);
    /* Allow about one typo per four letters, and never a whole rewrite of a short word. */
    s->best_dist = n <= 3 ? 2 : n / 4 + 2;
}

void config_suggest_try(config_suggest *s, const char *cand, size_t len)
{
    size_t d = edit_distance(s->word, strlen(s->word), cand, len);
    if (d < s->best_dist && d < PS_MAX(len, strlen(s->word))) {
        s->best = cand;
        s->best_len = len;
        s->best_dist = d;
    }
}
