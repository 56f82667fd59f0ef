ALTER TABLE "mailing_lists" ADD COLUMN "member_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE "mailing_lists" l SET "member_count" = (SELECT count(*) FROM "mailing_list_members" m WHERE m."mailing_list_id" = l."id");
