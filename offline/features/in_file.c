#include "in_file.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

SNDFILE *in_file_open(const char *audio, SF_INFO *info) {
  memset(info, 0, sizeof *info);
  /* libsndfile says "Format not recognised" of a folder and of an empty file: the reasons
   * emovox-analyze gives (ea_audio_open) instead. Other files that are not regular are read
   * (a pipe: <(sox ...)). */
  struct stat st;
  if (stat(audio, &st) == 0 && (S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && !st.st_size))) {
    fprintf(stderr, "emovox-features: cannot read '%s': %s\n", audio,
            S_ISDIR(st.st_mode) ? "is a directory" : "empty file (0 bytes)");
    return NULL;
  }
  SNDFILE *sf = sf_open(audio, SFM_READ, info);
  if (!sf) {
    fprintf(stderr, "emovox-features: cannot read '%s': %s\n", audio, sf_strerror(NULL));
    return NULL;
  }
  /* The extractor takes 8-192 kHz (ev_extractor_new), and would say "host sample rate ... not
   * supported", which tells a user with a file neither what is wrong nor what to do. */
  if (info->samplerate < 8000 || info->samplerate > 192000) {
    fprintf(stderr,
            "emovox-features: %s: sample rate %d Hz not supported (8000-192000 Hz); convert the "
            "file first, e.g. sox '%s' -r %d out.wav\n",
            audio, info->samplerate, audio, info->samplerate > 192000 ? 48000 : 16000);
    sf_close(sf);
    return NULL;
  }
  return sf;
}
