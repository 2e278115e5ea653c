/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Drives the LASER applet directly (no sockets) for unit tests, as
 * emu.h does the Tumar applet: commands in hex, the last response kept.
 */
#ifndef TUMAR_TESTS_LASER_EMU_H
#define TUMAR_TESTS_LASER_EMU_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "emulator/laser_applet.h"

struct lemu {
	struct tm_laser_applet applet;
	uint8_t resp[TM_APDU_MAX_RESPONSE];
	size_t len;      /* response length with SW */
	uint16_t sw;
};

/* The jacarta-pki model (it runs the LASER applet). */
const struct tm_model *lemu_model(void);

/* A factory card in memory (path NULL) or at path; the LASER
 * application selected. */
struct lemu *lemu_new(const char *path);
void lemu_free(struct lemu *e);

uint16_t lemu_raw(struct lemu *e, const uint8_t *cmd, size_t len);
uint16_t lemu_cmd(struct lemu *e, const char *hex);
/* A command with ASCII data: header hex (4 bytes), then Lc and text. */
uint16_t lemu_text(struct lemu *e, const char *header, const char *text);

/* Sends cmd (raw bytes, or a header and data chained in pieces of 255
 * with Le 00 on the last), then GET RESPONSE while 61xx, gathering the
 * data into out.  Returns the last SW. */
uint16_t lemu_chain(struct lemu *e, const char *header, const uint8_t *data, size_t len,
		    uint8_t *out, size_t cap, size_t *out_len);

/* SELECT by path from the MF (80 A4 08 0C), e.g. "3F0030003001". */
uint16_t lemu_select(struct lemu *e, const char *path_hex);

/* Plain VERIFY (00 20 00 00) and secure VERIFY (GET CHALLENGE, then 80
 * 20 00 00 with the 3DES cryptogram computed here with OpenSSL) of the
 * MF's PIN KO 00<ref>, selected first. */
uint16_t lemu_verify(struct lemu *e, uint8_t ref, const char *pin);
uint16_t lemu_secure_verify(struct lemu *e, uint8_t ref, const char *pin);

/* The 16-byte secure-VERIFY cryptogram for PIN over host || challenge. */
void lemu_cryptogram(const char *pin, const uint8_t host[8], const uint8_t chal[8],
		     uint8_t out[16]);

/* The fixture the LASER tests share: one card `e` per test, freed by
 * lemu_teardown (for cmocka_unit_test_teardown). */
#define LEMU_FIXTURE                                  \
	static struct lemu *e;                        \
	static int lemu_teardown(void **state)        \
	{                                             \
		(void)state;                          \
		lemu_free(e);                         \
		e = NULL;                             \
		return 0;                             \
	}

static inline const uint8_t *lemu_data(const struct lemu *e) { return e->resp; }
static inline size_t lemu_data_len(const struct lemu *e) { return e->len >= 2 ? e->len - 2 : 0; }

#endif
