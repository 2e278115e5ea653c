/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Threads at scale through the in-process cards, so that CI's
 * ThreadSanitizer build sees every lock the module takes: 8 threads,
 * each in its own session, sign TM_THREAD_SIGNATURES times (100 by
 * default; make stress: 1,000) over one token and over two, and every
 * signature is verified with OpenSSL against the token's public key.
 */
#include <config.h>

#include <pthread.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "apdu/pubkey.h"
#include "tests/support/p11_readers.h"
#include "tests/support/p11_session.h"

#define THREADS 8

struct job {
	CK_SLOT_ID slot;
	EVP_PKEY *key; /* this thread's own copy */
	int count, id;
	int verified, bad;
	CK_RV rv;
};

static CK_OBJECT_HANDLE find_one(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls)
{
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}};
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	CK_ULONG n = 0;

	if (f->C_FindObjectsInit(s, t, 1) == CKR_OK) {
		f->C_FindObjects(s, &h, 1, &n);
		f->C_FindObjectsFinal(s);
	}
	return n == 1 ? h : CK_INVALID_HANDLE;
}

static void *worker(void *arg)
{
	struct job *j = arg;
	CK_SESSION_HANDLE s;
	CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};

	if ((j->rv = f->C_OpenSession(j->slot, CKF_SERIAL_SESSION, NULL, NULL, &s)) != CKR_OK)
		return NULL;
	CK_OBJECT_HANDLE priv = find_one(s, CKO_PRIVATE_KEY);
	for (int i = 0; i < j->count; i++) {
		char msg[64];
		CK_BYTE sig[256];
		CK_ULONG len = sizeof(sig);
		int n = snprintf(msg, sizeof(msg), "thread %d, signature %d", j->id, i);
		if ((j->rv = f->C_SignInit(s, &m, priv)) != CKR_OK ||
		    (j->rv = f->C_Sign(s, (CK_BYTE_PTR)msg, (CK_ULONG)n, sig, &len)) != CKR_OK)
			break;
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		bool good = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, j->key) == 1 &&
			    EVP_DigestVerify(md, sig, len, (unsigned char *)msg, (size_t)n) == 1;
		EVP_MD_CTX_free(md);
		good ? j->verified++ : j->bad++;
	}
	f->C_CloseSession(s);
	return NULL;
}

static int signatures_each(void)
{
	const char *env = getenv("TM_THREAD_SIGNATURES");
	int n = env ? atoi(env) : 0;
	return n > 0 ? n : 100;
}

/* Logs in on the slot and makes its key pair; its public key. */
static EVP_PKEY *ready_token(CK_SLOT_ID slot)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE pub, priv;
	CK_BYTE mod[512], exp[8];
	CK_ATTRIBUTE a[] = {{CKA_MODULUS, mod, sizeof(mod)}, {CKA_PUBLIC_EXPONENT, exp, sizeof(exp)}};

	assert_int_equal(f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s),
			 CKR_OK);
	assert_int_equal(login(s, "12345678"), CKR_OK);
	keygen(s, &pub, &priv);
	assert_int_equal(f->C_GetAttributeValue(s, pub, a, 2), CKR_OK);
	EVP_PKEY *key = tm_pubkey_rsa(mod, a[0].ulValueLen, exp, a[1].ulValueLen);
	assert_non_null(key);
	/* The session stays open: the login is the application's. */
	return key;
}

static void run(int tokens)
{
	pthread_t th[THREADS];
	struct job jobs[THREADS];
	EVP_PKEY *keys[2] = {NULL, NULL};
	int count = signatures_each(), verified = 0;

	tm_test_reader_insert(0, "kaztoken");
	tm_test_reader_insert(1, tokens == 2 ? "kaztoken" : NULL);
	CK_C_INITIALIZE_ARGS args = {.flags = CKF_OS_LOCKING_OK};
	assert_int_equal(f->C_Initialize(&args), CKR_OK);
	CK_SLOT_ID slots[2];
	CK_ULONG n = 2;
	assert_int_equal(f->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	assert_int_equal(n, (CK_ULONG)tokens);
	for (int t = 0; t < tokens; t++)
		keys[t] = ready_token(slots[t]);
	for (int i = 0; i < THREADS; i++) {
		jobs[i] = (struct job){.slot = slots[i % tokens], .key = EVP_PKEY_dup(keys[i % tokens]),
				       .count = count, .id = i};
		assert_non_null(jobs[i].key);
		assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		EVP_PKEY_free(jobs[i].key);
	}
	for (int i = 0; i < THREADS; i++) {
		if (jobs[i].rv != CKR_OK || jobs[i].bad != 0)
			print_message("thread %d: CKR 0x%lX, %d bad\n", i, jobs[i].rv, jobs[i].bad);
		assert_int_equal(jobs[i].rv, CKR_OK);
		assert_int_equal(jobs[i].bad, 0);
		verified += jobs[i].verified;
	}
	assert_int_equal(verified, THREADS * count);
	print_message("%d threads x %d signatures over %d token(s): %d verified\n", THREADS, count,
		      tokens, verified);
	EVP_PKEY_free(keys[0]);
	EVP_PKEY_free(keys[1]);
}

static void test_threads_one_token(void **state)
{
	(void)state;
	run(1);
}

static void test_threads_two_tokens(void **state)
{
	(void)state;
	run(2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_threads_one_token, teardown),
		cmocka_unit_test_teardown(test_threads_two_tokens, teardown),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
