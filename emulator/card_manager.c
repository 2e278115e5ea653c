/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "card_manager.h"

#include <string.h>

#include "apdu/protocol.h"
#include "apdu/sw.h"
#include "apdu/tlv.h"

static const uint8_t card_manager_aid[] = {0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00};

bool tm_card_manager_aid(const uint8_t *data, size_t len)
{
	return len == sizeof(card_manager_aid) && memcmp(data, card_manager_aid, len) == 0;
}

uint16_t tm_card_manager_select(const struct tm_apdu *c, struct tm_buf *out)
{
	if ((c->p2 & 0x0C) == 0x0C)
		return TM_SW_OK;
	size_t fci = tm_tlv_begin(out, TM_TAG_FCI);
	tm_tlv_put(out, TM_TAG_AID, card_manager_aid, sizeof(card_manager_aid));
	size_t prop = tm_tlv_begin(out, TM_TAG_PROPRIETARY);
	tm_tlv_put_u8(out, 0x9F65, 0xFF); /* maximum length of data field in command */
	tm_tlv_end(out, prop);
	tm_tlv_end(out, fci);
	return TM_SW_OK;
}
