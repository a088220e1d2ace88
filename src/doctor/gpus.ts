// Doctor: the NVIDIA GPUs this machine shows, from nvidia-smi when it is installed, else from the
// driver's own /proc/driver/nvidia files (containers often have the driver but not the tool).
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One GPU as the driver reports it. */
export interface GpuDevice {
  readonly index: number;
  readonly name: string;
  /** Total memory in MiB; null when only /proc was read. */
  readonly memoryMiB: number | null;
  readonly driver: string | null;
}

/** What was learnt about GPUs, and how. */
export interface GpuFacts {
  readonly devices: readonly GpuDevice[];
  /** 'nvidia-smi', '/proc/driver/nvidia', or null when neither is there. */
  readonly source: 'nvidia-smi' | '/proc/driver/nvidia' | null;
  /** Why no device list could be read, when none could. */
  readonly problem: string | null;
}

const QUERY = ['--query-gpu=index,name,memory.total,driver_version', '--format=csv,noheader,nounits'];

/** Lists the GPUs: nvidia-smi first, then the driver's /proc files. */
export async function findGpus(): Promise<GpuFacts> {
  const smi = await runNvidiaSmi();
  if (smi.devices !== undefined) return { devices: smi.devices, source: 'nvidia-smi', problem: null };
  const fromProc = await readProcGpus();
  if (fromProc !== undefined) return { devices: fromProc, source: '/proc/driver/nvidia', problem: null };
  return { devices: [], source: null, problem: smi.problem ?? 'no NVIDIA driver found (no nvidia-smi, no /proc/driver/nvidia)' };
}

function runNvidiaSmi(): Promise<{ devices?: GpuDevice[]; problem?: string }> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', QUERY, { timeout: 15_000 }, (error, stdout, stderr) => {
      if (error !== null) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        resolve(missing ? {} : { problem: `nvidia-smi failed: ${(stderr || stdout || error.message).trim().split('\n')[0] ?? ''}` });
        return;
      }
      const devices = stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const [index, name, memory, driver] = line.split(',').map((cell) => cell.trim());
          return { index: Number(index), name: name ?? '', memoryMiB: Number.isFinite(Number(memory)) ? Number(memory) : null, driver: driver ?? null };
        });
      resolve({ devices });
    });
  });
}

async function readProcGpus(): Promise<GpuDevice[] | undefined> {
  const root = '/proc/driver/nvidia';
  const version = await readFile(join(root, 'version'), 'utf8').catch(() => undefined);
  if (version === undefined) return undefined;
  const driver = /Kernel Module\s+(?:for\s+\S+\s+)?([\d.]+)/.exec(version)?.[1] ?? null;
  const buses = (await readdir(join(root, 'gpus')).catch(() => [] as string[])).sort();
  const devices: GpuDevice[] = [];
  for (const [index, bus] of buses.entries()) {
    const information = await readFile(join(root, 'gpus', bus, 'information'), 'utf8').catch(() => '');
    devices.push({ index, name: /Model:\s*(.+)/.exec(information)?.[1]?.trim() ?? 'NVIDIA GPU', memoryMiB: null, driver });
  }
  return devices;
}
