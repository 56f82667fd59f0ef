import type { RouteModule } from '../platform/http/types.ts';
import { salesforceConnectionRoutes } from './connections/connections.routes.ts';
import { salesforceOutboundRoutes } from './outbound/outbound.routes.ts';
import { salesforceOrgLookupRoutes } from './sync/org-lookups.routes.ts';
import { salesforceSyncRoutes } from './sync/sync.routes.ts';
import { salesforceWritebackRoutes } from './writeback/writeback.routes.ts';

/** The Salesforce connector: connections, directory sync, Outbound Message triggers, write-back, Web-to-Lead. */
export const salesforceRoutes: RouteModule = async (app, deps) => {
  await salesforceConnectionRoutes(app, deps);
  await salesforceSyncRoutes(app, deps);
  await salesforceOrgLookupRoutes(app, deps);
  await salesforceOutboundRoutes(app, deps);
  await salesforceWritebackRoutes(app, deps);
};
