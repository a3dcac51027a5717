/*
 * gemm_rows_model.c -- a C model of GemmRows (src/Reverie.Tensors/Kernels/GemmRows.cs) on the small-batch shape
 * 16x1024 @ 1024x3072 (C = A·B, row-major fp32), used to choose the kernel's register tile and column-block width.
 *
 * Build: gcc -O3 -funroll-loops -march=native -o /tmp/gemm_rows_model bench/models/gemm_rows_model.c
 * Run:   /tmp/gemm_rows_model        (one thread; pause other heavy jobs first)
 *
 * It prints GFLOP/s (wall clock, best configuration per line) of:
 *   rows16        the old kernel: 16 rows of B in registers, C streamed past them (one broadcast per FMA);
 *   rows16 B-in-L1  the same with every chunk reading the same 16 B vectors (the kernel's ceiling with B free);
 *   tile8x32 UW=w  the new kernel: an 8x32 tile of C in 16 registers over each 16-row block of B (two B loads and
 *                  eight broadcasts per 16 FMAs), in column blocks of w columns (w = 3072: one block).
 * Session 7 (quiet host): rows16 42-46, rows16 B-in-L1 50-56, tile8x32 UW=3072 67-69, 1536 61-64, 768 47-52,
 * 384 37-46, 192 36-39.
 */
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define M 16
#define K 1024
#define N 3072

static float *A, *Ap, *B, *C;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static void rows16(int fixed_b) {
    for (int k = 0; k < K; k += 16)
        for (int j = 0; j < N; j += 16) {
            __m512 b[16];
            int jb = fixed_b ? 0 : j;
            for (int t = 0; t < 16; t++) b[t] = _mm512_loadu_ps(B + (size_t)(k + t) * N + jb);
            for (int i = 0; i < M; i += 8) {
                __m512 x[8];
                for (int r = 0; r < 8; r++) x[r] = _mm512_load_ps(C + (size_t)(i + r) * N + j);
                for (int t = 0; t < 16; t++)
                    for (int r = 0; r < 8; r++) x[r] = _mm512_fmadd_ps(_mm512_set1_ps(A[(i + r) * K + k + t]), b[t], x[r]);
                for (int r = 0; r < 8; r++) _mm512_store_ps(C + (size_t)(i + r) * N + j, x[r]);
            }
        }
}

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

static void tiles(int uw) {
    pack_a();
    for (int u0 = 0; u0 < N; u0 += uw)
        for (int k = 0; k < K; k += 16)
            for (int j = u0; j < u0 + uw; j += 32)
                for (int s = 0; s < M / 8; s++)
                    tile8x32(Ap + ((size_t)s * K + k) * 8, B + (size_t)k * N + j, C + (size_t)s * 8 * N + j);
}

static double rate(void (*f)(int), int arg) {
    double best = 0;
    for (int s = 0; s < 5; s++) {
        double t = now(); int n = 0;
        while (now() - t < 0.1) { f(arg); n++; }
        double g = 2.0 * M * N * K * n / (now() - t) * 1e-9;
        if (g > best) best = g;
    }
    return best;
}

int main(void) {
    if (posix_memalign((void **)&A, 64, M * K * 4) || posix_memalign((void **)&Ap, 64, M * K * 4) ||
        posix_memalign((void **)&B, 64, (size_t)K * N * 4) || posix_memalign((void **)&C, 64, M * N * 4)) return 1;
    for (int i = 0; i < M * K; i++) A[i] = 1e-3f * (i % 7);
    for (size_t i = 0; i < (size_t)K * N; i++) B[i] = 1e-3f * (i % 11);
    memset(C, 0, M * N * 4);
    rows16(0); float want = C[5 * N + 777];
    memset(C, 0, M * N * 4);
    tiles(N);
    if (C[5 * N + 777] != want) { fprintf(stderr, "tile8x32 differs from rows16: %g vs %g\n", C[5 * N + 777], want); return 1; }
    printf("rows16          %.1f GFLOP/s\n", rate(rows16, 0));
    printf("rows16 B-in-L1  %.1f GFLOP/s\n", rate(rows16, 1));
    for (int uw = N; uw >= 192; uw /= 2) printf("tile8x32 UW=%-4d %.1f GFLOP/s\n", uw, rate(tiles, uw));
    return 0;
}
