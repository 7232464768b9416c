/* ev_layer_step, ev_layer_step_part and ev_layer_state_reset never allocate: malloc and friends are
 * interposed and counted while a stack of every layer kind is stepped and reset. Skipped in
 * sanitized builds (the sanitizers own malloc there). */
#include <stdlib.h>
#include <string.h>

#include "nn_test_util.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static volatile int armed;
static volatile long allocations;

void *malloc(size_t n) {
  if (armed)
    allocations++;
  return __libc_malloc(n);
}
void *calloc(size_t n, size_t s) {
  if (armed)
    allocations++;
  return __libc_calloc(n, s);
}
void *realloc(void *p, size_t n) {
  if (armed)
    allocations++;
  return __libc_realloc(p, n);
}
void free(void *p) {
  if (armed && p)
    allocations++;
  __libc_free(p);
}

int main(void) {
  const char *san = getenv("EMOVOX_SANITIZED");
  if (san && !strcmp(san, "1"))
    EV_SKIP("malloc interposition is not possible under the sanitizers");
  nn_case cases[NN_MAX_CASES];
  int n = nn_cases(cases, 3);
  nn_layer layers[NN_MAX_CASES];
  float *state[NN_MAX_CASES], *scratch[NN_MAX_CASES];
  for (int i = 0; i < n; i++) {
    nn_layer_make(&layers[i], &cases[i].cfg, 0.5f);
    state[i] = nn_xcalloc(ev_layer_state_floats(&layers[i].l), sizeof(float));
    scratch[i] = nn_xcalloc(ev_layer_scratch_floats(&layers[i].l), sizeof(float));
  }
  /* the interposition works: an allocation is seen */
  static void *volatile probe; /* volatile: the compiler may not elide the malloc/free pair */
  armed = 1;
  probe = malloc(16);
  armed = 0;
  free(probe);
  EV_CHECK(allocations == 1, "interposed malloc counted (%ld)", allocations);
  allocations = 0;

  float in[3], out[16];
  long steps = 0;
  armed = 1;
  for (int i = 0; i < n; i++) {
    ev_layer_state_reset(&layers[i].l, state[i]);
    for (int t = 0; t < 300; t++) {
      for (int k = 0; k < 3; k++)
        in[k] = (t % 7 == 3) ? NAN : 0.01f * (float)((t * 7 + k * 3) % 11);
      if (t % 2)
        ev_layer_step(&layers[i].l, state[i], in, out, scratch[i]);
      else /* the same step cut into parts */
        for (int p = 0; p < ev_layer_step_parts(&layers[i].l); p++)
          ev_layer_step_part(&layers[i].l, state[i], in, out, scratch[i], p);
      steps++;
    }
    ev_layer_state_reset(&layers[i].l, state[i]);
  }
  armed = 0;
  printf("%ld steps over %d layer configurations: %ld allocations\n", steps, n, allocations);
  EV_CHECK(allocations == 0, "ev_layer_step/state_reset allocated %ld times", allocations);
  for (int i = 0; i < n; i++) {
    nn_layer_free(&layers[i]);
    free(state[i]);
    free(scratch[i]);
  }
  EV_TEST_END();
}
