#!/usr/bin/env bash
# Builds the pinned peer tools (oras, cosign v2 and v3, notation, distribution v3, and fulcio and
# timestamp-server for keyless signing) from the Go module proxy into a versioned cache outside the
# clone, and links them from .peers/bin. Idempotent: a peer already in the cache is only checked
# (`version`) and linked, so CI in a fresh clone does not rebuild cosign every time. Peers that cannot
# be built or do not run are listed in .peers/unavailable (printed by .ci/run); tests skip on them
# locally and fail under CI=true.
#
#   bash scripts/peers.sh            # all peers
#   bash scripts/peers.sh oras       # only the named ones
#   OCX_PEERS_RETRY=1 bash scripts/peers.sh   # retry peers whose build failed before
set -uo pipefail

# Arguments first, before any lock or build. pnpm 12 passes the `--` of `pnpm peers -- oras` verbatim.
PEER_NAMES="oras cosign2 cosign3 notation registry3 fulcio timestamp-server" # the names in peers=(...) below
usage() { echo "usage: pnpm peers [-- ] [NAME...]   (NAME: ${PEER_NAMES// /, }; none: all)"; }
if [ "${1-}" = "--" ]; then shift; fi
for arg in "$@"; do
  case "$arg" in
    -h | --help) usage; exit 0 ;;
    -*) echo "peers: unknown flag $arg" >&2; usage >&2; exit 64 ;;
    *) if [[ ! " $PEER_NAMES " =~ " $arg " ]]; then echo "peers: unknown peer $arg" >&2; usage >&2; exit 64; fi ;;
  esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${OCX_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ocx-peers}
bin="$root/.peers/bin"
unavailable="$root/.peers/unavailable"
mkdir -p "$bin" "$cache"

# One build at a time per cache: a second run (another clone, CI) waits instead of racing `go install`.
exec 9>"$cache/.lock"
if ! flock -n 9; then
  echo "peers: another peers.sh is building; waiting for it" >&2
  flock 9
fi
: >"$unavailable"

# A failed build is remembered per recipe (this file's hash), so CI does not retry a doomed build every run.
recipe=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)

# name | go package | version (pinned exactly) | args that print the version
peers=(
  "oras|oras.land/oras/cmd/oras|v1.3.6|version"
  "cosign2|github.com/sigstore/cosign/v2/cmd/cosign|v2.6.5|version"
  "cosign3|github.com/sigstore/cosign/v3/cmd/cosign|v3.1.3|version"
  "notation|github.com/notaryproject/notation/cmd/notation|v1.3.2|version"
  "registry3|github.com/distribution/distribution/v3/cmd/registry|v3.1.2|--version"
  "fulcio|github.com/sigstore/fulcio|v1.8.8|version"
  "timestamp-server|github.com/sigstore/timestamp-authority/cmd/timestamp-server|v1.2.9|version"
)

# Fallback when `go install pkg@v` refuses (e.g. the module's go.mod has replace directives): build inside
# a writable copy of the downloaded module, so its own go.mod (replaces included) applies.
build_in_module() { # pkg version outdir toolchain
  local pkg=$1 version=$2 out=$3 tc=$4 mod src tmp ldflags=""
  mod=${pkg%%/cmd/*}
  src=$(GOTOOLCHAIN=$tc go mod download -json "$mod@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [ -n "$src" ] && [ -d "$src" ] || return 1
  case "$mod" in # the version string go install would have taken from the module's build info
    github.com/sigstore/cosign/* | github.com/sigstore/fulcio | github.com/sigstore/timestamp-authority)
      ldflags="-X sigs.k8s.io/release-utils/version.gitVersion=$version" ;;
    github.com/distribution/distribution/*) ldflags="-X $mod/version.version=$version" ;;
    github.com/notaryproject/notation) ldflags="-X $mod/internal/version.BuildMetadata=" ;; # as release builds
  esac
  tmp=$(mktemp -d)
  cp -R "$src/." "$tmp/" && chmod -R u+w "$tmp" &&
    (cd "$tmp" && GOTOOLCHAIN=$tc GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" \
      -o "$out/$(basename "$pkg")" "./$([ "$pkg" = "$mod" ] || echo "${pkg#"$mod"/}")")
  local rc=$?
  rm -rf "$tmp"
  return $rc
}

build() { # name pkg version dir
  local name=$1 pkg=$2 version=$3 dir=$4 tc
  if ! command -v go >/dev/null 2>&1; then echo "go is not installed" >"$dir/build.log"; return 1; fi
  : >"$dir/build.log"
  for tc in local go1.27.3; do
    echo "## go install ($tc)" >>"$dir/build.log"
    GOBIN="$dir" GOTOOLCHAIN="$tc" GOFLAGS=-trimpath CGO_ENABLED=0 go install "$pkg@$version" >>"$dir/build.log" 2>&1 && return 0
  done
  for tc in local go1.27.3; do
    echo "## go build in module copy ($tc)" >>"$dir/build.log"
    build_in_module "$pkg" "$version" "$dir" "$tc" >>"$dir/build.log" 2>&1 && return 0
  done
  return 1
}

only=("$@")
for entry in "${peers[@]}"; do
  IFS='|' read -r name pkg version vargs <<<"$entry"
  if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " =~ " $name " ]]; then continue; fi
  dir="$cache/$name-$version"
  exe="$dir/$(basename "$pkg")"
  mkdir -p "$dir"
  if [ ! -x "$exe" ]; then
    if [ -f "$dir/failed" ] && [ "$(cat "$dir/failed")" = "$recipe" ] && [ -z "${OCX_PEERS_RETRY:-}" ]; then
      echo "peers: $name $version failed to build before (see $dir/build.log; OCX_PEERS_RETRY=1 to retry)" >&2
      echo "$name $version: build failed (see $dir/build.log)" >>"$unavailable"
      rm -f "$bin/$name"
      continue
    fi
    echo "peers: building $name $version ($pkg)" >&2
    started=$(date +%s)
    if ! build "$name" "$pkg" "$version" "$dir"; then
      echo "$recipe" >"$dir/failed"
      echo "peers: $name $version could not be built (see $dir/build.log)" >&2
      echo "$name $version: build failed (see $dir/build.log)" >>"$unavailable"
      rm -f "$exe" "$bin/$name"
      continue
    fi
    rm -f "$dir/failed"
    echo "peers: built $name $version in $(($(date +%s) - started))s" >&2
  fi
  # A binary that does not run is as good as none (wrong arch, truncated by an interrupted build).
  # shellcheck disable=SC2086
  if ! HOME="$dir" timeout 30 "$exe" $vargs >"$dir/version.txt" 2>&1; then
    echo "peers: $name $version is built but '$vargs' fails (see $dir/version.txt)" >&2
    echo "$name $version: does not run (see $dir/version.txt)" >>"$unavailable"
    rm -f "$bin/$name"
    continue
  fi
  ln -sfn "$exe" "$bin/$name"
done
for entry in "${peers[@]}"; do
  n=${entry%%|*}
  [ -x "$bin/$n" ] || grep -q "^$n " "$unavailable" || echo "$n: not built" >>"$unavailable"
done
exit 0
