/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Drives the emulator's applet directly (no sockets) for unit tests:
 * commands in hex, responses kept for inspection.
 */
#ifndef TUMAR_TESTS_EMU_H
#define TUMAR_TESTS_EMU_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "apdu/tlv.h"
#include "emulator/applet.h"

struct emu {
	struct tm_applet applet;
	uint8_t resp[TM_APDU_MAX_RESPONSE];
	size_t len;      /* response length with SW */
	uint16_t sw;
};

/* An in-memory card of the model (no image file), selected. */
struct emu *emu_new(const char *model_key);
void emu_free(struct emu *e);

/* Sends a hex command (spaces allowed); returns the SW. */
uint16_t emu_cmd(struct emu *e, const char *hex);

/* Sends raw bytes; returns the SW. */
uint16_t emu_raw(struct emu *e, const uint8_t *cmd, size_t len);

/* Sends cmd through the transceive engine (chaining, GET RESPONSE) as a
 * driver would; data lands in out. Returns the SW. */
uint16_t emu_transceive(struct emu *e, const struct tm_apdu *cmd,
			uint8_t *out, size_t cap, size_t *out_len);

/* Response data (without SW). */
static inline const uint8_t *emu_data(const struct emu *e) { return e->resp; }
static inline size_t emu_data_len(const struct emu *e) { return e->len >= 2 ? e->len - 2 : 0; }

/* VERIFY of the user (0x81) or SO (0x82) PIN. */
uint16_t emu_verify(struct emu *e, uint8_t ref, const char *pin);

/* Tries left from PIN info (GET DATA 00E0), or -1. */
int emu_tries_left(struct emu *e, uint8_t ref);
int emu_pin_flags(struct emu *e, uint8_t ref);

/* The fixture the applet tests share: one emulated card `e` per test,
 * freed by emu_teardown (for cmocka_unit_test_teardown). */
#define EMU_FIXTURE                                   \
	static struct emu *e;                         \
	static int emu_teardown(void **state)         \
	{                                             \
		(void)state;                          \
		emu_free(e);                          \
		e = NULL;                             \
		return 0;                             \
	}

#endif
