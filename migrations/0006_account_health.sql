CREATE TABLE "account_closure" (
	"ancestor_id" bigint NOT NULL,
	"descendant_id" bigint NOT NULL,
	"depth" smallint NOT NULL,
	"directory_id" bigint NOT NULL,
	CONSTRAINT "account_closure_ancestor_id_descendant_id_pk" PRIMARY KEY("ancestor_id","descendant_id")
);
--> statement-breakpoint
CREATE TABLE "account_health" (
	"account_id" bigint NOT NULL,
	"scope" text NOT NULL,
	"directory_id" bigint NOT NULL,
	"responses" integer DEFAULT 0 NOT NULL,
	"responses_prev" integer DEFAULT 0 NOT NULL,
	"nps_n" integer DEFAULT 0 NOT NULL,
	"promoters" integer DEFAULT 0 NOT NULL,
	"passives" integer DEFAULT 0 NOT NULL,
	"detractors" integer DEFAULT 0 NOT NULL,
	"w_total" double precision DEFAULT 0 NOT NULL,
	"w_promoters" double precision DEFAULT 0 NOT NULL,
	"w_detractors" double precision DEFAULT 0 NOT NULL,
	"prev_n" integer DEFAULT 0 NOT NULL,
	"prev_promoters" integer DEFAULT 0 NOT NULL,
	"prev_detractors" integer DEFAULT 0 NOT NULL,
	"csat_sum" double precision DEFAULT 0 NOT NULL,
	"csat_n" integer DEFAULT 0 NOT NULL,
	"key_present" integer DEFAULT 0 NOT NULL,
	"key_covered" integer DEFAULT 0 NOT NULL,
	"silent_roles" text[] DEFAULT '{}'::text[] NOT NULL,
	"invitations" integer DEFAULT 0 NOT NULL,
	"open_tickets" integer DEFAULT 0 NOT NULL,
	"last_feedback_at" timestamp with time zone,
	"last_contact_at" timestamp with time zone,
	"arr" double precision,
	"renewal_date" date,
	"key_detractor" jsonb,
	"nps" double precision,
	"weighted_nps" double precision,
	"nps_prev" double precision,
	"csat" double precision,
	"coverage" double precision,
	"response_rate" double precision,
	"health" double precision,
	"band" text DEFAULT 'insufficient' NOT NULL,
	"risk" text DEFAULT 'unknown' NOT NULL,
	"risk_rank" smallint DEFAULT 3 NOT NULL,
	"components" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_health_account_id_scope_pk" PRIMARY KEY("account_id","scope")
);
--> statement-breakpoint
CREATE TABLE "account_health_daily" (
	"account_id" bigint NOT NULL,
	"scope" text NOT NULL,
	"day" date NOT NULL,
	"directory_id" bigint NOT NULL,
	"health" double precision,
	"nps" double precision,
	"risk" text NOT NULL,
	CONSTRAINT "account_health_daily_account_id_scope_day_pk" PRIMARY KEY("account_id","scope","day")
);
--> statement-breakpoint
CREATE TABLE "health_cursor" (
	"id" integer PRIMARY KEY NOT NULL,
	"last_event_id" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "health_settings" (
	"directory_id" bigint PRIMARY KEY NOT NULL,
	"model" jsonb NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "health_settings" ADD CONSTRAINT "health_settings_directory_id_directories_id_fk" FOREIGN KEY ("directory_id") REFERENCES "public"."directories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "account_closure_descendant_idx" ON "account_closure" USING btree ("descendant_id");--> statement-breakpoint
CREATE INDEX "account_health_rank_idx" ON "account_health" USING btree ("directory_id","scope","risk_rank","health","account_id");--> statement-breakpoint
CREATE INDEX "account_health_daily_day_idx" ON "account_health_daily" USING btree ("directory_id","scope","day");