/* The pitch tracker's decimator (ev_pitch_feed, dsp/features/ev_pitch.c): every decimated
 * sample must be the plain 31-tap FIR sum written out here (double, from 0.0, in tap order,
 * out-of-range input read as 0), bit for bit, whatever the split of the stream into feed
 * calls; the library's build (AVX clone where the CPU has it) and the x86-64 baseline of the
 * same source (compiled into this test under other names) both. */
#include <stdint.h>
#include <string.h>

#include "ev_test.h"

#ifndef EV_NO_CLONES /* -Dclones=false defines it for the whole build */
#define EV_NO_CLONES
#endif
#define ev_pitch_new        base_pitch_new
#define ev_pitch_free       base_pitch_free
#define ev_pitch_reset      base_pitch_reset
#define ev_pitch_feed       base_pitch_feed
#define ev_pitch_window_end base_pitch_window_end
#define ev_pitch_frame      base_pitch_frame
#include "../../dsp/features/ev_pitch.c"
#undef ev_pitch_new
#undef ev_pitch_free
#undef ev_pitch_reset
#undef ev_pitch_feed
#undef ev_pitch_window_end
#undef ev_pitch_frame
/* the library's (the same struct: the same source) */
ev_pitch *ev_pitch_new(int sr);
void ev_pitch_free(ev_pitch *p);
void ev_pitch_feed(ev_pitch *p, const void *src, ev_read_fn read, int64_t avail, int final);

enum { N = 16000 * 3 };
static float sig[N];

static void read_sig(const void *src, int64_t i0, int n, float *dst) {
  (void)src;
  for (int k = 0; k < n; k++)
    dst[k] = i0 + k >= 0 && i0 + k < N ? sig[i0 + k] : 0.0f;
}

static uint32_t rng = 13579u;
static uint32_t next_u(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

/* decimated sample j: centred on input 2j */
static float direct(const double *h, int64_t j) {
  const int half = (EV_PITCH_TAPS - 1) / 2;
  double s = 0.0;
  for (int k = 0; k < EV_PITCH_TAPS; k++) {
    const int64_t i = EV_PITCH_DEC * j + half - k;
    if (i >= 0 && i < N)
      s += h[k] * sig[i];
  }
  return (float)s;
}

int main(void) {
  for (int i = 0; i < N; i++) /* a speech-like mix: low tone, noise bursts, silence */
    sig[i] = (float)(0.3 * sin(2.0 * M_PI * 140.0 * i / 16000.0) * (i % 8000 < 6000) +
                     ((int)(next_u() >> 8) / 8388608.0 - 1.0) * (i % 5000 < 900 ? 0.2 : 0.01));
  int bad = 0, bad_base = 0, total = 0;
  for (int split = 0; split < 4; split++) {
    ev_pitch *lib = ev_pitch_new(16000), *base = base_pitch_new(16000);
    EV_REQUIRE(lib && base, "ev_pitch_new");
    int64_t avail = 0, done = 0;
    while (avail < N) {
      /* chunk sizes: one sample, the plugin's 64-ish, random up to 700, whole hops */
      const int64_t step = split == 0   ? 1
                           : split == 1 ? 64
                           : split == 2 ? 1 + (int64_t)(next_u() % 700)
                                        : 160;
      avail = avail + step > N ? N : avail + step;
      ev_pitch_feed(lib, NULL, read_sig, avail, avail == N);
      base_pitch_feed(base, NULL, read_sig, avail, avail == N);
      EV_REQUIRE(lib->next == base->next, "both decimated %lld vs %lld", (long long)lib->next,
                 (long long)base->next);
      /* the ring holds the last EV_PITCH_DRING outputs: check each new one now */
      for (int64_t j = done; j < lib->next; j++) {
        const float want = direct(lib->h, j), got = lib->ring[j & (EV_PITCH_DRING - 1)],
                    got_b = base->ring[j & (EV_PITCH_DRING - 1)];
        bad += memcmp(&want, &got, sizeof want) != 0;
        bad_base += memcmp(&want, &got_b, sizeof want) != 0;
        total++;
      }
      done = lib->next;
    }
    EV_CHECK(done >= N / EV_PITCH_DEC, "split %d: only %lld outputs", split, (long long)done);
    ev_pitch_free(lib);
    base_pitch_free(base);
  }
  printf("%d decimated samples, %d differ from the direct sum (library), %d (baseline)\n", total,
         bad, bad_base);
  EV_CHECK(bad == 0 && bad_base == 0, "%d / %d differ", bad, bad_base);
  EV_TEST_END();
}
