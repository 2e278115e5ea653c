/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The link to vsmartcard's vpcd: framing only, no card logic, no globals.
 * A frame is a 2-byte big-endian length and that many bytes; a 1-byte
 * frame from vpcd is a control code (TM_VPCD_*), anything longer an APDU.
 *
 * Latency: Debian's vpcd sends each frame in two writes without
 * TCP_NODELAY, so a card that lets the kernel delay its ACKs waits about
 * 40 ms per APDU.  We set TCP_NODELAY, write each frame with one send(),
 * and set TCP_QUICKACK again after every recv(): after a frame's length
 * too, so its body is not held back waiting for our ACK (vpcd.c).
 */
#ifndef TUMAR_EMU_VPCD_H
#define TUMAR_EMU_VPCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TM_VPCD_DEFAULT_PORT 35963
#define TM_VPCD_POWER_OFF 0x00
#define TM_VPCD_POWER_ON 0x01
#define TM_VPCD_RESET 0x02
#define TM_VPCD_GET_ATR 0x04
#define TM_VPCD_MAX_FRAME 65535

struct tm_vpcd {
	char host[256];
	uint16_t port;
	bool listen;    /* reversed mode: we listen, vpcd connects */
	int listen_fd;  /* listen mode only */
	int fd;         /* the connection; -1 when none */
};

void tm_vpcd_init(struct tm_vpcd *v, const char *host, uint16_t port, bool listen);

/* Listen mode: binds the port (non-blocking).  0 or -1 with errno. */
int tm_vpcd_listen(struct tm_vpcd *v);

/* Client mode: one connection attempt.  Listen mode: accepts a waiting
 * connection (after tm_vpcd_listen).  0 on success, -1 with errno. */
int tm_vpcd_open(struct tm_vpcd *v);

/* Drops the connection: to vpcd, the card is gone. */
void tm_vpcd_close(struct tm_vpcd *v);

/* Stops listening too. */
void tm_vpcd_shutdown(struct tm_vpcd *v);

/* One whole frame into buf.  0 on success, -1 when the peer closed or the
 * frame does not fit. */
int tm_vpcd_recv(struct tm_vpcd *v, uint8_t *buf, size_t cap, size_t *len);

/* One frame, in one send().  0 or -1. */
int tm_vpcd_send(struct tm_vpcd *v, const uint8_t *data, size_t len);

/* Parses "HOST:PORT", "PORT" or "HOST" (default port).  0 or -1. */
int tm_vpcd_parse_address(const char *s, char *host, size_t host_cap, uint16_t *port);

#endif
