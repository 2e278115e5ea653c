# tests/: cmocka unit tests, fuzz targets (replayed over their seeds unless
# built with --enable-fuzzing), and the support code they share.
check_LTLIBRARIES += tests/libtmtest.la
tests_libtmtest_la_SOURCES = tests/support/script.c tests/support/script.h

# Unit tests build from tests/unit/<name>.c (automake's default source)
# with the default LDADD below; other programs name their own _LDADD.
LDADD = tests/libtmtest.la apdu/libtumar-apdu.la $(CMOCKA_LIBS) $(CRYPTO_LIBS)

unit_tests = \
	tests/unit/test_apdu \
	tests/unit/test_buf \
	tests/unit/test_sw \
	tests/unit/test_tlv \
	tests/unit/test_trace \
	tests/unit/test_transceive
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

# Fuzz targets.  With --enable-fuzzing they are libFuzzer programs to run
# by hand (docs/testing.md); otherwise make check replays their seeds.
fuzz_targets = \
	tests/fuzz/fuzz_apdu_decode \
	tests/fuzz/fuzz_tlv \
	tests/fuzz/fuzz_trace
if FUZZING
noinst_PROGRAMS += $(fuzz_targets)
FUZZ_MAIN =
else
check_PROGRAMS += $(fuzz_targets)
TESTS += $(fuzz_targets)
FUZZ_MAIN = tests/fuzz/replay_main.c
endif
FUZZ_LINK_FLAGS = $(AM_LDFLAGS) $(FUZZ_CFLAGS)
FUZZ_LIBS = apdu/libtumar-apdu.la $(CRYPTO_LIBS)

tests_fuzz_fuzz_apdu_decode_SOURCES = tests/fuzz/fuzz_apdu_decode.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_apdu_decode_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_apdu_decode_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_tlv_SOURCES = tests/fuzz/fuzz_tlv.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_tlv_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_tlv_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_trace_SOURCES = tests/fuzz/fuzz_trace.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_trace_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_trace_LDADD = $(FUZZ_LIBS)

EXTRA_DIST += tests/fuzz/corpus tests/fuzz/replay_main.c

# Emulator unit tests: the applet through its dispatch function.
check_LTLIBRARIES += tests/libtmemutest.la
tests_libtmemutest_la_SOURCES = tests/support/emu.c tests/support/emu.h
emu_tests = \
	tests/unit/test_emu_crypto \
	tests/unit/test_emu_framing \
	tests/unit/test_emu_image \
	tests/unit/test_emu_models \
	tests/unit/test_emu_objects \
	tests/unit/test_emu_pin
check_PROGRAMS += $(emu_tests)
TESTS += $(emu_tests)
EMU_TEST_LIBS = tests/libtmemutest.la emulator/libtumar-emu.la $(LDADD)
tests_unit_test_emu_crypto_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_emu_framing_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_emu_image_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_emu_models_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_emu_objects_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_emu_pin_LDADD = $(EMU_TEST_LIBS)
