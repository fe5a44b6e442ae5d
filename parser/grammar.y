/*
** grammar.y - the grammar of the Kinesis Data Analytics SQL dialect, for lemon.
**
** The build prepends the keyword terminals and the %fallback list generated from
** keywords.h (tokens.y.in), so keywords are declared in exactly one place.
**
** Every action is one line that calls a builder in build.c. Every nonterminal that owns
** memory is an sl_ast_t * released by the default destructor, so when a syntax error
** unwinds the parser stack the partial tree is freed; nonterminals of other types have an
** explicit no-op destructor. Error recovery is the driver's (parse.c): on the first error
** it reports what the grammar could have accepted, discards the statement and resumes after
** the next ';'.
*/

%name sl_lemon
%token_prefix TK_
%token_type {sl_token_t}
%default_type {sl_ast_t *}
%default_destructor { sl_ast_free($$); (void)pc; }
%extra_argument {sl_pctx_t *pc}
%stack_size 600

%include {
#include "parse_int.h"

#include <assert.h>
#include <stddef.h>

#define YYMALLOCARGTYPE size_t
#define YYNOERRORRECOVERY 1
/* lemon's template defines these without prototypes; declared here for -Wmissing-prototypes. */
void sl_lemonInit(void *parser);
void sl_lemonFinalize(void *parser);
int sl_lemonFallback(int token);
#ifndef NDEBUG
#include <stdio.h>
void sl_lemonTrace(FILE *trace, char *prompt);
#endif
/* Called from %syntax_error; defined after the parser tables in the %code section. */
static void sl_lemon_syntax_error(sl_pctx_t *pc, void *parser, int major, sl_token_t *tok);
}

%syntax_error { sl_lemon_syntax_error(pc, yypParser, yymajor, &yyminor); }
%stack_overflow { sl_perr_tok(pc, &pc->cur, "statement nested too deeply"); }

/* Punctuation and literals; keyword terminals come from tokens.y.in. */
%token ID INTEGER DECIMAL FLOAT STRING USTRING BSTRING DTLIT FROM_FIRST FROM_LAST PIN.
%token LP RP COMMA SEMI DOT.

/* Operator precedence, loosest first. */
%left OR.
%left AND.
%right NOT.
%left IS LIKE SIMILAR BETWEEN IN EQ NE EQUALS CONTAINS OVERLAPS PRECEDES SUCCEEDS LEADS LAGS
      STRICTLY IMMEDIATELY.
%left LT LE GT GE.
%right ESCAPE.
%left CONCAT.
%left PLUS MINUS.
%left STAR SLASH.
%right UMINUS.
%right TO.

/******************************************************************************
** A file is a list of statements separated by semicolons. The driver appends
** a final ';' when the last statement has none.
*/
%type input {int}
%destructor input { (void)$$; }
%type cmdlist {int}
%destructor cmdlist { (void)$$; }
%type ecmd {int}
%destructor ecmd { (void)$$; }

input ::= cmdlist.
cmdlist ::= cmdlist ecmd.
cmdlist ::= .
ecmd ::= SEMI.
ecmd ::= cmd(C) SEMI.                     { sl_b_statement(pc, C); }

cmd(A) ::= query(Q).                      { A = Q; }
cmd(A) ::= insert(I).                     { A = I; }

/* Names: identifiers, quoted identifiers, and non-reserved keywords (via %fallback). */
%type nm {sl_token_t}
%destructor nm { (void)$$; }
nm(A) ::= ID(X).                          { A = X; }

%type orreplace {unsigned}
%destructor orreplace { (void)$$; }
orreplace(A) ::= .                        { A = 0; }
orreplace(A) ::= OR REPLACE.              { A = SL_AF_OR_REPLACE; }

description(A) ::= .                      { A = NULL; }
description(A) ::= DESCRIPTION STRING(S). { A = sl_b_lit(pc, SL_LIT_STRING, &S); }

namelist(A) ::= nm(N).                    { A = sl_b_list(pc, sl_b_name(pc, &N)); }
namelist(A) ::= namelist(L) COMMA nm(N).  { A = sl_b_list_add(pc, L, sl_b_name(pc, &N)); }

/******************************************************************************
** CREATE [OR REPLACE] STREAM name (column type [NOT NULL], ...) [DESCRIPTION '...']
*/
cmd(A) ::= CREATE(C) orreplace(R) STREAM nm(N) LP coldefs(L) RP description(D).
    { A = sl_b_create_stream(pc, &C, R, &N, L, D); }

coldefs(A) ::= coldef(C).                   { A = sl_b_list(pc, C); }
coldefs(A) ::= coldefs(L) COMMA coldef(C).  { A = sl_b_list_add(pc, L, C); }
coldef(A) ::= nm(N) type(T) notnull(F) colpath(P). { A = sl_b_coldef(pc, &N, T, F, P); }

%type notnull {unsigned}
%destructor notnull { (void)$$; }
notnull(A) ::= .                          { A = 0; }
notnull(A) ::= NOT NULL.                  { A = SL_AF_NOT_NULL; }

colpath(A) ::= .                          { A = NULL; }
colpath(A) ::= PATH STRING(S).            { A = sl_b_lit(pc, SL_LIT_STRING, &S); }

/******************************************************************************
** CREATE [OR REPLACE] PUMP name [DESCRIPTION '...'] AS INSERT ...
** INSERT [EXPEDITED] INTO stream [(columns)] query
*/
cmd(A) ::= CREATE(C) orreplace(R) PUMP nm(N) description(D) AS insert(I).
    { A = sl_b_create_pump(pc, &C, R, &N, D, I); }

insert(A) ::= INSERT(I) expedited(E) INTO nm(N) inscols(L) query(Q).
    { A = sl_b_insert(pc, &I, E, &N, L, Q); }

%type expedited {unsigned}
%destructor expedited { (void)$$; }
expedited(A) ::= .                        { A = 0; }
expedited(A) ::= EXPEDITED.               { A = SL_AF_EXPEDITED; }

inscols(A) ::= .                          { A = NULL; }
inscols(A) ::= LP namelist(L) RP.         { A = L; }

/******************************************************************************
** CREATE [OR REPLACE] FUNCTION name (param type, ...) RETURNS type options RETURN expr
*/
cmd(A) ::= CREATE(C) orreplace(R) FUNCTION nm(N) LP params(P) RP RETURNS type(T)
           fnopts(O) RETURN expr(E).
    { A = sl_b_create_function(pc, &C, R, &N, P, T, O, E); }

params(A) ::= .                           { A = sl_b_node(pc, SL_AST_LIST, NULL, 0); }
params(A) ::= paramlist(L).               { A = L; }
paramlist(A) ::= param(P).                { A = sl_b_list(pc, P); }
paramlist(A) ::= paramlist(L) COMMA param(P). { A = sl_b_list_add(pc, L, P); }
param(A) ::= nm(N) type(T).               { A = sl_b_coldef(pc, &N, T, 0, NULL); }

%type fnopts {sl_fnopts_t}
%destructor fnopts { (void)$$; }
fnopts(A) ::= .                                   { A.bits = 0; A.specific.n = 0; }
fnopts(A) ::= fnopts(O) LANGUAGE(K) SQL.          { A = sl_b_fnopt(pc, O, SL_FN_LANGUAGE_SQL, &K); }
fnopts(A) ::= fnopts(O) SPECIFIC nm(N).           { A = O; A.specific = N; }
fnopts(A) ::= fnopts(O) DETERMINISTIC(K).         { A = sl_b_fnopt(pc, O, SL_FN_DETERMINISTIC, &K); }
fnopts(A) ::= fnopts(O) NOT(K) DETERMINISTIC.     { A = sl_b_fnopt(pc, O, SL_FN_NOT_DETERMINISTIC, &K); }
fnopts(A) ::= fnopts(O) NO(K) SQL.                { A = sl_b_fnopt(pc, O, SL_FN_NO_SQL, &K); }
fnopts(A) ::= fnopts(O) CONTAINS(K) SQL.          { A = sl_b_fnopt(pc, O, SL_FN_CONTAINS_SQL, &K); }
fnopts(A) ::= fnopts(O) READS(K) SQL DATA.        { A = sl_b_fnopt(pc, O, SL_FN_READS_SQL_DATA, &K); }
fnopts(A) ::= fnopts(O) MODIFIES(K) SQL DATA.     { A = sl_b_fnopt(pc, O, SL_FN_MODIFIES_SQL_DATA, &K); }
fnopts(A) ::= fnopts(O) RETURNS(K) NULL ON NULL INPUT. { A = sl_b_fnopt(pc, O, SL_FN_RETURNS_NULL_ON_NULL, &K); }
fnopts(A) ::= fnopts(O) CALLED(K) ON NULL INPUT.  { A = sl_b_fnopt(pc, O, SL_FN_CALLED_ON_NULL, &K); }

/******************************************************************************
** sluice extension: the inputs, reference tables and outputs of an application,
** so that one .sql file is self-contained (see README.md).
**   CREATE INPUT name FROM STREAM 'kinesis-stream' FORMAT JSON (cols) [STARTING AT pos]
**   CREATE REFERENCE TABLE name FROM FILE 'path' FORMAT CSV (cols)
**   CREATE OUTPUT name FOR in_app_stream TO STREAM 'kinesis-stream' FORMAT JSON
** each optionally followed by WITH (key = value, ...).
*/
cmd(A) ::= CREATE(C) orreplace(R) INPUT nm(N) FROM endpoint(E) FORMAT nm(F) LP coldefs(L) RP
           starting(S) withopts(W).
    { A = sl_b_create_ext(pc, SL_AST_CREATE_INPUT, &C, R, &N, NULL, E, &F, L, S, W); }
cmd(A) ::= CREATE(C) orreplace(R) REFERENCE TABLE nm(N) FROM endpoint(E) FORMAT nm(F)
           LP coldefs(L) RP withopts(W).
    { A = sl_b_create_ext(pc, SL_AST_CREATE_REFERENCE, &C, R, &N, NULL, E, &F, L, NULL, W); }
cmd(A) ::= CREATE(C) orreplace(R) OUTPUT nm(N) FOR nm(S) TO endpoint(E) FORMAT nm(F)
           withopts(W).
    { A = sl_b_create_ext(pc, SL_AST_CREATE_OUTPUT, &C, R, &N, &S, E, &F, NULL, NULL, W); }

endpoint(A) ::= nm(K) STRING(S).          { A = sl_b_endpoint(pc, &K, &S); }
endpoint(A) ::= nm(K).                    { A = sl_b_endpoint(pc, &K, NULL); }

starting(A) ::= .                         { A = NULL; }
starting(A) ::= STARTING AT nm(P).        { A = sl_b_starting(pc, &P); }
starting(A) ::= STARTING AT DTLIT(T).     { A = sl_b_lit(pc, SL_LIT_TIMESTAMP, &T); }

withopts(A) ::= .                         { A = NULL; }
withopts(A) ::= WITH LP optlist(L) RP.    { A = L; }
optlist(A) ::= option(O).                 { A = sl_b_list(pc, O); }
optlist(A) ::= optlist(L) COMMA option(O). { A = sl_b_list_add(pc, L, O); }
option(A) ::= nm(K) EQ optval(V).         { A = sl_b_option(pc, &K, V); }
optval(A) ::= STRING(S).                  { A = sl_b_lit(pc, SL_LIT_STRING, &S); }
optval(A) ::= INTEGER(S).                 { A = sl_b_lit(pc, SL_LIT_INTEGER, &S); }
optval(A) ::= DECIMAL(S).                 { A = sl_b_lit(pc, SL_LIT_DECIMAL, &S); }
optval(A) ::= TRUE(S).                    { A = sl_b_lit(pc, SL_LIT_TRUE, &S); }
optval(A) ::= FALSE(S).                   { A = sl_b_lit(pc, SL_LIT_FALSE, &S); }
optval(A) ::= interval(I).                { A = I; }

/******************************************************************************
** Data types: BOOLEAN, TINYINT .. BIGINT, REAL, DOUBLE [PRECISION], FLOAT,
** DECIMAL(p,s), CHAR(n), VARCHAR(n), BINARY(n), VARBINARY(n), DATE, TIME,
** TIMESTAMP, INTERVAL qualifier. Names are checked by the builder.
*/
%type typename {sl_typename_t}
%destructor typename { (void)$$; }
typename(A) ::= nm(X).                    { A.a = X; A.b.n = 0; }
typename(A) ::= nm(X) nm(Y).              { A.a = X; A.b = Y; }

type(A) ::= typename(N).                  { A = sl_b_type(pc, &N, 0, NULL, NULL); }
type(A) ::= typename(N) LP INTEGER(P) RP. { A = sl_b_type(pc, &N, 1, &P, NULL); }
type(A) ::= typename(N) LP INTEGER(P) COMMA INTEGER(S) RP. { A = sl_b_type(pc, &N, 2, &P, &S); }
type(A) ::= INTERVAL(I) qualifier(Q).     { A = sl_b_interval_type(pc, &I, Q); }

/* Interval qualifiers: YEAR[(p)] [TO MONTH], DAY[(p)] [TO HOUR|MINUTE|SECOND[(p)]], ... */
%type qualifier {sl_qual_t}
%destructor qualifier { (void)$$; }
%type unit {sl_token_t}
%destructor unit { (void)$$; }
%type unitprec {sl_token_t}
%destructor unitprec { (void)$$; }
qualifier(A) ::= unit(U) unitprec(P). [TO] { A = sl_b_qual(pc, &U, &P, NULL, NULL); }
qualifier(A) ::= unit(U) unitprec(P) TO unit(V) unitprec(Q).
    { A = sl_b_qual(pc, &U, &P, &V, &Q); }
unitprec(A) ::= .                         { A.n = 0; A.z = NULL; A.line = A.col = 0; }
unitprec(A) ::= LP INTEGER(P) RP.         { A = P; }
unit(A) ::= YEAR(K).                      { A = K; }
unit(A) ::= MONTH(K).                     { A = K; }
unit(A) ::= DAY(K).                       { A = K; }
unit(A) ::= HOUR(K).                      { A = K; }
unit(A) ::= MINUTE(K).                    { A = K; }
unit(A) ::= SECOND(K).                    { A = K; }

/******************************************************************************
** Queries:  select | query UNION|INTERSECT|EXCEPT [ALL] select | VALUES (...)
** then [ORDER BY ... [WITHIN interval]] for the whole query.
*/
query(A) ::= setq(Q) orderby(O) within(W). { A = sl_b_query_tail(pc, Q, O, W); }

setq(A) ::= qterm(T).                     { A = T; }
setq(A) ::= setq(L) setop(O) qterm(R).    { A = sl_b_setop(pc, O, L, R); }

%type setop {int}
%destructor setop { (void)$$; }
setop(A) ::= UNION.                       { A = SL_SETOP_UNION; }
setop(A) ::= UNION ALL.                   { A = SL_SETOP_UNION | 0x100; }
setop(A) ::= INTERSECT.                   { A = SL_SETOP_INTERSECT; }
setop(A) ::= INTERSECT ALL.               { A = SL_SETOP_INTERSECT | 0x100; }
setop(A) ::= EXCEPT.                      { A = SL_SETOP_EXCEPT; }
setop(A) ::= EXCEPT ALL.                  { A = SL_SETOP_EXCEPT | 0x100; }

qterm(A) ::= select(S).                   { A = S; }
qterm(A) ::= VALUES(V) rowlist(L).        { A = sl_b_values(pc, &V, L); }
rowlist(A) ::= LP(P) exprlist(L) RP.      { A = sl_b_list(pc, sl_b_row(pc, &P, 0, L, NULL)); }
rowlist(A) ::= rowlist(R) COMMA LP(P) exprlist(L) RP.
    { A = sl_b_list_add(pc, R, sl_b_row(pc, &P, 0, L, NULL)); }

/******************************************************************************
** SELECT [STREAM] [DISTINCT|ALL] items [FROM ...] [WHERE ...]
**   [GROUP BY ... | WINDOWED BY STAGGER (...)] [HAVING ...] [WINDOW ...]
*/
select(A) ::= SELECT(S) selmode(M) sellist(L) from(F) where(W) groupby(G) having(H) windows(X).
    { A = sl_b_select(pc, &S, M, L, F, W, G, H, X); }

%type selmode {unsigned}
%destructor selmode { (void)$$; }
%type quant {unsigned}
%destructor quant { (void)$$; }
selmode(A) ::= quant(Q).                  { A = Q; }
selmode(A) ::= STREAM quant(Q).           { A = SL_AF_STREAM | Q; }
quant(A) ::= .                            { A = 0; }
quant(A) ::= DISTINCT.                    { A = SL_AF_DISTINCT; }
quant(A) ::= ALL.                         { A = SL_AF_ALL; }

sellist(A) ::= selitem(I).                { A = sl_b_list(pc, I); }
sellist(A) ::= sellist(L) COMMA selitem(I). { A = sl_b_list_add(pc, L, I); }
selitem(A) ::= expr(E).                   { A = sl_b_select_item(pc, E, NULL); }
selitem(A) ::= expr(E) nm(N).             { A = sl_b_select_item(pc, E, &N); }
selitem(A) ::= expr(E) AS nm(N).          { A = sl_b_select_item(pc, E, &N); }
selitem(A) ::= STAR(S).                   { A = sl_b_select_item(pc, sl_b_star(pc, &S, NULL), NULL); }
selitem(A) ::= colref(R) DOT STAR(S).     { A = sl_b_select_item(pc, sl_b_star(pc, &S, R), NULL); }

from(A) ::= .                             { A = NULL; }
from(A) ::= FROM fromlist(L).             { A = L; }
where(A) ::= .                            { A = NULL; }
where(A) ::= WHERE expr(E).               { A = E; }
having(A) ::= .                           { A = NULL; }
having(A) ::= HAVING expr(E).             { A = E; }

groupby(A) ::= .                          { A = NULL; }
groupby(A) ::= GROUP BY exprlist(L).      { A = L; }
groupby(A) ::= WINDOWED(W) BY STAGGER LP PARTITION BY exprlist(L) RANGE expr(R) RP.
    { A = sl_b_stagger(pc, &W, L, R); }

windows(A) ::= .                          { A = NULL; }
windows(A) ::= WINDOW windefs(L).         { A = L; }
windefs(A) ::= windef(D).                 { A = sl_b_list(pc, D); }
windefs(A) ::= windefs(L) COMMA windef(D). { A = sl_b_list_add(pc, L, D); }
windef(A) ::= nm(N) AS LP(P) winspec(S) RP. { A = sl_b_windef(pc, &N, sl_b_at(S, &P)); }

orderby(A) ::= .                          { A = NULL; }
orderby(A) ::= ORDER BY orderlist(L).     { A = L; }
orderlist(A) ::= orderitem(I).            { A = sl_b_list(pc, I); }
orderlist(A) ::= orderlist(L) COMMA orderitem(I). { A = sl_b_list_add(pc, L, I); }
orderitem(A) ::= expr(E).                 { A = sl_b_order_item(pc, E, SL_ORDER_NONE); }
orderitem(A) ::= expr(E) ASC.             { A = sl_b_order_item(pc, E, SL_ORDER_ASC); }
orderitem(A) ::= expr(E) DESC.            { A = sl_b_order_item(pc, E, SL_ORDER_DESC); }

within(A) ::= .                           { A = NULL; }
within(A) ::= WITHIN expr(E).             { A = E; }

/******************************************************************************
** FROM: streams and tables, (subqueries), TABLE(f(CURSOR(...), ...)), joins.
** Each relation may carry OVER (window) for stream-stream joins, then an alias.
*/
fromlist(A) ::= rel(R).                   { A = R; }
fromlist(A) ::= fromlist(L) COMMA(C) rel(R).
    { A = sl_b_join(pc, SL_JOIN_COMMA, 0, &C, L, R, NULL, NULL); }
fromlist(A) ::= fromlist(L) joinop(J) rel(R) joinon(O).
    { A = sl_b_join(pc, J & 0xff, (J & 0x100) ? SL_AF_NATURAL : 0, NULL, L, R, O, NULL); }
fromlist(A) ::= fromlist(L) joinop(J) rel(R) USING LP namelist(U) RP.
    { A = sl_b_join(pc, J & 0xff, (J & 0x100) ? SL_AF_NATURAL : 0, NULL, L, R, NULL, U); }

%type joinop {int}
%destructor joinop { (void)$$; }
joinop(A) ::= JOIN.                       { A = SL_JOIN_INNER; }
joinop(A) ::= INNER JOIN.                 { A = SL_JOIN_INNER; }
joinop(A) ::= CROSS JOIN.                 { A = SL_JOIN_CROSS; }
joinop(A) ::= outer(O) JOIN.              { A = O; }
joinop(A) ::= outer(O) OUTER JOIN.        { A = O; }
joinop(A) ::= NATURAL JOIN.               { A = SL_JOIN_INNER | 0x100; }
joinop(A) ::= NATURAL INNER JOIN.         { A = SL_JOIN_INNER | 0x100; }
joinop(A) ::= NATURAL outer(O) JOIN.      { A = O | 0x100; }
joinop(A) ::= NATURAL outer(O) OUTER JOIN. { A = O | 0x100; }
%type outer {int}
%destructor outer { (void)$$; }
outer(A) ::= LEFT.                        { A = SL_JOIN_LEFT_OUTER; }
outer(A) ::= RIGHT.                       { A = SL_JOIN_RIGHT_OUTER; }
outer(A) ::= FULL.                        { A = SL_JOIN_FULL_OUTER; }

joinon(A) ::= .                           { A = NULL; }
joinon(A) ::= ON expr(E).                 { A = E; }

rel(A) ::= nm(N) relover(O) relalias(L).
    { A = sl_b_rel(pc, SL_AST_TABLE_REF, &N, &N, NULL, O, L); }
rel(A) ::= LP(P) query(Q) RP relover(O) relalias(L).
    { A = sl_b_rel(pc, SL_AST_SUBQUERY_REF, &P, NULL, Q, O, L); }
rel(A) ::= TABLE(T) LP nm(F) LP callargs(G) RP RP relover(O) relalias(L).
    { A = sl_b_rel(pc, SL_AST_FUNCTION_REF, &T, NULL, sl_b_call(pc, &F, SL_CALL_PLAIN, G.flags, G.args), O, L); }

relover(A) ::= .                          { A = NULL; }
relover(A) ::= over(O).                   { A = O; }

%type relalias {sl_relalias_t}
%destructor relalias { sl_ast_free($$.cols); }
relalias(A) ::= .                         { A.name.n = 0; A.cols = NULL; }
relalias(A) ::= nm(N).                    { A.name = N; A.cols = NULL; }
relalias(A) ::= AS nm(N).                 { A.name = N; A.cols = NULL; }
relalias(A) ::= nm(N) LP namelist(L) RP.  { A.name = N; A.cols = L; }
relalias(A) ::= AS nm(N) LP namelist(L) RP. { A.name = N; A.cols = L; }

/******************************************************************************
** Windows: OVER w | OVER ([w] [PARTITION BY ...] [ORDER BY ...] [frame])
**   frame: ROWS|RANGE bound | ROWS|RANGE BETWEEN bound AND bound
**   bound: n PRECEDING | INTERVAL '..' unit PRECEDING | CURRENT ROW | UNBOUNDED ...
*/
over(A) ::= OVER nm(N).                   { A = sl_b_winspec(pc, &N, &N, NULL, NULL, NULL); }
over(A) ::= OVER LP(P) winspec(S) RP.     { A = sl_b_at(S, &P); }

winspec(A) ::= winbase(B) partition(P) orderby(O) frame(F).
    { A = sl_b_winspec(pc, B.n ? &B : NULL, B.n ? &B : NULL, P, O, F); }
%type winbase {sl_token_t}
%destructor winbase { (void)$$; }
winbase(A) ::= .                          { A.n = 0; A.z = NULL; A.line = A.col = 0; }
winbase(A) ::= nm(N).                     { A = N; }
partition(A) ::= .                        { A = NULL; }
partition(A) ::= PARTITION BY exprlist(L). { A = L; }

frame(A) ::= .                            { A = NULL; }
frame(A) ::= ROWS(R) bound(B).            { A = sl_b_frame(pc, &R, SL_FRAME_ROWS, B, NULL); }
frame(A) ::= RANGE(R) bound(B).           { A = sl_b_frame(pc, &R, SL_FRAME_RANGE, B, NULL); }
frame(A) ::= ROWS(R) BETWEEN bound(B) AND bound(C). { A = sl_b_frame(pc, &R, SL_FRAME_ROWS, B, C); }
frame(A) ::= RANGE(R) BETWEEN bound(B) AND bound(C). { A = sl_b_frame(pc, &R, SL_FRAME_RANGE, B, C); }
bound(A) ::= UNBOUNDED(U) PRECEDING.      { A = sl_b_bound(pc, &U, SL_BOUND_UNBOUNDED_PRECEDING, NULL); }
bound(A) ::= UNBOUNDED(U) FOLLOWING.      { A = sl_b_bound(pc, &U, SL_BOUND_UNBOUNDED_FOLLOWING, NULL); }
bound(A) ::= CURRENT(U) ROW.              { A = sl_b_bound(pc, &U, SL_BOUND_CURRENT_ROW, NULL); }
bound(A) ::= term(E) PRECEDING.           { A = sl_b_bound(pc, NULL, SL_BOUND_PRECEDING, E); }
bound(A) ::= term(E) FOLLOWING.           { A = sl_b_bound(pc, NULL, SL_BOUND_FOLLOWING, E); }

/******************************************************************************
** Expressions, loosest binding first (see the precedence table at the top).
*/
exprlist(A) ::= expr(E).                  { A = sl_b_list(pc, E); }
exprlist(A) ::= exprlist(L) COMMA expr(E). { A = sl_b_list_add(pc, L, E); }

expr(A) ::= term(T).                      { A = T; }
expr(A) ::= expr(L) OR expr(R).           { A = sl_b_binary(pc, SL_OP_OR, L, R); }
expr(A) ::= expr(L) AND expr(R).          { A = sl_b_binary(pc, SL_OP_AND, L, R); }
expr(A) ::= NOT(N) expr(E).               { A = sl_b_unary(pc, &N, SL_OP_NOT, E); }
expr(A) ::= expr(L) EQ expr(R).           { A = sl_b_binary(pc, SL_OP_EQ, L, R); }
expr(A) ::= expr(L) NE expr(R).           { A = sl_b_binary(pc, SL_OP_NE, L, R); }
expr(A) ::= expr(L) LT expr(R).           { A = sl_b_binary(pc, SL_OP_LT, L, R); }
expr(A) ::= expr(L) LE expr(R).           { A = sl_b_binary(pc, SL_OP_LE, L, R); }
expr(A) ::= expr(L) GT expr(R).           { A = sl_b_binary(pc, SL_OP_GT, L, R); }
expr(A) ::= expr(L) GE expr(R).           { A = sl_b_binary(pc, SL_OP_GE, L, R); }
expr(A) ::= expr(L) CONCAT expr(R).       { A = sl_b_binary(pc, SL_OP_CONCAT, L, R); }
expr(A) ::= expr(L) PLUS expr(R).         { A = sl_b_binary(pc, SL_OP_ADD, L, R); }
expr(A) ::= expr(L) MINUS expr(R).        { A = sl_b_binary(pc, SL_OP_SUB, L, R); }
expr(A) ::= expr(L) STAR expr(R).         { A = sl_b_binary(pc, SL_OP_MUL, L, R); }
expr(A) ::= expr(L) SLASH expr(R).        { A = sl_b_binary(pc, SL_OP_DIV, L, R); }
expr(A) ::= MINUS(M) expr(E). [UMINUS]    { A = sl_b_unary(pc, &M, SL_OP_NEG, E); }
expr(A) ::= PLUS(M) expr(E). [UMINUS]     { A = sl_b_unary(pc, &M, SL_OP_POS, E); }

/* IS [NOT] NULL | TRUE | FALSE | UNKNOWN, IS [NOT] DISTINCT FROM */
%type isnot {unsigned}
%destructor isnot { (void)$$; }
isnot(A) ::= IS.                          { A = 0; }
isnot(A) ::= IS NOT.                      { A = SL_AF_NOT; }
expr(A) ::= expr(E) isnot(N) NULL.        { A = sl_b_is(pc, E, N, SL_LIT_NULL); }
expr(A) ::= expr(E) isnot(N) TRUE.        { A = sl_b_is(pc, E, N, SL_LIT_TRUE); }
expr(A) ::= expr(E) isnot(N) FALSE.       { A = sl_b_is(pc, E, N, SL_LIT_FALSE); }
expr(A) ::= expr(E) isnot(N) UNKNOWN.     { A = sl_b_is(pc, E, N, SL_LIT_UNKNOWN); }
expr(A) ::= expr(L) isnot(N) DISTINCT FROM expr(R). [IS]
    { A = sl_b_binary(pc, N ? SL_OP_IS_NOT_DISTINCT : SL_OP_IS_DISTINCT, L, R); }

/* [NOT] LIKE | SIMILAR TO pattern [ESCAPE c] */
%type likeop {int}
%destructor likeop { (void)$$; }
likeop(A) ::= LIKE.                       { A = SL_OP_LIKE; }
likeop(A) ::= NOT LIKE.                   { A = SL_OP_LIKE | 0x100; }
likeop(A) ::= SIMILAR TO.                 { A = SL_OP_SIMILAR; }
likeop(A) ::= NOT SIMILAR TO.             { A = SL_OP_SIMILAR | 0x100; }
expr(A) ::= expr(L) likeop(O) expr(P). [LIKE]             { A = sl_b_like(pc, O, L, P, NULL); }
expr(A) ::= expr(L) likeop(O) expr(P) ESCAPE expr(E). [LIKE] { A = sl_b_like(pc, O, L, P, E); }

/* [NOT] BETWEEN lo AND hi, [NOT] IN (list | query), EXISTS (query) */
%type betweenop {unsigned}
%destructor betweenop { (void)$$; }
%type inop {unsigned}
%destructor inop { (void)$$; }
betweenop(A) ::= BETWEEN.                 { A = 0; }
betweenop(A) ::= NOT BETWEEN.             { A = SL_AF_NOT; }
inop(A) ::= IN.                           { A = 0; }
inop(A) ::= NOT IN.                       { A = SL_AF_NOT; }
expr(A) ::= expr(X) betweenop(N) expr(L) AND expr(H). [BETWEEN] { A = sl_b_between(pc, N, X, L, H); }
expr(A) ::= expr(X) inop(N) LP exprlist(L) RP. [IN] { A = sl_b_in(pc, N, X, L); }
expr(A) ::= expr(X) inop(N) LP query(Q) RP. [IN]    { A = sl_b_in(pc, N, X, Q); }
term(A) ::= EXISTS(E) LP query(Q) RP.     { A = sl_b_wrap(pc, SL_AST_EXISTS, &E, Q); }

/* Temporal predicates: [PERIOD] (a, b) OVERLAPS (c, d), chainable without AND. */
%type tempop {int}
%destructor tempop { (void)$$; }
expr(A) ::= expr(L) tempop(O) expr(R). [EQUALS] { A = sl_b_temporal(pc, O, L, R); }
tempop(A) ::= EQUALS.                     { A = SL_TEMPORAL_EQUALS; }
tempop(A) ::= CONTAINS.                   { A = SL_TEMPORAL_CONTAINS; }
tempop(A) ::= STRICTLY CONTAINS.          { A = SL_TEMPORAL_STRICTLY_CONTAINS; }
tempop(A) ::= OVERLAPS.                   { A = SL_TEMPORAL_OVERLAPS; }
tempop(A) ::= STRICTLY OVERLAPS.          { A = SL_TEMPORAL_STRICTLY_OVERLAPS; }
tempop(A) ::= PRECEDES.                   { A = SL_TEMPORAL_PRECEDES; }
tempop(A) ::= STRICTLY PRECEDES.          { A = SL_TEMPORAL_STRICTLY_PRECEDES; }
tempop(A) ::= IMMEDIATELY PRECEDES.       { A = SL_TEMPORAL_IMMEDIATELY_PRECEDES; }
tempop(A) ::= SUCCEEDS.                   { A = SL_TEMPORAL_SUCCEEDS; }
tempop(A) ::= STRICTLY SUCCEEDS.          { A = SL_TEMPORAL_STRICTLY_SUCCEEDS; }
tempop(A) ::= IMMEDIATELY SUCCEEDS.       { A = SL_TEMPORAL_IMMEDIATELY_SUCCEEDS; }
tempop(A) ::= LEADS.                      { A = SL_TEMPORAL_LEADS; }
tempop(A) ::= STRICTLY LEADS.             { A = SL_TEMPORAL_STRICTLY_LEADS; }
tempop(A) ::= IMMEDIATELY LEADS.          { A = SL_TEMPORAL_IMMEDIATELY_LEADS; }
tempop(A) ::= LAGS.                       { A = SL_TEMPORAL_LAGS; }
tempop(A) ::= STRICTLY LAGS.              { A = SL_TEMPORAL_STRICTLY_LAGS; }
tempop(A) ::= IMMEDIATELY LAGS.           { A = SL_TEMPORAL_IMMEDIATELY_LAGS; }

/******************************************************************************
** Terms: literals, names, parentheses, rows, calls and the special syntaxes.
*/
term(A) ::= INTEGER(X).                   { A = sl_b_lit(pc, SL_LIT_INTEGER, &X); }
term(A) ::= DECIMAL(X).                   { A = sl_b_lit(pc, SL_LIT_DECIMAL, &X); }
term(A) ::= FLOAT(X).                     { A = sl_b_lit(pc, SL_LIT_APPROX, &X); }
term(A) ::= STRING(X).                    { A = sl_b_lit(pc, SL_LIT_STRING, &X); }
term(A) ::= USTRING(X).                   { A = sl_b_lit(pc, SL_LIT_STRING, &X); }
term(A) ::= BSTRING(X).                   { A = sl_b_lit(pc, SL_LIT_BINARY, &X); }
term(A) ::= TRUE(X).                      { A = sl_b_lit(pc, SL_LIT_TRUE, &X); }
term(A) ::= FALSE(X).                     { A = sl_b_lit(pc, SL_LIT_FALSE, &X); }
term(A) ::= UNKNOWN(X).                   { A = sl_b_lit(pc, SL_LIT_UNKNOWN, &X); }
term(A) ::= NULL(X).                      { A = sl_b_lit(pc, SL_LIT_NULL, &X); }
term(A) ::= DTLIT(X).                     { A = sl_b_lit(pc, SL_LIT_DATE, &X); }
term(A) ::= interval(I).                  { A = I; }

interval(A) ::= INTERVAL(I) STRING(S) qualifier(Q).       { A = sl_b_interval(pc, &I, 0, &S, Q); }
interval(A) ::= INTERVAL(I) PLUS STRING(S) qualifier(Q).  { A = sl_b_interval(pc, &I, 0, &S, Q); }
interval(A) ::= INTERVAL(I) MINUS STRING(S) qualifier(Q). { A = sl_b_interval(pc, &I, SL_AF_NEGATIVE, &S, Q); }

term(A) ::= colref(R).                    { A = R; }
colref(A) ::= nm(N).                      { A = sl_b_colref(pc, NULL, &N); }
colref(A) ::= colref(R) DOT nm(N).        { A = sl_b_colref(pc, R, &N); }

term(A) ::= LP expr(E) RP.                { A = E; }
term(A) ::= LP(P) expr(E) COMMA exprlist(L) RP. { A = sl_b_row(pc, &P, 0, sl_b_list(pc, E), L); }
term(A) ::= PERIOD(P) LP expr(E) COMMA expr(F) RP.
    { A = sl_b_row(pc, &P, SL_AF_PERIOD, sl_b_list(pc, E), sl_b_list(pc, F)); }
term(A) ::= LP(P) query(Q) RP.            { A = sl_b_wrap(pc, SL_AST_SUBQUERY, &P, Q); }
term(A) ::= LP(P) expr(E) RP qualifier(Q). { A = sl_b_interval_of(pc, &P, E, Q); }
term(A) ::= CURSOR(C) LP query(Q) RP.     { A = sl_b_wrap(pc, SL_AST_CURSOR, &C, Q); }

/* CASE [x] WHEN .. THEN .. [ELSE ..] END */
term(A) ::= CASE(C) caseop(X) whens(W) caseelse(E) END. { A = sl_b_case(pc, &C, X, W, E); }
caseop(A) ::= .                           { A = NULL; }
caseop(A) ::= expr(E).                    { A = E; }
whens(A) ::= WHEN(W) expr(C) THEN expr(R).          { A = sl_b_list(pc, sl_b_when(pc, &W, C, R)); }
whens(A) ::= whens(L) WHEN(W) expr(C) THEN expr(R). { A = sl_b_list_add(pc, L, sl_b_when(pc, &W, C, R)); }
caseelse(A) ::= .                         { A = NULL; }
caseelse(A) ::= ELSE expr(E).             { A = E; }

term(A) ::= CAST(C) LP expr(E) AS type(T) RP. { A = sl_b_cast(pc, &C, E, T); }

/* f(args) [FROM FIRST|LAST] [IGNORE|RESPECT NULLS] [OVER window] */
term(A) ::= nm(N) LP callargs(G) RP calltail(T) callover(O).
    { A = sl_b_call_tail(pc, sl_b_call(pc, &N, SL_CALL_PLAIN, G.flags, G.args), T, O); }
%type callargs {sl_callargs_t}
%destructor callargs { sl_ast_free($$.args); }
callargs(A) ::= .                         { A.flags = 0; A.args = sl_b_node(pc, SL_AST_LIST, NULL, 0); }
callargs(A) ::= STAR.                     { A.flags = SL_AF_COUNT_STAR; A.args = sl_b_node(pc, SL_AST_LIST, NULL, 0); }
callargs(A) ::= exprlist(L).              { A.flags = 0; A.args = L; }
callargs(A) ::= DISTINCT exprlist(L).     { A.flags = SL_AF_DISTINCT; A.args = L; }
callargs(A) ::= ALL exprlist(L).          { A.flags = SL_AF_ALL; A.args = L; }
%type calltail {unsigned}
%destructor calltail { (void)$$; }
%type nulls {unsigned}
%destructor nulls { (void)$$; }
calltail(A) ::= nulls(N).                 { A = N; }
calltail(A) ::= FROM_FIRST nulls(N).      { A = SL_AF_FROM_FIRST | N; }
calltail(A) ::= FROM_LAST nulls(N).       { A = SL_AF_FROM_LAST | N; }
nulls(A) ::= .                            { A = 0; }
nulls(A) ::= IGNORE NULLS.                { A = SL_AF_IGNORE_NULLS; }
nulls(A) ::= RESPECT NULLS.               { A = SL_AF_RESPECT_NULLS; }
callover(A) ::= .                         { A = NULL; }
callover(A) ::= over(O).                  { A = O; }

/* The special syntaxes of SQL's built-in functions. */
%type kwfunc {sl_token_t}
%destructor kwfunc { (void)$$; }
kwfunc(A) ::= FLOOR(K).                   { A = K; }
kwfunc(A) ::= CEIL(K).                    { A = K; }
kwfunc(A) ::= CEILING(K).                 { A = K; }
kwfunc(A) ::= SUBSTRING(K).               { A = K; }
kwfunc(A) ::= TRIM(K).                    { A = K; }
kwfunc(A) ::= OVERLAY(K).                 { A = K; }
term(A) ::= kwfunc(K) LP exprlist(L) RP.  { A = sl_b_call(pc, &K, SL_CALL_PLAIN, 0, L); }
term(A) ::= kwfunc(K) LP expr(X) TO unit(U) RP.
    { A = sl_b_call_unit(pc, sl_b_call(pc, &K, SL_CALL_FLOOR_TO, 0, sl_b_list(pc, X)), &U); }
term(A) ::= STEP(K) LP expr(X) BY expr(W) RP.
    { A = sl_b_call(pc, &K, SL_CALL_STEP_BY, 0, sl_b_list_add(pc, sl_b_list(pc, X), W)); }
term(A) ::= EXTRACT(K) LP unit(U) FROM expr(X) RP.
    { A = sl_b_call_unit(pc, sl_b_call(pc, &K, SL_CALL_EXTRACT, 0, sl_b_list(pc, X)), &U); }
term(A) ::= kwfunc(K) LP expr(S) FROM expr(P) RP.
    { A = sl_b_call(pc, &K, SL_CALL_SUBSTRING_FROM, 0, sl_b_list_add(pc, sl_b_list(pc, S), P)); }
term(A) ::= kwfunc(K) LP expr(S) FROM expr(P) FOR expr(N) RP.
    { A = sl_b_call(pc, &K, SL_CALL_SUBSTRING_FROM, 0, sl_b_list_add(pc, sl_b_list_add(pc, sl_b_list(pc, S), P), N)); }
term(A) ::= kwfunc(K) LP expr(S) SIMILAR expr(P) ESCAPE expr(E) RP.
    { A = sl_b_call(pc, &K, SL_CALL_SUBSTRING_SIMILAR, 0, sl_b_list_add(pc, sl_b_list_add(pc, sl_b_list(pc, S), P), E)); }
term(A) ::= kwfunc(K) LP trimspec(T) expr(C) FROM expr(S) RP.
    { A = sl_b_call(pc, &K, SL_CALL_TRIM, T, sl_b_list_add(pc, sl_b_list(pc, C), S)); }
term(A) ::= kwfunc(K) LP trimspec(T) FROM expr(S) RP.
    { A = sl_b_call(pc, &K, SL_CALL_TRIM, T, sl_b_list(pc, S)); }
term(A) ::= POSITION(K) LP expr(X) PIN expr(Y) RP.
    { A = sl_b_call(pc, &K, SL_CALL_POSITION, 0, sl_b_list_add(pc, sl_b_list(pc, X), Y)); }
term(A) ::= kwfunc(K) LP expr(S) PLACING expr(R) FROM expr(P) RP.
    { A = sl_b_call(pc, &K, SL_CALL_OVERLAY, 0, sl_b_list_add(pc, sl_b_list_add(pc, sl_b_list(pc, S), R), P)); }
term(A) ::= kwfunc(K) LP expr(S) PLACING expr(R) FROM expr(P) FOR expr(N) RP.
    { A = sl_b_call(pc, &K, SL_CALL_OVERLAY, 0, sl_b_list_add(pc, sl_b_list_add(pc, sl_b_list_add(pc, sl_b_list(pc, S), R), P), N)); }
%type trimspec {unsigned}
%destructor trimspec { (void)$$; }
trimspec(A) ::= LEADING.                  { A = SL_AF_TRIM_LEADING; }
trimspec(A) ::= TRAILING.                 { A = SL_AF_TRIM_TRAILING; }
trimspec(A) ::= BOTH.                     { A = SL_AF_TRIM_BOTH; }

%code {
/*
 * Simulates the parser on a copy of its state stack to decide whether terminal `tok` could
 * be shifted next (after any reductions). Default reductions make the table alone
 * unreliable, so this replays them, the way the parser itself would.
 */
static int sl_lemon_accepts(yyParser *p, int tok)
{
    YYACTIONTYPE st[YYSTACKDEPTH + 8];
    int top = (int)(p->yytos - p->yystack);
    if (top < 0 || top >= YYSTACKDEPTH) return 0;
    for (int i = 0; i <= top; i++) st[i] = p->yystack[i].stateno;
    YYACTIONTYPE act = st[top];
    for (int guard = 0; guard < 10000; guard++) {
        act = yy_find_shift_action((YYCODETYPE)tok, act);
        if (act >= YY_MIN_REDUCE) {
            int rule = act - YY_MIN_REDUCE;
            int nrhs = -yyRuleInfoNRhs[rule];
            top -= nrhs;
            if (top < 0 || top + 1 >= YYSTACKDEPTH + 8) return 0;
            act = yy_find_reduce_action(st[top], (YYCODETYPE)yyRuleInfoLhs[rule]);
            st[++top] = act;
            continue;
        }
        if (act <= YY_MAX_SHIFTREDUCE || act == YY_ACCEPT_ACTION) return 1;
        return 0;
    }
    return 0;
}

/*
 * Fills out[] with up to max terminals the parser could accept now; returns the count.
 * When an identifier is acceptable, the non-reserved keywords that are only acceptable as
 * identifiers (through %fallback) are left out.
 */
int sl_lemon_expected(void *parser, int *out, int max)
{
    int n = 0;
    int id_ok = sl_lemon_accepts((yyParser *)parser, TK_ID);
    for (int t = 1; t < YYNTOKEN && n < max; t++) {
        if (t == TK_UMINUS) continue;
        if (id_ok && t != TK_ID && yyFallback[t] == TK_ID) continue;
        if (sl_lemon_accepts((yyParser *)parser, t)) out[n++] = t;
    }
    return n;
}

/* The %syntax_error hook: hands the token and the parser to the driver's reporter. */
static void sl_lemon_syntax_error(sl_pctx_t *pc, void *parser, int major, sl_token_t *tok)
{
    sl_parse_syntax_error(pc, parser, major, tok);
}
}
