import type { ApiPropertyOptions } from '@nestjs/swagger';

// NOTE: @nestjs/swagger is an optional peer. It is loaded if the app has it, so that the reference
// decorators document their property in the app's OpenAPI document; without it they validate all the same.
const swagger = await import('@nestjs/swagger').catch(() => undefined);

/** `@ApiProperty(options)` when `@nestjs/swagger` is installed; nothing otherwise. */
export function OpenApiProperty(options: ApiPropertyOptions): PropertyDecorator {
  return swagger ? swagger.ApiProperty(options) : () => undefined;
}
