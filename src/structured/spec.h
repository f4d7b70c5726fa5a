/*
 * spec.h - channel specs: which tensor axes share one channel space
 * (internal).  The text format is documented in docs/channel-spec.md.
 *
 * A channel space is a set of C channels that several tensors index along
 * one axis each.  Permuting the space (position j takes original channel
 * p[j]) or removing channels from it must touch every entry the same way,
 * or the network no longer computes the same function:
 *
 *   producer  a weight whose OUTPUT axis makes the channels   (W[c, ...])
 *   bias      added to a producer's output channel c          (b[c])
 *   scale     multiplier of the channel's last affine step before its
 *             activation: batch-norm gamma g[c], or a depthwise kernel
 *   shift     its additive term: batch-norm beta[c], or the depthwise bias
 *   param     any other per-channel tensor (batch-norm mean, var; depthwise
 *             kernels): permuted / removed, never scaled
 *   alpha     PSP structure parameter: channel c is multiplied by alpha[c]
 *             just before its activation.  It folds exactly into the
 *             space's scale and shift entries when there are any
 *             (alpha (g z_hat + beta) = (alpha g) z_hat + alpha beta), else
 *             into producers and biases (alpha (W x + b))
 *   consumer  a weight whose INPUT axis reads the channels    (W[:, c, ...])
 *             -- these are grouped by 4 for 2:4 sparsity.  A consumer
 *             after a flatten reads C*K entries on its axis: channel c at
 *             position k is entry c*K + k (flatten=chw:K, PyTorch) or
 *             k*C + c (flatten=hwc:K, TensorFlow).
 *
 * Parsing (nms__spec_parse) checks syntax only; binding to a model
 * (nms__spec_bind) resolves tensors, default axes and layouts, and checks
 * sizes.  Every error names the spec file and the offending line.
 *
 * A bound spec: n_spaces spaces; space s has channels C_s and entries
 * e[0..n-1], each naming a model tensor index and the axis (0-based) that
 * runs over the space's channels.
 */
#ifndef NMS_STRUCTURED_SPEC_H
#define NMS_STRUCTURED_SPEC_H

#include <stddef.h>

#include "nmsparse.h"
#include "structured/model.h"

typedef struct nms__spec_entry {
    char *tensor;          /* tensor name                               */
    int axis;              /* axis as written, or -1 = role's default   */
    nms_channel_role role;
    nms_layout layout;     /* NMS_LAYOUT_AUTO when not written          */
    size_t flatten;        /* consumers: positions per channel, 0 = none */
    int flatten_minor;     /* 0: chw (index c*K + k), 1: hwc (k*C + c)   */
    long line;             /* 1-based line in the spec file             */
} nms__spec_entry;

typedef struct nms__spec_space {
    char *name;
    size_t declared;       /* channel count written on the line, or 0   */
    long line;
    size_t n, cap;
    nms__spec_entry *e;
} nms__spec_space;

struct nms_channel_spec {
    char *source;          /* file name for messages                    */
    size_t n, cap;
    nms__spec_space *spaces;
};

typedef struct nms__bound_entry {
    size_t tensor;         /* index in the model                        */
    const char *name;      /* = model name, borrowed                    */
    int axis;              /* resolved axis, 0 <= axis < ndim           */
    nms_channel_role role;
    nms_layout layout;     /* resolved (never AUTO for weights)         */
    size_t flatten;        /* positions per channel K (1 = plain)       */
    int flatten_minor;     /* axis index of (channel c, position k):
                              0 (chw): c*K + k    1 (hwc): k*C + c      */
    long line;
} nms__bound_entry;

/* The axis indices of an entry for channel indices: out[i] for a list of
 * m channels ch[0..m-1] of a space of C channels is m*K entries:
 *   chw: out[j*K + k] = ch[j]*K + k      hwc: out[k*m + j] = k*C + ch[j]
 * so permuting / selecting the axis by `out` permutes / selects channels.
 * *out is nms__malloc'd. */
int nms__entry_axis_index(const nms__bound_entry *e, size_t C, const int32_t *ch,
                          size_t m, int32_t **out, nms_error *err);

typedef struct nms__bound_space {
    const char *name;      /* borrowed from the spec                    */
    size_t channels;
    long line;
    size_t n;
    nms__bound_entry *e;
} nms__bound_space;

typedef struct nms__binding {
    size_t n;
    nms__bound_space *spaces;
} nms__binding;

/* Parse spec text (not NUL-terminated necessarily: `size` bytes). */
int nms__spec_parse(const char *text, size_t size, const char *source,
                    nms_channel_spec **out, nms_error *err);

/* Resolve the spec against a model's names and shapes (data not needed). */
int nms__spec_bind(const nms_channel_spec *spec, const nms__model *m,
                   nms__binding **out, nms_error *err);
void nms__binding_free(nms__binding *b);

/* Input / output axis of a weight of `ndim` axes in `layout`
 * (OI, OIHW: in 1, out 0; HWIO: in ndim-2, out ndim-1). */
int nms__layout_in_axis(nms_layout layout, int ndim);
int nms__layout_out_axis(nms_layout layout, int ndim);

const char *nms__role_name(nms_channel_role role);

#endif /* NMS_STRUCTURED_SPEC_H */
