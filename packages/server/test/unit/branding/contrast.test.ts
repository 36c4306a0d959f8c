import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contrastRatio, relativeLuminance } from '../../../src/branding/contrast.ts';
import { brandCss } from '../../../src/branding/brand-css.ts';
import { validateBrand } from '../../../src/branding/brand.ts';

describe('WCAG contrast', () => {
  it('matches the WCAG 2 formula at known points', () => {
    assert.equal(contrastRatio('#000000', '#ffffff'), 21);
    assert.equal(contrastRatio('#fff', '#FFFFFF'), 1);
    assert.equal(relativeLuminance('#ffffff'), 1);
    // #767676 is the lightest grey that passes AA on white; #777777 just fails.
    assert.ok(contrastRatio('#767676', '#ffffff') >= 4.5);
    assert.ok(contrastRatio('#777777', '#ffffff') < 4.5);
  });
});

describe('brand CSS', () => {
  it('is only custom properties from validated values, and never contains "<"', () => {
    const css = brandCss(validateBrand({ primary_color: '#7C2D12', accent_color: '#9a3412', custom_css: ' --lk-radius:3px ;; --lk-max-width: 30rem ' }));
    assert.equal(css, ':root{--lk-primary:#7c2d12;--lk-accent:#9a3412;--lk-link:#9a3412;--lk-radius: 3px; --lk-max-width: 30rem;}@media (prefers-color-scheme:dark){:root:not([data-appearance=light]){--lk-link:#93c5fd}}');
    assert.equal(brandCss({}), '');
  });
  it('refuses every value outside the grammar, naming the property', () => {
    for (const custom_css of ['--lk-radius: 1px}body{color:red', '--lk-font-family: "x</style>"', '--lk-radius: calc(1px)', '--lk-font-family: Arial; @import url(x)', '--other: 1px', '--lk-radius: 1px /* */']) {
      assert.throws(() => validateBrand({ custom_css }), /custom_css/, custom_css);
    }
  });
});
