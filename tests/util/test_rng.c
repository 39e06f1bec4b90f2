/* test_rng.c: the seeded generator: reproducible, in range, roughly uniform. */
#include "util/rng.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static void same_seed_same_sequence(void **state)
{
    (void)state;
    rng a, b, c;
    rng_seed(&a, 42);
    rng_seed(&b, 42);
    rng_seed(&c, 43);
    bool differs = false;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = rng_next(&a);
        assert_true(x == rng_next(&b));
        differs |= x != rng_next(&c);
    }
    assert_true(differs);
}

static void sequence_is_fixed_across_machines(void **state)
{
    (void)state;
    /* The first outputs for seed 0 are part of the contract: recorded runs replay them. */
    rng r;
    rng_seed(&r, 0);
    uint64_t first = rng_next(&r), second = rng_next(&r);
    rng_seed(&r, 0);
    assert_true(rng_next(&r) == first);
    assert_true(rng_next(&r) == second);
    assert_true(first != second);
    assert_true(first == UINT64_C(0x99EC5F36CB75F2B4));
}

static void below_stays_in_range(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 7);
    const uint64_t ns[] = {1, 2, 3, 7, 10, 1000, UINT64_C(1) << 63, UINT64_MAX};
    for (size_t i = 0; i < PS_ARRAY_LEN(ns); i++) {
        for (int k = 0; k < 2000; k++)
            assert_true(rng_below(&r, ns[i]) < ns[i]);
    }
    for (int k = 0; k < 100; k++)
        assert_true(rng_below(&r, 1) == 0);
}

static void below_is_roughly_uniform(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 12345);
    enum { N = 10, DRAWS = 100000 };
    int counts[N] = {0};
    for (int i = 0; i < DRAWS; i++)
        counts[rng_below(&r, N)]++;
    /* Expect 10000 each; a chi-square over 9 degrees of freedom stays far below 40. */
    double chi = 0;
    for (int i = 0; i < N; i++) {
        double d = counts[i] - DRAWS / N;
        chi += d * d / (DRAWS / N);
    }
    assert_true(chi < 40.0);
}

static void double_and_chance(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 99);
    double sum = 0;
    int hits = 0;
    for (int i = 0; i < 20000; i++) {
        double d = rng_double(&r);
        assert_true(d >= 0.0 && d < 1.0);
        sum += d;
        hits += rng_chance(&r, 0.25);
    }
    assert_true(sum / 20000 > 0.47 && sum / 20000 < 0.53);
    assert_true(hits > 4500 && hits < 5500);
    for (int i = 0; i < 100; i++) {
        assert_false(rng_chance(&r, 0.0));
        assert_false(rng_chance(&r, -1.0));
        assert_true(rng_chance(&r, 1.0));
        assert_true(rng_chance(&r, 2.0));
    }
}

static void string_uses_alphabet(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 5);
    char out[33];
    memset(out, '#', sizeof out);
    rng_string(&r, out, 32, "ab");
    assert_int_equal(strlen(out), 32);
    assert_int_equal(strspn(out, "ab"), 32);
    rng_string(&r, out, 0, "xyz");
    assert_string_equal(out, "");
    rng a, b;
    rng_seed(&a, 1);
    rng_seed(&b, 1);
    char s1[17], s2[17];
    rng_string(&a, s1, 16, "0123456789abcdef");
    rng_string(&b, s2, 16, "0123456789abcdef");
    assert_string_equal(s1, s2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_same_sequence),
        cmocka_unit_test(sequence_is_fixed_across_machines),
        cmocka_unit_test(below_stays_in_range),
        cmocka_unit_test(below_is_roughly_uniform),
        cmocka_unit_test(double_and_chance),
        cmocka_unit_test(string_uses_alphabet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
