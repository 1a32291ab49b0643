-- Argo CD health check for cephaloproxy.io/SquidProxy.
-- Healthy:     Ready=True and status.observedGeneration == metadata.generation
-- Degraded:    Degraded=True, or ConfigValid=False (the operator rejected the spec; the pods of the
--              last good configuration keep serving, but the change did not apply)
-- Progressing: anything else (no status yet, a rollout, a generation not yet observed)
-- Written for Argo CD's Lua (gopher-lua, Lua 5.1); also runs on Lua 5.4.
local hs = {}

local function condition(conditions, type)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function text(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return fallback
end

local status = obj.status
if status == nil or status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report status"
  return hs
end

local configValid = condition(status.conditions, "ConfigValid")
if configValid ~= nil and configValid.status == "False" then
  hs.status = "Degraded"
  hs.message = "Configuration rejected: " .. text(configValid, configValid.reason or "unknown reason")
  return hs
end

local degraded = condition(status.conditions, "Degraded")
if degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = text(degraded, degraded.reason or "Degraded")
  return hs
end

local ready = condition(status.conditions, "Ready")
local generation = obj.metadata.generation
local observed = status.observedGeneration
if generation ~= nil and observed ~= generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = text(ready, "Ready")
  return hs
end

local progressing = condition(status.conditions, "Progressing")
hs.status = "Progressing"
if progressing ~= nil and progressing.status == "True" then
  hs.message = text(progressing, "Rolling out")
else
  hs.message = text(ready, "Waiting for the proxy to become ready")
end
return hs
