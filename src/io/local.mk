# src/io: tensors, .npy, safetensors, permutation files, atomic writes.
libnmsparse_la_SOURCES += \
	src/io/tensor.h \
	src/io/tensor.c \
	src/io/atomic_file.h \
	src/io/atomic_file.c \
	src/io/perm.c
