# src/util: status + messages, allocation, checked arithmetic, timers,
# dense vector kernels.
libnmsparse_la_SOURCES += \
	src/util/util.h \
	src/util/error.c \
	src/util/alloc.c \
	src/util/timer.c \
	src/util/vec.h \
	src/util/vec.c
