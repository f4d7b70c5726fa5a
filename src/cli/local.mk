# src/cli: the nmsparse program.  Options and wiring only.
nmsparse_SOURCES += \
	src/cli/cli.h \
	src/cli/commands.h \
	src/cli/main.c \
	src/cli/args.c
nmsparse_SOURCES += \
	src/cli/load.c \
	src/cli/cmd_info.c \
	src/cli/cmd_eval.c
