// Doctor: what a shared library asks the dynamic loader for. Reads an ELF file's dynamic section
// (DT_NEEDED, DT_RPATH, DT_RUNPATH) the way ld.so does, so the doctor can tell which dependency of
// a provider library is missing without loading it (loading would only say "failed to load").
import { open } from 'node:fs/promises';

/** The dynamic-linking facts of one ELF shared library. */
export interface ElfDynamic {
  /** e_machine: 62 is x86-64, 183 AArch64. */
  readonly machine: number;
  /** Sonames of the libraries it needs, in order. */
  readonly needed: readonly string[];
  /** Its own DT_RUNPATH (searched for its own dependencies only), $ORIGIN expanded. */
  readonly runpath: readonly string[];
  /** Its DT_RPATH (searched before LD_LIBRARY_PATH, ignored when DT_RUNPATH is set), $ORIGIN expanded. */
  readonly rpath: readonly string[];
}

const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_RPATH = 15;
const DT_RUNPATH = 29;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;

/** Reads the dynamic section of a 64-bit little-endian ELF file; undefined when it is not one. */
export async function readElfDynamic(path: string): Promise<ElfDynamic | undefined> {
  const file = await open(path, 'r');
  try {
    const read = async (offset: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    };
    const header = await read(0, 64);
    // "\x7fELF", class 2 (64-bit), data 1 (little-endian).
    if (header.length < 64 || header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2 || header[5] !== 1) return undefined;
    const machine = header.readUInt16LE(18);
    const phoff = Number(header.readBigUInt64LE(32));
    const phentsize = header.readUInt16LE(54);
    const phnum = header.readUInt16LE(56);
    const table = await read(phoff, phentsize * phnum);
    const segments = Array.from({ length: phnum }, (_, i) => {
      const at = i * phentsize;
      return {
        type: table.readUInt32LE(at),
        offset: Number(table.readBigUInt64LE(at + 8)),
        address: Number(table.readBigUInt64LE(at + 16)),
        fileSize: Number(table.readBigUInt64LE(at + 32)),
      };
    });
    const dynamic = segments.find((segment) => segment.type === PT_DYNAMIC);
    if (dynamic === undefined) return { machine, needed: [], runpath: [], rpath: [] };
    const entries = await read(dynamic.offset, dynamic.fileSize);
    const tags: { tag: number; value: number }[] = [];
    for (let at = 0; at + 16 <= entries.length; at += 16) {
      const tag = Number(entries.readBigInt64LE(at));
      if (tag === 0) break;
      tags.push({ tag, value: Number(entries.readBigUInt64LE(at + 8)) });
    }
    // DT_STRTAB holds a virtual address: the PT_LOAD segment that maps it gives its file offset.
    const strtabAddress = tags.find((entry) => entry.tag === DT_STRTAB)?.value ?? 0;
    const load = segments.find((segment) => segment.type === PT_LOAD && strtabAddress >= segment.address && strtabAddress < segment.address + segment.fileSize);
    if (load === undefined) return { machine, needed: [], runpath: [], rpath: [] };
    const strtabOffset = load.offset + (strtabAddress - load.address);
    const text = async (offset: number): Promise<string> => {
      const bytes = await read(strtabOffset + offset, 4096);
      const end = bytes.indexOf(0);
      return bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
    };
    const origin = path.slice(0, Math.max(path.lastIndexOf('/'), 0)) || '/';
    const paths = async (tag: number): Promise<string[]> => {
      const found: string[] = [];
      for (const entry of tags.filter((item) => item.tag === tag)) {
        for (const dir of (await text(entry.value)).split(':')) if (dir !== '') found.push(dir.replace(/\$\{?ORIGIN\}?/g, origin));
      }
      return found;
    };
    const needed: string[] = [];
    for (const entry of tags.filter((item) => item.tag === DT_NEEDED)) needed.push(await text(entry.value));
    return { machine, needed, runpath: await paths(DT_RUNPATH), rpath: await paths(DT_RPATH) };
  } finally {
    await file.close();
  }
}
