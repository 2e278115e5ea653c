/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "profile.h"

#include <errno.h>
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
	F("memory", UINT, memory, 16u * 1024 * 1024, true),
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

static int fail(char *why, size_t cap, unsigned line, const char *msg)
{
	if (line)
		snprintf(why, cap, "profile line %u: %s", line, msg);
	else
		snprintf(why, cap, "profile: %s", msg);
	return TM_ERR_MALFORMED;
}

static int check_model(const struct tm_model *m, char *why, size_t cap)
{
	const struct tm_pin_policy *p[] = {&m->user, &m->so};
	for (int i = 0; i < 2; i++) {
		if (p[i]->min_len < 1 || p[i]->min_len > p[i]->max_len || p[i]->tries < 1)
			return fail(why, cap, 0, "PIN lengths or tries out of range");
		if ((p[i]->required & p[i]->allowed) != p[i]->required)
			return fail(why, cap, 0, "a required character class is not allowed");
		if (p[i]->factory[0] && !tm_pin_acceptable(p[i], (const uint8_t *)p[i]->factory,
							    strlen(p[i]->factory), NULL))
			return fail(why, cap, 0, "a factory PIN breaks its own rules");
	}
	if (strspn(m->key, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(m->key))
		return fail(why, cap, 0, "key: lower-case letters, digits and '-' only");
	if (m->max_cmd < 255 || m->max_resp < 256)
		return fail(why, cap, 0, "max_command must be 255 or more, max_response 256 or more");
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
	bool seen[N_FIELDS] = {false};
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
			return fail(why, cap, line_no, "line too long");
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
			return fail(why, cap, line_no, "unknown key");
		if (seen[i])
			return fail(why, cap, line_no, "key given twice");
		if (!set_field(&fields[i], value, &m))
			return fail(why, cap, line_no, "bad value");
		seen[i] = true;
	}
	for (size_t i = 0; i < N_FIELDS; i++) {
		if (fields[i].required && !seen[i]) {
			char msg[96];
			snprintf(msg, sizeof(msg), "missing required key \"%s\"", fields[i].key);
			return fail(why, cap, 0, msg);
		}
	}
	if (check_model(&m, why, cap) != TM_OK)
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
		return fail(why, cap, 0, "larger than 64 KiB");
	return tm_profile_parse(text, n, out, why, cap);
}
