/* gen.c: the data generator: people drawn from seeded tables, and the same people as another
 * system would hold them (other case, stray spaces, other phone formats). */
#include "sandbox/gen.h"
#include "sandbox/gen_data.h"

#include <ctype.h>

/* ---- small helpers ---- */

static void put(char *out, size_t size, const char *s)
{
    snprintf(out, size, "%s", s);
}

static const char *pick(rng *r, const char *const *items, size_t n)
{
    return items[rng_below(r, n)];
}

/* Letters that both Canadian and British postcodes allow where the patterns use them. */
static const char postal_letters[] = "ABEGHJLNPRSTWXYZ";

/* Fills a pattern: '#' a digit, 'N' a digit 2-9, '@' an upper-case letter, others as is. */
static void fill_pattern(rng *r, const char *pattern, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = pattern; *p && n + 1 < size; p++) {
        if (*p == '#')
            out[n++] = (char)('0' + rng_below(r, 10));
        else if (*p == 'N')
            out[n++] = (char)('2' + rng_below(r, 8));
        else if (*p == '@')
            out[n++] = postal_letters[rng_below(r, sizeof postal_letters - 1)];
        else
            out[n++] = *p;
    }
    out[n] = '\0';
}

static const gen_culture *pick_culture(rng *r)
{
    unsigned total = 0;
    for (size_t i = 0; i < gen_n_cultures; i++)
        total += gen_cultures[i].weight;
    uint64_t x = rng_below(r, total);
    for (size_t i = 0; i < gen_n_cultures; i++) {
        if (x < gen_cultures[i].weight)
            return &gen_cultures[i];
        x -= gen_cultures[i].weight;
    }
    return &gen_cultures[0];
}

static const gen_place *pick_place(rng *r)
{
    unsigned total = 0;
    for (size_t i = 0; i < gen_n_places; i++)
        total += gen_places[i].weight;
    uint64_t x = rng_below(r, total);
    for (size_t i = 0; i < gen_n_places; i++) {
        if (x < gen_places[i].weight)
            return &gen_places[i];
        x -= gen_places[i].weight;
    }
    return &gen_places[0];
}

/* ---- emails ---- */

/* "Blue Harbor Consulting" -> "blueharborconsulting". */
static void slug(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; *s && n + 1 < size; s++)
        if (isalnum((unsigned char)*s) && !((unsigned char)*s & 0x80))
            out[n++] = (char)tolower((unsigned char)*s);
    out[n] = '\0';
}

static void make_email(rng *r, const gen_name *first, const gen_name *last, const char *org,
                       char *out, size_t size)
{
    char local[80];
    const char *f = first->ascii, *l = last->ascii;
    uint64_t style = rng_below(r, 8);
    switch (style) {
    case 0:
        snprintf(local, sizeof local, "%s", pick(r, gen_handles, gen_n_handles));
        break;
    case 1:
        snprintf(local, sizeof local, "%s%s", f, l);
        break;
    case 2:
        snprintf(local, sizeof local, "%c.%s", f[0], l);
        break;
    case 3:
        snprintf(local, sizeof local, "%s_%s", f, l);
        break;
    case 4:
        snprintf(local, sizeof local, "%s.%s", l, f);
        break;
    case 5:
        snprintf(local, sizeof local, "%s%c", f, l[0]);
        break;
    default:
        snprintf(local, sizeof local, "%s.%s", f, l);
        break;
    }
    /* A random number, not a counter: no two runs share state, and a collision needs the same
     * name, style, number and domain. */
    /* Handles are few, so they take longer numbers. */
    unsigned number = (unsigned)rng_below(r, style == 0 ? 999999 : 9999) + 1;
    char domain[64];
    if (org && rng_chance(r, 0.4)) {
        char s[40];
        slug(org, s, sizeof s);
        snprintf(domain, sizeof domain, "%s.example.com", s);
    } else {
        put(domain, sizeof domain, pick(r, gen_mail_domains, gen_n_mail_domains));
    }
    if (snprintf(out, size, "%s%u@%s", local, number, domain) >= (int)size)
        snprintf(out, size, "person%u@%s", number, domain); /* the tables keep this rare */
}

/* ---- the person ---- */

static void make_address(rng *r, const gen_place *pl, sbx_person *out)
{
    const char *street = pl->streets[rng_below(r, PS_ARRAY_LEN(pl->streets))];
    unsigned number =
        pl->number_first ? (unsigned)rng_below(r, 4999) + 1 : (unsigned)rng_below(r, 180) + 1;
    if (pl->number_first)
        snprintf(out->address1, sizeof out->address1, "%u %s", number, street);
    else
        snprintf(out->address1, sizeof out->address1, "%s %u", street, number);
    put(out->city, sizeof out->city, pl->city);
    put(out->state, sizeof out->state, pl->state);
    fill_pattern(r, pl->postal, out->postal_code, sizeof out->postal_code);
    put(out->country, sizeof out->country, pl->country);
    put(out->timezone, sizeof out->timezone, pl->timezone);
}

void sbx_gen_person(rng *r, sbx_person *out)
{
    memset(out, 0, sizeof *out);
    const gen_culture *c = pick_culture(r);
    const gen_name *first = &c->first[rng_below(r, c->n_first)];
    const gen_name *last = &c->last[rng_below(r, c->n_last)];
    put(out->first_name, sizeof out->first_name, first->native);
    put(out->last_name, sizeof out->last_name, last->native);

    const gen_place *pl = pick_place(r);
    make_address(r, pl, out);

    bool has_org = rng_chance(r, 0.7);
    const char *org = has_org ? pick(r, gen_organizations, gen_n_organizations) : NULL;
    if (org)
        put(out->organization, sizeof out->organization, org);
    if (rng_chance(r, has_org ? 0.85 : 0.2))
        put(out->title, sizeof out->title, pick(r, gen_titles, gen_n_titles));

    make_email(r, first, last, org, out->email, sizeof out->email);

    if (rng_chance(r, 0.9)) {
        char national[20];
        fill_pattern(r, pl->phone, national, sizeof national);
        snprintf(out->phone, sizeof out->phone, "+%s%s", pl->dial, national);
    }
}

/* ---- case in UTF-8, for the scripts the tables use ---- */

/* In the alternating blocks each upper-case letter sits just before its lower-case one. */
static uint32_t pair_upper(uint32_t c, bool upper_even)
{
    bool is_lower = (c % 2 == 1) == upper_even;
    return is_lower ? c - 1 : c;
}

static uint32_t to_upper(uint32_t c)
{
    if (c >= 'a' && c <= 'z')
        return c - 32;
    if ((c >= 0xE0 && c <= 0xFE && c != 0xF7) || (c >= 0x3B1 && c <= 0x3CB && c != 0x3C2) ||
        (c >= 0x430 && c <= 0x44F))
        return c - 32;
    if (c == 0x3C2)
        return 0x3A3; /* final sigma */
    if (c == 0x131)
        return 'I';
    if (c == 0x3AC)
        return 0x386;
    if (c >= 0x3AD && c <= 0x3AF)
        return c - 37;
    if (c == 0x3CC)
        return 0x38C;
    if (c == 0x3CD || c == 0x3CE)
        return c - 63;
    if (c >= 0x450 && c <= 0x45F)
        return c - 80;
    if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177) ||
        (c >= 0x1E00 && c <= 0x1E95) || (c >= 0x1EA0 && c <= 0x1EFF))
        return pair_upper(c, true);
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return pair_upper(c, false);
    return c;
}

static uint32_t to_lower(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3AB && c != 0x3A2) ||
        (c >= 0x410 && c <= 0x42F))
        return c + 32;
    if (c == 0x386)
        return 0x3AC;
    if (c >= 0x388 && c <= 0x38A)
        return c + 37;
    if (c == 0x38C)
        return 0x3CC;
    if (c == 0x38E || c == 0x38F)
        return c + 63;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177) ||
        (c >= 0x1E00 && c <= 0x1E95) || (c >= 0x1EA0 && c <= 0x1EFF))
        return c % 2 == 0 ? c + 1 : c;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
        return c % 2 == 1 ? c + 1 : c;
    return c;
}

#define NOT_DECODED 0xFFFFFFFFu

/* Decodes one UTF-8 sequence at s (NUL-terminated); *len gets its length. Four-byte sequences
 * and stray bytes are NOT_DECODED, to be copied as they are. */
static uint32_t utf8_decode(const unsigned char *s, size_t *len)
{
    *len = 1;
    if (s[0] < 0x80)
        return s[0];
    if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
        *len = 2;
        return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    }
    if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
        *len = 3;
        return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    }
    if ((s[0] & 0xF8) == 0xF0)
        for (size_t i = 1; i < 4 && (s[i] & 0xC0) == 0x80; i++)
            *len = i + 1;
    return NOT_DECODED;
}

static size_t utf8_encode(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | (c >> 12));
    out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[2] = (char)(0x80 | (c & 0x3F));
    return 3;
}

/* Re-cases s in place (the mappings used never lengthen a character). */
static void recase(char *s, size_t size, bool upper)
{
    char out[128];
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n + 4 < sizeof out) {
        size_t len;
        uint32_t c = utf8_decode(p, &len);
        if (c == NOT_DECODED) {
            memcpy(out + n, p, len);
            n += len;
        } else {
            n += utf8_encode(upper ? to_upper(c) : to_lower(c), out + n);
        }
        p += len;
    }
    out[n] = '\0';
    if (snprintf(s, size, "%s", out) >= (int)size)
        s[0] = '\0'; /* a case change that no longer fits: no name rather than half of one */
}

/* ---- variants ---- */

static void vary_email(rng *r, const char *in, char *out, size_t size)
{
    char e[128];
    put(e, sizeof e, in);
    char *at = strchr(e, '@');
    switch (rng_below(r, 4)) {
    case 0: /* all upper */
        for (char *p = e; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        break;
    case 1: /* "Jose.Garcia12@example.com" */
        e[0] = (char)toupper((unsigned char)e[0]);
        for (char *p = e + 1; at && p < at; p++)
            if (p[-1] == '.' || p[-1] == '_')
                *p = (char)toupper((unsigned char)*p);
        break;
    case 2: /* the domain as someone typed it */
        for (char *p = at ? at + 1 : e; *p && *p != '.'; p++)
            *p = (char)toupper((unsigned char)*p);
        break;
    default:
        break;
    }
    static const char *const pads[] = {"", " ", "  ", "\t"};
    const char *lead = rng_chance(r, 0.4) ? pads[rng_below(r, 3) + 1] : "";
    const char *trail = rng_chance(r, 0.4) ? pads[rng_below(r, 3) + 1] : "";
    if (strcmp(e, in) == 0 && !*lead && !*trail)
        trail = " "; /* a variant always differs somewhere */
    if (snprintf(out, size, "%s%s%s", lead, e, trail) >= (int)size)
        snprintf(out, size, "%s", e); /* no room for the padding: the spelling alone */
}

/* The calling code of an E.164 number among the ones the tables use. */
static const char *dial_of(const char *phone)
{
    for (size_t i = 0; i < gen_n_places; i++) {
        size_t n = strlen(gen_places[i].dial);
        if (strncmp(phone + 1, gen_places[i].dial, n) == 0)
            return gen_places[i].dial;
    }
    return NULL;
}

static void vary_nanp(rng *r, const char *d, char *out, size_t size)
{
    switch (rng_below(r, 6)) {
    case 0:
        snprintf(out, size, "(%.3s) %.3s-%.4s", d, d + 3, d + 6);
        break;
    case 1:
        snprintf(out, size, "%.3s.%.3s.%.4s", d, d + 3, d + 6);
        break;
    case 2:
        snprintf(out, size, "+1 %.3s %.3s %.4s", d, d + 3, d + 6);
        break;
    case 3:
        snprintf(out, size, "%.10s", d);
        break;
    case 4:
        snprintf(out, size, "1-%.3s-%.3s-%.4s", d, d + 3, d + 6);
        break;
    default:
        snprintf(out, size, "+1 (%.3s) %.3s-%.4s", d, d + 3, d + 6);
        break;
    }
}

static void vary_phone(rng *r, const char *in, char *out, size_t size)
{
    const char *dial = dial_of(in);
    const char *national = dial ? in + 1 + strlen(dial) : NULL;
    if (!dial || !*national) {
        if (snprintf(out, size, " %s", in) >= (int)size)
            snprintf(out, size, "%s", in);
        return;
    }
    if (strcmp(dial, "1") == 0 && strlen(national) == 10) {
        vary_nanp(r, national, out, size);
        return;
    }
    int head = strlen(national) > 9 ? 4 : 3;
    switch (rng_below(r, 4)) {
    case 0:
        snprintf(out, size, "+%s %.*s %s", dial, head, national, national + head);
        break;
    case 1:
        snprintf(out, size, "0%.*s %s", head, national, national + head);
        break;
    case 2:
        snprintf(out, size, "00%s%s", dial, national);
        break;
    default:
        snprintf(out, size, "+%s-%.*s-%s", dial, head, national, national + head);
        break;
    }
}

void sbx_gen_variant(rng *r, const sbx_person *in, sbx_person *out)
{
    *out = *in;
    vary_email(r, in->email, out->email, sizeof out->email);
    if (in->phone[0])
        vary_phone(r, in->phone, out->phone, sizeof out->phone);
    /* Scripts without case come through unchanged. */
    switch (rng_below(r, 4)) {
    case 0:
        recase(out->first_name, sizeof out->first_name, true);
        recase(out->last_name, sizeof out->last_name, true);
        break;
    case 1:
        recase(out->first_name, sizeof out->first_name, false);
        recase(out->last_name, sizeof out->last_name, false);
        break;
    case 2:
        recase(out->last_name, sizeof out->last_name, true);
        break;
    default:
        break;
    }
}
