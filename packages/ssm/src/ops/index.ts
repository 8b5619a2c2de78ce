/** `ssm.ops`: the sequence-model kernels built from core primitives (Mamba's selective scan, Mamba-2's SSD). */
export {
  selectiveScan,
  selectiveScanStep,
  selectiveScanInitState,
  torchSoftplus,
  type SelectiveScanOptions,
  type SelectiveScanStepOptions,
  type SelectiveScanState,
  type SelectiveScanDiscretization,
} from "./selective-scan.ts";
export { ssdChunked, ssdStep, type SsdOptions } from "./ssd.ts";
