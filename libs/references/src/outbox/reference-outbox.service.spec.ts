import { describe, expect, it } from '@jest/globals';
import { IsNull, Not } from 'typeorm';
import { coalescedBy } from './reference-outbox.service.js';

const T = 'http://catalogue.test/terms/1';

describe('coalescedBy: which pending changes a run covers', () => {
  it('a change of a target content covers every other pending change of that target, later ones too', () => {
    expect(coalescedBy({ id: 7, kind: 'content', reference: T, version: null, fields: null })).toEqual({
      kind: 'content',
      reference: T,
      status: 'pending',
      version: IsNull(),
      id: Not(7),
    });
  });

  it('a change of some fields covers only the pending changes of the same fields', () => {
    const fields = '["artworks category"]';
    expect(coalescedBy({ id: 7, kind: 'content', reference: T, version: null, fields })).toEqual({
      kind: 'content',
      reference: T,
      status: 'pending',
      version: IsNull(),
      id: Not(7),
      fields,
    });
  });

  it('a slice of a change covers nothing else: its version pins the change it belongs to', () => {
    expect(coalescedBy({ id: 8, kind: 'content', reference: T, version: 7, fields: null })).toBeUndefined();
  });

  it('a rename and a detach cover nothing else: each must run for itself', () => {
    expect(coalescedBy({ id: 9, kind: 'rename', reference: T, version: null, fields: null })).toBeUndefined();
    expect(coalescedBy({ id: 10, kind: 'detach', reference: T, version: null, fields: null })).toBeUndefined();
  });
});
