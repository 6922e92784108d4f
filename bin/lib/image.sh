# shellcheck shell=bash
# Sourced by bin/lib/image-steps and bin/image-check: the container image handled as files, without a Docker daemon.
# Needs bash, GNU tar, jq, curl; image_base also jlink (JAVA_HOME, JDK 25+) and apt-get/dpkg-deb (Debian or
# Ubuntu); image_start needs root (a private mount namespace and chroot stand in for a container runtime).

# What the base image's Java runtime holds, jlinked from the build's JDK: Java SE (the libraries use java.sql,
# java.naming, java.management, java.beans from java.desktop, java.xml ...) plus what they and operators reach
# beyond it (sun.misc.Unsafe, com.sun.management, JFR recordings, DNS, zip file systems, GSSAPI for PostgreSQL).
IMAGE_JAVA_MODULES=java.se,jdk.unsupported,jdk.management,jdk.jfr,jdk.net,jdk.naming.dns,jdk.zipfs,jdk.charsets,jdk.security.auth,jdk.security.jgss
IMAGE_JAVA_HOME=/opt/java/openjdk
# distroless's "nonroot": numeric, so Kubernetes can check runAsNonRoot.
IMAGE_UID=65532
# Extra environment for image_start (e.g. SERVER_PORT=...).
IMAGE_ENV=()

# image_base OUT_DIR: writes OUT_DIR/base.tar, a one-layer image in `docker save` format that Jib reads as
# tar://OUT_DIR/base.tar. The layer is Debian's libc6 package (the runtime's only native dependency), a Java runtime
# jlinked from JAVA_HOME at /opt/java/openjdk with its default CDS archive, /etc/passwd with root and nonroot, a
# world-writable /tmp and /data owned by nonroot. No shell, no package manager.
image_base() {
  local out=$1 jre stamp major
  major=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  if [ "${major:-0}" -lt 25 ]; then
    echo "The image's Java runtime is jlinked from the build JDK, which must be 25 or newer (the image ships a JDK 25" \
         "AOT cache); JAVA_HOME=$JAVA_HOME is $major." >&2
    return 1
  fi
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  jre="$out/jre"
  # jlink takes a while: reuse the runtime while the JDK and the module list are the same.
  stamp="$("$JAVA_HOME/bin/java" -version 2>&1 | tr '\n' ' ') $IMAGE_JAVA_MODULES"
  if [ ! -x "$jre/bin/java" ] || [ "$(cat "$out/jre.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$jre"
    "$JAVA_HOME/bin/jlink" --add-modules "$IMAGE_JAVA_MODULES" --strip-debug --no-man-pages --no-header-files \
      --generate-cds-archive --output "$jre" >/dev/null
    echo "$stamp" >"$out/jre.stamp"
  fi
  local debs deb
  debs=("$out"/libc6_*.deb)
  if [ ! -f "${debs[0]}" ]; then
    # Debian's package as published (not the host's installed files); its version is recorded in the image.
    # A fresh machine may have no package lists yet: then (as root) update them and try again.
    image_fetch_libc6 "$out" || { [ "$(id -u)" = 0 ] && apt-get update -q >/dev/null && image_fetch_libc6 "$out"; } \
      || { echo "apt-get download libc6 failed (the base is built from Debian packages)" >&2; return 1; }
    debs=("$out"/libc6_*.deb)
  fi
  deb=${debs[0]}

  local root="$out/rootfs"
  rm -rf "$root" && mkdir -p "$root"
  dpkg-deb -x "$deb" "$root"
  mkdir -p "$root/opt/java" "$root/etc" "$root/tmp" "$root/data" "$root/home/nonroot" "$root/proc" "$root/dev"
  cp -a "$jre" "$root$IMAGE_JAVA_HOME"
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%s:%s:nonroot:/home/nonroot:/sbin/nologin\n' \
    "$IMAGE_UID" "$IMAGE_UID" >"$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:%s:\n' "$IMAGE_UID" >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"

  # Reproducible: sorted names, fixed times, numeric owners; /data and nonroot's home belong to nonroot.
  # shellcheck disable=SC2054 # the commas belong to --pax-option
  local layer="$out/layer.tar" common=(--sort=name --mtime=@0 --numeric-owner --format=posix
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime)
  tar "${common[@]}" --owner=0 --group=0 -C "$root" -cf "$layer" etc lib lib64 opt proc dev tmp usr \
    --no-recursion home
  tar "${common[@]}" --owner="$IMAGE_UID" --group="$IMAGE_UID" -C "$root" -rf "$layer" data home/nonroot
  rm -rf "$root"

  local diff_id libc java created_by
  diff_id="sha256:$(sha256sum "$layer" | cut -d' ' -f1)"
  libc=$(basename "$deb" .deb | cut -d_ -f2)
  java=$(sed -n 's/^IMPLEMENTOR_VERSION="\(.*\)"/\1/p; s/^JAVA_RUNTIME_VERSION="\(.*\)"/\1/p' "$JAVA_HOME/release" | paste -sd' ')
  created_by="bin/lib/image-steps base: Debian libc6 $libc; Java $java runtime jlinked ($IMAGE_JAVA_MODULES)"
  jq -n --arg diff "$diff_id" --arg by "$created_by" --arg home "$IMAGE_JAVA_HOME" '{
      architecture: "amd64", os: "linux", created: "1970-01-01T00:00:00Z",
      config: {Env: ["PATH=\($home)/bin:/usr/bin:/bin", "JAVA_HOME=\($home)", "LANG=C.UTF-8"]},
      rootfs: {type: "layers", diff_ids: [$diff]},
      history: [{created: "1970-01-01T00:00:00Z", created_by: $by}]}' >"$out/config.json"
  jq -n '[{Config: "config.json", RepoTags: ["audiences-base:local"], Layers: ["layer.tar"]}]' >"$out/manifest.json"
  tar --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$out" -cf "$out/base.tar" manifest.json config.json layer.tar
  rm -f "$out/layer.tar" "$out/manifest.json" "$out/config.json"
  echo "Base image: $out/base.tar ($created_by)"
}

# image_fetch_libc6 DIR: downloads Debian's libc6 package into DIR; fails when none arrived.
image_fetch_libc6() {
  (cd "$1" || exit 1; apt-get download -q libc6 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
  local debs=("$1"/libc6_*.deb)
  [ -f "${debs[0]}" ]
}

# image_config TAR: the image's config JSON (Entrypoint, Cmd, Env, User, ExposedPorts ...).
image_config() {
  local tar=$1 config
  config=$(tar -xOf "$tar" manifest.json | jq -r '.[0].Config')
  tar -xOf "$tar" "$config"
}

# image_layers TAR: the layer files of the image, bottom first.
image_layers() {
  tar -xOf "$1" manifest.json | jq -r '.[0].Layers[]'
}

# image_layer TAR LAYER: the layer as a plain tar stream (Jib's layers are gzipped, image_base's are not).
image_layer() {
  if [ "$(tar -xOf "$1" "$2" | head -c2 | od -An -tx1 | tr -d ' \n')" = 1f8b ]; then
    tar -xOf "$1" "$2" | gzip -dc
  else
    tar -xOf "$1" "$2"
  fi
}

# image_unpack TAR DIR: the image's root file system, layers applied in order (whiteouts honoured), owners kept.
image_unpack() {
  local tar=$1 root=$2 layer
  mkdir -p "$root"
  while read -r layer; do
    image_layer "$tar" "$layer" | tar -x --same-owner --warning=no-unknown-keyword -C "$root"
    find "$root" -name '.wh.*' | while read -r wh; do
      local dir name
      dir=$(dirname "$wh") name=$(basename "$wh")
      [ "$name" = .wh..wh..opq ] || rm -rf "${dir:?}/${name#.wh.}"
      rm -f "$wh"
    done
  done < <(image_layers "$tar")
}

# image_start ROOT CONFIG_JSON LOG ARGS...: runs ARGS (default: the image's Entrypoint + Cmd) inside ROOT the way a
# container runtime would (the image's Env and User, /proc and /dev mounted, the host's network) in the
# background, output to LOG. Extra environment: IMAGE_ENV (e.g. SERVER_PORT=...). IMAGE_READ_ONLY=1 runs it as
# Kubernetes' readOnlyRootFilesystem with emptyDir volumes on /tmp and /data would: a read-only root, empty
# writable /tmp and /data. Sets IMAGE_PID (the java process itself: a SIGTERM reaches it).
image_start() {
  local root=$1 config=$2 log=$3; shift 3
  local argv=("$@") env=() user
  if [ ${#argv[@]} -eq 0 ]; then
    mapfile -t argv < <(jq -r '(.config.Entrypoint // []) + (.config.Cmd // []) | .[]' <<<"$config")
  fi
  mapfile -t env < <(jq -r '.config.Env // [] | .[]' <<<"$config")
  user=$(jq -r '.config.User // "0:0"' <<<"$config")
  [[ $user == *:* ]] || user="$user:$user"
  : >"$log"  # exists before the background job opens it: image_wait_ready reads it at once
  # shellcheck disable=SC2016 # expanded by the inner shell
  unshare --mount sh -c '
      root=$1 user=$2 read_only=$3; shift 3
      if [ "$read_only" = 1 ]; then
        mount --bind "$root" "$root" && mount -o remount,bind,ro "$root" \
          && mount -t tmpfs -o mode=1777 tmpfs "$root/tmp" \
          && mount -t tmpfs -o "mode=0755,uid=${user%:*},gid=${user#*:}" tmpfs "$root/data" || exit 1
      fi
      mount --rbind /dev "$root/dev" && mount -t proc proc "$root/proc" && exec "$@"' \
    sh "$root" "$user" "${IMAGE_READ_ONLY:-0}" "$(command -v env)" -i "${env[@]}" "${IMAGE_ENV[@]}" \
    "$(command -v chroot)" --userspec="$user" "$root" "${argv[@]}" >"$log" 2>&1 &
  IMAGE_PID=$!
}

# image_wait_ready PATH LOG: waits (up to 60 s) while IMAGE_PID lives for the port the server logs it listens on
# (started with SERVER_PORT=0: the kernel picks a free one, so no other test's server can take it meanwhile), then
# for a 200 from PATH; sets IMAGE_URL (http://127.0.0.1:PORT).
image_wait_ready() {
  local path=$1 log=$2 port=""
  IMAGE_URL=""
  for _ in $(seq 1 6000); do
    if [ -z "$port" ]; then
      port=$(sed -n 's/.*listening on http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$log" | head -1)
      [ -n "$port" ] && IMAGE_URL="http://127.0.0.1:$port"
    fi
    [ -n "$port" ] && curl -fs -o /dev/null "$IMAGE_URL$path" && return 0
    kill -0 "$IMAGE_PID" 2>/dev/null || { echo "The image's server exited; its log:" >&2; cat "$log" >&2; return 1; }
    sleep 0.01
  done
  echo "The image's server did not answer $path within 60 s; its log:" >&2; cat "$log" >&2
  return 1
}

# image_stop: SIGTERM (the server drains and the JVM writes an AOT cache it records), then wait for the exit.
image_stop() {
  kill -TERM "$IMAGE_PID" 2>/dev/null || true
  wait "$IMAGE_PID" 2>/dev/null || true
}

# image_remove ROOT: deletes an unpacked root file system (never crossing into a mount, should one be left).
image_remove() {
  rm -rf --one-file-system "$1"
}

# image_train_aot STAGE_TAR DIR: starts the staged image (the final image less its AOT cache) with its own
# Entrypoint, where -XX:AOTCache=PATH becomes -XX:AOTCacheOutput=/tmp/audiences.aot: the first start of the embedded
# default (migrations, demo tenant) and a few API requests; the JVM writes the cache when it stops, and it is copied
# to DIR/$(basename PATH). A cache is only good for the JVM build and the class path it was recorded with, which is
# why it is recorded from the image's own files.
image_train_aot() {
  local tar=$1 out=$2 config root log argv cache status=0
  config=$(image_config "$tar")
  cache=$(jq -r '.config.Entrypoint // [] | map(select(startswith("-XX:AOTCache="))) | .[0] // ""
      | ltrimstr("-XX:AOTCache=")' <<<"$config")
  if [ -z "$cache" ]; then
    echo "AOT cache: none (the Entrypoint names no -XX:AOTCache=)"
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "Recording the AOT cache runs the staged image under chroot, which needs root; build without it with" \
         "-Daudiences.image.aot=-Xshare:auto" >&2
    return 1
  fi
  mapfile -t argv < <(jq -r '(.config.Entrypoint // []) + (.config.Cmd // []) | .[]
      | sub("^-XX:AOTCache=.*"; "-XX:AOTCacheOutput=/tmp/audiences.aot")' <<<"$config")
  root=$(mktemp -d) && chmod 755 "$root"
  image_unpack "$tar" "$root"
  log="$root/tmp/training.log"
  IMAGE_ENV=("SERVER_PORT=0" "SERVER_HOST=127.0.0.1")
  image_start "$root" "$config" "$log" "${argv[@]}"
  image_training_run "$root/data/demo-credentials.json" "$log" || status=1
  image_stop
  if [ "$status" = 0 ] && [ ! -s "$root/tmp/audiences.aot" ]; then
    echo "The JVM wrote no AOT cache; its log:" >&2; cat "$log" >&2
    status=1
  fi
  [ "$status" = 0 ] && cp "$root/tmp/audiences.aot" "$out/$(basename "$cache")"
  image_remove "$root"
  [ "$status" = 0 ] || return 1
  echo "AOT cache: $cache ($(du -h "$out/$(basename "$cache")" | cut -f1)), recorded by the image's own JVM and jars"
}

# image_training_run CREDENTIALS_FILE LOG: what the AOT cache learns from: the start, then a few reads with the demo
# tenant's API key.
image_training_run() {
  local credentials=$1 log=$2 project h path
  image_wait_ready /health "$log" || return 1
  for _ in $(seq 1 600); do [ -s "$credentials" ] && break; sleep 0.1; done
  project=$(jq -r .project_id "$credentials") || return 1
  h=(-H "X-Api-Key: $(jq -r .api_key "$credentials")" -H "X-Api-Secret: $(jq -r .api_secret "$credentials")"
     -H "X-Project-Id: $project")
  for path in /openapi /api/v1/audiences "/taxonomy/topics?limit=5" /api/v1/field-catalog "/api/v1/projects/$project"; do
    curl -fs -o /dev/null "${h[@]}" "$IMAGE_URL$path" \
      || { echo "Training request $path failed; log:" >&2; cat "$log" >&2; return 1; }
  done
}
