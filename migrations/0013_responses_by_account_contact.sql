DROP INDEX "responses_account_idx";--> statement-breakpoint
CREATE INDEX "responses_account_contact_idx" ON "responses" USING btree ("account_id","contact_id","completed_at");