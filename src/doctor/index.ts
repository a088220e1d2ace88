// Doctor, public surface: what can run here and what is missing (`onnx-batch doctor`), the cause a
// failed `--ep cuda` names, and `onnx-batch setup cuda`.
import { cpus } from 'node:os';
import { EXECUTION_PROVIDERS, providerLabel, smokeTest, type ExecutionProvider, type SmokeResult } from '../model/index.js';
import type { GpuDevice } from './gpus.js';
import { currentSearchEnvironment, type ResolvedLibrary } from './library-search.js';
import { checkProvider } from './provider-check.js';
import { findRuntimeFiles } from './runtime-files.js';

export { setupCuda, CUDA_PACKAGE, type SetupResult } from './setup-cuda.js';

/** One provider in the doctor's report. `ok`, `library`, `missing`, `devices` are the --json contract. */
export interface ProviderReport {
  readonly ok: boolean;
  readonly library: string | null;
  readonly missing: readonly string[];
  readonly devices: readonly GpuDevice[];
  /** Was it asked for (--ep): only those decide the exit code. */
  readonly asked: boolean;
  readonly cause: string | null;
  readonly hint: string | null;
  readonly dependencies: readonly ResolvedLibrary[];
  readonly smokeTest: SmokeResult | null;
}

/** The doctor's findings (`onnx-batch doctor --json` prints this). */
export interface DoctorReport {
  readonly ok: boolean;
  readonly node: string;
  readonly platform: string;
  readonly cpu: { readonly model: string; readonly cores: number };
  readonly onnxruntime: { readonly version: string; readonly bindingDir: string };
  /** Where shared libraries were looked for, in the loader's order, and where else CUDA libraries were looked for. */
  readonly searchPath: { readonly LD_LIBRARY_PATH: readonly string[]; readonly ldCache: string; readonly notSearchedByLoader: readonly string[] };
  readonly providers: Readonly<Record<string, ProviderReport>>;
}

/** Checks every provider (smoke test included); `asked` decides `ok`. */
export async function runDoctor(asked: readonly ExecutionProvider[]): Promise<DoctorReport> {
  const runtime = await findRuntimeFiles();
  const environment = await currentSearchEnvironment();
  const providers: Record<string, ProviderReport> = {};
  const checked: ExecutionProvider[] = [...asked];
  for (const name of EXECUTION_PROVIDERS) if (!checked.some((provider) => provider.name === name)) checked.push({ name, deviceId: undefined });
  for (const provider of checked) {
    const check = await checkProvider(provider, runtime, environment);
    const smoke = check.library === null ? null : await smokeTest(provider);
    const ok = smoke?.ok === true;
    const cause = check.cause ?? (ok ? null : (smoke?.error ?? 'the smoke test did not run'));
    providers[providerLabel(provider)] = {
      ok,
      library: check.library,
      missing: check.missing,
      devices: check.devices,
      asked: asked.some((item) => providerLabel(item) === providerLabel(provider)),
      cause,
      hint: check.cause === null && !ok ? 'run with --verbose to see ONNX Runtime\'s own messages' : check.hint,
      dependencies: check.dependencies,
      smokeTest: smoke,
    };
  }
  const cpu = cpus();
  return {
    ok: Object.values(providers).every((provider) => !provider.asked || provider.ok),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: { model: cpu[0]?.model.trim() ?? 'unknown', cores: cpu.length },
    onnxruntime: { version: runtime.version, bindingDir: runtime.bindingDir },
    searchPath: {
      LD_LIBRARY_PATH: (environment.ldLibraryPath ?? '').split(':').filter((dir) => dir !== ''),
      ldCache: `/etc/ld.so.cache (${environment.cache.size} libraries)`,
      notSearchedByLoader: environment.extraDirs,
    },
    providers,
  };
}

/** Why a provider cannot be used, as far as files and devices tell (for a failed `--ep cuda`). */
export async function explainProvider(provider: ExecutionProvider): Promise<string | undefined> {
  const check = await checkProvider(provider, await findRuntimeFiles(), await currentSearchEnvironment());
  return check.cause === null ? undefined : check.cause;
}

/** The doctor's report as text for a terminal. */
export function renderDoctor(report: DoctorReport): string {
  const lines = [
    `node         ${report.node} (${report.platform})`,
    `cpu          ${report.cpu.model}, ${report.cpu.cores} cores`,
    `onnxruntime  ${report.onnxruntime.version} (${report.onnxruntime.bindingDir})`,
    `LD_LIBRARY_PATH  ${report.searchPath.LD_LIBRARY_PATH.join(':') || '(not set)'}`,
  ];
  for (const [name, provider] of Object.entries(report.providers)) {
    lines.push('', `provider ${name}: ${provider.ok ? 'ok' : 'NOT AVAILABLE'}${provider.asked ? '' : ' (not asked for)'}`);
    lines.push(`  library   ${provider.library ?? 'missing'}`);
    const resolved = provider.dependencies.filter((dependency) => dependency.path !== null);
    if (provider.dependencies.length > 0) lines.push(`  needs     ${provider.dependencies.length} shared libraries, ${resolved.length} found`);
    for (const dependency of provider.dependencies.filter((item) => item.path === null)) {
      const outside = dependency.foundOutside.length > 0 ? ` (present in ${dependency.foundOutside.join(', ')}, which the loader does not search)` : '';
      lines.push(`  missing   ${dependency.name}${outside}`);
    }
    if (name !== 'cpu') lines.push(`  GPUs      ${provider.devices.length === 0 ? 'none' : provider.devices.map((device) => `${device.index}: ${device.name}${device.memoryMiB === null ? '' : `, ${device.memoryMiB} MiB`}${device.driver === null ? '' : `, driver ${device.driver}`}`).join('; ')}`);
    const smoke = provider.smokeTest;
    if (smoke !== null) {
      const nodes = smoke.nodes === null ? '' : `; nodes ${Object.entries(smoke.nodes).map(([where, count]) => `${where} ${count}`).join(', ')}`;
      const measure = name === 'cpu' ? 'rows sum to 1 within' : 'max difference from the CPU';
      lines.push(`  smoke     ${smoke.ok ? `passed (${measure} ${smoke.maxAbsDiff?.toExponential(1)}${nodes})` : `failed: ${smoke.error ?? ''}`}`);
    }
    if (provider.cause !== null) lines.push(`  cause     ${provider.cause}`);
    if (provider.hint !== null && provider.hint !== '') lines.push(`  hint      ${provider.hint}`);
  }
  return `${lines.join('\n')}\n`;
}
