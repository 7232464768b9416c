/* Model cost: memory and multiply-adds per second of audio, from the configuration alone. */
#include "ev_model_cost.h"

#include <math.h>

#include "ev_error.h"

/* Multiply-adds of the feature extractor for one frame, counting only what the model reads
 * (plus the RMS and flatness of the speech gate, which need the power spectrum). Upper bounds:
 * the mel and chroma projections are counted dense. */
static double frame_macs(const ev_feature_config *c, const int *inputs, int n_inputs) {
  const double n = c->n_fft, bins = c->n_fft / 2 + 1;
  int mel = 0, mfcc = 0, chroma = 0;
  for (int i = 0; i < n_inputs; i++) {
    switch (inputs[i]) {
    case EV_FEAT_MEL:
    case EV_FEAT_LOGMEL:
      mel = 1;
      break;
    case EV_FEAT_MFCC:
    case EV_FEAT_MFCC_DELTA:
    case EV_FEAT_MFCC_DELTA2:
      mel = mfcc = 1;
      break;
    case EV_FEAT_CHROMA:
      chroma = 1;
      break;
    default:
      break;
    }
  }
  double f = n + 2.5 * n * log2(n) + 4.0 * bins; /* window, real FFT, power, gate */
  if (mel)
    f += (double)c->n_mels * bins;
  if (mfcc)
    f += (double)c->n_mfcc * c->n_mels + 18.0 * c->n_mfcc; /* DCT, deltas */
  if (chroma)
    f += 12.0 * bins;
  return f + 8.0 * bins; /* centroid, bandwidth, rolloff, flatness */
}

void ev_model_cost_compute(const ev_input_config *in, int input_dims, const ev_layer *layers, int n,
                           ev_model_cost *cost) {
  const ev_feature_config *features = &in->features;
  const int frame_stride = in->frame_stride;
  const double fps = (double)features->sample_rate / features->hop_length;
  double weights = 2.0 * input_dims, state = 0, scratch = 1, width = input_dims, step = 0;
  for (int i = 0; i < n; i++) {
    const ev_layer *l = &layers[i];
    weights += (double)ev_layer_n_weights(l);
    state += (double)ev_layer_state_floats(l);
    if ((double)ev_layer_scratch_floats(l) > scratch)
      scratch = (double)ev_layer_scratch_floats(l);
    if (l->out_dim > width)
      width = l->out_dim;
    step += ev_layer_step_flops(l);
  }
  /* the extractor measured 280 KiB at n_fft 512 and 9.5 MiB at n_fft 65536 with 1024 mels
   * (FFT buffers, frame history, filterbanks): this bound covers both */
  const double extractor =
      300.0 * 1024 + 128.0 * features->n_fft + 4.0 * features->n_mels * (features->n_mfcc + 16);
  const double input = 12.0 * input_dims; /* prior, statistics, accumulators (ev_input.c) */
  cost->weight_bytes = 4.0 * weights;
  /* x2: the reset image of the layer states (cleared a bounded amount per block) */
  cost->runtime_bytes = 4.0 * (2.0 * state + scratch + 2.0 * width + input) + extractor;
  cost->feature_macs_per_s = fps * frame_macs(features, in->inputs, in->n_inputs);
  cost->step_macs = step;
  cost->model_macs_per_s = step * fps / (frame_stride > 0 ? frame_stride : 1);
}

int ev_model_cost_check(const ev_model_cost *c, char *err, size_t errlen) {
  const double bytes = c->weight_bytes + c->runtime_bytes;
  if (!(bytes <= EV_MODEL_MAX_BYTES))
    return ev_fail(err, errlen,
                   "the model needs %.0f MiB (weights %.1f MiB, streaming state and buffers %.1f "
                   "MiB); the limit is %.0f MiB (docs/model.md): a smaller window, n_fft or layer "
                   "is needed",
                   bytes / 1048576.0, c->weight_bytes / 1048576.0, c->runtime_bytes / 1048576.0,
                   EV_MODEL_MAX_BYTES / 1048576.0);
  const double macs = c->feature_macs_per_s + c->model_macs_per_s;
  if (!(macs <= EV_MODEL_MAX_MACS_PER_S))
    return ev_fail(err, errlen,
                   "the model costs %.3g multiply-adds per second of audio (features %.3g, layers "
                   "%.3g); the limit is %.3g (docs/model.md): it could not keep up with the audio",
                   macs, c->feature_macs_per_s, c->model_macs_per_s, EV_MODEL_MAX_MACS_PER_S);
  return 0;
}
