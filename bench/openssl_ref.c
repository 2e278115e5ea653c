/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-bench: OpenSSL (and gost-engine) on this machine doing what the
 * card does for one signature (the emulated card signs with them too), as
 * a reference. */
#include <config.h>

#include <stdio.h>

#include <openssl/evp.h>

#include "apdu/gost.h"
#include "apdu/rc.h"
#include "bench/bench.h"

static bool time_sign(EVP_PKEY *k, const EVP_MD *md, int n, struct bm_samples *s)
{
	unsigned char doc[256] = "an EDS document: the same bytes every time", sig[512];
	bool ok = k != NULL;

	for (int i = 0; i < n && ok; i++) {
		EVP_MD_CTX *c = EVP_MD_CTX_new();
		size_t len = sizeof(sig);
		double t0 = bm_now();
		ok = c != NULL && EVP_DigestSignInit(c, NULL, md, NULL, k) == 1 &&
		     EVP_DigestSign(c, sig, &len, doc, md ? sizeof(doc) : 32) == 1;
		bm_add(s, bm_now() - t0);
		EVP_MD_CTX_free(c);
	}
	return ok;
}

bool bm_openssl(int n, struct bm_samples *rsa, struct bm_samples *ecdsa)
{
	EVP_PKEY *r = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	EVP_PKEY *e = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	/* RSA hashes the document; ECDSA, as CKM_ECDSA, signs a hash given. */
	bool ok = time_sign(r, EVP_sha256(), n, rsa) && time_sign(e, NULL, n, ecdsa);

	if (!ok)
		fprintf(stderr, "tumar-bench: OpenSSL's reference signatures failed\n");
	EVP_PKEY_free(r);
	EVP_PKEY_free(e);
	return ok;
}

bool bm_gost_engine(int n, struct bm_samples *s)
{
	EVP_PKEY *k = NULL;
	uint8_t digest[64] = {1}, sig[128];
	bool ok = tm_gost_keygen(512, &k) == TM_OK;

	/* As the card does it: a Streebog-512 digest in, gost-engine signs. */
	for (int i = 0; i < n && ok; i++) {
		size_t len = sizeof(sig);
		double t0 = bm_now();
		ok = tm_gost_sign(k, digest, sizeof(digest), TM_GOST_RFC4491, sig, &len) == TM_OK;
		bm_add(s, bm_now() - t0);
	}
	if (!ok)
		fprintf(stderr, "tumar-bench: gost-engine's reference signatures failed (no engine?)\n");
	EVP_PKEY_free(k);
	return ok;
}
