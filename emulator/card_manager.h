/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The GlobalPlatform card manager every emulated token has beside its
 * PKI applet (docs/emulator.md, "Applications on the card"): the AID
 * GlobalPlatform 2.2 gives the Issuer Security Domain.  It answers SELECT
 * and nothing else here; selecting it deselects the PKI applet, as
 * another application's successful SELECT does on a real card.  Both
 * applets (Tumar, LASER) use it.
 */
#ifndef TUMAR_EMU_CARD_MANAGER_H
#define TUMAR_EMU_CARD_MANAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "apdu/buf.h"

/* Whether a SELECT by name's data is the card manager's AID. */
bool tm_card_manager_aid(const uint8_t *data, size_t len);

/* The answer to its SELECT: a short FCI, none when P2 asks for none. */
uint16_t tm_card_manager_select(const struct tm_apdu *c, struct tm_buf *out);

#endif
