/**
 * The catalogs stay whole: every language has every key of the English reference, no catalog has a key the
 * code never uses, every message parses as ICU MessageFormat, and a message uses the same variables and the
 * same markup tags in every language (a translator cannot drop `{client}` or add markup).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, TYPE } from '@formatjs/icu-messageformat-parser';
import type { MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { CATALOGS, REFERENCE_LOCALE, SUPPORTED_LOCALES } from '../../../src/i18n/catalogs.ts';

const SRC = join(import.meta.dirname, '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Variables (with their kind) and tags a message uses, found in its syntax tree. */
function signature(message: string): string[] {
  const found = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const element of elements) {
      if (element.type === TYPE.argument) found.add(`{${element.value}}`);
      if (element.type === TYPE.number || element.type === TYPE.date || element.type === TYPE.time) found.add(`{${element.value}, ${TYPE[element.type]}}`);
      if (element.type === TYPE.plural || element.type === TYPE.select) {
        found.add(`{${element.value}, ${TYPE[element.type]}}`);
        for (const option of Object.values(element.options)) walk(option.value);
      }
      if (element.type === TYPE.tag) {
        found.add(`<${element.value}>`);
        walk(element.children);
      }
    }
  };
  walk(parse(message));
  return [...found].sort();
}

const reference = CATALOGS.get(REFERENCE_LOCALE)!;

describe('message catalogs', () => {
  it('ship English, German, French and Spanish, English first', () => {
    assert.deepEqual(SUPPORTED_LOCALES, ['en', 'de', 'es', 'fr']);
  });

  for (const [locale, catalog] of CATALOGS) {
    it(`${locale}: has exactly the keys of the English catalog`, () => {
      const missing = Object.keys(reference).filter((key) => !(key in catalog));
      const extra = Object.keys(catalog).filter((key) => !(key in reference));
      assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
    });

    it(`${locale}: every message parses and has the English message's variables and tags`, () => {
      const mismatched = Object.keys(reference)
        .filter((key) => key in catalog)
        .filter((key) => JSON.stringify(signature(catalog[key]!)) !== JSON.stringify(signature(reference[key]!)))
        .map((key) => `${key}: ${signature(catalog[key]!).join(' ')} vs en ${signature(reference[key]!).join(' ')}`);
      assert.deepEqual(mismatched, []);
    });
  }

  it('has no key that no source file uses (keys are written out whole, never assembled)', () => {
    const source = sourceFiles(SRC).map((file) => readFileSync(file, 'utf8')).join('\n');
    const unused = Object.keys(reference).filter((key) => !source.includes(`'${key}'`));
    assert.deepEqual(unused, []);
  });

  it('has every key the source uses', () => {
    const source = sourceFiles(SRC).map((file) => readFileSync(file, 'utf8')).join('\n');
    const used = [...source.matchAll(/'((?:page|mail)\.[a-z_]+(?:\.[a-z_]+)*)'/g)].map((m) => m[1]!);
    assert.deepEqual(used.filter((key) => !(key in reference)), []);
  });

  it('finds a variable that a translation dropped (the check itself works)', () => {
    assert.notDeepEqual(signature('Authorize {client}'), signature('Autoriser'));
    assert.notDeepEqual(signature('<strong>{user}</strong>'), signature('{user}'));
    assert.notDeepEqual(signature('{n, plural, one {# a} other {# b}}'), signature('{n}'));
  });
});
