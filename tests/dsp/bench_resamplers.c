/* Benchmark (figures only, nothing asserted): which resampler should take the host's audio to
 * the models' 16 kHz. speexdsp (qualities 3-5), libsoxr (recipes QQ, LQ, MQ, HQ) and
 * libsamplerate (SINC_FASTEST, SINC_MEDIUM), from 44.1 and 48 kHz, streamed in blocks of 64
 * and 512 as a plugin would call them. For each it prints:
 *   - speed: x realtime (thread CPU time, median of repeats) at block 64 and 512;
 *   - per call at block 64: median and structural worst (per call index, the minimum over
 *     passes, so preemption by other processes drops out) in microseconds;
 *   - passband: lowest and highest gain of pure tones 100 Hz .. 7 kHz, and the gain at 7.5 kHz;
 *   - stopband: the loudest alias of tones from 8.5 kHz (and 9 kHz) to the input's Nyquist;
 *   - latency: the output's time alignment (impulse peak against the ideal position) plus the
 *     largest lag of the produced output behind the input in 64-sample calls, in ms;
 *   - allocations (rt_guard) inside process calls: during the first second of a fresh
 *     instance, and over the whole stream after a warm-up of 2 s of zeros at creation;
 *   - determinism (two fresh runs bit-identical) and block-size invariance (blocks of 64, 512
 *     and random 1..1024 give bit-identical output).
 * EMOVOX_BENCH_QUICK=1: a short run (fewer tones, shorter signals). */
#include "rt_guard.h"
#include "test_signal.h"

#include <math.h>
#include <samplerate.h>
#include <soxr.h>
#include <speex/speex_resampler.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../common/bench_clock.h"

#define OUT_RATE 16000

typedef enum { LIB_SPEEX, LIB_SOXR, LIB_SRC } lib_kind;

typedef struct rs_cfg {
  const char *name;
  lib_kind lib;
  int q;         /* speexdsp quality, soxr recipe, libsamplerate converter */
  int large_dft; /* soxr: log2 of the largest DFT (0: the library's default, 17) */
} rs_cfg;

static const rs_cfg configs[] = {
    {"speexdsp q3", LIB_SPEEX, 3, 0},
    {"speexdsp q4", LIB_SPEEX, 4, 0},
    {"speexdsp q5", LIB_SPEEX, 5, 0},
    {"soxr QQ", LIB_SOXR, SOXR_QQ, 0},
    {"soxr LQ", LIB_SOXR, SOXR_LQ, 0},
    {"soxr MQ", LIB_SOXR, SOXR_MQ, 0},
    {"soxr HQ", LIB_SOXR, SOXR_HQ, 0},
    /* smaller DFTs: shorter bursts of output and work, less latency, more work in total */
    {"soxr HQ, DFT <= 2^10", LIB_SOXR, SOXR_HQ, 10},
    {"libsamplerate SINC_FASTEST", LIB_SRC, SRC_SINC_FASTEST, 0},
    {"libsamplerate SINC_MEDIUM", LIB_SRC, SRC_SINC_MEDIUM_QUALITY, 0},
};
#define N_CONFIGS (int)(sizeof configs / sizeof configs[0])

typedef struct rs {
  const rs_cfg *cfg;
  double rate;
  SpeexResamplerState *speex;
  soxr_t soxr;
  SRC_STATE *src;
} rs;

static rs *rs_open(const rs_cfg *cfg, double rate) {
  rs *r = calloc(1, sizeof *r);
  r->cfg = cfg;
  r->rate = rate;
  int err = 0;
  if (cfg->lib == LIB_SPEEX) {
    r->speex = speex_resampler_init(1, (spx_uint32_t)rate, OUT_RATE, cfg->q, &err);
    speex_resampler_skip_zeros(r->speex); /* time-aligned output, as the extractor uses it */
  } else if (cfg->lib == LIB_SOXR) {
    soxr_error_t e = NULL;
    soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    soxr_quality_spec_t q = soxr_quality_spec((unsigned long)cfg->q, 0);
    soxr_runtime_spec_t rt = soxr_runtime_spec(1);
    if (cfg->large_dft)
      rt.log2_large_dft_size = (unsigned)cfg->large_dft;
    r->soxr = soxr_create(rate, OUT_RATE, 1, &e, &io, &q, &rt);
  } else {
    r->src = src_new(cfg->q, 1, &err);
  }
  if (!r->speex && !r->soxr && !r->src) {
    fprintf(stderr, "cannot create %s at %.0f Hz\n", cfg->name, rate);
    exit(1);
  }
  return r;
}

static void rs_close(rs *r) {
  if (r->speex)
    speex_resampler_destroy(r->speex);
  if (r->soxr)
    soxr_delete(r->soxr);
  if (r->src)
    src_delete(r->src);
  free(r);
}

/* n input samples in; every output the library has ready out (cap must be large). */
static size_t rs_run(rs *r, const float *in, size_t n, float *out, size_t cap) {
  size_t done = 0, made = 0;
  while (done < n) {
    size_t used = 0, got = 0;
    if (r->speex) {
      spx_uint32_t il = (spx_uint32_t)(n - done), ol = (spx_uint32_t)(cap - made);
      speex_resampler_process_float(r->speex, 0, in + done, &il, out + made, &ol);
      used = il;
      got = ol;
    } else if (r->soxr) {
      soxr_process(r->soxr, in + done, n - done, &used, out + made, cap - made, &got);
    } else {
      SRC_DATA d;
      memset(&d, 0, sizeof d);
      d.data_in = in + done;
      d.input_frames = (long)(n - done);
      d.data_out = out + made;
      d.output_frames = (long)(cap - made);
      d.src_ratio = OUT_RATE / r->rate;
      src_process(r->src, &d);
      used = (size_t)d.input_frames_used;
      got = (size_t)d.output_frames_gen;
    }
    done += used;
    made += got;
    if (!used && !got)
      break; /* output buffer full: cannot happen with the caps used here */
  }
  return made;
}

static void warm_up(rs *r) {
  static float zeros[512], out[4096];
  for (int i = 0; i < (int)(2 * r->rate) / 512; i++)
    rs_run(r, zeros, 512, out, 4096);
}

/* x realtime streaming x in blocks of `block`, median over `runs` fresh warmed instances */
static double speed(const rs_cfg *cfg, double rate, const float *x, size_t n, size_t block,
                    int runs) {
  double t[16];
  float out[4096];
  for (int k = 0; k < runs; k++) {
    rs *r = rs_open(cfg, rate);
    warm_up(r);
    double t0 = bench_cpu_s();
    for (size_t i = 0; i + block <= n; i += block)
      rs_run(r, x + i, block, out, 4096);
    t[k] = bench_cpu_s() - t0;
    rs_close(r);
  }
  return (n / rate) / bench_median(t, (size_t)runs);
}

/* per-call cost at block 64: median, and the worst of the per-index minimum over passes */
static void call_costs(const rs_cfg *cfg, double rate, const float *x, size_t n, int passes,
                       double *med_us, double *worst_us) {
  size_t calls = n / 64;
  double *tmin = malloc(calls * sizeof(double)), *tmp = malloc(calls * sizeof(double));
  float out[4096];
  for (int p = 0; p < passes; p++) {
    rs *r = rs_open(cfg, rate);
    warm_up(r);
    for (size_t c = 0; c < calls; c++) {
      double t0 = bench_wall_s();
      rs_run(r, x + c * 64, 64, out, 4096);
      double dt = bench_wall_s() - t0;
      tmin[c] = p == 0 || dt < tmin[c] ? dt : tmin[c];
    }
    rs_close(r);
  }
  double worst = 0;
  for (size_t c = 0; c < calls; c++) {
    tmp[c] = tmin[c];
    worst = tmin[c] > worst ? tmin[c] : worst;
  }
  *med_us = bench_median(tmp, calls) * 1e6;
  *worst_us = worst * 1e6;
  free(tmin);
  free(tmp);
}

/* Gain in dB of a tone at f Hz (amplitude 0.5): output RMS over 8000 samples (0.5 s: whole
 * periods of every tone and alias at even frequencies) from 0.25 s on. */
static double tone_gain_db(const rs_cfg *cfg, double rate, double f, float *in, float *out,
                           size_t out_cap) {
  size_t n = (size_t)(0.85 * rate);
  for (size_t i = 0; i < n; i++)
    in[i] = (float)(0.5 * sin(2 * M_PI * f * (double)i / rate));
  rs *r = rs_open(cfg, rate);
  size_t made = 0;
  for (size_t i = 0; i < n; i += 512)
    made += rs_run(r, in + i, n - i < 512 ? n - i : 512, out + made, out_cap - made);
  rs_close(r);
  if (made < 12000)
    return NAN;
  double s = 0;
  for (size_t i = 4000; i < 12000; i++)
    s += (double)out[i] * out[i];
  double rms = sqrt(s / 8000.0), ref = 0.5 / sqrt(2.0);
  return rms > 0 ? 20 * log10(rms / ref) : -400.0;
}

typedef struct quality {
  double pass_min, pass_max, at_7k, at_7k5, stop_8k5, stop_9k;
} quality;

static quality measure_quality(const rs_cfg *cfg, double rate, double step) {
  size_t cap = (size_t)rate + 4096;
  float *in = malloc(cap * sizeof(float)), *out = malloc(cap * sizeof(float));
  quality q = {1e9, -1e9, 0, 0, -1e9, -1e9};
  for (double f = 100; f <= 7000; f = f + step < 7000 || f == 7000 ? f + step : 7000) {
    double g = tone_gain_db(cfg, rate, f, in, out, cap);
    q.pass_min = g < q.pass_min ? g : q.pass_min;
    q.pass_max = g > q.pass_max ? g : q.pass_max;
  }
  q.at_7k = tone_gain_db(cfg, rate, 7000, in, out, cap);
  q.at_7k5 = tone_gain_db(cfg, rate, 7500, in, out, cap);
  for (double f = 8500; f < rate / 2; f += step) {
    double g = tone_gain_db(cfg, rate, f, in, out, cap);
    q.stop_8k5 = g > q.stop_8k5 ? g : q.stop_8k5;
    if (f >= 9000)
      q.stop_9k = g > q.stop_9k ? g : q.stop_9k;
  }
  free(in);
  free(out);
  return q;
}

/* Latency in output samples: alignment of an impulse's peak (positive: later than the ideal
 * position) plus the largest lag of the produced output behind the input in 64-sample calls. */
static double latency_ms(const rs_cfg *cfg, double rate, const float *x, size_t n,
                         double *align_ms) {
  size_t len = (size_t)(2 * rate), pos = (size_t)rate;
  float *in = calloc(len, sizeof(float)), *out = calloc(len, sizeof(float));
  in[pos] = 1.0f;
  rs *r = rs_open(cfg, rate);
  size_t made = 0;
  for (size_t i = 0; i + 64 <= len; i += 64)
    made += rs_run(r, in + i, 64, out + made, len - made);
  rs_close(r);
  size_t k = 0;
  for (size_t i = 1; i < made; i++)
    if (fabsf(out[i]) > fabsf(out[k]))
      k = i;
  double peak = (double)k;
  if (k > 0 && k + 1 < made) { /* parabolic interpolation of the peak */
    double a = out[k - 1], b = out[k], c = out[k + 1], d = a - 2 * b + c;
    if (d != 0)
      peak += 0.5 * (a - c) / d;
  }
  double align = peak - (double)pos * OUT_RATE / rate;
  /* streaming lag over the test signal */
  r = rs_open(cfg, rate);
  float buf[4096];
  double lag = 0;
  size_t total = 0;
  for (size_t i = 0; i + 64 <= n; i += 64) {
    total += rs_run(r, x + i, 64, buf, 4096);
    double l = (double)(i + 64) * OUT_RATE / rate - (double)total;
    lag = l > lag ? l : lag;
  }
  rs_close(r);
  free(in);
  free(out);
  *align_ms = align * 1000.0 / OUT_RATE;
  return (align + lag) * 1000.0 / OUT_RATE;
}

/* heap calls inside process calls at block 64: the first second of a fresh instance, and a
 * whole stream after warm_up() */
static void allocations(const rs_cfg *cfg, double rate, const float *x, size_t n,
                        unsigned long *first_second, unsigned long *after_warmup) {
  float out[4096];
  unsigned long heap = 0;
  rs *r = rs_open(cfg, rate);
  rt_guard_reset();
  for (size_t i = 0; i + 64 <= (size_t)rate; i += 64) {
    rt_guard_arm();
    rs_run(r, x + i, 64, out, 4096);
    rt_guard_disarm();
  }
  for (int k = RT_GUARD_MALLOC; k <= RT_GUARD_MEMALIGN; k++)
    heap += rt_guard_count((rt_guard_kind)k);
  *first_second = heap;
  rs_close(r);
  r = rs_open(cfg, rate);
  warm_up(r);
  rt_guard_reset();
  for (size_t i = 0; i + 64 <= n; i += 64) {
    rt_guard_arm();
    rs_run(r, x + i, 64, out, 4096);
    rt_guard_disarm();
  }
  heap = 0;
  for (int k = RT_GUARD_MALLOC; k <= RT_GUARD_MEMALIGN; k++)
    heap += rt_guard_count((rt_guard_kind)k);
  *after_warmup = heap;
  rs_close(r);
}

/* The whole output of x streamed in blocks from `sizes` (0: random 1..1024) */
static float *stream_all(const rs_cfg *cfg, double rate, const float *x, size_t n, size_t block,
                         size_t *made) {
  float *out = malloc((n / 2 + 8192) * sizeof(float));
  rs *r = rs_open(cfg, rate);
  uint32_t s = 7u;
  size_t m = 0;
  for (size_t i = 0; i < n;) {
    size_t b = block;
    if (!b) {
      s = s * 1664525u + 1013904223u;
      b = 1 + (s >> 8) % 1024;
    }
    if (b > n - i)
      b = n - i;
    m += rs_run(r, x + i, b, out + m, n / 2 + 8192 - m);
    i += b;
  }
  rs_close(r);
  *made = m;
  return out;
}

static int same_prefix(const float *a, size_t na, const float *b, size_t nb) {
  size_t n = na < nb ? na : nb;
  return n > 0 && !memcmp(a, b, n * sizeof(float));
}

int main(void) {
  const char *qe = getenv("EMOVOX_BENCH_QUICK");
  int quick = qe && strcmp(qe, "0") && *qe;
  double seconds = quick ? 5.0 : 60.0, step = quick ? 500.0 : 100.0;
  int runs = quick ? 3 : 7, passes = quick ? 2 : 5;
  const double rates[2] = {48000.0, 44100.0};
  printf("Resamplers to 16 kHz, mono float (%s run: %.0f s of the speech-like test signal, "
         "median of %d runs; tones every %.0f Hz)\n",
         quick ? "quick" : "full", seconds, runs, step);
  printf("| input | resampler | x realtime, block 64 | block 512 | call µs median / worst "
         "(block 64) | gain 0.1-7 kHz dB | 7 / 7.5 kHz dB | alias ≥ 8.5 / ≥ 9 kHz dB | latency ms "
         "(alignment) | heap calls: first s / after warm-up | deterministic | block-invariant "
         "|\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (int ri = 0; ri < 2; ri++) {
    double rate = rates[ri];
    size_t n;
    float *x = test_signal(rate, seconds, &n);
    for (int c = 0; c < N_CONFIGS; c++) {
      const rs_cfg *cfg = &configs[c];
      double x64 = speed(cfg, rate, x, n, 64, runs), x512 = speed(cfg, rate, x, n, 512, runs);
      double med_us, worst_us, align_ms;
      call_costs(cfg, rate, x, n, passes, &med_us, &worst_us);
      quality q = measure_quality(cfg, rate, step);
      double lat = latency_ms(cfg, rate, x, n, &align_ms);
      unsigned long first = 0, after = 0;
      allocations(cfg, rate, x, n, &first, &after);
      size_t m1, m2, m3, m4;
      float *a = stream_all(cfg, rate, x, n, 64, &m1), *b = stream_all(cfg, rate, x, n, 64, &m2);
      float *c512 = stream_all(cfg, rate, x, n, 512, &m3),
            *crand = stream_all(cfg, rate, x, n, 0, &m4);
      int det = m1 == m2 && same_prefix(a, m1, b, m2);
      int inv = same_prefix(a, m1, c512, m3) && same_prefix(a, m1, crand, m4) && m3 > m1 * 9 / 10 &&
                m4 > m1 * 9 / 10;
      printf("| %.1f kHz | %s | %.0f | %.0f | %.2f / %.1f | %+.3f .. %+.3f | %+.2f / %+.1f | %.0f "
             "/ %.0f | "
             "%.1f (%+.2f) | %lu / %lu | %s | %s |\n",
             rate / 1000, cfg->name, x64, x512, med_us, worst_us, q.pass_min, q.pass_max, q.at_7k,
             q.at_7k5, q.stop_8k5, q.stop_9k, lat, align_ms, first, after, det ? "yes" : "NO",
             inv ? "yes" : "NO");
      fflush(stdout);
      free(a);
      free(b);
      free(c512);
      free(crand);
    }
    free(x);
  }
  return 0;
}
