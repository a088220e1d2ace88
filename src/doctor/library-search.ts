// Doctor: finds shared libraries the way the dynamic loader (glibc ld.so) would: DT_RPATH,
// LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.cache, then the default directories. It also looks where
// CUDA libraries usually are but the loader does not look (the NVIDIA pip wheels, a CUDA toolkit
// outside the cache), so a library found only there is reported as missing, with where it is.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readElfDynamic, type ElfDynamic } from './elf.js';

/** Where the loader looks, in its order; `source` says why each directory is searched. */
export interface SearchDirectory {
  readonly dir: string;
  readonly source: 'rpath' | 'LD_LIBRARY_PATH' | 'runpath' | 'default';
}

/** One dependency, resolved by the loader's rules or not. */
export interface ResolvedLibrary {
  readonly name: string;
  /** Where the loader would find it; null when it would not. */
  readonly path: string | null;
  /** How it was found: a SearchDirectory source, or 'ld.so.cache'. */
  readonly via: string | null;
  /** For a missing library: directories that hold it but that the loader does not search. */
  readonly foundOutside: readonly string[];
}

const DEFAULT_DIRS = ['/lib64', '/usr/lib64', '/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib', '/usr/lib'];
/** x86-64, libc6 in ld.so.cache entry flags. */
const CACHE_FLAGS_X86_64 = 0x0303;
const ELF_MACHINE_X86_64 = 62;

/** The environment the search depends on (so a test can give its own). */
export interface SearchEnvironment {
  readonly ldLibraryPath: string | undefined;
  /** Parsed /etc/ld.so.cache: soname -> path. */
  readonly cache: ReadonlyMap<string, string>;
  /** Directories holding CUDA libraries the loader may not search: pip wheels, CUDA toolkits. */
  readonly extraDirs: readonly string[];
}

/** The search environment of this process. */
export async function currentSearchEnvironment(): Promise<SearchEnvironment> {
  return { ldLibraryPath: process.env['LD_LIBRARY_PATH'], cache: await readLdCache('/etc/ld.so.cache'), extraDirs: await cudaLibraryDirs() };
}

/** Parses glibc's ld.so.cache (the "glibc-ld.so.cache1.1" format) into soname -> path for x86-64. */
export async function readLdCache(path: string): Promise<Map<string, string>> {
  const entries = new Map<string, string>();
  const bytes = await readFile(path).catch(() => undefined);
  if (bytes === undefined) return entries;
  const base = bytes.indexOf('glibc-ld.so.cache1.1');
  if (base < 0) return entries;
  const count = bytes.readUInt32LE(base + 20);
  const text = (offset: number): string => {
    const start = base + offset;
    const end = bytes.indexOf(0, start);
    return bytes.subarray(start, end < 0 ? bytes.length : end).toString('utf8');
  };
  for (let i = 0; i < count; i++) {
    const at = base + 48 + i * 24;
    if (at + 24 > bytes.length) break;
    if (bytes.readInt32LE(at) !== CACHE_FLAGS_X86_64) continue;
    const name = text(bytes.readUInt32LE(at + 4));
    // The first entry of a name is the one ld.so takes (the cache is sorted by preference).
    if (!entries.has(name)) entries.set(name, text(bytes.readUInt32LE(at + 8)));
  }
  return entries;
}

/** Directories where CUDA user-space libraries are often installed without being on the loader's path. */
async function cudaLibraryDirs(): Promise<string[]> {
  const home = process.env['HOME'];
  const prefixes = [process.env['VIRTUAL_ENV'], process.env['CONDA_PREFIX'], home === undefined ? undefined : join(home, '.local'), '/usr/local', '/usr', '/opt/conda'];
  const sitePackages: string[] = [];
  for (const prefix of prefixes.filter((item): item is string => item !== undefined)) {
    for (const python of await list(join(prefix, 'lib'))) {
      if (!python.startsWith('python3')) continue;
      sitePackages.push(join(prefix, 'lib', python, 'site-packages'), join(prefix, 'lib', python, 'dist-packages'));
    }
  }
  sitePackages.push('/usr/lib/python3/dist-packages');
  const wheels: string[] = [];
  for (const site of sitePackages) for (const name of await list(join(site, 'nvidia'))) wheels.push(join(site, 'nvidia', name, 'lib'));
  const toolkits = (await list('/usr/local')).filter((name) => /^cuda(-[\d.]+)?$/.test(name)).flatMap((name) => [join('/usr/local', name, 'lib64'), join('/usr/local', name, 'targets/x86_64-linux/lib')]);
  const conda = process.env['CONDA_PREFIX'] === undefined ? [] : [join(process.env['CONDA_PREFIX'], 'lib')];
  const dirs: string[] = [];
  for (const dir of [...wheels, ...toolkits, ...conda]) if ((await stat(dir).catch(() => undefined))?.isDirectory() === true) dirs.push(dir);
  return dirs;
}

async function list(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort();
}

async function isLibraryFor(path: string, machine: number): Promise<boolean> {
  if ((await stat(path).catch(() => undefined))?.isFile() !== true) return false;
  const elf = await readElfDynamic(path).catch(() => undefined);
  return elf !== undefined && elf.machine === machine;
}

/** The directories the loader searches for the dependencies of `loader` (an ELF it has read). */
export function searchDirectories(loader: ElfDynamic, environment: SearchEnvironment): SearchDirectory[] {
  const fromEnv = (environment.ldLibraryPath ?? '').split(/[:;]/).filter((dir) => dir !== '');
  return [
    ...(loader.runpath.length === 0 ? loader.rpath.map((dir) => ({ dir, source: 'rpath' as const })) : []),
    ...fromEnv.map((dir) => ({ dir, source: 'LD_LIBRARY_PATH' as const })),
    ...loader.runpath.map((dir) => ({ dir, source: 'runpath' as const })),
  ];
}

/** Resolves one soname for a library with these search directories. */
export async function resolveLibrary(name: string, dirs: readonly SearchDirectory[], environment: SearchEnvironment): Promise<ResolvedLibrary> {
  for (const { dir, source } of dirs) {
    const path = join(dir, name);
    if (await isLibraryFor(path, ELF_MACHINE_X86_64)) return { name, path, via: source, foundOutside: [] };
  }
  const cached = environment.cache.get(name);
  if (cached !== undefined) return { name, path: cached, via: 'ld.so.cache', foundOutside: [] };
  for (const dir of DEFAULT_DIRS) {
    const path = join(dir, name);
    if (await isLibraryFor(path, ELF_MACHINE_X86_64)) return { name, path, via: 'default', foundOutside: [] };
  }
  const outside: string[] = [];
  for (const dir of environment.extraDirs) if (await isLibraryFor(join(dir, name), ELF_MACHINE_X86_64)) outside.push(dir);
  return { name, path: null, via: null, foundOutside: outside };
}

/**
 * Resolves a library's dependencies and theirs, as the loader does when it opens it (and as `ldd`
 * lists them), plus `alsoLoaded`: libraries it opens itself at run time (dlopen), so not in DT_NEEDED.
 */
export async function resolveDependencies(library: string, environment: SearchEnvironment, alsoLoaded: readonly string[] = []): Promise<ResolvedLibrary[]> {
  const seen = new Map<string, ResolvedLibrary>();
  const visit = async (path: string, extra: readonly string[]): Promise<void> => {
    const elf = await readElfDynamic(path).catch(() => undefined);
    if (elf === undefined) return;
    const dirs = searchDirectories(elf, environment);
    for (const name of [...elf.needed, ...extra]) {
      if (seen.has(name)) continue;
      const resolved = await resolveLibrary(name, dirs, environment);
      seen.set(name, resolved);
      if (resolved.path !== null) await visit(resolved.path, []);
    }
  };
  await visit(library, alsoLoaded);
  return [...seen.values()];
}
