/* prism.h: runs Stoplight Prism in proxy mode in front of a server, for contract tests: every
 * request and response through it is validated against an OpenAPI file. */
#ifndef PHEEDSYNC_TEST_PRISM_H
#define PHEEDSYNC_TEST_PRISM_H

#include "util/err.h"

typedef struct prism prism;

/* Starts `prism proxy SPEC UPSTREAM --errors` on a free loopback port and waits (bounded) until
 * it answers. The binary is found through $PHEEDSYNC_PRISM or tests/contract/node_modules. */
int prism_start(prism **out, const char *spec_path, const char *upstream_url, err *e);
uint16_t prism_port(const prism *p);
/* Everything Prism logged so far (its violations are listed there). */
char *prism_log(const prism *p);
void prism_stop(prism *p);

#endif
