/* The canonical emotions and their circumplex coordinates.
 *
 * Arousal/valence follow Russell's circumplex model of affect (J. A. Russell, "A circumplex
 * model of affect", J. Pers. Soc. Psychol. 39(6), 1980), read off the angular positions of
 * the corresponding affect words in his figure and scaled to -1..1 (unit circle):
 *   neutral at the origin; calm ("relaxed/calm", ~ -70 deg below the valence axis, positive);
 *   happy ("happy/delighted", ~ +10..25 deg); sad ("sad/depressed", ~ 200..210 deg);
 *   angry ("angry", ~ 100..110 deg); fearful ("afraid/alarmed", ~ 95..115 deg);
 *   disgust (placed near "distressed/annoyed", ~ 135..150 deg, lower arousal than anger);
 *   surprised ("astonished", ~ 70 deg). Values are rounded to 0.05; they are a convention for
 *   a 2-D display, not a measurement. */
#include "ev_analyzer.h"

const char *const ev_emotion_names[EV_N_EMOTIONS] = {"neutral", "calm",    "happy",   "sad",
                                                     "angry",   "fearful", "disgust", "surprised"};

const float ev_emotion_arousal[EV_N_EMOTIONS] = {
    0.00f,  /* neutral */
    -0.60f, /* calm */
    0.50f,  /* happy */
    -0.50f, /* sad */
    0.80f,  /* angry */
    0.75f,  /* fearful */
    0.35f,  /* disgust */
    0.85f,  /* surprised */
};

const float ev_emotion_valence[EV_N_EMOTIONS] = {
    0.00f,  /* neutral */
    0.55f,  /* calm */
    0.85f,  /* happy */
    -0.75f, /* sad */
    -0.60f, /* angry */
    -0.65f, /* fearful */
    -0.70f, /* disgust */
    0.30f,  /* surprised */
};
