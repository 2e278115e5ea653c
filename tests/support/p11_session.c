/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the driver's unit tests: the module over the in-process
 * test readers, and the few steps every test begins with. */
#include <config.h>

#include "p11_session.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tests/support/p11_readers.h"

CK_FUNCTION_LIST_PTR f;

/* PKCS#11 takes non-const pointers: literals go through writable copies. */
void *U(const char *lit)
{
	static char pool[16][64];
	static int next;
	char *p = pool[next++ % 16];
	snprintf(p, sizeof(pool[0]), "%s", lit);
	return p;
}

int setup(void **state)
{
	(void)state;
	tm_readers_factory = tm_test_readers;
	unsetenv("TUMAR_CONF");
	setenv("TUMAR_CONF", "/nonexistent/tumar.conf", 1);
	return C_GetFunctionList(&f) == CKR_OK ? 0 : -1;
}

int teardown(void **state)
{
	(void)state;
	f->C_Finalize(NULL);
	tm_test_readers_reset();
	return 0;
}

/* Initialises the module with a card of `model` in reader 0. */
void start(const char *model)
{
	tm_test_reader_insert(0, model);
	tm_test_reader_insert(1, NULL);
	assert_int_equal(f->C_Initialize(NULL), CKR_OK);
	CK_ULONG n = 0;
	assert_int_equal(f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
}

CK_SESSION_HANDLE open_rw(void)
{
	CK_SESSION_HANDLE s;
	assert_int_equal(f->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s), CKR_OK);
	return s;
}

CK_RV login(CK_SESSION_HANDLE s, const char *pin)
{
	return f->C_Login(s, CKU_USER, U(pin), strlen(pin));
}

void keygen(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	CK_ULONG bits = 1024;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE pt[] = {{CKA_MODULUS_BITS, &bits, sizeof(bits)}, {CKA_LABEL, U("RSA"), 3},
			     {CKA_TOKEN, &yes, sizeof(yes)}};
	CK_ATTRIBUTE kt[] = {{CKA_SIGN, &yes, sizeof(yes)}, {CKA_DECRYPT, &yes, sizeof(yes)},
			     {CKA_ID, U("\x01"), 1}, {CKA_TOKEN, &yes, sizeof(yes)}};
	CK_MECHANISM m = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	assert_int_equal(f->C_GenerateKeyPair(s, &m, pt, 3, kt, 4, pub, priv), CKR_OK);
}


CK_ULONG find_count(CK_SESSION_HANDLE s, CK_ATTRIBUTE *t, CK_ULONG n)
{
	CK_OBJECT_HANDLE h[64];
	CK_ULONG got = 0;

	assert_int_equal(f->C_FindObjectsInit(s, t, n), CKR_OK);
	assert_int_equal(f->C_FindObjects(s, h, 64, &got), CKR_OK);
	assert_int_equal(f->C_FindObjectsFinal(s), CKR_OK);
	return got;
}

int make_cert(unsigned char **der)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	int n = -1;

	if (k && x && X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), 7) &&
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) && X509_gmtime_adj(X509_getm_notAfter(x), 3600) &&
	    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				       (const unsigned char *)"TEST", -1, -1, 0) &&
	    X509_set_issuer_name(x, X509_get_subject_name(x)) && X509_set_pubkey(x, k) &&
	    X509_sign(x, k, EVP_sha256()) > 0)
		n = i2d_X509(x, der);
	X509_free(x);
	EVP_PKEY_free(k);
	return n;
}
