import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  MAX_VIDEO_BYTES,
  PRIVACY_LEVELS,
  type PrivacyLevel,
  type PublishInitRequest,
  SOURCE_TYPES,
  type SourceType,
  TITLE_MAX_LENGTH,
  titleLength,
} from '@cliprelay/contract';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';

/** Title limit counted in UTF-16 units, as TikTok counts (class-validator's MaxLength counts code points). */
export function MaxTitleLength(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxTitleLength',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && titleLength(value) <= TITLE_MAX_LENGTH,
        defaultMessage: () => `title must be at most ${TITLE_MAX_LENGTH} characters`,
      },
    },
    options,
  );
}

const BOOL_STRINGS = ['true', 'false'];

/**
 * Optional in the JSON sense: the field may be left out, but `null` is not a value of its type.
 * (class-validator's IsOptional also waves `null` through, which let `"video_cover_timestamp_ms":
 * null` reach TikTok as an invalid_params 500 and `"disable_comment": null` pass as "omitted".)
 */
function Omittable(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}

/** The seed's JSON body of POST /tiktok/publish/init. */
export class PublishInitDto implements PublishInitRequest {
  @ApiProperty({ description: 'Id of one of your linked TikTok accounts' })
  @IsString()
  @IsNotEmpty()
  socialAccountId: string;

  @ApiPropertyOptional({ maxLength: TITLE_MAX_LENGTH })
  @Omittable()
  @IsString()
  @MaxTitleLength()
  title?: string;

  @ApiProperty({ enum: PRIVACY_LEVELS })
  @IsIn(PRIVACY_LEVELS, { message: `privacy_level must be one of ${PRIVACY_LEVELS.join(', ')}` })
  privacy_level: PrivacyLevel;

  @ApiPropertyOptional() @Omittable() @IsBoolean() disable_comment?: boolean;
  @ApiPropertyOptional() @Omittable() @IsBoolean() disable_duet?: boolean;
  @ApiPropertyOptional() @Omittable() @IsBoolean() disable_stitch?: boolean;
  @ApiPropertyOptional() @Omittable() @IsBoolean() brand_organic_toggle?: boolean;
  @ApiPropertyOptional() @Omittable() @IsBoolean() brand_content_toggle?: boolean;
  @ApiPropertyOptional() @Omittable() @IsBoolean() is_aigc?: boolean;

  @ApiPropertyOptional()
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  video_cover_timestamp_ms?: number;

  @ApiProperty({ enum: SOURCE_TYPES })
  @IsIn(SOURCE_TYPES, { message: `source_type must be one of ${SOURCE_TYPES.join(', ')}` })
  source_type: SourceType;

  @ApiPropertyOptional({ description: 'PULL_FROM_URL: https URL under a verified prefix' })
  @ValidateIf((o: PublishInitDto) => o.source_type === 'PULL_FROM_URL' || o.video_url !== undefined)
  @IsString()
  @IsNotEmpty({ message: 'video_url is required for PULL_FROM_URL' })
  video_url?: string;

  @ApiPropertyOptional({ description: 'FILE_UPLOAD: size of the video in bytes', maximum: MAX_VIDEO_BYTES })
  @ValidateIf((o: PublishInitDto) => o.source_type === 'FILE_UPLOAD' || o.video_size !== undefined)
  @IsInt({ message: 'video_size must be a whole number of bytes (required for FILE_UPLOAD)' })
  @Min(1)
  video_size?: number;
}

/** The multipart fields of POST /tiktok/publish/upload/:socialAccountId (strings, as forms send them). */
export class UploadFieldsDto {
  @IsOptional()
  @IsString()
  @MaxTitleLength()
  title?: string;

  @IsIn(PRIVACY_LEVELS, { message: `privacy_level must be one of ${PRIVACY_LEVELS.join(', ')}` })
  privacy_level: PrivacyLevel;

  @IsOptional()
  @IsIn(BOOL_STRINGS, { message: 'disable_comment must be "true" or "false"' })
  disable_comment?: string;
  @IsOptional()
  @IsIn(BOOL_STRINGS, { message: 'disable_duet must be "true" or "false"' })
  disable_duet?: string;
  @IsOptional()
  @IsIn(BOOL_STRINGS, { message: 'disable_stitch must be "true" or "false"' })
  disable_stitch?: string;
  @IsOptional()
  @IsIn(BOOL_STRINGS, { message: 'brand_organic_toggle must be "true" or "false"' })
  brand_organic_toggle?: string;
  @IsOptional()
  @IsIn(BOOL_STRINGS, { message: 'brand_content_toggle must be "true" or "false"' })
  brand_content_toggle?: string;
  @IsOptional() @IsIn(BOOL_STRINGS, { message: 'is_aigc must be "true" or "false"' }) is_aigc?: string;

  @IsOptional()
  @IsString()
  @ValidateBy({
    name: 'msString',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && /^\d{1,9}$/.test(v),
      defaultMessage: () => 'video_cover_timestamp_ms must be a whole number of milliseconds',
    },
  })
  video_cover_timestamp_ms?: string;

  /** The file's size in bytes, sent before `file`: the relay then streams to TikTok at once. */
  @IsOptional()
  @IsString()
  @ValidateBy({
    name: 'byteCount',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && /^[1-9]\d{0,12}$/.test(v),
      defaultMessage: () => 'video_size must be the file’s size: a whole number of bytes',
    },
  })
  video_size?: string;
}

export const UPLOAD_FIELD_NAMES = [
  'title',
  'privacy_level',
  'disable_comment',
  'disable_duet',
  'disable_stitch',
  'brand_organic_toggle',
  'brand_content_toggle',
  'is_aigc',
  'video_cover_timestamp_ms',
  'video_size',
] as const;

export class MediaCreateDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxTitleLength() title: string;
  @ApiProperty({ description: 'https URL under a verified prefix' }) @IsString() @IsNotEmpty() url: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(MAX_VIDEO_BYTES) size_bytes?: number;
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsIn(['video/mp4', 'video/quicktime', 'video/webm'])
  mime_type?: string;
  @ApiPropertyOptional() @IsOptional() @Min(0) @Max(86_400) duration_sec?: number;
}
