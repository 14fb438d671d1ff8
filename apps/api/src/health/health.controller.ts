import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiSuccess, HealthData } from '@cliprelay/contract';
import type { Response } from 'express';
import { Public } from '../common/request.ts';
import { HealthService } from './health.service.ts';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: HealthService) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness and database readiness (503 when the database does not answer)' })
  async health(@Res({ passthrough: true }) res: Response): Promise<ApiSuccess<HealthData>> {
    const data = await this.readiness.check();
    if (data.status !== 'ok') res.status(503);
    return { success: true, data };
  }
}
