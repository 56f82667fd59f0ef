import { salesforceSyncJobs } from './sync/sync.jobs.ts';
import { salesforceWritebackJobs } from './writeback/writeback.jobs.ts';

export const salesforceJobs = [...salesforceSyncJobs, ...salesforceWritebackJobs];
