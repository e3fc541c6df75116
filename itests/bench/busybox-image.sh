# Source it: busybox_image DIR NAME writes DIR/image.tar, Debian's static busybox as a one-layer
# docker archive tagged NAME (what the node benchmarks run).
busybox_image() {
  local dir=$1 name=$2
  mkdir -p "$dir/rootfs/bin" "$dir/archive"
  cp /bin/busybox "$dir/rootfs/bin/"
  for applet in $(/bin/busybox --list); do [ -e "$dir/rootfs/bin/$applet" ] || ln -s busybox "$dir/rootfs/bin/$applet"; done
  tar --numeric-owner --owner=0 --group=0 -C "$dir/rootfs" -cf "$dir/archive/layer.tar" .
  local diff_id
  diff_id=$(sha256sum "$dir/archive/layer.tar" | cut -d' ' -f1)
  printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$diff_id" > "$dir/archive/config.json"
  printf '[{"Config":"config.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$name" > "$dir/archive/manifest.json"
  tar -C "$dir/archive" -cf "$dir/image.tar" .
}
