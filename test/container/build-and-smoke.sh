#!/usr/bin/env bash
# Builds the iofold image with podman (no Docker engine, no registry) and smoke-tests it. By hand only: not CI.
#
# Usage (as root, from anywhere):
#   test/container/build-and-smoke.sh [base|build|run|smoke|jail|stub|clean|all]...   (default: all)
#
#   base   debootstrap a Debian bookworm minbase, make it look like debian:bookworm-slim (dpkg excludes
#          docs/man/locales, apt keeps no lists), `podman import` it as docker.io/library/debian:bookworm-slim.
#          Skipped when that image already exists (FORCE_BASE=1 rebuilds it).
#   build  podman build --isolation=chroot --format docker --target app (TARGET=runtime for the full image:
#          its nsjail stage clones GitHub, which is unreachable on the machines this was written on).
#   run    start the container (detached) with a fresh volume.
#   smoke  /healthz, /readyz, the setup page, podman healthcheck, POST /setup, /traces with demo data.
#   jail   does the app's sandbox (SANDBOX=auto: bwrap in the app image) run an eval in a container started
#          with the default options, seccomp=unconfined, seccomp+systempaths=unconfined, --privileged (as the
#          image user and as root)? Reports only; never fails the script.
#   stub   TARGET=runtime with nsjail's git clone + make replaced by a stub binary (for hosts without GitHub);
#          then e.g. `IMAGE=iofold:runtime-stub PORT=3301 NAME=iofold-stub $0 run smoke` tests it.
#   clean  remove the containers and the volume (the images stay).
#
# Environment: IMAGE (iofold:app), TARGET (app), PORT (3300, host side), NAME (iofold-smoke),
#              MIRROR (http://deb.debian.org/debian), ROOTFS (/var/tmp/iofold-bookworm-rootfs),
#              BUILD_CA (/etc/ssl/certs/ca-certificates.crt: the Dockerfile's build_ca secret; empty = none).
#
# Facts this relies on (see /work/shared/notes/container-facts.md): crun refuses this host's hybrid cgroups,
# hence --isolation=chroot for builds and --runtime runc --cgroup-manager=cgroupfs plus explicit ulimits
# for runs. HEALTHCHECK is kept only in the docker image format, hence --format docker.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
IMAGE="${IMAGE:-iofold:app}"
TARGET="${TARGET:-app}"
PORT="${PORT:-3300}"
NAME="${NAME:-iofold-smoke}"
VOLUME="${VOLUME:-${NAME}-data}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
ROOTFS="${ROOTFS:-/var/tmp/iofold-bookworm-rootfs}"
BUILD_CA="${BUILD_CA-/etc/ssl/certs/ca-certificates.crt}"
BASE_TAG="docker.io/library/debian:bookworm-slim"
RUN_FLAGS=(--runtime runc --cgroup-manager=cgroupfs --ulimit nofile=1024:1024 --ulimit nproc=1000:1000)
BASE_URL="http://127.0.0.1:${PORT}"

log() { printf '\n== %s\n' "$*" >&2; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

need_tools() {
  local missing=()
  for tool in podman runc debootstrap curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap podman runc curl
  fi
}

phase_base() {
  if [[ -z "${FORCE_BASE:-}" ]] && podman image exists "$BASE_TAG"; then
    log "base image $BASE_TAG already exists (FORCE_BASE=1 to rebuild)"
    return
  fi
  log "debootstrap bookworm minbase into $ROOTFS from $MIRROR"
  rm -rf "$ROOTFS"
  debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR"
  # What the official slim image does: no docs/man/locales from later installs, no apt caches kept.
  cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  cat >"$ROOTFS/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$ROOTFS/etc/apt/apt.conf.d/docker-no-languages"
  cat >"$ROOTFS/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${MIRROR%/debian}/debian-security bookworm-security main
EOF
  rm -rf "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* \
    "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
  log "podman import -> $BASE_TAG"
  tar -C "$ROOTFS" -c . | podman import --change 'CMD ["bash"]' - "$BASE_TAG"
  podman image ls "$BASE_TAG"
}

phase_build() {
  log "podman build --target $TARGET -t $IMAGE (minutes)"
  local start=$SECONDS
  local secret=()
  # The host's CA bundle as a build secret: builds behind a TLS-intercepting proxy reach npm; not in the image.
  [[ -n "$BUILD_CA" && -s "$BUILD_CA" ]] && secret=(--secret "id=build_ca,src=$BUILD_CA")
  podman build --isolation=chroot --format docker --pull=never "${secret[@]}" --target "$TARGET" -t "$IMAGE" "$REPO"
  log "built $IMAGE in $((SECONDS - start)) s"
  podman image ls "$IMAGE"
}

phase_run() {
  podman rm -f "$NAME" >/dev/null 2>&1 || true
  podman volume exists "$VOLUME" && podman volume rm -f "$VOLUME" >/dev/null
  log "podman run $IMAGE as $NAME on port $PORT"
  podman run -d --name "$NAME" "${RUN_FLAGS[@]}" -p "127.0.0.1:${PORT}:3000" -v "$VOLUME:/data" "$IMAGE"
  local i
  for i in $(seq 1 60); do
    curl -fsS -o /dev/null "$BASE_URL/readyz" 2>/dev/null && { log "ready after ~$((i / 2)) s"; return; }
    sleep 0.5
  done
  podman logs "$NAME" >&2 || true
  fail "container did not become ready on $BASE_URL"
}

expect_code() { # expect_code CODE METHOD PATH [curl args...]
  local want="$1" method="$2" path="$3"; shift 3
  local got
  got="$(curl -sS -o /tmp/iofold-smoke-body -w '%{http_code}' -X "$method" "$@" "$BASE_URL$path")"
  printf '%-6s %-8s -> %s\n' "$method" "$path" "$got" >&2
  [[ "$got" == "$want" ]] || { head -c 600 /tmp/iofold-smoke-body >&2; fail "$method $path: want $want, got $got"; }
}

phase_smoke() {
  log "smoke test against $BASE_URL"
  expect_code 200 GET /healthz
  expect_code 200 GET /readyz
  grep -q '"ready"' /tmp/iofold-smoke-body || fail "/readyz body: $(cat /tmp/iofold-smoke-body)"
  expect_code 303 GET /
  expect_code 200 GET /setup
  grep -qi '<form' /tmp/iofold-smoke-body || fail "/setup has no form"
  expect_code 200 GET /public/vendor/htmx.min.js

  log "podman healthcheck run"
  podman healthcheck run "$NAME" || fail "healthcheck failed"
  podman inspect "$NAME" --format 'health: {{.State.Health.Status}}' 2>/dev/null ||
    podman inspect "$NAME" --format 'health: {{.State.Healthcheck.Status}}'

  log "first user via POST /setup (demo data on)"
  local jar; jar="$(mktemp)"
  expect_code 303 POST /setup -c "$jar" \
    --data-urlencode name=Smoke --data-urlencode email=smoke@example.com \
    --data-urlencode password=correct-horse-battery --data-urlencode workspace=Smoke
  expect_code 200 GET /traces -b "$jar"
  local rows
  rows="$(grep -o 'href="/traces/[^"]*"' /tmp/iofold-smoke-body | sort -u | wc -l)"
  echo "trace links on /traces: $rows" >&2
  ((rows > 0)) || fail "/traces shows no demo traces"
  rm -f "$jar"

  log "inside the container"
  podman exec "$NAME" sh -c 'id; for p in /proc/[0-9]*; do printf "%s %s\n" "${p#/proc/}" "$(tr "\0" " " <"$p/cmdline")"; done; ls -ld /data /data/*'
  podman logs "$NAME" 2>&1 | tail -n 15 >&2
  log "smoke test passed"
}

# One eval over two traces through the app's own sandbox code (SANDBOX=auto): prints which backend ran
# and the result lines, or the app's refusal message.
JAIL_PROBE='mkdir -p /tmp/probe && cd /tmp/probe
printf "%s\n" "import socket" "def evaluate(trace):" "    try:" "        socket.socket()" "        return (False, \"network allowed\")" \
  "    except OSError as e:" "        return (bool(trace.get(\"name\")), \"socket refused: %s\" % e)" > eval.py
printf "%s\n" "{\"id\":\"t1\",\"name\":\"a\"}" "{\"id\":\"t2\",\"name\":\"\"}" > traces.jsonl
cd /app && id && bun -e "import { evalRunCommand } from \"/app/src/sandbox/index.ts\"; process.exit(await evalRunCommand([\"/tmp/probe/eval.py\", \"/tmp/probe/traces.jsonl\", \"--skip-static-check\"]))"'

jail_probe() { # jail_probe LABEL [podman run flags...]
  local label="$1"; shift
  log "jail probe: $label"
  if podman run --rm "${RUN_FLAGS[@]}" "$@" --entrypoint sh "$IMAGE" -c "$JAIL_PROBE"; then
    echo "RESULT[$label]: jail ran the eval" >&2
  else
    echo "RESULT[$label]: no jail (exit $?)" >&2
  fi
}

phase_jail() {
  jail_probe "default (user iofold)"
  jail_probe "seccomp=unconfined (user iofold)" --security-opt seccomp=unconfined
  jail_probe "seccomp+systempaths=unconfined (user iofold)" --security-opt seccomp=unconfined --security-opt systempaths=unconfined
  jail_probe "--privileged (user iofold)" --privileged
  jail_probe "--privileged (root)" --privileged --user 0
}

# The full image (TARGET=runtime) with nsjail's source replaced by a stub: where github.com is unreachable this
# still checks nsjail's build dependencies, its runtime libraries (the stub links libprotobuf and libnl-route-3,
# and the Dockerfile's ldd check runs on it), and the runtime stage (root, nsjail on PATH, health check).
phase_stub() {
  local dockerfile stub
  dockerfile="$(mktemp /tmp/iofold-Dockerfile.stub.XXXXXX)"
  stub="$(mktemp /tmp/iofold-nsjail-stub.XXXXXX)"
  cat >"$stub" <<'STUB'
RUN mkdir -p /out \
 && printf '%s\n' '#include <google/protobuf/stubs/common.h>' '#include <netlink/route/link.h>' '#include <cstdio>' \
      'int main() { std::puts("nsjail STUB"); return rtnl_link_alloc() ? 1 : 2; }' >/tmp/stub.cc \
 && g++ -O2 $(pkg-config --cflags protobuf libnl-route-3.0) -o /out/nsjail /tmp/stub.cc \
      -Wl,--no-as-needed $(pkg-config --libs protobuf libnl-route-3.0)

STUB
  # Keep the stage's apt line (the real build dependencies); replace its git clone + make with the stub.
  awk -v stub="$stub" '
    /^FROM .* AS nsjail-build/ { in_stage = 1 }
    in_stage && /^RUN --mount=type=secret,id=build_ca/ { skipping = 1 }
    skipping && /^####/ { while ((getline line < stub) > 0) print line; skipping = 0; in_stage = 0 }
    !skipping { print }
  ' "$REPO/Dockerfile" >"$dockerfile"
  rm -f "$stub"
  grep -q "nsjail STUB" "$dockerfile" || fail "could not stub the nsjail stage"
  log "TARGET=runtime with a stub nsjail ($dockerfile)"
  local secret=() start=$SECONDS
  [[ -n "$BUILD_CA" && -s "$BUILD_CA" ]] && secret=(--secret "id=build_ca,src=$BUILD_CA")
  podman build --isolation=chroot --format docker --pull=never "${secret[@]}" -f "$dockerfile" -t iofold:runtime-stub "$REPO"
  log "built iofold:runtime-stub in $((SECONDS - start)) s"
  rm -f "$dockerfile"
  podman run --rm "${RUN_FLAGS[@]}" --entrypoint sh iofold:runtime-stub -c \
    'id; command -v nsjail; ldd "$(command -v nsjail)" | grep -E "protobuf|nl-route"; nsjail; echo "stub exit $?"; cd /app && bun -e "import { describeSandbox } from \"/app/src/sandbox/index.ts\"; console.log(describeSandbox())"'
}

phase_clean() {
  podman rm -f "$NAME" "${NAME}-priv" >/dev/null 2>&1 || true
  podman volume rm -f "$VOLUME" >/dev/null 2>&1 || true
  log "removed containers and volume"
}

[[ $(id -u) == 0 ]] || fail "run as root (podman with runc/cgroupfs as root is what was measured)"
need_tools
phases=("$@")
((${#phases[@]})) || phases=(all)
for phase in "${phases[@]}"; do
  case "$phase" in
    all) phase_base; phase_build; phase_run; phase_smoke; phase_jail ;;
    base | build | run | smoke | jail | stub | clean) "phase_$phase" ;;
    *) fail "unknown phase: $phase" ;;
  esac
done
