import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiSuccess, HealthData } from '@cliprelay/contract';
import type { Response } from 'express';
import { Public } from '../common/request.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { DB_HANDLE } from '../db/database.module.ts';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(DB_HANDLE) private readonly database: DatabaseHandle) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness and database readiness (503 when the database does not answer)' })
  async health(@Res({ passthrough: true }) res: Response): Promise<ApiSuccess<HealthData>> {
    const up = await Promise.race([
      this.database.ping().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((r) => setTimeout(r, 3000, false).unref()),
    ]);
    if (!up) res.status(503);
    return { success: true, data: { status: up ? 'ok' : 'unavailable', database: up ? 'up' : 'down' } };
  }
}
