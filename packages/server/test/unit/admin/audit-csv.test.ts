/** RFC 4180 quoting and the spreadsheet-formula guard of the audit CSV export. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auditCsv, csvField } from '../../../src/admin/audit-csv.ts';

describe('audit CSV', () => {
  it('quotes commas, quotes and line breaks, and writes objects as JSON', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField(null), '');
    assert.equal(csvField({ a: 1 }), '"{""a"":1}"');
  });

  it('defuses values a spreadsheet would run as formulas', () => {
    for (const formula of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx']) assert.equal(csvField(formula), `'${formula}`);
  });

  it('writes a header row and CRLF line ends', () => {
    const row = { id: 'aud_1', occurred_at: '2026-01-01T00:00:00.000Z', tenant_id: null, action: 'user.update', outcome: 'success', actor_type: 'user', actor_id: 'usr_1', target_type: 'user', target_id: 'usr_2', ip: '127.0.0.1', details: {} };
    assert.equal(auditCsv([row]), 'id,occurred_at,tenant_id,action,outcome,actor_type,actor_id,target_type,target_id,ip,details\r\naud_1,2026-01-01T00:00:00.000Z,,user.update,success,user,usr_1,user,usr_2,127.0.0.1,{}\r\n');
  });
});
