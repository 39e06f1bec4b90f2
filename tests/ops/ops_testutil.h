/* ops_testutil.h: small file helpers shared by the tests of src/ops and the init command. */
#ifndef PHEEDSYNC_OPS_TESTUTIL_H
#define PHEEDSYNC_OPS_TESTUTIL_H

#include "util/buf.h"

/* The whole file (at most 1 MiB) as a malloc'd string; NULL when it cannot be opened. */
char *ops_slurp(const char *path);

#endif
