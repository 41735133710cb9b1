import type { ApiPropertyOptions } from '@nestjs/swagger';
import { IS_OPTIONAL, ValidationTypes, getMetadataStorage } from 'class-validator';

// NOTE: @nestjs/swagger is an optional peer. It is loaded if the app has it, so that the reference
// decorators document their property in the app's OpenAPI document; without it they validate all the same.
const swagger = await import('@nestjs/swagger').catch(() => undefined);

/**
 * `@ApiProperty(options)` when `@nestjs/swagger` is installed, nothing otherwise; `required` follows
 * class-validator: a property with `@IsOptional()` is optional in the document as it is in the API.
 * TypeScript applies a property's decorators from the last to the first, so `@IsOptional()` must be
 * written after the reference decorator (as in every example) to be seen here.
 */
export function OpenApiProperty(options: ApiPropertyOptions): PropertyDecorator {
  return (target, propertyKey) => {
    swagger?.ApiProperty({ ...options, required: !hasIsOptional(target, propertyKey) } as ApiPropertyOptions)(target, propertyKey);
  };
}

function hasIsOptional(target: object, propertyKey: string | symbol): boolean {
  return getMetadataStorage()
    .getTargetValidationMetadatas(target.constructor, '', true, false)
    .some((rule) => rule.propertyName === propertyKey && rule.type === ValidationTypes.CONDITIONAL_VALIDATION && rule.name === IS_OPTIONAL);
}
