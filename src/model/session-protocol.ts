// Model stage: the messages between the runner and the process that holds the ONNX Runtime session.

/** Element types a tensor can have, as ONNX Runtime names them. */
export type ElementType = 'float32' | 'float64' | 'float16' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool' | 'string' | 'int4' | 'uint4';

/** One model input or output as the runtime reports it. */
export interface TensorSignature {
  readonly name: string;
  readonly isTensor: boolean;
  /** Undefined for non-tensor values (sequences, maps). */
  readonly type: ElementType | undefined;
  /** Dimensions; a string is a symbolic (free) dimension. */
  readonly shape: readonly (number | string)[];
}

/** A tensor as plain data (typed arrays or strings), as it crosses between processes. */
export interface TensorData {
  readonly type: ElementType;
  readonly data: Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array | readonly string[];
  readonly dims: readonly number[];
}

export type ChildRequest =
  | {
      readonly kind: 'load';
      readonly path: string;
      /** The rewritten model, when the file itself cannot be loaded as is (ZipMap outputs). */
      readonly bytes: Uint8Array | undefined;
      readonly provider: { readonly name: 'cpu' | 'cuda'; readonly deviceId: number | undefined };
      readonly threads: number | undefined;
      /**
       * Where to profile the first run, to count the graph nodes placed on each provider (undefined: no
       * counting). The parent makes and removes it: a host that is killed cannot clean up after itself.
       */
      readonly profileDir: string | undefined;
      /** ONNX Runtime's log severity for this session (4: fatal only, as its errors come back in the reply and are reported once; 2: warnings too). */
      readonly logSeverity: 2 | 4;
    }
  | { readonly kind: 'run'; readonly id: number; readonly feeds: Readonly<Record<string, TensorData>>; readonly fetches: readonly string[] };

export type ChildReply =
  | { readonly kind: 'loaded'; readonly inputs: TensorSignature[]; readonly outputs: TensorSignature[]; readonly runtimeVersion: string }
  | {
      readonly kind: 'ran';
      readonly id: number;
      readonly results: Record<string, TensorData>;
      /** The request's input buffers, handed back for reuse (from a worker thread, where they move without a copy). */
      readonly inputs?: ArrayBuffer[];
      /** After the first run of a session loaded with countNodes: nodes per provider ('cpu', 'cuda'). */
      readonly nodes?: Record<string, number>;
    }
  | { readonly kind: 'failed'; readonly id?: number; readonly message: string };
