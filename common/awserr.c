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
