// How fast one core's L2 feeds a matrix-vector product in the kernel's order of additions,
// by the order in which the weights are read. The product is `kernel::gemv2`'s for a matrix
// too large for L1 (R rows, C columns, column-major, x86-64 with AVX-512 and FMA): every
// output gets `add4`'s tree per four columns, `acc + (fma(w1, x1, w0 x0) + fma(w3, x3, w2
// x2))`, whatever the order of the loads, and each method's outputs are compared bit for
// bit with the panels'.
//
//   panels  eight columns side by side, the outputs loaded and stored once per eight
//           (`blocks.rs`'s `panels`: eight streams)
//   stream  one column after the other, front to back, partial sums in two rows in L1
//           (`zmm::stream`: one stream), one vector per loop step
//   roof    a plain sum over the same bytes, front to back (no product)
//
// Build and run (the product's shapes of lstm(64), gru(128) and lstm(128)):
//   gcc -O2 -mavx512f -mfma benches/probes/l2_stream.c -o /tmp/l2_stream
//   for s in "256 128" "384 256" "512 256"; do taskset -c 1 /tmp/l2_stream $s; done
// `-O3 -funroll-loops` unrolls `stream`'s loops; on Zen 5 that costs it a third.
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int R, C;
static float sums[2 * 4096] __attribute__((aligned(64)));

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

#define LOAD _mm512_loadu_ps
#define STORE _mm512_storeu_ps
#define MUL _mm512_mul_ps
#define ADD _mm512_add_ps
#define FMA _mm512_fmadd_ps

static void panels(float *out, const float *m, const float *x) {
    for (int c = 0; c < C; c += 8) {
        const float *w = m + (size_t)c * R;
        __m512 a[8];
        for (int k = 0; k < 8; k++) a[k] = _mm512_set1_ps(x[c + k]);
        for (int i = 0; i < R; i += 16) {
            __m512 o = LOAD(out + i);
            o = ADD(o, ADD(FMA(LOAD(w + R + i), a[1], MUL(LOAD(w + i), a[0])),
                           FMA(LOAD(w + 3 * R + i), a[3], MUL(LOAD(w + 2 * R + i), a[2]))));
            o = ADD(o, ADD(FMA(LOAD(w + 5 * R + i), a[5], MUL(LOAD(w + 4 * R + i), a[4])),
                           FMA(LOAD(w + 7 * R + i), a[7], MUL(LOAD(w + 6 * R + i), a[6]))));
            STORE(out + i, o);
        }
    }
}

static void stream(float *out, const float *m, const float *x) {
    float *low = sums, *high = sums + R;
    for (int c = 0; c < C; c += 4) {
        const float *w = m + (size_t)c * R;
        __m512 x0 = _mm512_set1_ps(x[c]), x1 = _mm512_set1_ps(x[c + 1]);
        __m512 x2 = _mm512_set1_ps(x[c + 2]), x3 = _mm512_set1_ps(x[c + 3]);
        for (int i = 0; i < R; i += 16) STORE(low + i, MUL(LOAD(w + i), x0));
        for (int i = 0; i < R; i += 16) STORE(low + i, FMA(LOAD(w + R + i), x1, LOAD(low + i)));
        for (int i = 0; i < R; i += 16) STORE(high + i, MUL(LOAD(w + 2 * R + i), x2));
        for (int i = 0; i < R; i += 16)
            STORE(out + i, ADD(LOAD(out + i),
                               ADD(LOAD(low + i), FMA(LOAD(w + 3 * R + i), x3, LOAD(high + i)))));
    }
}

static void roof(float *out, const float *m, const float *x) {
    (void)x;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (size_t i = 0; i < (size_t)R * C; i += 64) {
        s0 = ADD(s0, LOAD(m + i));
        s1 = ADD(s1, LOAD(m + i + 16));
        s2 = ADD(s2, LOAD(m + i + 32));
        s3 = ADD(s3, LOAD(m + i + 48));
    }
    STORE(out, ADD(ADD(s0, s1), ADD(s2, s3)));
}

// Median over 16 placements of the outputs in a page, of the best of 3 runs each.
static double time_it(void (*f)(float *, const float *, const float *), const float *m,
                      const float *x, char *page) {
    int reps = (int)(3e8 / ((double)R * C * 4)) + 50;
    double runs[16];
    for (int p = 0; p < 16; p++) {
        float *out = (float *)(page + 256 * p);
        memset(out, 0, (size_t)R * 4);
        double best = 1e30;
        for (int k = 0; k < 3; k++) {
            double t0 = now();
            for (int r = 0; r < reps; r++) {
                f(out, m, x);
                __asm__ volatile("" ::"m"(out[0]));
            }
            double t = (now() - t0) / reps;
            if (t < best) best = t;
        }
        runs[p] = best;
    }
    for (int i = 0; i < 16; i++)
        for (int j = i + 1; j < 16; j++)
            if (runs[j] < runs[i]) { double t = runs[i]; runs[i] = runs[j]; runs[j] = t; }
    return runs[8];
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: l2_stream ROWS COLUMNS\n"); return 2; }
    R = atoi(argv[1]);
    C = atoi(argv[2]);
    if (R % 16 || C % 8 || R > 4096) { fprintf(stderr, "rows: multiple of 16 up to 4096; columns: of 8\n"); return 2; }
    float *m = aligned_alloc(4096, (size_t)R * C * 4);
    float *x = aligned_alloc(64, (size_t)C * 4 + 64);
    char *page = aligned_alloc(4096, 4096 + (size_t)R * 4);
    for (size_t i = 0; i < (size_t)R * C; i++) m[i] = (float)((i * 7919) % 2000) * 1e-3f - 1.0f;
    for (int j = 0; j < C; j++) x[j] = (float)((j * 31) % 200) * 1e-2f - 1.0f;
    float *a = calloc(R, 4), *b = calloc(R, 4);
    panels(a, m, x);
    stream(b, m, x);
    if (memcmp(a, b, (size_t)R * 4)) { fprintf(stderr, "stream's bits differ from panels'\n"); return 1; }
    double bytes = (double)R * C * 4;
    const char *names[3] = {"panels", "stream", "roof"};
    void (*fs[3])(float *, const float *, const float *) = {panels, stream, roof};
    for (int k = 0; k < 3; k++) {
        double t = time_it(fs[k], m, x, page);
        printf("R=%d C=%d (%.0f KiB) %-6s %8.1f ns %6.1f GB/s\n", R, C, bytes / 1024, names[k], t, bytes / t);
    }
    return 0;
}
