import { dashboardsRoutes } from '../dashboards/dashboards.routes.ts';
import { seedDemoFeedback } from '../demo/demo-feedback.ts';
import { directoryRoutes } from '../directory/directory.routes.ts';
import { deliveryRoutes } from '../distributions/delivery.routes.ts';
import { distributionsRoutes } from '../distributions/distributions.routes.ts';
import { distributionsJobs } from '../distributions/start.jobs.ts';
import { templatesRoutes } from '../distributions/templates.routes.ts';
import { healthJobs } from '../health/health.jobs.ts';
import { healthRoutes } from '../health/health.routes.ts';
import { importsJobs } from '../imports/imports.jobs.ts';
import { importsRoutes } from '../imports/imports.routes.ts';
import type { RouteModule } from '../platform/http/types.ts';
import type { AnyJobDefinition } from '../platform/jobs/define-job.ts';
import { salesforceJobs } from '../salesforce/salesforce.jobs.ts';
import { salesforceRoutes } from '../salesforce/salesforce.routes.ts';
import { segmentsRoutes } from '../segments/segments.routes.ts';
import { responsesTransferRoutes } from '../surveys/responses-transfer.routes.ts';
import { resultsRoutes } from '../surveys/results.routes.ts';
import { surveysRoutes } from '../surveys/surveys.routes.ts';
import { systemRoutes } from '../system/system.routes.ts';
import { ticketsJobs } from '../tickets/tickets.jobs.ts';
import { ticketsRoutes } from '../tickets/tickets.routes.ts';
import { authRoutes } from '../users/auth.routes.ts';
import { tokensRoutes } from '../users/tokens.routes.ts';
import { usersJobs } from '../users/users.jobs.ts';
import { usersRoutes } from '../users/users.routes.ts';
import { workflowsJobs } from '../workflows/workflows.jobs.ts';
import { workflowsRoutes } from '../workflows/workflows.routes.ts';

/** Every domain's HTTP routes, mounted under /api/v1. A new domain adds its module here. */
export const routeCatalog: RouteModule[] = [
  systemRoutes,
  authRoutes,
  usersRoutes,
  tokensRoutes,
  directoryRoutes,
  importsRoutes,
  surveysRoutes,
  resultsRoutes,
  responsesTransferRoutes,
  distributionsRoutes,
  deliveryRoutes,
  templatesRoutes,
  healthRoutes,
  dashboardsRoutes,
  ticketsRoutes,
  segmentsRoutes,
  salesforceRoutes,
  workflowsRoutes,
];

/** Every domain's background jobs and schedules. A new domain adds its jobs here. */
export const jobCatalog: AnyJobDefinition[] = [
  seedDemoFeedback,
  ...usersJobs,
  ...importsJobs,
  ...distributionsJobs,
  ...healthJobs,
  ...ticketsJobs,
  ...salesforceJobs,
  ...workflowsJobs,
];
