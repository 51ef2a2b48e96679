import { blockList, bool, f, labelledBlocks, mapBlock, str, type Reader } from "./hcl-values.js";

/**
 * Group `volume "name" { }` -> the API's Volumes map keyed by name (each entry also
 * carries its Name); task `volume_mount { }` -> VolumeMounts[]. CSI `mount_options` is not
 * mapped yet (an error names it).
 */
export const volumes: Reader = (v, path) =>
  Object.fromEntries(
    labelledBlocks(v, path).map(({ label, body }) => [
      label,
      {
        Name: label,
        ...mapBlock(body, `${path}.${label}`, {
          type: f("Type", str),
          source: f("Source", str),
          read_only: f("ReadOnly", bool),
          sticky: f("Sticky", bool),
          access_mode: f("AccessMode", str),
          attachment_mode: f("AttachmentMode", str),
          per_alloc: f("PerAlloc", bool),
        }),
      },
    ]),
  );

export const volumeMounts: Reader = (v, path) =>
  blockList(v, path).map((body, i) =>
    mapBlock(body, `${path}[${i}]`, {
      volume: f("Volume", str),
      destination: f("Destination", str),
      read_only: f("ReadOnly", bool),
      propagation_mode: f("PropagationMode", str),
      selinux_label: f("SELinuxLabel", str),
    }),
  );
