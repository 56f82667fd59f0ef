CREATE TABLE "segments" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "segments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"directory_id" bigint NOT NULL,
	"name" text NOT NULL,
	"entity" "directory_entity" NOT NULL,
	"rules" jsonb NOT NULL,
	"compiled_sql" text NOT NULL,
	"compiled_params" text[] NOT NULL,
	"compiled_version" integer NOT NULL,
	"created_by" text NOT NULL,
	"updated_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "segments" ADD CONSTRAINT "segments_directory_id_directories_id_fk" FOREIGN KEY ("directory_id") REFERENCES "public"."directories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "segments_name_idx" ON "segments" USING btree ("directory_id",lower("name")) WHERE "segments"."deleted_at" IS NULL;--> statement-breakpoint
CREATE INDEX "segments_directory_idx" ON "segments" USING btree ("directory_id","id");--> statement-breakpoint
-- A segment's members now: runs the member query its compiler stored (src/segments/compile.ts
-- storedQuery: one SELECT of ids, every parameter in the text[] bound as $1), so that other
-- statements (a distribution's recipient snapshot) evaluate a segment without compiling it.
-- A deleted segment still answers (a distribution scheduled to it sends as it was); a segment of
-- another directory, or none, answers no rows.
CREATE OR REPLACE FUNCTION rapport_segment_members(p_segment bigint, p_directory bigint)
RETURNS TABLE (member_id bigint, member_entity text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  s record;
BEGIN
  SELECT g.entity::text AS entity, g.compiled_sql AS query, g.compiled_params AS params INTO s
  FROM segments g WHERE g.id = p_segment AND g.directory_id = p_directory;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE 'SELECT m.id::bigint, $2::text FROM (' || s.query || ') m' USING s.params, s.entity;
END;
$$;
