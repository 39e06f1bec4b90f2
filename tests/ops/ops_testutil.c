/* ops_testutil.c: small file helpers shared by the tests of src/ops and the init command. */
#include "tests/ops/ops_testutil.h"

char *ops_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf b;
    buf_init(&b, 1 << 20);
    char chunk[4096];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = buf_add(&b, chunk, n);
    fclose(f);
    if (rc != 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_take(&b);
}
