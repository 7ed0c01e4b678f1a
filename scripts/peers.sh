#!/usr/bin/env bash
# Builds the pinned peer tools (oras, cosign v2 and v3, notation, distribution v3) from the Go module
# proxy into a versioned cache outside the clone, and links them from .peers/bin. Idempotent: a peer
# already in the cache is only linked, so CI in a fresh clone does not rebuild cosign every time.
# Peers that cannot be built are listed in .peers/unavailable (printed by .ci/run).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${OCX_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ocx-peers}
bin="$root/.peers/bin"
mkdir -p "$bin" "$cache"
: >"$root/.peers/unavailable"

# name | go package | version (pinned exactly; see README "Peers")
peers=(
  "oras|oras.land/oras/cmd/oras|v1.3.6"
  "cosign2|github.com/sigstore/cosign/v2/cmd/cosign|v2.6.5"
  "cosign3|github.com/sigstore/cosign/v3/cmd/cosign|v3.1.3"
  "notation|github.com/notaryproject/notation/cmd/notation|v1.3.2"
  "registry3|github.com/distribution/distribution/v3/cmd/registry|v3.1.2"
)

only=("$@")
for entry in "${peers[@]}"; do
  IFS='|' read -r name pkg version <<<"$entry"
  if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " =~ " $name " ]]; then continue; fi
  dir="$cache/$name-$version"
  exe="$dir/$(basename "$pkg")"
  if [ ! -x "$exe" ]; then
    echo "peers: building $name $version ($pkg)" >&2
    mkdir -p "$dir"
    ok=0
    for tc in local go1.27.3; do
      if GOBIN="$dir" GOTOOLCHAIN="$tc" GOFLAGS=-trimpath CGO_ENABLED=0 \
        go install "$pkg@$version" >"$dir/build.log" 2>&1; then ok=1; break; fi
    done
    if [ $ok = 0 ]; then
      echo "peers: $name $version could not be built (see $dir/build.log)" >&2
      echo "$name $version: build failed" >>"$root/.peers/unavailable"
      continue
    fi
  fi
  ln -sfn "$exe" "$bin/$name"
done
for n in oras cosign2 cosign3 notation registry3; do
  [ -x "$bin/$n" ] || { grep -q "^$n " "$root/.peers/unavailable" || echo "$n: not built" >>"$root/.peers/unavailable"; }
done
exit 0
