{{/* Names and labels, as bitpoke's chart computes them. */}}
{{- define "mysql-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mysql-operator.fullname" -}}
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

{{- define "mysql-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mysql-operator.labels" -}}
helm.sh/chart: {{ include "mysql-operator.chart" . }}
{{ include "mysql-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "mysql-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mysql-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "mysql-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mysql-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The topology Secret: the user's (orchestrator.secretName) or the chart's. */}}
{{- define "mysql-operator.orcSecretName" -}}
{{- default (printf "%s-orc" (include "mysql-operator.fullname" .)) .Values.orchestrator.secretName }}
{{- end }}

{{/* repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "mysql-operator.image" -}}
{{- printf "%s:%s" .image.repository (default .appVersion (toString .image.tag)) }}
{{- end }}

{{/*
The orchestrator plugin's config: bitpoke's orchestrator.config keys mapped onto the engine's
(docs/failover.md), the engine's own keys passed as they are, then plugins.orchestrator.config on
top. bitpoke keys without an equivalent are dropped (values.schema.json lists them).
*/}}
{{- define "mysql-operator.orchestratorConfig" -}}
{{- $mapped := dict }}
{{- $renames := dict "InstancePollSeconds" "instancePollSeconds" "RecoveryPeriodBlockSeconds" "recoveryPeriodBlockSeconds" }}
{{- range $k, $v := (default dict .Values.orchestrator.config) }}
{{- if hasKey $renames $k }}
{{- $_ := set $mapped (get $renames $k) $v }}
{{- else if regexMatch "^[a-z]" $k }}
{{- $_ := set $mapped $k $v }}
{{- end }}
{{- end }}
{{- /* The audit store on the persistent volume (plugins/orchestrator README "The store"). */}}
{{- if .Values.orchestrator.persistence.enabled }}
{{- $_ := set $mapped "auditPath" "/var/lib/mysql-operator/orchestrator-audit.db" }}
{{- end }}
{{- $own := default dict (default dict .Values.plugins.orchestrator).config }}
{{- toJson (mergeOverwrite $mapped $own) }}
{{- end }}
