/* Plays audio files in a loop into a JACK input port, so that the jalv screenshot shows the
 * meter working on real speech. libjack is loaded with dlopen (the runtime library comes with
 * jackd2 and jalv; the -dev package is not needed) and declared here with the few functions
 * used. Files are mixed down to mono and played at the server's rate without resampling, so
 * start jackd at the files' rate (16 kHz for the corpora).
 * Usage: jack_play [--connect REGEX] [--gap SECONDS] FILE... (runs until SIGTERM/SIGINT) */
#include <dlfcn.h>
#include <signal.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct jack_client jack_client_t;
typedef struct jack_port jack_port_t;
typedef uint32_t jack_nframes_t;
enum { JACK_NO_START_SERVER = 0x01, JACK_PORT_IS_INPUT = 0x1, JACK_PORT_IS_OUTPUT = 0x2 };
#define JACK_AUDIO_TYPE "32 bit float mono audio"

static struct {
  jack_client_t *(*client_open)(const char *, int, int *, ...);
  int (*client_close)(jack_client_t *);
  jack_port_t *(*port_register)(jack_client_t *, const char *, const char *, unsigned long,
                                unsigned long);
  int (*set_process_callback)(jack_client_t *, int (*)(jack_nframes_t, void *), void *);
  void *(*port_get_buffer)(jack_port_t *, jack_nframes_t);
  int (*activate)(jack_client_t *);
  int (*connect)(jack_client_t *, const char *, const char *);
  const char *(*port_name)(const jack_port_t *);
  const char **(*get_ports)(jack_client_t *, const char *, const char *, unsigned long);
  void (*free_)(void *);
  jack_nframes_t (*get_sample_rate)(jack_client_t *);
} jack;

static float *audio;
static size_t audio_len, play_pos;
static jack_port_t *out_port;
static volatile sig_atomic_t stop;

/* JACK's realtime thread: copy the next samples, wrapping around. */
static int process(jack_nframes_t n, void *arg) {
  (void)arg;
  float *out = jack.port_get_buffer(out_port, n);
  for (jack_nframes_t i = 0; i < n; i++) {
    out[i] = audio[play_pos];
    play_pos = play_pos + 1 < audio_len ? play_pos + 1 : 0;
  }
  return 0;
}

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static int append_file(const char *path, size_t gap, int *rate) {
  SF_INFO info;
  memset(&info, 0, sizeof info);
  SNDFILE *sf = sf_open(path, SFM_READ, &info);
  if (!sf) {
    fprintf(stderr, "jack_play: cannot read %s: %s\n", path, sf_strerror(NULL));
    return 0;
  }
  *rate = info.samplerate;
  float *frames = malloc(sizeof(float) * (size_t)info.frames * (size_t)info.channels);
  float *grown = realloc(audio, sizeof(float) * (audio_len + (size_t)info.frames + gap));
  if (!frames || !grown) {
    free(frames);
    free(grown ? grown : audio);
    audio = NULL;
    sf_close(sf);
    return 0;
  }
  audio = grown;
  sf_count_t got = sf_readf_float(sf, frames, info.frames);
  for (sf_count_t i = 0; i < got; i++) {
    float sum = 0;
    for (int c = 0; c < info.channels; c++)
      sum += frames[i * info.channels + c];
    audio[audio_len++] = sum / (float)info.channels;
  }
  memset(audio + audio_len, 0, sizeof(float) * gap);
  audio_len += gap;
  free(frames);
  sf_close(sf);
  return 1;
}

#define LOAD(field, name)                                                                          \
  if (!(*(void **)&jack.field = dlsym(lib, name))) {                                               \
    fprintf(stderr, "jack_play: libjack lacks %s\n", name);                                        \
    return 1;                                                                                      \
  }

int main(int argc, char **argv) {
  const char *pattern = NULL;
  double gap_s = 0.6;
  int first_file = 1;
  for (; first_file < argc; first_file++) {
    if (!strcmp(argv[first_file], "--help")) {
      printf("usage: jack_play [--connect REGEX] [--gap SECONDS] FILE...\n"
             "Plays the files (mono mix, gap of silence between them) in a loop on JACK port\n"
             "emovox_play:out, connected to the first input port matching REGEX.\n");
      return 0;
    } else if (!strcmp(argv[first_file], "--connect") && first_file + 1 < argc) {
      pattern = argv[++first_file];
    } else if (!strcmp(argv[first_file], "--gap") && first_file + 1 < argc) {
      gap_s = atof(argv[++first_file]);
    } else {
      break;
    }
  }
  if (first_file >= argc) {
    fprintf(stderr, "jack_play: no audio files given (see --help)\n");
    return 2;
  }
  int rate = 16000;
  for (int i = first_file; i < argc; i++)
    if (!append_file(argv[i], (size_t)(gap_s * 16000), &rate))
      return 1;

  void *lib = dlopen("libjack.so.0", RTLD_NOW);
  if (!lib) {
    fprintf(stderr, "jack_play: %s (install jackd2)\n", dlerror());
    return 1;
  }
  LOAD(client_open, "jack_client_open");
  LOAD(client_close, "jack_client_close");
  LOAD(port_register, "jack_port_register");
  LOAD(set_process_callback, "jack_set_process_callback");
  LOAD(port_get_buffer, "jack_port_get_buffer");
  LOAD(activate, "jack_activate");
  LOAD(connect, "jack_connect");
  LOAD(port_name, "jack_port_name");
  LOAD(get_ports, "jack_get_ports");
  LOAD(free_, "jack_free");
  LOAD(get_sample_rate, "jack_get_sample_rate");

  int status = 0;
  jack_client_t *client = jack.client_open("emovox_play", JACK_NO_START_SERVER, &status);
  if (!client) {
    fprintf(stderr, "jack_play: no JACK server (status 0x%x)\n", status);
    return 1;
  }
  if ((int)jack.get_sample_rate(client) != rate)
    fprintf(stderr, "jack_play: note: server runs at %u Hz, files are %d Hz (not resampled)\n",
            jack.get_sample_rate(client), rate);
  out_port = jack.port_register(client, "out", JACK_AUDIO_TYPE, JACK_PORT_IS_OUTPUT, 0);
  if (!out_port || jack.set_process_callback(client, process, NULL) || jack.activate(client)) {
    fprintf(stderr, "jack_play: cannot start the JACK client\n");
    jack.client_close(client);
    return 1;
  }
  if (pattern) {
    const char **ports = jack.get_ports(client, pattern, JACK_AUDIO_TYPE, JACK_PORT_IS_INPUT);
    if (!ports || !ports[0] || jack.connect(client, jack.port_name(out_port), ports[0])) {
      fprintf(stderr, "jack_play: no input port matches '%s'\n", pattern);
      if (ports)
        jack.free_(ports);
      jack.client_close(client);
      return 1;
    }
    printf("jack_play: playing %.1f s into %s\n", (double)audio_len / rate, ports[0]);
    fflush(stdout);
    jack.free_(ports);
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  while (!stop) {
    struct timespec ts = {0, 50000000L};
    nanosleep(&ts, NULL);
  }
  jack.client_close(client);
  free(audio);
  return 0;
}
