#!/bin/sh
# A session with Emovox saved and loaded again in Ardour's headless Lua interpreter
# (ardour7-lua, Dummy backend): the reload must not warn "Ignored automation data for
# non-automatable parameter" (Ardour saves an automation list for every control input and
# refuses it on reload for a port marked pprops:notAutomatic, which MIDI channel and base
# controller were), and the MIDI channel and base controller set before saving come back.
# Skips (77) without ardour7-lua and under sanitizers (Ardour is not instrumented).
# Usage: ardour_reload_test.sh <LV2_PATH>
set -u
[ "${EMOVOX_SANITIZED:-0}" = "1" ] && { echo "SKIP: sanitized build"; exit 77; }
lua_tool=""
for p in ardour7-lua ardour8-lua; do
  command -v $p >/dev/null 2>&1 && { lua_tool=$p; break; }
done
[ -n "$lua_tool" ] || { echo "SKIP: ardour7-lua is not installed"; exit 77; }
export LV2_PATH="$1:/usr/lib/lv2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config"
cat >"$work/test.lua" <<LUA
io.stdout:setvbuf ("no")
assert (AudioEngine:set_backend ("None (Dummy)", "", ""), "no Dummy backend")
assert (AudioEngine:start (false) == 0, "cannot start the Dummy backend")
local s = create_session ("$work/session", "emovox", 48000)
assert (s, "cannot create a session")
local track = s:new_audio_track (1, 1, nil, 1, "Voice", ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true):front ()
local emovox = ARDOUR.LuaAPI.new_plugin (s, "https://emovox.org/plugins/emovox#mono", ARDOUR.PluginType.LV2, "")
assert (not emovox:isnil (), "Emovox not found in LV2_PATH")
assert (track:add_processor_by_index (emovox, 0, nil, true) == 0, "cannot insert Emovox")
-- control inputs in port order: enable, response_ms, gate_db, adapt, midi_channel, midi_cc_base
ARDOUR.LuaAPI.set_processor_param (emovox, 4, 5)
ARDOUR.LuaAPI.set_processor_param (emovox, 5, 40)
s:save_state ("", false, false, false, false, false)
close_session ()
print ("=== reload")
local s2 = load_session ("$work/session", "emovox")
assert (s2, "cannot load the session again")
local t2 = s2:route_by_name ("Voice")
local p2 = t2:nth_plugin (0)
assert (not p2:isnil (), "Emovox is gone after the reload")
local ch = ARDOUR.LuaAPI.get_processor_param (p2, 4, true)
local base = ARDOUR.LuaAPI.get_processor_param (p2, 5, true)
print (string.format ("=== after reload: midi_channel %g midi_cc_base %g", ch, base))
-- drop the references before the session goes (ardour7-lua crashes at exit otherwise)
p2 = nil
t2 = nil
emovox = nil
track = nil
collectgarbage ()
close_session ()
LUA
timeout 120 $lua_tool "$work/test.lua" >"$work/out" 2>&1
rc=$?
cat "$work/out" | grep -v "^$" | tail -n 20
fail=0
[ $rc -eq 0 ] || { echo "FAIL: $lua_tool exited $rc"; fail=1; }
if sed -n '/=== reload/,$p' "$work/out" | grep -q "Ignored automation data"; then
  echo "FAIL: the reload warns about automation data of a non-automatable parameter"
  fail=1
fi
grep -q "=== after reload: midi_channel 5 midi_cc_base 40" "$work/out" ||
  { echo "FAIL: MIDI channel 5 and base controller 40 did not come back"; fail=1; }
[ $fail = 0 ] && echo ok
exit $fail
