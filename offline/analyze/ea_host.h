/* A minimal offline LV2 host for one plugin (lilv): what a real host provides (URID map/unmap,
 * options, a worker run synchronously as hosts do when rendering offline, state:mapPath and
 * makePath, log), all ports connected. One ea_host per job thread: it owns its own lilv world
 * and at most one plugin instance, re-used (deactivate/activate) for files of the same rate. */
#ifndef EA_HOST_H
#define EA_HOST_H

#include <stddef.h>
#include <stdint.h>

typedef struct ea_setting {
  const char *symbol; /* port symbol of a control input */
  float value;
} ea_setting;

typedef struct ea_host_config {
  const char *plugin_uri;
  const char *bundle; /* NULL: lilv_world_load_all (LV2_PATH, ~/.lv2, system dirs) */
  uint32_t block;     /* largest block given to run() */
  const ea_setting *settings;
  int n_settings;
  const char
      *model;  /* NULL: none; else sent as patch:Set of EMOVOX_URI_MODEL after instantiation */
  int verbose; /* print the plugin's trace/note log messages too */
} ea_host_config;

typedef struct ea_host ea_host;

/* Loads the world (under the process-wide lock), finds the plugin, checks the settings. */
ea_host *ea_host_new(const ea_host_config *cfg, char *err, size_t errlen);
void ea_host_free(ea_host *h);

int ea_host_n_outputs(const ea_host *h); /* control outputs, in port order */
const char *ea_host_output_symbol(const ea_host *h, int i);
int ea_host_output_is_integer(const ea_host *h, int i); /* lv2:integer or lv2:enumeration */
int ea_host_output_by_port(const ea_host *h, uint32_t port_index); /* -1 if not an output */
int ea_host_n_audio_inputs(const ea_host *h);

/* Name printed with the plugin's log messages (the file being analysed). */
void ea_host_set_log_name(ea_host *h, const char *name);

/* Makes a new, active instance at this rate (the previous one freed, the model loaded into the
 * new one), so that a stream's readings never depend on what the host analysed before.
 * -1 + err if the plugin refuses the rate or the model does not load. */
int ea_host_start(ea_host *h, double rate, char *err, size_t errlen);
/* Runs one block (n <= block) with one buffer per audio input; the outputs are read after. */
void ea_host_process(ea_host *h, const float *const *audio, uint32_t n);
/* Whether the plugin said it heard telephone audio (and read it with the default model's
 * narrowband companion, ev_analyzer_attach_narrowband) since the stream started or the last
 * call: once per file. */
int ea_host_take_telephone(ea_host *h);
const float *ea_host_outputs(const ea_host *h); /* ea_host_n_outputs values */
/* The summary's reading window for the model the plugin runs (its statistics window, in 10 ms
 * rows: ev_summary_window_rows; 0 when it could not be read: the default). */
long ea_host_summary_window_rows(const ea_host *h);
/* The model the plugin runs at 16 kHz and above, as "name release" ("emovox-default 0.17"); ""
 * when unread. */
const char *ea_host_model_label(const ea_host *h);
/* The same for a rate (at 8 kHz: the bundle's narrowband model, unless --model), and the
 * band its training audio held (ev_model_audio_band; 8000 when unread). */
const char *ea_host_model_label_at(const ea_host *h, double rate);
int ea_host_model_band_at(const ea_host *h, double rate);
/* The value a control input is set to (its default or --set), NAN if there is no such input. */
float ea_host_control_value(const ea_host *h, const char *symbol);

/* The process-wide lock around work that is not thread-safe in the libraries a plugin uses
 * (FFTW planning during instantiation or model loading, lilv world loading). */
void ea_global_lock(void);
void ea_global_unlock(void);

#endif
