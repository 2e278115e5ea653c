/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tumar-echo-card: the transport floor for tumar-bench.  A card on vpcd
 * with no card logic at all: it answers every APDU with Le bytes (or
 * none) and 9000.  It uses the emulator's vpcd link (emulator/vpcd.c), so
 * the difference between it and tumar-emu is the card, not the link.
 *
 *   tumar-echo-card [HOST:]PORT
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "emulator/vpcd.h"

/* Kaztoken's ATR, so PC/SC negotiates as with the emulated token. */
static const uint8_t atr[] = {0x3B, 0x88, 0x01, 0x4B, 0x41, 0x5A, 0x54, 0x4F, 0x4B, 0x45, 0x4E, 0x82};

int main(int argc, char **argv)
{
	struct tm_vpcd v;
	char host[256];
	uint16_t port;
	static uint8_t in[TM_VPCD_MAX_FRAME], out[258];

	if (argc != 2 || tm_vpcd_parse_address(argv[1], host, sizeof(host), &port) != 0) {
		fprintf(stderr, "usage: tumar-echo-card [HOST:]PORT\n");
		return 2;
	}
	tm_vpcd_init(&v, host, port, false);
	for (;;) {
		size_t len;
		while (tm_vpcd_open(&v) != 0)
			usleep(100000); /* vpcd not up yet */
		while (tm_vpcd_recv(&v, in, sizeof(in), &len) == 0) {
			if (len == 1) {
				if (in[0] == TM_VPCD_GET_ATR && tm_vpcd_send(&v, atr, sizeof(atr)) != 0)
					break;
				continue; /* power on, off, reset: no answer */
			}
			/* Case 2 short (CLA INS P1 P2 Le): Le bytes; else none. */
			size_t ne = len == 5 ? (in[4] ? in[4] : 256) : 0;
			memset(out, 0xA5, ne);
			out[ne] = 0x90;
			out[ne + 1] = 0x00;
			if (tm_vpcd_send(&v, out, ne + 2) != 0)
				break;
		}
		tm_vpcd_close(&v);
	}
}
