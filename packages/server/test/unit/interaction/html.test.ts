import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constantMarkup, html } from '../../../src/interaction/html.ts';

describe('html templates', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const evil = `"><script>alert('x')</script>&\``;
    assert.equal(
      html`<input value="${evil}"><p>${evil}</p>`.toString(),
      '<input value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#96;"><p>&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#96;</p>',
    );
  });

  it('nests templates and lists without escaping them twice, and drops empty values', () => {
    const items = ['a<b', 'c&d'].map((item) => html`<li>${item}</li>`);
    assert.equal(html`<ul>${items}</ul>${undefined}${null}${false}${0}`.toString(), '<ul><li>a&lt;b</li><li>c&amp;d</li></ul>0');
  });

  it('passes constant markup through as written', () => {
    assert.equal(html`<style>${constantMarkup('a>b{}')}</style>`.toString(), '<style>a>b{}</style>');
  });
});
