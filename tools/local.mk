# SPDX-License-Identifier: LGPL-2.1-or-later
# tools/: tumar-trace (APDU traces; replay speaks PC/SC) and tumar-tool
# (the token owner's tool).
bin_PROGRAMS += tools/tumar-trace
tools_tumar_trace_SOURCES = \
	tools/apdu_names.c tools/apdu_names.h \
	tools/trace_cmds.h \
	tools/trace_decode.c \
	tools/trace_input.c \
	tools/trace_names.c tools/trace_names.h \
	tools/json_out.c tools/json_out.h \
	tools/trace_main.c \
	tools/trace_replay.c \
	tools/trace_stats.c
tools_tumar_trace_CPPFLAGS = $(AM_CPPFLAGS) $(PCSC_CFLAGS)
tools_tumar_trace_LDADD = apdu/libtumar-apdu.la $(PCSC_LIBS) $(CRYPTO_LIBS)

# tumar-tool loads a PKCS#11 module with dlopen(); it never links one.
bin_PROGRAMS += tools/tumar-tool
tools_tumar_tool_SOURCES = \
	tools/cmd_change_pin.c \
	tools/cmd_csr.c \
	tools/cmd_delete.c \
	tools/cmd_expiry.c \
	tools/cmd_import.c \
	tools/cmd_info.c \
	tools/cmd_install_cert.c \
	tools/cmd_keygen.c \
	tools/cmd_keys.c \
	tools/cmd_list.c \
	tools/cmd_reissue.c \
	tools/cmd_sign.c \
	tools/cmd_unblock.c \
	tools/json_out.c tools/json_out.h \
	tools/kz_id.c tools/kz_id.h \
	tools/p12_key.c tools/p12_key.h \
	tools/p12_read.c tools/p12_read.h \
	tools/tool.h \
	tools/tool_certs.c tools/tool_certs.h \
	tools/tool_cmds.h \
	tools/tool_csr.c \
	tools/tool_import.c tools/tool_import.h \
	tools/tool_install.c \
	tools/tool_keygen.c tools/tool_keys.h \
	tools/tool_keylist.c tools/tool_keylist.h \
	tools/tool_main.c \
	tools/tool_objects.c tools/tool_objects.h \
	tools/tool_out.c tools/tool_out.h \
	tools/tool_p11.c \
	tools/tool_pin.c tools/tool_pin.h \
	tools/tool_sign.c \
	tools/tool_uri.c tools/tool_uri.h \
	driver/p11_gost.h \
	driver/vendor.h
tools_tumar_tool_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS) \
	-DTUMAR_DEFAULT_MODULE='"$(p11_moduledir)/tumar-pkcs11.so"'
tools_tumar_tool_LDADD = apdu/libtumar-apdu.la $(CRYPTO_LIBS) $(P11KIT_LIBS) -ldl -lpthread

# The test CA's helper for GOST requests with the NCA's OIDs, which the
# openssl command cannot read (scripts/tumar-test-ca.sh runs it from the
# build tree, as it runs from the source tree: neither is installed).
noinst_PROGRAMS += tools/tumar-test-ca-gost
tools_tumar_test_ca_gost_SOURCES = tools/test_ca_gost.c
tools_tumar_test_ca_gost_LDADD = apdu/libtumar-apdu.la $(CRYPTO_LIBS) -lpthread

# tumar-stack starts and stops a virtual token stack (pcscd + vpcd +
# tumar-emu) for users; the scripts/ directory is distributed whole.
bin_SCRIPTS = scripts/tumar-stack
