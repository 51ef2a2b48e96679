// /proc/cpuinfo: one block per logical CPU, "key<TAB>: value" lines.

export interface CpuInfoEntry {
  processor: number;
  modelName: string;
  /** Current clock from "cpu MHz"; 0 when the line is absent (e.g. many arm64 kernels). */
  mhz: number;
}

export function parseCpuInfo(text: string): CpuInfoEntry[] {
  const out: CpuInfoEntry[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    let processor: number | undefined;
    let modelName = "";
    let mhz = 0;
    for (const line of block.split("\n")) {
      const idx = line.indexOf(":");
      if (idx < 0) continue;
      const key = line.slice(0, idx).trim();
      const value = line.slice(idx + 1).trim();
      if (key === "processor") processor = Number(value);
      // "model name" on x86; arm64 kernels have no model name, only "CPU part".
      else if (key === "model name" || (key === "Model" && modelName === "")) modelName = value;
      else if (key === "cpu MHz") mhz = Number(value);
    }
    if (processor !== undefined && Number.isInteger(processor)) {
      out.push({ processor, modelName, mhz: Number.isFinite(mhz) ? mhz : 0 });
    }
  }
  return out;
}
