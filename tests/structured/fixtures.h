/*
 * fixtures.h - small models for the structured tests, their channel specs,
 * and a tiny reference forward evaluator (double precision).
 *
 *  FX_MLP       x[6] -> fc1 16 -> relu -> fc2 12 -> relu -> fc3 4
 *               h_l = relu(alpha_l * (W_l h + b_l)) for l = 1, 2
 *  FX_CONV      x[3,5,5] -> conv1 (8,3,3,3 OIHW, no bias) -> bn1 -> *alpha1
 *               -> relu -> conv2 (3,3,8,12 HWIO, + bias) -> bn2 -> *alpha2
 *               -> relu -> global average pool -> fc 5x12 (+ bias)
 *               (3x3 kernels, stride 1, zero padding 1; bn eps 1e-5;
 *               also holds bn1.num_batches_tracked, an I64 scalar)
 *  FX_RESIDUAL  x[6] -> h0 = relu(a * (W0 x + b0))  [8]
 *               u = relu(W1 h0 + b1) [12];  h1 = h0 + a * (W2 u + b2)  [8]
 *               y = W3 relu(h1) + b3  [4]        (a = res.alpha, shared)
 *  FX_FLAT_CHW  x[2,3,3] -> conv1 (8,2,3,3 OIHW + bias) -> *alpha -> relu ->
 *               flatten (c, h, w) [72] -> fc1 12x72 -> relu -> fc2 4x12
 *  FX_FLAT_HWC  the same with conv1 in HWIO (3,3,2,8) and a (h, w, c)
 *               flatten: fc1 column k*8 + c reads channel c at position k
 *  FX_DEPTHWISE x[4,5,5] -> pw1 (8,4,1,1) + bias -> relu -> dw (8,1,3,3)
 *               depthwise + bias -> *alpha -> relu -> pw2 (12,8,1,1) ->
 *               relu -> global average pool -> fc 4x12 (MobileNet-like: the
 *               depthwise kernel and bias are the channel's last affine
 *               step, `scale` and `shift` in the spec)
 *
 * Weights are pseudo-random float32 from a fixed seed.  zero_alpha_every:
 * when > 0, alpha[c] = 0 exactly for c % zero_alpha_every == 1, else alpha
 * is in [0.5, 1.5).  The evaluator reads shapes from the tensors, so it
 * also runs shrunk models; it skips an alpha tensor that is absent.
 */
#ifndef NMS_TESTS_STRUCTURED_FIXTURES_H
#define NMS_TESTS_STRUCTURED_FIXTURES_H

#include <stddef.h>

#include "structured/model.h"

typedef enum fx_kind { FX_MLP, FX_CONV, FX_RESIDUAL, FX_FLAT_CHW, FX_FLAT_HWC, FX_DEPTHWISE } fx_kind;

nms__model *fx_build(fx_kind kind, unsigned seed, int zero_alpha_every);
const char *fx_spec_text(fx_kind kind);
size_t fx_input_size(fx_kind kind);
size_t fx_output_size(fx_kind kind);
/* y = model(x); returns 0, or -1 when a tensor is missing / misshapen. */
int fx_forward(const nms__model *m, fx_kind kind, const double *x, double *y);
/* Max |a - b| over n. */
double fx_max_diff(const double *a, const double *b, size_t n);
/* Deterministic uniform numbers in [lo, hi). */
double fx_uniform(unsigned *state, double lo, double hi);

#endif
