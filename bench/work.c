/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-bench: the timed work — login from cold, signatures in the
 * forms applications use, threads over one and two tokens. */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "driver/p11_gost.h"

bool bm_cold_login(struct bm_module *m, int n, struct bm_samples *s)
{
	CK_C_INITIALIZE_ARGS args = {.flags = CKF_OS_LOCKING_OK};

	for (int i = 0; i < n; i++) {
		CK_SLOT_ID slots[32];
		CK_ULONG count = 32;
		CK_SESSION_HANDLE h;
		m->f->C_Finalize(NULL);
		double t0 = bm_now();
		CK_RV rv = m->f->C_Initialize(&args);
		if (rv == CKR_OK)
			rv = m->f->C_GetSlotList(CK_TRUE, slots, &count);
		if (rv == CKR_OK)
			rv = m->f->C_OpenSession(m->slot[0], CKF_SERIAL_SESSION, NULL, NULL, &h);
		if (rv == CKR_OK)
			rv = m->f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)m->pin, strlen(m->pin));
		if (rv != CKR_OK)
			return bm_fail(m, "C_Initialize to C_Login", rv);
		bm_add(s, bm_now() - t0);
	}
	/* Sessions and handles as they were. */
	m->f->C_Finalize(NULL);
	return bm_open(m, false);
}

/* One signature on session h with key k in the given form. */
static CK_RV sign_once(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE k,
		       enum bm_sign_form form)
{
	static CK_BYTE doc[256] = "an EDS document: the same bytes every time";
	CK_BYTE sig[512];
	CK_ULONG len = sizeof(sig);
	CK_MECHANISM mech = {form == BM_ECDSA	 ? CKM_ECDSA
			     : form == BM_GOST512 ? CKM_GOSTR3410_512
						  : CKM_SHA256_RSA_PKCS,
			     NULL, 0};
	CK_RV rv = f->C_SignInit(h, &mech, k);

	if (rv != CKR_OK)
		return rv;
	switch (form) {
	case BM_RSA_SINGLE:
		return f->C_Sign(h, doc, sizeof(doc), sig, &len);
	case BM_RSA_MULTIPART: /* as Java's Signature.update()/sign() does it */
		rv = f->C_SignUpdate(h, doc, 128);
		if (rv == CKR_OK)
			rv = f->C_SignUpdate(h, doc + 128, sizeof(doc) - 128);
		return rv == CKR_OK ? f->C_SignFinal(h, sig, &len) : rv;
	case BM_ECDSA: /* CKM_ECDSA signs a hash: SHA-256's size */
		return f->C_Sign(h, doc, 32, sig, &len);
	case BM_GOST512: /* a Streebog-512 digest's size, as KalkanCrypt's split */
		return f->C_Sign(h, doc, 64, sig, &len);
	}
	return CKR_GENERAL_ERROR;
}

bool bm_sign(struct bm_module *m, enum bm_sign_form form, int n, struct bm_samples *s)
{
	CK_OBJECT_HANDLE k = form == BM_ECDSA ? m->ec[0] : form == BM_GOST512 ? m->gost[0] : m->rsa[0];

	for (int i = 0; i < n; i++) {
		double t0 = bm_now();
		CK_RV rv = sign_once(m->f, m->s[0], k, form);
		if (rv != CKR_OK)
			return bm_fail(m, "signing", rv);
		bm_add(s, bm_now() - t0);
	}
	return true;
}

struct worker {
	struct bm_module *m;
	int token, count;
	pthread_barrier_t *go;
	CK_RV rv;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	CK_SESSION_HANDLE h;

	w->rv = w->m->f->C_OpenSession(w->m->slot[w->token], CKF_SERIAL_SESSION, NULL, NULL, &h);
	pthread_barrier_wait(w->go);
	for (int i = 0; i < w->count && w->rv == CKR_OK; i++)
		w->rv = sign_once(w->m->f, h, w->m->rsa[w->token], BM_RSA_SINGLE);
	w->m->f->C_CloseSession(h);
	return NULL;
}

bool bm_threads(struct bm_module *m, int threads, int tokens, int count, double *rate)
{
	pthread_t th[16];
	struct worker w[16];
	pthread_barrier_t go;
	double t0;
	bool ok = true;

	if (threads > 16 || tokens > m->n_tokens)
		return false;
	pthread_barrier_init(&go, NULL, (unsigned)threads + 1);
	for (int i = 0; i < threads; i++) {
		w[i] = (struct worker){m, i % tokens, count, &go, CKR_OK};
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	pthread_barrier_wait(&go);
	t0 = bm_now();
	for (int i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		if (w[i].rv != CKR_OK)
			ok = bm_fail(m, "signing in a thread", w[i].rv);
	}
	*rate = (double)threads * count / (bm_now() - t0);
	pthread_barrier_destroy(&go);
	return ok;
}
