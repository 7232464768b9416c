# Sourced by build.sh and demo.sh: where `meson install` puts Emovox. As root, /usr/local (its
# bin/ is on every PATH, and /usr/local/lib/lv2 is on every LV2 host's default search path);
# otherwise the user's ~/.local (bin/ on PATH from the next login on Debian) and ~/.lv2.
# EMOVOX_PREFIX / EMOVOX_LV2DIR override both.
if [ "$(id -u)" = 0 ]; then
  EMOVOX_PREFIX=${EMOVOX_PREFIX:-/usr/local}
  EMOVOX_LV2DIR=${EMOVOX_LV2DIR:-/usr/local/lib/lv2}
else
  EMOVOX_PREFIX=${EMOVOX_PREFIX:-$HOME/.local}
  EMOVOX_LV2DIR=${EMOVOX_LV2DIR:-$HOME/.lv2}
fi
