import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/**
 * A required, non-empty string of at most `maxLength` characters, validated and described in the OpenAPI
 * document alike (with `example`).
 */
export function RequiredText(maxLength: number, example: string): PropertyDecorator {
  // NOTE: in the order the stacked decorators ran (bottom first), so that validation reports in the same order.
  return applyDecorators(MaxLength(maxLength), IsNotEmpty(), IsString(), ApiProperty({ example, minLength: 1, maxLength }));
}
