/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The libFuzzer entry point every target defines.  Built with
 * --enable-fuzzing, libFuzzer drives it; otherwise replay_main.c runs it
 * over the committed seeds in tests/fuzz/corpus/<target>/. */
#ifndef TUMAR_TESTS_FUZZ_H
#define TUMAR_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/crypto.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether n bytes at p are all zero (a wiped buffer).  Through
 * libcrypto, which is not instrumented: a byte loop here, over a 64 KiB
 * buffer per input, was 80% of fuzz_trace_inputs' time in coverage
 * callbacks. */
static inline bool fuzz_all_zero(const void *p, size_t n)
{
	static const uint8_t zero[65536];
	const uint8_t *b = p;

	for (; n > sizeof(zero); n -= sizeof(zero), b += sizeof(zero))
		if (CRYPTO_memcmp(b, zero, sizeof(zero)) != 0)
			return false;
	return CRYPTO_memcmp(b, zero, n) == 0;
}

#endif
