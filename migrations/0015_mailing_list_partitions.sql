-- Mailing list members partitioned by list. An import run's list (every contact of the file, a
-- million a day at scale) becomes a partition of its own, filled and indexed while it is new: in
-- one shared table each new list paid a tree descent per member into a contact index that grew
-- with every list kept. Other lists live in the default partition.
ALTER TABLE "mailing_list_members" RENAME TO "mailing_list_members_before_0015";--> statement-breakpoint
ALTER TABLE "mailing_list_members_before_0015" DROP CONSTRAINT "mailing_list_members_mailing_list_id_contact_id_pk";--> statement-breakpoint
DROP INDEX "mailing_list_members_contact_idx";--> statement-breakpoint
CREATE TABLE "mailing_list_members" (
	"mailing_list_id" bigint NOT NULL,
	"contact_id" bigint NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mailing_list_members_contact_id_mailing_list_id_pk" PRIMARY KEY("contact_id","mailing_list_id")
) PARTITION BY LIST ("mailing_list_id");--> statement-breakpoint
CREATE TABLE "mailing_list_members_shared" PARTITION OF "mailing_list_members" DEFAULT;--> statement-breakpoint
-- A list's members, for lists sharing the default partition (a run's partition is read whole).
CREATE INDEX "mailing_list_members_shared_list_idx" ON "mailing_list_members_shared" ("mailing_list_id", "contact_id");--> statement-breakpoint
INSERT INTO "mailing_list_members" SELECT "mailing_list_id", "contact_id", "added_at" FROM "mailing_list_members_before_0015";--> statement-breakpoint
DROP TABLE "mailing_list_members_before_0015";
