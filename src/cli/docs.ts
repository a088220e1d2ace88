// CLI: the README's generated reference sections (options, error codes), kept in sync by test/docs.test.ts.
import { ERRORS } from '../errors.js';
import { optionsMarkdown } from './options.js';

/** Generated README sections by marker name. */
export function generatedSections(): Readonly<Record<string, string>> {
  const errors = Object.entries(ERRORS).map(([code, entry]) => `| \`${code}\` | ${entry.exitCode} | ${entry.title} |`);
  return {
    options: optionsMarkdown(),
    errors: ['| code | exit | meaning |', '| --- | --- | --- |', ...errors].join('\n'),
  };
}

/** Replaces each `<!-- NAME:start -->...<!-- NAME:end -->` block of a Markdown text with its generated content. */
export function updateSections(markdown: string): string {
  let updated = markdown;
  for (const [name, content] of Object.entries(generatedSections())) {
    const pattern = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(\\n<!-- ${name}:end -->)`);
    updated = updated.replace(pattern, (_match, start: string, end: string) => `${start}${content}${end}`);
  }
  return updated;
}
