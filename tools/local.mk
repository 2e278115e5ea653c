# tools/: tumar-trace (tumar-tool comes next, issue 5).
bin_PROGRAMS += tools/tumar-trace
tools_tumar_trace_SOURCES = \
	tools/apdu_names.c tools/apdu_names.h \
	tools/trace_cmds.h \
	tools/trace_decode.c \
	tools/trace_main.c \
	tools/trace_stats.c
tools_tumar_trace_LDADD = apdu/libtumar-apdu.la $(CRYPTO_LIBS)
