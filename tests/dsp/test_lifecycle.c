/* Lifecycle: ev_extractor_latency() matches the measured delay between the last input
 * sample of a frame and its emission (48 kHz, block size 1); frames and ticks happen at the
 * documented positions of the stream; extractors created, run and freed
 * concurrently from 4 threads (FFTW planning under the mutex) give the same frames as one
 * thread; invalid configurations and rates are refused with a message. */
#include "ev_features.h"
#include "ev_test.h"
#include "frame_log.h"
#include "test_signal.h"

#include <pthread.h>

typedef struct lat {
  uint64_t host_pos;
  long long max_delay, min_delay;
} lat;

static void lat_frame(void *user, const ev_frame *fr) {
  lat *l = user;
  /* last host sample of frame t: model sample 160t + 511 at 48 kHz */
  long long end = (long long)ceil((160.0 * (double)fr->index + 512.0) * 3.0);
  long long d = (long long)l->host_pos - end;
  l->max_delay = d > l->max_delay ? d : l->max_delay;
  l->min_delay = d < l->min_delay ? d : l->min_delay;
}

static void check_latency(void) {
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  ev_extractor *ex = ev_extractor_new(&cfg, 48000, 1, NULL, 0);
  size_t n;
  float *x = test_signal(48000, 2.0, &n);
  lat l = {0, -1000000, 1000000};
  for (size_t i = 0; i < n; i++) {
    l.host_pos = i + 1;
    ev_extractor_process(ex, x + i, 1, lat_frame, &l);
  }
  long long latency = ev_extractor_latency(ex);
  printf("48 kHz: reported latency %lld host samples, measured delay %lld..%lld\n", latency,
         l.min_delay, l.max_delay);
  /* the 64-sample chunking makes the delay vary by up to 63 samples below the bound */
  EV_CHECK(l.max_delay <= latency && l.max_delay >= latency - 70, "latency %lld vs delay %lld",
           latency, l.max_delay);
  ev_extractor_free(ex);
  free(x);
}

/* Positions (16 kHz bypass, block size 1, so the host position is the resampled position):
 * frame t is emitted 7 hops (the pitch's look-ahead: ev_prosody.h) + the last stage offset
 * (7 * 160 / 8 = 140) after its last
 * sample; with n <= 8 ticks, tick i < n - 1 follows at (2(i + s) + 1) * hop / (2 * 8) samples
 * after the emission (the midpoints between stages, the first s = min(2, 8 - n) of them left
 * free) and the last at (2n - 1) * hop / (2n). */
typedef struct positions {
  uint64_t pos, emit_pos;
  int64_t last_frame;
  int bad, n_ticks;
} positions;

static void pos_frame(void *user, const ev_frame *fr) {
  positions *p = user;
  uint64_t expect = (uint64_t)(160 * (fr->index + 7) + 512 + 140);
  if (p->pos != expect || fr->index != p->last_frame + 1)
    p->bad++;
  p->last_frame = fr->index;
  p->emit_pos = p->pos;
}

static void pos_tick(void *user, int tick) {
  positions *p = user;
  const int n = p->n_ticks;
  const int s = 8 - n < 2 ? 8 - n : 2;
  const uint64_t off = tick < n - 1 ? (uint64_t)((2 * (tick + s) + 1) * 160 / 16)
                                    : (uint64_t)((2 * n - 1) * 160 / (2 * n));
  if (p->pos != p->emit_pos + off)
    p->bad++;
}

static void check_positions(int n_ticks) {
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  ev_extractor *ex = ev_extractor_new(&cfg, 16000, 1, NULL, 0);
  size_t n;
  float *x = test_signal(16000, 1.0, &n);
  positions p = {0, 0, -1, 0, n_ticks};
  ev_extractor_set_ticks(ex, n_ticks, pos_tick, &p);
  for (size_t i = 0; i < n; i++) {
    p.pos = i + 1; /* samples consumed once this call returns */
    ev_extractor_process(ex, x + i, 1, pos_frame, &p);
  }
  EV_CHECK(p.bad == 0 && p.last_frame > 80, "%d frames/ticks off their documented position", p.bad);
  printf("16 kHz, %d ticks: %lld frames and their ticks at the documented stream positions\n",
         n_ticks, (long long)p.last_frame + 1);
  ev_extractor_free(ex);
  free(x);
}

typedef struct job {
  int n_fft;
  const float *x;
  size_t n;
  frame_log *ref; /* NULL: record into out */
  frame_log out;
  int mismatches;
} job;

static void run_once(job *j, frame_log *log) {
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  cfg.n_fft = cfg.win_length = j->n_fft;
  ev_extractor *ex = ev_extractor_new(&cfg, 44100, 700, NULL, 0);
  if (!ex) {
    j->mismatches++;
    return;
  }
  frame_log_init(log, ev_extractor_config(ex));
  ev_extractor_process(ex, j->x, (uint32_t)j->n, frame_log_on_frame, log);
  ev_extractor_flush(ex, frame_log_on_frame, log);
  ev_extractor_free(ex);
  log->cfg = NULL; /* pointed into the freed extractor; only needed during the run */
}

static void *worker(void *arg) {
  job *j = arg;
  for (int r = 0; r < 12; r++) {
    frame_log log;
    run_once(j, &log);
    if (log.frames != j->ref->frames ||
        memcmp(log.v, j->ref->v, log.frames * (size_t)log.width * sizeof(float)))
      j->mismatches++;
    frame_log_free(&log);
  }
  return NULL;
}

int main(void) {
  check_latency();
  check_positions(8);
  check_positions(6);
  check_positions(7);
  check_positions(1);

  size_t n;
  float *x = test_signal(44100, 0.5, &n);
  const int nffts[4] = {512, 1024, 2048, 4096};
  job jobs[4];
  frame_log refs[4];
  for (int i = 0; i < 4; i++) {
    jobs[i] = (job){.n_fft = nffts[i], .x = x, .n = n, .ref = &refs[i]};
    run_once(&jobs[i], &refs[i]);
  }
  pthread_t th[4];
  for (int i = 0; i < 4; i++)
    pthread_create(&th[i], NULL, worker, &jobs[i]);
  for (int i = 0; i < 4; i++)
    pthread_join(th[i], NULL);
  for (int i = 0; i < 4; i++) {
    EV_CHECK(jobs[i].mismatches == 0 && refs[i].frames > 0,
             "n_fft %d: %d of 12 concurrent runs differ", nffts[i], jobs[i].mismatches);
    frame_log_free(&refs[i]);
  }
  printf("4 threads x 12 create/run/free cycles: identical to the single-threaded runs\n");
  free(x);

  /* refusals */
  ev_feature_config cfg;
  ev_feature_config_default(&cfg);
  char err[256] = "";
  EV_CHECK(ev_extractor_new(&cfg, 4000, 64, err, sizeof err) == NULL && strstr(err, "8000"),
           "4 kHz must be refused with the supported range: '%s'", err);
  EV_CHECK(ev_extractor_new(&cfg, NAN, 64, err, sizeof err) == NULL, "NaN rate must be refused");
  cfg.win_length = 1000;
  err[0] = 0;
  EV_CHECK(ev_extractor_new(&cfg, 48000, 64, err, sizeof err) == NULL && strstr(err, "win_length"),
           "win > n_fft must be refused: '%s'", err);
  ev_feature_config_default(&cfg);
  cfg.fmax = 9000;
  EV_CHECK(ev_feature_config_check(&cfg, err, sizeof err) != 0, "fmax above Nyquist accepted");
  EV_CHECK(ev_feature_from_name("logmel") == EV_FEAT_LOGMEL && ev_feature_from_name("x") == -1,
           "names");
  EV_TEST_END();
}
