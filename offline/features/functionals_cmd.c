/* emovox-features --functionals egemaps: the 88 eGeMAPS v02 statistics of a file through the
 * real extractor (ev_functionals_of_file), with openSMILE's names, so that anyone can compare
 * us with openSMILE's func.csv column by column. */
#include "functionals_cmd.h"

#include "ev_functionals.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int functionals_cmd(const char *set, const char *audio, const char *out_path,
                    functionals_reader read_audio) {
  if (strcmp(set, "egemaps")) {
    fprintf(stderr, "emovox-features: --functionals must be egemaps, got '%s'\n", set);
    return 2;
  }
  size_t n = 0;
  double rate = 0;
  float *x = read_audio(audio, &n, &rate);
  if (!x)
    return 1;
  float v[EV_FUNC_N];
  char err[256];
  int rc = ev_functionals_of_file(x, n, rate, v, err, sizeof err);
  free(x);
  if (rc) {
    fprintf(stderr, "emovox-features: %s: %s\n", audio, err);
    return 1;
  }
  FILE *f = out_path ? fopen(out_path, "w") : stdout;
  if (!f) {
    fprintf(stderr, "emovox-features: cannot write '%s': %s\n", out_path, strerror(errno));
    return 1;
  }
  int bad = 0;
  for (int i = 0; i < EV_FUNC_N; i++)
    bad |= fprintf(f, "%s%c", ev_functionals_name(i), i + 1 < EV_FUNC_N ? ',' : '\n') < 0;
  for (int i = 0; i < EV_FUNC_N; i++)
    bad |= fprintf(f, "%.9g%c", v[i], i + 1 < EV_FUNC_N ? ',' : '\n') < 0;
  if (out_path && fclose(f))
    bad = 1;
  if (bad) {
    fprintf(stderr, "emovox-features: write error on '%s'\n", out_path ? out_path : "stdout");
    return 1;
  }
  return 0;
}
