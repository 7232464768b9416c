#!/bin/sh
# The plugin in Ardour's headless Lua interpreter (ardour7-lua): the Dummy backend feeding a
# sine wave, a new session with a mono track, Emovox and ACE Reverb inserted on it; after a
# second of processing Emovox's outputs are read and printed, then the shipped session script
# lua/emovox_drive_parameter.lua maps Emovox's voice activity onto the reverb's first
# parameter, which must follow. Skips (77) if ardour7-lua is not installed (too heavy for CI)
# or under sanitizers (Ardour is not instrumented).
# Usage: ardour_lua_test.sh <LV2_PATH> <lua script>
set -u
[ "${EMOVOX_SANITIZED:-0}" = "1" ] && { echo "SKIP: sanitized build"; exit 77; }
lua_tool=""
for p in ardour7-lua ardour8-lua; do
  command -v $p >/dev/null 2>&1 && { lua_tool=$p; break; }
done
[ -n "$lua_tool" ] || { echo "SKIP: ardour7-lua is not installed"; exit 77; }
# Emovox from the build dir; Ardour's own plugins (ACE Reverb) from the system.
export LV2_PATH="$1:/usr/lib/lv2:/usr/local/lib/lv2"
script=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/test.lua" <<LUA
io.stdout:setvbuf ("no")
local backend = AudioEngine:set_backend ("None (Dummy)", "", "")
assert (backend, "no Dummy backend")
backend:set_device_name ("Sine Wave")
assert (AudioEngine:start (false) == 0, "cannot start the Dummy backend")
local s = create_session ("$work/session", "emovox", 48000)
assert (s, "cannot create a session")
Session = Session or s
local track = s:new_audio_track (1, 1, nil, 1, "Voice", ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true):front ()
track:monitoring_control ():set_value (ARDOUR.MonitorChoice.MonitorInput, PBD.GroupControlDisposition.NoGroup)
local emovox = ARDOUR.LuaAPI.new_plugin (s, "https://emovox.org/plugins/emovox#mono", ARDOUR.PluginType.LV2, "")
assert (not emovox:isnil (), "Emovox not found in LV2_PATH")
assert (track:add_processor_by_index (emovox, 0, nil, true) == 0, "cannot insert Emovox")
local reverb = ARDOUR.LuaAPI.new_plugin (s, "urn:ardour:a-reverb", ARDOUR.PluginType.LV2, "")
assert (not reverb:isnil (), "ACE Reverb not found")
assert (track:add_processor_by_index (reverb, 1, nil, true) == 0, "cannot insert ACE Reverb")
print ("inserted:", emovox:to_insert ():plugin (0):name (), "and", reverb:display_name ())

ARDOUR.LuaAPI.usleep (1500000)
local names = { "neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised",
                "dominant", "confidence", "arousal", "valence", "voice", "status" }
for i, name in ipairs (names) do
  -- Control ports 3..22: output port 9 + k is control number 6 + k.
  print ("emovox", name, ARDOUR.LuaAPI.get_plugin_insert_param (emovox:to_insert (), 5 + i, true))
end

-- The shipped session script, run the way Ardour runs session scripts: factory (params)
-- once, then the returned function every cycle.
function ardour (descriptor) end
dofile ("$script")
local params = { source_track = "Voice", output = "voice", target_track = "Voice",
                 target_plugin = reverb:display_name (), target_param = "0",
                 minimum = "0.2", maximum = "0.8", smoothing_ms = "50", invert = "no" }
local cycle = factory (params)
for i = 1, 100 do
  cycle (1024)
  ARDOUR.LuaAPI.usleep (5000)
end
local voice = ARDOUR.LuaAPI.get_plugin_insert_param (emovox:to_insert (), 18, true)
local driven = ARDOUR.LuaAPI.get_processor_param (reverb, 0, true)
print ("script: voice", voice, "-> reverb parameter 0 =", driven, "expected", 0.2 + 0.6 * voice)
close_session ()
LUA
out=$("$lua_tool" "$work/test.lua" 2>&1)
status=$?
echo "$out" | grep -E "^(inserted|emovox|script|Error)|assert" | head -40
[ $status -eq 0 ] || { echo "FAIL: $lua_tool exited with $status"; echo "$out" | tail -20; exit 1; }
value() { echo "$out" | awk -v k="$1" '$1 == "emovox" && $2 == k { print $3 }' | tail -1; }
fail=0
[ "$(value status)" = "0.0" ] || { echo "FAIL: status $(value status), expected 0 (model loaded)"; fail=1; }
awk -v v="$(value voice)" 'BEGIN { exit !(v + 0 > 0.5) }' || { echo "FAIL: voice activity $(value voice) on a sine"; fail=1; }
sum=$(echo "$out" | awk '$1 == "emovox" && NR { n++ } $1 == "emovox" && n <= 8 { s += $3 } END { print s }')
awk -v s="$sum" 'BEGIN { exit !(s > 0.999 && s < 1.001) }' || { echo "FAIL: probabilities sum to $sum"; fail=1; }
echo "$out" | awk '$1 == "script:" { v = $3; d = $9; e = $11 } END { exit !(d + 0 > 0.2 && (d - e < 0.02 && e - d < 0.02)) }' ||
  { echo "FAIL: the driven parameter does not follow the mapping"; fail=1; }
[ $fail -eq 0 ] && echo ok
exit $fail
