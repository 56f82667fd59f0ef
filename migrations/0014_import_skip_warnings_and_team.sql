ALTER TABLE "account_team_members" ADD COLUMN "source_hash" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "source_warnings" text[];--> statement-breakpoint
-- Room on each page for a changed row's new version: an import that changes fields no index
-- covers (title, flags, attributes) then updates in place, without touching the five indexes.
ALTER TABLE "contacts" SET (fillfactor = 90);
