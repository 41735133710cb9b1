import { describe, expect, it } from '@jest/globals';
import { Exclude, Expose, Type } from 'class-transformer';
import { IsOptional, IsString, ValidateNested } from 'class-validator';
import { representationRules } from './representation.util.js';

class Plain {
  @IsString() name: string;
}

class Contact {
  @IsString() phone: string;
  @Exclude() @IsString() @IsOptional() pin?: string;
}

class Person {
  @IsString() name: string;
  @Exclude() @IsString() @IsOptional() email?: string;
  @Exclude({ toPlainOnly: true }) @IsString() @IsOptional() salary?: string;
  @Exclude({ toClassOnly: true }) @IsString() @IsOptional() shown?: string;
  @Expose({ groups: ['reference'] }) @IsString() @IsOptional() city?: string;
  @Expose({ groups: ['admin'] }) @IsString() @IsOptional() notes?: string;
}

/** An allow-list: only the exposed keys travel. */
@Exclude()
class Card {
  @Expose() @IsString() name: string;
  @IsString() @IsOptional() email?: string;
}

/** No rule of its own: its nested DTO has one. */
class Holder {
  @IsString() title: string;
  @ValidateNested() @Type(() => Contact) @IsOptional() contact?: Contact;
}

describe('representationRules', () => {
  it('is undefined for a DTO without class-transformer rules and no groups: the metadata is copied as it is', () => {
    expect(representationRules(Plain)).toBeUndefined();
    expect(representationRules(Plain, ['reference'])).toBeDefined();
  });

  it('leaves out @Exclude() keys and keys exposed to other groups; keeps undeclared keys and no undefined ones', () => {
    const rules = representationRules(Person, ['reference'])!;
    const metadata = { name: 'Ada', email: 'a@x', salary: '1', shown: 'yes', city: 'London', notes: 'n', links: { self: 'u' } };
    expect(rules.apply(metadata)).toEqual({ name: 'Ada', city: 'London', links: { self: 'u' } });
    expect(Object.keys(rules.apply({ name: 'Ada' }))).toEqual(['name']);
    expect([...rules.withheld].sort()).toEqual(['email', 'notes', 'salary', 'shown']);
  });

  it('without groups, a key exposed to some groups only is withheld', () => {
    const rules = representationRules(Person)!;
    expect(rules.apply({ name: 'Ada', city: 'London' })).toEqual({ name: 'Ada' });
    expect(rules.withheld.has('city')).toBe(true);
  });

  it('keeps only the exposed keys of a DTO excluded as a whole', () => {
    expect(representationRules(Card)!.apply({ name: 'Ada', email: 'a@x', undeclared: 'not exposed' })).toEqual({ name: 'Ada' });
  });

  it('applies the rules of nested DTOs', () => {
    const rules = representationRules(Holder)!;
    expect(rules.apply({ title: 't', contact: { phone: '1', pin: '0000' } })).toEqual({ title: 't', contact: { phone: '1' } });
  });
});
