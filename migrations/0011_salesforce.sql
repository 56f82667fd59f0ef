CREATE TABLE "salesforce_connections" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "salesforce_connections_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"auth_kind" text NOT NULL,
	"login_url" text NOT NULL,
	"client_id" text NOT NULL,
	"client_secret_sealed" text,
	"jwt_username" text,
	"private_key_sealed" text,
	"instance_url" text,
	"access_token_sealed" text,
	"refresh_token_sealed" text,
	"api_version" text DEFAULT '62.0' NOT NULL,
	"org_id" text,
	"user_id" text,
	"username" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"last_error" text,
	"last_tested_at" timestamp with time zone,
	"api_usage" jsonb,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "salesforce_lead_forms" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "salesforce_lead_forms_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"directory_id" bigint NOT NULL,
	"connection_id" bigint,
	"name" text NOT NULL,
	"mode" text NOT NULL,
	"form_url" text,
	"fields" jsonb NOT NULL,
	"condition" text,
	"daily_limit" integer DEFAULT 500 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "salesforce_lead_submissions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "salesforce_lead_submissions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"form_id" bigint NOT NULL,
	"org_id" text NOT NULL,
	"source_key" text NOT NULL,
	"mode" text NOT NULL,
	"status" text NOT NULL,
	"lead_id" text,
	"message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "salesforce_oauth_states" (
	"state_hash" text PRIMARY KEY NOT NULL,
	"connection_id" bigint NOT NULL,
	"code_verifier_sealed" text NOT NULL,
	"redirect_uri" text NOT NULL,
	"created_by" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "salesforce_outbound_notifications" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "salesforce_outbound_notifications_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"trigger_id" bigint NOT NULL,
	"notification_id" text NOT NULL,
	"object" text NOT NULL,
	"record_id" text,
	"fields" jsonb NOT NULL,
	"deliveries" integer DEFAULT 1 NOT NULL,
	"outcome" text NOT NULL,
	"distribution_id" bigint,
	"detail" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_delivery_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "salesforce_outbound_triggers" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "salesforce_outbound_triggers_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"directory_id" bigint NOT NULL,
	"connection_id" bigint,
	"name" text NOT NULL,
	"object" text NOT NULL,
	"secret_sealed" text NOT NULL,
	"action" jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"last_received_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "salesforce_sync_records" (
	"sync_id" bigint NOT NULL,
	"object" text NOT NULL,
	"sf_id" text NOT NULL,
	"data" jsonb,
	CONSTRAINT "salesforce_sync_records_sync_id_object_sf_id_pk" PRIMARY KEY("sync_id","object","sf_id")
);
--> statement-breakpoint
CREATE TABLE "salesforce_sync_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "salesforce_sync_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"sync_id" bigint NOT NULL,
	"directory_id" bigint NOT NULL,
	"mode" text NOT NULL,
	"trigger" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"import_run_id" bigint,
	"extracted" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"api_calls" integer DEFAULT 0 NOT NULL,
	"api_usage" jsonb,
	"cursor_before" jsonb,
	"cursor_after" jsonb,
	"reconciled" boolean DEFAULT false NOT NULL,
	"error" text,
	"timings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "salesforce_syncs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "salesforce_syncs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"directory_id" bigint NOT NULL,
	"connection_id" bigint,
	"objects" jsonb NOT NULL,
	"mapping" jsonb,
	"mailing_list" text,
	"schedule_cron" text DEFAULT '0 2 * * *' NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"next_run_at" timestamp with time zone,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"cursor" jsonb,
	"last_reconcile_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "salesforce_writeback_ledger" (
	"writeback_id" bigint NOT NULL,
	"source_key" text NOT NULL,
	"state" text NOT NULL,
	"sf_id" text,
	"run_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "salesforce_writeback_ledger_writeback_id_source_key_pk" PRIMARY KEY("writeback_id","source_key")
);
--> statement-breakpoint
CREATE TABLE "salesforce_writeback_results" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "salesforce_writeback_results_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" bigint NOT NULL,
	"source_key" text NOT NULL,
	"outcome" text NOT NULL,
	"sf_id" text,
	"error_code" text,
	"message" text
);
--> statement-breakpoint
CREATE TABLE "salesforce_writeback_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "salesforce_writeback_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"writeback_id" bigint NOT NULL,
	"source" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"method" text,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"created_by" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "salesforce_writebacks" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "salesforce_writebacks_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"directory_id" bigint NOT NULL,
	"connection_id" bigint,
	"name" text NOT NULL,
	"object" text NOT NULL,
	"operation" text NOT NULL,
	"external_id_field" text,
	"record_id" text,
	"fields" jsonb NOT NULL,
	"condition" text,
	"bulk_threshold" integer DEFAULT 2000 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "salesforce_lead_forms" ADD CONSTRAINT "salesforce_lead_forms_directory_id_directories_id_fk" FOREIGN KEY ("directory_id") REFERENCES "public"."directories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "salesforce_lead_forms" ADD CONSTRAINT "salesforce_lead_forms_connection_id_salesforce_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."salesforce_connections"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "salesforce_lead_submissions" ADD CONSTRAINT "salesforce_lead_submissions_form_id_salesforce_lead_forms_id_fk" FOREIGN KEY ("form_id") REFERENCES "public"."salesforce_lead_forms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "salesforce_oauth_states" ADD CONSTRAINT "salesforce_oauth_states_connection_id_salesforce_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."salesforce_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "salesforce_outbound_notifications" ADD CONSTRAINT "salesforce_outbound_notifications_trigger_id_salesforce_outbound_triggers_id_fk" FOREIGN KEY ("trigger_id") REFERENCES "public"."salesforce_outbound_triggers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "salesforce_outbound_triggers" ADD CONSTRAINT "salesforce_outbound_triggers_directory_id_directories_id_fk" FOREIGN KEY ("directory_id") REFERENCES "public"."directories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "salesforce_outbound_triggers" ADD CONSTRAINT "salesforce_outbound_triggers_connection_id_salesforce_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."salesforce_connections"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "salesforce_sync_runs" ADD CONSTRAINT "salesforce_sync_runs_sync_id_salesforce_syncs_id_fk" FOREIGN KEY ("sync_id") REFERENCES "public"."salesforce_syncs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "salesforce_syncs" ADD CONSTRAINT "salesforce_syncs_directory_id_directories_id_fk" FOREIGN KEY ("directory_id") REFERENCES "public"."directories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "salesforce_syncs" ADD CONSTRAINT "salesforce_syncs_connection_id_salesforce_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."salesforce_connections"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "salesforce_writeback_ledger" ADD CONSTRAINT "salesforce_writeback_ledger_writeback_id_salesforce_writebacks_id_fk" FOREIGN KEY ("writeback_id") REFERENCES "public"."salesforce_writebacks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "salesforce_writeback_results" ADD CONSTRAINT "salesforce_writeback_results_run_id_salesforce_writeback_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."salesforce_writeback_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "salesforce_writeback_runs" ADD CONSTRAINT "salesforce_writeback_runs_writeback_id_salesforce_writebacks_id_fk" FOREIGN KEY ("writeback_id") REFERENCES "public"."salesforce_writebacks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "salesforce_writebacks" ADD CONSTRAINT "salesforce_writebacks_directory_id_directories_id_fk" FOREIGN KEY ("directory_id") REFERENCES "public"."directories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "salesforce_writebacks" ADD CONSTRAINT "salesforce_writebacks_connection_id_salesforce_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."salesforce_connections"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "salesforce_lead_submissions_source_idx" ON "salesforce_lead_submissions" USING btree ("form_id","source_key");--> statement-breakpoint
CREATE INDEX "salesforce_lead_submissions_org_idx" ON "salesforce_lead_submissions" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "salesforce_outbound_notifications_idx" ON "salesforce_outbound_notifications" USING btree ("trigger_id","notification_id");--> statement-breakpoint
CREATE INDEX "salesforce_outbound_notifications_recent_idx" ON "salesforce_outbound_notifications" USING btree ("trigger_id","id");--> statement-breakpoint
CREATE INDEX "salesforce_sync_runs_sync_idx" ON "salesforce_sync_runs" USING btree ("sync_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "salesforce_syncs_directory_idx" ON "salesforce_syncs" USING btree ("directory_id");--> statement-breakpoint
CREATE INDEX "salesforce_syncs_due_idx" ON "salesforce_syncs" USING btree ("next_run_at") WHERE "salesforce_syncs"."enabled";--> statement-breakpoint
CREATE INDEX "salesforce_writeback_results_run_idx" ON "salesforce_writeback_results" USING btree ("run_id","id");--> statement-breakpoint
CREATE INDEX "salesforce_writeback_runs_idx" ON "salesforce_writeback_runs" USING btree ("writeback_id","id");