/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The profile-file parser: never crashes, and what it accepts is a model
 * the emulator can personalise a card for. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "apdu/rc.h"
#include "emulator/card.h"
#include "emulator/profile.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tm_model m;
	char why[256];

	if (tm_profile_parse((const char *)data, size, &m, why, sizeof(why)) != TM_OK)
		return 0;
	if (!tm_model_atr_check(m.atr, m.atr_len) || m.n_algs == 0 ||
	    m.user.min_len > m.user.max_len)
		abort();
	struct tm_card *c = tm_card_new(&m, "FUZZ", NULL, NULL);
	if (c == NULL)
		abort();
	tm_card_free(c);
	return 0;
}
