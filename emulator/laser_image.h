/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A LASER card's image: its own format in the common frame
 * (image_file.h), magic "TUMARLSR".  The body is BER-TLV:
 *
 *   E0 { C1 model, C3 serial, E1 file }
 *   file = C2 FCP (as SELECT answers it) | C4 bytes | C5 PIN (SHA-1,
 *          length, factory) | D5 private key (DER) | D6 public key (DER) |
 *          E1 file ... (the DF's children, in order)
 */
#ifndef TUMAR_EMU_LASER_IMAGE_H
#define TUMAR_EMU_LASER_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "apdu/buf.h"
#include "emulator/laser_card.h"

#define TM_LASER_IMAGE_MAGIC "TUMARLSR"
#define TM_LASER_IMAGE_VERSION 1

void tm_laser_image_encode(const struct tm_laser_card *c, struct tm_buf *b);
int tm_laser_image_decode(const uint8_t *data, size_t len, const struct tm_model *model,
			  struct tm_laser_card **out, char *why, size_t cap);

/* As tm_card_save() and tm_image_load() for the Tumar applet's cards. */
int tm_laser_save(struct tm_laser_card *c);
int tm_laser_load(const char *path, const struct tm_model *model, struct tm_laser_card **out,
		  char *why, size_t cap);

#endif
