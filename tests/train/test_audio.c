/* Reading training audio (ev_load_audio, ev_dataset_extract): a stereo FLAC reads as the mean of
 * its channels, every frame of it; the same FLAC cut to half its bytes (its header still
 * promises every frame, libsndfile decodes the first part and reports no error) is refused as
 * truncated, and the dataset skips and counts it instead of training on its first part. */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev_analyzer.h"
#include "ev_arch.h"
#include "ev_corpus.h"
#include "ev_dataset.h"
#include "ev_test.h"

#define RATE 22050
#define N    RATE /* 1 s */

static double left(int i) {
  return 0.4 * sin(2 * M_PI * 220.0 * i / RATE);
}
static double right(int i) {
  return 0.2 * sin(2 * M_PI * 1700.0 * i / RATE + 1.0);
}

static int write_stereo(const char *path, int format) {
  SF_INFO info = {0};
  info.samplerate = RATE;
  info.channels = 2;
  info.format = format;
  SNDFILE *f = sf_open(path, SFM_WRITE, &info);
  if (!f)
    return -1;
  static float x[2 * N];
  for (int i = 0; i < N; i++) {
    x[2 * i] = (float)left(i);
    x[2 * i + 1] = (float)right(i);
  }
  sf_count_t w = sf_writef_float(f, x, N);
  sf_close(f);
  return w == N ? 0 : -1;
}

static long file_size(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fclose(f);
  return n;
}

int main(void) {
  char dir[] = "/tmp/evtrain_audioXXXXXX";
  if (!mkdtemp(dir))
    EV_SKIP("no temporary folder");
  char good[256], cut[256], wav[256], err[512] = "";
  snprintf(good, sizeof good, "%s/good.flac", dir);
  snprintf(cut, sizeof cut, "%s/cut.flac", dir);
  snprintf(wav, sizeof wav, "%s/good.wav", dir);
  if (write_stereo(good, SF_FORMAT_FLAC | SF_FORMAT_PCM_16) != 0)
    EV_SKIP("this libsndfile cannot write FLAC");
  EV_CHECK(write_stereo(cut, SF_FORMAT_FLAC | SF_FORMAT_PCM_16) == 0, "write the copy");
  EV_CHECK(write_stereo(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16) == 0, "write the WAV");
  long size = file_size(cut);
  EV_CHECK(size > 1000 && truncate(cut, size / 2) == 0, "cut the copy to half (%ld bytes)", size);

  float *x = NULL;
  size_t n = 0;
  int rate = 0;
  EV_CHECK(ev_load_audio(good, &x, &n, &rate, err, sizeof err) == 0, "good file: %s", err);
  if (x) {
    EV_CHECK(n == N && rate == RATE, "every frame: %zu frames at %d Hz", n, rate);
    /* 16-bit round trip: libsndfile writes x * 0x7fff rounded and reads back n / 0x8000, so a
     * sample comes back within (|x| + 0.5) / 32768; the mean of two within the mean of that */
    double worst = 0;
    for (size_t i = 0; i < n && i < N; i++) {
      const double l = left((int)i), r = right((int)i);
      const double tol = ((fabs(l) + fabs(r)) / 2 + 0.5) / 32768 + 1e-7;
      worst = fmax(worst, fabs(x[i] - 0.5 * (l + r)) / tol);
    }
    EV_CHECK(worst <= 1.0, "mono = mean of the channels (worst %.3f of the rounding bound)", worst);
    free(x);
  }

  x = NULL;
  err[0] = 0;
  EV_CHECK(ev_load_audio(cut, &x, &n, &rate, err, sizeof err) != 0 && x == NULL,
           "the cut FLAC is refused");
  EV_CHECK(strstr(err, "truncated") && strstr(err, "cut.flac"), "the reason names it: %s", err);
  free(x);

  /* in a dataset: skipped and counted, the others kept */
  ev_clip_list clips = {0};
  ev_clip_list_add(&clips, good, EV_HAPPY, "s1", EV_CORPUS_MANIFEST);
  ev_clip_list_add(&clips, cut, EV_SAD, "s1", EV_CORPUS_MANIFEST);
  ev_clip_list_add(&clips, wav, EV_SAD, "s2", EV_CORPUS_MANIFEST);
  ev_arch a;
  EV_CHECK(ev_arch_load("seed-cnn-mfcc", &a, err, sizeof err) == 0, "arch: %s", err);
  ev_extract_opts eo = {&a, NULL, 1, NULL, 1, 0, 0};
  ev_dataset ds;
  EV_CHECK(ev_dataset_extract(&ds, &clips, &eo, err, sizeof err) == 0, "extract: %s", err);
  EV_CHECK(ds.failed == 1 && ds.ok[0] && !ds.ok[1] && ds.ok[2],
           "failed %zu (expected 1: the cut file), ok %d %d %d", ds.failed, ds.ok[0], ds.ok[1],
           ds.ok[2]);
  /* 1 s at a 10 ms hop: ~100 frames for a whole clip, none for the refused one */
  EV_CHECK(ev_dataset_seq(&ds, 1, 0)->T == 0 && ev_dataset_seq(&ds, 0, 0)->T > 90 &&
               ev_dataset_seq(&ds, 2, 0)->T == ev_dataset_seq(&ds, 0, 0)->T,
           "frames: good %d, cut %d, WAV %d", ev_dataset_seq(&ds, 0, 0)->T,
           ev_dataset_seq(&ds, 1, 0)->T, ev_dataset_seq(&ds, 2, 0)->T);
  ev_dataset_free(&ds);
  ev_arch_free(&a);
  ev_clip_list_free(&clips);
  remove(good);
  remove(cut);
  remove(wav);
  rmdir(dir);
  EV_TEST_END();
}
