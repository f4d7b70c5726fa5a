# src/part: the channel partition problem: objective, heuristics, exact
# pricing, column generation master, exact partition search, driver.
libnmsparse_la_SOURCES += \
	src/part/objective.h \
	src/part/objective.c \
	src/part/part.h \
	src/part/problem.c \
	src/part/pricing_exact.c \
	src/part/pricing_heur.c \
	src/part/heuristic.c \
	src/part/bb.c \
	src/part/solve.c \
	src/part/master.c \
	src/part/report.c

nmsparse_SOURCES += src/cli/cmd_permute.c
