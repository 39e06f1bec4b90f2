/* fuzz.h: the libFuzzer entry point every fuzz target defines (also driven by replay_main.c). */
#ifndef PHEEDSYNC_FUZZ_H
#define PHEEDSYNC_FUZZ_H

#include "util/common.h"

/* Runs one input; must not keep state between calls. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
