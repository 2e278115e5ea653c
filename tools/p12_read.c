/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: an NCA key store read (tools/p12_read.h). */
#include <config.h>

#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>

#include "apdu/rc.h"
#include "tools/p12_read.h"

/* The NCA's certificate bags are RC2-40, which OpenSSL 3 keeps in its
 * legacy provider.  tumar-tool is its own process, so the provider is
 * loaded into the default context, beside the default one. */
static bool legacy_loaded(void)
{
	static OSSL_PROVIDER *legacy;

	if (legacy == NULL)
		legacy = OSSL_PROVIDER_try_load(NULL, "legacy", 1);
	return legacy != NULL;
}

static int fail(const char **why, int rc, const char *text)
{
	*why = text;
	return rc;
}

static int take_key(const PKCS8_PRIV_KEY_INFO *p8, struct tt_p12 *s, const char **why)
{
	if (s->n_keys == TT_P12_MAX_KEYS)
		return fail(why, TM_ERR_MALFORMED, "the store holds more keys than any NCA store");
	int rc = tt_p12_key_read(p8, &s->keys[s->n_keys], why);
	if (rc == TM_OK)
		s->n_keys++;
	return rc;
}

static int take_bags(const STACK_OF(PKCS12_SAFEBAG) *bags, const char *pw, struct tt_p12 *s,
		     int depth, const char **why)
{
	int rc = TM_OK;

	for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags) && rc == TM_OK; i++) {
		const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
		PKCS8_PRIV_KEY_INFO *p8;
		X509 *x;

		switch (PKCS12_SAFEBAG_get_nid(bag)) {
		case NID_pkcs8ShroudedKeyBag:
			if ((p8 = PKCS12_decrypt_skey(bag, pw, -1)) == NULL)
				return fail(why, TM_ERR_MALFORMED, "its key bag does not decrypt "
					    "with the password that opens the store");
			rc = take_key(p8, s, why);
			PKCS8_PRIV_KEY_INFO_free(p8); /* OpenSSL wipes the key */
			break;
		case NID_keyBag:
			rc = take_key(PKCS12_SAFEBAG_get0_p8inf(bag), s, why);
			break;
		case NID_certBag:
			if (PKCS12_SAFEBAG_get_bag_nid(bag) != NID_x509Certificate)
				break; /* SDSI certificates: none in an NCA store */
			if ((x = PKCS12_SAFEBAG_get1_cert(bag)) == NULL)
				return fail(why, TM_ERR_MALFORMED, "a certificate in it cannot be read");
			if (!sk_X509_push(s->certs, x)) {
				X509_free(x);
				return fail(why, TM_ERR_NO_MEMORY, "out of memory");
			}
			break;
		case NID_safeContentsBag:
			if (depth > 2)
				return fail(why, TM_ERR_MALFORMED, "its bags nest too deep");
			rc = take_bags(PKCS12_SAFEBAG_get0_safes(bag), pw, s, depth + 1, why);
			break;
		default:
			break; /* CRL and secret bags: nothing for a token */
		}
	}
	return rc;
}

int tt_p12_read(const unsigned char *der, size_t len, const char *pw, struct tt_p12 *s,
		const char **why)
{
	const unsigned char *p = der;
	STACK_OF(PKCS7) *safes = NULL;
	PKCS12 *p12 = NULL;
	int rc = TM_OK;

	memset(s, 0, sizeof(*s));
	if ((s->certs = sk_X509_new_null()) == NULL)
		return fail(why, TM_ERR_NO_MEMORY, "out of memory");
	if (len > LONG_MAX || (p12 = d2i_PKCS12(NULL, &p, (long)len)) == NULL ||
	    p != der + len)
		rc = fail(why, TM_ERR_MALFORMED, "not a PKCS#12 key store (.p12 or .pfx)");
	else if (!PKCS12_mac_present(p12))
		rc = fail(why, TM_ERR_MALFORMED, "the store has no password check (MAC); "
			  "the NCA's stores do, so this one was not made by it");
	else if (!PKCS12_verify_mac(p12, pw, -1))
		rc = fail(why, TM_ERR_PIN_INCORRECT, "the password does not open the store");
	else if (!legacy_loaded())
		rc = fail(why, TM_ERR_NOT_FOUND, "OpenSSL's legacy provider (for the store's "
			  "RC2 certificate bags) does not load");
	else if ((safes = PKCS12_unpack_authsafes(p12)) == NULL)
		rc = fail(why, TM_ERR_MALFORMED, "the store's contents cannot be read");
	for (int i = 0; rc == TM_OK && i < sk_PKCS7_num(safes); i++) {
		PKCS7 *p7 = sk_PKCS7_value(safes, i);
		STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
		int nid = OBJ_obj2nid(p7->type);

		if (nid == NID_pkcs7_data)
			bags = PKCS12_unpack_p7data(p7);
		else if (nid == NID_pkcs7_encrypted)
			bags = PKCS12_unpack_p7encdata(p7, pw, -1);
		else
			continue; /* public-key-protected contents: not the NCA's */
		if (bags == NULL)
			rc = fail(why, TM_ERR_MALFORMED, "part of the store does not decrypt "
				  "with the password that opens it");
		else
			rc = take_bags(bags, pw, s, 0, why);
		sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	}
	if (rc == TM_OK && s->n_keys == 0)
		rc = fail(why, TM_ERR_NOT_FOUND, "the store holds no private key");
	sk_PKCS7_pop_free(safes, PKCS7_free);
	PKCS12_free(p12);
	ERR_clear_error();
	return rc;
}

void tt_p12_free(struct tt_p12 *s)
{
	for (int i = 0; i < s->n_keys; i++)
		tt_p12_key_clear(&s->keys[i]);
	sk_X509_pop_free(s->certs, X509_free);
	memset(s, 0, sizeof(*s));
}
