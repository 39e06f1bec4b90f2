/* test_normalize.c: e-mail, E.164 phone, tag and name normal forms. */
#include "core/normalize.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static void email_is_trimmed_and_lowered_but_keeps_dots_and_plus(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 256);
    char why[CORE_WHY_MAX];
    const char *in = "  Ada.Lovelace+Events@Example.COM \t";
    assert_int_equal(core_norm_email(&b, in, strlen(in), why), 0);
    assert_string_equal(buf_cstr(&b), "ada.lovelace+events@example.com");
    buf_free(&b);
}

static void email_errors_say_why(void **state)
{
    (void)state;
    static const struct {
        const char *in, *why;
    } cases[] = {
        {"ada.example.com", "no '@' in the address"},
        {"@example.com", "text is needed on both sides of '@'"},
        {"ada@", "text is needed on both sides of '@'"},
        {"a@b@c", "more than one '@' in the address"},
        {"ada lovelace@example.com", "spaces are not allowed in an address"},
        {"   ", "no '@' in the address"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf b;
        buf_init(&b, 256);
        char why[CORE_WHY_MAX] = "";
        assert_int_equal(core_norm_email(&b, cases[i].in, strlen(cases[i].in), why), ERR_INVALID);
        assert_string_equal(why, cases[i].why);
        assert_int_equal(b.len, 0);
        buf_free(&b);
    }
}

static void email_slice_is_not_read_past_its_length(void **state)
{
    (void)state;
    const char text[] = "Bo@Ex.org@garbage";
    buf b;
    buf_init(&b, 64);
    char why[CORE_WHY_MAX];
    assert_int_equal(core_norm_email(&b, text, 9, why), 0);
    assert_string_equal(buf_cstr(&b), "bo@ex.org");
    buf_free(&b);
}

static void phone(const char *in, int cc, const char *want)
{
    char out[CORE_E164_MAX], why[CORE_WHY_MAX];
    int rc = core_norm_phone(out, in, strlen(in), cc, why);
    if (rc != 0)
        fail_msg("'%s': %s", in, why);
    assert_string_equal(out, want);
}

static void phone_bad(const char *in, int cc, const char *want_why)
{
    char out[CORE_E164_MAX], why[CORE_WHY_MAX];
    assert_int_equal(core_norm_phone(out, in, strlen(in), cc, why), ERR_INVALID);
    assert_string_equal(out, "");
    assert_string_equal(why, want_why);
}

static void phone_forms_of_one_number(void **state)
{
    (void)state;
    phone("(415) 555-0134", 1, "+14155550134");
    phone("415.555.0134", 1, "+14155550134");
    phone("+1 415 555 0134", 1, "+14155550134");
    phone("1-415-555-0134", 1, "+14155550134");
    phone("4155550134", 1, "+14155550134");
    phone("  +14155550134  ", 44, "+14155550134");
    phone("011 44 20 7123 4567", 1, "+442071234567");
}

static void phone_international_prefixes_and_trunk_zero(void **state)
{
    (void)state;
    phone("0044 20 7123 4567", 1, "+442071234567");
    phone("+44 (0)20 7123 4567", 1, "+442071234567");
    phone("0044 (0)20 7123 4567", 1, "+442071234567");
    phone("020 7123 4567", 44, "+442071234567");
    phone("+49 30 123456", 1, "+4930123456");
    phone("030 123456", 49, "+4930123456");
    phone("+39 06 1234 5678", 1, "+390612345678"); /* Italy keeps its 0 */
}

static void phone_extensions_are_dropped(void **state)
{
    (void)state;
    phone("415-555-0134 x12", 1, "+14155550134");
    phone("415-555-0134 ext. 12", 1, "+14155550134");
    phone("+1 415 555 0134;ext=99", 1, "+14155550134");
    phone("(415) 555-0134 #7", 1, "+14155550134");
    phone("415 555 0134 Extension 7", 1, "+14155550134");
}

static void phone_invalid_says_why(void **state)
{
    (void)state;
    phone_bad("", 1, "empty");
    phone_bad("   ", 1, "empty");
    phone_bad("555-0134", 1, "a North American number has 10 digits");
    phone_bad("(015) 555-0134", 1,
              "not a valid North American number (area code and exchange start with 2-9)");
    phone_bad("415 155 0134", 1,
              "not a valid North American number (area code and exchange start with 2-9)");
    phone_bad("+1 415 555 013", 1, "a North American number has 10 digits after +1");
    phone_bad("1-800-FLOWERS", 1, "letters are not allowed in a phone number");
    phone_bad("415+555", 1, "'+' is only allowed at the start");
    phone_bad("415*555*0134", 1, "unexpected character '*'");
    phone_bad("415\xe2\x80\x93"
              "555",
              1, "unexpected character 0xe2");
    phone_bad("+44 12", 1, "too few digits for a phone number");
    phone_bad("+44 1234 5678 9012 3456", 1, "too many digits for a phone number (E.164 allows 15)");
    phone_bad("123456789012345678901", 44, "too many digits for a phone number");
    phone_bad("+0 123 456 789", 1, "a country code cannot start with 0");
    phone_bad("()-", 1, "no digits in the phone number");
    phone_bad("0", 44, "too few digits for a phone number");
    phone_bad("415-555-0134 x", 1, "letters are not allowed in a phone number");
    char out[CORE_E164_MAX], why[CORE_WHY_MAX];
    assert_int_equal(core_norm_phone(out, "4155550134", 10, 0, why), ERR_INVALID);
    assert_string_equal(why, "the default country code must be 1 to 999");
}

static void phone_nul_bytes_are_refused(void **state)
{
    (void)state;
    const char text[] = "415\0"
                        "5550134";
    char out[CORE_E164_MAX], why[CORE_WHY_MAX];
    assert_int_equal(core_norm_phone(out, text, sizeof text - 1, 1, why), ERR_INVALID);
    assert_string_equal(why, "unexpected character 0x00");
}

static void phone_output_is_a_fixed_point(void **state)
{
    (void)state;
    const char *ins[] = {"(415) 555-0134", "+44 (0)20 7123 4567", "030 123456"};
    int ccs[] = {1, 1, 49};
    for (size_t i = 0; i < 3; i++) {
        char once[CORE_E164_MAX], twice[CORE_E164_MAX], why[CORE_WHY_MAX];
        assert_int_equal(core_norm_phone(once, ins[i], strlen(ins[i]), ccs[i], why), 0);
        assert_int_equal(core_norm_phone(twice, once, strlen(once), 33, why), 0);
        assert_string_equal(once, twice);
    }
}

static void tags_are_trimmed_and_lowered(void **state)
{
    (void)state;
    buf b;
    buf_init(&b, 64);
    assert_int_equal(core_norm_tag(&b, " VIP Guest\t", 11), 0);
    assert_string_equal(buf_cstr(&b), "vip guest");
    buf_free(&b);
}

static void split(const char *in, const char *first, const char *last)
{
    buf f, l;
    buf_init(&f, 256);
    buf_init(&l, 256);
    assert_int_equal(core_name_split(&f, &l, in, strlen(in)), 0);
    assert_string_equal(buf_cstr(&f), first);
    assert_string_equal(buf_cstr(&l), last);
    buf_free(&f);
    buf_free(&l);
}

static void names_split_like_highlevel_and_join(void **state)
{
    (void)state;
    split("Ada Lovelace", "Ada", "Lovelace");
    split("  Mary   Ann  Smith ", "Mary", "Ann Smith");
    split("Cher", "Cher", "");
    split("", "", "");
    buf b;
    buf_init(&b, 256);
    assert_int_equal(core_name_join(&b, " Ada ", "Lovelace "), 0);
    assert_string_equal(buf_cstr(&b), "Ada Lovelace");
    buf_reset(&b);
    assert_int_equal(core_name_join(&b, "", "Lovelace"), 0);
    assert_string_equal(buf_cstr(&b), "Lovelace");
    buf_reset(&b);
    assert_int_equal(core_name_join(&b, "Ada", NULL), 0);
    assert_string_equal(buf_cstr(&b), "Ada");
    buf_free(&b);
}

static void durations(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int64_t want;
    } ok[] = {{"90", 90},      {"+90", 90},     {"30s", 30},       {"5m", 300}, {"-24h", -86400},
              {"+3d", 259200}, {"1h30m", 5400}, {" 2w ", 1209600}, {"1H", 3600}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t s = 0;
        assert_int_equal(core_duration_parse(&s, ok[i].in), 0);
        assert_true(s == ok[i].want);
    }
    static const char *const bad[] = {"", "-", "h", "3x", "1h30", "1.5h", "99999999999d", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t s = 7;
        assert_int_equal(core_duration_parse(&s, bad[i]), ERR_INVALID);
        assert_true(s == 7);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(email_is_trimmed_and_lowered_but_keeps_dots_and_plus),
        cmocka_unit_test(email_errors_say_why),
        cmocka_unit_test(email_slice_is_not_read_past_its_length),
        cmocka_unit_test(phone_forms_of_one_number),
        cmocka_unit_test(phone_international_prefixes_and_trunk_zero),
        cmocka_unit_test(phone_extensions_are_dropped),
        cmocka_unit_test(phone_invalid_says_why),
        cmocka_unit_test(phone_nul_bytes_are_refused),
        cmocka_unit_test(phone_output_is_a_fixed_point),
        cmocka_unit_test(tags_are_trimmed_and_lowered),
        cmocka_unit_test(names_split_like_highlevel_and_join),
        cmocka_unit_test(durations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
