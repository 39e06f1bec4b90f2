/* fuzz_fault_config.c: the fault settings an admin request or a command line carries, on
 * arbitrary bytes: JSON through sbx_fault_config_update, text through sbx_fault_config_parse. */
#include "fuzz/fuzz.h"
#include "sandbox/faults.h"

/* Whatever was accepted is in range, and its JSON form reads back to the same settings. */
static void check(const sbx_fault_config *cfg)
{
    const double shares[] = {cfg->p_5xx,     cfg->p_429,          cfg->p_hang,      cfg->p_reset,
                             cfg->wh_p_drop, cfg->wh_p_duplicate, cfg->wh_p_reorder};
    const int times[] = {cfg->latency_ms, cfg->latency_jitter_ms, cfg->hang_ms, cfg->wh_delay_ms};
    for (size_t i = 0; i < PS_ARRAY_LEN(shares); i++)
        if (!(shares[i] >= 0.0 && shares[i] <= 1.0))
            abort();
    for (size_t i = 0; i < PS_ARRAY_LEN(times); i++)
        if (times[i] < 0)
            abort();
    json_t *j = sbx_fault_config_json(cfg);
    sbx_fault_config back;
    sbx_fault_config_defaults(&back);
    if (!j || sbx_fault_config_update(&back, j, NULL) != 0 || memcmp(&back, cfg, sizeof back) != 0)
        abort();
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sbx_fault_config cfg;
    sbx_fault_config_defaults(&cfg);
    err e = {0};
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (j && sbx_fault_config_update(&cfg, j, &e) == 0)
        check(&cfg);
    json_decref(j);

    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    sbx_fault_config_defaults(&cfg);
    if (sbx_fault_config_parse(&cfg, s, &e) == 0)
        check(&cfg);
    free(s);
    return 0;
}
