// Config: what a message calls a setting: its flag, or the ONNX_BATCH_* variable that set it. A bad
// value that came from the environment is blamed on the variable, which is what the user must fix
// (they never typed the flag).
import { SCORE_FLAGS } from './flags.js';

export type FlagKey = keyof typeof SCORE_FLAGS;

/** Names settings in messages, remembering which environment variables it named. */
export class FlagNames {
  private readonly named = new Set<string>();

  /** `fromEnvironment`: the settings whose value came from their environment variable. */
  constructor(private readonly fromEnvironment: ReadonlySet<FlagKey> = new Set()) {}

  /** Whether the value of `key` came from its environment variable. */
  fromVariable(key: FlagKey): boolean {
    return this.fromEnvironment.has(key);
  }

  /** '--batch-size', or 'ONNX_BATCH_BATCH_SIZE (environment)' when that variable gave the value. */
  of(key: FlagKey): string {
    const spec: { readonly flags: string; readonly env?: string } = SCORE_FLAGS[key];
    if (this.fromEnvironment.has(key) && spec.env !== undefined) {
      this.named.add(spec.env);
      return `${spec.env} (environment)`;
    }
    return /--[\w-]+/.exec(spec.flags)?.[0] ?? spec.flags;
  }

  /** An empty variable is never a value: ONNX_BATCH_REPORT= would name a report file ''. */
  emptyVariables(flags: Readonly<Record<string, unknown>>): string[] {
    return [...this.fromEnvironment].filter((key) => typeof flags[key] === 'string' && flags[key].trim() === '').map((key) => `${this.of(key)} must not be empty; got ${JSON.stringify(flags[key])}`);
  }

  /** The hint for problems that named environment variables, else `otherwise`. */
  hint(otherwise: string): string {
    return this.named.size === 0 ? otherwise : variableHint([...this.named]);
  }
}

/** What to do about a bad value from the environment. */
export function variableHint(variables: readonly string[]): string {
  return `fix or unset ${variables.join(', ')} (an ONNX_BATCH_* variable sets its flag when the flag is not given; a flag on the command line wins over it)`;
}

/**
 * commander's refusal of a variable's value that is not one of the flag's choices, said as ours
 * ("ONNX_BATCH_ON_ERROR (environment) must be one of fail, skip; got "bogus""); undefined for other messages.
 */
export function variableChoiceError(commanderMessage: string): { readonly message: string; readonly hint: string } | undefined {
  const match = /^option '[^']*' value '(.*)' from env '(\w+)' is invalid\. Allowed choices are (.*)\.$/s.exec(commanderMessage);
  if (match === null) return undefined;
  const [, value, variable, choices] = match as unknown as [string, string, string, string];
  return { message: `${variable} (environment) must be one of ${choices}; got ${JSON.stringify(value)}`, hint: variableHint([variable]) };
}
