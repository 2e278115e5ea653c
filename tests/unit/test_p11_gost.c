/* Streebog through the module (CKM_GOSTR3411_12_256/_512, the TC26
 * names): listed and described as digests, and C_Digest whole and in
 * parts gives GOST R 34.11-2012's own example 1 and KalkanCrypt's digest
 * of its test message (tests/data/kz-gost). */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>

#include "driver/p11_gost.h"
#include "tests/support/p11_readers.h"
#include "tests/support/p11_session.h"

/* GOST R 34.11-2012, appendix A, example 1 (the bytes as OpenSSL gives
 * them), and KalkanCrypt's Streebog-512 of "ncalayer-rs test message". */
static const char m1[] = "012345678901234567890123456789012345678901234567890123456789012";
static const char m1_256[] = "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500";
static const char m1_512[] = "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa"
			     "00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48";
static const char kalkan_msg[] = "ncalayer-rs test message";
static const char kalkan_512[] = "7d2b8e1c32c116aba0e4c14a021d459206b6174d201cddfed0b256da91729cf1"
				 "69199a9ff12d6026c29e6acabe19c4d191954823f54fb7b2661b3b4b5cfe2179";

static void check_digest(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE type, const char *msg,
			 const char *hex)
{
	CK_MECHANISM m = {type, NULL, 0};
	CK_BYTE got[64];
	CK_ULONG len = 0;
	char text[129];
	size_t n = strlen(msg);

	assert_int_equal(f->C_DigestInit(s, &m), CKR_OK);
	assert_int_equal(f->C_Digest(s, U(msg), n, NULL, &len), CKR_OK);
	assert_int_equal(len, strlen(hex) / 2);
	assert_int_equal(f->C_Digest(s, U(msg), n, got, &len), CKR_OK);
	for (CK_ULONG i = 0; i < len; i++)
		snprintf(text + 2 * i, 3, "%02x", got[i]);
	assert_string_equal(text, hex);
	/* In parts. */
	memset(got, 0, sizeof(got));
	assert_int_equal(f->C_DigestInit(s, &m), CKR_OK);
	assert_int_equal(f->C_DigestUpdate(s, U(msg), 7), CKR_OK);
	assert_int_equal(f->C_DigestUpdate(s, U(msg + 7), n - 7), CKR_OK);
	len = sizeof(got);
	assert_int_equal(f->C_DigestFinal(s, got, &len), CKR_OK);
	for (CK_ULONG i = 0; i < len; i++)
		snprintf(text + 2 * i, 3, "%02x", got[i]);
	assert_string_equal(text, hex);
}

static void test_streebog_digests(void **state)
{
	(void)state;
	CK_MECHANISM_TYPE list[64];
	CK_ULONG n = 64;
	CK_MECHANISM_INFO info;
	int seen = 0;

	start("kaztoken");
	assert_int_equal(f->C_GetMechanismList(0, list, &n), CKR_OK);
	for (CK_ULONG i = 0; i < n; i++)
		seen += list[i] == CKM_GOSTR3411_12_256 || list[i] == CKM_GOSTR3411_12_512;
	assert_int_equal(seen, 2);
	assert_int_equal(f->C_GetMechanismInfo(0, CKM_GOSTR3411_12_512, &info), CKR_OK);
	assert_int_equal(info.flags, CKF_DIGEST); /* on the host, not the card */
	CK_SESSION_HANDLE s = open_rw();
	check_digest(s, CKM_GOSTR3411_12_256, m1, m1_256);
	check_digest(s, CKM_GOSTR3411_12_512, m1, m1_512);
	check_digest(s, CKM_GOSTR3411_12_512, kalkan_msg, kalkan_512);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_streebog_digests, teardown),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
