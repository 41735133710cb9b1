import { describe, expect, it } from '@jest/globals';
import { escapeHtml, html, SafeHtml } from './html.util.js';

describe('html, the only way the explorer writes markup', () => {
  it('escapes every interpolated value: markup in a record shows as text', () => {
    const title = '<img src=x onerror=alert(1)>';
    expect(html`<h1>${title}</h1>`.value).toBe('<h1>&lt;img src=x onerror=alert(1)&gt;</h1>');
  });

  it('escapes quotes, so that a value cannot leave its attribute', () => {
    expect(html`<a href="${'" onclick="alert(1)'}">`.value).toBe('<a href="&quot; onclick=&quot;alert(1)">');
    expect(escapeHtml(`'&`)).toBe('&#39;&amp;');
  });

  it('keeps markup it built itself, and joins lists', () => {
    const items = ['a<', 'b'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>`.value).toBe('<ul><li>a&lt;</li><li>b</li></ul>');
    expect(html`${new SafeHtml('<br>')}${null}${undefined}${false}${0}`.value).toBe('<br>0');
  });
});
