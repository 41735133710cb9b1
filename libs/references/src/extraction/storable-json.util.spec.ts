import { describe, expect, it } from '@jest/globals';
import { ForbiddenKeyError, JsonTooDeepError, UnstorableNumberError, UnstorableStringError } from '../errors/references.errors.js';
import { MAX_JSON_DEPTH } from '../references.constants.js';
import { assertStorableJson } from './storable-json.util.js';

/** Arrays nested `levels` deep, built without recursion. */
function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe('assertStorableJson', () => {
  it('takes any well-formed text, emoji (surrogate pairs) and every script included', () => {
    expect(() => assertStorableJson({ title: 'Mona Lisa 🖼️ モナ・リザ Мона Лиза', tags: ['𝄞', ''], n: 1, b: null })).not.toThrow();
  });

  it(`takes ${MAX_JSON_DEPTH} levels and refuses one more, naming the path where it went too deep`, () => {
    expect(() => assertStorableJson(nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => assertStorableJson({ a: nested(MAX_JSON_DEPTH - 1) })).not.toThrow();
    expect(() => assertStorableJson({ a: nested(MAX_JSON_DEPTH) })).toThrow(
      new JsonTooDeepError(`a${'[0]'.repeat(MAX_JSON_DEPTH - 1)}`, MAX_JSON_DEPTH),
    );
  });

  it('refuses a million levels without overflowing the stack', () => {
    expect(() => assertStorableJson(nested(1_000_000))).toThrow(JsonTooDeepError);
  });

  it('refuses NUL characters and lone surrogates, high or low, in values and keys', () => {
    expect(() => assertStorableJson({ a: ['ok', 'x\u0000'] })).toThrow(
      new UnstorableStringError('a[1]', 'the string holds a NUL character (\\u0000), which cannot be stored'),
    );
    for (const lone of ['\ud800', 'a\udfff', '\udc00\ud800', 'end\ud83d']) {
      expect(() => assertStorableJson({ s: lone })).toThrow(UnstorableStringError);
    }
    expect(() => assertStorableJson({ o: { ['k\ud800']: 1 } })).toThrow(/^o\["k\\ud800"\]: the key holds a lone UTF-16 surrogate/);
  });

  it('refuses a number past the range of a double, which JSON.stringify would turn into null', () => {
    expect(() => assertStorableJson(JSON.parse('{"n":[1.5e308,-0,1e-400]}'))).not.toThrow();
    expect(() => assertStorableJson(JSON.parse('{"n":[1,-1e400]}'))).toThrow(new UnstorableNumberError('n[1]'));
  });

  it('reports the first offender in document order', () => {
    expect(() => assertStorableJson(JSON.parse('{"a":{"b":"\\u0000"},"__proto__":1}'))).toThrow(UnstorableStringError);
    expect(() => assertStorableJson(JSON.parse('{"a":{"constructor":1},"b":"\\u0000"}'))).toThrow(new ForbiddenKeyError('a.constructor', 'constructor'));
  });
});
