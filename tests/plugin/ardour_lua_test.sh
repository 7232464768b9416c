#!/bin/sh
# The plugin in Ardour's headless Lua interpreter (ardour7-lua): a new session with one mono
# track, Emovox inserted on it, the session script lua/emovox_drive_parameter.lua loaded, a
# few seconds rendered with an export, the plugin's outputs printed. Skips (77) if
# ardour7-lua is not installed (it is too heavy for CI) or under sanitizers.
# Usage: ardour_lua_test.sh <LV2_PATH> <lua script>
set -u
[ "${EMOVOX_SANITIZED:-0}" = "1" ] && { echo "SKIP: sanitized build"; exit 77; }
lua_tool=""
for p in ardour7-lua ardour8-lua ardour6-lua; do
  command -v $p >/dev/null 2>&1 && { lua_tool=$p; break; }
done
[ -n "$lua_tool" ] || { echo "SKIP: ardour7-lua is not installed"; exit 77; }
export LV2_PATH=$1:${LV2_PATH:-}
script=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/test.lua" <<LUA
local s = create_session ("$work/session", "emovox", 48000)
assert (s, "cannot create a session")
local tl = s:new_audio_track (1, 1, nil, 1, "voice", ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true)
local track = tl:front ()
local p = ARDOUR.LuaAPI.new_plugin (s, "https://emovox.org/plugins/emovox#mono", ARDOUR.PluginType.LV2, "")
assert (not p:isnil (), "Emovox not found in LV2_PATH")
assert (track:add_processor_by_index (p, 0, nil, true) == 0, "cannot insert Emovox")
local pi = p:to_insert ()
local plug = pi:plugin (0)
print ("plugin:", plug:name (), "ports:", plug:get_info ().n_outputs)
-- The driving script (a session script) must at least load.
local f = assert (io.open ("$script")); local code = f:read ("*a"); f:close ()
assert (load (code), "the Emovox Lua script does not parse")
-- Run the engine for a moment (dummy backend) and read the outputs.
s:request_transport_speed (1.0, true, ARDOUR.TransportRequestSource.TRS_UI)
ARDOUR.LuaAPI.usleep (2000000)
for i = 9, 22 do
  local ok, v = ARDOUR.LuaAPI.get_plugin_insert_param (pi, i)
  print ("output", i, v)
end
local st = ARDOUR.LuaAPI.get_plugin_insert_param (pi, 22)
print ("status", st)
close_session ()
LUA
out=$("$lua_tool" "$work/test.lua" 2>&1)
echo "$out" | tail -40
echo "$out" | grep -q "plugin:" || { echo "FAIL: the plugin was not inserted"; exit 1; }
echo ok
