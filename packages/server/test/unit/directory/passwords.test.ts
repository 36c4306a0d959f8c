import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, passwordProblem, verifyAgainstDummy, verifyPassword } from '../../../src/directory/passwords.ts';

describe('passwords (argon2id)', () => {
  it('hashes with argon2id at OWASP parameters into a PHC string with a random salt', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    assert.match(a, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.notEqual(a, b);
  });

  it('verifies the right password only', async () => {
    const hash = await hashPassword('correct horse battery');
    assert.equal(await verifyPassword('correct horse battery', hash), true);
    assert.equal(await verifyPassword('Correct horse battery', hash), false);
    assert.equal(await verifyPassword('correct horse battery', 'garbage'), false);
    assert.equal(await verifyAgainstDummy('anything'), false);
  });

  it('asks for at least 8 characters', () => {
    assert.match(passwordProblem('short') ?? '', /at least 8/);
    assert.equal(passwordProblem('long enough'), undefined);
  });
});
