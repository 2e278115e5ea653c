# SPDX-License-Identifier: LGPL-2.1-or-later
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
	tests/unit/test_gost \
	tests/unit/test_sw \
	tests/unit/test_tlv \
	tests/unit/test_pcscd_log \
	tests/unit/test_trace \
	tests/unit/test_trace_join \
	tests/unit/test_transceive
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)
# The KalkanCrypt vectors are read from the source tree.
tests_unit_test_gost_SOURCES = tests/unit/test_gost.c \
	tests/support/kz_vectors.c tests/support/kz_vectors.h
tests_unit_test_gost_CPPFLAGS = $(AM_CPPFLAGS) $(TEST_SRCDIR_FLAG)

# Fuzz targets.  With --enable-fuzzing they are libFuzzer programs to run
# by hand (docs/testing.md); otherwise make check replays their seeds.
fuzz_targets = \
	tests/fuzz/fuzz_apdu_decode \
	tests/fuzz/fuzz_applet \
	tests/fuzz/fuzz_faults \
	tests/fuzz/fuzz_image \
	tests/fuzz/fuzz_laser_applet \
	tests/fuzz/fuzz_laser_codecs \
	tests/fuzz/fuzz_laser_image \
	tests/fuzz/fuzz_pcscd_log \
	tests/fuzz/fuzz_pkcs11 \
	tests/fuzz/fuzz_profile \
	tests/fuzz/fuzz_pubkey \
	tests/fuzz/fuzz_gost_spki \
	tests/fuzz/fuzz_p12_key \
	tests/fuzz/fuzz_tlv \
	tests/fuzz/fuzz_trace \
	tests/fuzz/fuzz_trace_inputs
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
tests_fuzz_fuzz_pubkey_SOURCES = tests/fuzz/fuzz_pubkey.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_pubkey_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_pubkey_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_gost_spki_SOURCES = tests/fuzz/fuzz_gost_spki.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_gost_spki_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_gost_spki_LDADD = $(FUZZ_LIBS)
# The key-store reader is tumar-tool's; its mapping is built in here.
tests_fuzz_fuzz_p12_key_SOURCES = tests/fuzz/fuzz_p12_key.c tests/fuzz/fuzz.h \
	tools/p12_key.c tools/p12_key.h $(FUZZ_MAIN)
tests_fuzz_fuzz_p12_key_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_p12_key_LDADD = $(FUZZ_LIBS) -lpthread
FUZZ_EMU_LIBS = emulator/libtumar-emu.la $(FUZZ_LIBS)
tests_fuzz_fuzz_applet_SOURCES = tests/fuzz/fuzz_applet.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_applet_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_applet_LDADD = $(FUZZ_EMU_LIBS)
tests_fuzz_fuzz_faults_SOURCES = tests/fuzz/fuzz_faults.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_faults_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_faults_LDADD = $(FUZZ_EMU_LIBS)
tests_fuzz_fuzz_image_SOURCES = tests/fuzz/fuzz_image.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_image_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_image_LDADD = $(FUZZ_EMU_LIBS)
tests_fuzz_fuzz_laser_applet_SOURCES = tests/fuzz/fuzz_laser_applet.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_laser_applet_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_laser_applet_LDADD = $(FUZZ_EMU_LIBS)
tests_fuzz_fuzz_laser_codecs_SOURCES = tests/fuzz/fuzz_laser_codecs.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_laser_codecs_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_laser_codecs_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_laser_image_SOURCES = tests/fuzz/fuzz_laser_image.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_laser_image_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_laser_image_LDADD = $(FUZZ_EMU_LIBS)
tests_fuzz_fuzz_pkcs11_SOURCES = tests/fuzz/fuzz_pkcs11.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_pkcs11_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS)
tests_fuzz_fuzz_pkcs11_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_pkcs11_LDADD = driver/libtumar-driver.la $(FUZZ_EMU_LIBS) $(PCSC_LIBS) -lpthread
tests_fuzz_fuzz_profile_SOURCES = tests/fuzz/fuzz_profile.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_profile_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_profile_LDADD = $(FUZZ_EMU_LIBS)
tests_fuzz_fuzz_tlv_SOURCES = tests/fuzz/fuzz_tlv.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_tlv_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_tlv_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_trace_SOURCES = tests/fuzz/fuzz_trace.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_trace_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_trace_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_pcscd_log_SOURCES = tests/fuzz/fuzz_pcscd_log.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_pcscd_log_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_pcscd_log_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_trace_inputs_SOURCES = tests/fuzz/fuzz_trace_inputs.c tests/fuzz/fuzz.h $(FUZZ_MAIN)
tests_fuzz_fuzz_trace_inputs_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_trace_inputs_LDADD = $(FUZZ_LIBS)

EXTRA_DIST += tests/fuzz/corpus tests/fuzz/replay_main.c docs/examples

# Test models (tests/data/*.profile) are read from the source tree.
TEST_SRCDIR_FLAG = -DTM_TEST_SRCDIR='"$(abs_top_srcdir)"'
EXTRA_DIST += tests/data

# Emulator unit tests: the applet through its dispatch function.
check_LTLIBRARIES += tests/libtmemutest.la
tests_libtmemutest_la_SOURCES = tests/support/emu.c tests/support/emu.h \
	tests/support/laser_emu.c tests/support/laser_emu.h \
	tests/support/test_models.c tests/support/test_models.h
tests_libtmemutest_la_CPPFLAGS = $(AM_CPPFLAGS) $(TEST_SRCDIR_FLAG)
emu_tests = \
	tests/unit/test_emu_crypto \
	tests/unit/test_emu_faults \
	tests/unit/test_emu_framing \
	tests/unit/test_emu_image \
	tests/unit/test_emu_models \
	tests/unit/test_emu_objects \
	tests/unit/test_emu_pin \
	tests/unit/test_emu_profile \
	tests/unit/test_laser_files \
	tests/unit/test_laser_keys \
	tests/unit/test_laser_pin \
	tests/unit/test_laser_select \
	tests/unit/test_laser_sm
check_PROGRAMS += $(emu_tests)
TESTS += $(emu_tests)
EMU_TEST_LIBS = tests/libtmemutest.la emulator/libtumar-emu.la $(LDADD)
tests_unit_test_emu_crypto_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_emu_faults_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_emu_framing_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_emu_image_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_emu_models_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_emu_objects_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_emu_pin_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_emu_profile_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_laser_files_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_laser_keys_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_laser_pin_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_laser_select_LDADD = $(EMU_TEST_LIBS)
tests_unit_test_laser_sm_LDADD = $(EMU_TEST_LIBS)

# Integration tests: the real stack (pcscd + vpcd + tumar-emu) and real
# clients.  Shell scripts printing TAP; their helper programs below.
check_PROGRAMS += \
	tests/integration/ctl-trickle \
	tests/integration/free-port \
	tests/integration/make-nca-p12 \
	tests/integration/p11-client \
	tests/integration/pcsc-flow \
	tests/integration/vpcd-client
tests_integration_ctl_trickle_SOURCES = tests/integration/ctl_trickle.c
tests_integration_ctl_trickle_LDADD =
tests_integration_free_port_SOURCES = tests/integration/free_port.c
tests_integration_free_port_LDADD =
tests_integration_make_nca_p12_SOURCES = tests/integration/make_nca_p12.c
tests_integration_make_nca_p12_LDADD = apdu/libtumar-apdu.la $(CRYPTO_LIBS) -lpthread
tests_integration_p11_client_SOURCES = tests/integration/p11_client.c
tests_integration_p11_client_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS)
tests_integration_p11_client_LDADD = $(CRYPTO_LIBS) -ldl -lpthread
tests_integration_vpcd_client_SOURCES = tests/integration/vpcd_client.c
tests_integration_pcsc_flow_SOURCES = tests/integration/pcsc_flow.c
tests_integration_pcsc_flow_CPPFLAGS = $(AM_CPPFLAGS) $(PCSC_CFLAGS)
tests_integration_pcsc_flow_LDADD = apdu/libtumar-apdu.la $(PCSC_LIBS) $(CRYPTO_LIBS)

integration_tests = \
	tests/integration/bench_smoke.sh \
	tests/integration/docs_man.sh \
	tests/integration/emu_crash_laser_pin.sh \
	tests/integration/emu_remove_race.sh \
	tests/integration/emu_stack.sh \
	tests/integration/p11_engine.sh \
	tests/integration/p11_gost.sh \
	tests/integration/p11_java.sh \
	tests/integration/p11_conformance.sh \
	tests/integration/p11_kit.sh \
	tests/integration/p11_laser.sh \
	tests/integration/p11_pcscd_restart.sh \
	tests/integration/p11_sharing.sh \
	tests/integration/p11_stack.sh \
	tests/integration/p11_tool.sh \
	tests/integration/python_api.sh \
	tests/integration/quickstart.sh \
	tests/integration/secrets_scan.sh \
	tests/integration/tool_eds.sh \
	tests/integration/tool_gost.sh \
	tests/integration/tool_import.sh \
	tests/integration/tool_keys.sh \
	tests/integration/tool_messages.sh \
	tests/integration/tool_softhsm.sh \
	tests/integration/tool_stack.sh \
	tests/integration/trace_pcscd.sh \
	tests/integration/trace_tool.sh
TESTS += $(integration_tests)
EXTRA_DIST += $(integration_tests) tests/integration/lib.sh tests/integration/SunPkcs11Sign.java \
	tests/integration/remove_race.py \
	tests/python/tap.py tests/python/test_api.py tests/python/test_kaztoken.py \
	tests/package/debs.sh
TEST_EXTENSIONS = .sh
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = $(BASH)

# Driver unit tests: the PKCS#11 layer over virtual readers whose cards
# are the emulator's applet in this process.
check_LTLIBRARIES += tests/libtmp11test.la
tests_libtmp11test_la_SOURCES = tests/support/p11_readers.c tests/support/p11_readers.h \
	tests/support/p11_session.c tests/support/p11_session.h \
	tests/support/test_models.c tests/support/test_models.h
tests_libtmp11test_la_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS) $(TEST_SRCDIR_FLAG)
p11_tests = tests/unit/test_p11 tests/unit/test_p11_conformance tests/unit/test_p11_objects \
	tests/unit/test_p11_keys tests/unit/test_p11_import tests/unit/test_p11_states \
	tests/unit/test_p11_sharing tests/unit/test_p11_laser tests/unit/test_p11_gost \
	tests/unit/test_p11_threads
check_PROGRAMS += $(p11_tests)
TESTS += $(p11_tests)
P11_TEST_LIBS = tests/libtmp11test.la driver/libtumar-driver.la \
	emulator/libtumar-emu.la $(LDADD) $(PCSC_LIBS) -lpthread
tests_unit_test_p11_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS)
tests_unit_test_p11_LDADD = $(P11_TEST_LIBS)
tests_unit_test_p11_conformance_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS)
tests_unit_test_p11_conformance_LDADD = $(P11_TEST_LIBS)
tests_unit_test_p11_objects_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS)
tests_unit_test_p11_objects_LDADD = $(P11_TEST_LIBS)
tests_unit_test_p11_keys_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS)
tests_unit_test_p11_keys_LDADD = $(P11_TEST_LIBS)
tests_unit_test_p11_import_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS)
tests_unit_test_p11_import_LDADD = $(P11_TEST_LIBS)
tests_unit_test_p11_states_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS)
tests_unit_test_p11_states_LDADD = $(P11_TEST_LIBS)
tests_unit_test_p11_threads_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS)
tests_unit_test_p11_threads_LDADD = $(P11_TEST_LIBS)
tests_unit_test_p11_sharing_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS)
tests_unit_test_p11_sharing_LDADD = $(P11_TEST_LIBS)
tests_unit_test_p11_laser_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS)
tests_unit_test_p11_laser_LDADD = $(P11_TEST_LIBS)
tests_unit_test_p11_gost_SOURCES = tests/unit/test_p11_gost.c \
	tests/support/kz_vectors.c tests/support/kz_vectors.h
tests_unit_test_p11_gost_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS) $(TEST_SRCDIR_FLAG)
tests_unit_test_p11_gost_LDADD = $(P11_TEST_LIBS)
