import { defineConfig } from 'drizzle-kit';

// `npm run db:generate -- --name <what>` writes the next migration from the schema files.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/platform/db/schema.ts',
  out: './migrations',
});
