#!/bin/sh
# The plugin in Ardour's headless Lua interpreter (ardour7-lua) on the Dummy backend: a new
# session with a mono track carrying a small Lua DSP processor that plays a RAVDESS recording
# (handed to it through its shared memory: DSP scripts have no file access), then Emovox,
# then ACE Reverb, and a stereo track with the same player, the stereo variant and another ACE
# Reverb. The sentence plays twice; Emovox's outputs are printed in the middle of each and after
# them. The shipped session script lua/emovox_drive_parameter.lua, installed where the README
# says, maps Emovox's voice activity onto the reverb's "Blend" parameter (chosen by name) and
# must move it up during speech and down again in the silence after it; two more instances map
# the `adapted` output (whose port index differs between the variants) onto the mono track's
# "Room Size" and the stereo track's "Blend", which must follow it in both variants.
# Skips (77) without ardour7-lua, sox or the corpora, and under sanitizers (Ardour is not
# instrumented).
# Usage: ardour_lua_test.sh <LV2_PATH> <lua script>
set -u
[ "${EMOVOX_SANITIZED:-0}" = "1" ] && { echo "SKIP: sanitized build"; exit 77; }
lua_tool=""
for p in ardour7-lua ardour8-lua; do
  command -v $p >/dev/null 2>&1 && { lua_tool=$p; break; }
done
[ -n "$lua_tool" ] || { echo "SKIP: ardour7-lua is not installed"; exit 77; }
command -v sox >/dev/null 2>&1 || { echo "SKIP: sox is not installed"; exit 77; }
speech="${EMOVOX_CORPORA:-}/RAVDESS/Audio_Speech_Actors_01-24/Actor_01/03-01-05-02-01-01-01.flac"
[ -f "$speech" ] || { echo "SKIP: $speech not found"; exit 77; }
# Emovox from the build dir; Ardour's own plugins (ACE Reverb) from the system. Not
# /usr/local/lib/lv2: an Emovox installed there earlier (README's first command) would be the
# one Ardour loads, and an older build cannot read a newer bundle's model.
export LV2_PATH="$1:/usr/lib/lv2"
script=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A private configuration folder, so the test neither reads nor writes the user's Ardour
# settings; Ardour finds Lua scripts in its "scripts" subfolder, as in the README's step 1.
export XDG_CONFIG_HOME="$work/config"
mkdir -p "$XDG_CONFIG_HOME/ardour7/scripts"
cp "$script" "$XDG_CONFIG_HOME/ardour7/scripts/"
# The sentence spans about 1.1-3.3 s of the 4.1 s file (silence before and after); twice, so
# that the analysis has heard more than the 3 s of speech it reads cold (adapted above 0).
sox "$speech" "$speech" -r 48000 -c 1 -t f32 -e floating-point "$work/speech.f32" || exit 1

cat >"$XDG_CONFIG_HOME/ardour7/scripts/emovox_test_player.lua" <<'LUA'
ardour { ["type"] = "dsp", name = "Emovox Test Player", category = "Utility", license = "ISC",
         author = "Emovox tests",
         description = [[Replaces its input by the samples in its shared memory: slot 1 holds
their count (written last, by the test), slot 2 the number played so far (read by the test:
a DSP output parameter holds garbage until the first cycle), slots 3.. the samples. Silence
before the samples arrive and after they end. On a stereo track both channels play them.]] }

function dsp_ioconfig () return { { audio_in = 1, audio_out = 1 }, { audio_in = 2, audio_out = 2 } } end

local CAPACITY = 48000 * 10
local shm = nil
function dsp_init (rate)
  shm = self:shmem ()
  shm:allocate (CAPACITY + 2)
  shm:clear ()
end

function dsp_run (ins, outs, n_samples)
  local mem = shm:to_float (0):array ()
  local len, played = mem[1], mem[2]
  for c = 1, #outs do
    local out = outs[c]:array ()
    if len <= 0 then
      for i = 1, n_samples do out[i] = 0 end
    else
      for i = 1, n_samples do
        local k = played + i
        out[i] = k <= len and mem[k + 2] or 0
      end
    end
  end
  if len <= 0 then return end
  -- Exact as a float up to 2^24 samples (349 s at 48 kHz).
  mem[2] = played + n_samples
end
LUA

cat >"$work/test.lua" <<LUA
io.stdout:setvbuf ("no")
local failures = 0
local function check (ok, what)
  if not ok then failures = failures + 1; print ("FAIL: " .. what) end
end
local function param (proc, n) -- get_processor_param also returns a table of its references
  local v = ARDOUR.LuaAPI.get_processor_param (proc, n, true)
  return v
end

local backend = AudioEngine:set_backend ("None (Dummy)", "", "")
assert (backend, "no Dummy backend")
assert (AudioEngine:start (false) == 0, "cannot start the Dummy backend")
local s = create_session ("$work/session", "emovox", 48000)
assert (s, "cannot create a session")
Session = Session or s
local track = s:new_audio_track (1, 1, nil, 1, "Voice", ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true):front ()
track:monitoring_control ():set_value (ARDOUR.MonitorChoice.MonitorInput, PBD.GroupControlDisposition.NoGroup)
local player = ARDOUR.LuaAPI.new_luaproc (s, "Emovox Test Player")
assert (not player:isnil (), "the test player script was not found")
assert (track:add_processor_by_index (player, 0, nil, true) == 0, "cannot insert the player")
local emovox = ARDOUR.LuaAPI.new_plugin (s, "https://emovox.org/plugins/emovox#mono", ARDOUR.PluginType.LV2, "")
assert (not emovox:isnil (), "Emovox not found in LV2_PATH")
assert (track:add_processor_by_index (emovox, 1, nil, true) == 0, "cannot insert Emovox")
local reverb = ARDOUR.LuaAPI.new_plugin (s, "urn:ardour:a-reverb", ARDOUR.PluginType.LV2, "")
assert (not reverb:isnil (), "ACE Reverb not found")
assert (track:add_processor_by_index (reverb, 2, nil, true) == 0, "cannot insert ACE Reverb")
print ("inserted:", player:display_name (), ",", emovox:to_insert ():plugin (0):name (), "and", reverb:display_name ())
-- The stereo variant, whose `adapted` output has another port index (28, not 26).
local stereo = s:new_audio_track (2, 2, nil, 1, "Stereo", ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true):front ()
stereo:monitoring_control ():set_value (ARDOUR.MonitorChoice.MonitorInput, PBD.GroupControlDisposition.NoGroup)
local player2 = ARDOUR.LuaAPI.new_luaproc (s, "Emovox Test Player")
assert (stereo:add_processor_by_index (player2, 0, nil, true) == 0, "cannot insert the stereo player")
local emovox2 = ARDOUR.LuaAPI.new_plugin (s, "https://emovox.org/plugins/emovox#stereo", ARDOUR.PluginType.LV2, "")
assert (not emovox2:isnil (), "Emovox stereo not found in LV2_PATH")
assert (stereo:add_processor_by_index (emovox2, 1, nil, true) == 0, "cannot insert Emovox stereo")
local reverb2 = ARDOUR.LuaAPI.new_plugin (s, "urn:ardour:a-reverb", ARDOUR.PluginType.LV2, "")
assert (stereo:add_processor_by_index (reverb2, 2, nil, true) == 0, "cannot insert the stereo ACE Reverb")

-- The shipped session script, loaded the way Ardour loads it: the ardour {} descriptor,
-- factory (params) once, then the returned function every cycle with its sample count.
local descriptor = nil
function ardour (d) descriptor = d end
dofile ("$XDG_CONFIG_HOME/ardour7/scripts/$(basename "$script")")
check (descriptor and descriptor["type"] == "session", "the drive script is not a session script")
local cycle = factory ({ source_track = "Voice", output = "voice", target_track = "Voice",
                         target_plugin = reverb:display_name (), target_param = "Blend",
                         minimum = "0.2", maximum = "0.8", smoothing_ms = "50", invert = "no" })
-- The `adapted` output: onto the mono reverb's Room Size (0.5 .. 1, default 0.5: 0.6 at a cold
-- reading shows the script took hold), and the stereo reverb's Blend.
local cycle_adapted = factory ({ source_track = "Voice", output = "adapted", target_track = "Voice",
                                 target_plugin = reverb:display_name (), target_param = "Room Size",
                                 minimum = "0.6", maximum = "1.0", smoothing_ms = "50", invert = "no" })
local cycle_stereo = factory ({ source_track = "Stereo", output = "adapted", target_track = "Stereo",
                                target_plugin = reverb2:display_name (), target_param = "Blend",
                                minimum = "0.2", maximum = "0.8", smoothing_ms = "50", invert = "no" })
-- ACE Reverb's control parameters are Blend, Room Size, Enable (in port order).
local blend_before = param (reverb, 0)
print ("reverb Blend before the script", blend_before, "Room Size", param (reverb, 1))

local f = assert (io.open ("$work/speech.f32", "rb"))
local data = f:read ("a")
f:close ()
local n = #data // 4
local mem = player:to_insert ():plugin (0):to_luaproc ():shmem ():to_float (0):array ()
local mem2 = player2:to_insert ():plugin (0):to_luaproc ():shmem ():to_float (0):array ()
for i = 1, n do
  local x = string.unpack ("<f", data, 4 * i - 3)
  mem[i + 2] = x
  mem2[i + 2] = x
end
mem2[1] = n -- last: the players start once every sample is in place (in the same cycle)
mem[1] = n

-- Emovox's control outputs are its control ports 9..22 (protocol/emovox_protocol.h); Ardour
-- counts control ports from the first one (port 3), so port p is parameter p - 3.
local names = { "neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised",
                "dominant", "confidence", "arousal", "valence", "voice", "status" }
local function snapshot (phase)
  local o = {}
  for i, name in ipairs (names) do
    o[name] = param (emovox, 5 + i)
    print (phase, name, o[name])
  end
  -- `adapted` is parameter 21 in both variants: Ardour counts control ports only
  o.adapted, o.adapted2 = param (emovox, 21), param (emovox2, 21)
  o.room, o.blend2 = param (reverb, 1), param (reverb2, 0)
  print ("script:", phase, "adapted", o.adapted, "-> Room Size", o.room, "; stereo adapted",
         o.adapted2, "-> Blend", o.blend2, "expected", 0.6 + 0.4 * o.adapted, 0.2 + 0.6 * o.adapted2)
  o.blend = param (reverb, 0)
  local sum = 0
  for i = 1, 8 do sum = sum + o[names[i]] end
  o.sum = sum
  print ("script:", phase, "voice", o.voice, "-> reverb Blend", o.blend, "expected", 0.2 + 0.6 * o.voice)
  return o
end

-- Run the session script as Ardour would, with the samples actually processed since its last
-- call, until the player reaches a point in the sentence and then a point after it.
local len = n / 2 -- one sentence
local marks = { { "speech", 2.5 * 48000 }, { "speech2", len + 3.0 * 48000 }, { "silence", n + 1.5 * 48000 } }
local seen = {}
local last = 0
local t0 = ARDOUR.LuaAPI.monotonic_time ()
while #seen < #marks do
  ARDOUR.LuaAPI.usleep (5000)
  local played = mem[2]
  if played > last then
    cycle (played - last)
    cycle_adapted (played - last)
    cycle_stereo (played - last)
    last = played
  end
  local mark = marks[#seen + 1]
  if played >= mark[2] then seen[#seen + 1] = snapshot (mark[1]) end
  assert (ARDOUR.LuaAPI.monotonic_time () - t0 < 60e6, "the player stalled at " .. played)
end
close_session ()

local sp, si = seen[1], seen[3]
check (sp.status == 0, "status " .. sp.status .. " (expected 0: model running)")
check (sp.voice > 0.5, "voice activity " .. sp.voice .. " in the middle of the sentence")
check (sp.dominant >= 1 and sp.dominant <= 8, "dominant " .. sp.dominant .. " during speech")
check (math.abs (sp.sum - 1) < 1e-3, "probabilities sum to " .. sp.sum .. " during speech")
check (sp.dominant < 1 or math.abs (sp.confidence - sp[names[sp.dominant]]) < 1e-6,
       "confidence is not the dominant emotion's probability")
check (si.voice < 0.1, "voice activity " .. si.voice .. " in the silence after the sentence")
check (si.dominant == 0, "dominant " .. si.dominant .. " in silence (expected 0: no speech)")
-- The driven parameter left its default and follows 0.2 + 0.6 * voice both ways.
check (math.abs (blend_before - 0.3) < 1e-6, "Blend started at " .. blend_before .. ", not its default 0.3")
for _, o in ipairs (seen) do
  check (math.abs (o.blend - (0.2 + 0.6 * o.voice)) < 0.02, "Blend " .. o.blend .. " for voice " .. o.voice)
end
check (sp.blend - si.blend > 0.3, "Blend did not fall from speech (" .. sp.blend .. ") to silence (" .. si.blend .. ")")
-- `adapted` drives a parameter in both variants: cold (0) in the first sentence, well above 0
-- in the second, once more than 3 s of speech were heard; the driven values follow it (Room
-- Size 0.6 + 0.4 * adapted, the stereo Blend 0.2 + 0.6 * adapted) to the Blend check's 0.02
-- (the smoothing lags a rising adapted a little; measured 0.0015).
local s2 = seen[2]
check (s2.adapted > 0.1 and s2.adapted2 > 0.1,
       "adapted " .. s2.adapted .. " (mono), " .. s2.adapted2 .. " (stereo) after the second sentence")
for _, o in ipairs (seen) do
  check (math.abs (o.room - (0.6 + 0.4 * o.adapted)) < 0.02, "Room Size " .. o.room .. " for adapted " .. o.adapted)
  check (math.abs (o.blend2 - (0.2 + 0.6 * o.adapted2)) < 0.02, "stereo Blend " .. o.blend2 .. " for adapted " .. o.adapted2)
end
print (failures == 0 and "result: ok" or ("result: " .. failures .. " failures"))
LUA
out=$("$lua_tool" "$work/test.lua" 2>&1)
status=$?
echo "$out" | grep -E "^(inserted|reverb|speech|silence|script|result|FAIL|Error)|assert|LuaException" | head -60
[ $status -eq 0 ] || { echo "FAIL: $lua_tool exited with $status"; echo "$out" | tail -20; exit 1; }
echo "$out" | grep -q "^result: ok" || { echo "FAIL"; exit 1; }
echo ok
