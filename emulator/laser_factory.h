/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A JaCarta PKI as personalised for its owner (laser_factory.c). */
#ifndef TUMAR_EMU_LASER_FACTORY_H
#define TUMAR_EMU_LASER_FACTORY_H

#include "apdu/laser.h"
#include "emulator/laser_card.h"

/* The personalised tree of jacarta-laser.md §4 with the model's PINs;
 * user_pin (may be NULL) replaces the factory user PIN, as an issuer
 * does.  NULL when memory runs out. */
struct tm_laser_card *tm_laser_card_new(const struct tm_model *m, const char *serial,
					const char *label, const char *user_pin);

/* GET CAPABILITY 0114's eight bytes, derived from the card's serial. */
void tm_laser_serial_capability(const struct tm_laser_card *c,
				uint8_t out[TM_LASER_CAP_SERIAL_LEN]);

#endif
