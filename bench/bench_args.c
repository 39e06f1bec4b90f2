/* bench_args.c: the benchmark drivers' arguments and answer buffer (bench_args.h). */
#include "bench/bench_args.h"

const char *bench_arg_str(int argc, char **argv, const char *name, const char *fallback)
{
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    }
    return fallback;
}

long bench_arg_long(int argc, char **argv, const char *name, long fallback)
{
    const char *v = bench_arg_str(argc, argv, name, NULL);
    return v ? strtol(v, NULL, 10) : fallback;
}

size_t bench_sink(char *p, size_t size, size_t n, void *ctx)
{
    buf *b = ctx;
    if (b)
        buf_add(b, p, size * n);
    return size * n;
}
