/*
 * keywords.h - the keywords of the sluice SQL dialect, as one X-macro table.
 *
 * This table is the single source of truth for keywords. It feeds:
 *   - the lexer (lexer.re): a binary search over the names maps an unquoted identifier
 *     to its token code TK_<NAME>; the table must therefore stay in ASCII order (a unit
 *     test checks it);
 *   - the grammar: the build runs the C preprocessor over tokens.y.in, which expands this
 *     table into lemon's "%token" list (so every keyword is a terminal, in this order) and
 *     its "%fallback ID" list (the non-reserved keywords);
 *   - the pretty-printer, which quotes any identifier spelled like a keyword.
 *
 * X(NAME, CLASS): NAME is the keyword in upper case and the suffix of its token code;
 * CLASS is R (reserved: never an identifier unless double-quoted) or N (non-reserved:
 * lemon falls back to ID wherever the keyword itself cannot appear, so TIME, WINDOW,
 * STREAM, YEAR ... stay usable as column and stream names).
 *
 * Words that only name functions (COUNT, AVG, CURRENT_TIMESTAMP, ...) or types (VARCHAR,
 * DATE, ...) are not keywords at all: they are identifiers that the planner resolves.
 */
#ifndef SL_KEYWORDS_H
#define SL_KEYWORDS_H

#define SL_KEYWORDS(X)                                                                     \
    X(ALL, R)                                                                              \
    X(AND, R)                                                                              \
    X(AS, R)                                                                               \
    X(ASC, N)                                                                              \
    X(AT, N)                                                                               \
    X(BETWEEN, R)                                                                          \
    X(BOTH, R)                                                                             \
    X(BY, R)                                                                               \
    X(CALLED, N)                                                                           \
    X(CASE, R)                                                                             \
    X(CAST, R)                                                                             \
    X(CEIL, R)                                                                             \
    X(CEILING, R)                                                                          \
    X(CONTAINS, N)                                                                         \
    X(CREATE, R)                                                                           \
    X(CROSS, R)                                                                            \
    X(CURRENT, N)                                                                          \
    X(CURSOR, R)                                                                           \
    X(DATA, N)                                                                             \
    X(DAY, N)                                                                              \
    X(DESC, N)                                                                             \
    X(DESCRIPTION, N)                                                                      \
    X(DETERMINISTIC, N)                                                                    \
    X(DISTINCT, R)                                                                         \
    X(ELSE, R)                                                                             \
    X(END, R)                                                                              \
    X(EQUALS, N)                                                                           \
    X(ESCAPE, R)                                                                           \
    X(EXCEPT, R)                                                                           \
    X(EXISTS, R)                                                                           \
    X(EXPEDITED, N)                                                                        \
    X(EXTRACT, R)                                                                          \
    X(FALSE, R)                                                                            \
    X(FIRST, N)                                                                            \
    X(FLOOR, R)                                                                            \
    X(FOLLOWING, N)                                                                        \
    X(FOR, R)                                                                              \
    X(FORMAT, N)                                                                           \
    X(FROM, R)                                                                             \
    X(FULL, R)                                                                             \
    X(FUNCTION, R)                                                                         \
    X(GROUP, R)                                                                            \
    X(HAVING, R)                                                                           \
    X(HOUR, N)                                                                             \
    X(IGNORE, N)                                                                           \
    X(IMMEDIATELY, N)                                                                      \
    X(IN, R)                                                                               \
    X(INNER, R)                                                                            \
    X(INPUT, N)                                                                            \
    X(INSERT, R)                                                                           \
    X(INTERSECT, R)                                                                        \
    X(INTERVAL, R)                                                                         \
    X(INTO, R)                                                                             \
    X(IS, R)                                                                               \
    X(JOIN, R)                                                                             \
    X(LAGS, N)                                                                             \
    X(LANGUAGE, N)                                                                         \
    X(LAST, N)                                                                             \
    X(LEADING, R)                                                                          \
    X(LEADS, N)                                                                            \
    X(LEFT, R)                                                                             \
    X(LIKE, R)                                                                             \
    X(MINUTE, N)                                                                           \
    X(MODIFIES, N)                                                                         \
    X(MONTH, N)                                                                            \
    X(NATURAL, R)                                                                          \
    X(NO, N)                                                                               \
    X(NOT, R)                                                                              \
    X(NULL, R)                                                                             \
    X(NULLS, N)                                                                            \
    X(ON, R)                                                                               \
    X(OR, R)                                                                               \
    X(ORDER, R)                                                                            \
    X(OUTER, R)                                                                            \
    X(OUTPUT, N)                                                                           \
    X(OVER, R)                                                                             \
    X(OVERLAPS, N)                                                                         \
    X(OVERLAY, R)                                                                          \
    X(PARTITION, R)                                                                        \
    X(PATH, N)                                                                             \
    X(PERIOD, N)                                                                           \
    X(PLACING, N)                                                                          \
    X(POSITION, R)                                                                         \
    X(PRECEDES, N)                                                                         \
    X(PRECEDING, N)                                                                        \
    X(PUMP, N)                                                                             \
    X(RANGE, R)                                                                            \
    X(READS, N)                                                                            \
    X(REFERENCE, N)                                                                        \
    X(REPLACE, N)                                                                          \
    X(RESPECT, N)                                                                          \
    X(RETURN, R)                                                                           \
    X(RETURNS, R)                                                                          \
    X(RIGHT, R)                                                                            \
    X(ROW, N)                                                                              \
    X(ROWS, R)                                                                             \
    X(SECOND, N)                                                                           \
    X(SELECT, R)                                                                           \
    X(SIMILAR, R)                                                                          \
    X(SPECIFIC, N)                                                                         \
    X(SQL, N)                                                                              \
    X(STAGGER, N)                                                                          \
    X(STARTING, N)                                                                         \
    X(STEP, R)                                                                             \
    X(STREAM, N)                                                                           \
    X(STRICTLY, N)                                                                         \
    X(SUBSTRING, R)                                                                        \
    X(SUCCEEDS, N)                                                                         \
    X(TABLE, R)                                                                            \
    X(THEN, R)                                                                             \
    X(TO, R)                                                                               \
    X(TRAILING, R)                                                                         \
    X(TRIM, R)                                                                             \
    X(TRUE, R)                                                                             \
    X(UNBOUNDED, N)                                                                        \
    X(UNION, R)                                                                            \
    X(UNKNOWN, R)                                                                          \
    X(USING, R)                                                                            \
    X(VALUES, R)                                                                           \
    X(WHEN, R)                                                                             \
    X(WHERE, R)                                                                            \
    X(WINDOW, N)                                                                           \
    X(WINDOWED, N)                                                                         \
    X(WITH, R)                                                                             \
    X(WITHIN, N)                                                                           \
    X(YEAR, N)

#endif
