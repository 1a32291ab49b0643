#!/usr/bin/env bash
# CHANGELOG.md is the single source of release notes and of the chart's artifacthub.io/changes.
#   scripts/changelog.sh notes VERSION       the section of VERSION as Markdown (release notes)
#   scripts/changelog.sh artifacthub VERSION the same entries as the YAML list artifacthub.io/changes takes
#   scripts/changelog.sh --check             fails when the chart's artifacthub.io/changes differ from the
#                                            section of the chart's version, or that section is missing
# Entries are the "- " bullets under "### Added|Changed|Deprecated|Removed|Fixed|Security" (continuation
# lines indented by two spaces are joined).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
changelog="${CHANGELOG:-$root/CHANGELOG.md}"
chart="${CHART_YAML:-$root/helm/cephaloproxy-operator/Chart.yaml}"
source "$root/scripts/lib.sh"

section() { # VERSION -> the lines of its section, without the heading
  awk -v v="$1" '
    /^## \[/ { inside = (index($0, "## [" v "]") == 1); next }
    inside' "$changelog"
}

# entries VERSION -> "kind<TAB>description" per bullet
entries() {
  section "$1" | awk '
    function flush() { if (text != "") { print kind "\t" text }; text = "" }
    /^### / { flush(); kind = tolower($2); next }
    /^- / { flush(); text = substr($0, 3); next }
    /^  [^ ]/ && text != "" { sub(/^ +/, ""); text = text " " $0; next }
    /^[[:space:]]*$/ { next }
    { flush() }
    END { flush() }'
}

artifacthub() {
  local kind text
  while IFS=$'\t' read -r kind text; do
    case "$kind" in added|changed|deprecated|removed|fixed|security) ;;
      *) die "CHANGELOG.md: section '### $kind' of $1 is not a Keep a Changelog kind";; esac
    text=${text//\\/\\\\}; text=${text//\"/\\\"}
    printf -- '- kind: %s\n  description: "%s"\n' "$kind" "$text"
  done < <(entries "$1")
}

case "${1:-}" in
  notes)
    [ -n "${2:-}" ] || die "usage: changelog.sh notes VERSION"
    [ -n "$(section "$2" | tr -d '[:space:]')" ] || die "CHANGELOG.md has no section '## [$2]'"
    section "$2" | sed -e '/./,$!d' ;;
  artifacthub)
    [ -n "${2:-}" ] || die "usage: changelog.sh artifacthub VERSION"
    [ -n "$(entries "$2")" ] || die "CHANGELOG.md has no entries for version $2"
    artifacthub "$2" ;;
  --check)
    version=$(sed -n 's/^version: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$chart" | head -1)
    [ -n "$version" ] || die "cannot read the version of $chart"
    [ -n "$(entries "$version")" ] || die "CHANGELOG.md has no entries for the chart's version $version: add a '## [$version]' section"
    # the block scalar under artifacthub.io/changes, de-indented
    actual=$(awk '
      /^  artifacthub.io\/changes: \|/ { inside = 1; next }
      inside && /^    / { sub(/^    /, ""); print; next }
      inside { exit }' "$chart")
    expected=$(artifacthub "$version")
    if [ "$actual" != "$expected" ]; then
      diff <(echo "$expected") <(echo "$actual") >&2 || true
      die "$chart: artifacthub.io/changes differ from CHANGELOG.md's section [$version] (- expected, + chart); paste the output of 'scripts/changelog.sh artifacthub $version' under that annotation, indented by four spaces"
    fi
    echo "changelog.sh: the chart's artifacthub.io/changes match CHANGELOG.md [$version]" ;;
  *) die "usage: changelog.sh notes VERSION | artifacthub VERSION | --check" ;;
esac
