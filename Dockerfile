# iofold: one container with the web app, its in-process worker, and the eval jail (nsjail; bwrap as fallback).
#
# Stages:
#   nsjail-build  compiles nsjail (pinned tag, with its kafel submodule) from GitHub.
#   deps          Bun from npm (via Debian's npm) + the app's production node_modules.
#   app           the runtime WITHOUT nsjail: Bun, python3 (stdlib precompiled), bwrap + setpriv +
#                 python3-seccomp (the bwrap backend), tini, the app. Non-root user `iofold`.
#   runtime       (default) app + nsjail and its runtime libraries. Runs as root: see "Privileges" below.
#
#   docker build -t iofold .                  # full image (needs github.com for nsjail)
#   docker build --target app -t iofold:app . # no nsjail: evals use bwrap (or refuse without user namespaces)
#
# Privileges. Eval code never runs as the app's user: it runs as uid 65534 in fresh user/pid/net/mount/ipc/uts
# namespaces under a seccomp filter (sandbox/). Creating those namespaces from inside a container needs
#   nsjail: root in the container (its uid map targets 65534, and it creates memory/pids cgroups under
#           /sys/fs/cgroup) and `--privileged`. The narrower `--cap-add SYS_ADMIN --security-opt
#           seccomp=unconfined --security-opt apparmor=unconfined` that snekbox and kCTF mention leaves
#           /sys/fs/cgroup read-only, so sandbox/nsjail.cfg's cgroup limits cannot be set up there.
#   bwrap:  no root and no capability (it is started as, or dropped to, an unprivileged uid), but unprivileged
#           user namespaces plus sethostname, which the default seccomp profile refuses, and a writable
#           /proc/sys (its --disable-userns writes user.max_user_namespaces), which runtimes mount read-only:
#           `--security-opt seccomp=unconfined --security-opt systempaths=unconfined` (measured with podman;
#           on Ubuntu 24.04 hosts AppArmor's userns restriction also applies: apparmor=unconfined).
# Hence: `runtime` keeps USER root (nsjail with cgroup limits is the production jail), `app` runs as `iofold`.
# To run the full image non-root, pass `--user iofold -e SANDBOX=bwrap` with the two bwrap options above
# (rlimits only, no cgroup memory/pids limits) and a /data volume owned by uid 10001.
#
# HEALTHCHECK is Docker-format metadata: with podman/buildah build with `--format docker`, or it is dropped.
#
# Behind a TLS-intercepting proxy, give the builder stages its CA (PEM; a single CA or a whole bundle):
#   docker build --secret id=build_ca,src=/path/to/proxy-ca.crt .
# It is mounted only into the RUN steps that fetch (git clone, npm, bun install) and never reaches the image.

ARG DEBIAN_IMAGE=docker.io/library/debian:bookworm-slim

############################################################################################################
# nsjail from source. 3.6 is the release the sandbox was measured with (sandbox/nsjail.cfg uses
# detect_cgroupv2 and cgroup_mem_swap_max). Override with --build-arg NSJAIL_VERSION=<tag>.
FROM ${DEBIAN_IMAGE} AS nsjail-build
ARG DEBIAN_FRONTEND=noninteractive
ARG NSJAIL_VERSION=3.6
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      git ca-certificates make g++ pkg-config flex bison libprotobuf-dev libnl-route-3-dev protobuf-compiler \
 && rm -rf /var/lib/apt/lists/*
RUN --mount=type=secret,id=build_ca \
    if [ -s /run/secrets/build_ca ]; then \
      cat /etc/ssl/certs/ca-certificates.crt /run/secrets/build_ca > /tmp/build-ca.pem; \
      export GIT_SSL_CAINFO=/tmp/build-ca.pem; \
    fi \
 && git clone --depth 1 --branch "${NSJAIL_VERSION}" --recurse-submodules --shallow-submodules \
      https://github.com/google/nsjail.git /src/nsjail
WORKDIR /src/nsjail
RUN make -j"$(nproc)" \
 && strip nsjail \
 && install -D -m 0755 nsjail /out/nsjail

############################################################################################################
# Bun and the production dependencies. Debian's npm only delivers Bun's binary (the npm `bun` package
# carries it in @oven/bun-linux-*), then Bun installs the app's dependencies from bun.lock.
FROM ${DEBIAN_IMAGE} AS deps
ARG DEBIAN_FRONTEND=noninteractive
ARG BUN_VERSION=1.4.5
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# The package's postinstall links bin/bun.exe to the platform binary (AVX2 or baseline build as the CPU needs);
# if it did not run, take the binary straight from the platform package.
RUN --mount=type=secret,id=build_ca \
    if [ -s /run/secrets/build_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/build_ca; fi \
 && npm install --global --no-audit --no-fund --loglevel=warn "bun@${BUN_VERSION}" \
 && root="$(npm root --global)/bun" \
 && if "$root/bin/bun.exe" --version >/dev/null 2>&1; then bin="$root/bin/bun.exe"; \
    else bin="$(find "$root/node_modules/@oven" -path '*/bun-linux-*/bin/bun' ! -path '*musl*' -type f | head -n1)"; fi \
 && install -D -m 0755 "$bin" /out/bun \
 && test "$(/out/bun --version)" = "${BUN_VERSION}"
WORKDIR /app
COPY package.json bun.lock ./
# --production: no check/test tooling. --ignore-scripts: the root postinstall needs the app's sources and
# runs in the app stage (`bun run postinstall`), so this layer stays cached until bun.lock changes.
# typescript, bun-types and @types/* come in as peers of runtime packages but are only types: dropped.
RUN --mount=type=secret,id=build_ca \
    if [ -s /run/secrets/build_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/build_ca; fi \
 && /out/bun install --frozen-lockfile --production --ignore-scripts \
 && rm -rf node_modules/typescript node_modules/bun-types node_modules/@types

############################################################################################################
# The runtime without nsjail. Everything here is built and smoke-tested by test/container/build-and-smoke.sh.
FROM ${DEBIAN_IMAGE} AS app
ARG DEBIAN_FRONTEND=noninteractive
# python3: the jailed interpreter (/usr/bin/python3). The jail mounts its stdlib read-only and runs
#   `python3 -I -S -B`, so the stdlib's bytecode is compiled here, once.
# bubblewrap + util-linux (setpriv) + python3-seccomp (compiles the seccomp BPF): the bwrap backend.
# tini: PID 1 reaps the zombie each bwrap run leaves behind and forwards SIGTERM to Bun.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      python3 python3-seccomp bubblewrap util-linux tini ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')" \
 && python3 -m compileall -q -x '/(test|tests|idle_test)/' "$stdlib" \
 && command -v setpriv bwrap tini >/dev/null
COPY --from=deps /out/bun /usr/local/bin/bun
# The app's own user; the code below stays root-owned and read-only to it. /data holds PGlite and the
# generated secrets (when SESSION_SECRET / ENCRYPTION_KEY are not set).
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/iofold --shell /usr/sbin/nologin iofold \
 && install -d -o iofold -g iofold -m 0750 /data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY migrations ./migrations
COPY sandbox ./sandbox
COPY public ./public
COPY views ./views
COPY src ./src
# The package's postinstall, now that its inputs are here: htmx into public/vendor, and the migrated PGlite
# template (under node_modules/.cache) that a fresh /data starts from. It must exist in the image: the app's
# user cannot write node_modules at run time.
RUN bun run postinstall \
 && test -s public/vendor/htmx.min.js && test -s public/vendor/hx-sse.js
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 3000
USER iofold
# Readiness: the database answers and migrations are applied. Bun does the request, so no curl is needed.
# It asks 127.0.0.1:$PORT: set HOST to 0.0.0.0 or 127.0.0.1 (the default here), not another single address.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bun", "-e", "const r = await fetch(`http://127.0.0.1:${process.env.PORT || 3000}/readyz`).catch(() => null); process.exit(r?.ok ? 0 : 1)"]
# -s: still reap orphans when something else is PID 1 (docker run --init, podman --init).
ENTRYPOINT ["/usr/bin/tini", "-s", "--"]
CMD ["bun", "src/main.ts"]

############################################################################################################
# The production image: app + nsjail (SANDBOX=auto picks it when it is on PATH).
FROM app AS runtime
# Root, for nsjail (see "Privileges" above). The eval code still runs as uid 65534 inside the jail.
USER root
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends libprotobuf32 libnl-route-3-200 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=nsjail-build /out/nsjail /usr/local/bin/nsjail
RUN if ldd /usr/local/bin/nsjail | grep 'not found'; then exit 1; fi
