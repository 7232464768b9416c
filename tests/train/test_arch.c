/* Architecture configs: the mel range is read from "features" (a model may stay below the band
 * that resamplers shape), defaults to librosa's 0..sr/2, and an impossible range is refused
 * with a message naming it. */
#include <string.h>

#include "ev_arch.h"
#include "ev_test.h"

static const char *with_features(const char *features, char *buf, size_t len) {
  snprintf(buf, len,
           "{\"name\":\"t\",\"features\":{%s\"inputs\":[\"logmel\"]},"
           "\"architecture\":[{\"type\":\"dense\"}]}",
           features);
  return buf;
}

int main(void) {
  char json[512], err[256];
  ev_arch a;
  EV_CHECK(ev_arch_parse(with_features("", json, sizeof json), &a, err, sizeof err) == 0, "%s",
           err);
  EV_CHECK(a.features.fmin == 0.0f && a.features.fmax == 8000.0f, "default range %g..%g",
           a.features.fmin, a.features.fmax);
  ev_arch_free(&a);

  EV_CHECK(ev_arch_parse(with_features("\"fmin\":50,\"fmax\":7000,", json, sizeof json), &a, err,
                         sizeof err) == 0,
           "%s", err);
  EV_CHECK(a.features.fmin == 50.0f && a.features.fmax == 7000.0f, "range %g..%g", a.features.fmin,
           a.features.fmax);
  char *fj = ev_arch_features_json(&a);
  EV_CHECK(fj && strstr(fj, "\"fmax\":7000.0") != NULL, "the model's features record fmax: %s",
           fj ? fj : "(null)");
  free(fj);
  ev_arch_free(&a);

  err[0] = 0;
  EV_CHECK(ev_arch_parse(with_features("\"fmax\":9000,", json, sizeof json), &a, err, sizeof err) !=
               0,
           "fmax above Nyquist refused");
  EV_CHECK(strstr(err, "fmax") != NULL, "the message names fmax: %s", err);
  EV_TEST_END();
}
