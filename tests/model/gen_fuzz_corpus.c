/* Writes the fuzzer's seed corpus into a directory: valid models of several architectures and
 * mutations of them (truncations, bit flips, header edits), and the files that reach the
 * loader's limits and the runtime's overflow handling (hostile_models.h, overflow_model.h):
 * huge layers with missing tensors, gigabytes of state, compute beyond realtime, weights of
 * 3e38, labels that name no emotion, 64 layers, a header of 600 tensors, a model that
 * overflows on large inputs, and a 64-layer model that must save and load again. */
#include <stdio.h>
#include <string.h>

#include "hostile_models.h"
#include "model_fixture.h"
#include "overflow_model.h"

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
  for (int i = 0; i < HOSTILE_COUNT; i++) {
    uint8_t *buf;
    size_t len;
    char name[64];
    if (hostile_build(i, &buf, &len))
      return 1;
    snprintf(name, sizeof name, "hostile-%d", i);
    files += !write_file(argv[1], name, buf, len);
    free(buf);
  }
  size_t len;
  uint8_t *buf = hostile_many_tensors(600, &len);
  files += buf && !write_file(argv[1], "many-tensors", buf, len);
  free(buf);
  char err[256];
  ev_model *m = overflow_model();
  if (!m || ev_model_serialize(m, &buf, &len, err, sizeof err))
    return 1;
  files += !write_file(argv[1], "overflow", buf, len);
  free(buf);
  ev_model_free(m);
  char arch[4096] = "[";
  for (int i = 0; i < 62; i++)
    strcat(arch, "{\"type\":\"activation\",\"activation\":\"tanh\"},");
  strcat(arch, "{\"type\":\"dense\"},{\"type\":\"softmax\"}]");
  hostile_tensor deep[] = {{"layers.62.weight", 2, {8, 1}, 0.1f},
                           {"layers.62.bias", 1, {8}, 0},
                           {"norm.mean", 1, {1}, 0},
                           {"norm.std", 1, {1}, 1}};
  if (hostile_file(arch, "{\"inputs\":[\"rms\"]}", HOSTILE_LABELS8, deep, 4, &buf, &len))
    return 1;
  files += !write_file(argv[1], "deep-64", buf, len);
  free(buf);
  printf("wrote %d seed files into %s\n", files, argv[1]);
  return files > 0 ? 0 : 1;
}
