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

#include "gemm_rows_tile.h"

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

static void tiles(int uw) {
    pack_a();
    for (int u0 = 0; u0 < N; u0 += uw)
        for (int k = 0; k < K; k += 16)
            for (int j = u0; j < u0 + uw; j += 32)
                for (int s = 0; s < M / 8; s++)
                    tile8x32(Ap + ((size_t)s * K + k) * 8, B + (size_t)k * N + j, C + (size_t)s * 8 * N + j);
}

static double rate(void (*f)(int), int arg) { return best_rate(f, arg, 5); }

int main(void) {
    if (setup()) return 1;
    rows16(0); float want = C[5 * N + 777];
    memset(C, 0, M * N * 4);
    tiles(N);
    if (C[5 * N + 777] != want) { fprintf(stderr, "tile8x32 differs from rows16: %g vs %g\n", C[5 * N + 777], want); return 1; }
    printf("rows16          %.1f GFLOP/s\n", rate(rows16, 0));
    printf("rows16 B-in-L1  %.1f GFLOP/s\n", rate(rows16, 1));
    for (int uw = N; uw >= 192; uw /= 2) printf("tile8x32 UW=%-4d %.1f GFLOP/s\n", uw, rate(tiles, uw));
    return 0;
}
