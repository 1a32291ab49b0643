-- Argo CD health check for cephaloproxy.io/SquidProxy, from the conditions the operator writes
-- (Ready, Progressing, Degraded, ConfigValid; reasons in docs/troubleshooting.md). In this order:
-- Progressing: being deleted; no status yet; status.observedGeneration behind metadata.generation
-- Degraded:    ConfigValid=False (a missing Secret/ConfigMap, an invalid spec, a configuration
--              Squid rejected: the pods of the last good configuration keep serving, which the
--              message says when status.servingConfigHash is set), or
--              Degraded=True (crash loop, image pull failure, pods rejected, deadline exceeded)
-- Progressing: Degraded=True with reason ReconcileError (transient: the operator retries)
-- Healthy:     Ready=True
-- Progressing: anything else (a rollout under way)
-- Runs in Argo CD's gopher-lua (Lua 5.1) without the open libraries, as argocd-cm installs it.
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

if obj.metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  hs.message = "Pending deletion"
  return hs
end

local status = obj.status
if status == nil or status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report status"
  return hs
end

local degraded = condition(status.conditions, "Degraded")
local retrying = degraded ~= nil and degraded.status == "True" and degraded.reason == "ReconcileError"

local generation = obj.metadata.generation
local observed = status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation
  if retrying then
    hs.message = hs.message .. " (" .. text(degraded, "reconcile failed, retrying") .. ")"
  end
  return hs
end

local configValid = condition(status.conditions, "ConfigValid")
if configValid ~= nil and configValid.status == "False" then
  hs.status = "Degraded"
  if configValid.reason == "MissingReference" then
    -- the Degraded message names each missing Secret/ConfigMap (or key) and what to do
    hs.message = text(degraded, text(configValid, "a referenced Secret or ConfigMap is missing"))
  else
    hs.message = "Configuration rejected: " .. text(configValid, configValid.reason or "see the ConfigValid condition")
  end
  -- issue 11: ready pods of the last good configuration (status.servingConfigHash) keep serving
  if status.servingConfigHash ~= nil and status.servingConfigHash ~= "" then
    hs.message = hs.message .. " (ready pods keep serving the last good configuration)"
  end
  return hs
end

if retrying then
  hs.status = "Progressing"
  hs.message = text(degraded, "reconcile failed, retrying")
  return hs
end

if degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = text(degraded, degraded.reason or "Degraded")
  return hs
end

local ready = condition(status.conditions, "Ready")
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
