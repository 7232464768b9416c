#include "emovox_draw.h"

/* Okabe-Ito: vermillion for anger, blue for sadness, yellow for happiness... each hue is
 * distinguishable with the common colour-vision deficiencies, and the name is always written
 * as well, so colour is never the only cue. */
const unsigned char emovox_palette[EV_N_EMOTIONS][3] = {
    {0xb4, 0xb4, 0xb4}, /* neutral: grey (Okabe-Ito black, lifted for the dark background) */
    {0x56, 0xb4, 0xe9}, /* calm: sky blue */
    {0xf0, 0xe4, 0x42}, /* happy: yellow */
    {0x00, 0x72, 0xb2}, /* sad: blue */
    {0xd5, 0x5e, 0x00}, /* angry: vermillion */
    {0xcc, 0x79, 0xa7}, /* fearful: reddish purple */
    {0x00, 0x9e, 0x73}, /* disgust: bluish green */
    {0xe6, 0x9f, 0x00}, /* surprised: orange */
};
const unsigned char emovox_background[3] = {0x17, 0x19, 0x1e};
