/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "profile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/protocol.h"
#include "apdu/rc.h"
#include "emulator/card.h"

enum kind { STR, UINT, BOOL, ATR, CHARS, ALGS, PIN, APPLET };

struct field {
	const char *key;
	enum kind kind;
	size_t offset;   /* into struct tm_model */
	size_t size;     /* bytes of the target */
	unsigned long max;
	bool required;
};

#define F(k, kind, member, max, req) \
	{k, kind, offsetof(struct tm_model, member), sizeof(((struct tm_model *)0)->member), max, req}

static const struct field fields[] = {
	F("key", STR, key, 0, true),
	F("name", STR, name, 0, true),
	F("manufacturer", STR, manufacturer, 0, false),
	F("atr", ATR, atr, 0, true),
	F("user_pin", PIN, user.factory, 0, true),
	F("user_tries", UINT, user.tries, 15, true),
	F("user_min", UINT, user.min_len, TM_MAX_PIN_LEN, true),
	F("user_max", UINT, user.max_len, TM_MAX_PIN_LEN, true),
	F("user_chars", CHARS, user.allowed, 0, false),
	F("user_require", CHARS, user.required, 0, false),
	F("so_pin", PIN, so.factory, 0, true),
	F("so_tries", UINT, so.tries, 15, true),
	F("so_min", UINT, so.min_len, TM_MAX_PIN_LEN, true),
	F("so_max", UINT, so.max_len, TM_MAX_PIN_LEN, true),
	F("so_chars", CHARS, so.allowed, 0, false),
	F("so_require", CHARS, so.required, 0, false),
	F("memory", UINT, memory, TM_PROFILE_MAX_MEMORY, true),
	F("max_command", UINT, max_cmd, 65535, false),
	F("max_response", UINT, max_resp, 65533, false),
	F("algorithms", ALGS, algs, 0, true),
	F("applet", APPLET, applet, 0, false),
	{"extended_length", BOOL, 0, 0, TM_CAP_EXTENDED_LENGTH, true},
	{"change_at_first_logon", BOOL, 0, 0, TM_CAP_CHANGE_AT_FIRST_LOGON, false},
	{"init_token", BOOL, 0, 0, TM_CAP_INIT_TOKEN, false},
	{"so_is_puk", BOOL, 0, 0, TM_CAP_SO_IS_PUK, false},
	{"key_import", BOOL, 0, 0, TM_CAP_KEY_IMPORT, false},
};

#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static bool parse_uint(const char *v, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (errno || *end || end == v || v[0] == '-' || n > max)
		return false;
	*out = n;
	return true;
}

static void store_uint(void *dst, size_t size, unsigned long v)
{
	if (size == 1)
		*(uint8_t *)dst = (uint8_t)v;
	else if (size == 2)
		*(uint16_t *)dst = (uint16_t)v;
	else
		*(uint32_t *)dst = (uint32_t)v;
}

static bool parse_atr(const char *v, struct tm_model *m)
{
	size_t n = 0;
	while (*v) {
		if (*v == ' ' || *v == ':') {
			v++;
			continue;
		}
		unsigned byte;
		int used;
		if (n >= TM_MODEL_MAX_ATR || sscanf(v, "%2x%n", &byte, &used) != 1 || used != 2)
			return false;
		m->atr[n++] = (uint8_t)byte;
		v += 2;
	}
	m->atr_len = n;
	return tm_model_atr_check(m->atr, n);
}

static bool parse_chars(const char *v, uint8_t *out)
{
	static const struct { const char *name; uint8_t bit; } classes[] = {
		{"digits", TM_CHARS_DIGIT}, {"lower", TM_CHARS_LOWER},
		{"upper", TM_CHARS_UPPER}, {"other", TM_CHARS_OTHER}};
	char buf[128], *save = NULL;
	uint8_t bits = 0;

	snprintf(buf, sizeof(buf), "%s", v);
	for (char *w = strtok_r(buf, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
		size_t i;
		for (i = 0; i < 4 && strcmp(w, classes[i].name) != 0; i++)
			;
		if (i == 4)
			return false;
		bits |= classes[i].bit;
	}
	*out = bits;
	return true;
}

/* "rsa:1024-2048, ec-p256, gost-512, gost-256" */
static bool parse_algs(const char *v, struct tm_model *m)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", v);
	m->n_algs = 0;
	for (char *w = strtok_r(buf, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
		struct tm_model_alg *a = &m->algs[m->n_algs];
		unsigned lo, hi;
		int used = 0;
		if (m->n_algs >= TM_MODEL_MAX_ALGS)
			return false;
		if (strcmp(w, "ec-p256") == 0) {
			*a = (struct tm_model_alg){TM_KEY_EC_P256, 256, 256};
		} else if (strcmp(w, "gost-512") == 0) {
			*a = (struct tm_model_alg){TM_KEY_GOST2012_512, 512, 512};
		} else if (strcmp(w, "gost-256") == 0) {
			*a = (struct tm_model_alg){TM_KEY_GOST2012_256, 256, 256};
		} else if (sscanf(w, "rsa:%u-%u%n", &lo, &hi, &used) == 2 && w[used] == '\0' &&
			   lo >= 1024 && lo <= hi && hi <= 4096 && lo % 1024 == 0 && hi % 1024 == 0) {
			*a = (struct tm_model_alg){TM_KEY_RSA, (uint16_t)lo, (uint16_t)hi};
		} else {
			return false;
		}
		m->n_algs++;
	}
	return m->n_algs > 0;
}

static bool set_field(const struct field *f, const char *v, struct tm_model *m)
{
	unsigned char *dst = (unsigned char *)m + f->offset;
	unsigned long n;

	switch (f->kind) {
	case STR:
	case PIN:
		if (strlen(v) >= f->size || (f->kind == PIN && strlen(v) > TM_MAX_PIN_LEN))
			return false;
		memcpy(dst, v, strlen(v) + 1);
		return f->kind == PIN || v[0] != '\0';
	case UINT:
		if (!parse_uint(v, f->max, &n))
			return false;
		store_uint(dst, f->size, n);
		return true;
	case BOOL:
		if (strcmp(v, "yes") == 0)
			m->caps |= (uint16_t)f->max;
		else if (strcmp(v, "no") == 0)
			m->caps &= (uint16_t)~f->max;
		else
			return false;
		return true;
	case ATR:
		return parse_atr(v, m);
	case CHARS:
		return parse_chars(v, dst);
	case ALGS:
		return parse_algs(v, m);
	case APPLET:
		/* The wire protocol: the Tumar applet's or JaCarta's LASER. */
		if (strcmp(v, "tumar") == 0)
			m->applet = TM_APPLET_TUMAR;
		else if (strcmp(v, "laser") == 0)
			m->applet = TM_APPLET_LASER;
		else
			return false;
		return true;
	}
	return false;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* "profile line N: ..." (or "profile: ..." when no line is to blame). */
static int fail(char *why, size_t cap, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *why, size_t cap, unsigned line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(why, cap, "profile line %u: %s", line, msg);
	else
		snprintf(why, cap, "profile: %s", msg);
	return TM_ERR_MALFORMED;
}

/* What a field takes, for the error that says a value is not it. */
static void rule(const struct field *f, char *out, size_t cap)
{
	switch (f->kind) {
	case STR: snprintf(out, cap, "a non-empty text of at most %zu bytes", f->size - 1); break;
	case PIN: snprintf(out, cap, "a PIN of at most %d characters", TM_MAX_PIN_LEN); break;
	case UINT: snprintf(out, cap, "a whole number from 0 to %lu", f->max); break;
	case BOOL: snprintf(out, cap, "yes or no"); break;
	case ATR:
		snprintf(out, cap,
			 "the ATR in hex, at most %d bytes, TS 3B or 3F, its TCK right where one is due",
			 TM_MODEL_MAX_ATR);
		break;
	case CHARS: snprintf(out, cap, "a list of digits, lower, upper, other"); break;
	case ALGS:
		snprintf(out, cap, "a list of up to %d of rsa:LO-HI (multiples of 1024 from 1024 to "
				   "4096), ec-p256, gost-512, gost-256", TM_MODEL_MAX_ALGS);
		break;
	case APPLET: snprintf(out, cap, "tumar or laser"); break;
	}
}

/* The line a key was given on (0: not given, a default). */
static unsigned line_of(const unsigned *lines, const char *key)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (strcmp(fields[i].key, key) == 0)
			return lines[i];
	return 0;
}

static int check_pins(const struct tm_pin_policy *p, const char *who, const unsigned *lines,
		      char *why, size_t cap)
{
	char k[2][24];
	const char *reason;

	snprintf(k[0], sizeof(k[0]), "%s_min", who);
	snprintf(k[1], sizeof(k[1]), "%s_tries", who);
	if (p->min_len < 1)
		return fail(why, cap, line_of(lines, k[0]), "%s = 0: a PIN has at least 1 character",
			    k[0]);
	if (p->min_len > p->max_len)
		return fail(why, cap, line_of(lines, k[0]), "%s = %u is more than %s_max = %u",
			    k[0], p->min_len, who, p->max_len);
	if (p->tries < 1)
		return fail(why, cap, line_of(lines, k[1]), "%s = 0: wants 1 to 15 tries", k[1]);
	snprintf(k[0], sizeof(k[0]), "%s_require", who);
	if ((p->required & p->allowed) != p->required)
		return fail(why, cap, line_of(lines, k[0]),
			    "%s asks for a character class that %s_chars does not allow", k[0], who);
	snprintf(k[0], sizeof(k[0]), "%s_pin", who);
	if (p->factory[0] &&
	    !tm_pin_acceptable(p, (const uint8_t *)p->factory, strlen(p->factory), &reason))
		return fail(why, cap, line_of(lines, k[0]),
			    "the factory PIN %s breaks its own rules: %s (%s_min %u, %s_max %u)", k[0],
			    reason, who, p->min_len, who, p->max_len);
	return TM_OK;
}

static int check_model(const struct tm_model *m, const unsigned *lines, char *why, size_t cap)
{
	if (check_pins(&m->user, "user", lines, why, cap) != TM_OK ||
	    check_pins(&m->so, "so", lines, why, cap) != TM_OK)
		return TM_ERR_MALFORMED;
	if (strspn(m->key, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(m->key))
		return fail(why, cap, line_of(lines, "key"),
			    "key = \"%s\": lower-case letters, digits and '-' only", m->key);
	if (m->max_cmd < 255)
		return fail(why, cap, line_of(lines, "max_command"),
			    "max_command = %u: wants 255 to 65535", m->max_cmd);
	if (m->max_resp < 256)
		return fail(why, cap, line_of(lines, "max_response"),
			    "max_response = %u: wants 256 to 65533", m->max_resp);
	return TM_OK;
}

int tm_profile_parse(const char *text, size_t len, struct tm_model *out, char *why,
		     size_t cap)
{
	struct tm_model m = {
		.manufacturer = "unknown",
		.user = {.allowed = TM_CHARS_DIGIT | TM_CHARS_LOWER | TM_CHARS_UPPER | TM_CHARS_OTHER},
		.so = {.allowed = TM_CHARS_DIGIT | TM_CHARS_LOWER | TM_CHARS_UPPER | TM_CHARS_OTHER},
		.caps = TM_CAP_CHAINING,
		.max_cmd = 4096,
		.max_resp = 4096,
		.latency = {3000, 300000, 20000000},
		.sources = "profile file",
	};
	unsigned lines[N_FIELDS] = {0}; /* where each key was given */
	unsigned line_no = 0;
	const char *p = text, *end = text + len;

	if (len > TM_PROFILE_MAX_SIZE || memchr(text, '\0', len) != NULL)
		return fail(why, cap, 0, "not a text file of a profile's size");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[512];
		line_no++;
		if (n >= sizeof(line))
			return fail(why, cap, line_no, "line longer than %zu bytes", sizeof(line) - 1);
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (nl ? 1 : 0);

		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = trim(line);
		if (*s == '\0')
			continue;
		char *eq = strchr(s, '=');
		if (eq == NULL)
			return fail(why, cap, line_no, "expected key = value");
		*eq = '\0';
		char *key = trim(s), *value = trim(eq + 1);
		size_t i;
		for (i = 0; i < N_FIELDS && strcmp(fields[i].key, key) != 0; i++)
			;
		if (i == N_FIELDS)
			return fail(why, cap, line_no, "unknown key \"%.40s\" (docs/emulator.md lists them)",
				    key);
		if (lines[i])
			return fail(why, cap, line_no, "key \"%s\" given twice (first on line %u)",
				    key, lines[i]);
		if (!set_field(&fields[i], value, &m)) {
			char r[160];
			rule(&fields[i], r, sizeof(r));
			/* A PIN is not echoed, not even a factory one. */
			return fail(why, cap, line_no, "%s = \"%.40s\": wants %s", key,
				    fields[i].kind == PIN ? "..." : value, r);
		}
		lines[i] = line_no;
	}
	for (size_t i = 0; i < N_FIELDS; i++)
		if (fields[i].required && !lines[i])
			return fail(why, cap, 0, "missing required key \"%s\"", fields[i].key);
	if (check_model(&m, lines, why, cap) != TM_OK)
		return TM_ERR_MALFORMED;
	*out = m;
	return TM_OK;
}

int tm_profile_load(const char *path, struct tm_model *out, char *why, size_t cap)
{
	static char text[TM_PROFILE_MAX_SIZE + 1];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL) {
		snprintf(why, cap, "cannot open %s: %s", path, strerror(errno));
		return TM_ERR_NOT_FOUND;
	}
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (n > TM_PROFILE_MAX_SIZE)
		return fail(why, cap, 0, "%s is larger than 64 KiB", path);
	return tm_profile_parse(text, n, out, why, cap);
}
