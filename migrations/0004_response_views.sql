ALTER TABLE "responses" ADD COLUMN "csat_satisfied" boolean;--> statement-breakpoint
ALTER TABLE "responses" ADD COLUMN "external_ref" text;--> statement-breakpoint
CREATE UNIQUE INDEX "responses_external_ref_idx" ON "responses" USING btree ("survey_id","external_ref") WHERE "responses"."external_ref" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "responses_sf_contact_idx" ON "responses" USING btree (("embedded" ->> 'sfContactId'));--> statement-breakpoint
CREATE INDEX "responses_sf_account_idx" ON "responses" USING btree (("embedded" ->> 'sfAccountId'));--> statement-breakpoint
CREATE INDEX "responses_sf_lead_idx" ON "responses" USING btree (("embedded" ->> 'sfLeadId'));