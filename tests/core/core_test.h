/* core_test.h: helpers the core tests share: JSON from text, JSON comparison that prints both
 * sides, and a field map from configuration text. They fail the running test on bad input. */
#ifndef PHEEDSYNC_TESTS_CORE_TEST_H
#define PHEEDSYNC_TESTS_CORE_TEST_H

#include "core/mapping.h"

#include <jansson.h>

/* Any JSON value from text (a new reference). */
json_t *ct_json(const char *text);
/* Fails unless got equals the JSON text want. */
void ct_assert_json(const json_t *got, const char *want);
/* The map of a configuration text. */
core_map *ct_map(const char *config_text);

#endif
