/*
 * gemm_rows_tile.h -- shared by the GemmRows C models (gemm_rows_model.c, gemm_rows_2t_model.c): the shape
 * 16x1024 @ 1024x3072, its buffers, a clock, and the 8x32 register-tile kernel of GemmRows.cs (Tile8x32).
 */
#include <immintrin.h>
#include <stdlib.h>
#include <time.h>

#define M 16
#define K 1024
#define N 3072

static float *A, *Ap, *B, *C;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

/* A as two slivers of 8 rows: element (r, k) of sliver s at (s*K + k)*8 + r. */
static void pack_a(void) {
    for (int s = 0; s < M / 8; s++)
        for (int k = 0; k < K; k++)
            for (int r = 0; r < 8; r++) Ap[((size_t)s * K + k) * 8 + r] = A[(s * 8 + r) * K + k];
}

static inline void tile8x32(const float *a, const float *b, float *c) {
    __m512 x[16];
    for (int r = 0; r < 8; r++) { x[2 * r] = _mm512_load_ps(c + (size_t)r * N); x[2 * r + 1] = _mm512_load_ps(c + (size_t)r * N + 16); }
    for (int k = 0; k < 16; k++) {
        __m512 b0 = _mm512_loadu_ps(b + (size_t)k * N), b1 = _mm512_loadu_ps(b + (size_t)k * N + 16);
        for (int r = 0; r < 8; r++) {
            __m512 av = _mm512_set1_ps(a[k * 8 + r]);
            x[2 * r] = _mm512_fmadd_ps(av, b0, x[2 * r]);
            x[2 * r + 1] = _mm512_fmadd_ps(av, b1, x[2 * r + 1]);
        }
    }
    for (int r = 0; r < 8; r++) { _mm512_store_ps(c + (size_t)r * N, x[2 * r]); _mm512_store_ps(c + (size_t)r * N + 16, x[2 * r + 1]); }
}

/* Allocates and fills A, Ap (A packed), B and C; 0 on success. */
static int setup(void) {
    if (posix_memalign((void **)&A, 64, M * K * 4) || posix_memalign((void **)&Ap, 64, M * K * 4) ||
        posix_memalign((void **)&B, 64, (size_t)K * N * 4) || posix_memalign((void **)&C, 64, M * N * 4)) return 1;
    for (int i = 0; i < M * K; i++) A[i] = 1e-3f * (i % 7);
    for (size_t i = 0; i < (size_t)K * N; i++) B[i] = 1e-3f * (i % 11);
    for (int i = 0; i < M * N; i++) C[i] = 0;
    pack_a();
    return 0;
}

/* GFLOP/s of f(arg), the best of `samples` samples of 0.1 s of back-to-back calls. */
static double best_rate(void (*f)(int), int arg, int samples) {
    double best = 0;
    for (int s = 0; s < samples; s++) {
        double t = now(); int n = 0;
        while (now() - t < 0.1) { f(arg); n++; }
        double g = 2.0 * M * N * K * n / (now() - t) * 1e-9;
        if (g > best) best = g;
    }
    return best;
}
