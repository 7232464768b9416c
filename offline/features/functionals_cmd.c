/* emovox-features --functionals egemaps: the 88 eGeMAPS v02 statistics of a file through the
 * real extractor (the streaming form of ev_functionals_of_file: the file is read block by block,
 * its audio is not held in memory, its frame descriptors are), with openSMILE's names, so that
 * anyone can compare us with openSMILE's func.csv column by column. */
#include "functionals_cmd.h"

#include "ev_functionals.h"
#include "in_file.h"
#include "out_file.h"

#include <errno.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 4096 /* frames read at a time */

/* Reads AUDIO block by block, downmixed as emovox-features always did (the mean of the channels
 * in double), into the streaming functionals. The audio is not kept, but memory still grows
 * with it: the whole-file percentiles, slopes and segments need every 10 ms frame's
 * descriptors, kept until the end and copied there into the whole-file statistics (about
 * 1.3 MB per minute of audio in all: 20 MB peak for 10 minutes, 46 MB for 30; docs/features.md). */
static int functionals_of_path(const char *audio, float v[EV_FUNC_N]) {
  SF_INFO info;
  SNDFILE *sf = in_file_open(audio, &info);
  if (!sf)
    return 1;
  char err[256];
  ev_functionals_stream *fs = ev_functionals_stream_new(info.samplerate, err, sizeof err);
  if (!fs) {
    fprintf(stderr, "emovox-features: %s: %s\n", audio, err);
    sf_close(sf);
    return 1;
  }
  const size_t ch = (size_t)info.channels;
  float *inter = malloc(sizeof(float) * BLOCK * ch), *mono = malloc(sizeof(float) * BLOCK);
  int rc = 0;
  if (!inter || !mono) {
    fprintf(stderr, "emovox-features: out of memory\n");
    rc = 1;
  }
  size_t n = 0;
  sf_count_t got;
  while (!rc && (got = sf_readf_float(sf, inter, BLOCK)) > 0) {
    for (sf_count_t i = 0; i < got; i++) {
      double s = 0.0;
      for (size_t c = 0; c < ch; c++)
        s += inter[(size_t)i * ch + c];
      mono[i] = (float)(s / (double)ch);
    }
    ev_functionals_stream_feed(fs, mono, (size_t)got);
    n += (size_t)got;
  }
  sf_close(sf);
  if (!rc && info.frames > 0 && n < (size_t)info.frames) /* truncated: use what could be read */
    fprintf(stderr, "emovox-features: warning: '%s' is truncated, read %zu of %lld frames\n", audio,
            n, (long long)info.frames);
  if (!rc && ev_functionals_stream_end(fs, v, err, sizeof err)) {
    fprintf(stderr, "emovox-features: %s: %s\n", audio, err);
    rc = 1;
  }
  ev_functionals_stream_free(fs);
  free(inter);
  free(mono);
  return rc;
}

int functionals_cmd(const char *set, const char *audio, const char *out_path) {
  if (strcmp(set, "egemaps")) {
    fprintf(stderr, "emovox-features: --functionals must be egemaps, got '%s'\n", set);
    return 2;
  }
  float v[EV_FUNC_N];
  if (functionals_of_path(audio, v))
    return 1;
  out_file out;
  if (out_file_open(&out, out_path, "w")) {
    fprintf(stderr, "emovox-features: cannot write '%s': %s\n", out_path, strerror(errno));
    return 1;
  }
  FILE *f = out.f;
  int bad = 0;
  for (int i = 0; i < EV_FUNC_N; i++)
    bad |= fprintf(f, "%s%c", ev_functionals_name(i), i + 1 < EV_FUNC_N ? ',' : '\n') < 0;
  for (int i = 0; i < EV_FUNC_N; i++)
    bad |= fprintf(f, "%.9g%c", v[i], i + 1 < EV_FUNC_N ? ',' : '\n') < 0;
  /* the commit flushes standard output too: a full disk shows only then */
  if (bad)
    out_file_abort(&out);
  else if (out_file_commit(&out))
    bad = 1;
  if (bad) {
    fprintf(stderr, "emovox-features: write error on '%s'\n", out_path ? out_path : "stdout");
    return 1;
  }
  return 0;
}
