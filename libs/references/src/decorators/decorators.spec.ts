import { describe, expect, it } from '@jest/globals';
import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { Type, plainToInstance } from 'class-transformer';
import { IsOptional, IsString, MaxLength, ValidateNested, validate } from 'class-validator';
import { InlineReference } from './inline-reference.decorator.js';
import { ReferenceByLink } from './reference-by-link.decorator.js';
import { ReferencesMetadataAccessor } from './references-metadata.accessor.js';

class Dto {
  @IsString() title: string;
  @ReferenceByLink() @MaxLength(40) @IsOptional() homepage?: string;
  @ReferenceByLink({ onDelete: 'detach' }) @IsOptional() related?: string[];
  @InlineReference({ onDelete: 'restrict', fields: ['title'] }) @IsOptional() stylePeriod?: object;
  @InlineReference({ create: { target: () => Object } }) @IsOptional() styles?: object[];
}

async function messages(plain: object): Promise<string[]> {
  const errors = await validate(plainToInstance(Dto, plain));
  return errors.flatMap((e) => Object.values(e.constraints ?? {}));
}

describe('reference decorators as class-validator rules', () => {
  it('accept valid references', async () => {
    expect(
      await messages({
        title: 't',
        homepage: 'https://a.example/x',
        related: ['http://a.example/1'],
        stylePeriod: { links: { self: 'http://a.example/terms/1' } },
        styles: [{ title: 'to be created' }],
      }),
    ).toEqual([]);
  });

  it('name the property of a bad link', async () => {
    expect(await messages({ title: 't', homepage: 'ftp://x' })).toEqual([
      'homepage must be an absolute http(s) URL of at most 2048 bytes',
    ]);
  });

  it('name each element of a bad array', async () => {
    expect(await messages({ title: 't', related: ['http://ok.example', 'nope'] })).toEqual([
      'each value in related must be an absolute http(s) URL of at most 2048 bytes',
    ]);
  });

  it('compose with other validators', async () => {
    expect(await messages({ title: 't', homepage: `https://a.example/${'x'.repeat(40)}` })).toEqual([
      'homepage must be shorter than or equal to 40 characters',
    ]);
  });

  it('require links.self in an inline object unless it may be created', async () => {
    expect(await messages({ title: 't', stylePeriod: { title: 'no link' } })).toEqual([
      'stylePeriod must be an object whose links.self is an absolute http(s) URL of at most 2048 bytes',
    ]);
  });

  it('record their options for the library', () => {
    const fields = ReferencesMetadataAccessor.getFields(Dto);
    expect(fields.map((f) => [f.propertyKey, f.kind, f.onDelete])).toEqual([
      ['homepage', 'link', 'keep'],
      ['related', 'link', 'detach'],
      ['stylePeriod', 'inline', 'restrict'],
      ['styles', 'inline', 'keep'],
    ]);
    expect(fields[2].fields).toEqual(['title']);
    expect(fields[2].depth).toBe(2);
  });
});

class Credit {
  @IsString() role: string;
  @InlineReference() agent: object;
  @ReferenceByLink() @IsOptional() sources?: string[][];
}

class Work {
  @ValidateNested({ each: true }) @Type(() => Credit) creators: Credit[];
}

/** What Nest's ValidationPipe answers for a body. */
async function pipeMessages(body: object): Promise<string[]> {
  try {
    await new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }).transform(body, { type: 'body', metatype: Work });
    return [];
  } catch (error) {
    return ((error as BadRequestException).getResponse() as { message: string[] }).message;
  }
}

describe('reference decorators on nested DTOs', () => {
  const ok = { role: 'author', agent: { links: { self: 'http://a.example/agents/1' } } };

  it('accept valid nested references, lists of lists included', async () => {
    expect(await pipeMessages({ creators: [ok, { ...ok, sources: [['http://a.example/s/1'], []] }] })).toEqual([]);
  });

  it('name the full path of a bad link inside a nested copy, down to links.self', async () => {
    expect(await pipeMessages({ creators: [ok, ok, { role: 'x', agent: { links: { self: 'not a url' } } }] })).toEqual([
      'creators.2.agent.links.self must be an absolute http(s) URL of at most 2048 bytes',
    ]);
  });

  it('name the full path of a nested copy without a link', async () => {
    expect(await pipeMessages({ creators: [{ role: 'x', agent: { title: 'no link' } }] })).toEqual([
      'creators.0.agent must be an object whose links.self is an absolute http(s) URL of at most 2048 bytes',
    ]);
  });

  it('check each element of an inner list', async () => {
    expect(await pipeMessages({ creators: [{ ...ok, sources: [['http://a.example/s/1'], ['http://a.example/s/2', 'nope']] }] })).toEqual([
      'creators.0.each value in sources must be an absolute http(s) URL of at most 2048 bytes',
    ]);
  });
});

@InlineReference()
class Term {
  @IsString() @IsOptional() title?: string;
}

class Classified {
  @ValidateNested() @Type(() => Term) term: Term;
}

describe('an inline reference type (@InlineReference() on a class)', () => {
  const check = async (body: object) => {
    try {
      await new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }).transform(body, { type: 'body', metatype: Classified });
      return [];
    } catch (error) {
      return ((error as BadRequestException).getResponse() as { message: string[] }).message;
    }
  };

  it('accepts a copy sent as its link alone', async () => {
    expect(await check({ term: { links: { self: 'http://a.example/terms/1' } } })).toEqual([]);
  });

  it("validates the copy's link, naming it by its full path", async () => {
    expect(await check({ term: { title: 't', links: { self: 'ftp://a.example/terms/1' } } })).toEqual([
      'term.links.self must be an absolute http(s) URL of at most 2048 bytes',
    ]);
    expect(await check({ term: { title: 't' } })).toEqual(['term.links.self must be an absolute http(s) URL of at most 2048 bytes']);
  });
});

describe('reference decorators in the OpenAPI document', () => {
  class Required {
    @ReferenceByLink() homepage: string;
    @InlineReference() styles: object[];
  }
  // @nestjs/swagger's metadata of a property, as SwaggerModule reads it when it builds the document.
  const openApi = (dto: object, key: string) => Reflect.getMetadata('swagger/apiModelProperties', dto, key);

  it('are optional exactly when @IsOptional() is on the property too', () => {
    expect(['homepage', 'related', 'stylePeriod', 'styles'].map((key) => openApi(Dto.prototype, key).required)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(openApi(Required.prototype, 'homepage').required).toBe(true);
    expect(openApi(Required.prototype, 'styles').required).toBe(true);
  });

  it('describe an array as an array, with an array as its example', () => {
    expect(openApi(Dto.prototype, 'styles')).toMatchObject({ type: 'array', items: { type: 'object' }, example: [expect.any(Object)] });
    expect(openApi(Dto.prototype, 'related')).toMatchObject({ isArray: true, example: [expect.any(String)] });
    expect(openApi(Dto.prototype, 'stylePeriod')).toMatchObject({ type: 'object', example: { links: { self: expect.any(String) } } });
  });
});
