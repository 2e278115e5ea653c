/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef TUMAR_TEST_MODELS_H
#define TUMAR_TEST_MODELS_H

#include "emulator/models.h"

/*
 * A shipped model (emulator/models.c), or a test model from
 * tests/data/KEY.profile: "tumar-full" is the Tumar applet with every
 * capability it has.  Loaded once; NULL when neither exists.
 */
const struct tm_model *tm_test_model(const char *key);

#endif
