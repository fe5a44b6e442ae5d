/*
 * awserr.c - names, statuses and formatting of AWS API errors; see awserr.h.
 */
#include "awserr.h"

#include <stdio.h>

static const struct {
    const char *name;
    int status;
} awserr_info[] = {
    {"OK", 200},
#define SL_AWSERR_INFO(name, status) {#name, status},
    SL_AWSERR_TABLE(SL_AWSERR_INFO)
#undef SL_AWSERR_INFO
};

int sl_awserr_set(sl_awserr_t *e, sl_awserr_code_t code, const char *fmt, ...)
{
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

const char *sl_awserr_name(sl_awserr_code_t code)
{
    return awserr_info[code].name;
}

int sl_awserr_status(sl_awserr_code_t code)
{
    return awserr_info[code].status;
}

void sl_violation_add(sl_violations_t *v, const char *value, const char *member, const char *rule)
{
    if (++v->n > 10) return;
    if (v->text.len) sl_buf_puts(&v->text, "; ");
    if (value)
        sl_buf_printf(&v->text, "Value '%s' at '%s' failed to satisfy constraint: %s", value,
                      member, rule);
    else
        sl_buf_printf(&v->text, "Value null at '%s' failed to satisfy constraint: %s", member,
                      rule);
}

bool sl_violations_report(const sl_violations_t *v, sl_awserr_t *err)
{
    if (!v->n) return false;
    sl_awserr_set(err, SL_AWS_ValidationException, "%d validation error%s detected: %s", v->n,
                  v->n == 1 ? "" : "s", v->text.p);
    return true;
}

void sl_violations_free(sl_violations_t *v)
{
    sl_buf_free(&v->text);
    v->n = 0;
}
