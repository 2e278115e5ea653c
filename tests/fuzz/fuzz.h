/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The libFuzzer entry point every target defines.  Built with
 * --enable-fuzzing, libFuzzer drives it; otherwise replay_main.c runs it
 * over the committed seeds in tests/fuzz/corpus/<target>/. */
#ifndef TUMAR_TESTS_FUZZ_H
#define TUMAR_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
