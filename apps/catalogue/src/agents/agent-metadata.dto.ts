import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Exclude } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsOptional, MaxLength } from 'class-validator';
import { RequiredText } from '../common/required-text.decorator.js';

/** What an agent is: one artist, or a workshop (several hands under one name). */
export const AGENT_KINDS = ['person', 'workshop'] as const;

/** The metadata of an agent (an artist, a workshop): what a client sends to `POST /agents` and `PUT /agents/:id`. */
export class AgentMetadata {
  @RequiredText(500, 'Rembrandt van Rijn')
  name: string;

  @ApiProperty({ enum: AGENT_KINDS, example: 'person' })
  @IsIn(AGENT_KINDS)
  kind: (typeof AGENT_KINDS)[number];

  @ApiPropertyOptional({ type: 'integer', example: 1606, description: 'Year of birth, or of the founding of a workshop' })
  @IsOptional()
  @IsInt()
  activeFrom?: number;

  @ApiPropertyOptional({ type: 'integer', example: 1669, description: 'Year of death, or of the closing of a workshop' })
  @IsOptional()
  @IsInt()
  activeUntil?: number;

  /**
   * A private contact address: stored on the agent, shown only by `GET /agents/:id/private` (write token),
   * never in a copy of the agent (an artwork's credit), its search document or a public route.
   */
  @ApiPropertyOptional({
    format: 'email',
    example: 'studio@example.org',
    writeOnly: true,
    description: 'Private: stored, never copied into an artwork nor answered by a public route (`GET /agents/{id}/private` shows it)',
  })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  // NOTE: to plain only: the ValidationPipe (transform) builds a DTO from the body, which must keep it to store it.
  @Exclude({ toPlainOnly: true })
  email?: string;
}
