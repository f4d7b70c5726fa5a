# src/util: status + messages, allocation, checked arithmetic, timers.
libnmsparse_la_SOURCES += \
	src/util/util.h \
	src/util/error.c \
	src/util/alloc.c \
	src/util/timer.c
