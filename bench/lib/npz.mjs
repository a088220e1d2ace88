// A minimal NumPy .npz writer (an uncompressed zip of .npy files), so the Python peer in
// /work/shared/bench (pandas_peer.py) can run the benchmark's MLP with the very same weights.
import { crc32 } from 'node:zlib';

/** One float32 array as .npy (format 1.0). */
function npy({ values, dims }) {
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head.writeUInt8(1, 6);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(values.buffer, values.byteOffset, values.byteLength)]);
}

function localHeader(name, data, crc) {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0); h.writeUInt16LE(20, 4);
  h.writeUInt32LE(crc, 14); h.writeUInt32LE(data.length, 18); h.writeUInt32LE(data.length, 22);
  h.writeUInt16LE(name.length, 26);
  return Buffer.concat([h, name]);
}

function centralHeader(name, data, crc, offset) {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0); h.writeUInt16LE(20, 4); h.writeUInt16LE(20, 6);
  h.writeUInt32LE(crc, 16); h.writeUInt32LE(data.length, 20); h.writeUInt32LE(data.length, 24);
  h.writeUInt16LE(name.length, 28); h.writeUInt32LE(offset, 42);
  return Buffer.concat([h, name]);
}

function endOfCentralDirectory(count, size, offset) {
  const h = Buffer.alloc(22);
  h.writeUInt32LE(0x06054b50, 0); h.writeUInt16LE(count, 8); h.writeUInt16LE(count, 10);
  h.writeUInt32LE(size, 12); h.writeUInt32LE(offset, 16);
  return h;
}

/** { W1: {values, dims}, ... } -> .npz bytes (stored, no compression). */
export function npz(arrays) {
  const locals = [], centrals = [];
  let offset = 0;
  for (const [key, array] of Object.entries(arrays)) {
    const name = Buffer.from(`${key}.npy`), data = npy(array), crc = crc32(data);
    const local = Buffer.concat([localHeader(name, data, crc), data]);
    centrals.push(centralHeader(name, data, crc, offset));
    locals.push(local);
    offset += local.length;
  }
  const central = Buffer.concat(centrals);
  return Buffer.concat([...locals, central, endOfCentralDirectory(centrals.length, central.length, offset)]);
}
