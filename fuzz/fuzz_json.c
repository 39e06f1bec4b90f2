/* fuzz_json.c: jsonx_parse on arbitrary bytes (every request and response body goes through it),
 * and dump-then-parse giving an equal value. */
#include "fuzz/fuzz.h"
#include "util/jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = NULL;
    err e = {0};
    int rc = jsonx_parse(&j, data, size, "fuzz input", &e);
    if (rc != 0) {
        if (rc != ERR_PARSE || e.msg[0] == '\0')
            abort();
        return 0;
    }
    char *text = jsonx_dumps(j);
    if (text) {
        json_t *again = NULL;
        if (jsonx_parse(&again, text, strlen(text), "dump", &e) != 0 || !json_equal(j, again))
            abort();
        json_decref(again);
        free(text);
    }
    (void)jsonx_path(j, "a.0.b");
    (void)jsonx_str(j, "email");
    json_decref(j);
    return 0;
}
