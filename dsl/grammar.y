/*
 * grammar.y — the Lemon grammar of lockstep's SLIC dialect.
 *
 * Input is the preprocessed token stream (pp.c) with keywords already
 * mapped (parse.c).  Actions are one line each and call the builders in
 * parse.c (prefix pb_), which allocate in the rule's arena; nothing a
 * nonterminal holds is heap memory of its own, so no %destructor is needed
 * on the error path: the arena is freed as a whole.
 *
 * The first syntax error ends parsing (as in SQLite): %syntax_error reports
 * it with the tokens that would have been accepted, and parse.c stops
 * feeding tokens.
 */

// ---- directives -------------------------------------------------------

%name lsParse                       // functions lsParseAlloc, lsParse, ...
%token_prefix TK_                   // token codes TK_ID, TK_LBRACE, ...
%token_type { struct token }        // a token: pointer + length + location
%extra_argument { struct parse_ctx *ctx }
%stack_size 400                     // bounds nesting depth (see overflow)

%include {
#include <assert.h>
#include <stdlib.h>
#include "parse_int.h"
struct yyParser;
static void lsParse_expected(struct yyParser *p, bool expected[PB_MAX_TOKENS]);
}

%syntax_error {
    bool expected[PB_MAX_TOKENS] = { false };
    lsParse_expected(yypParser, expected);
    pb_syntax_error(ctx, yymajor, &TOKEN, expected);
}

%stack_overflow {
    pb_too_deep(ctx);
}

%parse_failure {
    ctx->failed = true;
}

// Tokens the lexer produces that no rule uses: the preprocessor consumes
// them (HASH, HASHHASH) or they signal an error (ILLEGAL); declaring them
// here gives them codes in grammar.h.  Keywords come after.
%token ILLEGAL HASH HASHHASH SELECT WITH.

// ---- precedence, lowest first (C's) -------------------------------------

%right QUESTION COLON.
%left OROR.
%left ANDAND.
%left PIPE.
%left CARET.
%left AMP.
%left EQ NE.
%left LT LE GT GE.
%left SHL SHR.
%left PLUS MINUS.
%left STAR SLASH PERCENT.
%right UNARY BANG TILDE.
%left DOT ARROW LBRACKET.
%nonassoc IFX.
%nonassoc ELSE.

// ---- a rule file ----------------------------------------------------------

file ::= items.
items ::= .
items ::= items item.

item ::= meta.
item ::= state.
item ::= watch.
item ::= handler.
item ::= SEMI.

// rule Name { model "storport"; summary "..."; }    (lockstep extension)
meta ::= meta_head LBRACE meta_props RBRACE.
meta_head ::= RULE(R) ID(N).                      { pb_meta_begin(ctx, &R, &N); }
meta_props ::= .
meta_props ::= meta_props ID(K) string(V) SEMI.   { pb_meta_add(ctx, &K, V); }

// state { int n = 0; enum {a, b} s = a; }
state ::= state_head LBRACE decls RBRACE.
state_head ::= STATE(S).                          { pb_state_begin(ctx, &S); }
decls ::= .
decls ::= decls decl.
decl ::= INT ID(N) SEMI.                          { pb_var_int(ctx, &N, NULL, false); }
decl ::= INT ID(N) ASSIGN expr(E) SEMI.           { pb_var_int(ctx, &N, E, false); }
decl ::= INT STAR ID(N) SEMI.                     { pb_var_int(ctx, &N, NULL, true); }
decl ::= INT STAR ID(N) ASSIGN expr(E) SEMI.      { pb_var_int(ctx, &N, E, true); }
decl ::= ENUM LBRACE enum_list(L) opt_comma RBRACE ID(N) SEMI.
                                                  { pb_var_enum(ctx, L, &N, NULL); }
decl ::= ENUM LBRACE enum_list(L) opt_comma RBRACE ID(N) ASSIGN expr(E) SEMI.
                                                  { pb_var_enum(ctx, L, &N, E); }

%type enum_list { struct const_list }
enum_list(A) ::= ID(N).                           { A = pb_const_list(ctx, NULL, &N); }
enum_list(A) ::= enum_list(L) COMMA ID(N).        { A = pb_const_list(ctx, &L, &N); }
opt_comma ::= .
opt_comma ::= COMMA.

// watch F.exit.$1;   watch F.exit.(*$1);   watch F.exit.$return;
watch ::= WATCH(W) event_name(F) DOT ID(K) DOT watch_key(E) SEMI.
                                                  { pb_watch(ctx, &W, F, &K, E); }
%type watch_key { struct ast_expr * }
watch_key(A) ::= PARAM(P).                        { A = pb_param(ctx, &P); }
watch_key(A) ::= RETURN(R).                       { A = pb_return(ctx, &R); }
watch_key(A) ::= LPAREN STAR(S) PARAM(P) RPAREN.  { A = pb_deref_param(ctx, &S, &P); }

// F.entry [guard $1] { ... }     [F1, F2].exit { ... }
handler ::= events(E) DOT ID(K) guard(G) block(B).
                                                  { pb_handler(ctx, &E, &K, &G, B); }
%type events { struct event_list }
events(A) ::= event_name(F).                      { A = pb_event_list(NULL, F); }
events(A) ::= LBRACKET event_set(L) RBRACKET.     { A = L; }
%type event_set { struct event_list }
event_set(A) ::= event_name(F).                   { A = pb_event_list(NULL, F); }
event_set(A) ::= event_set(L) COMMA event_name(F).{ A = pb_event_list(&L, F); }
event_set(A) ::= event_set(L) PIPE event_name(F). { A = pb_event_list(&L, F); }
%type event_name { struct ast_event * }
event_name(A) ::= ID(N).                          { A = pb_event(ctx, &N); }

%type guard { struct guard }
guard(A) ::= .                                    { A.key = NULL; A.or_null = false; }
guard(A) ::= LBRACKET GUARD guard_key(K) RBRACKET.
                                                  { A.key = K; A.or_null = false; }
guard(A) ::= LBRACKET GUARD OROR NULL guard_key(K) RBRACKET.
                                                  { A.key = K; A.or_null = true; }
%type guard_key { struct ast_expr * }
guard_key(A) ::= watch_key(K).                    { A = K; }
guard_key(A) ::= STAR(S) PARAM(P).                { A = pb_deref_param(ctx, &S, &P); }

// ---- statements -------------------------------------------------------------

%type block { struct ast_stmt * }
block(A) ::= LBRACE(L) stmts(S) RBRACE(R).        { A = pb_block(ctx, &L, &S, &R); }

%type stmts { struct stmt_list }
stmts(A) ::= .                                    { A.head = A.tail = NULL; }
stmts(A) ::= stmts(L) stmt(S).                    { A = pb_stmt_list(&L, S); }

%type stmt { struct ast_stmt * }
stmt(A) ::= block(B).                             { A = B; }
stmt(A) ::= IF(I) LPAREN expr(C) RPAREN stmt(T). [IFX]
                                                  { A = pb_if(ctx, &I, C, T, NULL); }
stmt(A) ::= IF(I) LPAREN expr(C) RPAREN stmt(T) ELSE stmt(E).
                                                  { A = pb_if(ctx, &I, C, T, E); }
stmt(A) ::= expr(L) ASSIGN(O) expr(R) SEMI.       { A = pb_assign(ctx, L, &O, OP_NONE, R); }
stmt(A) ::= expr(L) PLUSEQ(O) expr(R) SEMI.       { A = pb_assign(ctx, L, &O, OP_ADD, R); }
stmt(A) ::= expr(L) MINUSEQ(O) expr(R) SEMI.      { A = pb_assign(ctx, L, &O, OP_SUB, R); }
stmt(A) ::= expr(L) INC(O) SEMI.                  { A = pb_assign(ctx, L, &O, OP_ADD, NULL); }
stmt(A) ::= expr(L) DEC(O) SEMI.                  { A = pb_assign(ctx, L, &O, OP_SUB, NULL); }
stmt(A) ::= ABORT(K) string(M) SEMI.              { A = pb_abort(ctx, &K, M); }
stmt(A) ::= HALT(K) SEMI.                         { A = pb_simple(ctx, STMT_HALT, &K); }
stmt(A) ::= SEMI(K).                              { A = pb_simple(ctx, STMT_EMPTY, &K); }

// "abc" "def" concatenate, as in C.
%type string { struct pstring }
string(A) ::= STRING(S).                          { A = pb_string(ctx, NULL, &S); }
string(A) ::= string(L) STRING(S).                { A = pb_string(ctx, &L, &S); }

// ---- expressions ------------------------------------------------------------

%type expr { struct ast_expr * }
expr(A) ::= INTEGER(T).                           { A = pb_int(ctx, &T); }
expr(A) ::= ID(T).                                { A = pb_name(ctx, &T); }
expr(A) ::= PARAM(T).                             { A = pb_param(ctx, &T); }
expr(A) ::= RETURN(T).                            { A = pb_return(ctx, &T); }
expr(A) ::= LPAREN expr(E) RPAREN.                { A = E; }
expr(A) ::= ID(F) LPAREN RPAREN.                  { A = pb_call(ctx, &F, NULL); }
expr(A) ::= ID(F) LPAREN args(L) RPAREN.          { A = pb_call(ctx, &F, L.head); }
expr(A) ::= expr(E) DOT(O) ID(N).                 { A = pb_member(ctx, E, &O, &N, false); }
expr(A) ::= expr(E) ARROW(O) ID(N).               { A = pb_member(ctx, E, &O, &N, true); }
expr(A) ::= expr(E) LBRACKET(O) expr(I) RBRACKET. { A = pb_binary(ctx, EXPR_INDEX, OP_NONE, &O, E, I); }
expr(A) ::= MINUS(O) expr(E). [UNARY]             { A = pb_unary(ctx, OP_NEG, &O, E); }
expr(A) ::= PLUS(O) expr(E). [UNARY]              { A = pb_unary(ctx, OP_PLUS, &O, E); }
expr(A) ::= BANG(O) expr(E).                      { A = pb_unary(ctx, OP_NOT, &O, E); }
expr(A) ::= TILDE(O) expr(E).                     { A = pb_unary(ctx, OP_BITNOT, &O, E); }
expr(A) ::= STAR(O) expr(E). [UNARY]              { A = pb_unary(ctx, OP_DEREF, &O, E); }
expr(A) ::= AMP(O) expr(E). [UNARY]               { A = pb_unary(ctx, OP_ADDR, &O, E); }
expr(A) ::= expr(L) STAR(O) expr(R).              { A = pb_binary(ctx, EXPR_BINARY, OP_MUL, &O, L, R); }
expr(A) ::= expr(L) SLASH(O) expr(R).             { A = pb_binary(ctx, EXPR_BINARY, OP_DIV, &O, L, R); }
expr(A) ::= expr(L) PERCENT(O) expr(R).           { A = pb_binary(ctx, EXPR_BINARY, OP_MOD, &O, L, R); }
expr(A) ::= expr(L) PLUS(O) expr(R).              { A = pb_binary(ctx, EXPR_BINARY, OP_ADD, &O, L, R); }
expr(A) ::= expr(L) MINUS(O) expr(R).             { A = pb_binary(ctx, EXPR_BINARY, OP_SUB, &O, L, R); }
expr(A) ::= expr(L) SHL(O) expr(R).               { A = pb_binary(ctx, EXPR_BINARY, OP_SHL, &O, L, R); }
expr(A) ::= expr(L) SHR(O) expr(R).               { A = pb_binary(ctx, EXPR_BINARY, OP_SHR, &O, L, R); }
expr(A) ::= expr(L) LT(O) expr(R).                { A = pb_binary(ctx, EXPR_BINARY, OP_LT, &O, L, R); }
expr(A) ::= expr(L) LE(O) expr(R).                { A = pb_binary(ctx, EXPR_BINARY, OP_LE, &O, L, R); }
expr(A) ::= expr(L) GT(O) expr(R).                { A = pb_binary(ctx, EXPR_BINARY, OP_GT, &O, L, R); }
expr(A) ::= expr(L) GE(O) expr(R).                { A = pb_binary(ctx, EXPR_BINARY, OP_GE, &O, L, R); }
expr(A) ::= expr(L) EQ(O) expr(R).                { A = pb_binary(ctx, EXPR_BINARY, OP_EQ, &O, L, R); }
expr(A) ::= expr(L) NE(O) expr(R).                { A = pb_binary(ctx, EXPR_BINARY, OP_NE, &O, L, R); }
expr(A) ::= expr(L) AMP(O) expr(R).               { A = pb_binary(ctx, EXPR_BINARY, OP_BITAND, &O, L, R); }
expr(A) ::= expr(L) CARET(O) expr(R).             { A = pb_binary(ctx, EXPR_BINARY, OP_BITXOR, &O, L, R); }
expr(A) ::= expr(L) PIPE(O) expr(R).              { A = pb_binary(ctx, EXPR_BINARY, OP_BITOR, &O, L, R); }
expr(A) ::= expr(L) ANDAND(O) expr(R).            { A = pb_binary(ctx, EXPR_BINARY, OP_AND, &O, L, R); }
expr(A) ::= expr(L) OROR(O) expr(R).              { A = pb_binary(ctx, EXPR_BINARY, OP_OR, &O, L, R); }
expr(A) ::= expr(C) QUESTION(O) expr(T) COLON expr(E).
                                                  { A = pb_cond(ctx, &O, C, T, E); }

%type args { struct expr_list }
args(A) ::= expr(E).                              { A = pb_expr_list(NULL, E); }
args(A) ::= args(L) COMMA expr(E).                { A = pb_expr_list(&L, E); }

%code {
/* Mark the terminals the parser would have accepted in its current state
 * (for "expected X or Y" messages). */
static void lsParse_expected(struct yyParser *p, bool expected[PB_MAX_TOKENS])
{
    YYACTIONTYPE state = p->yytos->stateno;
    for (int t = 1; t < YYNTOKEN && t < PB_MAX_TOKENS; t++) {
        YYACTIONTYPE act = yy_find_shift_action((YYCODETYPE)t, state);
        expected[t] = act != YY_ERROR_ACTION && act != YY_NO_ACTION;
    }
}
}
