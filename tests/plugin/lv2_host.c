#include "lv2_host.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/log/log.h>
#include <lv2/midi/midi.h>
#include <lv2/options/options.h>
#include <lv2/parameters/parameters.h>
#include <lv2/patch/patch.h>
#include <lv2/state/state.h>
#include <lv2/time/time.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#define MAX_URIDS      512
#define MAX_RESPONSES  32
#define RESPONSE_BYTES 8192
#define LOG_BYTES      65536

typedef struct {
  _Alignas(8) LV2_Atom_Sequence seq; /* atoms are 64-bit aligned */
  uint8_t body[HOST_ATOM_CAPACITY];
} atom_buffer;

struct lv2_host {
  LilvWorld *world;
  const LilvPlugin *plugin;
  LilvInstance *instance;
  uint32_t n_ports;
  bool stereo;
  float controls[EMOVOX_N_PORTS_STEREO];
  atom_buffer control_in, notify, midi;
  _Alignas(8) uint8_t pending[HOST_ATOM_CAPACITY]; /* messages to send on the next run */
  uint32_t pending_size;
  char *uris[MAX_URIDS];
  uint32_t n_uris;
  LV2_URID_Map map;
  LV2_URID_Unmap unmap;
  LV2_Log_Log log;
  char log_text[LOG_BYTES];
  size_t log_len;
  LV2_Worker_Schedule schedule;
  const LV2_Worker_Interface *worker;
  _Alignas(8) uint8_t responses[MAX_RESPONSES][RESPONSE_BYTES];
  uint32_t response_size[MAX_RESPONSES];
  int n_responses;
  int work_calls;
  /* Threaded worker (host_use_worker_thread): jobs queue here, the thread answers into
   * `responses`; `lock` guards both (the audio thread of this test host may lock). */
  bool threaded, stop, busy;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  _Alignas(8) uint8_t jobs[MAX_RESPONSES][RESPONSE_BYTES];
  uint32_t job_size[MAX_RESPONSES];
  int job_head, n_jobs;
  /* Polling worker (host_use_polling_worker): `jobs` and `responses` become single-producer
   * single-consumer rings with these free-running indices, so the audio thread's side of
   * the host neither locks nor makes a system call; the worker thread sleeps between polls. */
  bool polling;
  atomic_uint job_w, job_r, resp_w, resp_r;
  atomic_bool poll_stop, poll_busy;
  /* host_refuse_work: schedule_work answers "no space", as from a full queue. */
  bool refuse_work;
  /* host_refuse_responses: respond answers "no space", as from a full reply queue. */
  atomic_bool refuse_responses;
  /* host_pause_worker: the threaded worker takes no job while set (under `lock`). */
  bool paused;
  /* host_on_next_reply: called once, on the worker's thread, after respond() queued a reply. */
  void (*reply_hook)(lv2_host *, void *);
  void *reply_hook_arg;
  int jobs_accepted;
  const void *control_override; /* host_use_control_buffer */
  LV2_Options_Option options[5];
  int32_t min_block, max_block, nominal_block;
  float sample_rate;
  LV2_Feature f_map, f_unmap, f_log, f_schedule, f_options, f_bounded;
  const LV2_Feature *features[7];
  host_status status;
  /* URIDs used on every run(), mapped once (the benchmark measures run(), not this host). */
  LV2_URID u_status, u_set, u_object, u_sequence, u_tuple, u_midi_event, u_value;
  LV2_URID u_code, u_text, u_name, u_path, u_labels, u_learned;
  host_midi midi_events[HOST_MAX_MIDI];
  int n_midi;
  /* State store: a value per key (the plugin stores the model's path and a learned voice). */
  struct host_state_slot {
    uint32_t key, type, flags;
    char value[HOST_STATE_VALUE_MAX];
    size_t size;
  } state[HOST_STATE_SLOTS];
  int n_state;
  const char *map_base;
};

static LV2_URID map_uri(LV2_URID_Map_Handle handle, const char *uri) {
  lv2_host *h = handle;
  for (uint32_t i = 0; i < h->n_uris; i++)
    if (!strcmp(h->uris[i], uri))
      return i + 1;
  if (h->n_uris == MAX_URIDS)
    return 0;
  h->uris[h->n_uris] = strdup(uri);
  return ++h->n_uris;
}

static const char *unmap_uri(LV2_URID_Unmap_Handle handle, LV2_URID urid) {
  lv2_host *h = handle;
  return (urid >= 1 && urid <= h->n_uris) ? h->uris[urid - 1] : NULL;
}

static int log_vprintf(LV2_Log_Handle handle, LV2_URID type, const char *fmt, va_list ap) {
  lv2_host *h = handle;
  char line[1024];
  int n = vsnprintf(line, sizeof line, fmt, ap);
  const char *kind = unmap_uri(h, type);
  fprintf(stderr, "[plugin %s] %s", kind ? strrchr(kind, '#') + 1 : "?", line);
  /* kept as "Kind: line", so a test can tell a warning from a note */
  char kept[1100];
  snprintf(kept, sizeof kept, "%s: %s", kind ? strrchr(kind, '#') + 1 : "?", line);
  size_t len = strlen(kept);
  if (h->log_len + len + 1 < LOG_BYTES) {
    memcpy(h->log_text + h->log_len, kept, len + 1);
    h->log_len += len;
  }
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
  lv2_host *h = handle;
  LV2_Worker_Status st = LV2_WORKER_SUCCESS;
  if (atomic_load(&h->refuse_responses))
    return LV2_WORKER_ERR_NO_SPACE;
  if (h->polling) {
    unsigned w = atomic_load_explicit(&h->resp_w, memory_order_relaxed);
    if (w - atomic_load_explicit(&h->resp_r, memory_order_acquire) == MAX_RESPONSES ||
        size > RESPONSE_BYTES)
      return LV2_WORKER_ERR_NO_SPACE;
    memcpy(h->responses[w % MAX_RESPONSES], data, size);
    h->response_size[w % MAX_RESPONSES] = size;
    atomic_store_explicit(&h->resp_w, w + 1, memory_order_release);
    return LV2_WORKER_SUCCESS;
  }
  if (h->threaded)
    pthread_mutex_lock(&h->lock);
  if (h->n_responses == MAX_RESPONSES || size > RESPONSE_BYTES) {
    st = LV2_WORKER_ERR_NO_SPACE;
  } else {
    memcpy(h->responses[h->n_responses], data, size);
    h->response_size[h->n_responses++] = size;
  }
  if (h->threaded)
    pthread_mutex_unlock(&h->lock);
  void (*hook)(lv2_host *, void *) = st == LV2_WORKER_SUCCESS ? h->reply_hook : NULL;
  if (hook) { /* between the reply and whatever work() does after it */
    h->reply_hook = NULL;
    hook(h, h->reply_hook_arg);
  }
  return st;
}

static void *worker_thread(void *arg) {
  lv2_host *h = arg;
  static _Alignas(8) uint8_t job[RESPONSE_BYTES];
  pthread_mutex_lock(&h->lock);
  for (;;) {
    while (!h->stop && (h->n_jobs == 0 || h->paused))
      pthread_cond_wait(&h->cond, &h->lock);
    if (h->n_jobs == 0 && h->stop)
      break;
    uint32_t size = h->job_size[h->job_head];
    memcpy(job, h->jobs[h->job_head], size);
    h->job_head = (h->job_head + 1) % MAX_RESPONSES;
    h->n_jobs--;
    h->busy = true;
    pthread_mutex_unlock(&h->lock);
    h->worker->work(lilv_instance_get_handle(h->instance), respond, h, size, job);
    pthread_mutex_lock(&h->lock);
    h->busy = false;
    pthread_cond_broadcast(&h->cond);
  }
  pthread_mutex_unlock(&h->lock);
  return NULL;
}

void host_use_worker_thread(lv2_host *h) {
  pthread_mutex_init(&h->lock, NULL);
  pthread_cond_init(&h->cond, NULL);
  h->threaded = true;
  pthread_create(&h->thread, NULL, worker_thread, h);
}

static void sleep_ms(long ms) {
  struct timespec ts = {0, ms * 1000000L};
  nanosleep(&ts, NULL);
}

static void *polling_worker(void *arg) {
  lv2_host *h = arg;
  _Alignas(8) uint8_t job[RESPONSE_BYTES];
  for (;;) {
    /* busy is raised before looking at the ring, so host_drain_worker, which reads the ring
     * and then busy, never sees "empty and idle" while a job is in hand. */
    atomic_store(&h->poll_busy, true);
    unsigned r = atomic_load_explicit(&h->job_r, memory_order_relaxed);
    if (r == atomic_load_explicit(&h->job_w, memory_order_acquire)) {
      atomic_store(&h->poll_busy, false);
      if (atomic_load(&h->poll_stop))
        break;
      sleep_ms(1);
      continue;
    }
    uint32_t size = h->job_size[r % MAX_RESPONSES];
    memcpy(job, h->jobs[r % MAX_RESPONSES], size);
    atomic_store_explicit(&h->job_r, r + 1, memory_order_release);
    h->worker->work(lilv_instance_get_handle(h->instance), respond, h, size, job);
    atomic_store(&h->poll_busy, false);
  }
  return NULL;
}

void host_use_polling_worker(lv2_host *h) {
  h->polling = true;
  pthread_create(&h->thread, NULL, polling_worker, h);
}

void host_drain_worker(lv2_host *h) {
  if (h->polling) {
    while (atomic_load(&h->job_r) != atomic_load(&h->job_w) || atomic_load(&h->poll_busy))
      sleep_ms(1);
    return;
  }
  if (!h->threaded)
    return;
  pthread_mutex_lock(&h->lock);
  while ((h->n_jobs > 0 && !h->paused) || h->busy)
    pthread_cond_wait(&h->cond, &h->lock);
  pthread_mutex_unlock(&h->lock);
}

void host_pause_worker(lv2_host *h, bool paused) {
  pthread_mutex_lock(&h->lock);
  h->paused = paused;
  pthread_cond_broadcast(&h->cond);
  pthread_mutex_unlock(&h->lock);
}

void host_on_next_reply(lv2_host *h, void (*fn)(lv2_host *, void *), void *arg) {
  h->reply_hook_arg = arg;
  h->reply_hook = fn;
}

/* Hands the job to the polling or threaded worker; the synchronous worker runs it at once,
 * and its responses wait for the end of run(). */
static LV2_Worker_Status queue_work(LV2_Worker_Schedule_Handle handle, uint32_t size,
                                    const void *data) {
  lv2_host *h = handle;
  if (!h->worker)
    return LV2_WORKER_ERR_UNKNOWN;
  h->work_calls++;
  if (h->polling) {
    unsigned w = atomic_load_explicit(&h->job_w, memory_order_relaxed);
    if (w - atomic_load_explicit(&h->job_r, memory_order_acquire) == MAX_RESPONSES ||
        size > RESPONSE_BYTES)
      return LV2_WORKER_ERR_NO_SPACE;
    memcpy(h->jobs[w % MAX_RESPONSES], data, size);
    h->job_size[w % MAX_RESPONSES] = size;
    atomic_store_explicit(&h->job_w, w + 1, memory_order_release);
    return LV2_WORKER_SUCCESS;
  }
  if (h->threaded) {
    LV2_Worker_Status st = LV2_WORKER_SUCCESS;
    pthread_mutex_lock(&h->lock);
    if (h->n_jobs == MAX_RESPONSES || size > RESPONSE_BYTES) {
      st = LV2_WORKER_ERR_NO_SPACE;
    } else {
      int slot = (h->job_head + h->n_jobs) % MAX_RESPONSES;
      memcpy(h->jobs[slot], data, size);
      h->job_size[slot] = size;
      h->n_jobs++;
      pthread_cond_broadcast(&h->cond);
    }
    pthread_mutex_unlock(&h->lock);
    return st;
  }
  return h->worker->work(lilv_instance_get_handle(h->instance), respond, h, size, data);
}

static LV2_Worker_Status schedule_work(LV2_Worker_Schedule_Handle handle, uint32_t size,
                                       const void *data) {
  lv2_host *h = handle;
  if (h->refuse_work)
    return LV2_WORKER_ERR_NO_SPACE;
  LV2_Worker_Status st = queue_work(handle, size, data);
  h->jobs_accepted += st == LV2_WORKER_SUCCESS;
  return st;
}

static void deliver_responses(lv2_host *h) {
  if (h->polling) { /* in ring order; a response's follow-up jobs go to the job ring */
    unsigned r = atomic_load_explicit(&h->resp_r, memory_order_relaxed);
    while (r != atomic_load_explicit(&h->resp_w, memory_order_acquire)) {
      h->worker->work_response(lilv_instance_get_handle(h->instance),
                               h->response_size[r % MAX_RESPONSES],
                               h->responses[r % MAX_RESPONSES]);
      atomic_store_explicit(&h->resp_r, ++r, memory_order_release);
    }
    return;
  }
  /* work_response may schedule more work (freeing the old model): take a snapshot first. */
  for (;;) {
    static _Alignas(8) uint8_t copy[MAX_RESPONSES][RESPONSE_BYTES];
    uint32_t sizes[MAX_RESPONSES];
    if (h->threaded)
      pthread_mutex_lock(&h->lock);
    int n = h->n_responses;
    memcpy(copy, h->responses, (size_t)n * RESPONSE_BYTES);
    memcpy(sizes, h->response_size, sizeof sizes);
    h->n_responses = 0;
    if (h->threaded)
      pthread_mutex_unlock(&h->lock);
    if (n == 0)
      break;
    for (int i = 0; i < n; i++)
      h->worker->work_response(lilv_instance_get_handle(h->instance), sizes[i], copy[i]);
  }
}

static char failed_log[LOG_BYTES]; /* what the plugin logged in the last failed host_new */

const char *host_failed_log(void) {
  return failed_log;
}

lv2_host *host_new(const char *plugin_uri, double rate, uint32_t max_block) {
  failed_log[0] = '\0';
  lv2_host *h = calloc(1, sizeof *h);
  h->map = (LV2_URID_Map){h, map_uri};
  h->unmap = (LV2_URID_Unmap){h, unmap_uri};
  h->log = (LV2_Log_Log){h, log_printf, log_vprintf};
  h->schedule = (LV2_Worker_Schedule){h, schedule_work};
  h->sample_rate = (float)rate;
  h->min_block = 1;
  h->max_block = (int32_t)max_block;
  h->nominal_block = (int32_t)max_block;
  LV2_URID atom_Int = map_uri(h, LV2_ATOM__Int), atom_Float = map_uri(h, LV2_ATOM__Float);
  h->options[0] =
      (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0,          map_uri(h, LV2_PARAMETERS__sampleRate),
                           sizeof(float),        atom_Float, &h->sample_rate};
  h->options[1] =
      (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0,        map_uri(h, LV2_BUF_SIZE__minBlockLength),
                           sizeof(int32_t),      atom_Int, &h->min_block};
  h->options[2] =
      (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0,        map_uri(h, LV2_BUF_SIZE__maxBlockLength),
                           sizeof(int32_t),      atom_Int, &h->max_block};
  h->options[3] = (LV2_Options_Option){
      LV2_OPTIONS_INSTANCE, 0,        map_uri(h, LV2_BUF_SIZE__nominalBlockLength),
      sizeof(int32_t),      atom_Int, &h->nominal_block};
  h->options[4] = (LV2_Options_Option){LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, NULL};
  h->f_map = (LV2_Feature){LV2_URID__map, &h->map};
  h->f_unmap = (LV2_Feature){LV2_URID__unmap, &h->unmap};
  h->f_log = (LV2_Feature){LV2_LOG__log, &h->log};
  h->f_schedule = (LV2_Feature){LV2_WORKER__schedule, &h->schedule};
  h->f_options = (LV2_Feature){LV2_OPTIONS__options, h->options};
  h->f_bounded = (LV2_Feature){LV2_BUF_SIZE__boundedBlockLength, NULL};
  const LV2_Feature *features[] = {&h->f_map,     &h->f_unmap,   &h->f_log, &h->f_schedule,
                                   &h->f_options, &h->f_bounded, NULL};
  memcpy(h->features, features, sizeof features);

  h->u_status = map_uri(h, EMOVOX_URI_STATUS);
  h->u_set = map_uri(h, LV2_PATCH__Set);
  h->u_object = map_uri(h, LV2_ATOM__Object);
  h->u_sequence = map_uri(h, LV2_ATOM__Sequence);
  h->u_tuple = map_uri(h, LV2_ATOM__Tuple);
  h->u_midi_event = map_uri(h, LV2_MIDI__MidiEvent);
  h->u_value = map_uri(h, LV2_PATCH__value);
  h->u_code = map_uri(h, EMOVOX_URI_STATUS_CODE);
  h->u_text = map_uri(h, EMOVOX_URI_STATUS_TEXT);
  h->u_name = map_uri(h, EMOVOX_URI_MODEL_NAME);
  h->u_path = map_uri(h, EMOVOX_URI_MODEL_PATH);
  h->u_labels = map_uri(h, EMOVOX_URI_MODEL_LABELS);
  h->u_learned = map_uri(h, EMOVOX_URI_VOICE_LEARNED);
  h->world = lilv_world_new();
  lilv_world_load_all(h->world); /* LV2_PATH: the build directory (tests/meson.build) */
  LilvNode *uri = lilv_new_uri(h->world, plugin_uri);
  h->plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(h->world), uri);
  lilv_node_free(uri);
  if (!h->plugin) {
    fprintf(stderr, "host: plugin <%s> not found in LV2_PATH=%s\n", plugin_uri,
            getenv("LV2_PATH") ? getenv("LV2_PATH") : "(unset)");
    host_free(h);
    return NULL;
  }
  /* Keep the plugin's library mapped after lilv unloads it: FFTW keeps process-wide planner
   * data that stays reachable only while the library is mapped, so the leak checker would
   * otherwise report it (at exit, not per instance). */
  char *lib = lilv_file_uri_parse(lilv_node_as_uri(lilv_plugin_get_library_uri(h->plugin)), NULL);
  if (lib) {
    dlopen(lib, RTLD_NOW | RTLD_NODELETE);
    lilv_free(lib);
  }
  h->n_ports = lilv_plugin_get_num_ports(h->plugin);
  h->stereo = h->n_ports == EMOVOX_N_PORTS_STEREO;
  float mins[EMOVOX_N_PORTS_STEREO], maxs[EMOVOX_N_PORTS_STEREO];
  lilv_plugin_get_port_ranges_float(h->plugin, mins, maxs, h->controls);
  for (uint32_t i = 0; i < h->n_ports; i++)
    if (h->controls[i] != h->controls[i])
      h->controls[i] = 0.0f;
  h->instance = lilv_plugin_instantiate(h->plugin, rate, h->features);
  if (!h->instance) {
    fprintf(stderr, "host: cannot instantiate <%s> at %.0f Hz\n", plugin_uri, rate);
    memcpy(failed_log, h->log_text, sizeof failed_log); /* the host goes, its log stays */
    host_free(h);
    return NULL;
  }
  h->worker = lilv_instance_get_extension_data(h->instance, LV2_WORKER__interface);
  for (uint32_t i = EMOVOX_ENABLE; i <= EMOVOX_STATUS; i++)
    lilv_instance_connect_port(h->instance, i, &h->controls[i]);
  const uint32_t emotions = emovox_emotions_port(h->stereo); /* after the audio ports */
  lilv_instance_connect_port(h->instance, emotions, &h->controls[emotions]);
  const uint32_t adapted = emovox_adapted_port(h->stereo); /* the same */
  lilv_instance_connect_port(h->instance, adapted, &h->controls[adapted]);
  lilv_instance_connect_port(h->instance, EMOVOX_CONTROL, &h->control_in);
  lilv_instance_connect_port(h->instance, EMOVOX_NOTIFY, &h->notify);
  lilv_instance_connect_port(h->instance, EMOVOX_MIDI_OUT, &h->midi);
  lilv_instance_activate(h->instance);
  return h;
}

void host_free(lv2_host *h) {
  if (!h)
    return;
  if (h->polling) {
    host_drain_worker(h);
    deliver_responses(h); /* loaded models come back here; retired ones go to the worker */
    host_drain_worker(h);
    atomic_store(&h->poll_stop, true);
    pthread_join(h->thread, NULL);
  }
  if (h->threaded) {
    host_pause_worker(h, false);
    host_drain_worker(h);
    deliver_responses(h); /* loaded models come back here; retired ones go to the worker */
    host_drain_worker(h);
    pthread_mutex_lock(&h->lock);
    h->stop = true;
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->thread, NULL);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->cond);
  }
  if (h->instance) {
    lilv_instance_deactivate(h->instance);
    lilv_instance_free(h->instance);
  }
  if (h->world)
    lilv_world_free(h->world);
  for (uint32_t i = 0; i < h->n_uris; i++)
    free(h->uris[i]);
  free(h);
}

LilvWorld *host_world(lv2_host *h) {
  return h->world;
}
bool host_stereo(const lv2_host *h) {
  return h->stereo;
}
const LilvPlugin *host_plugin(lv2_host *h) {
  return h->plugin;
}
void host_set_control(lv2_host *h, uint32_t port, float value) {
  h->controls[port] = value;
}
void host_disconnect_control(lv2_host *h, uint32_t port) {
  lilv_instance_connect_port(h->instance, port, NULL);
}
float host_output(const lv2_host *h, uint32_t port) {
  return h->controls[port];
}
const host_status *host_last_status(const lv2_host *h) {
  return &h->status;
}
const char *host_log(const lv2_host *h) {
  return h->log_text;
}
int host_work_calls(const lv2_host *h) {
  return h->work_calls;
}
int host_jobs_accepted(const lv2_host *h) {
  return h->jobs_accepted;
}
void host_use_control_buffer(lv2_host *h, const void *seq) {
  h->control_override = seq;
}
void host_refuse_work(lv2_host *h, bool refuse) {
  h->refuse_work = refuse;
}
void host_refuse_responses(lv2_host *h, bool refuse) {
  atomic_store(&h->refuse_responses, refuse);
}
void host_clear_log(lv2_host *h) {
  h->log_len = 0;
  h->log_text[0] = '\0';
}
int host_midi_events(const lv2_host *h, const host_midi **events) {
  *events = h->midi_events;
  return h->n_midi;
}

static void append_event(lv2_host *h, int64_t time, const void *atom, uint32_t size) {
  /* A sequence event: 8 bytes of time + the atom, padded to 8. */
  uint32_t need = 8 + lv2_atom_pad_size(size);
  if (h->pending_size + need > sizeof h->pending)
    return;
  LV2_Atom_Event *ev = (LV2_Atom_Event *)(h->pending + h->pending_size);
  ev->time.frames = time;
  memcpy(&ev->body, atom, size);
  h->pending_size += need;
}

static void append_message(lv2_host *h, const void *atom, uint32_t size) {
  append_event(h, 0, atom, size);
}

void host_send_set_model(lv2_host *h, const char *path) {
  _Alignas(8) uint8_t buf[8192];
  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, &h->map);
  lv2_atom_forge_set_buffer(&forge, buf, sizeof buf);
  LV2_Atom_Forge_Frame frame;
  LV2_Atom *obj = (LV2_Atom *)lv2_atom_forge_object(&forge, &frame, 0, map_uri(h, LV2_PATCH__Set));
  lv2_atom_forge_key(&forge, map_uri(h, LV2_PATCH__property));
  lv2_atom_forge_urid(&forge, map_uri(h, EMOVOX_URI_MODEL));
  lv2_atom_forge_key(&forge, map_uri(h, LV2_PATCH__value));
  lv2_atom_forge_path(&forge, path, (uint32_t)strlen(path));
  lv2_atom_forge_pop(&forge, &frame);
  append_message(h, obj, lv2_atom_total_size(obj));
}

void host_send_forget_voice(lv2_host *h) {
  _Alignas(8) uint8_t buf[256];
  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, &h->map);
  lv2_atom_forge_set_buffer(&forge, buf, sizeof buf);
  emovox_uris u;
  emovox_map_uris(&h->map, &u);
  LV2_Atom *obj = (LV2_Atom *)buf; /* the UI's writer, as the UI sends it */
  emovox_write_forget_voice(&forge, &u);
  append_message(h, obj, lv2_atom_total_size(obj));
}

void host_send_position(lv2_host *h, int64_t frame, float speed) {
  host_send_position_at(h, 0, frame, speed);
}

void host_send_position_at(lv2_host *h, int64_t time, int64_t frame, float speed) {
  _Alignas(8) uint8_t buf[256];
  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, &h->map);
  lv2_atom_forge_set_buffer(&forge, buf, sizeof buf);
  LV2_Atom_Forge_Frame fr;
  LV2_Atom *obj = (LV2_Atom *)lv2_atom_forge_object(&forge, &fr, 0, map_uri(h, LV2_TIME__Position));
  lv2_atom_forge_key(&forge, map_uri(h, LV2_TIME__frame));
  lv2_atom_forge_long(&forge, frame);
  lv2_atom_forge_key(&forge, map_uri(h, LV2_TIME__speed));
  lv2_atom_forge_float(&forge, speed);
  lv2_atom_forge_pop(&forge, &fr);
  append_event(h, time, obj, lv2_atom_total_size(obj));
}

void host_send_get(lv2_host *h) {
  _Alignas(8) uint8_t buf[256];
  LV2_Atom_Forge forge;
  lv2_atom_forge_init(&forge, &h->map);
  lv2_atom_forge_set_buffer(&forge, buf, sizeof buf);
  LV2_Atom_Forge_Frame frame;
  LV2_Atom *obj = (LV2_Atom *)lv2_atom_forge_object(&forge, &frame, 0, map_uri(h, LV2_PATCH__Get));
  lv2_atom_forge_pop(&forge, &frame);
  append_message(h, obj, lv2_atom_total_size(obj));
}

static void copy_body(char *dst, size_t cap, const LV2_Atom *a) {
  size_t n = a->size < cap - 1 ? a->size : cap - 1;
  memcpy(dst, LV2_ATOM_BODY_CONST(a), n);
  dst[n] = '\0';
}

static void read_notify(lv2_host *h) {
  LV2_URID status = h->u_status, set = h->u_set;
  LV2_ATOM_SEQUENCE_FOREACH(&h->notify.seq, ev) {
    if (ev->body.type != h->u_object)
      continue;
    const LV2_Atom_Object *obj = (const LV2_Atom_Object *)&ev->body;
    if (obj->body.otype == status) {
      const LV2_Atom *code = NULL, *text = NULL, *name = NULL, *path = NULL, *labels = NULL,
                     *learned = NULL;
      lv2_atom_object_get(obj, h->u_code, &code, h->u_text, &text, h->u_name, &name, h->u_path,
                          &path, h->u_labels, &labels, h->u_learned, &learned, 0);
      h->status.voice_learned = learned ? ((const LV2_Atom_Int *)learned)->body : -1;
      h->status.seen++;
      h->status.code = code ? ((const LV2_Atom_Int *)code)->body : -1;
      if (text)
        copy_body(h->status.text, sizeof h->status.text, text);
      if (name)
        copy_body(h->status.name, sizeof h->status.name, name);
      if (path)
        copy_body(h->status.path, sizeof h->status.path, path);
      h->status.n_labels = 0;
      if (labels && labels->type == h->u_tuple)
        LV2_ATOM_TUPLE_FOREACH((const LV2_Atom_Tuple *)labels, it)
      h->status.n_labels++;
    } else if (obj->body.otype == set) {
      const LV2_Atom *value = NULL;
      lv2_atom_object_get(obj, h->u_value, &value, 0);
      if (value)
        copy_body(h->status.set_path, sizeof h->status.set_path, value);
    }
  }
}

static void read_midi(lv2_host *h) {
  h->n_midi = 0;
  LV2_URID midi_event = h->u_midi_event;
  LV2_ATOM_SEQUENCE_FOREACH(&h->midi.seq, ev) {
    if (ev->body.type != midi_event || ev->body.size != 3 || h->n_midi == HOST_MAX_MIDI)
      continue;
    h->midi_events[h->n_midi].time = ev->time.frames;
    memcpy(h->midi_events[h->n_midi].msg, LV2_ATOM_BODY_CONST(&ev->body), 3);
    h->n_midi++;
  }
}

void host_run(lv2_host *h, const float *const *in, float *const *out, uint32_t n) {
  const int channels = h->stereo ? 2 : 1;
  for (int c = 0; c < channels; c++) {
    lilv_instance_connect_port(h->instance, EMOVOX_AUDIO_IN_L + 2 * c, (void *)in[c]);
    lilv_instance_connect_port(h->instance, EMOVOX_AUDIO_OUT_L + 2 * c, out[c]);
  }
  if (h->control_override) {
    lilv_instance_connect_port(h->instance, EMOVOX_CONTROL, (void *)h->control_override);
  } else {
    lilv_instance_connect_port(h->instance, EMOVOX_CONTROL, &h->control_in);
  }
  /* Input sequence with the pending messages; outputs get their full capacity. */
  h->control_in.seq.atom.type = h->u_sequence;
  h->control_in.seq.atom.size = sizeof(LV2_Atom_Sequence_Body) + h->pending_size;
  h->control_in.seq.body.unit = 0;
  h->control_in.seq.body.pad = 0;
  memcpy(h->control_in.body, h->pending, h->pending_size);
  h->pending_size = 0;
  h->notify.seq.atom.type = 0;
  h->notify.seq.atom.size = HOST_ATOM_CAPACITY;
  h->midi.seq.atom.type = 0;
  h->midi.seq.atom.size = HOST_ATOM_CAPACITY;
  lilv_instance_run(h->instance, n);
  deliver_responses(h);
  read_notify(h);
  read_midi(h);
}

/* ---- State ---- */

static char *abstract_path(LV2_State_Map_Path_Handle handle, const char *absolute) {
  lv2_host *h = handle;
  size_t n = strlen(h->map_base);
  if (!strncmp(absolute, h->map_base, n) && absolute[n] == '/')
    return strdup(absolute + n + 1);
  return strdup(absolute);
}

static char *absolute_path(LV2_State_Map_Path_Handle handle, const char *abstract) {
  lv2_host *h = handle;
  if (abstract[0] == '/')
    return strdup(abstract);
  char *out = malloc(strlen(h->map_base) + strlen(abstract) + 2);
  sprintf(out, "%s/%s", h->map_base, abstract);
  return out;
}

static void free_path(LV2_State_Free_Path_Handle handle, char *path) {
  (void)handle;
  free(path);
}

static struct host_state_slot *state_slot(const lv2_host *h, uint32_t key) {
  for (int i = 0; i < h->n_state; i++)
    if (h->state[i].key == key)
      return (struct host_state_slot *)&h->state[i];
  return NULL;
}

static LV2_State_Status store(LV2_State_Handle handle, uint32_t key, const void *value, size_t size,
                              uint32_t type, uint32_t flags) {
  lv2_host *h = handle;
  struct host_state_slot *slot = state_slot(h, key);
  if (!slot && h->n_state < HOST_STATE_SLOTS)
    slot = &h->state[h->n_state++];
  if (!slot || size > sizeof slot->value)
    return LV2_STATE_ERR_NO_SPACE;
  slot->key = key;
  slot->type = type;
  slot->flags = flags;
  memcpy(slot->value, value, size);
  slot->size = size;
  return LV2_STATE_SUCCESS;
}

static const void *retrieve(LV2_State_Handle handle, uint32_t key, size_t *size, uint32_t *type,
                            uint32_t *flags) {
  lv2_host *h = handle;
  const struct host_state_slot *slot = state_slot(h, key);
  if (!slot)
    return NULL;
  *size = slot->size;
  *type = slot->type;
  *flags = slot->flags;
  return slot->value;
}

int host_save_state(lv2_host *h, const char *base_dir) {
  const LV2_State_Interface *iface =
      lilv_instance_get_extension_data(h->instance, LV2_STATE__interface);
  if (!iface)
    return -1;
  h->map_base = base_dir;
  h->n_state = 0;
  LV2_State_Map_Path map_path = {h, abstract_path, absolute_path};
  LV2_State_Free_Path free_p = {h, free_path};
  LV2_Feature f_map_path = {LV2_STATE__mapPath, &map_path};
  LV2_Feature f_free = {LV2_STATE__freePath, &free_p};
  const LV2_Feature *features[] = {&f_map_path, &f_free, NULL};
  return iface->save(lilv_instance_get_handle(h->instance), store, h,
                     LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE, features) == LV2_STATE_SUCCESS
             ? 0
             : -1;
}

int host_restore_state(lv2_host *h, const char *base_dir, bool thread_safe) {
  const LV2_State_Interface *iface =
      lilv_instance_get_extension_data(h->instance, LV2_STATE__interface);
  if (!iface)
    return -1;
  h->map_base = base_dir;
  LV2_State_Map_Path map_path = {h, abstract_path, absolute_path};
  LV2_State_Free_Path free_p = {h, free_path};
  LV2_Feature f_map_path = {LV2_STATE__mapPath, &map_path};
  LV2_Feature f_free = {LV2_STATE__freePath, &free_p};
  const LV2_Feature *features[] = {&f_map_path, &f_free, thread_safe ? &h->f_schedule : NULL, NULL};
  return iface->restore(lilv_instance_get_handle(h->instance), retrieve, h, 0, features) ==
                 LV2_STATE_SUCCESS
             ? 0
             : -1;
}

const char *host_saved_model_path(const lv2_host *h) {
  return host_saved_value(h, EMOVOX_URI_MODEL, NULL);
}

void *host_saved_value(const lv2_host *h, const char *key_uri, size_t *size) {
  struct host_state_slot *slot = state_slot(h, map_uri((void *)h, key_uri));
  if (slot && size)
    *size = slot->size;
  return slot ? slot->value : NULL;
}

void host_put_saved_value(lv2_host *h, const char *key_uri, const char *type_uri, const void *value,
                          size_t size) {
  const uint32_t key = map_uri(h, key_uri);
  struct host_state_slot *slot = state_slot(h, key);
  if (!slot && h->n_state < HOST_STATE_SLOTS)
    slot = &h->state[h->n_state++];
  if (!slot || size > sizeof slot->value)
    return;
  slot->key = key;
  slot->type = map_uri(h, type_uri);
  slot->flags = LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE;
  memmove(slot->value, value, size);
  slot->size = size;
}

void host_clear_saved(lv2_host *h) {
  h->n_state = 0;
}

void host_copy_state(lv2_host *to, const lv2_host *from) {
  to->n_state = from->n_state;
  for (int i = 0; i < from->n_state; i++) {
    const struct host_state_slot *f = &from->state[i];
    const char *key = unmap_uri((void *)from, f->key), *type = unmap_uri((void *)from, f->type);
    to->state[i] = *f;
    to->state[i].key = map_uri(to, key ? key : "");
    to->state[i].type = map_uri(to, type ? type : "");
  }
}

LV2_URID_Map *host_map(lv2_host *h) {
  return &h->map;
}
LilvInstance *host_instance(lv2_host *h) {
  return h->instance;
}
