/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GOST R 34.10-2012 (ST RK GOST R 34.10-2015) keys and signatures and
 * Streebog, through Debian's gost-engine (libengine-gost-openssl), for
 * the emulator, the module and the tools (../shared/kz-gost.md).
 *
 * The engine is loaded explicitly, once per process, and every digest
 * and key operation names it: nothing becomes the application's default
 * algorithm.  The one process-wide effect is the engine's key ASN.1
 * methods, registered because OpenSSL cannot make a GOST EVP_PKEY
 * without them; they cover the GOST key types only.
 *
 * Sizes are 256 and 512 bits, both on the TC26 parameter set A (the
 * curves Kazakh software uses).  Points and digests cross this interface
 * as PKCS#11 and RFC 4491 carry them; the NCA's signature layout is the
 * byte reversal of RFC 4491's.
 */
#ifndef TUMAR_APDU_GOST_H
#define TUMAR_APDU_GOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#define TM_GOST_MAX_BYTES 64 /* a 512-bit coordinate, digest or half signature */

enum tm_gost_layout {
	TM_GOST_RFC4491, /* s (big-endian) || r (big-endian): PKCS#11, gost-engine */
	TM_GOST_NCA,     /* r (little-endian) || s (little-endian): KalkanCrypt */
};

/* Whether gost-engine loads; the reason on stderr once when it does not. */
bool tm_gost_available(void);

/* Streebog-256 or -512 of data into out (bits / 8 bytes): TM_OK, or
 * TM_ERR_ARGS for another size, TM_ERR_NOT_FOUND without the engine. */
int tm_gost_digest(unsigned bits, const uint8_t *data, size_t len, uint8_t *out);
/* The same in parts: ctx initialised for Streebog-bits, then the usual
 * EVP_DigestUpdate / EVP_DigestFinal_ex. */
int tm_gost_digest_init(EVP_MD_CTX *ctx, unsigned bits);

/* A new key pair of this size (the card's GENERATE). */
int tm_gost_keygen(unsigned bits, EVP_PKEY **out);
/* A public key from its point, x and y big-endian, bits / 8 bytes each. */
int tm_gost_pubkey(unsigned bits, const uint8_t *x, const uint8_t *y, EVP_PKEY **out);
/* A key pair from its private scalar (big-endian, at most bits / 8
 * bytes, 0 < d < q): the point is worked out.  TM_ERR_MALFORMED for a
 * scalar out of range. */
int tm_gost_from_scalar(unsigned bits, const uint8_t *d, size_t len, EVP_PKEY **out);
/* The point of a key (big-endian x, y of bits / 8 bytes) and its size. */
int tm_gost_point(EVP_PKEY *key, uint8_t *x, uint8_t *y, unsigned *bits);
/* Whether key is a GOST key; its size in *bits. */
bool tm_gost_is_gost(EVP_PKEY *key, unsigned *bits);

/* A public key from a SubjectPublicKeyInfo with the NCA's OIDs
 * (1.2.398.3.10.1.1.2.x) or TC26's (1.2.643.7.1.1.1.x) and parameter
 * set A: TM_OK, TM_ERR_MALFORMED for anything else. */
int tm_gost_pubkey_from_spki(const uint8_t *der, size_t len, EVP_PKEY **out, unsigned *bits);

/* The OIDs of a GOST key of this size: the NCA's (1.2.398.3.10...) or
 * TC26's; text, NULL for another size. */
enum tm_gost_oid_kind { TM_GOST_OID_KEY, TM_GOST_OID_PARAMS, TM_GOST_OID_HASH, TM_GOST_OID_SIG };
const char *tm_gost_oid(unsigned bits, bool nca, enum tm_gost_oid_kind kind);

/* Sets out (an X509_PUBKEY, a certificate's or request's) to key with
 * the NCA's OIDs (nca) or TC26's, as KalkanCrypt and gost-engine write
 * them: parameters SEQUENCE { set, hash }, the point an OCTET STRING of
 * x || y little-endian.  TM_OK, TM_ERR_ARGS (not a GOST key). */
int tm_gost_x509_pubkey(EVP_PKEY *key, bool nca, X509_PUBKEY *out);

/* One layout into the other (a byte reversal: its own inverse). */
void tm_gost_sig_convert(const uint8_t *in, size_t n, uint8_t *out);

/* A signature over a digest (bits / 8 bytes) in the layout asked:
 * *sig_len in, its capacity; out, 2 * bits / 8. */
int tm_gost_sign(EVP_PKEY *key, const uint8_t *digest, size_t digest_len,
		 enum tm_gost_layout layout, uint8_t *sig, size_t *sig_len);
/* TM_OK when sig (in the layout named) signs digest with key,
 * TM_ERR_WRONG_DATA when it does not. */
int tm_gost_verify(EVP_PKEY *key, const uint8_t *digest, size_t digest_len,
		   enum tm_gost_layout layout, const uint8_t *sig, size_t sig_len);

#endif
