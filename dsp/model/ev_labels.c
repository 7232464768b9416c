#include "ev_labels.h"

#include <strings.h>

#include "ev_analyzer.h"

int ev_label_canonical(const char *name) {
  static const struct {
    const char *alias;
    int emotion;
  } aliases[] = {{"fear", EV_FEARFUL},
                 {"ps", EV_SURPRISED},
                 {"surprise", EV_SURPRISED},
                 {"pleasant_surprise", EV_SURPRISED},
                 {"pleasant_surprised", EV_SURPRISED},
                 {"anger", EV_ANGRY},
                 {"happiness", EV_HAPPY},
                 {"sadness", EV_SAD},
                 {"disgusted", EV_DISGUST},
                 {"neutrality", EV_NEUTRAL}};
  if (!name)
    return -1;
  for (int i = 0; i < EV_N_EMOTIONS; i++)
    if (!strcasecmp(name, ev_emotion_names[i]))
      return i;
  for (unsigned i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
    if (!strcasecmp(name, aliases[i].alias))
      return aliases[i].emotion;
  return -1; /* e.g. "boredom": no canonical slot */
}
