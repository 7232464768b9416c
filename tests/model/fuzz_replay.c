/* Runs the fuzz target's checks (fuzz_model_load.c) over every file of a corpus directory, in
 * builds without libFuzzer, and checks the seed generator itself: the bit-flip seeds of each
 * valid file change one byte each, at distinct positions in its header (they all changed byte
 * 8 once: issue 17 item 14). usage: fuzz_replay CORPUS_DIR */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ev_test.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
  *len = b ? fread(b, 1, (size_t)(n > 0 ? n : 0), f) : 0;
  fclose(f);
  return b;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  DIR *d = opendir(argv[1]);
  EV_CHECK(d != NULL, "corpus %s", argv[1]);
  if (!d)
    EV_TEST_END();
  struct dirent *e;
  int files = 0;
  char path[4096];
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
    size_t len;
    uint8_t *b = read_all(path, &len);
    if (!b)
      continue;
    LLVMFuzzerTestOneInput(b, len); /* aborts on a broken property */
    free(b);
    files++;
  }
  closedir(d);
  printf("%d corpus files pass the fuzz target's checks\n", files);
  EV_CHECK(files >= 60, "the corpus has its seeds (%d files)", files);
  for (int a = 0;; a++) {
    snprintf(path, sizeof path, "%s/valid-%d", argv[1], a);
    size_t len, flen;
    uint8_t *v = read_all(path, &len);
    if (!v)
      break;
    size_t pos[8];
    int distinct = 0;
    for (int k = 0; k < 8; k++) {
      snprintf(path, sizeof path, "%s/flip-%d-%d", argv[1], a, k);
      uint8_t *f = read_all(path, &flen);
      int diffs = 0;
      for (size_t i = 0; f && flen == len && i < len; i++)
        if (f[i] != v[i]) {
          pos[k] = i;
          diffs++;
        }
      EV_CHECK(diffs == 1, "flip-%d-%d changes one byte (%d)", a, k, diffs);
      int fresh = diffs == 1;
      for (int j = 0; j < k && fresh; j++)
        fresh = pos[j] != pos[k];
      distinct += fresh;
      free(f);
    }
    printf("valid-%d: bit flips at %d distinct positions\n", a, distinct);
    EV_CHECK(distinct >= 6, "valid-%d: the flips hit %d distinct positions", a, distinct);
    free(v);
  }
  EV_TEST_END();
}
