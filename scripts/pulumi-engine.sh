#!/usr/bin/env bash
# Makes a working, offline Pulumi engine available and prints ONLY its bin directory on stdout
# (progress goes to stderr). Run as `npm run engine`; use as PATH="$(npm run -s engine):$PATH".
#
# The bin directory holds:
#   pulumi                         the CLI, built from github.com/pulumi/pulumi/pkg/v3 at the version pinned in
#                                  tools/pulumi-engine/go.mod
#   pulumi-language-nodejs         our own Node.js language host (tools/pulumi-engine/cmd/pulumi-language-nodejs;
#                                  the upstream one is not served by the Go module proxy)
#   pulumi-resource-pulumi-nodejs  launcher for dynamic providers (tools/pulumi-engine/pulumi-resource-pulumi-nodejs)
# No pulumi-analyzer-policy shim: CLIs >= 3.221 start Node.js policy packs through the language host.
#
# Order of preference:
#   a. a `pulumi` on PATH with the pinned major.minor, with pulumi-language-nodejs and
#      pulumi-resource-pulumi-nodejs beside it or on PATH;
#   b. .pulumi-engine/bin/ (git-ignored) if its stamp matches the current sources;
#   c. otherwise build it there with Go (needs only Go and the Go module proxy or a filled module cache).
#
# Env: PULUMI_ENGINE_IGNORE_PATH=1 skips (a); PULUMI_ENGINE_REBUILD=1 forces (c).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mod="$repo/tools/pulumi-engine"
state="$repo/.pulumi-engine"
out="$state/bin"
launcher=pulumi-resource-pulumi-nodejs

log() { printf 'pulumi-engine: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The build recipe; part of the stamp, so changing it rebuilds.
build_tags="osusergo,grpcnotrace"
version_var="github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
cli_pkg="github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
recipe="v2 -trimpath -tags $build_tags -ldflags=-w,-s,-X,$version_var"

# Pinned engine version: the github.com/pulumi/pulumi/pkg/v3 requirement in go.mod (e.g. v3.259.0).
pinned=$(sed -nE 's#^([[:space:]]*|require[[:space:]]+)github\.com/pulumi/pulumi/pkg/v3[[:space:]]+(v[0-9][^[:space:]]*).*#\2#p' \
    "$mod/go.mod" | head -n1)
[[ -n "$pinned" ]] || die "no github.com/pulumi/pulumi/pkg/v3 requirement in $mod/go.mod"
pinned_mm=$(sed -nE 's/^v?([0-9]+\.[0-9]+)\..*/\1/p' <<<"$pinned")

# --- a. a matching engine already on PATH --------------------------------------------------------------
if [[ "${PULUMI_ENGINE_IGNORE_PATH:-}" != 1 && "${PULUMI_ENGINE_REBUILD:-}" != 1 ]] && pulumi_bin=$(command -v pulumi); then
    dir=$(cd "$(dirname "$pulumi_bin")" && pwd -P)
    # Our own build directory is never trusted from PATH: it must pass the stamp check below.
    if [[ "$dir" != "$(cd "$out" 2>/dev/null && pwd -P || true)" ]]; then
        found=$(PULUMI_SKIP_UPDATE_CHECK=true "$pulumi_bin" version 2>/dev/null | head -n1 || true)
        found_mm=$(sed -nE 's/^v?([0-9]+\.[0-9]+)\..*/\1/p' <<<"$found")
        has() { [[ -x "$dir/$1" ]] || command -v "$1" >/dev/null 2>&1; }
        # The npm SDK's minor (what the program runs) or the engine pin (what we can build) both fit.
        sdk_mm=$(sed -nE 's/.*"@pulumi\/pulumi": *"[~^]?([0-9]+\.[0-9]+)\..*/\1/p' "$repo/package.json" | tail -n1)
        if [[ -n "$found_mm" && ( "$found_mm" == "$pinned_mm" || "$found_mm" == "$sdk_mm" ) ]] &&
            has pulumi-language-nodejs && has "$launcher"; then
            log "using $pulumi_bin ($found) from PATH"
            printf '%s\n' "$dir"
            exit 0
        fi
        log "ignoring $pulumi_bin on PATH (version '${found:-unknown}', want $pinned_mm.x or ${sdk_mm:-?}.x with pulumi-language-nodejs and $launcher)"
    fi
fi

# --- b. the cached build ---------------------------------------------------------------------------------
hash_files() {
    (cd "$mod" && sha256sum "$@" | sha256sum | cut -d' ' -f1)
}
cli_hash() { { printf '%s %s\n' "$recipe" "$pinned"; hash_files go.mod go.sum; } | sha256sum | cut -d' ' -f1; }
all_hash() {
    local sources
    sources=$(cd "$mod" && find cmd -type f -name '*.go' | LC_ALL=C sort)
    # shellcheck disable=SC2086 # file names come from our own tree and have no spaces
    { cli_hash; hash_files $sources "$launcher"; } | sha256sum | cut -d' ' -f1
}
stamp_value() { [[ -f "$out/.stamp" ]] && sed -nE "s/^$1 //p" "$out/.stamp" || true; }
cache_ok() {
    [[ -x "$out/pulumi" && -x "$out/pulumi-language-nodejs" && -x "$out/$launcher" ]] &&
        [[ "$(stamp_value all)" == "$(all_hash)" ]]
}

if [[ "${PULUMI_ENGINE_REBUILD:-}" != 1 ]] && cache_ok; then
    log "using cached build in $out ($pinned)"
    printf '%s\n' "$out"
    exit 0
fi

# --- c. build ----------------------------------------------------------------------------------------------
command -v go >/dev/null 2>&1 || die "Go is required to build the Pulumi engine (go.mod: $mod/go.mod)"
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

export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod -buildvcs=false"
ldflags="-w -s -X $version_var=$pinned"
tmp=$(mktemp -d "$state/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS

want_cli=$(cli_hash)
want_all=$(all_hash) # before building, so edits made during the build invalidate the stamp
if [[ "${PULUMI_ENGINE_REBUILD:-}" != 1 && -x "$out/pulumi" ]] &&
    { [[ "$(stamp_value cli)" == "$want_cli" ]] ||
        { [[ ! -f "$out/.stamp" ]] && [[ "$(PULUMI_SKIP_UPDATE_CHECK=true "$out/pulumi" version 2>/dev/null)" == "$pinned" ]]; }; }; then
    # Either built by this script from the same go.mod/go.sum, or built outside it (no stamp yet) and
    # reporting exactly the pinned version: keep it.
    log "keeping existing $out/pulumi ($pinned)"
    built=(pulumi-language-nodejs "$launcher")
    cli="$out/pulumi"
else
    built=(pulumi pulumi-language-nodejs "$launcher")
    cli="$tmp/pulumi"
    log "building pulumi $pinned from Go modules (this takes several minutes on a cold cache)..."
    t=$SECONDS
    (cd "$mod" && go build -trimpath -tags "$build_tags" -ldflags "$ldflags" -o "$tmp/pulumi" "$cli_pkg") >&2
    log "built pulumi in $((SECONDS - t))s"
fi

t=$SECONDS
(cd "$mod" && go build -trimpath -ldflags "$ldflags" -o "$tmp/pulumi-language-nodejs" ./cmd/pulumi-language-nodejs) >&2
log "built pulumi-language-nodejs in $((SECONDS - t))s"
install -m 0755 "$mod/$launcher" "$tmp/$launcher"

got=$(PULUMI_SKIP_UPDATE_CHECK=true "$cli" version 2>/dev/null || true)
[[ "$got" == "$pinned" ]] || die "built pulumi reports version '$got', expected $pinned"

rm -f "$out/.stamp"
for f in "${built[@]}"; do
    mv -f "$tmp/$f" "$out/$f"
done
printf 'cli %s\nall %s\n' "$want_cli" "$want_all" >"$out/.stamp"
log "engine ready in $out (build took $((SECONDS - start))s)"
printf '%s\n' "$out"
