/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LASER secure messaging (jacarta-laser.md §9), both sides of it: the
 * session keys from the Diffie-Hellman secret and the card's challenge,
 * 2-key 3DES-CBC with IV 0 and ISO padding for data, the ISO/IEC 9797-1
 * algorithm 3 ("retail") MAC over a send sequence counter, and the
 * command and response wrapping that OpenSC's sm-iso.c does for
 * Aladdin's driver:
 *
 *   command   CLA|0C INS P1 P2 Lc { 87 L 01 <crypt> } { 97 01 Le } { 8E 08 MAC } 00
 *             MAC over SSC+1 | CLA' INS P1 P2 80 00 00 00 | 87.. 97.. | pad
 *   response  { 87 L 01 <crypt> } 99 02 SW 8E 08 MAC, then 9000
 *             MAC over SSC+1 | 87.. 99.. | pad
 *
 * The data object is always 87, even for odd instructions (§9).  All
 * cryptography is OpenSSL's EVP (single DES as 2-key EDE with equal
 * halves, so no legacy provider is needed).
 */
#ifndef TUMAR_APDU_LASER_SM_H
#define TUMAR_APDU_LASER_SM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "apdu/buf.h"

#define TM_LASER_SM_CHALLENGE_LEN 32
#define TM_LASER_SM_KEY_LEN 16
#define TM_LASER_SM_MIN_SECRET 40 /* the MAC key is K[24..39] */

struct tm_laser_sm {
	uint8_t enc[TM_LASER_SM_KEY_LEN];
	uint8_t mac[TM_LASER_SM_KEY_LEN];
	uint8_t ssc[8];
	bool open;
};

/* ENC = K[0..15] ^ chal[0..15], MAC = K[24..39] ^ chal[16..31], SSC 0.
 * K is the DH secret as both sides compute it (no leading zeros: the
 * reference host's OpenSSL 3 derivation; docs/emulator.md).  False when
 * K is shorter than 40 bytes. */
bool tm_laser_sm_start(struct tm_laser_sm *s, const uint8_t *k, size_t k_len,
		       const uint8_t chal[TM_LASER_SM_CHALLENGE_LEN]);
void tm_laser_sm_end(struct tm_laser_sm *s);

/* 2-key 3DES-CBC, IV 0, no padding (n a multiple of 8). */
bool tm_laser_sm_crypt(const uint8_t key[TM_LASER_SM_KEY_LEN], bool encrypt, const uint8_t *in,
		       size_t n, uint8_t *out);

/* The retail MAC of data (a multiple of 8 bytes) under key, IV 0. */
bool tm_laser_sm_retail_mac(const uint8_t key[TM_LASER_SM_KEY_LEN], const uint8_t *data, size_t n,
			    uint8_t mac[8]);

/* Host: the wrapped command of plain (its CLA gets 0C, its data and Ne
 * go into 87 and 97, the MAC into 8E); *wrapped points into out. */
bool tm_laser_sm_wrap_command(struct tm_laser_sm *s, const struct tm_apdu *plain,
			      struct tm_apdu *wrapped, struct tm_buf *out);
/* Host: a wrapped response's data and SW.  False when the MAC, the
 * padding or the layout is wrong. */
bool tm_laser_sm_unwrap_response(struct tm_laser_sm *s, const uint8_t *resp, size_t len,
				 struct tm_buf *data, uint16_t *sw);

/* Card: the plain command in a wrapped one (CLA without 0C; data into
 * `data`, which plain->data then points at).  False when the MAC, the
 * padding or the layout is wrong. */
bool tm_laser_sm_unwrap_command(struct tm_laser_sm *s, const struct tm_apdu *wrapped,
				struct tm_apdu *plain, struct tm_buf *data);
/* Card: the wrapped response to data and sw, into out. */
bool tm_laser_sm_wrap_response(struct tm_laser_sm *s, const uint8_t *data, size_t n, uint16_t sw,
			       struct tm_buf *out);

#endif
