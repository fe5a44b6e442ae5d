/*
 * expr.c - the expression compiler and its vector interpreter; see expr.h.
 */
#include "expr.h"

#include "alloc.h"
#include "buf.h"
#include "clock.h"
#include "pattern.h"
#include "registry.h"
#include "val.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Register kinds: where a register's vector comes from. */
enum { R_TEMP, R_CONST, R_COL, R_ROWTIME };

/* One register: a vector of SL_BATCH_CAP rows. */
typedef struct reg {
    int kind;     /* R_* */
    int col;      /* R_COL: input column */
    sl_vec_t vec; /* R_TEMP/R_CONST: owned storage; R_COL/R_ROWTIME: set per evaluation */
} reg_t;

/* One step: dst = op(args). */
typedef struct step {
    const sl_expr_t *e; /* the expression node it computes (type, op, unit, fn, call) */
    int dst;
    int nargs;
    int *args;          /* argument registers (owned) */
    /* A row function (log parsers): one kernel run fills a register per field. */
    sl_fn_row_t *row;   /* the compiled call (fields, kernel state); owned; NULL otherwise */
    int *dsts;          /* row->nfields registers (owned) */
    sl_vec_t *outs;     /* their vectors, as the kernel takes them (owned) */
} step_t;

/* A compiled program. */
struct sl_prog {
    int nregs;
    reg_t *regs;
    int nsteps;
    step_t *steps;
    int nres;
    int *res;             /* result register of each expression */
    sl_arena_t *arena;    /* strings made by the last evaluation */
    size_t n;             /* rows of the last evaluation */
    const char *err_msg;  /* first row error */
    const char *err_name;
    uint8_t *zeros;       /* a null map of zeros (ROWTIME is never NULL) */
    uint8_t *scratch;     /* kernel error map */
    sl_buf_t tmp;         /* formatting scratch */
    int64_t now_ms;       /* CURRENT_TIMESTAMP: the clock when the program was made */
    const char **row_msg; /* per row of the last evaluation: its first error, or NULL */
    const char **row_name;
    const char **kmsg;    /* a kernel's per-row error messages (sl_fn_ctx_t.err_msgs) */
};

/* Adds a register; returns its index. */
static int add_reg(sl_prog_t *p, int kind, sl_type_t t)
{
    p->regs = sl_realloc(p->regs, sizeof(reg_t) * (size_t)(p->nregs + 1));
    reg_t *r = &p->regs[p->nregs];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->vec.type = t;
    if (kind == R_TEMP || kind == R_CONST) sl_vec_alloc(&r->vec, t, SL_BATCH_CAP);
    return p->nregs++;
}

static int compile(sl_prog_t *p, const sl_expr_t *e, const sl_pcol_t *in_cols);

/* Structural equality of two argument trees (what makes two field accesses share one
 * row function run). */
static bool same_tree(const sl_expr_t *a, const sl_expr_t *b)
{
    if (a->kind != b->kind || a->type.id != b->type.id || a->type.scale != b->type.scale ||
        a->type.len != b->type.len || a->op != b->op || a->col_ix != b->col_ix ||
        a->null != b->null || a->i != b->i || a->f != b->f || a->slen != b->slen ||
        a->unit != b->unit || a->fn != b->fn || a->call.field != b->call.field ||
        a->call.unit != b->call.unit || a->call.flags != b->call.flags ||
        a->qualified != b->qualified || a->nargs != b->nargs)
        return false;
    if (a->slen && memcmp(a->s, b->s, a->slen)) return false;
    for (int i = 0; i < a->nargs; i++)
        if (!same_tree(a->args[i], b->args[i])) return false;
    return true;
}

/*
 * Compiles a field of a row function call (W3C_LOG_PARSE(...) field k): the first field of
 * a call compiles the call once - arguments, the row (the type rule compiles the format
 * from the constant arguments) and one register per field - and every later field of an
 * equal call reuses it, so a line is parsed once whatever the number of fields read.
 */
static int compile_row_field(sl_prog_t *p, const sl_expr_t *e, const sl_pcol_t *in_cols)
{
    for (int s = 0; s < p->nsteps; s++) {
        const step_t *st = &p->steps[s];
        if (!st->row || st->e->fn != e->fn || st->e->nargs != e->nargs) continue;
        bool eq = true;
        for (int i = 0; i < e->nargs && eq; i++) eq = same_tree(st->e->args[i], e->args[i]);
        if (eq && e->call.field >= 1 && e->call.field <= st->row->nfields)
            return st->dsts[e->call.field - 1];
    }
    step_t st = {e, -1, e->nargs, NULL, NULL, NULL, NULL};
    st.args = SL_NEWN(int, e->nargs ? e->nargs : 1);
    for (int i = 0; i < e->nargs; i++) st.args[i] = compile(p, e->args[i], in_cols);
    sl_fn_const_t *c = SL_NEWN(sl_fn_const_t, e->nargs ? e->nargs : 1);
    for (int i = 0; i < e->nargs; i++) {
        const sl_expr_t *a = e->args[i];
        if (a->kind != SL_EX_CONST || a->null) continue;
        c[i].is_const = true;
        c[i].is_str = sl_type_phys(a->type) == SL_PHYS_STR;
        c[i].s = a->s ? a->s : "";
        c[i].slen = a->slen;
        c[i].i = a->i;
    }
    sl_fn_call_info_t call = e->call;
    call.consts = c;
    call.field = 0;
    st.row = SL_NEW(sl_fn_row_t);
    call.row = st.row;
    sl_type_t t;
    char err[256] = "";
    if (!e->fn->type_rule(&call, &t, err, sizeof err) || e->call.field < 1 ||
        e->call.field > st.row->nfields) {
        /* The planner ran the same rule on the same constants: this cannot fail. */
        fprintf(stderr, "sluice: internal error compiling %s: %s\n", e->fn->name, err);
        abort();
    }
    sl_free(c);
    int nf = st.row->nfields;
    st.dsts = SL_NEWN(int, nf);
    st.outs = SL_NEWN(sl_vec_t, nf);
    for (int k = 0; k < nf; k++) st.dsts[k] = add_reg(p, R_TEMP, st.row->fields[k].type);
    for (int k = 0; k < nf; k++) st.outs[k] = p->regs[st.dsts[k]].vec;
    st.dst = st.dsts[0];
    p->steps = sl_realloc(p->steps, sizeof(step_t) * (size_t)(p->nsteps + 1));
    p->steps[p->nsteps++] = st;
    return st.dsts[e->call.field - 1];
}

/* Compiles one node; returns its register. */
static int compile(sl_prog_t *p, const sl_expr_t *e, const sl_pcol_t *in_cols)
{
    if (e->kind == SL_EX_CALL && e->fn->kind == SL_FN_ROW) return compile_row_field(p, e, in_cols);
    switch (e->kind) {
    case SL_EX_COL: {
        for (int i = 0; i < p->nregs; i++)
            if (p->regs[i].kind == R_COL && p->regs[i].col == e->col_ix) return i;
        int r = add_reg(p, R_COL, in_cols[e->col_ix].type);
        p->regs[r].col = e->col_ix;
        return r;
    }
    case SL_EX_ROWTIME: {
        for (int i = 0; i < p->nregs; i++)
            if (p->regs[i].kind == R_ROWTIME) return i;
        return add_reg(p, R_ROWTIME, sl_type_make(SL_T_TIMESTAMP));
    }
    case SL_EX_CONST: {
        int r = add_reg(p, R_CONST, e->type);
        sl_vec_t *v = &p->regs[r].vec;
        for (size_t i = 0; i < SL_BATCH_CAP; i++) {
            v->null[i] = e->null;
            switch (sl_type_phys(e->type)) {
            case SL_PHYS_I64: v->v.i[i] = e->i; break;
            case SL_PHYS_F64: v->v.f[i] = e->f; break;
            case SL_PHYS_STR: v->v.s[i] = (sl_str_t){e->s ? e->s : "", e->slen}; break;
            }
        }
        return r;
    }
    default: break;
    }
    step_t st = {e, -1, e->nargs, NULL, NULL, NULL, NULL};
    st.args = SL_NEWN(int, e->nargs ? e->nargs : 1);
    for (int i = 0; i < e->nargs; i++) st.args[i] = compile(p, e->args[i], in_cols);
    st.dst = add_reg(p, R_TEMP, e->type);
    p->steps = sl_realloc(p->steps, sizeof(step_t) * (size_t)(p->nsteps + 1));
    p->steps[p->nsteps++] = st;
    return st.dst;
}

/* Compiles a program; see expr.h. */
sl_prog_t *sl_prog_new(sl_expr_t *const *exprs, int n, const sl_pcol_t *in_cols, int in_ncols)
{
    sl_prog_t *p = SL_NEW(sl_prog_t);
    p->arena = sl_arena_new(0);
    p->zeros = sl_calloc(SL_BATCH_CAP, 1);
    p->scratch = sl_calloc(SL_BATCH_CAP, 1);
    p->nres = n;
    p->res = SL_NEWN(int, n ? n : 1);
    p->now_ms = sl_clock_now_ms();
    p->row_msg = SL_NEWN(const char *, SL_BATCH_CAP);
    p->row_name = SL_NEWN(const char *, SL_BATCH_CAP);
    p->kmsg = SL_NEWN(const char *, SL_BATCH_CAP);
    for (int i = 0; i < n; i++) p->res[i] = compile(p, exprs[i], in_cols);
    return p;
}

/* Frees a program; see expr.h. */
void sl_prog_free(sl_prog_t *p)
{
    if (!p) return;
    for (int i = 0; i < p->nregs; i++)
        if (p->regs[i].kind == R_TEMP || p->regs[i].kind == R_CONST) sl_vec_free(&p->regs[i].vec);
    for (int i = 0; i < p->nsteps; i++) {
        sl_free(p->steps[i].args);
        sl_fn_row_clear(p->steps[i].row);
        sl_free(p->steps[i].row);
        sl_free(p->steps[i].dsts);
        sl_free(p->steps[i].outs);
    }
    sl_free(p->regs);
    sl_free(p->steps);
    sl_free(p->res);
    sl_free(p->zeros);
    sl_free(p->scratch);
    sl_free(p->row_msg);
    sl_free(p->row_name);
    sl_free(p->kmsg);
    sl_buf_free(&p->tmp);
    sl_arena_free(p->arena);
    sl_free(p);
}

/* Result of expression i; see expr.h. */
const sl_vec_t *sl_prog_result(const sl_prog_t *p, int i) { return &p->regs[p->res[i]].vec; }
/* First error message; see expr.h. */
const char *sl_prog_error(const sl_prog_t *p) { return p->err_msg; }
/* First error name; see expr.h. */
const char *sl_prog_error_name(const sl_prog_t *p) { return p->err_name; }
/* The error of one row; see expr.h. */
const char *sl_prog_row_error(const sl_prog_t *p, size_t row, const char **name)
{
    const char *m = row < p->n ? p->row_msg[row] : NULL;
    if (name) *name = m ? p->row_name[row] : p->err_name;
    return m ? m : p->err_msg;
}

/* Records a row error. */
static void row_error(sl_prog_t *p, uint8_t *null, size_t i, const char *name, const char *msg)
{
    null[i] = SL_NULL_ERROR;
    if (!p->err_msg) {
        p->err_msg = msg;
        p->err_name = name;
    }
    if (!p->row_msg[i]) {
        p->row_msg[i] = msg;
        p->row_name[i] = name;
    }
}

/* The larger of two null bytes (error > NULL > value). */
static inline uint8_t nmax(uint8_t a, uint8_t b) { return a > b ? a : b; }

/* Compares strings bytewise, shorter first on a tie. */
static inline int scmp(sl_str_t a, sl_str_t b)
{
    uint32_t n = a.len < b.len ? a.len : b.len;
    int r = n ? memcmp(a.p, b.p, n) : 0;
    if (r) return r;
    return a.len < b.len ? -1 : a.len > b.len;
}

/* True when two strings hold the same bytes. */
static inline bool str_same(sl_str_t a, sl_str_t b)
{
    return a.len == b.len && (a.len == 0 || a.p == b.p || !memcmp(a.p, b.p, a.len));
}

/*
 * s [NOT] LIKE | SIMILAR TO p [ESCAPE e] over a batch (functions/pattern.h): the pattern is
 * compiled again only when a row's pattern or escape differs from the previous row's, so a
 * constant pattern is compiled once a batch. A pattern that does not compile (only a
 * computed one can: the planner compiles constants) is a row error.
 */
static void pattern_op(sl_prog_t *p, const sl_expr_t *e, const sl_vec_t *a, const sl_vec_t *b,
                       const sl_vec_t *c, sl_vec_t *o, size_t n)
{
    bool similar = e->op == SL_XOP_SIMILAR || e->op == SL_XOP_NOT_SIMILAR;
    bool neg = e->op == SL_XOP_NOT_LIKE || e->op == SL_XOP_NOT_SIMILAR;
    sl_fn_pattern_t *pt = NULL;
    const char *perr = NULL;
    sl_str_t lp = {NULL, 0}, le = {NULL, 0};
    bool have = false;
    for (size_t i = 0; i < n; i++) {
        o->null[i] = nmax(a->null[i], b->null[i]);
        if (c) o->null[i] = nmax(o->null[i], c->null[i]);
        if (o->null[i]) continue;
        sl_str_t pat = b->v.s[i], esc = c ? c->v.s[i] : (sl_str_t){NULL, 0};
        if (!have || !str_same(pat, lp) || !str_same(esc, le)) {
            char err[200];
            sl_fn_pattern_free(pt);
            pt = sl_fn_pattern_compile(similar ? SL_PATTERN_SIMILAR : SL_PATTERN_LIKE, pat.p,
                                       pat.len, c ? (esc.p ? esc.p : "") : NULL, esc.len, err,
                                       sizeof err, NULL);
            perr = pt ? NULL : sl_arena_strdup(p->arena, err);
            have = true;
            lp = pat;
            le = esc;
        }
        if (!pt) {
            row_error(p, o->null, i, "InvalidPattern", perr);
            continue;
        }
        bool m = sl_fn_pattern_match(pt, a->v.s[i].p, a->v.s[i].len);
        o->v.i[i] = neg ? !m : m;
    }
    sl_fn_pattern_free(pt);
}

/* Adds months to a timestamp (year-month intervals), clamping the day. */
static int64_t add_months(int64_t ms, int64_t months)
{
    int64_t day = sl_fn_step(ms, 86400000), tod = ms - day, y;
    unsigned m, d;
    sl_civil_from_days(day / 86400000, &y, &m, &d);
    int64_t total = y * 12 + (m - 1) + months;
    int64_t ny = total >= 0 ? total / 12 : -((-total + 11) / 12);
    unsigned nm = (unsigned)(total - ny * 12) + 1;
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned maxd = mdays[nm - 1] + (nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0));
    if (d > maxd) d = maxd;
    return sl_days_from_civil(ny, nm, d) * 86400000 + tod;
}

/*
 * The common case of printing a DOUBLE without printf: when d (1e-4 <= |d| < 1e15) reads
 * back exactly from 15 significant digits, writes them in fixed notation (as %.15g would,
 * trailing zeros dropped, ".0" for integers) and returns true. The check is exact: m and
 * 10^k are exact doubles, so m / 10^k is the correctly rounded value of the decimal m e-k,
 * which is what strtod would read. Otherwise returns false (printf path).
 */
static bool fmt_double15(sl_buf_t *out, double d)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18};
    double a = d < 0 ? -d : d;
    if (!(a >= 1e-4 && a < 1e15)) return false;
    int e = 0; /* a in [10^e, 10^(e+1)) */
    if (a >= 1.0) {
        while (e < 14 && a >= p10[e + 1]) e++;
    } else {
        while (a * p10[-e + 1] < 10.0 && e > -4) e--;
        e--;
        if (a * p10[-e] >= 10.0) e++;
    }
    int k = 14 - e; /* 0 <= k <= 18 */
    if (k < 0 || k > 18) return false;
    double md = nearbyint(a * p10[k]);
    if (md >= 1e15 || md / p10[k] != a) return false;
    uint64_t m = (uint64_t)md;
    while (k > 0 && m % 10 == 0) {
        m /= 10;
        k--;
    }
    uint64_t ip = m / (uint64_t)p10[k], fp = m % (uint64_t)p10[k];
    char tmp[48];
    int n = 0;
    if (d < 0) tmp[n++] = '-';
    char rev[24];
    int r = 0;
    do {
        rev[r++] = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    while (r) tmp[n++] = rev[--r];
    tmp[n++] = '.';
    if (k == 0) {
        tmp[n++] = '0';
    } else {
        for (int i = k - 1; i >= 0; i--) {
            tmp[n + i] = (char)('0' + fp % 10);
            fp /= 10;
        }
        n += k;
    }
    sl_buf_append(out, tmp, (size_t)n);
    return true;
}

/* 10^k as a 128-bit integer (k <= 38). */
static unsigned __int128 pow10_128(int k)
{
    unsigned __int128 r = 1;
    while (k-- > 0) r *= 10;
    return r;
}

/* The decimal exponent e of a > 0: 10^e <= a < 10^(e+1) (for 1e-4 <= a < 1e15), exact:
 * compared against exactly representable powers of ten. */
static int dec_exp(double a)
{
    static const double p10[] = {1e-4, 1e-3, 1e-2, 1e-1, 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,
                                 1e6,  1e7,  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    int e = -4;
    while (e < 14 && a >= p10[e + 1 + 4]) e++;
    return e; /* 1e-4..1e-1 are not exact doubles: the caller settles the boundary exactly */
}

/*
 * Prints a DOUBLE (1e-4 <= |d| < 1e15) with 16 significant digits when they read back
 * exactly, else 17 (which always do), in fixed notation - the digits printf's %.16g/%.17g
 * give, computed exactly with 128-bit integers: |d| = f / 2^s, and round(|d| * 10^k) is
 * f * 10^k / 2^s rounded half to even. The 16-digit candidate m reads back as d iff it is
 * closer to d than half an ulp: |m * 2^s - f * 10^k| * 2 < 10^k (a quarter below a power
 * of two, where the gap below is half as wide; a tie is conservatively refused).
 */
static bool fmt_double1617(sl_buf_t *out, double d)
{
    double a = d < 0 ? -d : d;
    if (!(a >= 1e-4 && a < 1e15)) return false;
    int bexp;
    double fr = frexp(a, &bexp);
    uint64_t f = (uint64_t)ldexp(fr, 53);
    int s = 53 - bexp; /* a = f / 2^s, 3 <= s <= 66 */
    if (s < 1 || s > 100) return false;
    int e = dec_exp(a);
    /* Make e exact: 10^e <= a holds iff f * 10^-e >= 2^s (for e < 0), f >= 10^e * 2^s else. */
    for (int fix = 0; fix < 2; fix++) {
        unsigned __int128 lhs, rhs;
        if (e >= 0) {
            lhs = (unsigned __int128)f;
            rhs = pow10_128(e) << s;
        } else {
            lhs = (unsigned __int128)f * pow10_128(-e);
            rhs = (unsigned __int128)1 << s;
        }
        if (lhs < rhs) e--;
        else break;
    }
    for (int digits = 16; digits <= 17; digits++) {
        int k = digits - 1 - e;
        if (k < 0 || k > 21) return false;
        unsigned __int128 p = pow10_128(k);
        unsigned __int128 num = (unsigned __int128)f * p;
        unsigned __int128 q = num >> s, rem = num & (((unsigned __int128)1 << s) - 1);
        unsigned __int128 half = (unsigned __int128)1 << (s - 1);
        if (rem > half || (rem == half && (q & 1))) q++;
        if (q >= pow10_128(digits)) continue; /* rounded up to one more digit: use 17 */
        if (digits == 16) {
            unsigned __int128 ms = q << s, fk = num;
            unsigned __int128 diff = ms > fk ? ms - fk : fk - ms;
            bool below = ms < fk, pow2 = f == ((uint64_t)1 << 52);
            unsigned __int128 lim = p;
            if (below && pow2) {
                if (diff * 4 >= lim) continue;
            } else if (diff * 2 >= lim) {
                continue;
            }
        }
        /* q has `digits` digits, k of them after the point; drop trailing zeros. */
        uint64_t m = (uint64_t)q;
        while (k > 0 && m % 10 == 0) {
            m /= 10;
            k--;
        }
        char digs[24];
        int nd = 0;
        do {
            digs[nd++] = (char)('0' + m % 10);
            m /= 10;
        } while (m);
        char tmp[48];
        int n = 0;
        if (d < 0) tmp[n++] = '-';
        int ip = nd - k; /* digits before the point */
        if (ip <= 0) {
            tmp[n++] = '0';
            tmp[n++] = '.';
            for (int z = 0; z < -ip; z++) tmp[n++] = '0';
            for (int i = nd - 1; i >= 0; i--) tmp[n++] = digs[i];
        } else {
            for (int i = nd - 1; i >= nd - ip; i--) tmp[n++] = digs[i];
            tmp[n++] = '.';
            if (k == 0) tmp[n++] = '0';
            for (int i = k - 1; i >= 0; i--) tmp[n++] = digs[i];
        }
        sl_buf_append(out, tmp, (size_t)n);
        return true;
    }
    return false;
}

/* Appends the text form of a value; see expr.h. */
void sl_value_text(sl_buf_t *out, const sl_vec_t *v, size_t row)
{
    char tmp[64];
    switch (v->type.id) {
    case SL_T_BOOLEAN: sl_buf_puts(out, v->v.i[row] ? "TRUE" : "FALSE"); return;
    case SL_T_DECIMAL: {
        int64_t x = v->v.i[row], p = sl_pow10(v->type.scale);
        uint64_t ax = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
        if (x < 0) sl_buf_putc(out, '-');
        sl_buf_put_u64(out, ax / (uint64_t)p);
        if (v->type.scale) sl_buf_printf(out, ".%0*llu", v->type.scale, (unsigned long long)(ax % (uint64_t)p));
        return;
    }
    case SL_T_REAL:
    case SL_T_DOUBLE: {
        double d = v->v.f[row];
        if (isnan(d)) {
            sl_buf_puts(out, "NaN");
            return;
        }
        if (isinf(d)) {
            sl_buf_puts(out, d > 0 ? "Infinity" : "-Infinity");
            return;
        }
        if (v->type.id == SL_T_DOUBLE && (fmt_double15(out, d) || fmt_double1617(out, d))) return;
        /* The shortest of 15, 16, 17 significant digits that reads back exactly. */
        int prec = v->type.id == SL_T_REAL ? 7 : 15;
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (v->type.id == SL_T_DOUBLE && strtod(tmp, NULL) != d) {
            snprintf(tmp, sizeof tmp, "%.16g", d);
            if (strtod(tmp, NULL) != d) snprintf(tmp, sizeof tmp, "%.17g", d);
        }
        sl_buf_puts(out, tmp);
        if (!strpbrk(tmp, ".eEn")) sl_buf_puts(out, ".0");
        return;
    }
    case SL_T_DATE: sl_format_date(v->v.i[row], tmp); sl_buf_puts(out, tmp); return;
    case SL_T_TIME: sl_format_time(v->v.i[row], tmp); sl_buf_puts(out, tmp); return;
    case SL_T_TIMESTAMP: sl_clock_format_ms(v->v.i[row], tmp); sl_buf_puts(out, tmp); return;
    case SL_T_BINARY:
    case SL_T_VARBINARY:
        for (uint32_t i = 0; i < v->v.s[row].len; i++)
            sl_buf_printf(out, "%02X", (unsigned char)v->v.s[row].p[i]);
        return;
    default:
        if (sl_type_phys(v->type) == SL_PHYS_STR) sl_buf_append(out, v->v.s[row].p, v->v.s[row].len);
        else sl_buf_put_i64(out, v->v.i[row]);
    }
}

/* Appends the JSON form of a value; see expr.h. */
void sl_value_json(sl_buf_t *out, const sl_vec_t *v, size_t row)
{
    if (v->null[row]) {
        sl_buf_puts(out, "null");
        return;
    }
    switch (v->type.id) {
    case SL_T_BOOLEAN: sl_buf_puts(out, v->v.i[row] ? "true" : "false"); return;
    case SL_T_TINYINT:
    case SL_T_SMALLINT:
    case SL_T_INTEGER:
    case SL_T_BIGINT: sl_buf_put_i64(out, v->v.i[row]); return;
    case SL_T_DECIMAL: sl_value_text(out, v, row); return;
    case SL_T_REAL:
    case SL_T_DOUBLE:
        if (isnan(v->v.f[row]) || isinf(v->v.f[row])) {
            sl_buf_puts(out, "null");
            return;
        }
        sl_value_text(out, v, row);
        return;
    case SL_T_CHAR:
    case SL_T_VARCHAR: sl_json_quote(out, v->v.s[row].p, v->v.s[row].len); return;
    case SL_T_BINARY:
    case SL_T_VARBINARY:
        sl_buf_putc(out, '"');
        sl_base64_encode(out, v->v.s[row].p, v->v.s[row].len);
        sl_buf_putc(out, '"');
        return;
    default: {
        size_t at = out->len;
        sl_buf_putc(out, '"');
        sl_value_text(out, v, row);
        sl_buf_putc(out, '"');
        (void)at;
    }
    }
}

/* Parses a decimal number text into a scaled integer; false when malformed or too big. */
static bool parse_decimal(const char *s, size_t n, int scale, int64_t *out)
{
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i])) i++;
    while (n > i && isspace((unsigned char)s[n - 1])) n--;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    __int128 v = 0;
    int frac = -1, digits = 0;
    bool round_up = false;
    for (; i < n; i++) {
        if (s[i] == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (!isdigit((unsigned char)s[i])) {
            if (s[i] == 'e' || s[i] == 'E') {
                char tmp[64];
                if (n > 63) return false;
                memcpy(tmp, s, n);
                tmp[n] = 0;
                char *end;
                double d = strtod(tmp, &end);
                if (*end) return false;
                double sc = d * (double)sl_pow10(scale);
                if (fabs(sc) > 9.2e18) return false;
                *out = (int64_t)llround(sc);
                return true;
            }
            return false;
        }
        if (frac >= 0) {
            if (frac == scale) {
                if (frac == scale && !round_up && s[i] >= '5') round_up = true;
                frac++;
                continue;
            }
            if (frac > scale) continue;
            frac++;
        }
        v = v * 10 + (s[i] - '0');
        if (++digits > 19) return false;
    }
    if (!digits) return false;
    int have = frac < 0 ? 0 : (frac > scale ? scale : frac);
    for (int k = have; k < scale; k++) v *= 10;
    if (round_up) v++;
    if (v > INT64_MAX) return false;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

/* Integer range of a type. */
static bool int_fits(sl_type_t t, int64_t v)
{
    switch (t.id) {
    case SL_T_TINYINT: return v >= -128 && v <= 127;
    case SL_T_SMALLINT: return v >= -32768 && v <= 32767;
    case SL_T_INTEGER: return v >= INT32_MIN && v <= INT32_MAX;
    default: return true;
    }
}

/* Parses text into a value; see expr.h. */
bool sl_value_parse(sl_vec_t *v, size_t row, const char *s, size_t n, sl_arena_t *arena)
{
    sl_type_t t = v->type;
    v->null[row] = 0;
    switch (t.id) {
    case SL_T_BOOLEAN: {
        while (n && isspace((unsigned char)*s)) s++, n--;
        while (n && isspace((unsigned char)s[n - 1])) n--;
        if (n == 4 && !strncasecmp(s, "true", 4)) v->v.i[row] = 1;
        else if (n == 5 && !strncasecmp(s, "false", 5)) v->v.i[row] = 0;
        else if (n == 1 && (*s == '1' || *s == '0')) v->v.i[row] = *s == '1';
        else return false;
        return true;
    }
    case SL_T_TINYINT:
    case SL_T_SMALLINT:
    case SL_T_INTEGER:
    case SL_T_BIGINT: {
        int64_t x;
        if (!parse_decimal(s, n, 0, &x)) return false;
        /* A fraction is an error for integer columns (KDA coercion rule). */
        for (size_t i = 0; i < n; i++)
            if (s[i] == '.' || s[i] == 'e' || s[i] == 'E') {
                size_t j = i + 1;
                if (s[i] == '.') {
                    while (j < n && s[j] == '0') j++;
                    if (j == n) break;
                }
                return false;
            }
        if (!int_fits(t, x)) return false;
        v->v.i[row] = x;
        return true;
    }
    case SL_T_DECIMAL: {
        int64_t x;
        if (!parse_decimal(s, n, t.scale, &x)) return false;
        if (t.prec < 18 && (x >= sl_pow10(t.prec) || x <= -sl_pow10(t.prec))) return false;
        v->v.i[row] = x;
        return true;
    }
    case SL_T_REAL:
    case SL_T_DOUBLE: {
        char tmp[128];
        if (n == 0 || n >= sizeof tmp) return false;
        memcpy(tmp, s, n);
        tmp[n] = 0;
        char *end;
        double d = strtod(tmp, &end);
        while (*end && isspace((unsigned char)*end)) end++;
        if (*end || end == tmp) return false;
        v->v.f[row] = t.id == SL_T_REAL ? (double)(float)d : d;
        return true;
    }
    case SL_T_DATE: {
        int64_t ms;
        if (!sl_parse_timestamp(s, n, &ms)) return false;
        v->v.i[row] = sl_fn_step(ms, 86400000) / 86400000;
        return true;
    }
    case SL_T_TIME: return sl_parse_time(s, n, &v->v.i[row]);
    case SL_T_TIMESTAMP: return sl_parse_timestamp(s, n, &v->v.i[row]);
    case SL_T_BINARY:
    case SL_T_VARBINARY: {
        unsigned char *out = sl_arena_alloc(arena, n + 1);
        long len = sl_base64_decode(s, n, out);
        if (len < 0 || len > t.len) return false;
        v->v.s[row] = (sl_str_t){(const char *)out, (uint32_t)len};
        return true;
    }
    default: {
        /* CHAR/VARCHAR: silently truncated to the declared length (in bytes, at a UTF-8
         * character boundary). */
        size_t len = n;
        if (t.len > 0 && len > (size_t)t.len) {
            len = (size_t)t.len;
            while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) len--;
        }
        if (arena) {
            char *c = sl_arena_alloc(arena, len ? len : 1);
            memcpy(c, s, len);
            s = c;
        }
        v->v.s[row] = (sl_str_t){s, (uint32_t)len};
        return true;
    }
    }
}

/* CAST of one vector. */
static void do_cast(sl_prog_t *p, const sl_vec_t *a, sl_vec_t *o, size_t n)
{
    sl_type_t f = a->type, t = o->type;
    sl_phys_t fp = sl_type_phys(f), tp = sl_type_phys(t);
    for (size_t i = 0; i < n; i++) {
        o->null[i] = a->null[i];
        if (a->null[i]) continue;
        if (sl_type_is_string(f) && !sl_type_is_string(t)) {
            sl_str_t s = a->v.s[i];
            if (!sl_value_parse(o, i, s.p, s.len, p->arena))
                row_error(p, o->null, i, "CoercionError", "CAST: the string does not convert");
            continue;
        }
        if (sl_type_is_string(t)) {
            if (sl_type_is_string(f)) {
                sl_str_t s = a->v.s[i];
                if (t.len > 0 && s.len > (uint32_t)t.len) s.len = (uint32_t)t.len;
                o->v.s[i] = s;
                continue;
            }
            sl_buf_reset(&p->tmp);
            sl_value_text(&p->tmp, a, i);
            size_t len = p->tmp.len;
            if (t.len > 0 && len > (size_t)t.len) len = (size_t)t.len;
            char *c = sl_arena_alloc(p->arena, len ? len : 1);
            if (len) memcpy(c, p->tmp.p, len);
            o->v.s[i] = (sl_str_t){c, (uint32_t)len};
            continue;
        }
        if (fp == SL_PHYS_I64 && tp == SL_PHYS_I64) {
            int64_t v = a->v.i[i];
            if (f.id == SL_T_TIMESTAMP && t.id == SL_T_DATE) v = sl_fn_step(v, 86400000) / 86400000;
            else if (f.id == SL_T_DATE && t.id == SL_T_TIMESTAMP) v *= 86400000;
            else if (f.id == SL_T_TIMESTAMP && t.id == SL_T_TIME) v -= sl_fn_step(v, 86400000);
            else if (sl_type_is_exact(f) || sl_type_is_exact(t)) {
                int fs = sl_type_scale(f), ts = sl_type_scale(t);
                if (ts > fs) {
                    __int128 w = (__int128)v * sl_pow10(ts - fs);
                    if (w > INT64_MAX || w < INT64_MIN) {
                        row_error(p, o->null, i, "CoercionError", "CAST: numeric overflow");
                        continue;
                    }
                    v = (int64_t)w;
                } else if (ts < fs) {
                    v /= sl_pow10(fs - ts);
                }
                if (!int_fits(t, v) || (t.id == SL_T_DECIMAL && t.prec < 18 &&
                                        (v >= sl_pow10(t.prec) || v <= -sl_pow10(t.prec)))) {
                    row_error(p, o->null, i, "CoercionError", "CAST: numeric overflow");
                    continue;
                }
            }
            o->v.i[i] = v;
        } else if (fp == SL_PHYS_I64 && tp == SL_PHYS_F64) {
            double d = (double)a->v.i[i];
            if (f.id == SL_T_DECIMAL) d /= (double)sl_pow10(f.scale);
            o->v.f[i] = t.id == SL_T_REAL ? (double)(float)d : d;
        } else if (fp == SL_PHYS_F64 && tp == SL_PHYS_I64) {
            double d = a->v.f[i] * (double)sl_pow10(sl_type_scale(t));
            if (!(fabs(d) < 9.2e18)) {
                row_error(p, o->null, i, "CoercionError", "CAST: numeric overflow");
                continue;
            }
            int64_t v = t.id == SL_T_DECIMAL ? (int64_t)llround(d) : (int64_t)d;
            if (!int_fits(t, v)) {
                row_error(p, o->null, i, "CoercionError", "CAST: numeric overflow");
                continue;
            }
            o->v.i[i] = v;
        } else if (fp == SL_PHYS_F64 && tp == SL_PHYS_F64) {
            o->v.f[i] = t.id == SL_T_REAL ? (double)(float)a->v.f[i] : a->v.f[i];
        } else {
            o->v.s[i] = a->v.s[i];
        }
    }
}

/* Arithmetic on I64 vectors (integers, DECIMAL, datetime +- interval). */
static void arith_i64(sl_prog_t *p, const sl_expr_t *e, const sl_vec_t *a, const sl_vec_t *b,
                      sl_vec_t *o, size_t n)
{
    const int64_t *x = a->v.i, *y = b->v.i;
    int64_t *r = o->v.i;
    for (size_t i = 0; i < n; i++) o->null[i] = nmax(a->null[i], b->null[i]);
    switch (e->op) {
    case SL_XOP_ADD:
        if (b->type.id == SL_T_INTERVAL_YM && a->type.id == SL_T_TIMESTAMP) {
            for (size_t i = 0; i < n; i++) r[i] = add_months(x[i], y[i]);
        } else {
            for (size_t i = 0; i < n; i++) r[i] = x[i] + y[i];
        }
        break;
    case SL_XOP_SUB:
        if (b->type.id == SL_T_INTERVAL_YM && a->type.id == SL_T_TIMESTAMP) {
            for (size_t i = 0; i < n; i++) r[i] = add_months(x[i], -y[i]);
        } else {
            for (size_t i = 0; i < n; i++) r[i] = x[i] - y[i];
        }
        break;
    case SL_XOP_MUL: {
        int sh = sl_type_scale(a->type) + sl_type_scale(b->type) - sl_type_scale(e->type);
        for (size_t i = 0; i < n; i++) {
            __int128 w = (__int128)x[i] * y[i];
            if (sh > 0) w /= sl_pow10(sh);
            if (w > INT64_MAX || w < INT64_MIN) {
                if (!o->null[i]) row_error(p, o->null, i, "ArithmeticOverflow", "numeric overflow in *");
                continue;
            }
            r[i] = (int64_t)w;
        }
        break;
    }
    case SL_XOP_DIV: {
        /* Result scale S: (x * 10^(S - s1 + s2)) / y, truncated. */
        int up = sl_type_scale(e->type) - sl_type_scale(a->type) + sl_type_scale(b->type);
        if (sl_type_is_interval(a->type)) up = 0;
        for (size_t i = 0; i < n; i++) {
            if (o->null[i]) continue;
            if (y[i] == 0) {
                row_error(p, o->null, i, "DivisionByZero", "division by zero");
                continue;
            }
            if (up == 0) {
                r[i] = x[i] / y[i];
            } else {
                __int128 w = (__int128)x[i] * (up > 0 ? sl_pow10(up) : 1);
                if (up < 0) w /= sl_pow10(-up);
                r[i] = (int64_t)(w / y[i]);
            }
        }
        break;
    }
    }
    if (sl_type_is_integer(e->type) && e->type.id != SL_T_BIGINT)
        for (size_t i = 0; i < n; i++)
            if (!o->null[i] && !int_fits(e->type, r[i]))
                row_error(p, o->null, i, "ArithmeticOverflow", "integer overflow");
}

/* Comparison of two vectors of one physical form; writes BOOLEAN. */
static void compare(const sl_expr_t *e, const sl_vec_t *a, const sl_vec_t *b, sl_vec_t *o, size_t n)
{
    int64_t *r = o->v.i;
    sl_phys_t ph = sl_type_phys(a->type);
    bool distinct = e->op == SL_XOP_IS_DISTINCT || e->op == SL_XOP_IS_NOT_DISTINCT;
    for (size_t i = 0; i < n; i++) {
        int c;
        if (ph == SL_PHYS_I64) c = (a->v.i[i] > b->v.i[i]) - (a->v.i[i] < b->v.i[i]);
        else if (ph == SL_PHYS_F64) c = (a->v.f[i] > b->v.f[i]) - (a->v.f[i] < b->v.f[i]);
        else c = scmp(a->v.s[i], b->v.s[i]);
        if (distinct) {
            uint8_t an = a->null[i], bn = b->null[i];
            o->null[i] = (an == SL_NULL_ERROR || bn == SL_NULL_ERROR) ? SL_NULL_ERROR : 0;
            bool same = (an && bn) || (!an && !bn && c == 0);
            r[i] = e->op == SL_XOP_IS_DISTINCT ? !same : same;
            continue;
        }
        o->null[i] = nmax(a->null[i], b->null[i]);
        switch (e->op) {
        case SL_XOP_EQ: r[i] = c == 0; break;
        case SL_XOP_NE: r[i] = c != 0; break;
        case SL_XOP_LT: r[i] = c < 0; break;
        case SL_XOP_LE: r[i] = c <= 0; break;
        case SL_XOP_GT: r[i] = c > 0; break;
        default: r[i] = c >= 0; break;
        }
    }
}

/* Runs one step. */
static void run_step(sl_prog_t *p, const step_t *st, size_t n)
{
    const sl_expr_t *e = st->e;
    sl_vec_t *o = &p->regs[st->dst].vec;
    const sl_vec_t *a = st->nargs > 0 ? &p->regs[st->args[0]].vec : NULL;
    const sl_vec_t *b = st->nargs > 1 ? &p->regs[st->args[1]].vec : NULL;
    if (e->kind == SL_EX_CAST) {
        do_cast(p, a, o, n);
        return;
    }
    if (e->kind == SL_EX_CALL) {
        sl_vec_t args[8];
        int na = st->nargs < 8 ? st->nargs : 8;
        for (int i = 0; i < na; i++) args[i] = p->regs[st->args[i]].vec;
        memset(p->scratch, 0, n);
        memset(p->kmsg, 0, sizeof *p->kmsg * n);
        sl_fn_ctx_t ctx = {p->arena, &e->call, e->type, p->now_ms, p->scratch, NULL, p->kmsg,
                           st->row ? st->row->state : NULL, sl_clock_now_ms()};
        int nout = st->row ? st->row->nfields : 1;
        sl_vec_t *outs = st->row ? st->outs : o;
        e->fn->kernel(&ctx, args, na, outs, n);
        for (int f = 0; f < nout; f++) {
            uint8_t *nul = outs[f].null;
            for (size_t i = 0; i < n; i++) {
                for (int k = 0; k < na; k++)
                    if (args[k].null[i] == SL_NULL_ERROR) nul[i] = SL_NULL_ERROR;
                if (p->scratch[i])
                    row_error(p, nul, i, "FunctionError",
                              p->kmsg[i] ? p->kmsg[i] : ctx.err_msg ? ctx.err_msg : e->fn->name);
            }
        }
        return;
    }
    switch (e->op) {
    case SL_XOP_ADD:
    case SL_XOP_SUB:
    case SL_XOP_MUL:
    case SL_XOP_DIV:
        if (sl_type_phys(e->type) == SL_PHYS_F64) {
            for (size_t i = 0; i < n; i++) o->null[i] = nmax(a->null[i], b->null[i]);
            const double *x = a->v.f, *y = b->v.f;
            double *r = o->v.f;
            switch (e->op) {
            case SL_XOP_ADD: for (size_t i = 0; i < n; i++) r[i] = x[i] + y[i]; break;
            case SL_XOP_SUB: for (size_t i = 0; i < n; i++) r[i] = x[i] - y[i]; break;
            case SL_XOP_MUL: for (size_t i = 0; i < n; i++) r[i] = x[i] * y[i]; break;
            default:
                for (size_t i = 0; i < n; i++) {
                    if (y[i] == 0.0 && !o->null[i]) row_error(p, o->null, i, "DivisionByZero", "division by zero");
                    else r[i] = x[i] / y[i];
                }
            }
            if (e->type.id == SL_T_REAL)
                for (size_t i = 0; i < n; i++) r[i] = (double)(float)r[i];
        } else {
            arith_i64(p, e, a, b, o, n);
        }
        return;
    case SL_XOP_NEG:
        for (size_t i = 0; i < n; i++) o->null[i] = a->null[i];
        if (sl_type_phys(e->type) == SL_PHYS_F64)
            for (size_t i = 0; i < n; i++) o->v.f[i] = -a->v.f[i];
        else
            for (size_t i = 0; i < n; i++) o->v.i[i] = -a->v.i[i];
        return;
    case SL_XOP_CONCAT:
        for (size_t i = 0; i < n; i++) {
            o->null[i] = nmax(a->null[i], b->null[i]);
            if (o->null[i]) continue;
            sl_str_t x = a->v.s[i], y = b->v.s[i];
            uint32_t len = x.len + y.len;
            if (e->type.len > 0 && len > (uint32_t)e->type.len) len = (uint32_t)e->type.len;
            char *c = sl_arena_alloc(p->arena, len ? len : 1);
            uint32_t k = x.len < len ? x.len : len;
            if (k) memcpy(c, x.p, k);
            if (len > k) memcpy(c + k, y.p, len - k);
            o->v.s[i] = (sl_str_t){c, len};
        }
        return;
    case SL_XOP_EQ:
    case SL_XOP_NE:
    case SL_XOP_LT:
    case SL_XOP_LE:
    case SL_XOP_GT:
    case SL_XOP_GE:
    case SL_XOP_IS_DISTINCT:
    case SL_XOP_IS_NOT_DISTINCT: compare(e, a, b, o, n); return;
    case SL_XOP_AND:
        for (size_t i = 0; i < n; i++) {
            uint8_t an = a->null[i], bn = b->null[i];
            int64_t av = a->v.i[i], bv = b->v.i[i];
            if (an == SL_NULL_ERROR || bn == SL_NULL_ERROR) o->null[i] = SL_NULL_ERROR;
            else if ((!an && !av) || (!bn && !bv)) o->null[i] = 0, o->v.i[i] = 0;
            else if (an || bn) o->null[i] = 1;
            else o->null[i] = 0, o->v.i[i] = 1;
        }
        return;
    case SL_XOP_OR:
        for (size_t i = 0; i < n; i++) {
            uint8_t an = a->null[i], bn = b->null[i];
            int64_t av = a->v.i[i], bv = b->v.i[i];
            if (an == SL_NULL_ERROR || bn == SL_NULL_ERROR) o->null[i] = SL_NULL_ERROR;
            else if ((!an && av) || (!bn && bv)) o->null[i] = 0, o->v.i[i] = 1;
            else if (an || bn) o->null[i] = 1;
            else o->null[i] = 0, o->v.i[i] = 0;
        }
        return;
    case SL_XOP_NOT:
        for (size_t i = 0; i < n; i++) {
            o->null[i] = a->null[i];
            o->v.i[i] = !a->v.i[i];
        }
        return;
    case SL_XOP_IS_NULL:
    case SL_XOP_IS_NOT_NULL:
    case SL_XOP_IS_TRUE:
    case SL_XOP_IS_FALSE:
    case SL_XOP_IS_NOT_TRUE:
    case SL_XOP_IS_NOT_FALSE:
        for (size_t i = 0; i < n; i++) {
            uint8_t an = a->null[i];
            o->null[i] = an == SL_NULL_ERROR ? SL_NULL_ERROR : 0;
            bool t = !an && a->v.i[i], f = !an && !a->v.i[i];
            switch (e->op) {
            case SL_XOP_IS_NULL: o->v.i[i] = an != 0; break;
            case SL_XOP_IS_NOT_NULL: o->v.i[i] = an == 0; break;
            case SL_XOP_IS_TRUE: o->v.i[i] = t; break;
            case SL_XOP_IS_FALSE: o->v.i[i] = f; break;
            case SL_XOP_IS_NOT_TRUE: o->v.i[i] = !t; break;
            default: o->v.i[i] = !f; break;
            }
        }
        return;
    case SL_XOP_LIKE:
    case SL_XOP_NOT_LIKE:
    case SL_XOP_SIMILAR:
    case SL_XOP_NOT_SIMILAR:
        pattern_op(p, e, a, b, st->nargs > 2 ? &p->regs[st->args[2]].vec : NULL, o, n);
        return;
    case SL_XOP_IN:
    case SL_XOP_NOT_IN: {
        sl_phys_t ph = sl_type_phys(a->type);
        for (size_t i = 0; i < n; i++) {
            o->null[i] = a->null[i];
            if (a->null[i]) continue;
            bool found = false, saw_null = false;
            for (int k = 1; k < st->nargs && !found; k++) {
                const sl_vec_t *c = &p->regs[st->args[k]].vec;
                if (c->null[i]) {
                    saw_null = true;
                    continue;
                }
                if (ph == SL_PHYS_I64) found = a->v.i[i] == c->v.i[i];
                else if (ph == SL_PHYS_F64) found = a->v.f[i] == c->v.f[i];
                else found = scmp(a->v.s[i], c->v.s[i]) == 0;
            }
            if (!found && saw_null) o->null[i] = 1;
            o->v.i[i] = e->op == SL_XOP_IN ? found : !found;
        }
        return;
    }
    case SL_XOP_CASE:
    case SL_XOP_COALESCE: {
        sl_phys_t ph = sl_type_phys(e->type);
        for (size_t i = 0; i < n; i++) {
            const sl_vec_t *src = NULL;
            if (e->op == SL_XOP_COALESCE) {
                for (int k = 0; k < st->nargs; k++) {
                    src = &p->regs[st->args[k]].vec;
                    if (src->null[i] != 1) break;
                }
            } else {
                int k;
                for (k = 0; k + 1 < st->nargs; k += 2) {
                    const sl_vec_t *c = &p->regs[st->args[k]].vec;
                    if (c->null[i] == SL_NULL_ERROR) {
                        src = c;
                        break;
                    }
                    if (!c->null[i] && c->v.i[i]) {
                        src = &p->regs[st->args[k + 1]].vec;
                        break;
                    }
                }
                if (!src) src = &p->regs[st->args[st->nargs - 1]].vec;
            }
            o->null[i] = src->null[i];
            if (src->null[i]) continue;
            if (ph == SL_PHYS_I64) o->v.i[i] = src->v.i[i];
            else if (ph == SL_PHYS_F64) o->v.f[i] = src->v.f[i];
            else o->v.s[i] = src->v.s[i];
        }
        return;
    }
    case SL_XOP_FLOOR_TO:
    case SL_XOP_CEIL_TO:
        for (size_t i = 0; i < n; i++) {
            o->null[i] = a->null[i];
            int64_t v = a->type.id == SL_T_DATE ? a->v.i[i] * 86400000 : a->v.i[i];
            v = e->op == SL_XOP_FLOOR_TO ? sl_fn_floor_ts(v, e->unit) : sl_fn_ceil_ts(v, e->unit);
            o->v.i[i] = a->type.id == SL_T_DATE ? sl_fn_step(v, 86400000) / 86400000 : v;
        }
        return;
    case SL_XOP_STEP: {
        int64_t w = b->v.i[0];
        for (size_t i = 0; i < n; i++) {
            o->null[i] = a->null[i];
            o->v.i[i] = sl_fn_step(a->v.i[i], w);
        }
        return;
    }
    }
}

/* Evaluates; see expr.h. */
void sl_prog_eval(sl_prog_t *p, const sl_batch_t *in)
{
    sl_arena_reset(p->arena);
    p->err_msg = NULL;
    p->err_name = NULL;
    p->n = in->n;
    memset(p->row_msg, 0, sizeof *p->row_msg * in->n);
    for (int i = 0; i < p->nregs; i++) {
        reg_t *r = &p->regs[i];
        if (r->kind == R_COL) {
            r->vec.v = in->cols[r->col].v;
            r->vec.null = in->cols[r->col].null;
        } else if (r->kind == R_ROWTIME) {
            r->vec.v.i = in->rowtime;
            r->vec.null = p->zeros;
        }
    }
    for (int s = 0; s < p->nsteps; s++) run_step(p, &p->steps[s], in->n);
}
