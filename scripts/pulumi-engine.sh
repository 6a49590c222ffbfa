#!/usr/bin/env bash
# Makes a working, offline Pulumi engine available and prints ONLY its bin directory on stdout
# (progress goes to stderr). Run as `npm run engine`; use as PATH="$(npm run -s engine):$PATH".
#
# The bin directory holds:
#   pulumi                         the CLI, built from github.com/pulumi/pulumi/pkg/v3 at the version pinned in
#                                  tools/pulumi-engine/go.mod
#   pulumi-language-nodejs         the upstream Node.js language host, built from its source snapshot (not served by
#                                  the Go module proxy; see tools/pulumi-engine/README.md) in a scratch directory,
#                                  with tools/pulumi-engine/language-host/ (go.mod, go.sum, one compat file) beside it
#   pulumi-resource-pulumi-nodejs  the upstream launcher for dynamic providers, from the same snapshot
#
# Order of preference:
#   a. a `pulumi` on PATH with the pinned major.minor, with pulumi-language-nodejs and
#      pulumi-resource-pulumi-nodejs beside it or on PATH;
#   b. .pulumi-engine/bin/ (git-ignored) if its stamp matches the current inputs;
#   c. otherwise build it there with Go (needs Go, the Go module proxy or a filled module cache, and the
#      language host snapshot).
#
# Env: PULUMI_ENGINE_IGNORE_PATH=1 skips (a); PULUMI_ENGINE_REBUILD=1 forces (c);
#      PULUMI_LANGUAGE_HOST_SRC=<dir> points at the language host snapshot (default below).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mod="$repo/tools/pulumi-engine"
host_mod="$mod/language-host"
state="$repo/.pulumi-engine"
out="$state/bin"
launcher=pulumi-resource-pulumi-nodejs
host_version=v3.259.0 # the tag of the language host snapshot
host_src="${PULUMI_LANGUAGE_HOST_SRC:-$repo/../shared/upstream/pulumi-language-nodejs-$host_version}"

log() { printf 'pulumi-engine: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The build recipe; part of the stamp, so changing it rebuilds.
build_tags="osusergo,grpcnotrace"
version_var="github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
cli_pkg="github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
recipe="v3 -trimpath -tags $build_tags -ldflags=-w,-s,-X,$version_var host=$host_version"

# Pinned engine version: the github.com/pulumi/pulumi/pkg/v3 requirement in a go.mod (e.g. v3.276.0).
required_pkg() {
    sed -nE 's#^([[:space:]]*|require[[:space:]]+)github\.com/pulumi/pulumi/pkg/v3[[:space:]]+(v[0-9][^[:space:]]*).*#\2#p' "$1" | head -n1
}
pinned=$(required_pkg "$mod/go.mod")
[[ -n "$pinned" ]] || die "no github.com/pulumi/pulumi/pkg/v3 requirement in $mod/go.mod"
[[ "$(required_pkg "$host_mod/go.mod")" == "$pinned" ]] ||
    die "$host_mod/go.mod must require github.com/pulumi/pulumi/pkg/v3 $pinned like $mod/go.mod"
pinned_mm=$(sed -nE 's/^v?([0-9]+\.[0-9]+)\..*/\1/p' <<<"$pinned")

# --- a. a matching engine already on PATH --------------------------------------------------------------
if [[ "${PULUMI_ENGINE_IGNORE_PATH:-}" != 1 && "${PULUMI_ENGINE_REBUILD:-}" != 1 ]] && pulumi_bin=$(command -v pulumi); then
    dir=$(cd "$(dirname "$pulumi_bin")" && pwd -P)
    # Our own build directory is never trusted from PATH: it must pass the stamp check below.
    if [[ "$dir" != "$(cd "$out" 2>/dev/null && pwd -P || true)" ]]; then
        found=$(PULUMI_SKIP_UPDATE_CHECK=true "$pulumi_bin" version 2>/dev/null | head -n1 || true)
        found_mm=$(sed -nE 's/^v?([0-9]+\.[0-9]+)\..*/\1/p' <<<"$found")
        has() { [[ -x "$dir/$1" ]] || command -v "$1" >/dev/null 2>&1; }
        if [[ "$found_mm" == "$pinned_mm" ]] && has pulumi-language-nodejs && has "$launcher"; then
            log "using $pulumi_bin ($found) from PATH"
            printf '%s\n' "$dir"
            exit 0
        fi
        log "ignoring $pulumi_bin on PATH (version '${found:-unknown}', want $pinned_mm.x with pulumi-language-nodejs and $launcher)"
    fi
fi

# --- b. the cached build ---------------------------------------------------------------------------------
# Upstream host sources that go into the build: every non-test .go file, the launcher and the LICENSE.
host_files() { (cd "$host_src" && find . -maxdepth 1 -type f \( -name '*.go' ! -name '*_test.go' -o -name "$launcher" -o -name LICENSE \) | LC_ALL=C sort); }
hash_files() { # hash_files DIR FILE...
    local dir=$1
    shift
    (cd "$dir" && sha256sum "$@" | sha256sum | cut -d' ' -f1)
}
cli_hash() { { printf '%s %s\n' "$recipe" "$pinned"; hash_files "$mod" go.mod go.sum; } | sha256sum | cut -d' ' -f1; }
all_hash() {
    # shellcheck disable=SC2046 # upstream file names have no spaces
    { cli_hash; hash_files "$host_mod" go.mod go.sum exists_resource.go; hash_files "$host_src" $(host_files); } |
        sha256sum | cut -d' ' -f1
}
stamp_value() { [[ -f "$out/.stamp" ]] && sed -nE "s/^$1 //p" "$out/.stamp" || true; }
cache_ok() {
    [[ -x "$out/pulumi" && -x "$out/pulumi-language-nodejs" && -x "$out/$launcher" && -f "$host_src/main.go" ]] &&
        [[ "$(stamp_value all)" == "$(all_hash)" ]]
}

if [[ "${PULUMI_ENGINE_REBUILD:-}" != 1 ]] && cache_ok; then
    log "using cached build in $out ($pinned)"
    printf '%s\n' "$out"
    exit 0
fi

# --- c. build ----------------------------------------------------------------------------------------------
[[ -f "$host_src/main.go" && -f "$host_src/$launcher" ]] ||
    die "no pulumi-language-nodejs $host_version source snapshot in $host_src (set PULUMI_LANGUAGE_HOST_SRC), and no
  pulumi $pinned_mm.x with pulumi-language-nodejs and $launcher on PATH: install Pulumi $pinned_mm.x or provide the snapshot"
command -v go >/dev/null 2>&1 ||
    die "Go is required to build the Pulumi engine (go.mod: $mod/go.mod), or put pulumi $pinned_mm.x with its language host on PATH"
mkdir -p "$out"

# One build at a time; a concurrent caller waits and then reuses the result.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$state/.lock"
    flock 9
    if [[ "${PULUMI_ENGINE_REBUILD:-}" != 1 ]] && cache_ok; then
        log "using build in $out finished by another run ($pinned)"
        printf '%s\n' "$out"
        exit 0
    fi
fi

# The committed go.mod/go.sum files are the truth: no `go mod tidy` at build time, no silent go.sum edits.
export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly -buildvcs=false"
tmp=$(mktemp -d "$state/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS

want_cli=$(cli_hash)
want_all=$(all_hash) # before building, so edits made during the build invalidate the stamp
if [[ "${PULUMI_ENGINE_REBUILD:-}" != 1 && -x "$out/pulumi" && "$(stamp_value cli)" == "$want_cli" ]]; then
    log "keeping existing $out/pulumi ($pinned)"
    built=(pulumi-language-nodejs "$launcher")
    cli="$out/pulumi"
else
    built=(pulumi pulumi-language-nodejs "$launcher")
    cli="$tmp/pulumi"
    log "building pulumi $pinned from Go modules (this takes several minutes on a cold cache)..."
    t=$SECONDS
    (cd "$mod" && go build -trimpath -tags "$build_tags" -ldflags "-w -s -X $version_var=$pinned" -o "$tmp/pulumi" "$cli_pkg") >&2
    log "built pulumi in $((SECONDS - t))s"
fi

# The language host: upstream sources plus our go.mod/go.sum and compat file, in a scratch directory.
t=$SECONDS
scratch="$tmp/language-host-src"
mkdir -p "$scratch"
# shellcheck disable=SC2046
(cd "$host_src" && cp $(host_files) "$scratch/")
cp "$host_mod/go.mod" "$host_mod/go.sum" "$host_mod/exists_resource.go" "$scratch/"
chmod -R u+w "$scratch"
log "building pulumi-language-nodejs $host_version (upstream source, against sdk $pinned)..."
(cd "$scratch" && go build -trimpath -ldflags "-w -s -X $version_var=$host_version" -o "$tmp/pulumi-language-nodejs" .) >&2
log "built pulumi-language-nodejs in $((SECONDS - t))s"
rm -rf "$scratch"
install -m 0755 "$host_src/$launcher" "$tmp/$launcher"

got=$(PULUMI_SKIP_UPDATE_CHECK=true "$cli" version 2>/dev/null || true)
[[ "$got" == "$pinned" ]] || die "built pulumi reports version '$got', expected $pinned"

rm -f "$out/.stamp"
for f in "${built[@]}"; do
    mv -f "$tmp/$f" "$out/$f"
done
printf 'cli %s\nall %s\n' "$want_cli" "$want_all" >"$out/.stamp"
log "engine ready in $out (build took $((SECONDS - start))s)"
printf '%s\n' "$out"
