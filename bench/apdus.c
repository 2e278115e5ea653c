/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-bench: APDUs per operation, counted from the module's own APDU
 * trace (TUMAR_TRACE, read at C_Initialize), so the count is what went
 * to the card, GET RESPONSEs included.  A module that writes no trace
 * gets -1s. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"

static long lines(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int c;

	if (f == NULL)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static bool sign(struct bm_module *m)
{
	struct bm_samples s = {0};
	bool ok = bm_sign(m, BM_RSA_SINGLE, 1, &s);

	bm_free(&s);
	return ok;
}

bool bm_count_apdus(struct bm_module *m, const char *trace_path, struct bm_apdus *a)
{
	CK_MECHANISM_TYPE mechs[64];
	CK_ULONG n_mechs = 64;
	CK_TOKEN_INFO ti;
	bool ok;
	long at;

	memset(a, 0xFF, sizeof(*a)); /* -1: not counted */
	m->f->C_Finalize(NULL);
	FILE *t = fopen(trace_path, "w");
	if (t == NULL) {
		perror(trace_path);
		return false;
	}
	fclose(t);
	setenv("TUMAR_TRACE", trace_path, 1);
	/* Cold: what an application does from C_Initialize to its first
	 * signature (slots, token info, mechanisms, session, login, keys). */
	ok = bm_open(m, false) && sign(m);
	if (ok && (at = lines(trace_path)) > 0) {
		a->cold_first_sign = at;
		ok = sign(m);
		a->steady_sign = lines(trace_path) - at;
		at = lines(trace_path);
		/* Java's SunPKCS11 asks for every mechanism's information at
		 * start, about 70 calls. */
		if (m->f->C_GetMechanismList(m->slot[0], mechs, &n_mechs) == CKR_OK && n_mechs > 0)
			for (int i = 0; i < 70; i++)
				m->f->C_GetMechanismInfo(m->slot[0], mechs[i % n_mechs],
							 &(CK_MECHANISM_INFO){0});
		a->mech_info = lines(trace_path) - at;
		at = lines(trace_path);
		for (int i = 0; i < 10; i++)
			m->f->C_GetTokenInfo(m->slot[0], &ti);
		a->token_info = lines(trace_path) - at;
		at = lines(trace_path);
		ok = ok && bm_find_key(m, 0, "bench-rsa") == m->rsa[0];
		a->find_cached = lines(trace_path) - at;
	}
	m->f->C_Finalize(NULL);
	unsetenv("TUMAR_TRACE");
	return bm_open(m, false) && ok;
}
