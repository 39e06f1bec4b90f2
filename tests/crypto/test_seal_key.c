/* test_seal_key.c: finding the sealing key: environment forms, key file creation with mode 0600,
 * refusal of files others can read, errors that never show key material. */
#include "crypto/seal.h"
#include "testkeys.h"

#include <dirent.h>
#include <unistd.h>

static const char KEY_HEX[] = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";

typedef struct fixture {
    char dir[64];
    char path[128];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/pheedsync-key-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/seal.key", f->dir);
    unsetenv(CRYPTO_SEAL_KEY_ENV);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    DIR *d = opendir(f->dir);
    struct dirent *ent;
    while (d && (ent = readdir(d)) != NULL) {
        char p[384];
        snprintf(p, sizeof p, "%s/%s", f->dir, ent->d_name);
        if (ent->d_name[0] != '.')
            unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(f->dir);
    unsetenv(CRYPTO_SEAL_KEY_ENV);
    free(f);
    return 0;
}

/* True when a and b are the same key: what one seals, the other opens. */
static bool same_key(const crypto_key *a, const crypto_key *b)
{
    buf blob;
    buf_init(&blob, 1024);
    assert_int_equal(crypto_seal(&blob, a, "secret", 6, "test", NULL), 0);
    char *pt = NULL;
    size_t n = 0;
    int rc = crypto_open(&pt, &n, b, blob.ptr, blob.len, "test", NULL);
    crypto_secret_free(pt, n);
    buf_free(&blob);
    return rc == 0;
}

static crypto_key *known_key(void)
{
    unsigned char raw[32];
    tk_unhex(raw, KEY_HEX);
    crypto_key *k = NULL;
    assert_int_equal(crypto_key_from_raw(&k, raw, NULL), 0);
    return k;
}

static void environment_takes_hex_or_base64(void **state)
{
    (void)state;
    crypto_key *want = known_key();
    unsigned char raw[32];
    tk_unhex(raw, KEY_HEX);
    char *b64 = tk_b64(raw, sizeof raw);
    char upper[65];
    for (size_t i = 0; i < 64; i++)
        upper[i] = (char)(KEY_HEX[i] >= 'a' ? KEY_HEX[i] - 32 : KEY_HEX[i]);
    upper[64] = '\0';
    char spaced[80];
    snprintf(spaced, sizeof spaced, "  %s\n", b64);
    const char *forms[] = {KEY_HEX, upper, b64, spaced};
    for (size_t i = 0; i < PS_ARRAY_LEN(forms); i++) {
        assert_int_equal(setenv(CRYPTO_SEAL_KEY_ENV, forms[i], 1), 0);
        crypto_key *k = NULL;
        err e = {0};
        if (crypto_key_load(&k, NULL, &e) != 0)
            fail_msg("form %zu: %s", i, e.msg);
        assert_true(same_key(k, want));
        crypto_key_free(k);
    }
    free(b64);
    crypto_key_free(want);
}

static void bad_environment_keys_are_refused_without_echo(void **state)
{
    (void)state;
    unsigned char raw[33] = {1, 2, 3};
    char *short_b64 = tk_b64(raw, 31), *long_b64 = tk_b64(raw, 33);
    const char *bad[] = {KEY_HEX + 2, short_b64, long_b64,
                         "zz3deb1015ca71be2b73aef0857d77811f35"
                         "2c073b6108d72d9810a30914dff4",
                         "not a key at all"};
    for (size_t i = 0; i < PS_ARRAY_LEN(bad); i++) {
        assert_int_equal(setenv(CRYPTO_SEAL_KEY_ENV, bad[i], 1), 0);
        crypto_key *k = NULL;
        err e = {0};
        assert_int_equal(crypto_key_load(&k, NULL, &e), ERR_CONFIG);
        assert_null(k);
        assert_non_null(strstr(e.msg, "PHEEDSYNC_SEAL_KEY: the sealing key must be 32 bytes"));
        assert_null(strstr(e.msg, bad[i]));
    }
    free(short_b64);
    free(long_b64);
}

static void environment_wins_over_the_file(void **state)
{
    fixture *f = *state;
    assert_int_equal(setenv(CRYPTO_SEAL_KEY_ENV, KEY_HEX, 1), 0);
    crypto_key *k = NULL;
    assert_int_equal(crypto_key_load(&k, f->path, NULL), 0);
    assert_int_equal(access(f->path, F_OK), -1); /* no file made */
    crypto_key *want = known_key();
    assert_true(same_key(k, want));
    crypto_key_free(k);
    crypto_key_free(want);
    /* Set but empty counts as unset. */
    assert_int_equal(setenv(CRYPTO_SEAL_KEY_ENV, "", 1), 0);
    assert_int_equal(crypto_key_load(&k, f->path, NULL), 0);
    assert_int_equal(access(f->path, F_OK), 0);
    crypto_key_free(k);
}

static void missing_file_is_created_private_and_reused(void **state)
{
    fixture *f = *state;
    crypto_key *first = NULL, *second = NULL;
    err e = {0};
    assert_int_equal(crypto_key_load(&first, f->path, &e), 0);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 077, 0);
    assert_int_equal(st.st_mode & 0400, 0400);
    assert_int_equal(st.st_size, 45); /* 44 base64 characters and a newline */
    assert_int_equal(crypto_key_load(&second, f->path, &e), 0);
    assert_true(same_key(first, second));
    /* Nothing but the key file is left in the directory. */
    DIR *d = opendir(f->dir);
    int entries = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL)
        entries += ent->d_name[0] != '.';
    closedir(d);
    assert_int_equal(entries, 1);
    crypto_key_free(first);
    crypto_key_free(second);
}

static void two_fresh_key_files_differ(void **state)
{
    fixture *f = *state;
    char other[160];
    snprintf(other, sizeof other, "%s/other.key", f->dir);
    crypto_key *a = NULL, *b = NULL;
    assert_int_equal(crypto_key_load(&a, f->path, NULL), 0);
    assert_int_equal(crypto_key_load(&b, other, NULL), 0);
    assert_false(same_key(a, b));
    crypto_key_free(a);
    crypto_key_free(b);
}

static void files_others_can_read_are_refused(void **state)
{
    fixture *f = *state;
    tk_write_file(f->path, KEY_HEX, 0644);
    crypto_key *k = NULL;
    err e = {0};
    assert_int_equal(crypto_key_load(&k, f->path, &e), ERR_CONFIG);
    char want[300];
    snprintf(want, sizeof want, "key file %s is readable by others: chmod 600 %s", f->path,
             f->path);
    assert_string_equal(e.msg, want);
    assert_int_equal(chmod(f->path, 0640), 0);
    assert_int_equal(crypto_key_load(&k, f->path, &e), ERR_CONFIG);
    assert_string_equal(e.msg, want);
    assert_int_equal(chmod(f->path, 0620), 0);
    assert_int_equal(crypto_key_load(&k, f->path, &e), ERR_CONFIG);
    assert_non_null(strstr(e.msg, "chmod 600"));
    assert_null(k);
    /* Fixed as the message says, the same file loads. */
    assert_int_equal(chmod(f->path, 0600), 0);
    assert_int_equal(crypto_key_load(&k, f->path, &e), 0);
    crypto_key *want_key = known_key();
    assert_true(same_key(k, want_key));
    crypto_key_free(k);
    crypto_key_free(want_key);
    assert_int_equal(chmod(f->path, 0400), 0);
    assert_int_equal(crypto_key_load(&k, f->path, &e), 0);
    crypto_key_free(k);
}

static void unusable_files_give_clear_errors(void **state)
{
    fixture *f = *state;
    crypto_key *k = NULL;
    err e = {0};
    tk_write_file(f->path, "definitely not a key\n", 0600);
    assert_int_equal(crypto_key_load(&k, f->path, &e), ERR_CONFIG);
    assert_non_null(strstr(e.msg, "seal.key: the sealing key must be 32 bytes"));
    char big[400];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    tk_write_file(f->path, big, 0600);
    assert_int_equal(crypto_key_load(&k, f->path, &e), ERR_CONFIG);
    assert_non_null(strstr(e.msg, "too large"));
    unlink(f->path);
    assert_int_equal(mkfifo(f->path, 0600), 0);
    assert_int_equal(crypto_key_load(&k, f->path, &e), ERR_CONFIG);
    assert_non_null(strstr(e.msg, "not a regular file"));
    unlink(f->path);
    /* A directory where the key should be, and a directory that does not exist. */
    assert_int_equal(crypto_key_load(&k, f->dir, &e), ERR_CONFIG);
    assert_non_null(strstr(e.msg, "not a regular file"));
    char nowhere[160];
    snprintf(nowhere, sizeof nowhere, "%s/missing/seal.key", f->dir);
    assert_int_equal(crypto_key_load(&k, nowhere, &e), ERR_IO);
    assert_non_null(strstr(e.msg, "cannot create"));
    assert_int_equal(crypto_key_load(&k, NULL, &e), ERR_CONFIG);
    assert_non_null(strstr(e.msg, "PHEEDSYNC_SEAL_KEY"));
    assert_int_equal(crypto_key_load(&k, "", &e), ERR_CONFIG);
    assert_null(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(environment_takes_hex_or_base64, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_environment_keys_are_refused_without_echo, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(environment_wins_over_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_file_is_created_private_and_reused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(two_fresh_key_files_differ, setup, teardown),
        cmocka_unit_test_setup_teardown(files_others_can_read_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(unusable_files_give_clear_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
