/*
 * gemm_rows_2t_model.c -- a 2-thread C model of GemmRows (src/Reverie.Tensors/Kernels/GemmRows.cs) on the
 * small-batch shape 16x1024 @ 1024x3072 (C = A·B, row-major fp32), used to choose how two threads split the work.
 * The kernel is gemm_rows_model.c's tile8x32 (an 8x32 tile of C in 16 registers over each 16-row block of B).
 *
 * Build: gcc -O3 -funroll-loops -march=native -pthread -o /tmp/gemm_rows_2t_model bench/models/gemm_rows_2t_model.c
 * Run:   /tmp/gemm_rows_2t_model      (two threads, the second spinning between calls; pause other heavy jobs first)
 *
 * It prints GFLOP/s (wall clock, best of 7 samples of 0.1 s) for two rounds of:
 *   col quarters 768x2    each thread two column blocks of 768, both 8-row slivers (the C# split before session 8);
 *   col halves 1536       each thread one column half, both slivers;
 *   row split full        each thread one 8-row sliver over all 3072 columns (both read the same B rows together);
 *   row split 2 blocks    the same in two column halves, one after the other;
 *   1 thread              both slivers over all columns on the calling thread (the reference).
 * Session 8 (quiet host, micro-kernel 151 GFLOP/s): col quarters 91-92, col halves 103-110, row split full 147-154,
 * row split 2 blocks 131-138, 1 thread 63.
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gemm_rows_tile.h"

/* Columns j0..j1, slivers s0..s1, one 16-row block of B at a time. */
static void block(int j0, int j1, int s0, int s1) {
    for (int k = 0; k < K; k += 16)
        for (int j = j0; j < j1; j += 32)
            for (int s = s0; s < s1; s++) tile8x32(Ap + ((size_t)s * K + k) * 8, B + (size_t)k * N + j, C + (size_t)s * 8 * N + j);
}

static int variant;

static void part(int t) {
    switch (variant) {
    case 0: block(t * N / 4, (t + 1) * N / 4, 0, 2); block((t + 2) * N / 4, (t + 3) * N / 4, 0, 2); break;
    case 1: block(t * N / 2, (t + 1) * N / 2, 0, 2); break;
    case 2: block(0, N, t, t + 1); break;
    case 3: block(0, N / 2, t, t + 1); block(N / 2, N, t, t + 1); break;
    case 4: if (t == 0) block(0, N, 0, 2); break;
    }
}

static atomic_int go, done;

static void *worker(void *unused) {
    (void)unused;
    int seen = 0;
    for (;;) {
        int g;
        while ((g = atomic_load(&go)) == seen) _mm_pause();
        if (g < 0) return 0;
        seen = g;
        part(1);
        atomic_fetch_add(&done, 1);
    }
}

static int gen;

static void call(void) {
    atomic_store(&done, 0);
    atomic_store(&go, ++gen);
    part(0);
    while (atomic_load(&done) < 1) _mm_pause();
}

static void call_arg(int unused) { (void)unused; call(); }

static double rate(void) { return best_rate(call_arg, 0, 7); }

int main(void) {
    if (setup()) return 1;
    pthread_t th;
    pthread_create(&th, 0, worker, 0);
    /* Every split must give the same C (each element is one k-ordered FMA chain whichever thread computes it). */
    float want = 0;
    for (variant = 0; variant < 5; variant++) {
        memset(C, 0, M * N * 4);
        call();
        if (variant == 0) want = C[5 * N + 777];
        else if (C[5 * N + 777] != want) { fprintf(stderr, "split %d differs: %g vs %g\n", variant, C[5 * N + 777], want); return 1; }
    }
    const char *names[] = {"col quarters 768x2", "col halves 1536", "row split full", "row split 2 blocks", "1 thread"};
    for (int round = 0; round < 2; round++)
        for (variant = 0; variant < 5; variant++) printf("%-20s %.1f GFLOP/s\n", names[variant], rate());
    atomic_store(&go, -1);
    pthread_join(th, 0);
    return 0;
}
