import { Inject, Injectable } from '@nestjs/common';
import type { HealthData } from '@cliprelay/contract';
import type { DatabaseHandle } from '../db/database.ts';
import { DB_HANDLE } from '../db/database.module.ts';

/** How long the database may take to answer a ping before it counts as down. */
const PING_TIMEOUT_MS = 3000;

/** Liveness and readiness: the process answers, and so does its database. */
@Injectable()
export class HealthService {
  constructor(@Inject(DB_HANDLE) private readonly database: DatabaseHandle) {}

  async check(): Promise<HealthData> {
    const up = await Promise.race([
      this.database.ping().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((r) => setTimeout(r, PING_TIMEOUT_MS, false).unref()),
    ]);
    return { status: up ? 'ok' : 'unavailable', database: up ? 'up' : 'down' };
  }
}
