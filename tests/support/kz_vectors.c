/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "kz_vectors.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

size_t kz_vector(const char *name, uint8_t *out, size_t cap)
{
	char path[512], line[4096];
	size_t n = 0, klen = strlen(name);

	snprintf(path, sizeof(path), "%s/tests/data/kz-gost/kz-gost512.vectors", TM_TEST_SRCDIR);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, klen) != 0 || line[klen] != '=')
			continue;
		char *v = line + klen + 1;
		v[strcspn(v, "\r\n")] = '\0';
		if (strcmp(name, "msg") == 0) {
			n = strlen(v);
			assert_true(n <= cap);
			memcpy(out, v, n);
		} else {
			for (; v[0] && v[1]; v += 2) {
				unsigned b = 0;
				assert_true(n < cap);
				assert_int_equal(sscanf(v, "%2x", &b), 1);
				out[n++] = (uint8_t)b;
			}
		}
		break;
	}
	fclose(f);
	assert_true(n > 0);
	return n;
}
