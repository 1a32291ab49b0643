{{/* Names and labels shared by the templates. */}}

{{- define "cephaloproxy.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cephaloproxy.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cephaloproxy.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cephaloproxy.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* a label map as key=value,key=value (sorted by key) */}}
{{- define "cephaloproxy.labelPairs" -}}
{{- $pairs := list }}
{{- range $k, $v := . }}
{{- $pairs = append $pairs (printf "%s=%s" $k $v) }}
{{- end }}
{{- join "," $pairs }}
{{- end }}

{{- define "cephaloproxy.labels" -}}
{{ include "cephaloproxy.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: cephaloproxy
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "cephaloproxy.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cephaloproxy.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag or repository@digest; the tag defaults to the chart's appVersion */}}
{{- define "cephaloproxy.imageRef" -}}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository (default .appVersion .image.tag) }}
{{- end }}
{{- end }}

{{/* "true" when leader election is on: forced by leaderElection.enabled, else when replicas > 1 */}}
{{- define "cephaloproxy.leaderElection" -}}
{{- if kindIs "bool" .Values.leaderElection.enabled }}
{{- .Values.leaderElection.enabled }}
{{- else }}
{{- gt (int .Values.replicas) 1 }}
{{- end }}
{{- end }}

{{- define "cephaloproxy.leaderElectionNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace }}
{{- end }}

{{/* the RBAC rules, from the single source files/rules.yaml; argument: the section name */}}
{{- define "cephaloproxy.rules" -}}
{{- $all := .root.Files.Get "files/rules.yaml" | fromYaml }}
{{- if not (hasKey $all .section) }}
{{- fail (printf "files/rules.yaml has no section %q" .section) }}
{{- end }}
{{- toYaml (get $all .section) }}
{{- end }}

{{/* watchNamespaces as a JSON list: a list value as is, a string split at commas ({a,b} or a,b) */}}
{{- define "cephaloproxy.watchNamespaces" -}}
{{- $w := .Values.watchNamespaces | default list }}
{{- if kindIs "string" $w }}
{{- $w = splitList "," (trimSuffix "}" (trimPrefix "{" $w)) }}
{{- end }}
{{- $out := list }}
{{- range $w }}
{{- if trim . }}
{{- $out = append $out (trim .) }}
{{- end }}
{{- end }}
{{- toJson (uniq $out) }}
{{- end }}

{{/* admission.allowedImagePrefixes as a JSON list: a list value as is, a string split at commas ({a,b} or a,b) */}}
{{- define "cephaloproxy.imagePrefixes" -}}
{{- $w := .Values.admission.allowedImagePrefixes | default list }}
{{- if kindIs "string" $w }}
{{- $w = splitList "," (trimSuffix "}" (trimPrefix "{" $w)) }}
{{- end }}
{{- $out := list }}
{{- range $w }}
{{- if trim . }}
{{- $out = append $out (trim .) }}
{{- end }}
{{- end }}
{{- toJson (uniq $out) }}
{{- end }}
