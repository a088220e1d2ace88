// Doctor: what an execution provider needs on disk and in the machine, checked without loading it:
// its library beside the binding, every shared library that library needs (by the loader's rules),
// and, for CUDA, a GPU. The first thing missing is the cause a failed `--ep cuda` run names.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionProvider } from '../model/index.js';
import { findGpus, type GpuDevice, type GpuFacts } from './gpus.js';
import { resolveDependencies, type ResolvedLibrary, type SearchEnvironment } from './library-search.js';
import { CORE_LIBRARY, PROVIDER_LIBRARIES, type RuntimeFiles } from './runtime-files.js';

/**
 * Libraries the CUDA provider opens itself at run time, so they are not in its DT_NEEDED: ORT 1.29's
 * CUDA 13 build loads cuDNN 9 on first use (convolutions), by this name.
 */
const CUDA_RUNTIME_LOADED = ['libcudnn.so.9'];

/** The static facts about one provider: files, dependencies, devices, and the first problem. */
export interface ProviderCheck {
  /** The provider library's path (the core runtime for cpu); null when it is not there. */
  readonly library: string | null;
  /** What is missing, by file name: the provider library itself, or the libraries it needs. */
  readonly missing: readonly string[];
  readonly dependencies: readonly ResolvedLibrary[];
  readonly devices: readonly GpuDevice[];
  /** Where the device list came from (nvidia-smi or /proc), for GPU providers. */
  readonly deviceSource: GpuFacts['source'];
  /** The first problem found, in the order that matters: library, dependencies, device. */
  readonly cause: string | null;
  /** What to do about the cause. */
  readonly hint: string | null;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() === true;
}

/** Checks one provider's files, dependencies and devices. */
export async function checkProvider(provider: ExecutionProvider, runtime: RuntimeFiles, environment: SearchEnvironment): Promise<ProviderCheck> {
  if (provider.name === 'cpu') {
    const core = join(runtime.bindingDir, CORE_LIBRARY);
    if (!(await exists(core))) return missingLibrary([CORE_LIBRARY], runtime, 'reinstall onnxruntime-node (npm ci)');
    const dependencies = await resolveDependencies(core, environment);
    return withDependencies(core, dependencies, [], null);
  }
  const { library: libraryName, bridge } = PROVIDER_LIBRARIES.cuda;
  const library = join(runtime.bindingDir, libraryName);
  const absent = [];
  if (!(await exists(library))) absent.push(libraryName);
  if (!(await exists(join(runtime.bindingDir, bridge)))) absent.push(bridge);
  const gpus = await findGpus();
  if (absent.length > 0) return { ...missingLibrary(absent, runtime, 'run `onnx-batch setup cuda` (or see the README section "GPU (CUDA)")'), devices: gpus.devices, deviceSource: gpus.source };
  const dependencies = await resolveDependencies(library, environment, CUDA_RUNTIME_LOADED);
  const check = withDependencies(library, dependencies, gpus.devices, gpus.source);
  if (check.cause !== null) return check;
  const index = provider.deviceId ?? 0;
  if (gpus.devices.length === 0) {
    return { ...check, cause: `no NVIDIA GPU is visible: ${gpus.problem ?? 'the driver lists none'}`, hint: 'install the NVIDIA driver, or in a container pass the GPU through (e.g. docker run --gpus all)' };
  }
  if (!gpus.devices.some((device) => device.index === index)) {
    return { ...check, cause: `there is no GPU ${index}: the driver lists ${gpus.devices.length} (${gpus.devices.map((device) => device.index).join(', ')})`, hint: `use --ep cuda:${gpus.devices[0]?.index ?? 0}` };
  }
  return check;
}

function missingLibrary(names: string[], runtime: RuntimeFiles, hint: string): ProviderCheck {
  return {
    library: null,
    missing: names,
    dependencies: [],
    devices: [],
    deviceSource: null,
    cause: `${names.join(' and ')} ${names.length === 1 ? 'is' : 'are'} not in ${runtime.bindingDir}`,
    hint,
  };
}

function withDependencies(library: string, dependencies: readonly ResolvedLibrary[], devices: readonly GpuDevice[], deviceSource: GpuFacts['source']): ProviderCheck {
  const unresolved = dependencies.filter((dependency) => dependency.path === null);
  if (unresolved.length === 0) return { library, missing: [], dependencies, devices, deviceSource, cause: null, hint: null };
  const elsewhere = [...new Set(unresolved.flatMap((dependency) => dependency.foundOutside))];
  const driverMissing = unresolved.some((dependency) => dependency.name === 'libcuda.so.1');
  const hints = [
    elsewhere.length > 0 ? `some are installed where the loader does not look: export LD_LIBRARY_PATH=${elsewhere.join(':')}:$LD_LIBRARY_PATH` : undefined,
    driverMissing ? 'libcuda.so.1 comes with the NVIDIA driver (no driver: no GPU here)' : undefined,
    unresolved.some((dependency) => dependency.name !== 'libcuda.so.1') ? 'install the CUDA 13 runtime, cuBLAS, cuRAND and cuDNN 9 (the CUDA toolkit, or NVIDIA\'s pip wheels) and put their lib folders on LD_LIBRARY_PATH' : undefined,
  ].filter((hint) => hint !== undefined);
  return {
    library,
    missing: unresolved.map((dependency) => dependency.name),
    dependencies,
    devices,
    deviceSource,
    cause: `missing shared libraries: ${unresolved.map((dependency) => dependency.name).join(', ')} (searched LD_LIBRARY_PATH, /etc/ld.so.cache and the system directories)`,
    hint: hints.join('; '),
  };
}
