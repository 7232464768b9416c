/* Ardour's inline display through the plugin's real entry points: the built plugin binary is
 * loaded the way a host loads it (dlopen + lv2_descriptor, bundle path of the build's bundle),
 * instantiated with the features Ardour gives (urid:map, work:schedule and the inline display's
 * queue_draw), and its render() is taken from extension_data() like Ardour does. While speech
 * runs through run(), render() is called at the sizes a mixer strip asks for under
 * tests/common/rt_guard, which counts allocations, locks, file I/O and sleeps: there must be
 * none. The images must fit the space asked for and follow the audio (silence and speech look
 * different), and run() must have asked for redraws through queue_draw. The Emotions control's
 * set must reach the display: the left-out emotions are drawn differently, nothing else is.
 *
 *   test_inline_plugin steady   renders after one warm-up render (the display may be made on
 *                               first use): the render path itself is realtime-safe
 *   test_inline_plugin first    the very first render() after instantiate() as well: the
 *                               display must have been made in instantiate()
 * In sanitized builds rt_guard cannot count: 'steady' then checks only the images (under ASan and
 * UBSan) and 'first' skips. */
#include <cairo.h>
#include <dlfcn.h>
#include <fontconfig/fontconfig.h>
#include <lv2/atom/atom.h>
#include <lv2/core/lv2.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/rt_guard.h"
#include "emovox_inline.h"
#include "emovox_protocol.h"
#include "ev_test.h"
#include "test_audio.h"

#define RATE     48000
#define BLOCK    256
#define ATOM_CAP 16384

static char uris[128][160];
static int n_uris;
static LV2_URID map_uri(LV2_URID_Map_Handle h, const char *uri) {
  (void)h;
  for (int i = 0; i < n_uris; i++)
    if (!strcmp(uris[i], uri))
      return (LV2_URID)(i + 1);
  if (n_uris >= 128)
    return 0;
  snprintf(uris[n_uris], sizeof uris[0], "%s", uri);
  return (LV2_URID)(++n_uris);
}

/* Nothing needs the worker here (the default model loads in instantiate). */
static LV2_Worker_Status schedule(LV2_Worker_Schedule_Handle h, uint32_t size, const void *data) {
  (void)h, (void)size, (void)data;
  return LV2_WORKER_ERR_NO_SPACE;
}

static int counting; /* rt_guard works (not a sanitized build) */
static long draw_requests;
static void queue_draw(LV2_Inline_Display_Handle h) {
  (void)h;
  draw_requests++;
}

/* A setup problem is not the property under test: exit 99 (meson: ERROR). */
static void hard_error(const char *what) {
  fprintf(stderr, "ERROR: %s\n", what);
  exit(99);
}

typedef struct instance {
  const LV2_Descriptor *desc;
  LV2_Handle h;
  float controls[EMOVOX_STATUS + 1];
  float emotions; /* the Emotions control (connected for the set check only) */
  float in[2][BLOCK], out[2][BLOCK];
  union {
    LV2_Atom_Sequence seq;
    uint8_t bytes[ATOM_CAP];
  } control, notify, midi;
} instance;

static void run_block(instance *in, const float *audio, uint32_t n) {
  in->control.seq.atom.size = sizeof(LV2_Atom_Sequence_Body);
  in->notify.seq.atom.size = ATOM_CAP - sizeof(LV2_Atom);
  in->midi.seq.atom.size = ATOM_CAP - sizeof(LV2_Atom);
  for (int c = 0; c < 2; c++)
    memcpy(in->in[c], audio, n * sizeof(float));
  in->desc->run(in->h, n);
}

/* Renders at the sizes Ardour's strips ask for (their width, a height limit). */
static const uint32_t asks[][2] = {{80, 40}, {120, 60}, {160, 80}, {200, 100}, {64, 20}};
#define N_ASKS ((int)(sizeof asks / sizeof asks[0]))

static void check_image(const LV2_Inline_Display_Image_Surface *img, uint32_t w, uint32_t h) {
  EV_CHECK(img && img->data && img->width > 0 && img->width <= (int)w && img->height > 0 &&
               img->height <= (int)h && img->stride >= 4 * img->width,
           "render(%u, %u) gives an image that fits (%dx%d)", w, h, img ? img->width : -1,
           img ? img->height : -1);
}

static void test_variant(void *lib, const char *uri, const char *bundle, int first,
                         const float *audio, size_t s0, size_t s1) {
  LV2_Descriptor_Function get = (LV2_Descriptor_Function)(uintptr_t)dlsym(lib, "lv2_descriptor");
  if (!get)
    hard_error("no lv2_descriptor");
  instance *in = calloc(1, sizeof *in);
  for (uint32_t i = 0; (in->desc = get(i)) && strcmp(in->desc->URI, uri); i++) {
  }
  if (!in->desc)
    hard_error("the plugin binary lacks a variant");
  LV2_URID_Map map = {NULL, map_uri};
  LV2_Worker_Schedule sched = {NULL, schedule};
  LV2_Inline_Display qd = {NULL, queue_draw};
  LV2_Feature f_map = {LV2_URID__map, &map}, f_sched = {LV2_WORKER__schedule, &sched},
              f_qd = {LV2_INLINEDISPLAY__queue_draw, &qd};
  const LV2_Feature *features[] = {&f_map, &f_sched, &f_qd, NULL};
  in->h = in->desc->instantiate(in->desc, RATE, bundle, features);
  if (!in->h)
    hard_error("instantiate failed");
  const float defaults[] = {1.0f, 500.0f, -60.0f, 1.0f, 1.0f, 20.0f}; /* enable .. cc base */
  memcpy(&in->controls[EMOVOX_ENABLE], defaults, sizeof defaults);
  in->control.seq.atom.type = map_uri(NULL, LV2_ATOM__Sequence);
  in->desc->connect_port(in->h, EMOVOX_CONTROL, &in->control);
  in->desc->connect_port(in->h, EMOVOX_NOTIFY, &in->notify);
  in->desc->connect_port(in->h, EMOVOX_MIDI_OUT, &in->midi);
  for (uint32_t p = EMOVOX_ENABLE; p <= EMOVOX_STATUS; p++)
    in->desc->connect_port(in->h, p, &in->controls[p]);
  in->desc->connect_port(in->h, EMOVOX_AUDIO_IN_L, in->in[0]);
  in->desc->connect_port(in->h, EMOVOX_AUDIO_OUT_L, in->out[0]);
  if (strstr(uri, "stereo")) {
    in->desc->connect_port(in->h, EMOVOX_AUDIO_IN_R, in->in[1]);
    in->desc->connect_port(in->h, EMOVOX_AUDIO_OUT_R, in->out[1]);
  }
  if (in->desc->activate)
    in->desc->activate(in->h);
  const LV2_Inline_Display_Interface *iface =
      in->desc->extension_data ? in->desc->extension_data(LV2_INLINEDISPLAY__interface) : NULL;
  if (!iface || !iface->render)
    hard_error("no inline display interface in extension_data()");

  if (first) { /* the host's very first call */
    rt_guard_reset();
    rt_guard_arm();
    LV2_Inline_Display_Image_Surface *img = iface->render(in->h, 200, 100);
    rt_guard_disarm();
    printf("%s: first render(): %lu non-realtime calls\n", uri, rt_guard_total());
    if (rt_guard_total())
      rt_guard_print(stdout);
    EV_CHECK(rt_guard_total() == 0,
             "%s: the first render() made %lu non-realtime calls: the display was not made in "
             "instantiate()",
             uri, rt_guard_total());
    if (!img)
      hard_error("the first render() returned nothing");
    in->desc->cleanup(in->h);
    free(in);
    return;
  }
  check_image(iface->render(in->h, 200, 100), 200, 100); /* may make the display */

  /* Silence, then the sentence: renders interleaved with run() as a GUI thread would do. */
  size_t silent_bytes = 0;
  unsigned char *silent = NULL;
  long renders = 0;
  unsigned long calls = 0;
  size_t changed = 0;
  draw_requests = 0;
  const size_t end = s0 + (s1 - s0) * 2 / 3;
  for (size_t pos = 0, block = 0; pos + BLOCK <= end; pos += BLOCK, block++) {
    run_block(in, audio + pos, BLOCK);
    if (block % 8)
      continue;
    const uint32_t *ask = asks[(block / 8) % N_ASKS];
    rt_guard_reset();
    rt_guard_arm();
    LV2_Inline_Display_Image_Surface *img = iface->render(in->h, ask[0], ask[1]);
    rt_guard_disarm();
    calls += rt_guard_total();
    if (rt_guard_total() && calls == rt_guard_total())
      rt_guard_print(stderr); /* the first offending render */
    renders++;
    check_image(img, ask[0], ask[1]);
    if (!img || ask[0] != 200)
      continue;
    size_t bytes = (size_t)img->stride * (size_t)img->height;
    if (!silent && pos + BLOCK < s0) { /* the last 200x100 render before the speech */
      silent = malloc(bytes);
      silent_bytes = bytes;
    }
    if (pos + BLOCK < s0 && silent && bytes == silent_bytes)
      memcpy(silent, img->data, bytes);
    else if (silent && bytes == silent_bytes) {
      size_t c = 0;
      for (size_t i = 0; i < bytes; i++)
        c += img->data[i] != silent[i];
      if (c > changed)
        changed = c;
    }
  }
  printf("%s: %ld renders during %zu samples: %lu non-realtime calls; %ld redraw requests; "
         "speech changed %zu of %zu bytes of the 200x100 image\n",
         uri, renders, end, calls, draw_requests, changed, silent_bytes);
  EV_CHECK(!counting || calls == 0, "%s: render() made %lu non-realtime calls in %ld renders", uri,
           calls, renders);
  EV_CHECK(draw_requests > 0, "%s: run() asked for redraws through queue_draw", uri);
  EV_CHECK(silent && changed > silent_bytes / 50, "%s: the display follows the speech", uri);
  free(silent);

  /* The Emotions control reaches the display through the plugin's own reading of it: with the
   * analysis off every output is 0, so only the set changes. Leaving angry..surprised out (the
   * right half of the bars) redraws and changes only that half; all eight again gives back the
   * image of before, byte for byte. */
  in->controls[EMOVOX_ENABLE] = 0.0f;
  in->desc->connect_port(in->h, emovox_emotions_port(strstr(uri, "stereo") != NULL), &in->emotions);
  const float sets[3] = {(float)EMOVOX_EMOTIONS_ALL, 15.0f, (float)EMOVOX_EMOTIONS_ALL};
  static unsigned char img_of[3][4 * EMOVOX_INLINE_MAX_W * EMOVOX_INLINE_MAX_H];
  long requests[3] = {0};
  int width = 0, height = 0, stride = 0;
  for (int k = 0; k < 3; k++) {
    in->emotions = sets[k];
    const long before = draw_requests;
    for (int b = 0; b < 4; b++)
      run_block(in, audio, BLOCK); /* the input is not analysed */
    requests[k] = draw_requests - before;
    LV2_Inline_Display_Image_Surface *img = iface->render(in->h, 200, 100);
    check_image(img, 200, 100);
    if (!img)
      hard_error("no image for the set check");
    width = img->width, height = img->height, stride = img->stride;
    memcpy(img_of[k], img->data, (size_t)stride * (size_t)height);
  }
  long left = 0, right = 0;
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++) {
      const size_t at = (size_t)y * (size_t)stride + 4 * (size_t)x;
      if (memcmp(img_of[0] + at, img_of[1] + at, 4))
        *(x < width / 2 ? &left : &right) += 1;
    }
  EV_CHECK(requests[1] > 0 && requests[2] > 0, "%s: a change of set alone asks for a redraw", uri);
  EV_CHECK(left == 0 && right > height, "%s: the set changes the left-out half only (%ld | %ld px)",
           uri, left, right);
  EV_CHECK(!memcmp(img_of[0], img_of[2], (size_t)stride * (size_t)height),
           "%s: all eight again draws as before", uri);
  in->desc->cleanup(in->h);
  free(in);
}

int main(int argc, char **argv) {
  int first = argc > 1 && !strcmp(argv[1], "first");
  const char *san = getenv("EMOVOX_SANITIZED");
  counting = !(san && !strcmp(san, "1")) && rt_guard_available();
  if (!counting && first)
    EV_SKIP("sanitized build: allocations cannot be counted");
  if (!counting) /* the rest still runs the real render() under the sanitizers */
    printf("note: sanitized build: render()'s calls are not counted\n");
  const char *root = getenv("EMOVOX_BUILD_ROOT");
  if (!root)
    hard_error("EMOVOX_BUILD_ROOT is not set");
  char bundle[4096], so[4200];
  snprintf(bundle, sizeof bundle, "%s/emovox.lv2/", root);
  snprintf(so, sizeof so, "%semovox.so", bundle);
  size_t n = 0, s0 = 0, s1 = 0;
  float *audio = test_speech(RATE, 1.0, 0.2, &n, &s0, &s1);
  if (!audio)
    hard_error("no speech to play (EMOVOX_CORPORA)");
  void *lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    hard_error(dlerror());
  test_variant(lib, EMOVOX_URI_MONO, bundle, first, audio, s0, s1);
  test_variant(lib, EMOVOX_URI_STEREO, bundle, first, audio, s0, s1);
  /* No dlclose: unloading would also unload FFTW, whose planner keeps memory reachable only
   * from its globals until exit (LeakSanitizer would then report it). */
  (void)lib;
  free(audio);
  /* Cairo's and fontconfig's caches (the display's text), for LeakSanitizer (the executable
   * links both so that these calls reach the libraries the plugin uses). */
  cairo_debug_reset_static_data();
  FcFini();
  EV_TEST_END();
}
