/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a trace's bytes mean to people: well-known AIDs, SELECT's P1-P2,
 * the Tumar applet's TLV tags (docs/protocol.md), by the template they
 * are in. */
#ifndef TUMAR_TOOLS_TRACE_NAMES_H
#define TUMAR_TOOLS_TRACE_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* "PIV", "OpenPGP", "JaCarta LASER applet", "Tumar applet", a card
 * manager's, ... for an AID (or an AID's prefix, as SELECT allows); NULL
 * for one it does not know. */
const char *tm_aid_name(const uint8_t *aid, size_t n);

/* SELECT's P1 and P2 in words ("by DF name, first or only, no response
 * data") into buf. */
const char *tm_select_p1p2(uint8_t p1, uint8_t p2, char *buf, size_t cap);

/* The name of a tag in the template `parent` (0 at the top level) of the
 * Tumar applet's data, or NULL. */
const char *tm_tumar_tag_name(uint32_t parent, uint32_t tag);

#endif
