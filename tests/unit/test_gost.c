/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * apdu/gost.c against KalkanCrypt's output (tests/data/kz-gost, from
 * ncalayer-rs): the Streebog-512 digest, the SubjectPublicKeyInfo with the
 * NCA's OIDs, and the NCA-layout signatures of the message and of the
 * certificate's TBS verify with gost-engine.  Then keys made here sign
 * in both layouts and the layouts are each other's reversal.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "apdu/gost.h"
#include "apdu/rc.h"
#include "tests/support/kz_vectors.h"

static void test_streebog_matches_kalkan(void **state)
{
	(void)state;
	uint8_t msg[256], want[64], got[64];
	size_t n = kz_vector("msg", msg, sizeof(msg));

	assert_true(tm_gost_available());
	assert_int_equal(kz_vector("digest", want, sizeof(want)), 64);
	assert_int_equal(tm_gost_digest(512, msg, n, got), TM_OK);
	assert_memory_equal(got, want, 64);
	/* In parts: the same. */
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned len = 0;
	assert_int_equal(tm_gost_digest_init(ctx, 512), TM_OK);
	EVP_DigestUpdate(ctx, msg, 5);
	EVP_DigestUpdate(ctx, msg + 5, n - 5);
	EVP_DigestFinal_ex(ctx, got, &len);
	EVP_MD_CTX_free(ctx);
	assert_int_equal(len, 64);
	assert_memory_equal(got, want, 64);
	assert_int_equal(tm_gost_digest(384, msg, n, got), TM_ERR_ARGS);
}

static EVP_PKEY *kalkan_key(void)
{
	uint8_t spki[512], x[64], y[64], qx[64], qy[64];
	size_t n = kz_vector("spki", spki, sizeof(spki));
	EVP_PKEY *k = NULL;
	unsigned bits = 0;

	assert_int_equal(tm_gost_pubkey_from_spki(spki, n, &k, &bits), TM_OK);
	assert_int_equal(bits, 512);
	assert_int_equal(tm_gost_point(k, x, y, &bits), TM_OK);
	kz_vector("qx", qx, sizeof(qx));
	kz_vector("qy", qy, sizeof(qy));
	assert_memory_equal(x, qx, 64);
	assert_memory_equal(y, qy, 64);
	return k;
}

static void test_kazakh_spki(void **state)
{
	(void)state;
	uint8_t spki[512];
	size_t n = kz_vector("spki", spki, sizeof(spki));
	EVP_PKEY *k = kalkan_key();
	EVP_PKEY_free(k);
	/* Bad input: cut short, a byte of an OID changed, trailing bytes. */
	assert_int_equal(tm_gost_pubkey_from_spki(spki, n - 1, &k, NULL), TM_ERR_MALFORMED);
	assert_null(k);
	spki[10] ^= 1;
	assert_int_equal(tm_gost_pubkey_from_spki(spki, n, &k, NULL), TM_ERR_MALFORMED);
	spki[10] ^= 1;
	spki[n] = 0;
	assert_int_equal(tm_gost_pubkey_from_spki(spki, n + 1, &k, NULL), TM_ERR_MALFORMED);
	/* A point off the curve. */
	spki[n - 1] ^= 1;
	assert_int_equal(tm_gost_pubkey_from_spki(spki, n, &k, NULL), TM_ERR_MALFORMED);
}

/* The SubjectPublicKeyInfo the project writes for the Kalkan key's point
 * with the NCA's OIDs is Kalkan's, byte for byte; with TC26's it is
 * gost-engine's own encoding of the key. */
static void test_spki_written_as_kalkan_writes_it(void **state)
{
	(void)state;
	uint8_t spki[512], qx[64], qy[64];
	size_t n = kz_vector("spki", spki, sizeof(spki));
	EVP_PKEY *k;
	unsigned char *der = NULL, *engine_der = NULL;

	assert_int_equal(kz_vector("qx", qx, sizeof(qx)), 64);
	assert_int_equal(kz_vector("qy", qy, sizeof(qy)), 64);
	assert_int_equal(tm_gost_pubkey(512, qx, qy, &k), TM_OK);
	X509_PUBKEY *xp = X509_PUBKEY_new();
	assert_int_equal(tm_gost_x509_pubkey(k, true, xp), TM_OK);
	int len = i2d_X509_PUBKEY(xp, &der);
	assert_int_equal(len, (int)n);
	assert_memory_equal(der, spki, n);
	OPENSSL_free(der);
	der = NULL;
	assert_int_equal(tm_gost_x509_pubkey(k, false, xp), TM_OK);
	len = i2d_X509_PUBKEY(xp, &der);
	int engine_len = i2d_PUBKEY(k, &engine_der);
	assert_int_equal(len, engine_len);
	assert_memory_equal(der, engine_der, (size_t)len);
	OPENSSL_free(der);
	OPENSSL_free(engine_der);
	X509_PUBKEY_free(xp);
	assert_string_equal(tm_gost_oid(512, true, TM_GOST_OID_SIG), "1.2.398.3.10.1.1.2.3.2");
	assert_null(tm_gost_oid(384, true, TM_GOST_OID_KEY));
	EVP_PKEY_free(k);
}

static void test_kalkan_signature_verifies_in_nca_layout(void **state)
{
	(void)state;
	uint8_t digest[64], sig[128];
	EVP_PKEY *k = kalkan_key();

	kz_vector("digest", digest, sizeof(digest));
	assert_int_equal(kz_vector("sig", sig, sizeof(sig)), 128);
	assert_int_equal(tm_gost_verify(k, digest, 64, TM_GOST_NCA, sig, 128), TM_OK);
	/* As given it is not RFC 4491's layout. */
	assert_int_equal(tm_gost_verify(k, digest, 64, TM_GOST_RFC4491, sig, 128), TM_ERR_WRONG_DATA);
	digest[0] ^= 1;
	assert_int_equal(tm_gost_verify(k, digest, 64, TM_GOST_NCA, sig, 128), TM_ERR_WRONG_DATA);
	EVP_PKEY_free(k);
}

/* The certificate file: its key is the vectors' key, and its signature
 * over its TBS (Streebog-512, the NCA's layout) verifies. */
static void test_kalkan_certificate(void **state)
{
	(void)state;
	char path[512];
	uint8_t tbs_want[1024], sig[128], digest[64];
	snprintf(path, sizeof(path), "%s/tests/data/kz-gost/test_gost512.cer.pem", TM_TEST_SRCDIR);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	X509 *cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(cert);

	unsigned char *der = NULL;
	int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
	EVP_PKEY *k = NULL;
	assert_int_equal(tm_gost_pubkey_from_spki(der, (size_t)n, &k, NULL), TM_OK);
	OPENSSL_free(der);

	der = NULL;
	n = i2d_re_X509_tbs(cert, &der);
	size_t tn = kz_vector("cert_tbs", tbs_want, sizeof(tbs_want));
	assert_int_equal((size_t)n, tn);
	assert_memory_equal(der, tbs_want, tn);
	assert_int_equal(tm_gost_digest(512, der, (size_t)n, digest), TM_OK);
	OPENSSL_free(der);
	const ASN1_BIT_STRING *bits = NULL;
	X509_get0_signature(&bits, NULL, cert);
	assert_int_equal(ASN1_STRING_length(bits), 128);
	assert_int_equal(kz_vector("cert_sig", sig, sizeof(sig)), 128);
	assert_memory_equal(ASN1_STRING_get0_data(bits), sig, 128);
	assert_int_equal(tm_gost_verify(k, digest, 64, TM_GOST_NCA, sig, 128), TM_OK);
	EVP_PKEY_free(k);
	X509_free(cert);
}

static void test_own_keys_both_layouts(void **state)
{
	(void)state;
	static const unsigned sizes[] = {256, 512};
	for (size_t i = 0; i < 2; i++) {
		unsigned bits = sizes[i], got = 0, n = bits / 8;
		uint8_t digest[64], rfc[128], nca[128], back[128], x[64], y[64];
		size_t rl = sizeof(rfc), nl = sizeof(nca);
		EVP_PKEY *k = NULL, *pub = NULL;

		assert_int_equal(tm_gost_keygen(bits, &k), TM_OK);
		assert_true(tm_gost_is_gost(k, &got));
		assert_int_equal(got, bits);
		assert_int_equal(tm_gost_digest(bits, (const uint8_t *)"document", 8, digest), TM_OK);
		assert_int_equal(tm_gost_sign(k, digest, n, TM_GOST_RFC4491, rfc, &rl), TM_OK);
		assert_int_equal(tm_gost_sign(k, digest, n, TM_GOST_NCA, nca, &nl), TM_OK);
		assert_int_equal(rl, 2 * n);
		assert_int_equal(nl, 2 * n);
		/* The public half alone verifies both. */
		assert_int_equal(tm_gost_point(k, x, y, NULL), TM_OK);
		assert_int_equal(tm_gost_pubkey(bits, x, y, &pub), TM_OK);
		assert_int_equal(tm_gost_verify(pub, digest, n, TM_GOST_RFC4491, rfc, rl), TM_OK);
		assert_int_equal(tm_gost_verify(pub, digest, n, TM_GOST_NCA, nca, nl), TM_OK);
		tm_gost_sig_convert(nca, nl, back);
		assert_int_equal(tm_gost_verify(pub, digest, n, TM_GOST_RFC4491, back, nl), TM_OK);
		/* A digest of the wrong size; a buffer too small. */
		assert_int_equal(tm_gost_verify(pub, digest, n - 1, TM_GOST_NCA, nca, nl), TM_ERR_ARGS);
		rl = n;
		assert_int_equal(tm_gost_sign(k, digest, n, TM_GOST_RFC4491, rfc, &rl),
				 TM_ERR_BUFFER_TOO_SMALL);
		EVP_PKEY_free(pub);
		EVP_PKEY_free(k);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_streebog_matches_kalkan),
		cmocka_unit_test(test_kazakh_spki),
		cmocka_unit_test(test_spki_written_as_kalkan_writes_it),
		cmocka_unit_test(test_kalkan_signature_verifies_in_nca_layout),
		cmocka_unit_test(test_kalkan_certificate),
		cmocka_unit_test(test_own_keys_both_layouts),
	};
	return cmocka_run_group_tests_name("gost", tests, NULL, NULL);
}
