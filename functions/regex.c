/*
 * regex.c - Java-style regular expressions on libc's POSIX regcomp/regexec; see fnint.h.
 *
 * KDA's regex functions use java.util.regex. sluice translates the common subset into a
 * POSIX extended expression (README.md lists what is refused) and matches it with the
 * C library, so no regex engine is vendored.
 */
#include "fnint.h"

#include "alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Appends to a growing C string. */
static void sput(char **b, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *b = sl_realloc(*b, *cap);
    }
    memcpy(*b + *len, s, n + 1);
    *len += n;
}

/*
 * Translates a Java regex into a POSIX extended one, wrapped in a group (subexpression 1 is
 * the whole match), with ^ and $ around it as `anchors` says:
 * \d \D \s \S \w \W (also inside brackets, for the positive ones), \t \n \r, escaped
 * punctuation, (?:...) groups. Lazy and possessive quantifiers, look-arounds and
 * back-references have no POSIX form and are refused. Records, for each capturing group,
 * its POSIX subexpression number.
 */
static char *translate(const char *p, size_t n, unsigned anchors, sl_fn_regex_t *st, char *err,
                       size_t errlen)
{
    char *b = NULL;
    size_t len = 0, cap = 0;
    int sub = 1;                      /* subexpression 1 is the anchoring group */
    bool in_br = false, atom = false; /* atom: the last token can take a quantifier */
    /* Counted repetitions multiply when nested, and glibc's regcomp copies the repeated
     * subtree that many times: the product along any nesting is kept at most 1000.
     * inner[d]: the largest product inside the open group at depth d; closed: the product
     * of the group that the last token closed (last_close). */
    long inner[65] = {1}, closed = 1;
    int depth = 0;
    bool last_close = false;
    sput(&b, &len, &cap, (anchors & SL_RX_START) ? "^(" : "(");
    for (size_t i = 0; i < n; i++) {
        char c = p[i], tmp[4] = {c, 0, 0, 0};
        if (c == '\\') {
            if (++i >= n) {
                snprintf(err, errlen, "regex ends with a backslash");
                goto bad;
            }
            char e = p[i];
            const char *rep = NULL;
            switch (e) {
            case 'd':
                rep = in_br ? "0-9" : "[0-9]";
                break;
            case 's':
                rep = in_br ? "[:space:]" : "[[:space:]]";
                break;
            case 'w':
                rep = in_br ? "[:alnum:]_" : "[[:alnum:]_]";
                break;
            case 'D':
                rep = in_br ? NULL : "[^0-9]";
                break;
            case 'S':
                rep = in_br ? NULL : "[^[:space:]]";
                break;
            case 'W':
                rep = in_br ? NULL : "[^[:alnum:]_]";
                break;
            case 't':
                rep = "\t";
                break;
            case 'n':
                rep = "\n";
                break;
            case 'r':
                rep = "\r";
                break;
            default:
                if (isalnum((unsigned char)e)) {
                    snprintf(err, errlen, "regex escape \\%c is not supported", e);
                    goto bad;
                }
                if (in_br) {
                    if (e == ']' || e == '^' || e == '-' || e == '\\') {
                        snprintf(err, errlen, "regex escape \\%c inside [...] is not supported", e);
                        goto bad;
                    }
                    tmp[0] = e;
                } else {
                    tmp[0] = '\\';
                    tmp[1] = e;
                }
                rep = tmp;
            }
            if (!rep) {
                snprintf(err, errlen, "regex class \\%c inside [...] is not supported", e);
                goto bad;
            }
            sput(&b, &len, &cap, rep);
            if (!in_br) atom = true;
            continue;
        }
        if (in_br) {
            if (c == ']') in_br = false, atom = true;
            sput(&b, &len, &cap, tmp);
            continue;
        }
        if (c == '*' || c == '+' || c == '?' || c == '{') {
            /* A quantifier needs something to repeat, and one quantifier at a time (Java:
             * "dangling meta character"); stacked ones also make glibc's regcomp blow up. */
            if (!atom) {
                snprintf(err, errlen, "regex quantifier '%c' at offset %zu has nothing to repeat",
                         c, i);
                goto bad;
            }
            /* The quantifier as POSIX reads it: written from the parsed bounds, never copied,
             * so that leading zeros ({0000001}) cannot stretch it past its buffer. */
            char qb[32] = {c, 0};
            if (c == '{') {
                /* {n}, {n,} or {n,m} with bounds of at most 255 (POSIX's RE_DUP_MAX floor) */
                long lo = -1, hi = -1;
                bool comma = false;
                size_t j = i + 1;
                for (lo = 0; j < n && isdigit((unsigned char)p[j]) && lo <= 255; j++)
                    lo = lo * 10 + (p[j] - '0');
                bool ok = j > i + 1;
                if (ok && j < n && p[j] == ',') {
                    comma = true;
                    size_t k = ++j;
                    for (hi = 0; j < n && isdigit((unsigned char)p[j]) && hi <= 255; j++)
                        hi = hi * 10 + (p[j] - '0');
                    if (j == k) hi = -1;
                }
                if (!ok || j >= n || p[j] != '}' || lo > 255 || hi > 255 || (hi >= 0 && hi < lo)) {
                    snprintf(
                        err, errlen,
                        "regex bound at offset %zu is not {n}, {n,} or {n,m} with n <= m <= 255",
                        i);
                    goto bad;
                }
                long mult = hi > lo ? hi : lo, prod = (last_close ? closed : 1) * (mult ? mult : 1);
                if (prod > 1000) {
                    snprintf(err, errlen,
                             "regex bound at offset %zu repeats too much (nested counts multiply "
                             "to more than 1000)",
                             i);
                    goto bad;
                }
                if (prod > inner[depth]) inner[depth] = prod;
                i = j;
                if (!comma) snprintf(qb, sizeof qb, "{%ld}", lo);
                else if (hi < 0) snprintf(qb, sizeof qb, "{%ld,}", lo);
                else snprintf(qb, sizeof qb, "{%ld,%ld}", lo, hi);
            }
            if (i + 1 < n && (p[i + 1] == '?' || p[i + 1] == '+')) {
                snprintf(err, errlen, "lazy and possessive quantifiers (%c%c) are not supported",
                         p[i], p[i + 1]);
                goto bad;
            }
            sput(&b, &len, &cap, qb);
            atom = false;
            last_close = false;
            continue;
        }
        atom = !(c == '|' || c == '^' || c == '$' || c == '(');
        last_close = c == ')';
        if (c == '(') {
            if (++depth > 64) {
                snprintf(err, errlen, "regex nests groups more than 64 deep");
                goto bad;
            }
            inner[depth] = 1;
        } else if (c == ')' && depth > 0) {
            closed = inner[depth--];
            if (closed > inner[depth]) inner[depth] = closed;
        }
        if (c == '[') {
            in_br = true;
            sput(&b, &len, &cap, "[");
            /* A leading ^ and a leading ] belong to the bracket. */
            if (i + 1 < n && p[i + 1] == '^') sput(&b, &len, &cap, "^"), i++;
            if (i + 1 < n && p[i + 1] == ']') sput(&b, &len, &cap, "]"), i++;
            continue;
        }
        if (c == '(') {
            sub++;
            if (i + 1 < n && p[i + 1] == '?') {
                if (i + 2 < n && p[i + 2] == ':') {
                    sput(&b, &len, &cap, "(");
                    i += 2;
                    continue;
                }
                snprintf(err, errlen, "regex construct (?%c is not supported",
                         i + 2 < n ? p[i + 2] : ' ');
                goto bad;
            }
            st->group = sl_realloc(st->group, sizeof(int) * (size_t)(st->ngroups + 1));
            st->group[st->ngroups++] = sub;
            sput(&b, &len, &cap, "(");
            continue;
        }
        sput(&b, &len, &cap, tmp);
    }
    if (in_br) {
        snprintf(err, errlen, "regex has an unterminated [");
        goto bad;
    }
    sput(&b, &len, &cap, (anchors & SL_RX_END) ? ")$" : ")");
    st->nposix = sub;
    return b;
bad:
    sl_free(b);
    return NULL;
}

/* Compiles a Java-style regex; see fnint.h. */
bool sl_fn_regex_compile(sl_fn_regex_t *rx, const char *p, size_t n, unsigned anchors, char *err,
                         size_t errlen)
{
    memset(rx, 0, sizeof *rx);
    char *posix = translate(p, n, anchors, rx, err, errlen);
    if (!posix) {
        sl_free(rx->group);
        rx->group = NULL;
        return false;
    }
    int rc = regcomp(&rx->re, posix, REG_EXTENDED);
    sl_free(posix);
    if (rc) {
        char msg[128];
        regerror(rc, &rx->re, msg, sizeof msg);
        snprintf(err, errlen, "invalid regex: %s", msg);
        sl_free(rx->group);
        rx->group = NULL;
        return false;
    }
    rx->compiled = true;
    return true;
}

/* Frees a compiled regex; see fnint.h. */
void sl_fn_regex_free(sl_fn_regex_t *rx)
{
    if (!rx) return;
    if (rx->compiled) regfree(&rx->re);
    sl_free(rx->group);
    memset(rx, 0, sizeof *rx);
}

/* Matches; see fnint.h. */
bool sl_fn_regex_exec(const sl_fn_regex_t *rx, const char *s, size_t from, size_t to, bool notbol,
                      regmatch_t *m, size_t nm)
{
    m[0].rm_so = (regoff_t)from;
    m[0].rm_eo = (regoff_t)to;
    return regexec(&rx->re, s, nm, m, REG_STARTEND | (notbol ? REG_NOTBOL : 0)) == 0;
}
