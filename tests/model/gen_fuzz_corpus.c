/* Writes the fuzzer's seed corpus into a directory: valid models of several architectures and
 * mutations of them (truncations, bit flips, header edits). */
#include <stdio.h>
#include <string.h>

#include "model_fixture.h"

static int write_file(const char *dir, const char *name, const uint8_t *buf, size_t len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  size_t w = fwrite(buf, 1, len, f);
  return (fclose(f) || w != len) ? -1 : 0;
}

int main(int argc, char **argv) {
  if (argc != 2 || !strcmp(argv[1], "--help")) {
    printf("usage: gen_fuzz_corpus DIR   (writes seed files for fuzz_model_load)\n");
    return argc == 2 ? 0 : 2;
  }
  const char *archs[] = {
      "[{\"type\":\"dense\",\"out\":4,\"activation\":\"relu\"},{\"type\":\"dense\"}]",
      "[{\"type\":\"gru\",\"hidden\":3},{\"type\":\"dense\"}]",
      "[{\"type\":\"conv1d\",\"out\":3,\"kernel\":2,\"dilation\":2},{\"type\":\"attnpool\","
      "\"window\":3},{\"type\":\"dense\"}]",
      "[{\"type\":\"layernorm\"},{\"type\":\"bilstm\",\"hidden\":2,\"window\":3},"
      "{\"type\":\"meanpool\",\"window\":2},{\"type\":\"dense\"},{\"type\":\"softmax\"}]",
      "[{\"type\":\"bigru\",\"hidden\":2,\"window\":3},{\"type\":\"dense\"}]",
  };
  const int n_archs = (int)(sizeof archs / sizeof archs[0]);
  int files = 0;
  for (int a = 0; a < n_archs; a++) {
    ev_model *m = fixture_model(archs[a], "[\"rms\",\"zcr\",\"centroid\"]", 1 + a % 2,
                                a % 2 ? EV_NORM_GLOBAL : EV_NORM_ADAPTIVE);
    if (!m)
      return 1;
    fixture_randomize(m, 0.5f);
    uint8_t *buf;
    size_t len;
    char err[256], name[64];
    if (ev_model_serialize(m, &buf, &len, err, sizeof err)) {
      fprintf(stderr, "%s\n", err);
      return 1;
    }
    snprintf(name, sizeof name, "valid-%d", a);
    files += !write_file(argv[1], name, buf, len);
    for (int k = 1; k <= 4; k++) { /* truncations */
      snprintf(name, sizeof name, "trunc-%d-%d", a, k);
      files += !write_file(argv[1], name, buf, len * (size_t)k / 5);
    }
    uint8_t *mut = malloc(len);
    for (int k = 0; k < 8; k++) { /* bit flips in the header */
      memcpy(mut, buf, len);
      /* a position in the first third (the header): the cast applies to the product, not
       * to the uniform draw alone, which would always be 0 */
      size_t pos = 8 + (size_t)((fixture_uniform() * 0.5f + 0.5f) * (float)(len / 3));
      mut[pos % len] ^= (uint8_t)(1u << k);
      snprintf(name, sizeof name, "flip-%d-%d", a, k);
      files += !write_file(argv[1], name, mut, len);
    }
    free(mut);
    free(buf);
    ev_model_free(m);
  }
  printf("wrote %d seed files into %s\n", files, argv[1]);
  return files > 0 ? 0 : 1;
}
