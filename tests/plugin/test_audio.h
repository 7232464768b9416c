/* Test audio for the plugin tests: real speech from the corpora, resampled to a host rate. */
#ifndef EV_TEST_AUDIO_H
#define EV_TEST_AUDIO_H

#include <stddef.h>

/* A RAVDESS file (actor 01, angry, strong) at `rate`, framed by lead_s seconds of digital
 * silence before and tail_s after. speech_start, speech_end: where the file's samples sit.
 * NULL (and a message) if $EMOVOX_CORPORA or the file is missing. Free with free(). */
float *test_speech(double rate, double lead_s, double tail_s, size_t *n, size_t *speech_start,
                   size_t *speech_end);

/* The same speech heard through a telephone channel (16 kHz -> 8 kHz -> rate, speexdsp quality
 * 10: nothing above 4 kHz), after lead_s seconds of silence. NULL if missing. */
float *test_telephone_speech(double rate, double lead_s, size_t *n);

/* The default model file of the built bundle (copied by the swap and state tests). */
const char *test_default_model_path(void);
/* The narrowband model's file in the same bundle (present when models/ ships one). */
const char *test_narrowband_model_path(void);

#endif
