/* corr_match: what an LLM reply asks for, and how well an event matches it.
 *
 * Three parts. A reader of shell command lines, close enough to POSIX sh to
 * compare what a model wrote with what a process ran: `sh -c 'echo hi > f'`
 * and the command `echo hi > f` read to the same simple commands, and the
 * child `echo hi` is one of them. The extraction of artifacts (commands,
 * paths, URLs) from a reply's tool calls and text. And the scorers of one
 * event against one artifact (the A term of correlate.h's score). All input
 * here is model output and kernel data: everything is bounded, nothing
 * fails on odd input.
 */
#include "corr_internal.h"

#include "llmapi.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define MAX_DEPTH 3 /* sh -c inside $(...) inside sh -c */

uint64_t corr_hash(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* ---- a growing string ------------------------------------------------------- */

struct buf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void buf_putn(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void buf_putc(struct buf *b, char c)
{
	buf_putn(b, &c, 1);
}

/* ---- shell command lines ---------------------------------------------------- */

static bool push_str(char ***v, size_t *n, size_t *cap, const char *s, size_t len)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		char **nv = realloc(*v, nc * sizeof(char *));
		if (!nv)
			return false;
		*v = nv;
		*cap = nc;
	}
	char *copy = strndup(s, len);
	if (!copy)
		return false;
	(*v)[(*n)++] = copy;
	return true;
}

static void simple_free(struct corr_simple *c)
{
	for (size_t i = 0; i < c->nw; i++)
		free(c->w[i]);
	for (size_t i = 0; i < c->nr; i++)
		free(c->r[i]);
	free(c->w);
	free(c->r);
	memset(c, 0, sizeof(*c));
}

void corr_shell_free(struct corr_shell *sh)
{
	for (size_t i = 0; i < sh->n; i++)
		simple_free(&sh->c[i]);
	free(sh->c);
	memset(sh, 0, sizeof(*sh));
}

static bool shell_push(struct corr_shell *sh, struct corr_simple *c)
{
	if (sh->n == sh->cap) {
		size_t nc = sh->cap ? sh->cap * 2 : 4;
		struct corr_simple *v = realloc(sh->c, nc * sizeof(*v));
		if (!v) {
			sh->oom = true;
			simple_free(c);
			return false;
		}
		sh->c = v;
		sh->cap = nc;
	}
	sh->c[sh->n++] = *c;
	memset(c, 0, sizeof(*c));
	return true;
}

static const char *const shells[] = {"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", NULL};

const char *corr_basename(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static bool in_list(const char *w, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(w, list[i]) == 0)
			return true;
	return false;
}

const char *corr_shell_script(const char *const *argv, size_t argc)
{
	if (argc < 3 || !argv[0] || !in_list(corr_basename(argv[0]), shells))
		return NULL;
	bool has_c = false;
	for (size_t i = 1; i < argc && argv[i]; i++) {
		const char *a = argv[i];
		if ((a[0] == '-' || a[0] == '+') && a[1] && strcmp(a, "--") != 0) {
			if (strcmp(a + 1, "o") == 0) {
				i++;
				continue;
			}
			if (a[0] == '-' && a[1] != '-' && strchr(a + 1, 'c'))
				has_c = true;
			continue;
		}
		if (strcmp(a, "--") == 0)
			continue;
		return has_c ? a : NULL;
	}
	return NULL;
}

/* The code of `python -c CODE`, `node -e CODE` and the like, or NULL. */
static const char *interp_code(const char *const *argv, size_t argc)
{
	if (argc < 3 || !argv[0])
		return NULL;
	const char *b = corr_basename(argv[0]);
	const char *flag;
	if (strncmp(b, "python", 6) == 0)
		flag = "-c";
	else if (strcmp(b, "node") == 0 || strcmp(b, "perl") == 0 || strcmp(b, "ruby") == 0)
		flag = "-e";
	else if (strncmp(b, "php", 3) == 0)
		flag = "-r";
	else
		return NULL;
	for (size_t i = 1; i + 1 < argc && argv[i]; i++)
		if (strcmp(argv[i], flag) == 0)
			return argv[i + 1];
	return NULL;
}

enum pending {
	P_NONE,
	P_TARGET,
	P_DUP,
	P_HEREDOC,
	P_HEREDOC_STRIP,
	P_HERESTR
};

struct lex {
	struct corr_shell *sh;
	const char *s;
	size_t len, i;
	int depth;
	bool derived;
	struct buf word;
	bool in_word;
	enum pending pending;
	struct corr_simple cur;
	char heredoc[4][128];
	bool heredoc_strip[4];
	int n_heredoc;
};

static void parse_into(struct corr_shell *sh, const char *s, size_t len, int depth, bool derived);

static bool budget(struct corr_shell *sh)
{
	if (sh->words >= CORR_MAX_WORDS)
		return false;
	sh->words++;
	return true;
}

static void end_word(struct lex *lx)
{
	if (!lx->in_word)
		return;
	const char *w = lx->word.p ? lx->word.p : "";
	size_t n = lx->word.n;
	enum pending p = lx->pending;
	lx->pending = P_NONE;
	lx->in_word = false;
	lx->word.n = 0; /* the bytes stay until the next word is written */
	if (p == P_DUP) {
		bool digits = n > 0;
		for (size_t i = 0; i < n; i++)
			if (!isdigit((unsigned char)w[i]))
				digits = false;
		if (digits || strcmp(w, "-") == 0)
			return;
		p = P_TARGET;
	}
	if (p == P_HEREDOC || p == P_HEREDOC_STRIP) {
		if (lx->n_heredoc < 4) {
			snprintf(lx->heredoc[lx->n_heredoc], sizeof(lx->heredoc[0]), "%.*s",
				 (int)(n < 127 ? n : 127), w);
			lx->heredoc_strip[lx->n_heredoc++] = p == P_HEREDOC_STRIP;
		}
		return;
	}
	if (p == P_HERESTR || !budget(lx->sh))
		return;
	bool ok = p == P_TARGET ? push_str(&lx->cur.r, &lx->cur.nr, &lx->cur.capr, w, n)
				: push_str(&lx->cur.w, &lx->cur.nw, &lx->cur.capw, w, n);
	if (!ok)
		lx->sh->oom = true;
}

static bool is_assignment(const char *w)
{
	if (!(isalpha((unsigned char)w[0]) || w[0] == '_'))
		return false;
	for (const char *p = w; *p; p++) {
		if (*p == '=')
			return true;
		if (!(isalnum((unsigned char)*p) || *p == '_'))
			return false;
	}
	return false;
}

static const char *const skip_words[] = {"!",	 "{",	 "}",	 "then",  "do",
					 "else", "elif", "if",	 "while", "until",
					 "fi",	 "done", "esac", "time",  NULL};
static const char *const drop_words[] = {"for", "case", "select", "function", NULL};

/* How many leading words are a wrapper (env, sudo, timeout, ...) around the
 * real command; 0 when none. */
static size_t wrapper_len(char **w, size_t nw)
{
	size_t i = 0;
	for (int rounds = 0; rounds < 4 && i < nw; rounds++) {
		const char *b = corr_basename(w[i]);
		size_t start = i;
		if (strcmp(b, "env") == 0) {
			i++;
			while (i < nw && (w[i][0] == '-' || is_assignment(w[i]))) {
				if (strcmp(w[i], "-u") == 0 || strcmp(w[i], "-C") == 0)
					i++;
				i++;
			}
		} else if (strcmp(b, "sudo") == 0 || strcmp(b, "doas") == 0) {
			i++;
			while (i < nw && w[i][0] == '-') {
				if (strcmp(w[i], "--") == 0) {
					i++;
					break;
				}
				if (w[i][1] && strchr("ugCDprtUh", w[i][1]) && w[i][2] == 0)
					i++;
				i++;
			}
		} else if (strcmp(b, "nohup") == 0 || strcmp(b, "exec") == 0 ||
			   strcmp(b, "command") == 0 || strcmp(b, "builtin") == 0 ||
			   strcmp(b, "setsid") == 0 || strcmp(b, "stdbuf") == 0 ||
			   strcmp(b, "time") == 0) {
			i++;
			while (i < nw && w[i][0] == '-')
				i++;
		} else if (strcmp(b, "nice") == 0 || strcmp(b, "ionice") == 0) {
			i++;
			while (i < nw && w[i][0] == '-') {
				if (w[i][1] && w[i][2] == 0 && i + 1 < nw && w[i][1] != '-')
					i++;
				i++;
			}
		} else if (strcmp(b, "timeout") == 0) {
			i++;
			while (i < nw && w[i][0] == '-') {
				if ((strcmp(w[i], "-s") == 0 || strcmp(w[i], "-k") == 0) &&
				    i + 1 < nw)
					i++;
				i++;
			}
			if (i < nw)
				i++; /* the duration */
		}
		if (i == start)
			break;
	}
	return i < nw ? i : 0;
}

static void push_derived_copy(struct corr_shell *sh, char **w, size_t nw, int depth);

/* The simple commands hidden inside words: sh -c scripts. */
static void derive(struct corr_shell *sh, char **w, size_t nw, int depth)
{
	const char *script = corr_shell_script((const char *const *)w, nw);
	if (script && depth < MAX_DEPTH)
		parse_into(sh, script, strnlen(script, CORR_MAX_SCRIPT), depth + 1, true);
	size_t k = wrapper_len(w, nw);
	if (k)
		push_derived_copy(sh, w + k, nw - k, depth);
}

static void push_derived_copy(struct corr_shell *sh, char **w, size_t nw, int depth)
{
	struct corr_simple c = {.derived = true};
	for (size_t i = 0; i < nw; i++) {
		if (!budget(sh))
			break;
		if (!push_str(&c.w, &c.nw, &c.capw, w[i], strlen(w[i]))) {
			sh->oom = true;
			break;
		}
	}
	if (c.nw == 0) {
		simple_free(&c);
		return;
	}
	size_t at = sh->n;
	if (!shell_push(sh, &c))
		return;
	if (depth < MAX_DEPTH)
		derive(sh, sh->c[at].w, sh->c[at].nw, depth + 1);
}

static void end_cmd(struct lex *lx)
{
	end_word(lx);
	lx->pending = P_NONE;
	struct corr_simple *c = &lx->cur;
	size_t start = 0;
	while (start < c->nw && (in_list(c->w[start], skip_words) || is_assignment(c->w[start])))
		start++;
	if (start < c->nw && in_list(c->w[start], drop_words))
		start = c->nw;
	for (size_t i = 0; i < start; i++)
		free(c->w[i]);
	if (start) {
		memmove(c->w, c->w + start, (c->nw - start) * sizeof(char *));
		c->nw -= start;
	}
	if (c->nw == 0 && c->nr == 0) {
		simple_free(c);
		return;
	}
	c->derived = lx->derived;
	size_t at = lx->sh->n;
	if (!shell_push(lx->sh, c))
		return;
	if (lx->sh->c[at].nw)
		derive(lx->sh, lx->sh->c[at].w, lx->sh->c[at].nw, lx->depth);
}

/* Index just past the ')' closing a "$(" or "<(" whose '(' is at open. */
static size_t match_paren(const char *s, size_t len, size_t open)
{
	int depth = 0;
	for (size_t i = open; i < len; i++) {
		char c = s[i];
		if (c == '\\') {
			i++;
		} else if (c == '\'') {
			const char *q = memchr(s + i + 1, '\'', len - i - 1);
			i = q ? (size_t)(q - s) : len;
		} else if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
		} else if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return len;
}

/* A command substitution from s[i] ("$(", "<(", ">(" or "`"): its text goes
 * into the word, and its commands into the shell. Returns the index after. */
static size_t substitution(struct lex *lx, size_t i)
{
	const char *s = lx->s;
	size_t len = lx->len, end, in0, in1;
	if (s[i] == '`') {
		end = i + 1;
		while (end < len && s[end] != '`') {
			if (s[end] == '\\')
				end++;
			end++;
		}
		in0 = i + 1;
		in1 = end < len ? end : len;
		end = end < len ? end + 1 : len;
	} else {
		end = match_paren(s, len, i + 1);
		in0 = i + 2;
		in1 = end > in0 && end <= len && s[end - 1] == ')' ? end - 1 : end;
	}
	if (in1 > len)
		in1 = len;
	buf_putn(&lx->word, s + i, end - i);
	lx->in_word = true;
	bool arith = s[i] == '$' && i + 2 < len && s[i + 2] == '(';
	if (!arith && lx->depth < MAX_DEPTH && in1 > in0)
		parse_into(lx->sh, s + in0, in1 - in0, lx->depth + 1, true);
	return end;
}

static void skip_heredocs(struct lex *lx)
{
	for (int h = 0; h < lx->n_heredoc; h++) {
		while (lx->i < lx->len) {
			size_t ls = lx->i;
			const char *nl = memchr(lx->s + ls, '\n', lx->len - ls);
			size_t le = nl ? (size_t)(nl - lx->s) : lx->len;
			lx->i = nl ? le + 1 : lx->len;
			size_t a = ls;
			if (lx->heredoc_strip[h])
				while (a < le && lx->s[a] == '\t')
					a++;
			size_t dl = strlen(lx->heredoc[h]);
			if (le - a == dl && memcmp(lx->s + a, lx->heredoc[h], dl) == 0)
				break;
		}
	}
	lx->n_heredoc = 0;
}

static void parse_into(struct corr_shell *sh, const char *s, size_t len, int depth, bool derived)
{
	if (len > CORR_MAX_SCRIPT)
		len = CORR_MAX_SCRIPT;
	struct lex lx = {.sh = sh, .s = s, .len = len, .depth = depth, .derived = derived};
	while (lx.i < len && !sh->oom) {
		char c = s[lx.i];
		char n1 = '\0', n2 = '\0';
		if (lx.i + 1 < len)
			n1 = s[lx.i + 1];
		if (lx.i + 2 < len)
			n2 = s[lx.i + 2];
		if (c == ' ' || c == '\t' || c == '\r') {
			end_word(&lx);
			lx.i++;
		} else if (c == '\n') {
			end_cmd(&lx);
			lx.i++;
			skip_heredocs(&lx);
		} else if (c == '#' && !lx.in_word) {
			const char *nl = memchr(s + lx.i, '\n', len - lx.i);
			lx.i = nl ? (size_t)(nl - s) : len;
		} else if (c == '\\') {
			if (n1 == '\n') {
				lx.i += 2;
				continue;
			}
			if (lx.i + 1 < len)
				buf_putc(&lx.word, n1);
			lx.in_word = true;
			lx.i += 2;
		} else if (c == '\'') {
			const char *q = memchr(s + lx.i + 1, '\'', len - lx.i - 1);
			size_t end = q ? (size_t)(q - s) : len;
			buf_putn(&lx.word, s + lx.i + 1, end - lx.i - 1);
			lx.in_word = true;
			lx.i = end + 1;
		} else if (c == '$' && n1 == '\'') {
			size_t j = lx.i + 2;
			for (; j < len && s[j] != '\''; j++) {
				if (s[j] == '\\' && j + 1 < len) {
					j++;
					char e = s[j];
					if (e == 'n')
						e = '\n';
					else if (e == 't')
						e = '\t';
					else if (e == 'r')
						e = '\r';
					buf_putc(&lx.word, e);
				} else {
					buf_putc(&lx.word, s[j]);
				}
			}
			lx.in_word = true;
			lx.i = j + 1;
		} else if (c == '"') {
			size_t j = lx.i + 1;
			while (j < len && s[j] != '"') {
				if (s[j] == '\\' && j + 1 < len && strchr("$`\"\\\n", s[j + 1])) {
					if (s[j + 1] != '\n')
						buf_putc(&lx.word, s[j + 1]);
					j += 2;
				} else if ((s[j] == '$' && j + 1 < len && s[j + 1] == '(') ||
					   s[j] == '`') {
					j = substitution(&lx, j);
				} else {
					buf_putc(&lx.word, s[j]);
					j++;
				}
			}
			lx.in_word = true;
			lx.i = j + 1;
		} else if ((c == '$' && n1 == '(') || c == '`' ||
			   ((c == '<' || c == '>') && n1 == '(' && !lx.in_word)) {
			lx.i = substitution(&lx, lx.i);
		} else if (c == '&' && n1 == '>') {
			end_word(&lx);
			lx.pending = P_TARGET;
			lx.i += n2 == '>' ? 3 : 2;
		} else if (c == ';' || c == '&' || c == '|' || c == '(' || c == ')') {
			end_cmd(&lx);
			lx.i++;
			if ((c == '&' || c == '|' || c == ';') &&
			    (n1 == c || (c == '|' && n1 == '&')))
				lx.i++;
		} else if (c == '<' || c == '>') {
			bool fd = lx.in_word && lx.word.n > 0;
			for (size_t k = 0; fd && k < lx.word.n; k++)
				if (!isdigit((unsigned char)lx.word.p[k]))
					fd = false;
			if (fd) {
				lx.in_word = false;
				lx.word.n = 0;
			} else {
				end_word(&lx);
			}
			if (c == '>') {
				if (n1 == '&') {
					lx.pending = P_DUP;
					lx.i += 2;
				} else {
					lx.pending = P_TARGET;
					lx.i += (n1 == '>' || n1 == '|') ? 2 : 1;
				}
			} else if (n1 == '<') {
				lx.pending = n2 == '<'	 ? P_HERESTR
					     : n2 == '-' ? P_HEREDOC_STRIP
							 : P_HEREDOC;
				lx.i += (n2 == '<' || n2 == '-') ? 3 : 2;
			} else if (n1 == '&') {
				lx.pending = P_DUP;
				lx.i += 2;
			} else {
				lx.pending = P_TARGET;
				lx.i += n1 == '>' ? 2 : 1;
			}
		} else {
			buf_putc(&lx.word, c);
			lx.in_word = true;
			lx.i++;
		}
		if (lx.word.oom)
			sh->oom = true;
	}
	end_cmd(&lx);
	simple_free(&lx.cur);
	free(lx.word.p);
}

void corr_shell_parse(struct corr_shell *sh, const char *s, size_t len)
{
	parse_into(sh, s, len, 0, false);
}

char *corr_shell_canon(const struct corr_shell *sh)
{
	struct buf b = {0};
	for (size_t i = 0; i < sh->n; i++) {
		const struct corr_simple *c = &sh->c[i];
		if (c->derived)
			continue;
		for (size_t k = 0; k < c->nw; k++) {
			buf_putn(&b, c->w[k], strlen(c->w[k]));
			buf_putc(&b, '\x1f');
		}
		buf_putc(&b, '\x1e');
		for (size_t k = 0; k < c->nr; k++) {
			buf_putn(&b, c->r[k], strlen(c->r[k]));
			buf_putc(&b, '\x1f');
		}
		buf_putc(&b, '\x1d');
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

static bool simple_equal(const struct corr_simple *a, const struct corr_simple *b)
{
	if (a->nw != b->nw || a->nr != b->nr)
		return false;
	for (size_t i = 0; i < a->nw; i++)
		if (strcmp(a->w[i], b->w[i]) != 0)
			return false;
	for (size_t i = 0; i < a->nr; i++)
		if (strcmp(a->r[i], b->r[i]) != 0)
			return false;
	return true;
}

/* Whether every top-level simple command of inner appears in outer, in order. */
static bool contains_seq(const struct corr_shell *outer, const struct corr_shell *inner)
{
	size_t p = 0, found = 0;
	for (size_t i = 0; i < inner->n; i++) {
		const struct corr_simple *c = &inner->c[i];
		if (c->derived)
			continue;
		while (p < outer->n && !simple_equal(&outer->c[p], c))
			p++;
		if (p == outer->n)
			return false;
		p++;
		found++;
	}
	return found > 0;
}

/* ---- paths and URLs ------------------------------------------------------------ */

void corr_norm_path(const char *in, char *out, size_t cap)
{
	if (cap == 0)
		return;
	size_t o = 0;
	const char *p = in;
	for (;;) {
		if ((p[0] == '.' || p[0] == '~') && p[1] == '/')
			p += 2;
		else
			break;
		while (*p == '/')
			p++;
	}
	for (; *p && o + 1 < cap; p++) {
		if (*p == '/') {
			while (p[1] == '/')
				p++;
			if (p[1] == '.' && (p[2] == '/' || p[2] == 0)) {
				p++;
				if (p[1] == 0)
					break;
				continue;
			}
		}
		out[o++] = *p;
	}
	while (o > 1 && out[o - 1] == '/')
		o--;
	out[o] = 0;
}

bool corr_looks_like_path(const char *s, size_t len)
{
	if (len == 0 || len > CORR_MAX_TEXT || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f || c == '"' || c == '\'' || c == '`' || c == '<' ||
		    c == '>' || c == '|' || c == '*' || c == '?')
			return false;
	}
	if (memmem(s, len, "://", 3))
		return false;
	if ((len == 1 && (s[0] == '/' || s[0] == '.' || s[0] == '~')) ||
	    (len == 2 && memcmp(s, "..", 2) == 0))
		return false;
	if (s[0] == '/' || (len > 2 && memcmp(s, "./", 2) == 0) ||
	    (len > 3 && memcmp(s, "../", 3) == 0) || (len > 2 && memcmp(s, "~/", 2) == 0))
		return true;
	if (memchr(s, '/', len))
		return true;
	/* name.ext: an extension of 1..8 alphanumerics with a letter. */
	const char *dot = NULL;
	for (size_t i = len; i > 0; i--)
		if (s[i - 1] == '.') {
			dot = s + i - 1;
			break;
		}
	if (!dot || dot == s)
		return false;
	size_t ext = len - (size_t)(dot - s) - 1;
	if (ext < 1 || ext > 8)
		return false;
	bool letter = false;
	for (const char *e = dot + 1; e < s + len; e++) {
		if (!isalnum((unsigned char)*e))
			return false;
		if (isalpha((unsigned char)*e))
			letter = true;
	}
	bool alnum = false;
	for (const char *e = s; e < dot; e++) {
		if (isalnum((unsigned char)*e))
			alnum = true;
		else if (!strchr("._-+@%,=", *e))
			return false;
	}
	return letter && alnum;
}

/* Prose is looser than commands: "and/or" is not a path there. */
static bool prose_path(const char *s, size_t len)
{
	if (!corr_looks_like_path(s, len))
		return false;
	if (s[0] == '/' || s[0] == '.' || s[0] == '~')
		return true;
	const char *slash = memchr(s, '/', len);
	if (!slash)
		return true; /* name.ext */
	const char *last = s;
	size_t slashes = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '/') {
			slashes++;
			last = s + i + 1;
		}
	return slashes >= 2 || memchr(last, '.', len - (size_t)(last - s)) != NULL;
}

static bool ends_with_component(const char *lng, const char *shrt)
{
	size_t l = strlen(lng), s = strlen(shrt);
	if (s == 0 || s > l || strcmp(lng + l - s, shrt) != 0)
		return false;
	return s == l || lng[l - s - 1] == '/';
}

static bool under_folder(const char *path, const char *folder)
{
	size_t f = strlen(folder);
	return f > 0 && strncmp(path, folder, f) == 0 && path[f] == '/';
}

/* path and want are normalised. */
static double path_score(const char *path, const char *want, bool allow_folder, const char **what)
{
	if (!*path || !*want)
		return 0;
	if (strcmp(path, want) == 0) {
		*what = "the path asked for";
		return 1.0;
	}
	bool pa = path[0] == '/', wa = want[0] == '/';
	if (pa && !wa && ends_with_component(path, want)) {
		*what = "the relative path asked for";
		return 0.9;
	}
	if (!pa && (ends_with_component(want, path) || (!wa && ends_with_component(path, want)))) {
		*what = "a path ending like the one asked for";
		return 0.8;
	}
	if (allow_folder) {
		size_t slashes = 0;
		for (const char *p = want; *p; p++)
			slashes += *p == '/';
		if (wa && slashes >= 2 && under_folder(path, want)) {
			*what = "a file in the folder asked for";
			return 0.5;
		}
		if (!wa && pa && strlen(want) >= 2) {
			size_t wl = strlen(want);
			for (const char *p = strstr(path, want); p; p = strstr(p + 1, want))
				if (p > path && p[-1] == '/' && p[wl] == '/') {
					*what = "a file in the folder asked for";
					return 0.5;
				}
		}
	}
	const char *bp = corr_basename(path), *bw = corr_basename(want);
	if (strlen(bw) >= 3 && strcmp(bp, bw) == 0) {
		*what = "the file name asked for";
		return 0.4;
	}
	return 0;
}

double as_corr_match_path(const char *event_path, const char *path)
{
	if (!event_path || !path)
		return 0;
	char a[CORR_MAX_TEXT], b[CORR_MAX_TEXT];
	corr_norm_path(event_path, a, sizeof(a));
	corr_norm_path(path, b, sizeof(b));
	const char *what = NULL;
	return path_score(a, b, true, &what);
}

static int default_port(const char *scheme, size_t n)
{
	if ((n == 5 && strncasecmp(scheme, "https", 5) == 0) ||
	    (n == 3 && strncasecmp(scheme, "wss", 3) == 0))
		return 443;
	if ((n == 4 && strncasecmp(scheme, "http", 4) == 0) ||
	    (n == 2 && strncasecmp(scheme, "ws", 2) == 0))
		return 80;
	if (n == 3 && strncasecmp(scheme, "ftp", 3) == 0)
		return 21;
	return 0;
}

/* Fills a URL artifact's host, port and path from its text. */
static void parse_url(struct corr_art *a)
{
	const char *s = a->text;
	const char *sep = strstr(s, "://");
	int dport = 0;
	const char *h = s;
	if (sep) {
		dport = default_port(s, (size_t)(sep - s));
		h = sep + 3;
	}
	const char *end = h + strcspn(h, "/?#");
	const char *at = memchr(h, '@', (size_t)(end - h));
	if (at)
		h = at + 1;
	const char *port = NULL;
	const char *hend = end;
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));
		if (rb) {
			hend = rb;
			h++;
			if (rb + 1 < end && rb[1] == ':')
				port = rb + 2;
		}
	} else {
		const char *colon = memchr(h, ':', (size_t)(end - h));
		if (colon) {
			hend = colon;
			port = colon + 1;
		}
	}
	size_t hl = (size_t)(hend - h);
	if (hl >= sizeof(a->host))
		hl = sizeof(a->host) - 1;
	memcpy(a->host, h, hl);
	a->host[hl] = 0;
	a->port = dport;
	if (port) {
		long v = 0;
		const char *p = port;
		while (p < end && isdigit((unsigned char)*p) && v < 100000)
			v = v * 10 + (*p++ - '0');
		if (p > port && v > 0 && v < 65536)
			a->port = (int)v;
	}
	a->upath = strdup(*end == '/' ? end : "/");
	if (strcasecmp(a->host, "localhost") == 0) {
		a->localhost = true;
	} else if (inet_pton(AF_INET, a->host, a->ip) == 1) {
		a->ipfam = AF_INET;
	} else if (inet_pton(AF_INET6, a->host, a->ip) == 1) {
		a->ipfam = AF_INET6;
	}
}

static bool url_prefix(const char *s, size_t len, size_t *scheme_len)
{
	static const char *const schemes[] = {"http://", "https://", "ws://",
					      "wss://",	 "ftp://",   NULL};
	for (size_t i = 0; schemes[i]; i++) {
		size_t n = strlen(schemes[i]);
		if (len > n && strncasecmp(s, schemes[i], n) == 0) {
			*scheme_len = n;
			return true;
		}
	}
	return false;
}

/* host:port, with a dotted host or localhost. */
static bool host_port(const char *s, size_t len)
{
	const char *colon = memchr(s, ':', len);
	if (!colon || colon == s || colon + 1 == s + len)
		return false;
	size_t hl = (size_t)(colon - s);
	for (const char *p = colon + 1; p < s + len; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	if (s + len - colon - 1 > 5)
		return false;
	bool dot = false;
	for (size_t i = 0; i < hl; i++) {
		if (s[i] == '.')
			dot = true;
		else if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	}
	return dot || (hl == 9 && strncasecmp(s, "localhost", 9) == 0);
}

/* ---- artifacts ------------------------------------------------------------------ */

static void art_free(struct corr_art *a)
{
	free(a->text);
	corr_shell_free(&a->sh);
	free(a->canon);
	free(a->npath);
	free(a->upath);
}

void as_corr_artifacts_free(struct as_corr_artifacts *A)
{
	if (!A)
		return;
	for (size_t i = 0; i < A->n; i++)
		art_free(&A->v[i]);
	free(A->v);
	free(A);
}

size_t as_corr_artifacts_count(const struct as_corr_artifacts *a)
{
	return a ? a->n : 0;
}

const struct as_corr_artifact *as_corr_artifacts_get(const struct as_corr_artifacts *a, size_t i)
{
	return a && i < a->n ? &a->v[i].pub : NULL;
}

static void add_art(struct as_corr_artifacts *A, enum as_corr_art_kind kind, const char *s,
		    size_t len, int tool, bool from_text);

/* Paths and URLs named in a command's words and redirections. */
static void derive_from_command(struct as_corr_artifacts *A, const struct corr_shell *sh, int tool,
				bool from_text)
{
	for (size_t i = 0; i < sh->n; i++) {
		const struct corr_simple *c = &sh->c[i];
		for (size_t k = 0; k < c->nr; k++)
			if (corr_looks_like_path(c->r[k], strlen(c->r[k])))
				add_art(A, AS_CORR_ART_PATH, c->r[k], strlen(c->r[k]), tool,
					from_text);
		for (size_t k = 0; k < c->nw; k++) {
			const char *w = c->w[k];
			size_t sl;
			if (url_prefix(w, strlen(w), &sl) || host_port(w, strlen(w))) {
				add_art(A, AS_CORR_ART_URL, w, strlen(w), tool, from_text);
				continue;
			}
			if (w[0] == '-') {
				const char *eq = strchr(w, '=');
				if (!eq)
					continue;
				w = eq + 1;
			}
			if (k == 0 && !strchr(w, '/'))
				continue; /* a program name */
			if (corr_looks_like_path(w, strlen(w)))
				add_art(A, AS_CORR_ART_PATH, w, strlen(w), tool, from_text);
		}
	}
}

static void add_art(struct as_corr_artifacts *A, enum as_corr_art_kind kind, const char *s,
		    size_t len, int tool, bool from_text)
{
	if (A->oom)
		return;
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0)
		return;
	if (len > CORR_MAX_TEXT)
		len = CORR_MAX_TEXT;
	size_t *count = kind == AS_CORR_ART_COMMAND ? &A->n_cmd
			: kind == AS_CORR_ART_PATH  ? &A->n_path
						    : &A->n_url;
	size_t cap = kind == AS_CORR_ART_COMMAND ? CORR_MAX_COMMANDS
		     : kind == AS_CORR_ART_PATH	 ? CORR_MAX_PATHS
						 : CORR_MAX_URLS;
	if (*count >= cap)
		return;
	for (size_t i = 0; i < A->n; i++) {
		struct corr_art *o = &A->v[i];
		if (o->pub.kind == kind && strlen(o->text) == len && memcmp(o->text, s, len) == 0) {
			/* Keep the stronger origin: a tool call over text. */
			if (o->pub.from_text && !from_text) {
				o->pub.from_text = false;
				o->pub.tool_index = tool;
			}
			return;
		}
	}
	if (A->n == A->cap) {
		size_t nc = A->cap ? A->cap * 2 : 16;
		struct corr_art *v = realloc(A->v, nc * sizeof(*v));
		if (!v) {
			A->oom = true;
			return;
		}
		A->v = v;
		A->cap = nc;
	}
	struct corr_art *a = &A->v[A->n];
	memset(a, 0, sizeof(*a));
	a->text = strndup(s, len);
	if (!a->text) {
		A->oom = true;
		return;
	}
	a->pub.kind = kind;
	a->pub.text = a->text;
	a->pub.tool_index = tool;
	a->pub.from_text = from_text;
	A->bytes += len + 1 + sizeof(*a);
	if (kind == AS_CORR_ART_COMMAND) {
		corr_shell_parse(&a->sh, a->text, len);
		a->canon = corr_shell_canon(&a->sh);
		A->bytes += a->sh.words * 16;
	} else if (kind == AS_CORR_ART_PATH) {
		a->npath = malloc(len + 1);
		if (a->npath)
			corr_norm_path(a->text, a->npath, len + 1);
	} else {
		parse_url(a);
	}
	if ((kind == AS_CORR_ART_PATH && !a->npath) || (kind == AS_CORR_ART_URL && !a->upath) ||
	    a->sh.oom) {
		art_free(a);
		A->oom = true;
		return;
	}
	A->n++;
	(*count)++;
	if (kind == AS_CORR_ART_COMMAND) {
		/* A copy: adding artifacts may move A->v (the words stay put). */
		struct corr_shell sh = A->v[A->n - 1].sh;
		derive_from_command(A, &sh, tool, from_text);
	}
}

/* Words of prose: URLs, host:port and paths. */
static void scan_prose(struct as_corr_artifacts *A, const char *s, size_t len, int tool)
{
	size_t i = 0;
	while (i < len) {
		while (i < len && isspace((unsigned char)s[i]))
			i++;
		size_t st = i;
		while (i < len && !isspace((unsigned char)s[i]))
			i++;
		size_t a = st, b = i;
		while (a < b && strchr("\"'`([{<*", s[a]))
			a++;
		while (b > a && strchr("\"'`)]}>,;:!?*.", s[b - 1]))
			b--;
		if (a >= b)
			continue;
		size_t sl;
		if (url_prefix(s + a, b - a, &sl) || host_port(s + a, b - a))
			add_art(A, AS_CORR_ART_URL, s + a, b - a, tool, true);
		else if (prose_path(s + a, b - a))
			add_art(A, AS_CORR_ART_PATH, s + a, b - a, tool, true);
	}
}

static bool shell_lang(const char *l, size_t n)
{
	static const char *const langs[] = {"sh",      "bash",		"shell",	"zsh",
					    "console", "terminal",	"fish",		"ksh",
					    "cmd",     "shell-session", "shellsession", NULL};
	if (n == 0)
		return true;
	for (size_t i = 0; langs[i]; i++)
		if (strlen(langs[i]) == n && strncasecmp(l, langs[i], n) == 0)
			return true;
	return false;
}

/* Whether a command line opens a here-document ("<<EOF", "<<-'EOF'");
 * its delimiter into delim. */
static bool heredoc_start(const char *s, size_t n, char *delim, size_t cap)
{
	for (size_t i = 0; i + 2 < n; i++) {
		if (s[i] != '<' || s[i + 1] != '<' || s[i + 2] == '<')
			continue;
		size_t j = i + 2;
		if (j < n && s[j] == '-')
			j++;
		while (j < n && s[j] == ' ')
			j++;
		if (j < n && (s[j] == '\'' || s[j] == '"'))
			j++; /* a quoted delimiter: no expansion, same end */
		size_t k = 0;
		while (j < n && k + 1 < cap && (isalnum((unsigned char)s[j]) || s[j] == '_'))
			delim[k++] = s[j++];
		delim[k] = 0;
		return k > 0;
	}
	return false;
}

/* Commands, paths and URLs in text: fenced code blocks, "$ " lines,
 * `backticks`, and path- or URL-like words. */
static void scan_text(struct as_corr_artifacts *A, const char *s, size_t len, int tool)
{
	bool fence = false, fence_shell = false, console = false;
	char heredoc[64] = "";
	size_t code_start = 0;
	struct buf logical = {0};
	size_t i = 0;
	while (i < len && !A->oom) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t ls = i, le = nl ? (size_t)(nl - s) : len;
		i = nl ? le + 1 : len;
		size_t t = ls;
		while (t < le && t - ls < 4 && s[t] == ' ')
			t++;
		if (le - t >= 3 && (memcmp(s + t, "```", 3) == 0 || memcmp(s + t, "~~~", 3) == 0)) {
			if (!fence) {
				size_t l0 = t + 3;
				while (l0 < le && (s[l0] == '`' || s[l0] == '~' || s[l0] == ' '))
					l0++;
				size_t l1 = l0;
				while (l1 < le && !isspace((unsigned char)s[l1]) && s[l1] != '{')
					l1++;
				fence = true;
				fence_shell = shell_lang(s + l0, l1 - l0);
				console =
					(l1 - l0 == 7 && strncasecmp(s + l0, "console", 7) == 0) ||
					(l1 - l0 >= 13 &&
					 strncasecmp(s + l0, "shell-session", 13) == 0);
				code_start = i;
			} else {
				heredoc[0] = 0;
				if (!fence_shell && ls > code_start)
					add_art(A, AS_CORR_ART_COMMAND, s + code_start,
						ls - code_start, tool, true);
				if (!fence_shell)
					scan_prose(A, s + code_start,
						   ls > code_start ? ls - code_start : 0, tool);
				if (logical.n)
					add_art(A, AS_CORR_ART_COMMAND, logical.p, logical.n, tool,
						true);
				logical.n = 0;
				fence = false;
			}
			continue;
		}
		size_t a = ls;
		while (a < le && (s[a] == ' ' || s[a] == '\t'))
			a++;
		bool prompt = le - a >= 2 && (s[a] == '$' || s[a] == '%') && s[a + 1] == ' ';
		if (fence && fence_shell && heredoc[0]) {
			/* Inside a here-document: its lines belong to the command. */
			buf_putc(&logical, '\n');
			buf_putn(&logical, s + ls, le - ls);
			size_t b = ls;
			while (b < le && s[b] == '\t')
				b++;
			if (le - b == strlen(heredoc) && memcmp(s + b, heredoc, le - b) == 0) {
				heredoc[0] = 0;
				add_art(A, AS_CORR_ART_COMMAND, logical.p, logical.n, tool, true);
				logical.n = 0;
			}
			continue;
		}
		if (fence && fence_shell) {
			if (prompt)
				a += 2;
			else if (console || (a < le && s[a] == '#'))
				continue;
			size_t e = le;
			bool cont = e > a && s[e - 1] == '\\';
			if (cont) {
				e--;
				while (e > a && (s[e - 1] == ' ' || s[e - 1] == '\t'))
					e--;
			}
			buf_putn(&logical, s + a, e - a);
			if (cont) {
				buf_putc(&logical, ' ');
				continue;
			}
			if (heredoc_start(s + a, e - a, heredoc, sizeof(heredoc)))
				continue;
			if (logical.n)
				add_art(A, AS_CORR_ART_COMMAND, logical.p, logical.n, tool, true);
			logical.n = 0;
			continue;
		}
		if (fence)
			continue;
		if (prompt) {
			add_art(A, AS_CORR_ART_COMMAND, s + a + 2, le - a - 2, tool, true);
			continue;
		}
		/* Inline `spans`. */
		for (size_t k = ls; k < le; k++) {
			if (s[k] != '`')
				continue;
			const char *q = memchr(s + k + 1, '`', le - k - 1);
			if (!q)
				break;
			size_t b0 = k + 1, b1 = (size_t)(q - s);
			size_t sl;
			if (b1 > b0 && b1 - b0 <= 1024) {
				const char *sp = s + b0;
				size_t n = b1 - b0;
				if (url_prefix(sp, n, &sl) || host_port(sp, n))
					add_art(A, AS_CORR_ART_URL, sp, n, tool, true);
				else if (corr_looks_like_path(sp, n))
					add_art(A, AS_CORR_ART_PATH, sp, n, tool, true);
				else if (memchr(sp, ' ', n))
					add_art(A, AS_CORR_ART_COMMAND, sp, n, tool, true);
			}
			k = b1;
		}
		scan_prose(A, s + ls, le - ls, tool);
	}
	if (fence && logical.n)
		add_art(A, AS_CORR_ART_COMMAND, logical.p, logical.n, tool, true);
	if (logical.oom)
		A->oom = true;
	free(logical.p);
}

/* Splits an identifier into lower-case segments at '_', '-', '.' and
 * camelCase boundaries and tells whether one of them is in list. */
static bool key_has(const char *key, const char *const *list)
{
	if (!key)
		return false;
	char seg[64];
	size_t n = 0;
	for (const char *p = key;; p++) {
		bool boundary =
			!*p || *p == '_' || *p == '-' || *p == '.' || *p == ' ' ||
			(p > key && isupper((unsigned char)*p) && islower((unsigned char)p[-1]));
		if (boundary && n) {
			seg[n] = 0;
			if (in_list(seg, list))
				return true;
			n = 0;
		}
		if (!*p)
			break;
		if (*p != '_' && *p != '-' && *p != '.' && *p != ' ' && n + 1 < sizeof(seg))
			seg[n++] = (char)tolower((unsigned char)*p);
	}
	return false;
}

static const char *const command_keys[] = {"command", "commands", "cmd",  "cmdline",
					   "script",  "shell",	  "bash", "sh",
					   "code",    "exec",	  "run",  NULL};
static const char *const path_keys[] = {"path",	       "paths",	 "file",      "files",	"filename",
					"filepath",    "dir",	 "directory", "folder", "cwd",
					"workdir",     "src",	 "source",    "dst",	"dest",
					"destination", "target", NULL};
static const char *const url_keys[] = {"url",  "uri",	   "href",   "link", "endpoint",
				       "host", "hostname", "domain", NULL};
static const char *const prose_keys[] = {"description", "desc",	   "explanation", "reason",
					 "comment",	"title",   "summary",	  "content",
					 "text",	"message", NULL};
static const char *const shell_tools[] = {"bash",    "shell", "terminal", "exec", "execute",
					  "command", "cmd",   "run",	  "sh",	  NULL};

/* An argv array as one command line, quoting words that need it. */
static void add_argv_command(struct as_corr_artifacts *A, json_t *arr, int tool)
{
	struct buf b = {0};
	size_t idx;
	json_t *v;
	json_array_foreach(arr, idx, v)
	{
		if (idx >= 256)
			break;
		const char *w = json_string_value(v);
		if (!w)
			continue;
		if (b.n)
			buf_putc(&b, ' ');
		bool plain = *w != 0;
		for (const char *p = w; *p; p++)
			if (!(isalnum((unsigned char)*p) || strchr("-_./=:,+@%", *p)))
				plain = false;
		if (plain) {
			buf_putn(&b, w, strlen(w));
		} else {
			buf_putc(&b, '\'');
			for (const char *p = w; *p; p++) {
				if (*p == '\'')
					buf_putn(&b, "'\\''", 4);
				else
					buf_putc(&b, *p);
			}
			buf_putc(&b, '\'');
		}
	}
	if (b.oom)
		A->oom = true;
	else if (b.n)
		add_art(A, AS_CORR_ART_COMMAND, b.p, b.n, tool, false);
	free(b.p);
}

static void walk_args(struct as_corr_artifacts *A, json_t *v, const char *key, int depth, int tool,
		      bool shell_tool)
{
	if (depth > 16 || A->oom)
		return;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v), sl;
		if (n == 0)
			return;
		if ((url_prefix(s, n, &sl) && !memchr(s, ' ', n)) ||
		    (key_has(key, url_keys) && host_port(s, n))) {
			add_art(A, AS_CORR_ART_URL, s, n, tool, false);
		} else if (key_has(key, command_keys) ||
			   (shell_tool && depth == 1 && !key_has(key, path_keys) &&
			    !key_has(key, url_keys) && !key_has(key, prose_keys))) {
			add_art(A, AS_CORR_ART_COMMAND, s, n, tool, false);
		} else if ((key_has(key, path_keys) && n <= CORR_MAX_TEXT && !memchr(s, '\n', n)) ||
			   (n < 256 && corr_looks_like_path(s, n))) {
			add_art(A, AS_CORR_ART_PATH, s, n, tool, false);
		} else {
			/* Only URLs from other strings (file contents are not requests). */
			for (const char *p = s; (p = strstr(p, "://")) != NULL; p += 3) {
				const char *b = p;
				while (b > s && isalpha((unsigned char)b[-1]))
					b--;
				const char *e = p + 3;
				while (*e && !isspace((unsigned char)*e) &&
				       !strchr("\"'<>`)]}", *e))
					e++;
				if (url_prefix(b, (size_t)(e - b), &sl))
					add_art(A, AS_CORR_ART_URL, b, (size_t)(e - b), tool, true);
			}
		}
	} else if (json_is_array(v)) {
		bool all_strings = json_array_size(v) > 0;
		size_t idx;
		json_t *e;
		json_array_foreach(v, idx, e)
		{
			if (!json_is_string(e))
				all_strings = false;
		}
		if (all_strings && key_has(key, command_keys)) {
			add_argv_command(A, v, tool);
			return;
		}
		json_array_foreach(v, idx, e)
		{
			if (idx >= 256)
				break;
			walk_args(A, e, key, depth + 1, tool, shell_tool);
		}
	} else if (json_is_object(v)) {
		const char *k;
		json_t *e;
		size_t count = 0;
		json_object_foreach(v, k, e)
		{
			if (count++ >= 256)
				break;
			walk_args(A, e, k, depth + 1, tool, shell_tool);
		}
	}
}

static void extract_tool(struct as_corr_artifacts *A, const struct as_llm_tool_call *tc, int tool)
{
	if (!tc->arguments)
		return;
	bool shell_tool = key_has(tc->name, shell_tools);
	size_t n = strnlen(tc->arguments, AS_LLM_MAX_FIELD_BYTES);
	json_error_t jerr;
	json_t *j = json_loadb(tc->arguments, n, JSON_DECODE_ANY, &jerr);
	if (!j) {
		/* Free-form input (custom tools) or a cut stream. */
		if (shell_tool)
			add_art(A, AS_CORR_ART_COMMAND, tc->arguments, n, tool, false);
		else
			scan_text(A, tc->arguments, n, tool);
		return;
	}
	if (json_is_string(j) && shell_tool)
		add_art(A, AS_CORR_ART_COMMAND, json_string_value(j), json_string_length(j), tool,
			false);
	else
		walk_args(A, j, NULL, 0, tool, shell_tool);
	json_decref(j);
}

struct as_corr_artifacts *as_corr_extract(const struct as_llm_message *reply)
{
	struct as_corr_artifacts *A = calloc(1, sizeof(*A));
	if (!A)
		return NULL;
	for (size_t i = 0; reply && i < reply->n_tool_calls && i < AS_LLM_MAX_TOOL_CALLS; i++)
		extract_tool(A, &reply->tool_calls[i], (int)i);
	if (reply && reply->text)
		scan_text(A, reply->text, strnlen(reply->text, AS_LLM_MAX_FIELD_BYTES), -1);
	if (A->oom) {
		as_corr_artifacts_free(A);
		return NULL;
	}
	return A;
}

struct as_corr_artifacts *as_corr_extract_text(const char *text)
{
	struct as_llm_message m = {.role = AS_LLM_ROLE_ASSISTANT, .text = (char *)text};
	return as_corr_extract(&m);
}

/* ---- scoring ---------------------------------------------------------------------- */

/* Whitespace-collapsed equality and containment of two code texts. */
static double code_match(const char *code, const char *want)
{
	struct buf x = {0}, y = {0};
	for (int k = 0; k < 2; k++) {
		const char *s = k ? want : code;
		struct buf *b = k ? &y : &x;
		bool space = false;
		for (const char *p = s; *p && b->n < CORR_MAX_SCRIPT; p++) {
			if (isspace((unsigned char)*p)) {
				space = b->n > 0;
				continue;
			}
			if (space)
				buf_putc(b, ' ');
			space = false;
			buf_putc(b, *p);
		}
	}
	double r = 0;
	if (x.p && y.p && !x.oom && !y.oom) {
		if (strcmp(x.p, y.p) == 0)
			r = 1.0;
		else if ((y.n >= 8 && strstr(x.p, y.p)) || (x.n >= 8 && strstr(y.p, x.p)))
			r = 0.8;
	}
	free(x.p);
	free(y.p);
	return r;
}

void corr_exec_prepare(struct corr_exec *x, const char *const *argv, size_t argc,
		       const char *filename)
{
	memset(x, 0, sizeof(*x));
	x->argv = argv;
	x->argc = argv ? argc : 0;
	x->filename = filename;
	x->script = corr_shell_script(x->argv, x->argc);
	if (x->script) {
		corr_shell_parse(&x->ps, x->script, strnlen(x->script, CORR_MAX_SCRIPT));
		x->canon = corr_shell_canon(&x->ps);
	}
	x->code = interp_code(x->argv, x->argc);
	const char *prog = x->argc > 0 && x->argv[0] ? x->argv[0] : filename;
	x->prog = prog ? corr_basename(prog) : NULL;
	for (size_t i = 0; i <= x->argc && x->n_paths < 8; i++) {
		const char *w = i < x->argc ? x->argv[i] : filename;
		size_t len = w ? strnlen(w, CORR_MAX_TEXT + 1) : 0;
		if (!w || !corr_looks_like_path(w, len))
			continue;
		char *n = malloc(len + 1);
		if (!n)
			break;
		corr_norm_path(w, n, len + 1);
		x->paths[x->n_paths++] = n;
	}
}

void corr_exec_free(struct corr_exec *x)
{
	for (size_t i = 0; i < x->n_paths; i++)
		free(x->paths[i]);
	corr_shell_free(&x->ps);
	free(x->canon);
	memset(x, 0, sizeof(*x));
}

static double command_vs_argv(const struct corr_art *a, const struct corr_exec *x,
			      const char **what)
{
	double best = 0;
	const char *const *argv = x->argv;
	size_t argc = x->argc;
	if (x->script) {
		if (x->canon && a->canon && *a->canon && strcmp(x->canon, a->canon) == 0) {
			*what = "a shell runs the command";
			return 1.0;
		}
		if (contains_seq(&x->ps, &a->sh)) {
			best = 0.9;
			*what = "a shell runs a script containing the command";
		}
	}
	const char *code = x->code;
	if (code) {
		double c = code_match(code, a->text);
		if (c > best) {
			best = c;
			*what = c >= 1.0 ? "the interpreter runs the code"
					 : "the interpreter runs code containing it";
		}
	}
	const char *prog = x->prog;
	if (!prog)
		return best;
	size_t top = 0;
	for (size_t i = 0; i < a->sh.n; i++)
		top += !a->sh.c[i].derived;
	for (size_t i = 0; i < a->sh.n; i++) {
		const struct corr_simple *c = &a->sh.c[i];
		if (c->nw == 0 || strcmp(prog, corr_basename(c->w[0])) != 0)
			continue;
		size_t na = argc > 0 ? argc - 1 : 0, nc = c->nw - 1;
		bool exact = na == nc;
		for (size_t k = 0; exact && k < na; k++)
			exact = argv[k + 1] && strcmp(argv[k + 1], c->w[k + 1]) == 0;
		if (exact) {
			double s = (top == 1 && !c->derived && c->nr == 0) ? 1.0 : 0.9;
			if (s > best) {
				best = s;
				*what = s >= 1.0 ? "argv is the command"
						 : "argv is one simple command of the command";
			}
			continue;
		}
		/* Arguments in common (each counted once). */
		size_t common = 0;
		bool used[64] = {0};
		size_t lim = nc < 64 ? nc : 64;
		for (size_t k = 0; k < na && k < 64; k++)
			for (size_t m = 0; m < lim; m++)
				if (!used[m] && argv[k + 1] &&
				    strcmp(argv[k + 1], c->w[m + 1]) == 0) {
					used[m] = true;
					common++;
					break;
				}
		size_t denom = na > nc ? na : nc;
		double s = 0.5 + (denom ? 0.3 * (double)common / (double)denom : 0);
		if (s > best) {
			best = s;
			*what = "the same program with arguments in common";
		}
	}
	return best;
}

double corr_score_exec(const struct corr_art *a, const struct corr_exec *x, const char **what)
{
	const char *dummy;
	if (!what)
		what = &dummy;
	if (a->pub.kind == AS_CORR_ART_COMMAND)
		return command_vs_argv(a, x, what);
	if (a->pub.kind == AS_CORR_ART_PATH) {
		for (size_t i = 0; i < x->n_paths; i++) {
			const char *pw = NULL;
			if (path_score(x->paths[i], a->npath, false, &pw) >= 0.8) {
				*what = "argv names a path asked for";
				return 0.5;
			}
		}
		return 0;
	}
	for (size_t i = 0; i <= x->argc; i++) {
		const char *w = i < x->argc ? x->argv[i] : x->filename;
		if (w && strcmp(w, a->text) == 0) {
			*what = "argv names the URL asked for";
			return 0.5;
		}
	}
	return 0;
}

double as_corr_match_command(const char *command, const char *const *argv, size_t argc, char *why,
			     size_t whylen)
{
	if (why && whylen)
		why[0] = 0;
	if (!command || !argv)
		return 0;
	struct corr_art a = {0};
	a.pub.kind = AS_CORR_ART_COMMAND;
	a.text = (char *)command;
	a.pub.text = command;
	size_t len = strnlen(command, CORR_MAX_SCRIPT);
	corr_shell_parse(&a.sh, command, len);
	a.canon = corr_shell_canon(&a.sh);
	const char *what = NULL;
	struct corr_exec x;
	corr_exec_prepare(&x, argv, argc, NULL);
	double s = command_vs_argv(&a, &x, &what);
	corr_exec_free(&x);
	if (why && whylen && what)
		snprintf(why, whylen, "%s", what);
	corr_shell_free(&a.sh);
	free(a.canon);
	return s;
}

double corr_score_path(const struct corr_art *a, const char *npath, const char **what)
{
	const char *dummy;
	if (!what)
		what = &dummy;
	if (a->pub.kind != AS_CORR_ART_PATH || !npath || !a->npath)
		return 0;
	return path_score(npath, a->npath, !a->pub.from_text, what);
}

static bool loopback(int fam, const unsigned char *ip)
{
	static const unsigned char v6lo[16] = {[15] = 1};
	return (fam == AF_INET && ip[0] == 127) || (fam == AF_INET6 && memcmp(ip, v6lo, 16) == 0);
}

double corr_score_net(const struct corr_art *a, int family, const char *addr, int port,
		      enum as_event_kind kind, const char **what)
{
	const char *dummy;
	if (!what)
		what = &dummy;
	if (a->pub.kind != AS_CORR_ART_URL || !addr)
		return 0;
	unsigned char ip[16] = {0};
	int fam = 0;
	if (family == AF_INET && inet_pton(AF_INET, addr, ip) == 1) {
		fam = AF_INET;
	} else if (family == AF_INET6 && inet_pton(AF_INET6, addr, ip) == 1) {
		static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
		fam = AF_INET6;
		if (memcmp(ip, mapped, 12) == 0) {
			memmove(ip, ip + 12, 4);
			memset(ip + 4, 0, 12);
			fam = AF_INET;
		}
	}
	if (!fam)
		return 0;
	bool same_ip =
		a->localhost ? loopback(fam, ip)
			     : (a->ipfam == fam && memcmp(a->ip, ip, fam == AF_INET ? 4 : 16) == 0);
	bool same_port = a->port && a->port == port;
	if (kind == AS_EV_NET_BIND) {
		if (same_port && (a->localhost || a->ipfam)) {
			*what = "binds the port of a URL asked for";
			return 0.6;
		}
		return 0;
	}
	if (same_ip && same_port) {
		*what = "connects to the address and port asked for";
		return 1.0;
	}
	if (same_ip) {
		*what = "connects to the address asked for";
		return 0.6;
	}
	if (!a->ipfam && !a->localhost && same_port) {
		*what = "connects to the port of a host asked for";
		return 0.3;
	}
	return 0;
}

double corr_score_http(const struct corr_art *a, const char *host, const char *path,
		       const char **what)
{
	const char *dummy;
	if (!what)
		what = &dummy;
	if (a->pub.kind != AS_CORR_ART_URL || !host || !a->host[0])
		return 0;
	size_t hl = strcspn(host, ":");
	if (host[0] == '[') {
		const char *rb = strchr(host, ']');
		host++;
		hl = rb ? (size_t)(rb - host) : strlen(host);
	}
	if (strlen(a->host) != hl || strncasecmp(a->host, host, hl) != 0)
		return 0;
	if (path && a->upath && strcmp(a->upath, "/") != 0 &&
	    strncmp(path, a->upath, strlen(a->upath)) == 0) {
		*what = "requests the URL asked for";
		return 1.0;
	}
	*what = "requests the host asked for";
	return 0.8;
}
