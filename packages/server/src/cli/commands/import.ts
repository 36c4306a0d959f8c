import { readFile } from 'node:fs/promises';
import { parseExportDocument } from '../../backup/format.ts';
import { importDeployment } from '../../backup/import.ts';
import { InvalidRequest } from '../../errors/oauth-error.ts';
import { parseCommandArgs, print, UsageError } from '../command.ts';
import type { Command } from '../command.ts';

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

export const importCommand: Command = {
  name: 'import',
  usage: 'latchkey import <file|-> [--json]',
  summary: 'Load a `latchkey export` into this database (same LATCHKEY_SECRET; empty database, or a tenant not here yet)',
  async run(argv, context) {
    const { values, positionals } = parseCommandArgs(argv, {}, 1);
    const path = positionals[0];
    if (!path) throw new UsageError('the export file is required (- reads standard input)');
    const text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new InvalidRequest('the file is not valid JSON');
    }
    const document = parseExportDocument(parsed);
    const ctx = await context.latchkey();
    const summary = await importDeployment(ctx, document);
    print(context.io, values.json, summary);
  },
};
