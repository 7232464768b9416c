/* The view state without any drawing: port updates (ranges, NaN, the dominant port's offset),
 * peak hold timing, the history and trail rings, the slider scales, and the notify messages
 * forged exactly as plugin/emovox_messages.c forges them. */
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <math.h>
#include <string.h>

#include "ev_analyzer.h" /* EV_ANALYZER_RESPONSE_DEFAULT_MS */
#include "ev_input.h"    /* EV_INPUT_GATE_DEFAULT_DB */
#include "emovox_notify.h"
#include "emovox_protocol.h"
#include "emovox_view.h"
#include "ev_test.h"

/* A tiny URID map: URIs are numbered in the order they are first seen. */
static char uris[64][160];
static int n_uris;
static LV2_URID map_uri(LV2_URID_Map_Handle h, const char *uri) {
  (void)h;
  for (int i = 0; i < n_uris; i++)
    if (!strcmp(uris[i], uri))
      return (LV2_URID)(i + 1);
  snprintf(uris[n_uris], sizeof uris[0], "%s", uri);
  return (LV2_URID)(++n_uris);
}

static void test_ports(void) {
  emovox_view_state s;
  emovox_view_init(&s);
  EV_CHECK(s.dominant == -1 && s.status == EMOVOX_VIEW_NO_MODEL, "initial state");
  /* the analyser's defaults, which plugin_controls checks the TTL against */
  EV_CHECK_NEAR(s.response_ms, EV_ANALYZER_RESPONSE_DEFAULT_MS, 0,
                "default response (TTL default)");
  EV_CHECK_NEAR(s.gate_db, EV_INPUT_GATE_DEFAULT_DB, 0, "default gate (TTL default)");
  EV_CHECK(emovox_view_update(&s, EMOVOX_PROB_FIRST + 4, 0.9f) == 1, "prob changes");
  EV_CHECK_NEAR(s.prob[4], 0.9, 1e-7, "angry prob");
  EV_CHECK(emovox_view_update(&s, EMOVOX_PROB_FIRST + 4, 0.9f) == 0, "same value: no redraw");
  EV_CHECK(emovox_view_update(&s, EMOVOX_PROB_FIRST + 4, NAN) == 0, "NaN ignored");
  EV_CHECK(emovox_view_update(&s, EMOVOX_PROB_FIRST + 2, INFINITY) == 0, "Inf ignored");
  EV_CHECK_NEAR(s.prob[4], 0.9, 1e-7, "NaN left the value alone");
  emovox_view_update(&s, EMOVOX_PROB_FIRST + 7, 1.7f);
  EV_CHECK_NEAR(s.prob[7], 1.0, 0, "clamped to 1");
  emovox_view_update(&s, EMOVOX_DOMINANT, 5.0f);
  EV_CHECK(s.dominant == 4, "dominant port 5 = 1 + angry (got %d)", s.dominant);
  emovox_view_update(&s, EMOVOX_DOMINANT, 0.0f);
  EV_CHECK(s.dominant == -1, "dominant port 0 = no speech");
  emovox_view_update(&s, EMOVOX_DOMINANT, 42.0f);
  EV_CHECK(s.dominant == -1, "out-of-range dominant = no speech");
  emovox_view_update(&s, EMOVOX_AROUSAL, -3.0f);
  EV_CHECK_NEAR(s.arousal, -1, 0, "arousal clamped");
  emovox_view_update(&s, EMOVOX_STATUS, 2.0f);
  EV_CHECK(s.status == EMOVOX_VIEW_LOAD_ERROR, "status port");
  emovox_view_update(&s, EMOVOX_STATUS, 3.0f); /* was taken for a load error */
  EV_CHECK(s.status == EMOVOX_VIEW_MODEL_FAULT, "status port 3: model fault");
  emovox_view_update(&s, EMOVOX_STATUS, 2.0f);
  emovox_view_update(&s, EMOVOX_RESPONSE_MS, 1e6f);
  EV_CHECK_NEAR(s.response_ms, 5000, 0, "response clamped to the port's maximum");
  emovox_view_update(&s, EMOVOX_GATE_DB, -45.0f);
  EV_CHECK_NEAR(s.gate_db, -45, 0, "gate");
  EV_CHECK(emovox_view_update(&s, EMOVOX_AUDIO_IN_L, 1.0f) == 0, "audio port ignored");
}

static void test_peaks(void) {
  emovox_view_state s;
  emovox_view_init(&s);
  emovox_view_update(&s, EMOVOX_PROB_FIRST, 0.8f);
  emovox_view_update(&s, EMOVOX_PROB_FIRST, 0.2f);
  EV_CHECK_NEAR(s.peak[0], 0.8, 1e-7, "peak holds the maximum");
  for (int t = 0; t < EMOVOX_PEAK_HOLD; t++)
    emovox_view_tick(&s);
  EV_CHECK_NEAR(s.peak[0], 0.8, 1e-7, "peak held for EMOVOX_PEAK_HOLD ticks");
  emovox_view_tick(&s);
  EV_CHECK_NEAR(s.peak[0], 0.8 - EMOVOX_PEAK_FALL, 1e-6, "then falls");
  for (int t = 0; t < 100; t++)
    emovox_view_tick(&s);
  EV_CHECK_NEAR(s.peak[0], 0.2, 1e-7, "down to the value, not below");
}

static void test_rings(void) {
  emovox_view_state s;
  emovox_view_init(&s);
  int d;
  float c, a, v;
  EV_CHECK(!emovox_view_history(&s, 0, &d, &c), "empty history");
  const int ticks = EMOVOX_HISTORY_LEN + 37;
  for (int t = 0; t < ticks; t++) {
    emovox_view_update(&s, EMOVOX_DOMINANT, (float)(t % 9)); /* 0 = no speech */
    emovox_view_update(&s, EMOVOX_CONFIDENCE, (float)(t % 100) / 100.0f);
    emovox_view_update(&s, EMOVOX_AROUSAL, (float)(t % 50) / 50.0f);
    emovox_view_update(&s, EMOVOX_VALENCE, -(float)(t % 50) / 50.0f);
    emovox_view_tick(&s);
  }
  EV_CHECK(s.hist_count == EMOVOX_HISTORY_LEN, "history holds 30 s (%d)", s.hist_count);
  for (int age = 0; age < EMOVOX_HISTORY_LEN; age += 7) {
    int t = ticks - 1 - age;
    EV_CHECK(emovox_view_history(&s, age, &d, &c), "history entry %d", age);
    EV_CHECK(d == t % 9 - 1, "history age %d: dominant %d vs %d", age, d, t % 9 - 1);
    float expect = d < 0 ? 0.0f : (float)(t % 100) / 100.0f;
    EV_CHECK_NEAR(c, expect, 1e-6, "history confidence (0 without speech)");
  }
  EV_CHECK(!emovox_view_history(&s, EMOVOX_HISTORY_LEN, &d, &c), "nothing older than 30 s");
  EV_CHECK(s.trail_count == EMOVOX_TRAIL_LEN, "trail full");
  for (int age = 0; age < EMOVOX_TRAIL_LEN; age += 5) {
    int t = ticks - 1 - age;
    EV_CHECK(emovox_view_trail(&s, age, &a, &v), "trail %d", age);
    EV_CHECK_NEAR(a, (float)(t % 50) / 50.0f, 1e-6, "trail arousal");
    EV_CHECK_NEAR(v, -(float)(t % 50) / 50.0f, 1e-6, "trail valence");
  }
}

static void test_controls(void) {
  /* Response on a log scale: 10 ms at 0, 5000 ms at 1, 500 ms at ln(50)/ln(500). */
  EV_CHECK_NEAR(emovox_ctrl_from_pos(EMOVOX_CTRL_RESPONSE, 0), 10, 1e-4, "response min");
  EV_CHECK_NEAR(emovox_ctrl_from_pos(EMOVOX_CTRL_RESPONSE, 1), 5000, 1e-2, "response max");
  EV_CHECK_NEAR(emovox_ctrl_to_pos(EMOVOX_CTRL_RESPONSE, 500), log(50.0) / log(500.0), 1e-6,
                "response 500 ms position");
  EV_CHECK_NEAR(emovox_ctrl_from_pos(EMOVOX_CTRL_GATE, 0.5f), -45, 1e-5, "gate midpoint");
  EV_CHECK_NEAR(emovox_ctrl_to_pos(EMOVOX_CTRL_GATE, -90), 0, 0, "gate min");
  EV_CHECK_NEAR(emovox_ctrl_from_pos(EMOVOX_CTRL_GATE, 7), 0, 0, "position clamped");
  for (int c = 0; c < EMOVOX_N_CTRLS; c++)
    for (float p = 0; p <= 1.0f; p += 0.125f)
      EV_CHECK_NEAR(emovox_ctrl_to_pos(c, emovox_ctrl_from_pos(c, p)), p, 1e-5, "round trip");
}

/* A status object as the plugin sends it (see emovox_write_notify). */
static uint32_t forge_status(LV2_URID_Map *map, const emovox_uris *u, uint8_t *buf, uint32_t cap,
                             int code, const char *text, const char *name, const char *path,
                             const char *const *labels, int n_labels) {
  LV2_Atom_Forge f;
  lv2_atom_forge_init(&f, map);
  lv2_atom_forge_set_buffer(&f, buf, cap);
  LV2_Atom_Forge_Frame obj, tuple;
  lv2_atom_forge_object(&f, &obj, 0, u->status);
  lv2_atom_forge_key(&f, u->status_code);
  lv2_atom_forge_int(&f, code);
  lv2_atom_forge_key(&f, u->status_text);
  lv2_atom_forge_string(&f, text, (uint32_t)strlen(text));
  lv2_atom_forge_key(&f, u->model_name);
  lv2_atom_forge_string(&f, name, (uint32_t)strlen(name));
  lv2_atom_forge_key(&f, u->model_path);
  lv2_atom_forge_path(&f, path, (uint32_t)strlen(path));
  lv2_atom_forge_key(&f, u->model_labels);
  lv2_atom_forge_tuple(&f, &tuple);
  for (int i = 0; i < n_labels; i++)
    lv2_atom_forge_string(&f, labels[i], (uint32_t)strlen(labels[i]));
  lv2_atom_forge_pop(&f, &tuple);
  lv2_atom_forge_pop(&f, &obj);
  return lv2_atom_total_size((const LV2_Atom *)buf);
}

static void test_notify(void) {
  LV2_URID_Map map = {NULL, map_uri};
  emovox_uris u;
  emovox_map_uris(&map, &u);
  emovox_view_state s;
  emovox_view_init(&s);
  uint8_t buf[2048];
  const char *labels[] = {"neutral", "happy", "angry", "sad"};

  forge_status(&map, &u, buf, sizeof buf, EMOVOX_STATUS_LOAD_ERROR,
               "cannot open /tmp/x.safetensors: No such file", "", "", NULL, 0);
  EV_CHECK(emovox_notify_apply(&s, &u, (const LV2_Atom *)buf) == 1, "status message applied");
  EV_CHECK(s.status == EMOVOX_VIEW_LOAD_ERROR, "load error status");
  EV_CHECK(!strcmp(s.error, "cannot open /tmp/x.safetensors: No such file"), "error text '%s'",
           s.error);
  forge_status(&map, &u, buf, sizeof buf, EMOVOX_STATUS_MODEL_FAULT, "the output is not finite", "",
               "", NULL, 0);
  EV_CHECK(emovox_notify_apply(&s, &u, (const LV2_Atom *)buf) == 1 &&
               s.status == EMOVOX_VIEW_MODEL_FAULT && !strcmp(s.error, "the output is not finite"),
           "model fault status and its text ('%s')", s.error);

  forge_status(&map, &u, buf, sizeof buf, EMOVOX_STATUS_OK, "ok", "",
               "/models/tess-gru.safetensors", labels, 4);
  emovox_notify_apply(&s, &u, (const LV2_Atom *)buf);
  EV_CHECK(s.status == EMOVOX_VIEW_OK, "ok status");
  EV_CHECK(s.error[0] == 0, "the error is cleared on success ('%s')", s.error);
  EV_CHECK(!strcmp(s.model_name, "tess-gru.safetensors"), "unnamed model shown by file ('%s')",
           s.model_name);
  EV_CHECK(!strcmp(s.model_labels, "neutral, happy, angry, sad"), "labels '%s'", s.model_labels);

  forge_status(&map, &u, buf, sizeof buf, EMOVOX_STATUS_OK, "ok", "emovox-base", "/m.st", labels,
               2);
  emovox_notify_apply(&s, &u, (const LV2_Atom *)buf);
  EV_CHECK(!strcmp(s.model_name, "emovox-base"), "metadata name wins ('%s')", s.model_name);
  EV_CHECK(!s.telephone, "no telephone audio said");
  /* the plugin's text while the narrowband companion reads a call (emovox_shown_text) */
  forge_status(&map, &u, buf, sizeof buf, EMOVOX_STATUS_OK,
               "telephone audio (nothing above 4 kHz): read by the narrowband model", "emovox-base",
               "/m.st", labels, 2);
  emovox_notify_apply(&s, &u, (const LV2_Atom *)buf);
  EV_CHECK(s.telephone && s.status == EMOVOX_VIEW_OK && s.error[0] == 0,
           "telephone audio shown, not as an error ('%s')", s.error);
  forge_status(&map, &u, buf, sizeof buf, EMOVOX_STATUS_OK, "ok", "emovox-base", "/m.st", labels,
               2);
  emovox_notify_apply(&s, &u, (const LV2_Atom *)buf);
  EV_CHECK(!s.telephone, "and no longer once the plugin says ok");

  /* A patch:Set (the path) alone changes nothing; garbage is ignored. */
  LV2_Atom_Forge f;
  lv2_atom_forge_init(&f, &map);
  lv2_atom_forge_set_buffer(&f, buf, sizeof buf);
  LV2_Atom_Forge_Frame obj;
  lv2_atom_forge_object(&f, &obj, 0, u.patch_Set);
  lv2_atom_forge_key(&f, u.patch_property);
  lv2_atom_forge_urid(&f, u.model);
  lv2_atom_forge_pop(&f, &obj);
  EV_CHECK(emovox_notify_apply(&s, &u, (const LV2_Atom *)buf) == 0, "patch:Set ignored");
  LV2_Atom_Int not_obj = {{sizeof(int32_t), u.atom_Int}, 3};
  EV_CHECK(emovox_notify_apply(&s, &u, &not_obj.atom) == 0, "non-object ignored");
  EV_CHECK(emovox_notify_apply(&s, &u, NULL) == 0, "NULL ignored");

  /* The UI's opening request. */
  uint32_t n = emovox_notify_forge_get(&u, &map, buf, sizeof buf);
  const LV2_Atom_Object *get = (const LV2_Atom_Object *)buf;
  EV_CHECK(n == sizeof(LV2_Atom_Object), "patch:Get is a bare object (%u bytes)", n);
  EV_CHECK(get->atom.type == u.atom_Object && get->body.otype == u.patch_Get, "patch:Get type");
  EV_CHECK(emovox_notify_forge_get(&u, &map, buf, 8) == 0, "too small a buffer");
}

/* The Emotions control: read as the plugin reads it (emovox_emotions_mask), never through
 * emovox_view_update, whose index would be the stereo variant's right audio input. */
static void test_emotions(void) {
  emovox_view_state s;
  emovox_view_init(&s);
  EV_CHECK(s.emotions == EMOVOX_EMOTIONS_ALL, "all eight by default (%u)", s.emotions);
  EV_CHECK(emovox_view_set_emotions(&s, 255.0f) == 0, "255 is the default: nothing to redraw");
  EV_CHECK(emovox_view_set_emotions(&s, 29.0f) == 1 && s.emotions == 29, "29: a set (%u)",
           s.emotions);
  EV_CHECK(emovox_view_considers(&s, 0) && !emovox_view_considers(&s, 1) &&
               emovox_view_considers(&s, 4) && !emovox_view_considers(&s, 7),
           "29 = neutral, happy, sad, angry");
  EV_CHECK(emovox_view_set_emotions(&s, 29.0f) == 0, "same set: no redraw");
  emovox_view_set_emotions(&s, 0.0f);
  EV_CHECK(s.emotions == 1, "0 would allow none: clamped to 1 (%u)", s.emotions);
  emovox_view_set_emotions(&s, -40.0f);
  EV_CHECK(s.emotions == 1, "negative: 1 (%u)", s.emotions);
  emovox_view_set_emotions(&s, 300.0f);
  EV_CHECK(s.emotions == 255, "300: clamped to 255 (%u)", s.emotions);
  emovox_view_set_emotions(&s, 29.4f);
  EV_CHECK(s.emotions == 29, "29.4 rounds to 29 (%u)", s.emotions);
  emovox_view_set_emotions(&s, NAN);
  EV_CHECK(s.emotions == 255, "NaN: all eight, as the plugin reads it (%u)", s.emotions);
  emovox_view_set_emotions(&s, 29.0f);
  emovox_view_set_emotions(&s, INFINITY);
  EV_CHECK(s.emotions == 255, "Inf: all eight (%u)", s.emotions);
  emovox_view_set_emotions(&s, 29.0f);
  emovox_view_set_emotions(&s, -INFINITY);
  EV_CHECK(s.emotions == 255, "-Inf: all eight (%u)", s.emotions);
  for (float v = -2.0f; v <= 258.0f; v += 0.25f)
    EV_CHECK(emovox_view_set_emotions(&s, v) >= 0 && s.emotions == emovox_emotions_mask(v),
             "%g: the plugin's reading", v);
  /* Port 25 is the mono variant's emotions port and the stereo one's right audio input: the
   * index-based update ignores it (the UI routes it by variant). */
  emovox_view_set_emotions(&s, 29.0f);
  EV_CHECK(emovox_view_update(&s, EMOVOX_EMOTIONS_MONO, 255.0f) == 0 && s.emotions == 29,
           "emovox_view_update leaves the set alone");
}

int main(void) {
  test_ports();
  test_emotions();
  test_peaks();
  test_rings();
  test_controls();
  test_notify();
  /* The caption in the adapt modes: Learn says how far, Use whether a voice is learned. */
  {
    emovox_view_state v;
    emovox_view_init(&v);
    char buf[64];
    emovox_view_set_adapted(&v, 0.25f);
    EV_CHECK(!strcmp(emovox_view_adapt_caption(&v, buf, sizeof buf), "adapting 25 %"), "follow: %s",
             buf);
    EV_CHECK(emovox_view_update(&v, EMOVOX_ADAPT, 2.0f) == 1, "a mode change redraws");
    EV_CHECK(!strcmp(emovox_view_adapt_caption(&v, buf, sizeof buf), "learning voice 25 %"),
             "learn: %s", buf);
    emovox_view_update(&v, EMOVOX_ADAPT, 3.0f);
    EV_CHECK(!strcmp(emovox_view_adapt_caption(&v, buf, sizeof buf), "no voice learned"),
             "use, nothing learned: %s", buf);
    v.voice_learned = 1;
    EV_CHECK(!strcmp(emovox_view_adapt_caption(&v, buf, sizeof buf), "learned voice"), "use: %s",
             buf);
  }
  /* The forget button is offered where the caption speaks of a learned voice that exists: Learn
   * voice or Use learned voice, a voice learned, a model running. */
  {
    emovox_view_state v;
    emovox_view_init(&v);
    emovox_view_update(&v, EMOVOX_STATUS, EMOVOX_STATUS_OK);
    v.voice_learned = 1;
    const int offered[4] = {0, 0, 1, 1};
    for (int mode = EMOVOX_ADAPT_OFF; mode <= EMOVOX_ADAPT_USE; mode++) {
      emovox_view_update(&v, EMOVOX_ADAPT, (float)mode);
      EV_CHECK(emovox_view_offers_forget(&v) == offered[mode], "adapt %d, voice learned", mode);
    }
    v.voice_learned = 0;
    EV_CHECK(!emovox_view_offers_forget(&v), "use, no voice learned: nothing to forget");
    v.voice_learned = 1;
    emovox_view_update(&v, EMOVOX_STATUS, EMOVOX_STATUS_NO_MODEL);
    EV_CHECK(!emovox_view_offers_forget(&v), "no model running: no button");
  }
  /* The adaptation label's words and when they change (emovox_view_set_adapted). */
  {
    char buf[32];
    EV_CHECK(!strcmp(emovox_view_adapted_text(0.0f, buf, sizeof buf), "cold"), "0: %s", buf);
    EV_CHECK(!strcmp(emovox_view_adapted_text(0.004f, buf, sizeof buf), "adapting 1 %"),
             "just above 0 is no longer cold: %s", buf);
    EV_CHECK(!strcmp(emovox_view_adapted_text(0.38f, buf, sizeof buf), "adapting 38 %"), "%s", buf);
    EV_CHECK(!strcmp(emovox_view_adapted_text(0.944f, buf, sizeof buf), "adapting 94 %"), "%s",
             buf);
    EV_CHECK(!strcmp(emovox_view_adapted_text(0.95f, buf, sizeof buf), "adapted"), "%s", buf);
    EV_CHECK(!strcmp(emovox_view_adapted_text(NAN, buf, sizeof buf), "cold"), "NaN: %s", buf);
    emovox_view_state v;
    emovox_view_init(&v);
    EV_CHECK(v.adapted == 0.0f, "a fresh view is cold");
    EV_CHECK(emovox_view_set_adapted(&v, 0.381f) == 1 && v.adapted == 0.381f, "cold -> 38 %%");
    EV_CHECK(emovox_view_set_adapted(&v, 0.383f) == 0, "38 %% again: nothing to redraw");
    EV_CHECK(emovox_view_set_adapted(&v, NAN) == 0 && v.adapted == 0.383f, "NaN is ignored");
    EV_CHECK(emovox_view_set_adapted(&v, 2.0f) == 1 && v.adapted == 1.0f, "clamped to 1");
    EV_CHECK(emovox_view_set_adapted(&v, 0.97f) == 0, "adapted either way");
    EV_CHECK(emovox_view_set_adapted(&v, 0.0f) == 1, "back to cold (a relocate)");
    EV_CHECK(emovox_view_update(&v, EMOVOX_ADAPTED_MONO, 0.5f) == 0 && v.adapted == 0.0f,
             "not taken by index: it differs between the variants");
  }
  EV_TEST_END();
}
