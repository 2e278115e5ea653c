# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/: tumar-bench (any PKCS#11 module, with a peer in the same run)
# and tumar-echo-card (the transport floor).  Built by make, not
# installed; `make bench` runs scripts/bench.sh.
noinst_PROGRAMS += bench/tumar-bench bench/tumar-echo-card
bench_tumar_bench_SOURCES = \
	bench/apdus.c \
	bench/bench.h \
	bench/bench_main.c \
	bench/module.c \
	bench/openssl_ref.c \
	bench/probe.c \
	bench/report.c bench/report.h \
	bench/stats.c \
	bench/work.c \
	tools/json_out.c tools/json_out.h
bench_tumar_bench_CPPFLAGS = $(AM_CPPFLAGS) $(P11KIT_CFLAGS) $(PCSC_CFLAGS)
bench_tumar_bench_LDADD = apdu/libtumar-apdu.la $(PCSC_LIBS) $(CRYPTO_LIBS) -ldl -lpthread
bench_tumar_echo_card_SOURCES = bench/echo_card.c
bench_tumar_echo_card_LDADD = emulator/libtumar-emu.la $(CRYPTO_LIBS)

bench: all
	TM_BUILDDIR='$(abs_top_builddir)' TM_SRCDIR='$(abs_top_srcdir)' \
		$(BASH) $(top_srcdir)/scripts/bench.sh
.PHONY: bench
