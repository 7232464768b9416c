/* EV_TARGET_CLONES: compile a hot numeric function for the x86-64 baseline and for AVX (GCC/
 * clang target_clones); the dynamic loader picks the clone once, from the CPU, when the
 * library is loaded, never on the processing path. Only for functions written with generic
 * vectors (element-wise, so the lowering to SSE pairs or one AVX register changes no rounding)
 * and no fused multiply-add (AVX alone has none; the build passes -ffp-contract=off): every
 * clone then returns the same bits. EV_NO_CLONES builds the baseline only (the tests compare
 * the two). */
#ifndef EV_CLONES_H
#define EV_CLONES_H

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__) && defined(__ELF__) &&        \
    !defined(EV_NO_CLONES)
#define EV_TARGET_CLONES __attribute__((target_clones("avx", "default")))
#else
#define EV_TARGET_CLONES
#endif

#if defined(__GNUC__) || defined(__clang__)
/* 32-byte generic vectors in static inline helpers: the ABI GCC warns about (how such a vector
 * is passed without AVX) never crosses a real call. */
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

#endif
