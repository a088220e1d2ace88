// Pipeline: the preprocessing spec (version 1), as read from YAML or JSON. Contract: README "Preprocessing".

/** A category value: text, or a number matched numerically (CSV "1" and Arrow 1.0 are both 1). */
export type Category = string | number;

export type UnknownCategory = 'ignore' | 'error' | 'extra';

export type DatePart = 'year' | 'month' | 'day' | 'weekday' | 'hour' | 'minute' | 'second' | 'epoch';

export type CastType = 'float64' | 'string';

/** How an image is resized before an optional centre crop. */
export type ImageResize =
  /** To exactly this size (the aspect ratio is not kept). */
  | { readonly height: number; readonly width: number }
  /** The shorter side to this many pixels, the longer in proportion (rounded down, as Hugging Face and torchvision). */
  | { readonly shortest_edge: number };

export type Interpolation = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos';

export interface ImageOptions {
  readonly column: string;
  /** Folder that relative paths in the column start from (itself relative to the spec's folder); default: the input file's folder. */
  readonly root: string | undefined;
  readonly color: 'rgb' | 'bgr' | 'grayscale';
  readonly resize: ImageResize | undefined;
  readonly crop: { readonly height: number; readonly width: number } | undefined;
  readonly interpolation: Interpolation;
  /** Pixel values 0..255 are multiplied by this first (1/255 by default). */
  readonly scale: number;
  /** Per channel, after scaling: (x - mean) / std. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly layout: 'nchw' | 'nhwc';
  readonly dtype: 'float32' | 'float16';
  /** The tensor column written. */
  readonly output: string;
}

export interface TokenizeOptions {
  readonly column: string;
  /** A Hugging Face tokenizer.json (relative to the spec's folder); tokenizer_config.json beside it is read too. */
  readonly tokenizer: string;
  readonly max_length: number;
  /** Longer texts are cut to max_length (keeping the special tokens); false makes them bad rows. */
  readonly truncation: boolean;
  /** Every row is padded to max_length (the only mode: batches then join and split without re-padding). */
  readonly padding: 'max_length';
  /** Rows are padded with this token to max_length; default the tokenizer config's pad_token, else [PAD]. */
  readonly pad_token: string | undefined;
  /** The columns written are `<prefix>input_ids`, `<prefix>attention_mask`, `<prefix>token_type_ids`. */
  readonly prefix: string;
}

/** One preprocessing step; each acts on named columns and writes named columns. */
export type Step =
  | { readonly select: { readonly columns: readonly string[] } }
  | { readonly rename: { readonly columns: Readonly<Record<string, string>> } }
  | { readonly cast: { readonly columns: readonly string[]; readonly to: CastType } }
  | { readonly impute: { readonly columns: readonly string[]; readonly values: readonly number[]; readonly strategy?: string } }
  | { readonly standardize: { readonly columns: readonly string[]; readonly mean: readonly number[]; readonly scale: readonly number[] } }
  | {
      readonly min_max: {
        readonly columns: readonly string[];
        readonly min: readonly number[];
        readonly max: readonly number[];
        readonly range: readonly [number, number];
      };
    }
  | { readonly clip: { readonly columns: readonly string[]; readonly min: number | undefined; readonly max: number | undefined } }
  | { readonly log1p: { readonly columns: readonly string[] } }
  | {
      readonly one_hot: {
        readonly column: string;
        readonly categories: readonly Category[];
        readonly unknown: UnknownCategory;
        /** A missing value: all zeros ('ignore'), an error, or its own column `<column>=null` ('category'). */
        readonly nulls: 'ignore' | 'error' | 'category';
      };
    }
  | {
      readonly ordinal: {
        readonly column: string;
        readonly categories: readonly Category[];
        /** Code for an unknown or missing value; undefined means such a value is an error. */
        readonly unknown_value: number | undefined;
        readonly output: string;
      };
    }
  | { readonly bucketize: { readonly column: string; readonly edges: readonly number[]; readonly output: string } }
  | { readonly date_parts: { readonly column: string; readonly parts: readonly DatePart[]; readonly prefix: string } }
  | { readonly image: ImageOptions }
  | { readonly tokenize: TokenizeOptions };

/** A step's name, e.g. 'one_hot'. */
export type StepName = Step extends infer S ? (S extends unknown ? keyof S & string : never) : never;

/** How one model input is assembled. */
export interface InputSpec {
  readonly columns: readonly string[];
  readonly dtype: 'float32' | 'float64' | 'int64' | 'int32' | 'string' | 'bool' | undefined;
  /** 'matrix' = [N,K]; 'column' = [N,1] (one column); 'vector' = [N] (one column). */
  readonly shape: 'matrix' | 'column' | 'vector' | undefined;
}

/** Post-processing of one model output. */
export interface OutputSpec {
  /** Class labels naming the columns of an [N,K] output: `<output>_<label>`. */
  readonly labels: readonly string[] | undefined;
  /** Writes this column with the label (or index) of the highest value. */
  readonly argmax: string | undefined;
  /** Binary decision on the last column (the positive class): `column` gets `positive` when value >= threshold. */
  readonly threshold: { readonly value: number; readonly column: string; readonly positive: string; readonly negative: string } | undefined;
  /** The k highest values with their labels: `<prefix>_<i>_label`, `<prefix>_<i>_score`. */
  readonly top_k: { readonly k: number; readonly prefix: string } | undefined;
}

export interface PipelineSpec {
  readonly version: 1;
  readonly steps: readonly Step[];
  readonly inputs: Readonly<Record<string, InputSpec>>;
  readonly outputs: Readonly<Record<string, OutputSpec>>;
}

/** Where a spec came from, for the report. */
export interface SpecSource {
  readonly kind: 'file' | 'beside-model' | 'model-metadata';
  readonly path: string;
  readonly sha256: string;
}

/** The metadata_props key under which a model may carry its own spec (JSON or YAML text). */
export const METADATA_KEY = 'onnx_batch.pipeline';
