/* The canonical emotions: names, short names, circumplex coordinates and the label aliases.
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
#include "ev_emotions.h"

#include <strings.h>

const char *const ev_emotion_names[EV_N_EMOTIONS] = {"neutral", "calm",    "happy",   "sad",
                                                     "angry",   "fearful", "disgust", "surprised"};

/* Written where a whole name does not fit: no two alike, so sad and surprised stay apart;
 * capitals read best at 6-8 px. */
const char *const ev_emotion_short[EV_N_EMOTIONS] = {"NEU", "CAL", "HAP", "SAD",
                                                     "ANG", "FEA", "DIS", "SUR"};

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

/* Every other spelling of a canonical emotion that a corpus or a weight file made elsewhere
 * uses (TESS "ps", nEMO "anger"/"happiness"/"sadness", SER data sets "joy", "neutrality"). */
static const struct {
  const char *alias;
  ev_emotion emotion;
} aliases[] = {
    {"happiness", EV_HAPPY},
    {"joy", EV_HAPPY},
    {"sadness", EV_SAD},
    {"anger", EV_ANGRY},
    {"fear", EV_FEARFUL},
    {"disgusted", EV_DISGUST},
    {"surprise", EV_SURPRISED},
    {"ps", EV_SURPRISED},
    {"pleasant_surprise", EV_SURPRISED},
    {"pleasant_surprised", EV_SURPRISED},
    {"neutrality", EV_NEUTRAL},
};

int ev_emotion_from_name(const char *name) {
  if (!name)
    return -1;
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    if (!strcasecmp(name, ev_emotion_names[i]))
      return i;
  for (unsigned i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
    if (!strcasecmp(name, aliases[i].alias))
      return (int)aliases[i].emotion;
  return -1; /* e.g. "boredom": no canonical slot */
}
