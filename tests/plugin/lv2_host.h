/* A small LV2 host for the plugin's tests and benchmark: lilv discovery of the built bundle
 * (LV2_PATH), urid map/unmap, log capture, a synchronous worker, options, atom ports, and
 * direct access to the plugin's state interface with a test-controlled state:mapPath. */
#ifndef EV_LV2_HOST_H
#define EV_LV2_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include <lilv/lilv.h>
#include <lv2/urid/urid.h>

#include "emovox_protocol.h"

#define HOST_ATOM_CAPACITY   16384
#define HOST_MAX_MIDI        64
#define HOST_STATE_SLOTS     4
#define HOST_STATE_VALUE_MAX 65536

typedef struct host_midi {
  int64_t time;
  uint8_t msg[3];
} host_midi;

typedef struct lv2_host lv2_host;

/* NULL (and a message on stderr) if the plugin cannot be found or instantiated. */
lv2_host *host_new(const char *plugin_uri, double rate, uint32_t max_block);
/* What the plugin logged while the last host_new failed to instantiate it ("" otherwise). */
const char *host_failed_log(void);
void host_free(lv2_host *h);
LilvWorld *host_world(lv2_host *h);
bool host_stereo(const lv2_host *h); /* the stereo variant (by its number of ports) */
const LilvPlugin *host_plugin(lv2_host *h);

/* Control input values (by port index); defaults from the TTL after host_new. Every control
 * port is connected, the emotions and adapted ports too (emovox_emotions_port,
 * emovox_adapted_port). */
void host_set_control(lv2_host *h, uint32_t port, float value);
/* Connects a control input to NULL, as a host that leaves an optional control unconnected. */
void host_disconnect_control(lv2_host *h, uint32_t port);
float host_output(const lv2_host *h, uint32_t port);

/* Audio: in[c]/out[c] for each channel (1 or 2). Buffers may be the same (in-place). */
void host_run(lv2_host *h, const float *const *in, float *const *out, uint32_t n);

/* Connects the control input to `seq`, the caller's buffer, used as it is by the following
 * runs (a malformed sequence, say) instead of the host's own; NULL goes back to the host's. */
void host_use_control_buffer(lv2_host *h, const void *seq);

/* Messages for the next run(). */
void host_send_set_model(lv2_host *h, const char *path);
void host_send_get(lv2_host *h);
/* A patch:Set of emovox:voiceProfile to an empty atom (the UI's "forget the learned voice"). */
void host_send_forget_voice(lv2_host *h);
/* A time:Position (time:frame, time:speed) as a host sends it on transport changes. */
void host_send_position(lv2_host *h, int64_t frame, float speed);
/* The same at sample `time` of the next run()'s block (the calls must come in time order, as
 * in a sequence). The messages above go at sample 0. */
void host_send_position_at(lv2_host *h, int64_t time, int64_t frame, float speed);

/* What the last notify messages said (persisting until the next notify). */
typedef struct host_status {
  int seen; /* status objects received since host_new */
  int code;
  char text[256];
  char name[128];
  char path[4096];
  int n_labels;
  char set_path[4096]; /* value of the last patch:Set of the model */
  int voice_learned;   /* the last status's emovox:voiceLearned (-1: not sent) */
} host_status;
const host_status *host_last_status(const lv2_host *h);

/* MIDI events of the last run(). */
int host_midi_events(const lv2_host *h, const host_midi **events);

/* Everything the plugin logged, each line as "Kind: text" (Warning, Note, Error, Trace), and a
 * reset of that record. */
const char *host_log(const lv2_host *h);
void host_clear_log(lv2_host *h);

/* State through the plugin's LV2_State_Interface, stored in the host: paths are mapped to
 * and from "abstract" paths relative to base_dir (state:mapPath). thread_safe passes a
 * work:schedule to restore (state:threadSafeRestore). 0 on success. */
int host_save_state(lv2_host *h, const char *base_dir);
int host_restore_state(lv2_host *h, const char *base_dir, bool thread_safe);
const char *host_saved_model_path(const lv2_host *h); /* abstract path stored, or NULL */
/* The value saved under key_uri (its size in *size), NULL if none: the tests may change it. */
void *host_saved_value(const lv2_host *h, const char *key_uri, size_t *size);
/* Sets (or adds) the saved value under key_uri, of type type_uri, as a host's state file would
 * hold it. */
void host_put_saved_value(lv2_host *h, const char *key_uri, const char *type_uri, const void *value,
                          size_t size);
/* Forgets every saved value (a state with nothing stored). */
void host_clear_saved(lv2_host *h);
/* Copies the saved state of `from` into `to` (a second instance). */
void host_copy_state(lv2_host *to, const lv2_host *from);

/* Switch to a worker thread (jobs run concurrently with run(); responses are delivered after
 * the next run()). host_drain_worker waits until the queue is empty. */
void host_use_worker_thread(lv2_host *h);
/* The same with lock-free queues and a worker that polls them every millisecond: the host's
 * part of run() then takes no lock and makes no system call either (for the realtime test). */
void host_use_polling_worker(lv2_host *h);
void host_drain_worker(lv2_host *h);

/* Threaded worker only: while paused, queued jobs wait (host_drain_worker returns with them
 * still queued), so that a test can make several requests before the worker sees any. */
void host_pause_worker(lv2_host *h, bool paused);
/* Calls fn(h, arg) once, on the worker's thread, right after respond() accepts the next reply
 * and before work() goes on: a request made there comes between a reply and work()'s end. */
void host_on_next_reply(lv2_host *h, void (*fn)(lv2_host *, void *), void *arg);

/* Counts of worker calls (to check where loading happened), and of the jobs accepted. */
int host_work_calls(const lv2_host *h);
int host_jobs_accepted(const lv2_host *h);
/* While on, schedule_work refuses every job with LV2_WORKER_ERR_NO_SPACE, as a host whose
 * worker queue is full does. */
void host_refuse_work(lv2_host *h, bool refuse);
/* While on, the worker's respond() refuses every reply with LV2_WORKER_ERR_NO_SPACE, as a
 * host whose reply queue is full does: the job ran, but its result never reaches run(). */
void host_refuse_responses(lv2_host *h, bool refuse);

LV2_URID_Map *host_map(lv2_host *h);
LilvInstance *host_instance(lv2_host *h);

#endif
