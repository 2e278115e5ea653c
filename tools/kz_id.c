/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The IIN/BIN check digit: weights 1..11 modulo 11; when that gives 10,
 * weights 3..11,1,2; when that gives 10 too, the number is not issued. */
#include <config.h>

#include <string.h>

#include "tools/kz_id.h"

bool tt_kz_id_valid(const char *s)
{
	static const int second[11] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2};
	int sum = 0;

	if (strlen(s) != 12 || strspn(s, "0123456789") != 12)
		return false;
	for (int i = 0; i < 11; i++)
		sum += (s[i] - '0') * (i + 1);
	sum %= 11;
	if (sum == 10) {
		sum = 0;
		for (int i = 0; i < 11; i++)
			sum += (s[i] - '0') * second[i];
		sum %= 11;
		if (sum == 10)
			return false;
	}
	return s[11] - '0' == sum;
}
