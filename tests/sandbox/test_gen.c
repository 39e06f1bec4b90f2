/* test_gen.c: the data generator: determinism, canonical fields, the spread of scripts and
 * missing fields, and variants that stay the same person. */
#include "util/common.h"
#include "sandbox/gen.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>
#include <ctype.h>

#define PEOPLE 2000

static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80             ? 0
                : (*p & 0xE0) == 0xC0 ? 1
                : (*p & 0xF0) == 0xE0 ? 2
                : (*p & 0xF8) == 0xF0 ? 3
                                      : -1;
        if (n < 0)
            return false;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return false;
    }
    return true;
}

/* The first code point of s. */
static uint32_t first_cp(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] < 0x80)
        return p[0];
    if ((p[0] & 0xE0) == 0xC0)
        return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
}

static const char *dial_for(const char *country)
{
    if (!strcmp(country, "US") || !strcmp(country, "CA"))
        return "1";
    if (!strcmp(country, "GB"))
        return "44";
    if (!strcmp(country, "DE"))
        return "49";
    if (!strcmp(country, "AU"))
        return "61";
    if (!strcmp(country, "FR"))
        return "33";
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_deterministic(void **state)
{
    (void)state;
    rng a, b, c;
    rng_seed(&a, 5);
    rng_seed(&b, 5);
    rng_seed(&c, 6);
    int differ = 0;
    for (int i = 0; i < 300; i++) {
        sbx_person pa, pb, pc, va, vb;
        sbx_gen_person(&a, &pa);
        sbx_gen_person(&b, &pb);
        sbx_gen_person(&c, &pc);
        assert_memory_equal(&pa, &pb, sizeof pa);
        differ += strcmp(pa.email, pc.email) != 0;
        sbx_gen_variant(&a, &pa, &va);
        sbx_gen_variant(&b, &pb, &vb);
        assert_memory_equal(&va, &vb, sizeof va);
        sbx_gen_variant(&c, &pc, &va);
    }
    assert_true(differ > 290);
}

static void check_person(const sbx_person *p)
{
    const char *fields[] = {p->first_name,  p->last_name, p->email,   p->organization,
                            p->title,       p->address1,  p->city,    p->state,
                            p->postal_code, p->country,   p->timezone};
    for (size_t i = 0; i < PS_ARRAY_LEN(fields); i++)
        assert_true(valid_utf8(fields[i]));
    assert_true(p->first_name[0] && p->last_name[0] && p->address1[0] && p->city[0]);
    assert_true(p->postal_code[0] && p->timezone[0]);
    /* Canonical email: lower case ASCII, trimmed, one @ with a dotted domain. */
    const char *at = strchr(p->email, '@');
    assert_non_null(at);
    assert_null(strchr(at + 1, '@'));
    assert_non_null(strchr(at + 1, '.'));
    for (const char *s = p->email; *s; s++)
        assert_true(islower((unsigned char)*s) || isdigit((unsigned char)*s) || strchr("._@-", *s));
    const char *dial = dial_for(p->country);
    assert_non_null(dial);
    if (p->phone[0]) {
        assert_int_equal(p->phone[0], '+');
        assert_int_equal(strncmp(p->phone + 1, dial, strlen(dial)), 0);
        size_t n = strlen(p->phone + 1);
        assert_in_range(n, 10, 15);
        for (const char *s = p->phone + 1; *s; s++)
            assert_true(isdigit((unsigned char)*s));
    }
    if (!strcmp(p->country, "US"))
        assert_int_equal(strlen(p->postal_code), 5);
}

static void test_people(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 2024);
    static sbx_person people[PEOPLE];
    const char *emails[PEOPLE];
    int no_phone = 0, no_org = 0, no_title = 0, non_us = 0, diacritics = 0;
    int cyrillic = 0, greek = 0, cjk = 0, arabic = 0, devanagari = 0;
    for (int i = 0; i < PEOPLE; i++) {
        sbx_person *p = &people[i];
        sbx_gen_person(&r, p);
        check_person(p);
        emails[i] = p->email;
        no_phone += !p->phone[0];
        no_org += !p->organization[0];
        no_title += !p->title[0];
        non_us += strcmp(p->country, "US") != 0;
        uint32_t c = first_cp(p->last_name);
        cyrillic += c >= 0x400 && c < 0x500;
        greek += c >= 0x370 && c < 0x400;
        cjk += (c >= 0x4E00 && c < 0xA000) || (c >= 0xAC00 && c < 0xD7B0);
        arabic += c >= 0x600 && c < 0x700;
        devanagari += c >= 0x900 && c < 0x980;
        diacritics += strstr(p->first_name, "\xC3") || strstr(p->last_name, "\xC3");
    }
    assert_in_range(no_phone, PEOPLE * 6 / 100, PEOPLE * 14 / 100);
    assert_in_range(no_org, PEOPLE / 10, PEOPLE / 2);
    assert_true(no_title > PEOPLE / 10);
    assert_in_range(non_us, PEOPLE / 5, PEOPLE * 6 / 10);
    assert_true(cyrillic > 40 && greek > 30 && cjk > 60 && arabic > 40 && devanagari > 40);
    assert_true(diacritics > 100);
    qsort(emails, PEOPLE, sizeof emails[0], cmp_str);
    for (int i = 1; i < PEOPLE; i++)
        if (!strcmp(emails[i - 1], emails[i]))
            fail_msg("duplicate email %s", emails[i]);
}

/* Trimmed and lower-cased, as a sync engine would compare. */
static void norm_email(const char *in, char *out, size_t size)
{
    while (*in == ' ' || *in == '\t')
        in++;
    size_t n = 0;
    for (; *in && n + 1 < size; in++)
        out[n++] = (char)tolower((unsigned char)*in);
    while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
        n--;
    out[n] = '\0';
}

static void norm_phone(const char *in, const char *country, char *out, size_t size)
{
    char d[32];
    size_t n = 0;
    while (*in == ' ')
        in++;
    bool plus = *in == '+';
    for (; *in && n + 1 < sizeof d; in++)
        if (isdigit((unsigned char)*in))
            d[n++] = *in;
    d[n] = '\0';
    const char *dial = dial_for(country);
    if (plus)
        snprintf(out, size, "+%s", d);
    else if (!strncmp(d, "00", 2))
        snprintf(out, size, "+%s", d + 2);
    else if (!strcmp(dial, "1"))
        snprintf(out, size, "+%s%s", n == 10 ? "1" : "", d);
    else
        snprintf(out, size, "+%s%s", dial, d[0] == '0' ? d + 1 : d);
}

static void test_variants_same_person(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 77);
    int email_raw_same = 0, phone_raw_same = 0, name_changed = 0;
    for (int i = 0; i < 1000; i++) {
        sbx_person p, v;
        sbx_gen_person(&r, &p);
        sbx_gen_variant(&r, &p, &v);
        char a[160], b[64];
        assert_string_not_equal(v.email, p.email);
        norm_email(v.email, a, sizeof a);
        assert_string_equal(a, p.email);
        email_raw_same += !strcmp(v.email, p.email);
        if (p.phone[0]) {
            assert_string_not_equal(v.phone, p.phone);
            norm_phone(v.phone, p.country, b, sizeof b);
            assert_string_equal(b, p.phone);
        } else {
            assert_string_equal(v.phone, "");
        }
        phone_raw_same += p.phone[0] && !strcmp(v.phone, p.phone);
        name_changed += strcmp(v.first_name, p.first_name) || strcmp(v.last_name, p.last_name);
        assert_int_equal(strlen(v.first_name), strlen(p.first_name));
        assert_string_equal(v.address1, p.address1);
        assert_string_equal(v.postal_code, p.postal_code);
        assert_string_equal(v.organization, p.organization);
    }
    assert_int_equal(email_raw_same, 0);
    assert_int_equal(phone_raw_same, 0);
    assert_true(name_changed > 200);
}

static bool seen(char set[][64], int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(set[i], s))
            return true;
    return false;
}

/* Names in scripts with case are re-cased character by character; others stay as they are. */
static void test_variant_case(void **state)
{
    (void)state;
    static const char *const names[][3] = {
        {"José", "JOSÉ", "josé"},          {"Zoë", "ZOË", "zoë"},
        {"Łukasz", "ŁUKASZ", "łukasz"},    {"Дмитрий", "ДМИТРИЙ", "дмитрий"},
        {"Γιώργος", "ΓΙΏΡΓΟΣ", "γιώργος"}, {"Nguyễn", "NGUYỄN", "nguyễn"},
    };
    rng r;
    rng_seed(&r, 3);
    for (size_t k = 0; k < PS_ARRAY_LEN(names); k++) {
        sbx_person p;
        memset(&p, 0, sizeof p);
        snprintf(p.first_name, sizeof p.first_name, "%s", names[k][0]);
        snprintf(p.last_name, sizeof p.last_name, "王");
        snprintf(p.email, sizeof p.email, "x@example.com");
        char got[8][64];
        int n = 0;
        for (int i = 0; i < 200; i++) {
            sbx_person v;
            sbx_gen_variant(&r, &p, &v);
            assert_string_equal(v.last_name, "王");
            if (!seen(got, n, v.first_name) && n < 8)
                snprintf(got[n++], 64, "%s", v.first_name);
        }
        for (int j = 0; j < 3; j++)
            if (!seen(got, n, names[k][j]))
                fail_msg("never saw %s for %s", names[k][j], names[k][0]);
        assert_int_equal(n, 3);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_people),
        cmocka_unit_test(test_variants_same_person),
        cmocka_unit_test(test_variant_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
