/* detect_scan: finds instructions injected into text that reaches a model
 * from outside (see as_detect_scan_injection in detect.h).
 *
 * The text is read once as a stream of lower-case words (letters, digits,
 * apostrophes) with their offsets; phrase patterns are matched on the last
 * few words, so that case, line breaks and punctuation between the words do
 * not matter. A few patterns need the raw text instead (role markers, a
 * download piped into a shell). The patterns, by class:
 *
 *   OVERRIDE  ignore|disregard|forget|override|bypass|skip, then within four
 *             words instructions|prompt(s)|directions|rules|guidelines|
 *             context|messages|directives|commands|orders|constraints|
 *             policies with previous|prior|above|earlier|preceding|former|
 *             original|initial|all|any|your|system|existing|other in
 *             between; or the verb then "the above"/"everything above".
 *   ROLE      you are now / you are no longer / from now on / pretend to be /
 *             pretend you are / act as if / roleplay as / new instructions /
 *             updated instructions / system override / developer mode /
 *             jailbreak / do anything now
 *   MUST      you must now / you must immediately / you are required to /
 *             your new|real|actual task / your new goal / do not|don't tell
 *             the user / without telling|informing the user / ai assistant|
 *             agent|agents must / attention ai / note to ai
 *   MARKER    <|im_start|>, <|im_end|>, <|system|>, <|assistant|>, [INST],
 *             <<SYS>>, <system>, </system>, or a line starting with
 *             "system:", "assistant:", "[system]" or "### system"
 *   PIPE_SH   curl or wget, then on the same line a pipe into sh, bash,
 *             zsh, dash, python(3) or perl (sudo allowed)
 *   ACTION    run: / execute: / run|execute the following / run|execute
 *             this|the command / run these commands / please|now|and|then|
 *             immediately run
 *
 * ACTION alone is not an instruction (a README's "to build, run: make" is
 * not an attack); it names the command an instruction asks for: the rest of
 * its line (or the next line, or a `span`). Without ACTION, the command of a
 * PIPE_SH line, or the first `span` after the instruction, is taken.
 */
#include "detect.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define SCAN_MAX (1u << 20)
#define RING	 8

struct tok {
	char w[24];
	size_t start, end;
};

struct scanner {
	const char *text;
	size_t len;
	struct tok ring[RING];
	size_t n; /* tokens seen */
	struct as_injection_scan *out;
	size_t action_end; /* where the first ACTION phrase ends; 0 when none */
	bool have_action;
};

static const struct tok *back(const struct scanner *s, size_t k)
{
	return k < s->n && k < RING ? &s->ring[(s->n - 1 - k) % RING] : NULL;
}

static void note(struct scanner *s, unsigned cls, const char *name, size_t start)
{
	struct as_injection_scan *o = s->out;
	if (cls != AS_INJ_ACTION && (!(o->patterns & ~AS_INJ_ACTION) || start < o->offset))
		o->offset = start;
	o->patterns |= cls;
	for (size_t i = 0; i < o->n_names; i++)
		if (strcmp(o->names[i], name) == 0)
			return;
	if (o->n_names < sizeof(o->names) / sizeof(o->names[0]))
		o->names[o->n_names++] = name;
}

struct phrase {
	unsigned cls;
	const char *words[5];
	const char *name;
};

static const struct phrase phrases[] = {
	{AS_INJ_ROLE, {"you", "are", "now"}, "you are now"},
	{AS_INJ_ROLE, {"you", "are", "no", "longer"}, "you are no longer"},
	{AS_INJ_ROLE, {"from", "now", "on"}, "from now on"},
	{AS_INJ_ROLE, {"pretend", "to", "be"}, "pretend to be"},
	{AS_INJ_ROLE, {"pretend", "you", "are"}, "pretend you are"},
	{AS_INJ_ROLE, {"act", "as", "if"}, "act as if"},
	{AS_INJ_ROLE, {"roleplay", "as"}, "roleplay as"},
	{AS_INJ_ROLE, {"new", "instructions"}, "new instructions"},
	{AS_INJ_ROLE, {"updated", "instructions"}, "updated instructions"},
	{AS_INJ_ROLE, {"system", "override"}, "system override"},
	{AS_INJ_ROLE, {"developer", "mode"}, "developer mode"},
	{AS_INJ_ROLE, {"jailbreak"}, "jailbreak"},
	{AS_INJ_ROLE, {"do", "anything", "now"}, "do anything now"},
	{AS_INJ_MUST, {"you", "must", "now"}, "you must now"},
	{AS_INJ_MUST, {"you", "must", "immediately"}, "you must immediately"},
	{AS_INJ_MUST, {"you", "are", "required", "to"}, "you are required to"},
	{AS_INJ_MUST, {"your", "new", "task"}, "your new task"},
	{AS_INJ_MUST, {"your", "real", "task"}, "your real task"},
	{AS_INJ_MUST, {"your", "actual", "task"}, "your actual task"},
	{AS_INJ_MUST, {"your", "new", "goal"}, "your new goal"},
	{AS_INJ_MUST, {"do", "not", "tell", "the", "user"}, "do not tell the user"},
	{AS_INJ_MUST, {"don't", "tell", "the", "user"}, "do not tell the user"},
	{AS_INJ_MUST, {"without", "telling", "the", "user"}, "without telling the user"},
	{AS_INJ_MUST, {"without", "informing", "the", "user"}, "without telling the user"},
	{AS_INJ_MUST, {"ai", "assistant", "must"}, "ai assistant must"},
	{AS_INJ_MUST, {"ai", "agent", "must"}, "ai agent must"},
	{AS_INJ_MUST, {"ai", "agents", "must"}, "ai agent must"},
	{AS_INJ_MUST, {"attention", "ai"}, "attention ai"},
	{AS_INJ_MUST, {"note", "to", "ai"}, "note to ai"},
	{AS_INJ_ACTION, {"run", "the", "following"}, "run the following"},
	{AS_INJ_ACTION, {"execute", "the", "following"}, "execute the following"},
	{AS_INJ_ACTION, {"run", "this", "command"}, "run this command"},
	{AS_INJ_ACTION, {"execute", "this", "command"}, "execute this command"},
	{AS_INJ_ACTION, {"run", "the", "command"}, "run the command"},
	{AS_INJ_ACTION, {"execute", "the", "command"}, "execute the command"},
	{AS_INJ_ACTION, {"run", "these", "commands"}, "run these commands"},
	{AS_INJ_ACTION, {"please", "run"}, "please run"},
	{AS_INJ_ACTION, {"now", "run"}, "now run"},
	{AS_INJ_ACTION, {"and", "run"}, "and run"},
	{AS_INJ_ACTION, {"then", "run"}, "then run"},
	{AS_INJ_ACTION, {"immediately", "run"}, "immediately run"},
};

static const char *const verbs[] = {"ignore", "disregard", "forget", "override",
				    "bypass", "skip",	   NULL};
static const char *const nouns[] = {"instructions", "instruction", "prompt",	 "prompts",
				    "directions",   "rules",	   "guidelines", "context",
				    "messages",	    "directives",  "commands",	 "orders",
				    "constraints",  "policies",	   NULL};
static const char *const adjectives[] = {"previous", "prior",	 "above",    "earlier", "preceding",
					 "former",   "original", "initial",  "all",	"any",
					 "your",     "system",	 "existing", "other",	NULL};

static bool in(const char *w, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(w, list[i]) == 0)
			return true;
	return false;
}

static void check_word(struct scanner *s)
{
	const struct tok *t = back(s, 0);
	/* Phrases ending at this word. */
	for (size_t p = 0; p < sizeof(phrases) / sizeof(phrases[0]); p++) {
		const struct phrase *ph = &phrases[p];
		size_t nw = 0;
		while (nw < 5 && ph->words[nw])
			nw++;
		if (strcmp(ph->words[nw - 1], t->w) != 0)
			continue;
		bool ok = true;
		for (size_t k = 1; k < nw && ok; k++) {
			const struct tok *b = back(s, k);
			ok = b && strcmp(b->w, ph->words[nw - 1 - k]) == 0;
		}
		if (!ok)
			continue;
		note(s, ph->cls, ph->name, back(s, nw - 1)->start);
		if (ph->cls == AS_INJ_ACTION && !s->have_action) {
			s->have_action = true;
			s->action_end = t->end;
		}
	}
	/* "run:" and "execute:". */
	if ((strcmp(t->w, "run") == 0 || strcmp(t->w, "execute") == 0) && t->end < s->len &&
	    s->text[t->end] == ':') {
		note(s, AS_INJ_ACTION, strcmp(t->w, "run") == 0 ? "run:" : "execute:", t->start);
		if (!s->have_action) {
			s->have_action = true;
			s->action_end = t->end;
		}
	}
	/* OVERRIDE: verb ... noun, or verb [the|everything] above. */
	bool noun = in(t->w, nouns);
	bool above = strcmp(t->w, "above") == 0;
	if (!noun && !above)
		return;
	bool adjective = false;
	for (size_t k = 1; k <= 5; k++) {
		const struct tok *b = back(s, k);
		if (!b)
			break;
		if (in(b->w, verbs)) {
			if (noun && !adjective)
				break;
			if (above && k > 2)
				break;
			note(s, AS_INJ_OVERRIDE,
			     noun ? "ignore previous instructions" : "ignore the above", b->start);
			break;
		}
		if (in(b->w, adjectives))
			adjective = true;
	}
}

static void push_word(struct scanner *s, size_t start, size_t end)
{
	struct tok *t = &s->ring[s->n % RING];
	size_t n = end - start < sizeof(t->w) - 1 ? end - start : sizeof(t->w) - 1;
	for (size_t i = 0; i < n; i++)
		t->w[i] = (char)tolower((unsigned char)s->text[start + i]);
	t->w[n] = 0;
	t->start = start;
	t->end = end;
	s->n++;
	check_word(s);
}

static bool word_char(unsigned char c)
{
	return isalnum(c) || c == '\'';
}

/* Case-insensitive search in text[from, len). */
static const char *find_ci(const char *text, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = from; i + n <= len; i++)
		if (strncasecmp(text + i, needle, n) == 0)
			return text + i;
	return NULL;
}

static void scan_raw(struct scanner *s)
{
	static const char *const markers[] = {"<|im_start|>",  "<|im_end|>", "<|system|>",
					      "<|assistant|>", "[inst]",     "<<sys>>",
					      "<system>",      "</system>",  NULL};
	for (size_t i = 0; markers[i]; i++) {
		const char *m = find_ci(s->text, s->len, 0, markers[i]);
		if (m)
			note(s, AS_INJ_MARKER, "role marker", (size_t)(m - s->text));
	}
	size_t ls = 0;
	while (ls < s->len) {
		const char *nl = memchr(s->text + ls, '\n', s->len - ls);
		size_t le = nl ? (size_t)(nl - s->text) : s->len;
		size_t a = ls;
		while (a < le && (s->text[a] == ' ' || s->text[a] == '\t' || s->text[a] == '>'))
			a++;
		static const char *const starts[] = {"system:", "assistant:", "[system]",
						     "### system", NULL};
		for (size_t i = 0; starts[i]; i++)
			if (le - a >= strlen(starts[i]) &&
			    strncasecmp(s->text + a, starts[i], strlen(starts[i])) == 0)
				note(s, AS_INJ_MARKER, "role marker", a);
		/* curl/wget ... | [sudo] sh */
		const char *dl = find_ci(s->text, le, ls, "curl ");
		if (!dl)
			dl = find_ci(s->text, le, ls, "wget ");
		if (dl) {
			for (const char *p = memchr(dl, '|', (size_t)(s->text + le - dl)); p;
			     p = memchr(p + 1, '|', (size_t)(s->text + le - p - 1))) {
				const char *q = p + 1;
				while (q < s->text + le && *q == ' ')
					q++;
				if ((size_t)(s->text + le - q) >= 5 &&
				    strncasecmp(q, "sudo ", 5) == 0)
					q += 5;
				while (q < s->text + le && *q == ' ')
					q++;
				size_t wl = 0;
				while (q + wl < s->text + le && isalnum((unsigned char)q[wl]))
					wl++;
				static const char *const sh[] = {"sh",	 "bash",   "zsh",
								 "dash", "python", "python3",
								 "perl", NULL};
				bool hit = false;
				for (size_t k = 0; sh[k] && !hit; k++)
					hit = strlen(sh[k]) == wl && strncasecmp(q, sh[k], wl) == 0;
				if (hit) {
					note(s, AS_INJ_PIPE_SH, "download piped into a shell",
					     (size_t)(dl - s->text));
					if (!s->out->instruction[0]) {
						size_t b = (size_t)(dl - s->text);
						size_t n =
							le - b < sizeof(s->out->instruction) - 1
								? le - b
								: sizeof(s->out->instruction) - 1;
						memcpy(s->out->instruction, dl, n);
						s->out->instruction[n] = 0;
					}
					break;
				}
				if (p + 1 >= s->text + le)
					break;
			}
		}
		ls = le + 1;
	}
}

static void set_instruction(struct as_injection_scan *o, const char *p, size_t n)
{
	while (n && (isspace((unsigned char)*p) || *p == ':' || *p == '"' || *p == '\'')) {
		p++;
		n--;
	}
	if (n && *p == '`') {
		const char *q = memchr(p + 1, '`', n - 1);
		if (q) {
			p++;
			n = (size_t)(q - p);
		}
	}
	while (n && (isspace((unsigned char)p[n - 1]) || strchr("`'\".", p[n - 1])))
		n--;
	if (n >= sizeof(o->instruction))
		n = sizeof(o->instruction) - 1;
	memcpy(o->instruction, p, n);
	o->instruction[n] = 0;
}

bool as_detect_scan_injection(const char *text, struct as_injection_scan *out)
{
	memset(out, 0, sizeof(*out));
	if (!text)
		return false;
	struct scanner s = {.text = text, .len = strnlen(text, SCAN_MAX), .out = out};
	size_t i = 0;
	while (i < s.len) {
		while (i < s.len && !word_char((unsigned char)text[i]))
			i++;
		size_t st = i;
		while (i < s.len && word_char((unsigned char)text[i]))
			i++;
		if (i > st)
			push_word(&s, st, i);
	}
	scan_raw(&s);
	out->found = (out->patterns & ~AS_INJ_ACTION) != 0;
	if (!out->found)
		return false;
	/* The command asked for. */
	if (s.have_action) {
		size_t a = s.action_end;
		while (a < s.len && (text[a] == ' ' || text[a] == '\t' || text[a] == ':'))
			a++;
		const char *nl = memchr(text + a, '\n', s.len - a);
		size_t le = nl ? (size_t)(nl - text) : s.len;
		if (le == a && nl) {
			/* "run the following:\n<command>" */
			a = le + 1;
			while (a < s.len && isspace((unsigned char)text[a]))
				a++;
			if (a + 3 <= s.len && memcmp(text + a, "```", 3) == 0) {
				const char *e = memchr(text + a, '\n', s.len - a);
				a = e ? (size_t)(e - text) + 1 : s.len;
			}
			nl = memchr(text + a, '\n', s.len - a);
			le = nl ? (size_t)(nl - text) : s.len;
		}
		if (le > a && text[a] == '$' && le > a + 1 && text[a + 1] == ' ')
			a += 2;
		set_instruction(out, text + a, le - a);
	}
	if (!out->instruction[0]) {
		const char *bt = memchr(text + out->offset, '`', s.len - out->offset);
		if (bt) {
			const char *e = memchr(bt + 1, '`', (size_t)(text + s.len - bt - 1));
			const char *nl = memchr(bt + 1, '\n', (size_t)(text + s.len - bt - 1));
			if (e && (!nl || e < nl) && e > bt + 1)
				set_instruction(out, bt + 1, (size_t)(e - bt - 1));
		}
	}
	return true;
}
