ardour {
	["type"]    = "session",
	name        = "Emovox: Drive Parameter",
	category    = "Emovox",
	license     = "ISC",
	author      = "Emovox",
	description = [[Each process cycle, reads one output of the Emovox speech emotion plugin on a track
(a probability, arousal, valence, voice activity, confidence or how far the analysis has
adapted to the voice) and sets a parameter of
another plugin from it: the output's range is mapped onto [Minimum, Maximum] (inverted if
asked) and smoothed with a one-pole filter. Example: more reverb when the voice is sad.]]
}

-- Output symbols of the Emovox plugin, their port index (protocol/emovox_protocol.h) and range.
-- `adapted` comes after the audio ports, whose number differs between the variants: its
-- `stereo` entry is its index in the stereo variant. Ardour's Lua has no port symbols to look
-- up (only labels, which are for people), so the variant picks the index.
local EMOVOX_OUTPUTS = {
	neutral = { 9, 0, 1 }, calm = { 10, 0, 1 }, happy = { 11, 0, 1 }, sad = { 12, 0, 1 },
	angry = { 13, 0, 1 }, fearful = { 14, 0, 1 }, disgust = { 15, 0, 1 }, surprised = { 16, 0, 1 },
	confidence = { 18, 0, 1 }, arousal = { 19, -1, 1 }, valence = { 20, -1, 1 }, voice = { 21, 0, 1 },
	adapted = { 26, 0, 1, stereo = 28 },
}
local EMOVOX_URI = "https://emovox.org/plugins/emovox"

-- The output's port index in the variant the plugin insert runs (its URI names it).
local function output_port (output, plugin)
	local stereo = plugin:unique_id () == EMOVOX_URI .. "#stereo"
	return stereo and output.stereo or output[1]
end

function sess_params ()
	return {
		["source_track"]  = { title = "Track with Emovox", default = "Voice" },
		["output"]        = { title = "Emovox output (neutral calm happy sad angry fearful disgust surprised confidence arousal valence voice adapted)", default = "arousal" },
		["target_track"]  = { title = "Track of the driven plugin", default = "Voice" },
		["target_plugin"] = { title = "Driven plugin's name (as shown in the mixer strip)", default = "ACE Reverb" },
		["target_param"]  = { title = "Driven parameter: its name as the plugin shows it (e.g. Blend), or its number (control ports counted from 0, in port order)", default = "Blend" },
		["minimum"]       = { title = "Parameter value at the output's minimum", default = "0" },
		["maximum"]       = { title = "Parameter value at the output's maximum", default = "1" },
		["smoothing_ms"]  = { title = "Smoothing time constant (ms)", default = "200" },
		["invert"]        = { title = "Invert (yes/no)", default = "no" },
	}
end

function factory (params)
	local p = params or {}
	local source_name = p["source_track"] or "Voice"
	local output = EMOVOX_OUTPUTS[p["output"] or "arousal"] or EMOVOX_OUTPUTS["arousal"]
	local target_name = p["target_track"] or "Voice"
	local target_plugin = p["target_plugin"] or ""
	local target_param = p["target_param"] or "Blend"
	local lo = tonumber (p["minimum"] or "0") or 0
	local hi = tonumber (p["maximum"] or "1") or 1
	local tau_s = math.max (0.001, (tonumber (p["smoothing_ms"] or "200") or 200) / 1000)
	local invert = (p["invert"] or "no"):lower ():sub (1, 1) == "y"

	-- Found once, then cached: searching routes every cycle would be wasteful.
	local emovox = nil  -- the Emovox plugin insert (ARDOUR:PluginInsert)
	local emovox_nth = nil -- the output's number among the plugin's control ports
	local target = nil  -- the driven processor
	local target_nth = nil -- the driven parameter's number among its plugin's control ports
	local state = nil   -- smoothed value in the output's own range
	local last_sent = nil
	local retry_in = 0  -- samples until the next search when the plugins are not there yet
	local warned = false -- a wrong parameter name is reported once, not every second

	local function find_processor (route, matches)
		local i = 0
		while true do
			local proc = route:nth_plugin (i)
			if proc:isnil () then return nil end
			if matches (proc) then return proc end
			i = i + 1
		end
	end

	-- The parameter's number, from a number or from a name (case-insensitive), among the
	-- processor's control inputs; nil when it has none of that name or number.
	local function find_parameter (proc)
		local pi = proc:to_insert ()
		if pi:isnil () then return tonumber (target_param) end
		local plugin = pi:plugin (0)
		local wanted = target_param:lower ()
		for n = 0, plugin:parameter_count () - 1 do
			-- refs[2] is nth_parameter's "ok" flag: false past the last control port.
			local port, refs = plugin:nth_parameter (n, true)
			if not refs[2] then break end
			if plugin:parameter_is_input (port) and
			   (tonumber (target_param) == n or plugin:parameter_label (port):lower () == wanted) then
				return n
			end
		end
		return nil
	end

	local function resolve ()
		local src = Session:route_by_name (source_name)
		local dst = Session:route_by_name (target_name)
		if src:isnil () or dst:isnil () then return false end
		local e = find_processor (src, function (proc)
			local pi = proc:to_insert ()
			return not pi:isnil () and pi:plugin (0):unique_id ():find (EMOVOX_URI, 1, true) == 1
		end)
		local t = find_processor (dst, function (proc) return proc:display_name () == target_plugin end)
		if not e or not t then return false end
		local nth = find_parameter (t)
		if not nth then
			if not warned then
				print ("Emovox: Drive Parameter: " .. target_plugin .. " has no input parameter '" .. target_param .. "'")
				warned = true
			end
			return false
		end
		-- Ardour reads plugin outputs by their rank among the control ports.
		local plugin = e:to_insert ():plugin (0)
		local wanted = output_port (output, plugin)
		for n = 0, plugin:parameter_count () - 1 do
			local port, refs = plugin:nth_parameter (n, true)
			if not refs[2] then break end
			if port == wanted then emovox_nth = n break end
		end
		if not emovox_nth then return false end
		emovox = e:to_insert ()
		target = t
		target_nth = nth
		return true
	end

	return function (n_samples)
		if not emovox then
			-- Searching routes by name is not free: try about once a second, not every cycle.
			retry_in = retry_in - n_samples
			if retry_in > 0 then return end
			retry_in = Session:nominal_sample_rate ()
			if not resolve () then return end
		end
		local x = ARDOUR.LuaAPI.get_plugin_insert_param (emovox, emovox_nth, true)
		local rate = Session:nominal_sample_rate ()
		local a = 1 - math.exp (-n_samples / (tau_s * rate))
		if state == nil then state = x else state = state + a * (x - state) end
		local u = (state - output[2]) / (output[3] - output[2])
		u = math.min (1, math.max (0, u))
		if invert then u = 1 - u end
		local value = lo + (hi - lo) * u
		-- Only touch the parameter when the change is audible (1/1000 of the range).
		if last_sent == nil or math.abs (value - last_sent) > math.abs (hi - lo) * 1e-3 then
			ARDOUR.LuaAPI.set_processor_param (target, target_nth, value)
			last_sent = value
		end
	end
end
