/* instantiate() with the feature arrays real hosts pass (lilv, in-process, so that it runs in
 * the sanitized builds too, where plugin_lv2file skips): an entry whose URI is NULL (lv2file
 * passes one; the plugin crashed in strcmp) is skipped, and so is one whose URI cannot be read
 * (lv2file's unfilled entry on other machines), and without worker:schedule (lv2file
 * has none) the plugin still instantiates and runs its default model: silence then speech-like
 * audio pass through unchanged, the status port reads 0 (model running), and voice activity
 * rises on the voiced signal. Without urid:map it refuses (NULL), as it must. */
#include <dlfcn.h>
#include <lilv/lilv.h>
#include <lv2/urid/urid.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emovox_protocol.h"
#include "ev_test.h"

#define MAX_URIS 256
static char *uris[MAX_URIS];
static int n_uris;

static LV2_URID map_uri(LV2_URID_Map_Handle h, const char *uri) {
  (void)h;
  for (int i = 0; i < n_uris; i++)
    if (!strcmp(uris[i], uri))
      return (LV2_URID)(i + 1);
  if (n_uris == MAX_URIS)
    return 0;
  uris[n_uris] = strdup(uri);
  return (LV2_URID)++n_uris;
}

int main(void) {
  LilvWorld *world = lilv_world_new();
  lilv_world_load_all(world); /* LV2_PATH: the build's bundle (tests/plugin/meson.build) */
  LilvNode *uri = lilv_new_uri(world, EMOVOX_URI_MONO);
  const LilvPlugin *plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uri);
  lilv_node_free(uri);
  if (!plugin) {
    lilv_world_free(world);
    EV_SKIP("plugin not found in LV2_PATH");
  }
  /* Keep the plugin's library mapped after lilv unloads it (as lv2_host.c does): FFTW keeps
   * process-wide planner data reachable only while it is mapped, which leak checkers would
   * otherwise report at exit. */
  char *lib = lilv_file_uri_parse(lilv_node_as_uri(lilv_plugin_get_library_uri(plugin)), NULL);
  if (lib) {
    dlopen(lib, RTLD_NOW | RTLD_NODELETE);
    lilv_free(lib);
  }
  LV2_URID_Map map = {NULL, map_uri};
  LV2_Feature f_map = {LV2_URID__map, &map};
  LV2_Feature f_null = {NULL, NULL}; /* as lv2file passes it */
  const LV2_Feature *no_map[] = {&f_null, NULL};
  LilvInstance *bad = lilv_plugin_instantiate(plugin, 48000, no_map);
  EV_CHECK(bad == NULL, "without urid:map the plugin refuses to instantiate");
  if (bad)
    lilv_instance_free(bad);

  /* An entry the host never filled in (lv2file passes one after its options: on some machines
   * its URI is an address that cannot be read, and the plugin crashed in strcmp): a URI in a
   * page that cannot be read, and one whose readable first bytes match every feature's
   * ("http") and run on into such a page; both before urid:map, which must still be found. */
  const long pg = sysconf(_SC_PAGESIZE);
  char *pages =
      mmap(NULL, (size_t)(2 * pg), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  EV_REQUIRE(pages != MAP_FAILED && mprotect(pages + pg, (size_t)pg, PROT_NONE) == 0,
             "a page that cannot be read");
  memcpy(pages + pg - 4, "http", 4); /* no NUL: the comparison would read on */
  LV2_Feature f_unmapped = {pages + pg, NULL}, f_runs_on = {pages + pg - 4, NULL};
  const LV2_Feature *garbage[] = {&f_null, &f_unmapped, &f_runs_on, &f_map, NULL};
  LilvInstance *g = lilv_plugin_instantiate(plugin, 48000, garbage);
  EV_CHECK(g != NULL, "instantiates past entries whose URI cannot be read, finding urid:map");
  if (g)
    lilv_instance_free(g);
  munmap(pages, (size_t)(2 * pg));

  const LV2_Feature *features[] = {&f_null, &f_map, NULL}; /* a NULL URI first, no worker */
  LilvInstance *inst = lilv_plugin_instantiate(plugin, 48000, features);
  EV_CHECK(inst != NULL, "instantiates with a NULL-URI feature and no worker");
  if (!inst) {
    lilv_world_free(world);
    EV_TEST_END();
  }
  uint32_t n_ports = lilv_plugin_get_num_ports(plugin);
  float controls[EMOVOX_N_PORTS_STEREO], mins[EMOVOX_N_PORTS_STEREO], maxs[EMOVOX_N_PORTS_STEREO];
  lilv_plugin_get_port_ranges_float(plugin, mins, maxs, controls);
  static float in[4800], out[4800];
  /* atom ports: an empty input sequence, an output buffer; audio: in and out */
  _Alignas(8) static uint8_t atom_in[64], atom_out[2][65536];
  LilvNode *audio_class = lilv_new_uri(world, LILV_URI_AUDIO_PORT);
  LilvNode *control_class = lilv_new_uri(world, LILV_URI_CONTROL_PORT);
  LilvNode *input_class = lilv_new_uri(world, LILV_URI_INPUT_PORT);
  int outs = 0;
  for (uint32_t i = 0; i < n_ports; i++) {
    const LilvPort *port = lilv_plugin_get_port_by_index(plugin, i);
    if (lilv_port_is_a(plugin, port, audio_class)) {
      lilv_instance_connect_port(inst, i, lilv_port_is_a(plugin, port, input_class) ? in : out);
    } else if (lilv_port_is_a(plugin, port, control_class)) {
      if (controls[i] != controls[i])
        controls[i] = 0;
      lilv_instance_connect_port(inst, i, &controls[i]);
    } else if (lilv_port_is_a(plugin, port, input_class)) {
      uint32_t *hdr = (uint32_t *)atom_in; /* atom:Sequence, empty */
      hdr[0] = 8;
      hdr[1] = map_uri(NULL, "http://lv2plug.in/ns/ext/atom#Sequence");
      lilv_instance_connect_port(inst, i, atom_in);
    } else {
      lilv_instance_connect_port(inst, i, atom_out[outs++ & 1]);
    }
  }
  lilv_node_free(audio_class);
  lilv_node_free(control_class);
  lilv_node_free(input_class);
  lilv_instance_activate(inst);
  double phase = 0, max_diff = 0;
  float voice_max = 0;
  for (int block = 0; block < 200; block++) { /* 0.5 s silence, then 1.5 s voiced */
    for (int i = 0; i < 4800; i++) {
      double t = (block * 4800 + i) / 48000.0;
      double v = 0;
      if (t >= 0.5) { /* voice-like: gliding pitch, moving formant-like weights, syllables */
        phase += 2 * M_PI * 150.0 * (1.0 + 0.3 * sin(2 * M_PI * 5 * t)) / 48000.0;
        for (int h = 1; h < 20; h++)
          v += sin(h * phase) * (1.0 + 0.8 * sin(2 * M_PI * 3 * t + h)) / h;
        v *= 0.1 * (0.6 + 0.4 * sin(2 * M_PI * 4 * t));
      }
      in[i] = (float)v;
    }
    for (int k = 0; k < 2; k++) { /* re-arm the output sequences' capacity every cycle */
      uint32_t *hdr = (uint32_t *)atom_out[k];
      hdr[0] = sizeof atom_out[k] - 8;
      hdr[1] = 0;
    }
    lilv_instance_run(inst, 4800);
    for (int i = 0; i < 4800; i++)
      max_diff = fmax(max_diff, fabs((double)out[i] - (double)in[i]));
    if (block > 100)
      voice_max = fmaxf(voice_max, controls[EMOVOX_VOICE]);
  }
  printf("no worker, NULL-URI feature: status %g, voice %.2f on the voiced part, "
         "passthrough max |out - in| %g\n",
         controls[EMOVOX_STATUS], voice_max, max_diff);
  EV_CHECK(controls[EMOVOX_STATUS] == 0.0f, "status 0: the default model runs without a worker");
  EV_CHECK(voice_max > 0.5f, "voice activity on the voiced part (%.2f)", voice_max);
  EV_CHECK(max_diff == 0.0, "the audio passes through unchanged");
  lilv_instance_deactivate(inst);
  lilv_instance_free(inst);
  lilv_world_free(world);
  for (int i = 0; i < n_uris; i++)
    free(uris[i]);
  EV_TEST_END();
}
