/* Architecture configs: the mel range is read from "features" (a model may stay below the band
 * that resamplers shape), defaults to librosa's 0..sr/2, and an impossible range is refused
 * with a message naming it. */
#include <stdlib.h>
#include <string.h>

#include "ev_arch.h"
#include "ev_model.h"
#include "ev_test.h"

static const char *with_features(const char *features, char *buf, size_t len) {
  snprintf(buf, len,
           "{\"name\":\"t\",\"features\":{%s\"inputs\":[\"logmel\"]},"
           "\"architecture\":[{\"type\":\"dense\"}]}",
           features);
  return buf;
}

/* A model made from the arch records its mel range: written to a file and read back. */
static int model_keeps_fmax(const ev_arch *a, float fmax) {
  char err[256];
  ev_layer_config layer;
  ev_layer_config_default(&layer, EV_LAYER_DENSE);
  layer.out_dim = 1;
  const char *label = "neutral";
  ev_model_desc d = {.name = a->name,
                     .input = a->input,
                     .n_layers = 1,
                     .layers = &layer,
                     .n_labels = 1,
                     .labels = &label};
  ev_model *m = ev_model_create(&d, err, sizeof err);
  uint8_t *buf = NULL;
  size_t len = 0;
  ev_model *r = m && ev_model_serialize(m, &buf, &len, err, sizeof err) == 0
                    ? ev_model_load_memory(buf, len, err, sizeof err)
                    : NULL;
  EV_CHECK(r != NULL, "model round trip: %s", err);
  int ok = r && ev_model_input_config(r)->features.fmax == fmax;
  ev_model_free(r);
  free(buf);
  ev_model_free(m);
  return ok;
}

int main(void) {
  char json[512], err[256];
  ev_arch a;
  EV_CHECK(ev_arch_parse(with_features("", json, sizeof json), &a, err, sizeof err) == 0, "%s",
           err);
  EV_CHECK(a.input.features.fmin == 0.0f && a.input.features.fmax == 8000.0f,
           "default range %g..%g", a.input.features.fmin, a.input.features.fmax);
  ev_arch_free(&a);

  EV_CHECK(ev_arch_parse(with_features("\"fmin\":50,\"fmax\":7000,", json, sizeof json), &a, err,
                         sizeof err) == 0,
           "%s", err);
  EV_CHECK(a.input.features.fmin == 50.0f && a.input.features.fmax == 7000.0f, "range %g..%g",
           a.input.features.fmin, a.input.features.fmax);
  EV_CHECK(model_keeps_fmax(&a, 7000.0f), "the model's features record fmax");
  ev_arch_free(&a);

  err[0] = 0;
  EV_CHECK(ev_arch_parse(with_features("\"fmax\":9000,", json, sizeof json), &a, err, sizeof err) !=
               0,
           "fmax above Nyquist refused");
  EV_CHECK(strstr(err, "fmax") != NULL, "the message names fmax: %s", err);

  /* normalization.speaker_dims: a ratio >= 0 (ev_adapt_dims.h); absent 0 */
  static const char *const spk_json =
      "{\"name\":\"t\",\"features\":{\"inputs\":[\"zcr\"]},\"normalization\":{\"mode\":"
      "\"adaptive\",\"speaker_dims\":%s},\"architecture\":[{\"type\":\"dense\"}]}";
  char buf[512];
  snprintf(buf, sizeof buf, spk_json, "2.5");
  EV_CHECK(ev_arch_parse(buf, &a, err, sizeof err) == 0 && a.speaker_dims == 2.5f,
           "speaker_dims 2.5 read: %s", err);
  ev_arch_free(&a);
  snprintf(buf, sizeof buf, spk_json, "-1");
  EV_CHECK(ev_arch_parse(buf, &a, err, sizeof err) != 0 && strstr(err, "speaker_dims"),
           "speaker_dims -1 refused: %s", err);

  /* normalization.level: the level-relative preset asks for it, the others do not; a word
   * other than relative/absolute and a model without egemaps_func are refused */
  EV_CHECK(ev_arch_load("emovox-egemaps-level", &a, err, sizeof err) == 0 &&
               a.input.norm.level_relative == 1,
           "emovox-egemaps-level reads relative levels: %s", err);
  ev_arch_free(&a);
  EV_CHECK(ev_arch_load("emovox-egemaps-mfcc", &a, err, sizeof err) == 0 &&
               a.input.norm.level_relative == 0,
           "emovox-egemaps-mfcc reads levels as they are: %s", err);
  ev_arch_free(&a);
  /* the spread preset: the 88 statistics first (the gain jitter and level code find them at
   * offset 0), then the three window deviations of 19, 19 and 32 values */
  EV_CHECK(ev_arch_load("emovox-egemaps-spread", &a, err, sizeof err) == 0 &&
               ev_arch_input_dims(&a) == 88 + 19 + 19 + 32 &&
               ev_input_config_offset(&a.input, EV_FEAT_EGEMAPS_FUNC) == 0 &&
               ev_input_config_offset(&a.input, EV_FEAT_LOGMEL_FUNC) == 88 + 19 + 19,
           "emovox-egemaps-spread: %d inputs, logmel_func at %d: %s", ev_arch_input_dims(&a),
           ev_input_config_offset(&a.input, EV_FEAT_LOGMEL_FUNC), err);
  ev_arch_free(&a);
  static const char *const level_json =
      "{\"name\":\"t\",\"features\":{\"inputs\":[\"%s\"]},\"normalization\":{\"mode\":"
      "\"adaptive\",\"level\":\"%s\"},\"architecture\":[{\"type\":\"dense\"}]}";
  snprintf(buf, sizeof buf, level_json, "egemaps_func", "loud");
  EV_CHECK(ev_arch_parse(buf, &a, err, sizeof err) != 0 && strstr(err, "level"),
           "level \"loud\" refused: %s", err);
  snprintf(buf, sizeof buf, level_json, "zcr", "relative");
  EV_CHECK(ev_arch_parse(buf, &a, err, sizeof err) != 0 && strstr(err, "egemaps_func"),
           "relative level without egemaps_func refused: %s", err);
  EV_TEST_END();
}
