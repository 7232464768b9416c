/* libFuzzer target: ev_model_load_memory on arbitrary bytes must never crash, leak or hit
 * undefined behaviour; a file that loads must also run a step. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ev_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512];
  ev_model *m = ev_model_load_memory(data, size, err, sizeof err);
  if (!m) {
    if (!err[0])
      abort(); /* every refusal must say why */
    return 0;
  }
  ev_model_state *s = ev_model_state_new(m, err, sizeof err);
  if (s) {
    float *x = calloc((size_t)ev_model_input_dims(m), sizeof(float));
    if (x) {
      ev_model_state_run(s, x, NULL);
      ev_model_state_run(s, x, NULL);
    }
    free(x);
    ev_model_state_free(s);
  }
  ev_model_free(m);
  return 0;
}
