/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An independent PC/SC client for the integration tests: through pcscd,
 * vpcd and tumar-emu it selects the applet, verifies the PIN, generates a
 * key pair on the card, signs a file's SHA-256 and writes the signature
 * and the public key for OpenSSL's command line to verify.
 *
 *   pcsc-flow READER PIN OUTDIR rsa|ec
 *
 * READER is a substring of the reader's name; OUTDIR/msg is signed,
 * OUTDIR/sig.bin (DER for ECDSA) and OUTDIR/pub.pem are written.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <PCSC/winscard.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "apdu/protocol.h"
#include "apdu/pubkey.h"
#include "apdu/rc.h"
#include "apdu/sw.h"
#include "apdu/tlv.h"
#include "apdu/transceive.h"

static SCARDHANDLE card;
static DWORD protocol;

static int pcsc_transmit(void *ctx, const uint8_t *cmd, size_t cmd_len, uint8_t *resp,
			 size_t *resp_len)
{
	DWORD n = (DWORD)*resp_len;
	const SCARD_IO_REQUEST *pci = protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
	SCARD_IO_REQUEST recv_pci = *pci; /* never NULL: libpcscspy reads it */
	LONG rv = SCardTransmit(card, pci, cmd, (DWORD)cmd_len, &recv_pci, resp, &n);

	(void)ctx;
	if (rv != SCARD_S_SUCCESS) {
		fprintf(stderr, "pcsc-flow: SCardTransmit: %s\n", pcsc_stringify_error(rv));
		return TM_ERR_TRANSPORT;
	}
	*resp_len = n;
	return TM_OK;
}

static int die(const char *what, uint16_t sw)
{
	char msg[128];
	tm_sw_describe(sw, msg, sizeof(msg));
	fprintf(stderr, "pcsc-flow: %s: %04X %s\n", what, sw, msg);
	return 1;
}

static uint8_t out[65536];

/* One command through the engine; the SW, with data in `out`. */
static uint16_t run(struct tm_channel *ch, uint8_t ins, uint8_t p1, uint8_t p2,
		    const uint8_t *data, size_t nc, size_t ne, size_t *len, bool secret)
{
	struct tm_apdu c = {.ins = ins, .p1 = p1, .p2 = p2, .data = data, .nc = nc, .ne = ne,
			    .sensitive = secret};
	struct tm_response r = {.data = out, .cap = sizeof(out)};
	int rc = tm_transceive(ch, &c, &r);
	*len = r.len;
	return rc == TM_OK ? r.sw : 0;
}

static int write_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(p, 1, n, f) != n) {
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

int main(int argc, char **argv)
{
	SCARDCONTEXT ctx;
	char readers[4096], *reader = NULL, path[4096];
	DWORD rlen = sizeof(readers);
	bool ec = argc == 5 && strcmp(argv[4], "ec") == 0;
	size_t len;
	uint16_t sw;

	if (argc != 5 || (!ec && strcmp(argv[4], "rsa") != 0)) {
		fprintf(stderr, "usage: pcsc-flow READER PIN OUTDIR rsa|ec\n");
		return 2;
	}
	if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS ||
	    SCardListReaders(ctx, NULL, readers, &rlen) != SCARD_S_SUCCESS) {
		fprintf(stderr, "pcsc-flow: no PC/SC service or readers\n");
		return 1;
	}
	for (char *r = readers; *r; r += strlen(r) + 1)
		if (strstr(r, argv[1]) && reader == NULL)
			reader = r;
	if (reader == NULL ||
	    SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
			 &card, &protocol) != SCARD_S_SUCCESS) {
		fprintf(stderr, "pcsc-flow: cannot connect to a reader matching %s\n", argv[1]);
		return 1;
	}

	struct tm_transport t = {.transmit = pcsc_transmit};
	struct tm_channel *ch = tm_channel_new(&t, false);
	static const uint8_t aid[] = {TM_AID_BYTES};
	if ((sw = run(ch, TM_INS_SELECT, 4, 0, aid, sizeof(aid), 256, &len, false)) != 0x9000)
		return die("SELECT", sw);
	/* The card information says whether extended APDUs may be sent. */
	struct tm_tlv fci, a5, caps;
	if (tm_tlv_find(out, len, TM_TAG_FCI, &fci) != TM_OK ||
	    tm_tlv_find(fci.value, fci.len, TM_TAG_PROPRIETARY, &a5) != TM_OK ||
	    tm_tlv_find(a5.value, a5.len, TM_TAG_CI_CAPS, &caps) != TM_OK || caps.len != 2)
		return die("FCI without card information", 0);
	ch->extended = (caps.value[1] & TM_CAP_EXTENDED_LENGTH) != 0;

	if ((sw = run(ch, TM_INS_VERIFY, 0, TM_PIN_USER, (const uint8_t *)argv[2],
		      strlen(argv[2]), 0, &len, true)) != 0x9000)
		return die("VERIFY", sw);
	const uint8_t rsa_gen[] = {0xE2, 0x0C, 0xC7, 0x01, TM_KEY_RSA, 0xC8, 0x02, 0x08, 0x00,
				   0xC5, 0x01, TM_USAGE_SIGN, 0xC4, 0x00};
	const uint8_t ec_gen[] = {0xE2, 0x0C, 0xC7, 0x01, TM_KEY_EC_P256, 0xC8, 0x02, 0x01, 0x00,
				  0xC5, 0x01, TM_USAGE_SIGN, 0xC4, 0x00};
	if ((sw = run(ch, TM_INS_GENERATE_KEY_PAIR, 0, 0, ec ? ec_gen : rsa_gen, sizeof(rsa_gen),
		      65536, &len, false)) != 0x9000)
		return die("GENERATE", sw);
	uint16_t ref = (uint16_t)(out[2] << 8 | out[3]);
	EVP_PKEY *pub;
	if (tm_pubkey_decode(out, len, &pub) != TM_OK)
		return die("public key", 0);
	snprintf(path, sizeof(path), "%s/pub.pem", argv[3]);
	FILE *f = fopen(path, "w");
	if (f == NULL || !PEM_write_PUBKEY(f, pub) || fclose(f) != 0)
		return die("writing pub.pem", 0);

	/* The message's SHA-256, as a DigestInfo for RSA or bare for ECDSA. */
	static uint8_t msg[1 << 20];
	snprintf(path, sizeof(path), "%s/msg", argv[3]);
	f = fopen(path, "rb");
	size_t mlen = f ? fread(msg, 1, sizeof(msg), f) : 0;
	if (f)
		fclose(f);
	uint8_t dos[128] = {0x84, 0x02, (uint8_t)(ref >> 8), (uint8_t)ref, 0x80, 0x01,
			    ec ? TM_ALG_ECDSA : TM_ALG_RSA_PKCS1, 0x9A, 0};
	static const uint8_t sha256_prefix[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86,
						  0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
						  0x00, 0x04, 0x20};
	size_t k = 9;
	if (!ec) {
		memcpy(dos + k, sha256_prefix, sizeof(sha256_prefix));
		k += sizeof(sha256_prefix);
	}
	EVP_Digest(msg, mlen, dos + k, NULL, EVP_sha256(), NULL);
	k += 32;
	dos[8] = (uint8_t)(k - 9);
	if ((sw = run(ch, TM_INS_PSO, 0x9E, 0xAC, dos, k, 65536, &len, false)) != 0x9000)
		return die("PSO COMPUTE DIGITAL SIGNATURE", sw);
	if (ec) {
		/* r || s into DER, the form openssl dgst -verify reads. */
		ECDSA_SIG *s = ECDSA_SIG_new();
		unsigned char *der = NULL;
		ECDSA_SIG_set0(s, BN_bin2bn(out, 32, NULL), BN_bin2bn(out + 32, 32, NULL));
		int dl = i2d_ECDSA_SIG(s, &der);
		if (dl <= 0 || write_file(argv[3], "sig.bin", der, (size_t)dl) != 0)
			return die("writing sig.bin", 0);
		OPENSSL_free(der);
		ECDSA_SIG_free(s);
	} else if (write_file(argv[3], "sig.bin", out, len) != 0) {
		return die("writing sig.bin", 0);
	}
	printf("pcsc-flow: %lu APDUs, signature %zu bytes\n", ch->exchanges, len);
	EVP_PKEY_free(pub);
	tm_channel_free(ch);
	SCardDisconnect(card, SCARD_LEAVE_CARD);
	SCardReleaseContext(ctx);
	return 0;
}
