/* bench_args.h: what the benchmark drivers share: their `--name value` arguments and the curl
 * write callback that gathers an answer into a buffer. */
#ifndef PHEEDSYNC_BENCH_ARGS_H
#define PHEEDSYNC_BENCH_ARGS_H

#include "util/buf.h"

/* The value after `name` in argv, or fallback when name is not given. */
const char *bench_arg_str(int argc, char **argv, const char *name, const char *fallback);
long bench_arg_long(int argc, char **argv, const char *name, long fallback);

/* A CURLOPT_WRITEFUNCTION: appends to the buf given as its data (NULL: drops the bytes). */
size_t bench_sink(char *p, size_t size, size_t n, void *ctx);

#endif
