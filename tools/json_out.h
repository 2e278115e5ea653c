/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A small streaming JSON writer for the tools' --json output: objects,
 * arrays, strings (escaped), numbers and booleans, commas placed for
 * you.  Output only; nothing here parses JSON. */
#ifndef TUMAR_TOOLS_JSON_OUT_H
#define TUMAR_TOOLS_JSON_OUT_H

#include <stdbool.h>
#include <stdio.h>

#define TJ_MAX_DEPTH 16

struct tj {
	FILE *f;
	int depth;
	bool first[TJ_MAX_DEPTH];
};

void tj_init(struct tj *j, FILE *f);
/* key is the member name inside an object, NULL inside an array. */
void tj_obj(struct tj *j, const char *key);
void tj_arr(struct tj *j, const char *key);
void tj_end(struct tj *j, char close); /* '}' or ']'; a newline at depth 0 */
void tj_str(struct tj *j, const char *key, const char *value); /* NULL: null */
void tj_strn(struct tj *j, const char *key, const char *value, size_t len);
void tj_int(struct tj *j, const char *key, long long value);
void tj_bool(struct tj *j, const char *key, bool value);
/* A number; NaN and infinities are written as null. */
void tj_num(struct tj *j, const char *key, double value);
/* How many whole documents (depth-0 values) this process wrote to
 * stdout: a caller that would add one more can tell it would make the
 * output no longer one JSON value. */
unsigned tj_stdout_documents(void);

#endif
