#include "ea_host.h"

#include "ea_console.h"
#include "ea_urid.h"
#include "emovox_protocol.h"
#include "ev_analyzer.h"
#include "ev_features.h"
#include "ev_model.h"
#include "ev_summary.h"

#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/core/lv2.h>
#include <lv2/log/log.h>
#include <lv2/options/options.h>
#include <lv2/parameters/parameters.h>
#include <lv2/patch/patch.h>
#include <lv2/state/state.h>
#include <lv2/worker/worker.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ATOM_CAPACITY 65536 /* bytes per atom port buffer (also the sequenceSize option) */
#define MAX_LOAD_RUNS 16    /* empty runs to wait for the worker to install a model */

static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
void ea_global_lock(void) {
  pthread_mutex_lock(&global_lock);
}
void ea_global_unlock(void) {
  pthread_mutex_unlock(&global_lock);
}

typedef enum { PORT_OTHER, PORT_AUDIO_IN, PORT_CONTROL_IN, PORT_CONTROL_OUT, PORT_ATOM } port_kind;

typedef struct port_info {
  port_kind kind;
  int is_input;
  int slot; /* index into the arrays of its kind */
} port_info;

typedef struct work_response {
  struct work_response *next;
  uint32_t size;
  unsigned char data[];
} work_response;

struct ea_host {
  ea_host_config cfg;
  LilvWorld *world;
  const LilvPlugin *plugin;
  long summary_window_rows; /* the running model's statistics window, in rows (0: default) */
  /* The model that answers (--model, else the bundle's for the rate: emovox_bundle_model_file)
   * above 8 kHz [0] and at 8 kHz [1], and the band of the bundle's own model at 8 kHz (what the
   * plugin loads at instantiate, before --model replaces it). */
  struct {
    char label[160]; /* name and release, "" when unread */
    int band_hz;     /* ev_model_audio_band; the full 8 kHz when unread */
  } model[2];
  int bundle_band_below;
  uint32_t n_ports;
  port_info *ports;

  float *control_in; /* per port index: values of control inputs and outputs */
  int n_outputs;
  uint32_t *output_port; /* port index of output i */
  char **output_symbol;
  int *output_integer;
  float *outputs;

  int n_audio_in;
  float **audio_in; /* n_audio_in buffers of `block` floats */
  float *scratch;   /* audio outputs, CV: written by the plugin, ignored */
  int n_atom;
  uint32_t *atom_port;
  LV2_Atom_Sequence **atom_buf;
  int control_atom; /* slot of the atom input that receives patch messages, -1: none */
  int notify_atom;  /* slot of the first atom output, -1: none */

  ea_urid_table urids;
  emovox_uris uris; /* the plugin's protocol (emovox_protocol.h), mapped once */
  LV2_URID urid_log_error, urid_log_warning, urid_log_note, urid_log_trace;
  LV2_Atom_Forge forge;

  /* features */
  LV2_Options_Option options[6];
  int32_t opt_min_block, opt_max_block, opt_seq_size;
  float opt_rate;
  LV2_Worker_Schedule schedule;
  LV2_Log_Log log;
  LV2_State_Map_Path map_path;
  LV2_State_Make_Path make_path;
  LV2_State_Free_Path free_path;
  LV2_Feature f_map, f_unmap, f_options, f_schedule, f_log, f_map_path, f_make_path, f_free_path,
      f_bounded;
  const LV2_Feature *features[10];
  char *make_path_dir; /* created on first makePath */

  LilvInstance *instance;
  double rate;
  int active;
  const LV2_Worker_Interface *worker;
  work_response *responses, **responses_tail;
  const char *log_name;
  char notify_text[512]; /* last text seen in a notify message (why a model failed) */
  /* The plugin's status says it hears telephone audio (the default model's narrowband companion
   * reads), and whether it has since the last ea_host_take_telephone. */
  int telephone, telephone_heard;
};

/* ---- features ---------------------------------------------------------------------------- */

static int log_vprintf(LV2_Log_Handle handle, LV2_URID type, const char *fmt, va_list ap) {
  ea_host *h = handle;
  const char *kind = "note";
  if (type == h->urid_log_error)
    kind = "error";
  else if (type == h->urid_log_warning)
    kind = "warning";
  else if (type == h->urid_log_trace)
    kind = "trace";
  if (!h->cfg.verbose && type != h->urid_log_error && type != h->urid_log_warning)
    return 0;
  char text[1024];
  int n = vsnprintf(text, sizeof text, fmt, ap);
  size_t len = strlen(text);
  while (len && text[len - 1] == '\n')
    text[--len] = '\0';
  /* The plugin's note on a rate below 16 kHz comes with every instance, so once per file; the
   * analyser says it itself, in full once per run and briefly for each file (ea_job.c). */
  /* Any model the instance may have loaded: the bundle's at instantiate, then --model. */
  const int bands[] = {h->model[0].band_hz, h->model[1].band_hz, h->bundle_band_below,
                       EV_MODEL_RATE / 2};
  for (size_t i = 0; i < sizeof bands / sizeof bands[0]; i++) {
    char band[512];
    if ((type == h->urid_log_warning || type == h->urid_log_note) &&
        ev_analyzer_band_note(h->opt_rate, bands[i], band, sizeof band) && strstr(text, band))
      return n;
  }
  ea_msg("%s: plugin %s: %s", h->log_name ? h->log_name : "(no file)", kind, text);
  return n;
}

static int log_printf(LV2_Log_Handle handle, LV2_URID type, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = log_vprintf(handle, type, fmt, ap);
  va_end(ap);
  return n;
}

static LV2_Worker_Status respond(LV2_Worker_Respond_Handle handle, uint32_t size,
                                 const void *data) {
  ea_host *h = handle;
  work_response *r = malloc(sizeof *r + size);
  if (!r)
    return LV2_WORKER_ERR_NO_SPACE;
  r->next = NULL;
  r->size = size;
  if (size)
    memcpy(r->data, data, size);
  *h->responses_tail = r;
  h->responses_tail = &r->next;
  return LV2_WORKER_SUCCESS;
}

/* Offline rendering: the work is done right away, in the caller's thread; the responses are
 * delivered after run() returns, as a threaded host would do at the start of the next cycle. */
static LV2_Worker_Status schedule_work(LV2_Worker_Schedule_Handle handle, uint32_t size,
                                       const void *data) {
  ea_host *h = handle;
  if (!h->worker || !h->instance)
    return LV2_WORKER_ERR_UNKNOWN;
  return h->worker->work(lilv_instance_get_handle(h->instance), respond, h, size, data);
}

static void deliver_responses(ea_host *h) {
  if (!h->worker)
    return;
  LV2_Handle handle = lilv_instance_get_handle(h->instance);
  while (h->responses) {
    work_response *r = h->responses;
    h->responses = r->next;
    if (!h->responses)
      h->responses_tail = &h->responses;
    if (h->worker->work_response)
      h->worker->work_response(handle, r->size, r->data);
    free(r);
  }
  if (h->worker->end_run)
    h->worker->end_run(handle);
}

static char *join_path(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/%s", dir, name);
  return p;
}

static char *abstract_path(LV2_State_Map_Path_Handle handle, const char *absolute) {
  (void)handle;
  return strdup(absolute);
}

static char *absolute_path(LV2_State_Map_Path_Handle handle, const char *abstract) {
  (void)handle;
  if (abstract[0] == '/')
    return strdup(abstract);
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd))
    return strdup(abstract);
  return join_path(cwd, abstract);
}

static char *make_path(LV2_State_Make_Path_Handle handle, const char *path) {
  ea_host *h = handle;
  if (!h->make_path_dir) {
    const char *tmp = getenv("TMPDIR");
    char *templ = join_path(tmp && *tmp ? tmp : "/tmp", "emovox-analyze-XXXXXX");
    if (!templ || !mkdtemp(templ)) {
      free(templ);
      return NULL;
    }
    h->make_path_dir = templ;
  }
  return join_path(h->make_path_dir, path);
}

static void free_path(LV2_State_Free_Path_Handle handle, char *path) {
  (void)handle;
  free(path);
}

static void init_features(ea_host *h) {
  ea_urid_init(&h->urids);
  LV2_URID_Map *map = &h->urids.map;
  emovox_map_uris(map, &h->uris);
  h->urid_log_error = map->map(map->handle, LV2_LOG__Error);
  h->urid_log_warning = map->map(map->handle, LV2_LOG__Warning);
  h->urid_log_note = map->map(map->handle, LV2_LOG__Note);
  h->urid_log_trace = map->map(map->handle, LV2_LOG__Trace);
  lv2_atom_forge_init(&h->forge, map);

  h->schedule = (LV2_Worker_Schedule){h, schedule_work};
  h->log = (LV2_Log_Log){h, log_printf, log_vprintf};
  h->map_path = (LV2_State_Map_Path){h, abstract_path, absolute_path};
  h->make_path = (LV2_State_Make_Path){h, make_path};
  h->free_path = (LV2_State_Free_Path){h, free_path};

  h->f_map = (LV2_Feature){LV2_URID__map, &h->urids.map};
  h->f_unmap = (LV2_Feature){LV2_URID__unmap, &h->urids.unmap};
  h->f_options = (LV2_Feature){LV2_OPTIONS__options, h->options};
  h->f_schedule = (LV2_Feature){LV2_WORKER__schedule, &h->schedule};
  h->f_log = (LV2_Feature){LV2_LOG__log, &h->log};
  h->f_map_path = (LV2_Feature){LV2_STATE__mapPath, &h->map_path};
  h->f_make_path = (LV2_Feature){LV2_STATE__makePath, &h->make_path};
  h->f_free_path = (LV2_Feature){LV2_STATE__freePath, &h->free_path};
  h->f_bounded = (LV2_Feature){LV2_BUF_SIZE__boundedBlockLength, NULL};
  const LV2_Feature *list[] = {
      &h->f_map,      &h->f_unmap,     &h->f_options,   &h->f_schedule, &h->f_log,
      &h->f_map_path, &h->f_make_path, &h->f_free_path, &h->f_bounded,  NULL};
  memcpy(h->features, list, sizeof list);
}

static void set_options(ea_host *h, double rate) {
  LV2_URID_Map *map = &h->urids.map;
  LV2_URID t_int = h->uris.atom_Int, t_float = h->uris.atom_Float;
  /* Blocks are cut at output-hop boundaries, so any length from 1 to `block` can occur. */
  h->opt_min_block = 1;
  h->opt_max_block = (int32_t)h->cfg.block;
  h->opt_seq_size = ATOM_CAPACITY;
  h->opt_rate = (float)rate;
  LV2_Options_Option o[6] = {
      {LV2_OPTIONS_INSTANCE, 0, map->map(map->handle, LV2_BUF_SIZE__minBlockLength),
       sizeof(int32_t), t_int, &h->opt_min_block},
      {LV2_OPTIONS_INSTANCE, 0, map->map(map->handle, LV2_BUF_SIZE__maxBlockLength),
       sizeof(int32_t), t_int, &h->opt_max_block},
      {LV2_OPTIONS_INSTANCE, 0, map->map(map->handle, LV2_BUF_SIZE__nominalBlockLength),
       sizeof(int32_t), t_int, &h->opt_max_block},
      {LV2_OPTIONS_INSTANCE, 0, map->map(map->handle, LV2_BUF_SIZE__sequenceSize), sizeof(int32_t),
       t_int, &h->opt_seq_size},
      {LV2_OPTIONS_INSTANCE, 0, map->map(map->handle, LV2_PARAMETERS__sampleRate), sizeof(float),
       t_float, &h->opt_rate},
      {LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, NULL}};
  memcpy(h->options, o, sizeof o);
}

/* ---- ports ------------------------------------------------------------------------------- */

static int scan_ports(ea_host *h, char *err, size_t errlen) {
  LilvWorld *w = h->world;
  LilvNode *input = lilv_new_uri(w, LV2_CORE__InputPort);
  LilvNode *output = lilv_new_uri(w, LV2_CORE__OutputPort);
  LilvNode *audio = lilv_new_uri(w, LV2_CORE__AudioPort);
  LilvNode *control = lilv_new_uri(w, LV2_CORE__ControlPort);
  LilvNode *atom = lilv_new_uri(w, LV2_ATOM__AtomPort);
  LilvNode *integer = lilv_new_uri(w, LV2_CORE__integer);
  LilvNode *enumeration = lilv_new_uri(w, LV2_CORE__enumeration);
  LilvNode *optional = lilv_new_uri(w, LV2_CORE__connectionOptional);
  LilvNode *designation = lilv_new_uri(w, LV2_CORE__designation);
  LilvNode *control_designation = lilv_new_uri(w, LV2_CORE__control);
  int rc = 0;

  h->n_ports = lilv_plugin_get_num_ports(h->plugin);
  h->ports = calloc(h->n_ports, sizeof *h->ports);
  h->control_in = calloc(h->n_ports, sizeof *h->control_in);
  h->output_port = calloc(h->n_ports, sizeof *h->output_port);
  h->output_symbol = calloc(h->n_ports, sizeof *h->output_symbol);
  h->output_integer = calloc(h->n_ports, sizeof *h->output_integer);
  h->outputs = calloc(h->n_ports, sizeof *h->outputs);
  h->atom_port = calloc(h->n_ports, sizeof *h->atom_port);
  h->atom_buf = calloc(h->n_ports, sizeof *h->atom_buf);
  h->audio_in = calloc(h->n_ports, sizeof *h->audio_in);
  h->scratch = calloc(h->cfg.block, sizeof *h->scratch);
  if (!h->ports || !h->control_in || !h->output_port || !h->output_symbol || !h->output_integer ||
      !h->outputs || !h->atom_port || !h->atom_buf || !h->audio_in || !h->scratch) {
    snprintf(err, errlen, "out of memory");
    rc = -1;
    goto done;
  }
  float *defaults = calloc(h->n_ports, sizeof *defaults);
  if (!defaults) {
    snprintf(err, errlen, "out of memory");
    rc = -1;
    goto done;
  }
  lilv_plugin_get_port_ranges_float(h->plugin, NULL, NULL, defaults);
  h->control_atom = h->notify_atom = -1;

  for (uint32_t i = 0; i < h->n_ports && rc == 0; i++) {
    const LilvPort *p = lilv_plugin_get_port_by_index(h->plugin, i);
    port_info *pi = &h->ports[i];
    pi->is_input = lilv_port_is_a(h->plugin, p, input);
    h->control_in[i] = NAN;
    if (lilv_port_is_a(h->plugin, p, control)) {
      if (pi->is_input) {
        pi->kind = PORT_CONTROL_IN;
        h->control_in[i] = isnan(defaults[i]) ? 0.0f : defaults[i];
      } else {
        pi->kind = PORT_CONTROL_OUT;
        pi->slot = h->n_outputs;
        h->output_port[h->n_outputs] = i;
        h->output_symbol[h->n_outputs] =
            strdup(lilv_node_as_string(lilv_port_get_symbol(h->plugin, p)));
        h->output_integer[h->n_outputs] = lilv_port_has_property(h->plugin, p, integer) ||
                                          lilv_port_has_property(h->plugin, p, enumeration);
        h->n_outputs++;
      }
    } else if (lilv_port_is_a(h->plugin, p, audio) && pi->is_input) {
      pi->kind = PORT_AUDIO_IN;
      pi->slot = h->n_audio_in;
      h->audio_in[h->n_audio_in] = calloc(h->cfg.block, sizeof(float));
      if (!h->audio_in[h->n_audio_in++]) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
      }
    } else if (lilv_port_is_a(h->plugin, p, atom)) {
      pi->kind = PORT_ATOM;
      pi->slot = h->n_atom;
      h->atom_port[h->n_atom] = i;
      h->atom_buf[h->n_atom] = calloc(1, ATOM_CAPACITY);
      if (!h->atom_buf[h->n_atom]) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
        break;
      }
      if (pi->is_input) {
        LilvNodes *d = lilv_port_get_value(h->plugin, p, designation);
        int is_control = d && lilv_nodes_contains(d, control_designation);
        lilv_nodes_free(d);
        if (h->control_atom < 0 || is_control)
          h->control_atom = h->n_atom;
      } else if (h->notify_atom < 0) {
        h->notify_atom = h->n_atom;
      }
      h->n_atom++;
    } else {
      pi->kind = PORT_OTHER; /* audio outputs, CV: scratch */
      if (lilv_port_is_a(h->plugin, p, control) == 0 && !lilv_port_is_a(h->plugin, p, audio) &&
          !lilv_port_has_property(h->plugin, p, optional) && pi->is_input)
        ea_msg("warning: port %u of %s has an unknown type; it gets a silent buffer", i,
               h->cfg.plugin_uri);
    }
  }
  free(defaults);

done:
  lilv_node_free(input);
  lilv_node_free(output);
  lilv_node_free(audio);
  lilv_node_free(control);
  lilv_node_free(atom);
  lilv_node_free(integer);
  lilv_node_free(enumeration);
  lilv_node_free(optional);
  lilv_node_free(designation);
  lilv_node_free(control_designation);
  return rc;
}

static int apply_settings(ea_host *h, char *err, size_t errlen) {
  for (int s = 0; s < h->cfg.n_settings; s++) {
    const ea_setting *set = &h->cfg.settings[s];
    LilvNode *sym = lilv_new_string(h->world, set->symbol);
    const LilvPort *p = lilv_plugin_get_port_by_symbol(h->plugin, sym);
    lilv_node_free(sym);
    if (!p) {
      snprintf(err, errlen, "--set %s: the plugin has no port with that symbol", set->symbol);
      return -1;
    }
    uint32_t i = lilv_port_get_index(h->plugin, p);
    if (h->ports[i].kind != PORT_CONTROL_IN) {
      snprintf(err, errlen, "--set %s: that port is not a control input", set->symbol);
      return -1;
    }
    LilvNode *min = NULL, *max = NULL;
    lilv_port_get_range(h->plugin, p, NULL, &min, &max);
    if ((min && set->value < lilv_node_as_float(min)) ||
        (max && set->value > lilv_node_as_float(max))) {
      snprintf(err, errlen, "--set %s=%g: outside the port's range %g..%g", set->symbol, set->value,
               min ? lilv_node_as_float(min) : -INFINITY, max ? lilv_node_as_float(max) : INFINITY);
      lilv_node_free(min);
      lilv_node_free(max);
      return -1;
    }
    lilv_node_free(min);
    lilv_node_free(max);
    h->control_in[i] = set->value;
  }
  return 0;
}

/* The bundle's model file for a rate (emovox_bundle_model_path, as the plugin chooses) into
 * path; 0, or -1 without a bundle. */
static int bundle_model_path(const ea_host *h, double rate, char *path, size_t len) {
  const LilvNode *bundle = lilv_plugin_get_bundle_uri(h->plugin);
  char *dir = bundle ? lilv_file_uri_parse(lilv_node_as_uri(bundle), NULL) : NULL;
  if (!dir)
    return -1;
  emovox_bundle_model_path(dir, rate, path, len);
  lilv_free(dir);
  return 0;
}

/* The models the plugin will run: --model, else the bundle's for each rate class (the files the
 * plugin loads at instantiate). The wide-band one's statistics window sets where the summary
 * takes its phrase readings (ev_summary.h; the narrowband model is trained by the same recipe),
 * their names and releases tell the user which model answers, their bands what a rate below
 * 16 kHz means; a model that cannot be read here leaves the default window, no label and the
 * full band (the plugin then reports its own load error). */
static long read_model(ea_host *h) {
  long rows = 0;
  for (int below = 0; below < 2; below++) {
    const double rate = below ? EMOVOX_NARROWBAND_MAX_RATE : EV_MODEL_RATE;
    char path[PATH_MAX + 64], err[256];
    h->model[below].band_hz = EV_MODEL_RATE / 2;
    int have = bundle_model_path(h, rate, path, sizeof path) == 0;
    ev_model *m = have ? ev_model_load_file(path, err, sizeof err) : NULL;
    if (below)
      h->bundle_band_below = m ? ev_model_audio_band(m) : EV_MODEL_RATE / 2;
    if (h->cfg.model) {
      ev_model_free(m);
      m = ev_model_load_file(h->cfg.model, err, sizeof err);
    }
    if (!m)
      continue;
    if (!below)
      rows = ev_summary_window_rows(ev_model_input_config(m));
    ev_model_display_name(m, h->model[below].label, sizeof h->model[below].label);
    h->model[below].band_hz = ev_model_audio_band(m);
    ev_model_free(m);
  }
  return rows;
}

long ea_host_summary_window_rows(const ea_host *h) {
  return h->summary_window_rows;
}

const char *ea_host_model_label(const ea_host *h) {
  return h->model[0].label;
}

const char *ea_host_model_label_at(const ea_host *h, double rate) {
  return h->model[rate <= EMOVOX_NARROWBAND_MAX_RATE].label;
}

int ea_host_model_band_at(const ea_host *h, double rate) {
  return h->model[rate <= EMOVOX_NARROWBAND_MAX_RATE].band_hz;
}

float ea_host_control_value(const ea_host *h, const char *symbol) {
  ea_global_lock();
  LilvNode *sym = lilv_new_string(h->world, symbol);
  const LilvPort *p = lilv_plugin_get_port_by_symbol(h->plugin, sym);
  lilv_node_free(sym);
  ea_global_unlock();
  if (!p)
    return NAN;
  const uint32_t i = lilv_port_get_index(h->plugin, p);
  return h->ports[i].kind == PORT_CONTROL_IN ? h->control_in[i] : NAN;
}

ea_host *ea_host_new(const ea_host_config *cfg, char *err, size_t errlen) {
  ea_host *h = calloc(1, sizeof *h);
  if (!h) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  h->cfg = *cfg;
  h->responses_tail = &h->responses;
  init_features(h);

  ea_global_lock();
  h->world = lilv_world_new();
  int ok = h->world != NULL;
  if (ok && cfg->bundle) {
    char real[PATH_MAX];
    if (!realpath(cfg->bundle, real)) {
      snprintf(err, errlen, "--bundle %s: %s", cfg->bundle, strerror(errno));
      ok = 0;
    } else {
      size_t n = strlen(real);
      if (n + 1 < sizeof real && real[n - 1] != '/')
        strcat(real, "/");
      LilvNode *uri = lilv_new_file_uri(h->world, NULL, real);
      lilv_world_load_bundle(h->world, uri);
      lilv_node_free(uri);
    }
  } else if (ok) {
    lilv_world_load_all(h->world);
  }
  if (ok) {
    LilvNode *uri = lilv_new_uri(h->world, cfg->plugin_uri);
    h->plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(h->world), uri);
    lilv_node_free(uri);
    if (!h->plugin) {
      snprintf(err, errlen,
               "plugin <%s> not found in %s; install it (ninja install) or pass --bundle "
               "<build>/emovox.lv2",
               cfg->plugin_uri,
               cfg->bundle ? cfg->bundle : "the LV2 path (LV2_PATH, ~/.lv2, /usr/lib/lv2, ...)");
      ok = 0;
    }
  }
  ea_global_unlock();
  if (!ok || scan_ports(h, err, errlen) || apply_settings(h, err, errlen)) {
    ea_host_free(h);
    return NULL;
  }
  h->summary_window_rows = read_model(h);
  return h;
}

static void free_instance(ea_host *h) {
  if (!h->instance)
    return;
  if (h->active)
    lilv_instance_deactivate(h->instance);
  h->active = 0;
  ea_global_lock();
  lilv_instance_free(h->instance);
  ea_global_unlock();
  h->instance = NULL;
  h->worker = NULL;
  while (h->responses) {
    work_response *r = h->responses;
    h->responses = r->next;
    free(r);
  }
  h->responses_tail = &h->responses;
}

void ea_host_free(ea_host *h) {
  if (!h)
    return;
  free_instance(h);
  for (int i = 0; i < h->n_outputs; i++)
    free(h->output_symbol[i]);
  for (int i = 0; i < h->n_audio_in; i++)
    free(h->audio_in[i]);
  for (int i = 0; i < h->n_atom; i++)
    free(h->atom_buf[i]);
  free(h->ports);
  free(h->control_in);
  free(h->output_port);
  free(h->output_symbol);
  free(h->output_integer);
  free(h->outputs);
  free(h->atom_port);
  free(h->atom_buf);
  free(h->audio_in);
  free(h->scratch);
  if (h->world) {
    ea_global_lock();
    lilv_world_free(h->world);
    ea_global_unlock();
  }
  if (h->make_path_dir) {
    rmdir(h->make_path_dir); /* only if the plugin left nothing there */
    free(h->make_path_dir);
  }
  ea_urid_destroy(&h->urids);
  free(h);
}

int ea_host_n_outputs(const ea_host *h) {
  return h->n_outputs;
}
const char *ea_host_output_symbol(const ea_host *h, int i) {
  return h->output_symbol[i];
}
int ea_host_output_is_integer(const ea_host *h, int i) {
  return h->output_integer[i];
}
int ea_host_n_audio_inputs(const ea_host *h) {
  return h->n_audio_in;
}
const float *ea_host_outputs(const ea_host *h) {
  return h->outputs;
}
void ea_host_set_log_name(ea_host *h, const char *name) {
  h->log_name = name;
}

int ea_host_output_by_port(const ea_host *h, uint32_t port_index) {
  if (port_index >= h->n_ports || h->ports[port_index].kind != PORT_CONTROL_OUT)
    return -1;
  return h->ports[port_index].slot;
}

/* ---- running ----------------------------------------------------------------------------- */

static void prepare_atoms(ea_host *h) {
  for (int a = 0; a < h->n_atom; a++) {
    LV2_Atom_Sequence *seq = h->atom_buf[a];
    if (h->ports[h->atom_port[a]].is_input) {
      seq->atom.size = sizeof(LV2_Atom_Sequence_Body);
      seq->atom.type = h->uris.atom_Sequence;
      seq->body.unit = 0;
      seq->body.pad = 0;
    } else { /* the plugin writes a sequence of at most this capacity */
      seq->atom.size = ATOM_CAPACITY - sizeof(LV2_Atom);
      seq->atom.type = h->uris.atom_Chunk;
    }
  }
}

/* Looks for the plugin's status message (an object of type EMOVOX_URI_STATUS) in the notify
 * output: its code, text and running model path. Returns 1 if one was found. */
static int scan_notify(ea_host *h, int *code, char *path, size_t pathlen) {
  if (h->notify_atom < 0)
    return 0;
  const LV2_Atom_Sequence *seq = h->atom_buf[h->notify_atom];
  if (seq->atom.type != h->uris.atom_Sequence || seq->atom.size > ATOM_CAPACITY - sizeof(LV2_Atom))
    return 0;
  int found = 0;
  LV2_ATOM_SEQUENCE_FOREACH(seq, ev) {
    emovox_status_msg m;
    if (!emovox_read_status(&h->uris, &ev->body, &m))
      continue;
    found = 1;
    path[0] = '\0';
    if (m.code >= 0)
      *code = m.code;
    emovox_atom_text(&h->uris, m.text, h->notify_text, sizeof h->notify_text);
    emovox_atom_text(&h->uris, m.path, path, pathlen);
    h->telephone =
        !strncmp(h->notify_text, EMOVOX_STATUS_TELEPHONE, strlen(EMOVOX_STATUS_TELEPHONE));
    h->telephone_heard |= h->telephone;
  }
  return found;
}

static void run_once(ea_host *h, uint32_t n) {
  lilv_instance_run(h->instance, n);
  deliver_responses(h);
  for (int i = 0; i < h->n_outputs; i++)
    h->outputs[i] = h->control_in[h->output_port[i]];
}

static int load_model(ea_host *h, char *err, size_t errlen) {
  if (h->control_atom < 0) {
    snprintf(err, errlen, "--model: the plugin has no atom input to send it to");
    return -1;
  }
  char real[PATH_MAX];
  if (!realpath(h->cfg.model, real)) {
    snprintf(err, errlen, "--model %s: %s", h->cfg.model, strerror(errno));
    return -1;
  }
  prepare_atoms(h);
  LV2_Atom_Sequence *seq = h->atom_buf[h->control_atom];
  LV2_Atom_Forge *forge = &h->forge;
  lv2_atom_forge_set_buffer(forge, (uint8_t *)seq, ATOM_CAPACITY);
  LV2_Atom_Forge_Frame seq_frame;
  lv2_atom_forge_sequence_head(forge, &seq_frame, 0);
  lv2_atom_forge_frame_time(forge, 0);
  emovox_write_set_model(forge, &h->uris, real);
  lv2_atom_forge_pop(forge, &seq_frame);

  /* The plugin answers every load attempt with a status message: code, text, and the path of
   * the model now running (a default model may be running before ours is installed). */
  int status_slot = ea_host_output_by_port(h, EMOVOX_STATUS);
  h->notify_text[0] = '\0';
  for (int i = 0; i < MAX_LOAD_RUNS; i++) {
    run_once(h, 0); /* the worker runs inside (schedule_work), responses after */
    int code = -1;
    char running[PATH_MAX] = "";
    int got = scan_notify(h, &code, running, sizeof running);
    prepare_atoms(h);
    if (status_slot < 0)
      return 0; /* not an Emovox plugin: nothing to wait for */
    if (got && code == EMOVOX_STATUS_OK && !strcmp(running, real))
      return 0;
    if (got && code == EMOVOX_STATUS_LOAD_ERROR) {
      snprintf(err, errlen, "model %s did not load: %s", real,
               h->notify_text[0] ? h->notify_text : "(no reason given)");
      return -1;
    }
  }
  snprintf(err, errlen, "model %s: no answer from the plugin after %d runs (status %d)%s%s", real,
           MAX_LOAD_RUNS, (int)lrintf(h->outputs[status_slot]), h->notify_text[0] ? ": " : "",
           h->notify_text);
  return -1;
}

static int instantiate(ea_host *h, double rate, char *err, size_t errlen) {
  set_options(h, rate);
  ea_global_lock();
  h->instance = lilv_plugin_instantiate(h->plugin, rate, h->features);
  ea_global_unlock();
  if (!h->instance) {
    snprintf(err, errlen, "the plugin could not be instantiated at %g Hz", rate);
    return -1;
  }
  h->rate = rate;
  h->worker = lilv_instance_get_extension_data(h->instance, LV2_WORKER__interface);
  for (uint32_t i = 0; i < h->n_ports; i++) {
    void *buf = h->scratch;
    switch (h->ports[i].kind) {
    case PORT_AUDIO_IN:
      buf = h->audio_in[h->ports[i].slot];
      break;
    case PORT_CONTROL_IN:
      buf = &h->control_in[i];
      break;
    case PORT_CONTROL_OUT:
      buf = &h->control_in[i];
      break; /* copied to outputs after run */
    case PORT_ATOM:
      buf = h->atom_buf[h->ports[i].slot];
      break;
    default:
      break;
    }
    lilv_instance_connect_port(h->instance, i, buf);
  }
  lilv_instance_activate(h->instance);
  h->active = 1;
  if (h->cfg.model) {
    ea_global_lock(); /* model loading plans FFTs and allocates: not thread-safe everywhere */
    int rc = load_model(h, err, errlen);
    ea_global_unlock();
    if (rc) {
      free_instance(h);
      return -1;
    }
  }
  return 0;
}

int ea_host_start(ea_host *h, double rate, char *err, size_t errlen) {
  /* A new instance for every stream (file, or session), never the previous one deactivated and
   * activated: activate() resets the analyser the audio thread's way (ev_analyzer_reset), whose
   * resampler flushes soxr with zeros instead of clearing it, so at any rate but 16 kHz a file's
   * readings would move in the 6th decimal with the files analysed before it in the same job
   * (and so with --jobs and --shard). Measured: a 48 kHz file after another one, 208 of its 350
   * rows different, by up to 2e-6. The price: about 5 ms per stream with the shipped model
   * (30 files of 3.5 s: 0.23 -> 0.43 s at 48 kHz). At the analysis rate itself no resampler
   * runs and that reset is exact (analyzer_exact_reset checks it), so 16 kHz files keep one
   * instance and pay nothing (0.20 s, against 0.33 s with an instance per file). */
  if (h->instance && h->rate == rate && rate == EV_MODEL_RATE) {
    lilv_instance_deactivate(h->instance);
    lilv_instance_activate(h->instance);
  } else {
    free_instance(h);
    if (instantiate(h, rate, err, errlen))
      return -1;
  }
  for (int i = 0; i < h->n_outputs; i++)
    h->outputs[i] = h->control_in[h->output_port[i]];
  h->telephone = h->telephone_heard = 0; /* a fresh or reset analyser hears the band anew */
  return 0;
}

void ea_host_process(ea_host *h, const float *const *audio, uint32_t n) {
  for (int c = 0; c < h->n_audio_in; c++)
    memcpy(h->audio_in[c], audio[c], n * sizeof(float));
  prepare_atoms(h);
  run_once(h, n);
  int code = -1;
  char path[PATH_MAX];
  scan_notify(h, &code, path, sizeof path); /* the plugin says when it starts reading a call */
}

int ea_host_take_telephone(ea_host *h) {
  const int heard = h->telephone_heard;
  h->telephone_heard = h->telephone; /* the next file starts as this one ends */
  return heard;
}
