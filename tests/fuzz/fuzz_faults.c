/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control socket's fault commands, mixed with APDUs: never crashes,
 * never arms more than it can hold, and a hit is never both a tear and a
 * status word.  The input is lines: one starting '>' is an APDU in hex
 * (odd digits dropped), any other is a control command. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "emulator/faults.h"
#include "fuzz.h"

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t o = 0;
	int hi = -1;

	for (; *s && o < cap; s++) {
		int v = nibble(*s);
		if (v < 0)
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			out[o++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tm_faults f;
	char line[600], reply[4096], list[TM_FAULTS_MAX * 200];
	const char *p = (const char *)data, *end = p + size;

	memset(&f, 0, sizeof(f));
	tm_faults_clear(&f);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : end;
		if (line[0] == '>') {
			uint8_t apdu[300];
			size_t len = unhex(line + 1, apdu, sizeof(apdu));
			struct tm_fault_hit h = tm_faults_apply(&f, apdu, len);
			if (h.tear && h.sw)
				abort();
		} else if (tm_faults_command(&f, line, reply, sizeof(reply))) {
			if (strncmp(reply, "ok", 2) != 0 && strncmp(reply, "error: ", 7) != 0)
				abort();
		}
		if (f.n > TM_FAULTS_MAX)
			abort();
		tm_faults_list(&f, list, sizeof(list));
		tm_faults_json(&f, list, sizeof(list));
	}
	return 0;
}
