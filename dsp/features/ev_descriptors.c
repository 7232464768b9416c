/* Single descriptors of the prosody/voice-quality groups by name (the names of
 * ../shared/reference/opensmile/README.md), and the eGeMAPS LLD row in openSMILE's order. */
#include "ev_features.h"

#include <string.h>

typedef struct {
  const char *name;
  int id, col;
} ev_descriptor;

static const ev_descriptor kDesc[] = {
    {"f0", EV_FEAT_PITCH, EV_PITCH_F0},
    {"f0_hz", EV_FEAT_PITCH, EV_PITCH_F0_HZ},
    {"voicing", EV_FEAT_PITCH, EV_PITCH_VOICING},
    {"loudness", EV_FEAT_LOUDNESS, 0},
    {"jitter", EV_FEAT_VOICE_QUALITY, EV_VQ_JITTER},
    {"shimmer", EV_FEAT_VOICE_QUALITY, EV_VQ_SHIMMER},
    {"hnr", EV_FEAT_VOICE_QUALITY, EV_VQ_HNR},
    {"h1_h2", EV_FEAT_VOICE_QUALITY, EV_VQ_H1_H2},
    {"h1_a3", EV_FEAT_VOICE_QUALITY, EV_VQ_H1_A3},
    {"f1", EV_FEAT_FORMANTS, 0},
    {"f1_bw", EV_FEAT_FORMANTS, 1},
    {"f1_amp", EV_FEAT_FORMANTS, 2},
    {"f2", EV_FEAT_FORMANTS, 3},
    {"f2_bw", EV_FEAT_FORMANTS, 4},
    {"f2_amp", EV_FEAT_FORMANTS, 5},
    {"f3", EV_FEAT_FORMANTS, 6},
    {"f3_bw", EV_FEAT_FORMANTS, 7},
    {"f3_amp", EV_FEAT_FORMANTS, 8},
    {"alpha_ratio", EV_FEAT_SPECTRAL_BALANCE, EV_SB_ALPHA_RATIO},
    {"hammarberg", EV_FEAT_SPECTRAL_BALANCE, EV_SB_HAMMARBERG},
    {"slope_0_500", EV_FEAT_SPECTRAL_BALANCE, EV_SB_SLOPE_0_500},
    {"slope_500_1500", EV_FEAT_SPECTRAL_BALANCE, EV_SB_SLOPE_500_1500},
    {"flux", EV_FEAT_SPECTRAL_BALANCE, EV_SB_FLUX},
    {"mfcc1_egemaps", EV_FEAT_MFCC_EGEMAPS, 0},
    {"mfcc2_egemaps", EV_FEAT_MFCC_EGEMAPS, 1},
    {"mfcc3_egemaps", EV_FEAT_MFCC_EGEMAPS, 2},
    {"mfcc4_egemaps", EV_FEAT_MFCC_EGEMAPS, 3},
};
#define N_DESC ((int)(sizeof kDesc / sizeof kDesc[0]))

int ev_descriptor_from_name(const char *name, int *feature_id, int *column) {
  for (int i = 0; name && i < N_DESC; i++)
    if (!strcmp(name, kDesc[i].name)) {
      if (feature_id)
        *feature_id = kDesc[i].id;
      if (column)
        *column = kDesc[i].col;
      return 0;
    }
  return -1;
}

const char *ev_descriptor_name(int i) {
  return i >= 0 && i < N_DESC ? kDesc[i].name : NULL;
}

/* (group, column) of each column of openSMILE's eGeMAPSv02 *.lld.csv */
static const unsigned char kLld[EV_EGEMAPS_N_LLD][2] = {
    {EV_FEAT_LOUDNESS, 0},
    {EV_FEAT_SPECTRAL_BALANCE, EV_SB_ALPHA_RATIO},
    {EV_FEAT_SPECTRAL_BALANCE, EV_SB_HAMMARBERG},
    {EV_FEAT_SPECTRAL_BALANCE, EV_SB_SLOPE_0_500},
    {EV_FEAT_SPECTRAL_BALANCE, EV_SB_SLOPE_500_1500},
    {EV_FEAT_SPECTRAL_BALANCE, EV_SB_FLUX},
    {EV_FEAT_MFCC_EGEMAPS, 0},
    {EV_FEAT_MFCC_EGEMAPS, 1},
    {EV_FEAT_MFCC_EGEMAPS, 2},
    {EV_FEAT_MFCC_EGEMAPS, 3},
    {EV_FEAT_PITCH, EV_PITCH_F0},
    {EV_FEAT_VOICE_QUALITY, EV_VQ_JITTER},
    {EV_FEAT_VOICE_QUALITY, EV_VQ_SHIMMER},
    {EV_FEAT_VOICE_QUALITY, EV_VQ_HNR},
    {EV_FEAT_VOICE_QUALITY, EV_VQ_H1_H2},
    {EV_FEAT_VOICE_QUALITY, EV_VQ_H1_A3},
    {EV_FEAT_FORMANTS, 0},
    {EV_FEAT_FORMANTS, 1},
    {EV_FEAT_FORMANTS, 2},
    {EV_FEAT_FORMANTS, 3},
    {EV_FEAT_FORMANTS, 4},
    {EV_FEAT_FORMANTS, 5},
    {EV_FEAT_FORMANTS, 6},
    {EV_FEAT_FORMANTS, 7},
    {EV_FEAT_FORMANTS, 8},
};

void ev_egemaps_lld(const ev_frame *f, float out[EV_EGEMAPS_N_LLD]) {
  for (int i = 0; i < EV_EGEMAPS_N_LLD; i++) {
    const float *g = f->feat[kLld[i][0]];
    out[i] = g ? g[kLld[i][1]] : 0.0f;
  }
}
