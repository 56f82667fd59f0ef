// Every domain's tables, for the typed query layer and for drizzle-kit (see drizzle.config.ts).

export * from '../../dashboards/dashboards.schema.ts';
export * from '../../directory/directory.schema.ts';
export * from '../../distributions/distributions.schema.ts';
export * from '../../health/health.schema.ts';
export * from '../../imports/imports.files.schema.ts';
export * from '../../imports/imports.schema.ts';
export * from '../../salesforce/salesforce.schema.ts';
export * from '../../segments/segments.schema.ts';
export * from '../../surveys/surveys.schema.ts';
export * from '../../system/system.schema.ts';
export * from '../../tickets/tickets.schema.ts';
export * from '../../users/users.schema.ts';
export * from '../../workflows/workflows.schema.ts';
export * from '../events/events.schema.ts';
