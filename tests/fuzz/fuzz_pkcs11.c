/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The PKCS#11 module, with every card answer coming from the fuzzer: a
 * reader whose transmit() hands out the input's frames (2-byte length,
 * response) in order.  The harness walks what applications do: slots,
 * token info, session, login, find, attributes, sign.  Nothing may crash
 * or leak, whatever the "card" says.
 *
 * With TM_FUZZ_RECORD=FILE (and no input), an emulated Kaztoken answers
 * instead and its responses are written to FILE: a seed made of real
 * answers.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/apdu.h"
#include "apdu/rc.h"
#include "driver/p11.h"
#include "driver/readers.h"
#include "emulator/applet.h"
#include "emulator/models.h"
#include "fuzz.h"

static const uint8_t *in;
static size_t left;
static bool gone;              /* the input ran out: the card went with it */
static struct tm_applet *rec;  /* recording: the card that answers */
static FILE *rec_out;

static int f_list(void *c, char *names, size_t cap)
{
	(void)c;
	snprintf(names, cap - 1, "Fuzz Reader");
	names[strlen(names) + 1] = '\0';
	return TM_OK;
}
static int f_status(void *c, const char *r, bool *present, unsigned *ev)
{
	(void)c; (void)r;
	*present = !gone;
	*ev = 1;
	return TM_OK;
}
static int f_connect(void *c, const char *r, void **conn, uint8_t *atr, size_t *atr_len)
{
	(void)c; (void)r;
	*conn = &in;
	atr[0] = 0x3B;
	atr[1] = 0x00;
	*atr_len = 2;
	return TM_OK;
}
static void f_disconnect(void *conn) { (void)conn; }
static int f_ok(void *conn) { (void)conn; return TM_OK; }
static void f_end(void *conn) { (void)conn; }
static int f_wait(void *c, unsigned t) { (void)c; (void)t; return TM_ERR_TIMEOUT; }
static void f_nothing(void *c) { (void)c; }

static int f_transmit(void *conn, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *resp_len)
{
	(void)conn;
	if (rec != NULL) {
		static uint8_t out[TM_APDU_MAX_RESPONSE];
		size_t n = tm_applet_process(rec, cmd, len, out, sizeof(out));
		uint8_t hdr[2] = {(uint8_t)(n >> 8), (uint8_t)n};
		fwrite(hdr, 1, 2, rec_out);
		fwrite(out, 1, n, rec_out);
		memcpy(resp, out, n);
		*resp_len = n;
		return TM_OK;
	}
	if (left < 2) {
		gone = true; /* and the reader says so, as a real one would */
		return TM_ERR_CARD_REMOVED;
	}
	size_t n = (size_t)in[0] << 8 | in[1];
	in += 2;
	left -= 2;
	if (n > left)
		n = left;
	if (n > *resp_len)
		return TM_ERR_RESPONSE_TOO_LONG;
	memcpy(resp, in, n);
	*resp_len = n;
	in += n;
	left -= n;
	return TM_OK;
}

static const struct tm_reader_ops ops = {
	.list = f_list, .status = f_status, .connect = f_connect, .disconnect = f_disconnect,
	.reconnect = f_ok, .begin = f_ok, .end = f_end, .transmit = f_transmit,
	.wait = f_wait, .cancel = f_nothing, .free = f_nothing,
};

static int fuzz_readers(struct tm_readers *r)
{
	r->ops = &ops;
	r->ctx = NULL;
	return TM_OK;
}

static void walk(void)
{
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slots[4];
	CK_ULONG n = 4;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE objs[16];
	static char pin[] = "12345678";

	tm_readers_factory = fuzz_readers;
	if (C_GetFunctionList(&f) != CKR_OK || f->C_Initialize(NULL) != CKR_OK)
		return;
	if (f->C_GetSlotList(CK_TRUE, slots, &n) == CKR_OK && n > 0 &&
	    f->C_GetTokenInfo(slots[0], &ti) == CKR_OK &&
	    f->C_OpenSession(slots[0], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) == CKR_OK) {
		f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, 8);
		if (f->C_FindObjectsInit(s, NULL, 0) == CKR_OK) {
			f->C_FindObjects(s, objs, 16, &n);
			f->C_FindObjectsFinal(s);
			for (CK_ULONG i = 0; i < n; i++) {
				CK_OBJECT_CLASS cls;
				CK_BYTE buf[1024];
				CK_ATTRIBUTE a[] = {{CKA_CLASS, &cls, sizeof(cls)},
						    {CKA_VALUE, buf, sizeof(buf)},
						    {CKA_MODULUS, NULL, 0}, {CKA_EC_POINT, NULL, 0},
						    {CKA_SUBJECT, NULL, 0}};
				if (f->C_GetAttributeValue(s, objs[i], a, 5) == CKR_CRYPTOKI_NOT_INITIALIZED)
					break;
				CK_MECHANISM m = {CKM_SHA256_RSA_PKCS, NULL, 0};
				CK_BYTE sig[512];
				CK_ULONG len = sizeof(sig);
				if (f->C_SignInit(s, &m, objs[i]) == CKR_OK)
					f->C_Sign(s, buf, 16, sig, &len);
			}
		}
		CK_BYTE r[32];
		f->C_GenerateRandom(s, r, sizeof(r));
		f->C_CloseSession(s);
	}
	f->C_Finalize(NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	in = data;
	left = size;
	gone = false;
	walk();
	return 0;
}

/* Seed making, outside the fuzzer: see the header comment. */
__attribute__((constructor)) static void record_seed(void)
{
	const char *path = getenv("TM_FUZZ_RECORD");
	static struct tm_applet applet;
	struct tm_card *c;

	if (path == NULL || (rec_out = fopen(path, "wb")) == NULL)
		return;
	c = tm_card_new(tm_model_find("kaztoken"), "SEED", NULL, NULL);
	tm_applet_init(&applet, c);
	/* A key pair to find and sign with (TM_FUZZ_KEY=1), made before the
	 * module looks; only the module's own exchanges are recorded. */
	if (getenv("TM_FUZZ_KEY") != NULL) {
		static const char *setup[] = {
			"00A4040007F054554D41520100", "00200081083132333435363738",
			"004600000EE20CC70101C8020400C50103C40000"};
		static uint8_t cmd[64], out[TM_APDU_MAX_RESPONSE];
		for (size_t i = 0; i < 3; i++) {
			size_t n = strlen(setup[i]) / 2;
			for (size_t k = 0; k < n; k++)
				sscanf(setup[i] + 2 * k, "%2hhx", &cmd[k]);
			tm_applet_process(&applet, cmd, n, out, sizeof(out));
		}
		tm_applet_reset(&applet);
	}
	rec = &applet;
	walk();
	fclose(rec_out);
	tm_applet_free(&applet);
	rec = NULL;
	exit(0);
}
