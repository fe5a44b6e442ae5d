/*
 * rcf_explain.c - the ANOMALY_EXPLANATION column of RANDOM_CUT_FOREST_WITH_EXPLANATION
 * (contract in rcf.h). KDA writes every value as a string with 4 decimals; STRENGTH is
 * sluice's own definition, |high - low|, since KDA does not publish its formula.
 */
#include "rcf.h"
#include "val.h"

#include <math.h>
#include <string.h>

void sl_rcf_explain_format(sl_buf_t *out, int ncols, const char *const *names, const double *high,
                           const double *low, bool directionality)
{
    sl_buf_putc(out, '{');
    for (int c = 0; c < ncols; c++) {
        if (c) sl_buf_putc(out, ',');
        sl_json_quote(out, names[c], strlen(names[c]));
        sl_buf_putc(out, ':');
        sl_buf_putc(out, '{');
        /* + 0.0 turns a -0.0 into 0.0 so that "-0.0000" never appears. */
        if (directionality)
            sl_buf_printf(out, "\"DIRECTION\":\"%s\",\"STRENGTH\":\"%.4f\",",
                          high[c] > low[c] ? "HIGH" : "LOW", fabs(high[c] - low[c]) + 0.0);
        sl_buf_printf(out, "\"ATTRIBUTION_SCORE\":\"%.4f\"}", high[c] + low[c] + 0.0);
    }
    sl_buf_putc(out, '}');
}
