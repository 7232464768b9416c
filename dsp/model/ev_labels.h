/* Mapping of a model's label names onto the canonical emotions of ev_analyzer.h. */
#ifndef EV_LABELS_H
#define EV_LABELS_H

#ifdef __cplusplus
extern "C" {
#endif

/* The ev_emotion a label name stands for (case-insensitive; canonical names and aliases such
 * as "fear", "ps", "surprise", "pleasant_surprise", "anger", "happiness", "sadness"), or -1
 * when the label has no canonical slot (e.g. "boredom"): its probability is then not
 * reported on the canonical outputs. */
int ev_label_canonical(const char *name);

#ifdef __cplusplus
}
#endif
#endif
