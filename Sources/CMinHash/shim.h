#ifndef NEWSWIRE_CMINHASH_SHIM_H
#define NEWSWIRE_CMINHASH_SHIM_H

#include <stdint.h>

// The MinHash inner loop with AVX-512 (eight 64-bit lanes per instruction), for the
// processors that have it; Swift has no per-function target features. The arithmetic is
// the scalar loop's: for each function j, minimums[j] = min over s of s * multipliers[j] +
// addends[j] (mod 2^64), so both give the same signature. Header only: inlined into Swift.

typedef uint64_t cminhash_lanes __attribute__((vector_size(64), aligned(8)));

// Whether the processor (and the operating system) can run `cminhash_minimums_avx512`.
static inline int cminhash_has_avx512(void) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}

// Up to four vectors of eight functions at a time over all shingles; `functions` must be a
// multiple of 8 (the caller does any rest with the scalar loop).
__attribute__((target("avx512f,avx512dq")))
static inline void cminhash_minimums_avx512(
    const uint64_t *shingles, long count,
    const uint64_t *multipliers, const uint64_t *addends, long functions,
    uint64_t *minimums
) {
    long done = 0;
    while (done < functions) {
        long vectors = (functions - done) / 8;
        if (vectors > 4) vectors = 4;
        if (vectors == 0) break;
        cminhash_lanes a[4], b[4], m[4];
        for (long v = 0; v < vectors; v++) {
            a[v] = *(const cminhash_lanes *)(multipliers + done + 8 * v);
            b[v] = *(const cminhash_lanes *)(addends + done + 8 * v);
            m[v] = (cminhash_lanes){0} - 1;
        }
        if (vectors == 3) {
            // The default signature (24 functions): three vectors held in registers.
            for (long i = 0; i < count; i++) {
                cminhash_lanes s = (cminhash_lanes){0} + shingles[i];
                m[0] = __builtin_elementwise_min(m[0], s * a[0] + b[0]);
                m[1] = __builtin_elementwise_min(m[1], s * a[1] + b[1]);
                m[2] = __builtin_elementwise_min(m[2], s * a[2] + b[2]);
            }
        } else {
            for (long i = 0; i < count; i++) {
                cminhash_lanes s = (cminhash_lanes){0} + shingles[i];
                for (long v = 0; v < vectors; v++) m[v] = __builtin_elementwise_min(m[v], s * a[v] + b[v]);
            }
        }
        for (long v = 0; v < vectors; v++) *(cminhash_lanes *)(minimums + done + 8 * v) = m[v];
        done += 8 * vectors;
    }
}

#endif
