#!/usr/bin/env bash
# OCI distribution-spec conformance suite against a registry URL.
#
#   scripts/dist-conformance.sh --build        build (or find) the suite, print the binary path
#   scripts/dist-conformance.sh --path         print where the binary lives (no build; exit 1 if missing)
#   scripts/dist-conformance.sh URL            build if needed, then run it against URL (http://host:port)
#
# The suite (github.com/opencontainers/distribution-spec/conformance) has no tags: it is pinned to a
# module-proxy pseudo-version and built once into ~/.cache/ocx-peers/dist-conformance-<version>
# (idempotent, outside the clone, like scripts/peers.sh). Current versions are a main program
# configured by OCI_* variables (see its README); `go test -c` is the deprecated legacy entry point.
# It writes results.yaml, junit.xml and report.html: the run happens in a temp dir, kept when
# OCX_CONFORMANCE_KEEP=1. Every OCI_* variable already set in the environment wins over the defaults.
set -euo pipefail
version=${OCX_DIST_CONFORMANCE_VERSION:-v0.0.0-20260831232431-97274622c111}
module=github.com/opencontainers/distribution-spec/conformance
cache=${OCX_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ocx-peers}
dir="$cache/dist-conformance-$version"
exe="$dir/conformance"

build() {
  [ -x "$exe" ] && return 0
  command -v go >/dev/null || { echo "dist-conformance: go toolchain not found" >&2; return 1; }
  mkdir -p "$dir"
  echo "dist-conformance: building $module@$version" >&2
  for tc in local go1.27.3; do
    if GOBIN="$dir" GOTOOLCHAIN="$tc" GOFLAGS="-mod=mod -trimpath" CGO_ENABLED=0 \
      go install "$module@$version" >"$dir/build.log" 2>&1; then
      return 0
    fi
  done
  echo "dist-conformance: build failed (see $dir/build.log)" >&2
  return 1
}

case "${1:-}" in
  --path)
    echo "$exe"
    [ -x "$exe" ]
    exit
    ;;
  --build)
    build
    echo "$exe"
    exit
    ;;
  http://* | https://*) url=${1%/} ;;
  *)
    echo "usage: $0 --build | --path | http://host:port" >&2
    exit 64
    ;;
esac

build
work=$(mktemp -d "${TMPDIR:-/tmp}/ocx-dist-conformance.XXXXXX")
[ "${OCX_CONFORMANCE_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

export OCI_REGISTRY=${OCI_REGISTRY:-${url#*://}}
if [ -z "${OCI_TLS:-}" ]; then
  case "$url" in https://*) OCI_TLS=enabled ;; *) OCI_TLS=disabled ;; esac
fi
export OCI_TLS
export OCI_VERSION=${OCI_VERSION:-1.1}
export OCI_REPO1=${OCI_REPO1:-conformance/repo1}
export OCI_REPO2=${OCI_REPO2:-conformance/repo2}
export OCI_RESULTS_DIR=${OCI_RESULTS_DIR:-$work/results}
# Pull, push, discovery and management (deletes) are all on by default in OCI_VERSION=1.1; these two
# optional APIs are on as well because the emulator implements them.
export OCI_API_BLOBS_UPLOAD_CANCEL=${OCI_API_BLOBS_UPLOAD_CANCEL:-true}
export OCI_API_MANIFESTS_TAG_PARAM=${OCI_API_MANIFESTS_TAG_PARAM:-true}
export OCI_LOG=${OCI_LOG:-warn}

cd "$work"
set +e
"$exe"
rc=$?
set -e
[ "${OCX_CONFORMANCE_KEEP:-0}" = 1 ] && echo "dist-conformance: results in $OCI_RESULTS_DIR" >&2
exit $rc
