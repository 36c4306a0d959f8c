import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertPresent, parseFormBody, parseJsonBody, readBodyParams, splitScope } from '../../../src/oauth/request-params.ts';
import { OAuthError } from '../../../src/errors/oauth-error.ts';

const invalidRequest = (error: unknown) => error instanceof OAuthError && error.error === 'invalid_request' && error.status === 400;

describe('request parameters', () => {
  it('decodes form bodies strictly (+ is a space, percent-encoded UTF-8)', () => {
    const params = parseFormBody('a=1&b=hello+world&c=%C3%A9t%C3%A9&d=&e');
    assert.deepEqual([...params], [['a', '1'], ['b', 'hello world'], ['c', 'été'], ['d', ''], ['e', '']]);
  });

  it('refuses repeated parameters, naming them (RFC 6749 §3.2)', () => {
    assert.throws(() => parseFormBody('scope=a&scope=b&x=1&x=2'), (e: unknown) => invalidRequest(e) && /scope, x/.test((e as Error).message));
  });

  it('refuses malformed percent-encoding and non-UTF-8 bytes', () => {
    assert.throws(() => parseFormBody('a=%zz'), invalidRequest);
    assert.throws(() => parseFormBody('a=%ff'), invalidRequest);
  });

  it('refuses NUL characters, which PostgreSQL cannot store (regression: NUL in client_id gave a 500)', () => {
    assert.throws(() => parseFormBody('client_id=%00'), invalidRequest);
    assert.throws(() => parseJsonBody('{"client_id":"a\\u0000b"}'), invalidRequest);
  });

  it('accepts flat JSON objects of strings only', () => {
    assert.deepEqual([...parseJsonBody('{"a":"1","b":null}')], [['a', '1']]);
    assert.throws(() => parseJsonBody('[]'), invalidRequest);
    assert.throws(() => parseJsonBody('{"a":1}'), invalidRequest);
    assert.throws(() => parseJsonBody('{"a":{"b":"c"}}'), invalidRequest);
    assert.throws(() => parseJsonBody('{'), invalidRequest);
  });

  it('chooses the parser by content type and refuses others', () => {
    assert.equal(readBodyParams('application/x-www-form-urlencoded; charset=UTF-8', 'a=1', { allowJson: false }).get('a'), '1');
    assert.equal(readBodyParams('application/json', '{"a":"1"}', { allowJson: true }).get('a'), '1');
    assert.throws(() => readBodyParams('application/json', '{"a":"1"}', { allowJson: false }), invalidRequest);
    assert.throws(() => readBodyParams(undefined, '', { allowJson: true }), invalidRequest);
    assert.throws(() => readBodyParams('multipart/form-data', '', { allowJson: true }), invalidRequest);
  });

  it('lists every missing parameter at once', () => {
    assert.throws(() => assertPresent(new Map([['code', 'x']]), 'code', 'redirect_uri', 'code_verifier'), (e: unknown) => /redirect_uri, code_verifier/.test((e as Error).message));
  });

  it('splits scopes on spaces, dropping empties and duplicates', () => {
    assert.deepEqual(splitScope(' openid  email openid '), ['openid', 'email']);
    assert.deepEqual(splitScope(undefined), []);
  });
});
