# src/part: the channel partition problem: objective, and (later) the
# branch-and-price solver.
libnmsparse_la_SOURCES += \
	src/part/objective.h \
	src/part/objective.c
