#!/usr/bin/env python3
"""Regenerate the small fixtures of tests/cli_recon.sh (no numpy needed).

w.npy       8 x 16 float32 weights
h.npy       16 x 16 float64 Gram matrix X^T X / N of correlated inputs
eye.npy     16 x 16 float64 identity
g.npy       6 x 128 float32 per-sample gradients (a Fisher for w.npy)
conv.npy    4 x 4 x 3 x 3 float32 conv kernel [O, I, kh, kw]
hconv.npy   36 x 36 float64 im2col Gram matrix, index k*4 + i
hsmall.npy  4 x 4 float64 Gram matrix of the conv input channels
"""
import math, random, struct

def npy(path, descr, shape, values):
    fmt = {'<f4': 'f', '<f8': 'd'}[descr]
    shp = '(' + ', '.join(str(s) for s in shape) + (',)' if len(shape) == 1 else ')')
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shp)
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + ' ' * pad + '\n'
    with open(path, 'wb') as f:
        f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(header)) + header.encode())
        f.write(struct.pack('<%d%s' % (len(values), fmt), *values))

def gram(cols, n, rng):
    z = [[rng.gauss(0, 1) for _ in range(cols)] for _ in range(n)]
    x = [[z[s][j] * (0.3 + 0.4 * (j % 5)) + (0.8 * z[s][j - 1] if j else 0.0)
          + (0.5 * z[s][j + 2] if j + 2 < cols else 0.0) for j in range(cols)] for s in range(n)]
    return [sum(x[s][i] * x[s][j] for s in range(n)) / n for i in range(cols) for j in range(cols)]

rng = random.Random(20261121)
w = [struct.unpack('f', struct.pack('f', rng.gauss(0, 1)))[0] for _ in range(8 * 16)]
npy('w.npy', '<f4', (8, 16), w)
npy('h.npy', '<f8', (16, 16), gram(16, 40, rng))
npy('eye.npy', '<f8', (16, 16), [1.0 if i == j else 0.0 for i in range(16) for j in range(16)])
npy('g.npy', '<f4', (6, 128), [rng.gauss(0, 1) for _ in range(6 * 128)])
npy('conv.npy', '<f4', (4, 4, 3, 3), [rng.gauss(0, 1) for _ in range(4 * 4 * 9)])
npy('hconv.npy', '<f8', (36, 36), gram(36, 80, rng))
npy('hsmall.npy', '<f8', (4, 4), gram(4, 30, rng))
