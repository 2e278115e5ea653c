/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tumar-emu --inspect's listing of a card image: one line of state (the
 * first, which scripts parse), then a line per PIN and per object or
 * file.  Never a PIN's value or a private key's bytes.
 */
#ifndef TUMAR_EMU_INSPECT_PRINT_H
#define TUMAR_EMU_INSPECT_PRINT_H

#include <stdio.h>

#include "emulator/card.h"
#include "emulator/laser_card.h"

void tm_inspect_print_card(const struct tm_card *c, FILE *out);
void tm_inspect_print_laser(const struct tm_laser_card *c, FILE *out);

/* The model key recorded in the card image at path, whichever format it
 * is (both keep it in the card record's first TLV, C1 inside E0).  TM_OK,
 * TM_ERR_NOT_FOUND (no file) or TM_ERR_MALFORMED with a sentence in why. */
int tm_inspect_model_key(const char *path, char *key, size_t cap, char *why, size_t why_cap);
/* The same for an image's bytes (fuzz_image feeds it). */
int tm_inspect_model_key_of(const uint8_t *data, size_t len, char *key, size_t cap, char *why,
			    size_t why_cap);

#endif
