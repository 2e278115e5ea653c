/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: output files opened before the token is touched.  A command
 * that makes a key and then cannot write its request leaves a key nothing
 * asked for; so every output is created first (a temporary file beside
 * the final one), written after the token's work, and renamed into place
 * only when all went well.  On failure the temporary file goes away and
 * an existing file of that name keeps its old content. */
#ifndef TUMAR_TOOLS_TOOL_OUT_H
#define TUMAR_TOOLS_TOOL_OUT_H

#include <stdbool.h>
#include <stdio.h>

struct tt_out {
	const char *path; /* as given; "-" is stdout */
	char *tmp;        /* the temporary file, or NULL for stdout */
	FILE *f;
};

/* Creates the temporary file for path ("-": stdout).  Returns false,
 * with a sentence naming the path and the reason, when it cannot. */
bool tt_out_open(struct tt_out *o, const char *path);
/* Flushes, syncs and renames the file into place; false (reported) on
 * error, with the temporary file removed. */
bool tt_out_commit(struct tt_out *o);
/* Removes the temporary file (safe on an output never opened or already
 * committed). */
void tt_out_abort(struct tt_out *o);

#endif
