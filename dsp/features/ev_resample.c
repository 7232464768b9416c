/* ev_resample: libsoxr behind a steady, fixed-chunk, allocation-free stream (see the header).
 *
 * Absolute output numbering: soxr output k (counted since creation) belongs to input time
 * k * in / out. After in_total input samples the wrapper has released every output below
 * target = ceil(in_total * out / in) - delay, never more than it holds. Outputs below
 * start_out (the priming zeros, or the zeros of a reset) are dropped instead of returned. */
#include "ev_resample.h"
#include "ev_error.h"

#include <math.h>
#include <soxr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* soxr's largest DFT (log2). The default (2^17) lets soxr work in blocks of ~1470 input
 * samples at 48 kHz (37 ms of latency, a 3.6 us burst every 23 chunks); 2^10 gives blocks of
 * ~450 (15 ms, 2.1 us) for ~30 % more work, measured in bench_resamplers. */
#ifndef EV_RS_LARGE_DFT
#define EV_RS_LARGE_DFT 10
#endif
#define EV_RS_PRIME_SECONDS 1.0 /* each of the two priming phases (see ev_resample_new) */

struct ev_resample {
  soxr_t soxr;
  uint64_t in_rate, out_rate;
  uint64_t in_total;  /* input samples given to soxr since creation */
  uint64_t made;      /* outputs received from soxr since creation */
  uint64_t released;  /* outputs taken out of the ring (returned or dropped) */
  uint64_t start_out; /* first output of the current stream */
  uint64_t delay;     /* release delay, output samples */
  int max_out;        /* outputs one chunk may return; soxr's olen too */
  unsigned large_dft; /* soxr's largest DFT (log2, 0: its default): ev_resample_reset_exact */
  float *tmp;         /* [max_out]: soxr's output of one call */
  float *ring;        /* outputs made but not released */
  uint64_t ring_mask;
};

static uint64_t ideal_outputs(const ev_resample *r, uint64_t in_samples) {
  return (in_samples * r->out_rate + r->in_rate - 1) / r->in_rate; /* ceil */
}

/* n <= EV_RESAMPLE_CHUNK samples into soxr; its outputs into the ring. Returns 0, or -1 if soxr did
 * not take the whole chunk (it takes at most olen * in / out samples; olen is sized so that it
 * always does). */
static int feed(ev_resample *r, const float *in, size_t n) {
  size_t idone = 0, odone = 0;
  soxr_process(r->soxr, in, n, &idone, r->tmp, (size_t)r->max_out, &odone);
  r->in_total += idone;
  if (!r->ring) { /* measuring the delay (ev_resample_new): outputs are not kept */
    r->made += odone;
    return idone == n ? 0 : -1;
  }
  size_t ring = (size_t)r->ring_mask + 1, pos = (size_t)(r->made & r->ring_mask);
  size_t first = ring - pos < odone ? ring - pos : odone;
  memcpy(r->ring + pos, r->tmp, first * sizeof(float));
  memcpy(r->ring, r->tmp + first, (odone - first) * sizeof(float));
  r->made += odone;
  if (r->made - r->released > ring) /* cannot happen (the ring holds the delay and two calls); */
    r->released = r->made - ring;   /* if it did, the oldest samples go, never memory */
  return idone == n ? 0 : -1;
}

/* Release up to the target; returns how many of them are stream outputs (copied to out). */
static int release(ev_resample *r, float *out) {
  uint64_t ideal = ideal_outputs(r, r->in_total);
  uint64_t target = ideal > r->delay ? ideal - r->delay : 0;
  if (target > r->made) /* never happens once the delay has been measured */
    target = r->made;
  if (target <= r->released)
    return 0;
  uint64_t n = target - r->released;
  if (n > (uint64_t)r->max_out)
    n = (uint64_t)r->max_out;
  uint64_t drop = r->start_out > r->released ? r->start_out - r->released : 0;
  if (drop > n)
    drop = n;
  r->released += drop;
  int k = (int)(n - drop);
  size_t ring = (size_t)r->ring_mask + 1, pos = (size_t)(r->released & r->ring_mask);
  size_t first = ring - pos < (size_t)k ? ring - pos : (size_t)k;
  memcpy(out, r->ring + pos, first * sizeof(float));
  memcpy(out + first, r->ring, ((size_t)k - first) * sizeof(float));
  r->released += (uint64_t)k;
  return k;
}

/* Zeros through soxr in the steady policy with everything released dropped. */
static int prime(ev_resample *r, uint64_t chunks) {
  static const float zeros[EV_RESAMPLE_CHUNK];
  int rc = 0;
  r->start_out = UINT64_MAX;
  for (uint64_t c = 0; c < chunks; c++) {
    rc |= feed(r, zeros, EV_RESAMPLE_CHUNK);
    release(r, r->tmp); /* drops everything (start_out is out of reach) */
  }
  return rc;
}

/* A new stream starts: zeros until the previous audio has left soxr's filter (twice the
 * release delay, which exceeds the filter's reach: the delay is soxr's block plus the
 * filter's look-ahead) and until the input count is a multiple of in / gcd(in, out), so that
 * the stream's first output falls exactly on its first input sample, as in every stream (an
 * offset of a fraction of a sample would change the output). At most the reach plus one
 * second of zeros (for odd rates; at 44.1 kHz 441 samples, at 48 kHz 3). */
static void start_stream(ev_resample *r) {
  static const float zeros[EV_RESAMPLE_CHUNK];
  uint64_t a = r->in_rate, b = r->out_rate;
  while (b) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  uint64_t m = r->in_rate / a, reach = 2 * r->delay * r->in_rate / r->out_rate;
  uint64_t z = reach + (m - (r->in_total + reach) % m) % m;
  r->start_out = UINT64_MAX;
  while (z > 0) {
    size_t k = z < EV_RESAMPLE_CHUNK ? (size_t)z : EV_RESAMPLE_CHUNK;
    feed(r, zeros, k);
    release(r, r->tmp);
    z -= k;
  }
  r->start_out = r->in_total * r->out_rate / r->in_rate; /* exact: in_total is a multiple of m */
}

static ev_resample *create(double in_rate, int out_rate, unsigned large_dft, char *err,
                           size_t errlen) {
  if (!(in_rate >= 8000.0 && in_rate <= 192000.0) || out_rate < 1000 || out_rate > 192000) {
    ev_fail(err, errlen, "resampler: rate out of range");
    return NULL;
  }
  ev_resample *r = calloc(1, sizeof *r);
  if (!r) {
    ev_fail(err, errlen, "out of memory");
    return NULL;
  }
  r->in_rate = (uint64_t)llrint(in_rate);
  r->out_rate = (uint64_t)out_rate;
  r->large_dft = large_dft;
  r->max_out = (int)((uint64_t)EV_RESAMPLE_CHUNK * r->out_rate / r->in_rate) + 16;
  soxr_error_t e = NULL;
  soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
  soxr_runtime_spec_t rt = soxr_runtime_spec(1); /* one thread: no locks, no OpenMP pool */
  if (large_dft)
    rt.log2_large_dft_size = large_dft;
  r->soxr = soxr_create((double)r->in_rate, (double)r->out_rate, 1, &e, &io, &q, &rt);
  r->tmp = malloc(sizeof(float) * (size_t)r->max_out);
  if (!r->soxr || !r->tmp) {
    ev_fail(err, errlen, "%s", r->soxr ? "out of memory" : "resampler: libsoxr refused the rates");
    ev_resample_free(r);
    return NULL;
  }
  /* Phase 1: take every output as it comes and measure the largest lag of soxr's output
   * behind the ideal one (soxr's block plus its filter's look-ahead): the release delay.
   * soxr's schedule depends only on the sample counts, so zeros measure it for any signal. */
  uint64_t chunks = (uint64_t)ceil(EV_RS_PRIME_SECONDS * (double)r->in_rate / EV_RESAMPLE_CHUNK);
  uint64_t lag = 0;
  int rc = 0;
  static const float zeros[EV_RESAMPLE_CHUNK];
  /* soxr's FIFOs grow (realloc by the amount asked for) when a call needs more room than they
   * have; the room a stream needs depends on where the chunk grid falls relative to soxr's
   * blocks, which a reset moves. One call with a second of input reserves more than any
   * chunk-sized call will ever need, so no later call reallocates. */
  size_t big_in = (size_t)(r->in_rate / 8), big_out = (size_t)(r->out_rate / 8) + 1024;
  float *bin = calloc(big_in, sizeof(float)), *bout = malloc(sizeof(float) * big_out);
  if (bin && bout) {
    size_t idone = 0, odone = 0;
    soxr_process(r->soxr, bin, big_in, &idone, bout, big_out, &odone);
    r->in_total += idone;
    r->made += odone;
  } else
    rc = -1;
  free(bin);
  free(bout);
  for (uint64_t c = 0; c < chunks; c++) {
    rc |= feed(r, zeros, EV_RESAMPLE_CHUNK);
    uint64_t ideal = ideal_outputs(r, r->in_total);
    if (ideal > r->made && ideal - r->made > lag)
      lag = ideal - r->made;
  }
  r->released = r->made;
  /* + one chunk's output: a stream may start anywhere in the chunk grid (start_stream), and
   * the lag measured at one grid can be one chunk's worth larger at another */
  r->delay = lag + ideal_outputs(r, EV_RESAMPLE_CHUNK) + 1;
  /* The ring holds at most the delay plus one call's output (soxr never gets ahead of the
   * ideal count, and the release follows the ideal count). */
  uint64_t cap = 1;
  while (cap < r->delay + 2 * (uint64_t)r->max_out)
    cap <<= 1;
  r->ring = malloc(sizeof(float) * (size_t)cap);
  r->ring_mask = cap - 1;
  /* Phase 2: the steady policy, so that soxr reaches the buffer sizes it keeps (no allocation
   * in a stream after this, tests/dsp/test_realtime.c), then the first stream starts. */
  if (!rc && r->ring)
    rc = prime(r, chunks);
  if (!rc && r->ring)
    start_stream(r);
  if (rc || !r->ring) {
    ev_fail(err, errlen, "%s",
            r->ring ? "resampler: libsoxr did not take a whole chunk" : "out of memory");
    ev_resample_free(r);
    return NULL;
  }
  return r;
}

ev_resample *ev_resample_new(double in_rate, int out_rate, char *err, size_t errlen) {
  return create(in_rate, out_rate, EV_RS_LARGE_DFT, err, errlen);
}

ev_resample *ev_resample_new_offline(double in_rate, int out_rate, char *err, size_t errlen) {
  return create(in_rate, out_rate, 0, err, errlen); /* 0: soxr's default */
}

void ev_resample_free(ev_resample *r) {
  if (!r)
    return;
  if (r->soxr)
    soxr_delete(r->soxr);
  free(r->tmp);
  free(r->ring);
  free(r);
}

int ev_resample_max_out(const ev_resample *r) {
  return r->max_out;
}

int ev_resample_chunk(ev_resample *r, const float *in, float *out) {
  feed(r, in, EV_RESAMPLE_CHUNK);
  return release(r, out);
}

void ev_resample_reset(ev_resample *r) {
  start_stream(r);
}

int ev_resample_reset_exact(ev_resample *r) {
  /* A whole new instance made by create(), the one code that primes soxr, swapped in place: so
   * the state is a fresh instance's by construction (soxr's buffers, block phase and the
   * counters), not by a second copy of the priming that could drift from the first. r keeps
   * its address (the extractor holds it); in_rate is an integer already, so create() rounds it
   * to itself. */
  ev_resample *fresh = create((double)r->in_rate, (int)r->out_rate, r->large_dft, NULL, 0);
  if (!fresh)
    return -1; /* r is left as it was, still usable */
  ev_resample old = *r;
  *r = *fresh;
  *fresh = old;
  ev_resample_free(fresh);
  return 0;
}

double ev_resample_latency(const ev_resample *r) {
  return (double)r->delay * (double)r->in_rate / (double)r->out_rate;
}
