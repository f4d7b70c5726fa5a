/*
 * recon_mnist.c - end-to-end benchmark of 2:4 weight reconstruction on
 * Fashion-MNIST (make bench; see recon_mnist.sh).
 *
 * 1. Train an MLP 784-512-256-10 (ReLU, softmax cross-entropy) with SGD +
 *    momentum, deterministic seed; every loop is split over samples or over
 *    output units, never over a sum, so results do not depend on threads.
 * 2. Collect the Gram matrix H = X^T X / N of the inputs of each layer from
 *    the first 2048 training images (dense network).
 * 3. Prune the two layers that feed hidden units (fc1 784->512 and
 *    fc2 512->256) to 2:4 with every method of nms_reconstruct(), each layer
 *    with its own H (computed on the dense network); the output layer
 *    fc3 256->10 stays dense.  Then again with an input-channel permutation
 *    per layer from nmsparse's partition solver (nms_part_solve) on the score
 *    |w_ij| sqrt(H_jj), or read from files (--perm1, --perm2).
 * 4. Print test accuracy (10 000 test images) for the dense network and
 *    each variant, and the relative layer errors E / tr(W H W^T).
 *
 * Usage: recon_mnist DIR [--epochs N] [--perm1 FILE --perm2 FILE]
 *                        [--part-seconds S]  (time limit of each permutation
 *                                             solve, default 30)
 *                        [--no-perm 1]       (identity only)
 *                        [--fisher N]        (fc2 with an empirical Fisher of
 *                                             N images, default 128; 0 = off)
 *                        [--save-prefix P]   (writes P_fc1_w.npy, _h, _score)
 *                        [--cache FILE]      (trained weights: reused when
 *                                             present for the same epochs)
 * DIR holds the uncompressed idx files train-images-idx3-ubyte, ...
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nmsparse.h"

#ifdef _OPENMP
#define OMP(x) _Pragma(x)
#else
#define OMP(x)
#endif

#define NIN 784
#define NH1 512
#define NH2 256
#define NOUT 10
#define BATCH 64
#define NCALIB 2048

static double now_s(void);

/* ---- data ---- */
static unsigned char *read_idx(const char *dir, const char *name, int dims, size_t *count)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "recon_mnist: cannot open %s\n", path);
        exit(1);
    }
    unsigned char hdr[16];
    size_t hl = dims == 3 ? 16 : 8;
    if (fread(hdr, 1, hl, f) != hl) {
        fprintf(stderr, "recon_mnist: %s: short header\n", path);
        exit(1);
    }
    size_t n = ((size_t)hdr[4] << 24) | ((size_t)hdr[5] << 16) | ((size_t)hdr[6] << 8) | hdr[7];
    size_t each = dims == 3 ? NIN : 1;
    unsigned char *d = malloc(n * each);
    if (!d || fread(d, 1, n * each, f) != n * each) {
        fprintf(stderr, "recon_mnist: %s: short data\n", path);
        exit(1);
    }
    fclose(f);
    *count = n;
    return d;
}

/* ---- random numbers (one stream, seeded: the run is reproducible) ---- */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static float rng_unif(void) { return (float)((double)(rng_next() >> 11) / 9007199254740992.0); }

/* ---- the network ---- */
typedef struct layer {
    int in, out;
    float *w, *b;   /* out x in, out */
    float *vw, *vb; /* momentum */
    float *gw, *gb; /* gradients */
} layer;

static void layer_init(layer *l, int in, int out)
{
    l->in = in;
    l->out = out;
    l->w = malloc(sizeof(float) * (size_t)in * (size_t)out);
    l->vw = calloc((size_t)in * (size_t)out, sizeof(float));
    l->gw = calloc((size_t)in * (size_t)out, sizeof(float));
    l->b = calloc((size_t)out, sizeof(float));
    l->vb = calloc((size_t)out, sizeof(float));
    l->gb = calloc((size_t)out, sizeof(float));
    float a = sqrtf(6.0f / (float)in);
    for (size_t i = 0; i < (size_t)in * (size_t)out; i++)
        l->w[i] = (2.0f * rng_unif() - 1.0f) * a;
}

/* out[b, :] = W in[b, :] + bias, optionally ReLU.  Computed as a sum of
 * rows of W^T scaled by the (often zero) inputs: vectorisable axpys. */
static void forward(const layer *l, const float *in, float *out, int nb, int relu)
{
    size_t ni = (size_t)l->in, no = (size_t)l->out;
    float *wt = malloc(sizeof(float) * ni * no);
    OMP("omp parallel for schedule(static)")
    for (long i = 0; i < (long)ni; i++)
        for (size_t o = 0; o < no; o++)
            wt[(size_t)i * no + o] = l->w[o * ni + (size_t)i];
    /* blocks of 8 samples share each streamed row of W^T */
    int nblk = (nb + 7) / 8;
    OMP("omp parallel for schedule(static)")
    for (int blk = 0; blk < nblk; blk++) {
        int b0 = blk * 8, b1 = b0 + 8 < nb ? b0 + 8 : nb;
        for (int b = b0; b < b1; b++)
            memcpy(out + (size_t)b * no, l->b, sizeof(float) * no);
        for (size_t i = 0; i < ni; i++) {
            const float *wi = wt + i * no;
            for (int b = b0; b < b1; b++) {
                float xi = in[(size_t)b * ni + i];
                if (xi == 0.0f)
                    continue;
                float *ob = out + (size_t)b * no;
                for (size_t o = 0; o < no; o++)
                    ob[o] += xi * wi[o];
            }
        }
        if (relu)
            for (size_t k = (size_t)b0 * no; k < (size_t)b1 * no; k++)
                out[k] = out[k] < 0.0f ? 0.0f : out[k];
    }
    free(wt);
}

/* gradients for dz (nb x out) with inputs in; din (nb x in) if not NULL */
static void backward(layer *l, const float *in, const float *dz, float *din, int nb)
{
    OMP("omp parallel for schedule(static)")
    for (int o = 0; o < l->out; o++) {
        float *gw = l->gw + (size_t)o * (size_t)l->in;
        float gb = 0.0f;
        memset(gw, 0, sizeof(float) * (size_t)l->in);
        for (int b = 0; b < nb; b++) {
            float d = dz[(size_t)b * (size_t)l->out + (size_t)o];
            if (d == 0.0f)
                continue;
            const float *x = in + (size_t)b * (size_t)l->in;
            for (int i = 0; i < l->in; i++)
                gw[i] += d * x[i];
            gb += d;
        }
        l->gb[o] = gb;
    }
    if (!din)
        return;
    int nblk = (nb + 7) / 8;
    OMP("omp parallel for schedule(static)")
    for (int blk = 0; blk < nblk; blk++) {
        int b0 = blk * 8, b1 = b0 + 8 < nb ? b0 + 8 : nb;
        memset(din + (size_t)b0 * (size_t)l->in, 0, sizeof(float) * (size_t)l->in * (size_t)(b1 - b0));
        for (int o = 0; o < l->out; o++) {
            const float *w = l->w + (size_t)o * (size_t)l->in;
            for (int b = b0; b < b1; b++) {
                float d = dz[(size_t)b * (size_t)l->out + (size_t)o];
                if (d == 0.0f)
                    continue;
                float *dx = din + (size_t)b * (size_t)l->in;
                for (int i = 0; i < l->in; i++)
                    dx[i] += d * w[i];
            }
        }
    }
}

static void sgd_step(layer *l, float lr, float mom)
{
    size_t n = (size_t)l->in * (size_t)l->out;
    OMP("omp parallel for schedule(static)")
    for (long i = 0; i < (long)n; i++) {
        l->vw[i] = mom * l->vw[i] - lr * l->gw[i];
        l->w[i] += l->vw[i];
    }
    for (int o = 0; o < l->out; o++) {
        l->vb[o] = mom * l->vb[o] - lr * l->gb[o];
        l->b[o] += l->vb[o];
    }
}

static void to_float(const unsigned char *img, size_t idx, float *x)
{
    for (int i = 0; i < NIN; i++)
        x[i] = (float)img[idx * NIN + (size_t)i] / 255.0f;
}

/* test accuracy (%) of the network with fc1/fc2 weights w1, w2 */
static double accuracy(const layer *l1, const layer *l2, const layer *l3, const float *w1, const float *w2,
                       const unsigned char *img, const unsigned char *lab, size_t n)
{
    layer a = *l1, b = *l2;
    a.w = (float *)(uintptr_t)w1;
    b.w = (float *)(uintptr_t)w2;
    const int chunk = 500;
    float *x = malloc(sizeof(float) * NIN * (size_t)chunk), *h1 = malloc(sizeof(float) * NH1 * (size_t)chunk);
    float *h2 = malloc(sizeof(float) * NH2 * (size_t)chunk), *z = malloc(sizeof(float) * NOUT * (size_t)chunk);
    size_t correct = 0;
    for (size_t s = 0; s < n; s += (size_t)chunk) {
        int nb = (int)(n - s < (size_t)chunk ? n - s : (size_t)chunk);
        for (int k = 0; k < nb; k++)
            to_float(img, s + (size_t)k, x + (size_t)k * NIN);
        forward(&a, x, h1, nb, 1);
        forward(&b, h1, h2, nb, 1);
        forward(l3, h2, z, nb, 0);
        for (int k = 0; k < nb; k++) {
            int best = 0;
            for (int c = 1; c < NOUT; c++)
                if (z[k * NOUT + c] > z[k * NOUT + best])
                    best = c;
            correct += best == lab[s + (size_t)k];
        }
    }
    free(x); free(h1); free(h2); free(z);
    return 100.0 * (double)correct / (double)n;
}

static nms_tensor *tensor_f32(size_t r, size_t c, const float *v)
{
    nms_tensor *t;
    size_t shape[2] = {r, c};
    if (nms_tensor_create(NMS_DTYPE_F32, 2, shape, &t, NULL) != NMS_OK)
        exit(1);
    if (v)
        memcpy(nms_tensor_data(t), v, r * c * sizeof(float));
    return t;
}

static void save_npy(const char *prefix, const char *name, const nms_tensor *t)
{
    char path[4096];
    nms_error err;
    snprintf(path, sizeof path, "%s_%s.npy", prefix, name);
    if (nms_npy_write(path, t, &err) != NMS_OK) {
        fprintf(stderr, "recon_mnist: %s\n", err.text);
        exit(1);
    }
}

static int32_t *load_perm(const char *path, size_t n)
{
    int32_t *p, *copy = malloc(n * sizeof *copy);
    size_t len;
    nms_error err;
    if (!copy || nms_perm_read(path, n, &p, &len, &err) != NMS_OK) {
        fprintf(stderr, "recon_mnist: %s\n", copy ? err.text : "out of memory");
        exit(1);
    }
    memcpy(copy, p, n * sizeof *copy);
    nms_free(p);
    return copy;
}

#include <time.h>
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: recon_mnist DIR [--epochs N] [--perm1 FILE --perm2 FILE] [--save-prefix P]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress shows up in logs */
    const char *dir = argv[1], *perm1_path = NULL, *perm2_path = NULL, *save_prefix = NULL,
               *cache_path = NULL;
    int epochs = 3, no_perm = 0, fisher_n = 128;
    double part_seconds = 30.0;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--epochs"))
            epochs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--perm1"))
            perm1_path = argv[i + 1];
        else if (!strcmp(argv[i], "--perm2"))
            perm2_path = argv[i + 1];
        else if (!strcmp(argv[i], "--part-seconds"))
            part_seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--fisher"))
            fisher_n = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--no-perm"))
            no_perm = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--cache"))
            cache_path = argv[i + 1];
        else if (!strcmp(argv[i], "--save-prefix"))
            save_prefix = argv[i + 1];
        else {
            fprintf(stderr, "recon_mnist: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    size_t ntr, ntrl, nte, ntel;
    unsigned char *tr = read_idx(dir, "train-images-idx3-ubyte", 3, &ntr);
    unsigned char *trl = read_idx(dir, "train-labels-idx1-ubyte", 1, &ntrl);
    unsigned char *te = read_idx(dir, "t10k-images-idx3-ubyte", 3, &nte);
    unsigned char *tel = read_idx(dir, "t10k-labels-idx1-ubyte", 1, &ntel);
    if (ntr != ntrl || nte != ntel || ntr < NCALIB) {
        fprintf(stderr, "recon_mnist: inconsistent idx files\n");
        return 1;
    }
    layer l1, l2, l3;
    layer_init(&l1, NIN, NH1);
    layer_init(&l2, NH1, NH2);
    layer_init(&l3, NH2, NOUT);

    /* ---- train (or load the weights a previous run cached) ---- */
    double t0 = now_s();
    layer *all[3] = {&l1, &l2, &l3};
    int cached = 0;
    if (cache_path) {
        FILE *cf = fopen(cache_path, "rb");
        if (cf) {
            int32_t ep = -1;
            cached = fread(&ep, sizeof ep, 1, cf) == 1 && ep == epochs;
            for (int k = 0; k < 3 && cached; k++) {
                size_t nw = (size_t)all[k]->in * (size_t)all[k]->out;
                cached = fread(all[k]->w, sizeof(float), nw, cf) == nw &&
                         fread(all[k]->b, sizeof(float), (size_t)all[k]->out, cf) == (size_t)all[k]->out;
            }
            fclose(cf);
            if (cached)
                printf("weights of a %d-epoch training loaded from %s\n", epochs, cache_path);
            else { /* stale or short: retrain from the same seed */
                for (int k = 0; k < 3; k++)
                    free(all[k]->w), free(all[k]->b);
                rng_state = 0x9E3779B97F4A7C15ull;
                layer_init(&l1, NIN, NH1);
                layer_init(&l2, NH1, NH2);
                layer_init(&l3, NH2, NOUT);
            }
        }
    }
    if (cached)
        epochs = 0;
    int trained_epochs = epochs;
    size_t *order = malloc(ntr * sizeof *order);
    float *x = malloc(sizeof(float) * NIN * BATCH), *h1 = malloc(sizeof(float) * NH1 * BATCH);
    float *h2 = malloc(sizeof(float) * NH2 * BATCH), *z = malloc(sizeof(float) * NOUT * BATCH);
    float *d1 = malloc(sizeof(float) * NH1 * BATCH), *d2 = malloc(sizeof(float) * NH2 * BATCH);
    for (size_t i = 0; i < ntr; i++)
        order[i] = i;
    for (int ep = 0; ep < epochs; ep++) {
        for (size_t i = ntr - 1; i > 0; i--) {
            size_t j = (size_t)(rng_next() % (i + 1));
            size_t t = order[i]; order[i] = order[j]; order[j] = t;
        }
        float lr = 0.02f * (ep == epochs - 1 && epochs > 1 ? 0.3f : 1.0f);
        double loss = 0.0;
        for (size_t s = 0; s + BATCH <= ntr; s += BATCH) {
            for (int k = 0; k < BATCH; k++)
                to_float(tr, order[s + (size_t)k], x + (size_t)k * NIN);
            forward(&l1, x, h1, BATCH, 1);
            forward(&l2, h1, h2, BATCH, 1);
            forward(&l3, h2, z, BATCH, 0);
            for (int k = 0; k < BATCH; k++) {
                float *zk = z + k * NOUT, m = zk[0], sum = 0.0f;
                for (int c = 1; c < NOUT; c++)
                    m = zk[c] > m ? zk[c] : m;
                for (int c = 0; c < NOUT; c++)
                    sum += expf(zk[c] - m);
                int y = trl[order[s + (size_t)k]];
                loss += (double)(logf(sum) + m - zk[y]);
                for (int c = 0; c < NOUT; c++)
                    zk[c] = (expf(zk[c] - m) / sum - (c == y ? 1.0f : 0.0f)) / BATCH;
            }
            backward(&l3, h2, z, d2, BATCH);
            for (int i = 0; i < NH2 * BATCH; i++)
                if (h2[i] <= 0.0f)
                    d2[i] = 0.0f;
            backward(&l2, h1, d2, d1, BATCH);
            for (int i = 0; i < NH1 * BATCH; i++)
                if (h1[i] <= 0.0f)
                    d1[i] = 0.0f;
            backward(&l1, x, d1, NULL, BATCH);
            sgd_step(&l1, lr, 0.9f);
            sgd_step(&l2, lr, 0.9f);
            sgd_step(&l3, lr, 0.9f);
        }
        printf("epoch %d: mean training loss %.4f (%.1f s)\n", ep + 1, loss / (double)(ntr - ntr % BATCH),
               now_s() - t0);
        fflush(stdout);
    }
    if (cache_path && trained_epochs > 0) {
        FILE *cf = fopen(cache_path, "wb");
        int32_t ep = trained_epochs;
        if (cf) {
            int okw = fwrite(&ep, sizeof ep, 1, cf) == 1;
            for (int k = 0; k < 3; k++) {
                size_t nw = (size_t)all[k]->in * (size_t)all[k]->out;
                okw &= fwrite(all[k]->w, sizeof(float), nw, cf) == nw;
                okw &= fwrite(all[k]->b, sizeof(float), (size_t)all[k]->out, cf) == (size_t)all[k]->out;
            }
            okw &= fclose(cf) == 0;
            if (!okw)
                remove(cache_path);
        }
    }
    double dense_acc = accuracy(&l1, &l2, &l3, l1.w, l2.w, te, tel, nte);
    printf("dense test accuracy: %.2f %%\n", dense_acc);

    /* ---- Gram matrices from the first NCALIB training images ---- */
    double *g1 = calloc((size_t)NIN * NIN, sizeof(double)), *g2 = calloc((size_t)NH1 * NH1, sizeof(double));
    float *cx = malloc(sizeof(float) * NIN * NCALIB), *ch = malloc(sizeof(float) * NH1 * NCALIB);
    for (int k = 0; k < NCALIB; k++)
        to_float(tr, (size_t)k, cx + (size_t)k * NIN);
    forward(&l1, cx, ch, NCALIB, 1);
    OMP("omp parallel for schedule(dynamic, 8)")
    for (int i = 0; i < NIN; i++)
        for (int s = 0; s < NCALIB; s++) {
            float xi = cx[(size_t)s * NIN + (size_t)i];
            if (xi == 0.0f)
                continue;
            for (int j = 0; j < NIN; j++)
                g1[(size_t)i * NIN + (size_t)j] += (double)xi * (double)cx[(size_t)s * NIN + (size_t)j];
        }
    OMP("omp parallel for schedule(dynamic, 8)")
    for (int i = 0; i < NH1; i++)
        for (int s = 0; s < NCALIB; s++) {
            float xi = ch[(size_t)s * NH1 + (size_t)i];
            if (xi == 0.0f)
                continue;
            for (int j = 0; j < NH1; j++)
                g2[(size_t)i * NH1 + (size_t)j] += (double)xi * (double)ch[(size_t)s * NH1 + (size_t)j];
        }
    nms_tensor *H1, *H2;
    size_t sh1[2] = {NIN, NIN}, sh2[2] = {NH1, NH1};
    if (nms_tensor_create(NMS_DTYPE_F64, 2, sh1, &H1, NULL) || nms_tensor_create(NMS_DTYPE_F64, 2, sh2, &H2, NULL))
        return 1;
    double *h1d = nms_tensor_data(H1), *h2d = nms_tensor_data(H2);
    for (size_t i = 0; i < (size_t)NIN * NIN; i++)
        h1d[i] = g1[i] / NCALIB;
    for (size_t i = 0; i < (size_t)NH1 * NH1; i++)
        h2d[i] = g2[i] / NCALIB;
    nms_tensor *W1 = tensor_f32(NH1, NIN, l1.w), *W2 = tensor_f32(NH2, NH1, l2.w);
    if (save_prefix) {
        save_npy(save_prefix, "fc1_w", W1);
        save_npy(save_prefix, "fc1_h", H1);
        save_npy(save_prefix, "fc2_w", W2);
        save_npy(save_prefix, "fc2_h", H2);
        /* the permutation score |w_ij| sqrt(H_jj) */
        nms_tensor *S1 = tensor_f32(NH1, NIN, l1.w), *S2 = tensor_f32(NH2, NH1, l2.w);
        float *s1 = nms_tensor_data(S1), *s2 = nms_tensor_data(S2);
        for (size_t i = 0; i < (size_t)NH1 * NIN; i++)
            s1[i] = fabsf(s1[i]) * (float)sqrt(h1d[(i % NIN) * (NIN + 1)]);
        for (size_t i = 0; i < (size_t)NH2 * NH1; i++)
            s2[i] = fabsf(s2[i]) * (float)sqrt(h2d[(i % NH1) * (NH1 + 1)]);
        save_npy(save_prefix, "fc1_score", S1);
        save_npy(save_prefix, "fc2_score", S2);
        nms_tensor_free(S1);
        nms_tensor_free(S2);
    }

    /* ---- permutations: files, or nmsparse's partition solver on the score
     * |w_ij| sqrt(H_jj) (heuristic mode above 256 channels) ---- */
    int32_t *p1 = perm1_path ? load_perm(perm1_path, NIN) : NULL;
    int32_t *p2 = perm2_path ? load_perm(perm2_path, NH1) : NULL;
    if (!no_perm && (!p1 || !p2)) {
        nms_tensor *S[2] = {tensor_f32(NH1, NIN, l1.w), tensor_f32(NH2, NH1, l2.w)};
        const double *hd[2] = {h1d, h2d};
        int32_t **dst[2] = {&p1, &p2};
        for (int k = 0; k < 2; k++) {
            float *sv = nms_tensor_data(S[k]);
            size_t rows = nms_tensor_dim(S[k], 0), cols = nms_tensor_dim(S[k], 1);
            for (size_t i = 0; i < rows * cols; i++)
                sv[i] = fabsf(sv[i]) * (float)sqrt(hd[k][(i % cols) * (cols + 1)]);
            if (*dst[k])
                continue;
            nms_part_options po;
            nms_part_result pr;
            nms_error err;
            nms_part_options_default(&po);
            po.time_limit = part_seconds;
            double ts = now_s();
            if (nms_part_solve(S[k], &po, &pr, &err) != NMS_OK) {
                fprintf(stderr, "recon_mnist: part solver: %s\n", err.text);
                return 1;
            }
            *dst[k] = malloc(cols * sizeof(int32_t));
            memcpy(*dst[k], pr.perm, cols * sizeof(int32_t));
            printf("permutation fc%d (%zu channels): score kept %.6g vs identity %.6g (+%.3f %%), bound %.6g (%s, %s), %.1f s\n",
                   k + 1, cols, pr.value, pr.identity_value, 100.0 * (pr.value / pr.identity_value - 1.0), pr.bound,
                   nms_part_bound_kind_name(pr.bound_kind), nms_part_status_name(pr.status), now_s() - ts);
            nms_part_result_free(&pr);
        }
        nms_tensor_free(S[0]);
        nms_tensor_free(S[1]);
    }
    int nperm = (p1 && p2) ? 2 : 1;
    printf("\n%-10s %-9s %12s %12s %10s %8s %8s\n", "method", "perm", "fc1 rel.err", "fc2 rel.err", "test acc",
           "delta", "seconds");
    printf("%-10s %-9s %12s %12s %9.2f%% %8s %8s\n", "dense", "-", "0", "0", dense_acc, "", "");
    double errs[2][5][2], accs[2][5];
    for (int pv = 0; pv < nperm; pv++) {
        for (int m = NMS_RECON_MAGNITUDE; m <= NMS_RECON_IHT; m++) {
            nms_recon_options o;
            nms_recon_report r1, r2;
            nms_tensor *X1, *X2;
            nms_error err;
            nms_recon_options_init(&o);
            o.method = (nms_recon_method)m;
            double ts = now_s();
            o.perm = pv ? p1 : NULL;
            if (nms_reconstruct(W1, H1, NULL, &o, &X1, NULL, &r1, &err) != NMS_OK) {
                fprintf(stderr, "recon_mnist: fc1: %s\n", err.text);
                return 1;
            }
            o.perm = pv ? p2 : NULL;
            if (nms_reconstruct(W2, H2, NULL, &o, &X2, NULL, &r2, &err) != NMS_OK) {
                fprintf(stderr, "recon_mnist: fc2: %s\n", err.text);
                return 1;
            }
            double secs = now_s() - ts;
            double acc = accuracy(&l1, &l2, &l3, nms_tensor_cdata(X1), nms_tensor_cdata(X2), te, tel, nte);
            errs[pv][m][0] = r1.rel_error;
            errs[pv][m][1] = r2.rel_error;
            accs[pv][m] = acc;
            printf("%-10s %-9s %12.5f %12.5f %9.2f%% %+8.2f %8.1f\n", nms_recon_method_name((nms_recon_method)m),
                   pv ? "part" : "identity", r1.rel_error, r2.rel_error, acc, acc - dense_acc, secs);
            fflush(stdout);
            nms_tensor_free(X1);
            nms_tensor_free(X2);
        }
    }
    /* ---- fc2 alone with an empirical Fisher (CHITA's setting): per-sample
     * gradients of the cross-entropy with respect to W2, G[s] = d2_s (x) h1_s
     * (d2 = dL/d(pre-activation of fc2)), n = fisher_n calibration images;
     * fc1 stays dense here.  Errors are relative to tr(W H W^T), H = G^T G/n. */
    if (fisher_n > 0) {
        size_t n = (size_t)fisher_n, p = (size_t)NH2 * NH1;
        float *fx = malloc(sizeof(float) * NIN * n), *fh1 = malloc(sizeof(float) * NH1 * n);
        float *fh2 = malloc(sizeof(float) * NH2 * n), *fz = malloc(sizeof(float) * NOUT * n);
        float *fd2 = malloc(sizeof(float) * NH2 * n);
        nms_tensor *G;
        size_t gs[2] = {n, p};
        if (nms_tensor_create(NMS_DTYPE_F32, 2, gs, &G, NULL) != NMS_OK)
            return 1;
        float *g = nms_tensor_data(G);
        for (size_t k = 0; k < n; k++)
            to_float(tr, k, fx + k * NIN);
        forward(&l1, fx, fh1, (int)n, 1);
        forward(&l2, fh1, fh2, (int)n, 1);
        forward(&l3, fh2, fz, (int)n, 0);
        for (size_t k = 0; k < n; k++) {
            float *zk = fz + k * NOUT, m = zk[0], sum = 0.0f;
            for (int c = 1; c < NOUT; c++)
                m = zk[c] > m ? zk[c] : m;
            for (int c = 0; c < NOUT; c++)
                sum += expf(zk[c] - m);
            for (int c = 0; c < NOUT; c++)
                zk[c] = expf(zk[c] - m) / sum - (c == trl[k] ? 1.0f : 0.0f);
            for (int o = 0; o < NH2; o++) {
                float acc = 0.0f;
                for (int c = 0; c < NOUT; c++)
                    acc += zk[c] * l3.w[(size_t)c * NH2 + (size_t)o];
                fd2[k * NH2 + (size_t)o] = fh2[k * NH2 + (size_t)o] > 0.0f ? acc : 0.0f;
            }
            for (size_t o = 0; o < NH2; o++)
                for (size_t i = 0; i < NH1; i++)
                    g[k * p + o * NH1 + i] = fd2[k * NH2 + o] * fh1[k * NH1 + i];
        }
        printf("\nfc2 with an empirical Fisher from %zu images (fc1 dense; G is %zu x %zu):\n", n, n, p);
        printf("%-10s %12s %14s %10s %8s %8s\n", "method", "fc2 rel.err", "damped rel.obj", "test acc", "delta",
               "seconds");
        nms_recon_method fm[] = {NMS_RECON_MAGNITUDE, NMS_RECON_WANDA, NMS_RECON_BACKSOLVE, NMS_RECON_IHT};
        for (size_t k = 0; k < sizeof fm / sizeof *fm; k++) {
            nms_recon_options o;
            nms_recon_report r;
            nms_tensor *X;
            nms_error err;
            nms_recon_options_init(&o);
            o.method = fm[k];
            if (nms_reconstruct(W2, NULL, G, &o, &X, NULL, &r, &err) != NMS_OK) {
                fprintf(stderr, "recon_mnist: fisher: %s\n", err.text);
                return 1;
            }
            double acc = accuracy(&l1, &l2, &l3, l1.w, nms_tensor_cdata(X), te, tel, nte);
            printf("%-10s %12.3g %14.3g %9.2f%% %+8.2f %8.1f\n", nms_recon_method_name(fm[k]), r.rel_error,
                   r.objective / r.base, acc, acc - dense_acc, r.seconds);
            nms_tensor_free(X);
        }
        nms_tensor_free(G);
        free(fx); free(fh1); free(fh2); free(fz); free(fd2);
    }

    /* ---- goals ---- */
    int ok = 1;
    for (int pv = 0; pv < nperm; pv++) {
        double best_acc = -1;
        for (int layer_i = 0; layer_i < 2; layer_i++) {
            double ref = errs[pv][NMS_RECON_BACKSOLVE][layer_i], best = INFINITY;
            const char *bn = "";
            for (int m = NMS_RECON_BACKSOLVE; m <= NMS_RECON_IHT; m++)
                if (errs[pv][m][layer_i] < best) {
                    best = errs[pv][m][layer_i];
                    bn = nms_recon_method_name((nms_recon_method)m);
                }
            int pass = best <= 0.9 * ref;
            ok &= pass;
            printf("goal [%s] fc%d: best (%s) / wanda+backsolve = %.3f (<= 0.9: %s); magnitude / wanda+backsolve = %.1f\n",
                   pv ? "part" : "identity", layer_i + 1, bn, best / ref, pass ? "met" : "NOT met",
                   errs[pv][NMS_RECON_MAGNITUDE][layer_i] / ref);
        }
        best_acc = accs[pv][NMS_RECON_IHT];
        int pass = best_acc >= dense_acc - 0.25;
        ok &= pass;
        printf("goal [%s] accuracy: iht %.2f %% vs dense %.2f %% (within 0.25 points: %s)\n", pv ? "part" : "identity",
               best_acc, dense_acc, pass ? "met" : "NOT met");
    }
    printf("all goals %s\n", ok ? "met" : "NOT met");
    nms_tensor_free(W1); nms_tensor_free(W2); nms_tensor_free(H1); nms_tensor_free(H2);
    free(p1);
    free(p2);
    return 0;
}
