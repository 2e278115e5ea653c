/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON writer of tools/json_out.h. */
#include <config.h>

#include <math.h>
#include <string.h>

#include "tools/json_out.h"

void tj_init(struct tj *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
}

static void put_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7F)
			fprintf(f, "\\u%04X", c);
		else
			fputc(c, f); /* UTF-8 passes through */
	}
	fputc('"', f);
}

static void member(struct tj *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (key != NULL) {
		put_string(j->f, key, strlen(key));
		fputc(':', j->f);
	}
}

static void open_(struct tj *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->f);
	if (j->depth < TJ_MAX_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
}

void tj_obj(struct tj *j, const char *key) { open_(j, key, '{'); }
void tj_arr(struct tj *j, const char *key) { open_(j, key, '['); }

static unsigned stdout_documents;

void tj_end(struct tj *j, char close)
{
	fputc(close, j->f);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0) {
		fputc('\n', j->f);
		stdout_documents += j->f == stdout;
	}
}

unsigned tj_stdout_documents(void)
{
	return stdout_documents;
}

void tj_strn(struct tj *j, const char *key, const char *value, size_t len)
{
	member(j, key);
	put_string(j->f, value, len);
}

void tj_str(struct tj *j, const char *key, const char *value)
{
	if (value == NULL) {
		member(j, key);
		fputs("null", j->f);
		return;
	}
	tj_strn(j, key, value, strlen(value));
}

void tj_int(struct tj *j, const char *key, long long value)
{
	member(j, key);
	fprintf(j->f, "%lld", value);
}

void tj_bool(struct tj *j, const char *key, bool value)
{
	member(j, key);
	fputs(value ? "true" : "false", j->f);
}

void tj_num(struct tj *j, const char *key, double value)
{
	member(j, key);
	if (isfinite(value))
		fprintf(j->f, "%.6g", value);
	else
		fputs("null", j->f);
}
