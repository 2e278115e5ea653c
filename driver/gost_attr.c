/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "gost_attr.h"

#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509.h>

#include "apdu/gost.h"
#include "apdu/protocol.h"
#include "apdu/rc.h"

/* By size: TC26's parameter set A and Streebog, and the NCA's names for
 * the same (kz-gost.md), which Kazakh applications may send. */
static const struct {
	unsigned bits;
	const char *params, *nca_params, *hash, *nca_hash;
} oids[] = {
	{512, "1.2.643.7.1.2.1.2.1", "1.2.398.3.10.1.1.2.2.1", "1.2.643.7.1.1.2.3",
	 "1.2.398.3.10.1.3.3"},
	{256, "1.2.643.7.1.2.1.1.1", "1.2.398.3.10.1.1.2.1.1", "1.2.643.7.1.1.2.2",
	 "1.2.398.3.10.1.3.2"},
};

uint8_t tm_gost_key_alg(unsigned bits)
{
	return bits == 512 ? TM_KEY_GOST2012_512 : bits == 256 ? TM_KEY_GOST2012_256 : 0;
}

unsigned tm_gost_key_bits(uint8_t key_alg)
{
	return key_alg == TM_KEY_GOST2012_512 ? 512 : key_alg == TM_KEY_GOST2012_256 ? 256 : 0;
}

size_t tm_gost_attr_oid(unsigned bits, bool hash, uint8_t *out, size_t cap)
{
	for (size_t i = 0; i < sizeof(oids) / sizeof(oids[0]); i++) {
		if (oids[i].bits != bits)
			continue;
		ASN1_OBJECT *o = OBJ_txt2obj(hash ? oids[i].hash : oids[i].params, 1);
		int n = o ? i2d_ASN1_OBJECT(o, NULL) : 0;
		unsigned char *p = out;
		if (n > 0 && (size_t)n <= cap)
			n = i2d_ASN1_OBJECT(o, &p);
		else
			n = 0;
		ASN1_OBJECT_free(o);
		return n > 0 ? (size_t)n : 0;
	}
	return 0;
}

/* Whether a DER OID attribute (the whole value) is the OID text names. */
static bool attr_is(const CK_ATTRIBUTE *a, const char *text)
{
	const unsigned char *p = a->pValue;
	ASN1_OBJECT *got = p ? d2i_ASN1_OBJECT(NULL, &p, (long)a->ulValueLen) : NULL;
	ASN1_OBJECT *want = OBJ_txt2obj(text, 1);
	bool ok = got != NULL && want != NULL && OBJ_cmp(got, want) == 0 &&
		  p == (const unsigned char *)a->pValue + a->ulValueLen;
	ASN1_OBJECT_free(got);
	ASN1_OBJECT_free(want);
	return ok;
}

unsigned tm_gost_attr_params_bits(const CK_ATTRIBUTE *a)
{
	for (size_t i = 0; i < sizeof(oids) / sizeof(oids[0]); i++)
		if (attr_is(a, oids[i].params) || attr_is(a, oids[i].nca_params))
			return oids[i].bits;
	return 0;
}

bool tm_gost_attr_hash_is(const CK_ATTRIBUTE *a, unsigned bits)
{
	for (size_t i = 0; i < sizeof(oids) / sizeof(oids[0]); i++)
		if (oids[i].bits == bits && (attr_is(a, oids[i].hash) || attr_is(a, oids[i].nca_hash)))
			return true;
	return false;
}

size_t tm_gost_attr_value(EVP_PKEY *k, uint8_t *out, size_t cap)
{
	uint8_t x[TM_GOST_MAX_BYTES], y[TM_GOST_MAX_BYTES];
	unsigned bits;

	if (tm_gost_point(k, x, y, &bits) != TM_OK || cap < bits / 4)
		return 0;
	size_t half = bits / 8;
	for (size_t i = 0; i < half; i++) {
		out[i] = x[half - 1 - i];
		out[half + i] = y[half - 1 - i];
	}
	return 2 * half;
}
