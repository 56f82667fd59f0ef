CREATE TYPE "public"."attribute_type" AS ENUM('integer', 'decimal', 'string', 'enum', 'datetime', 'boolean');--> statement-breakpoint
CREATE TYPE "public"."client_role" AS ENUM('DECISION_MAKER', 'INFLUENCER', 'PROCUREMENT_FINANCE_PERSON', 'PROGRAM_MANAGER', 'EXECUTIVE_SPONSOR', 'END_USER', 'ACCOUNT_MEMBER');--> statement-breakpoint
CREATE TYPE "public"."directory_entity" AS ENUM('contact', 'account');--> statement-breakpoint
CREATE TYPE "public"."team_role" AS ENUM('ACCOUNT_EXECUTIVE', 'ACCOUNT_OWNER', 'CUSTOMER_SUCCESS_MANAGER', 'TECHNICAL_SALES_PROFESSIONAL', 'SALES_ENGINEER', 'CUSTOMER_SUPPORT_PROFESSIONAL', 'OTHER_ACCOUNT_TEAM_MEMBER');--> statement-breakpoint
CREATE TYPE "public"."import_status" AS ENUM('queued', 'running', 'succeeded', 'failed');--> statement-breakpoint
CREATE TYPE "public"."import_issue_severity" AS ENUM('error', 'warning');--> statement-breakpoint
CREATE TABLE "account_contact_roles" (
	"account_id" bigint NOT NULL,
	"contact_id" bigint NOT NULL,
	"role" "client_role" NOT NULL,
	"directory_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"run_id" bigint,
	CONSTRAINT "account_contact_roles_account_id_contact_id_role_pk" PRIMARY KEY("account_id","contact_id","role")
);
--> statement-breakpoint
CREATE TABLE "account_team_members" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "account_team_members_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"directory_id" bigint NOT NULL,
	"account_id" bigint NOT NULL,
	"user_email" text NOT NULL,
	"role" "team_role" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"run_id" bigint
);
--> statement-breakpoint
CREATE TABLE "accounts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "accounts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"directory_id" bigint NOT NULL,
	"external_ref" text NOT NULL,
	"display_name" text NOT NULL,
	"parent_external_ref" text,
	"parent_id" bigint,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"row_hash" text,
	"source_hash" text,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_run_id" bigint,
	"updated_run_id" bigint
);
--> statement-breakpoint
CREATE TABLE "attribute_definitions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "attribute_definitions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"directory_id" bigint NOT NULL,
	"entity" "directory_entity" NOT NULL,
	"name" text NOT NULL,
	"type" "attribute_type" NOT NULL,
	"enum_values" text[],
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attribute_history" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "attribute_history_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"directory_id" bigint NOT NULL,
	"entity" "directory_entity" NOT NULL,
	"entity_id" bigint NOT NULL,
	"field" text NOT NULL,
	"old_value" jsonb,
	"new_value" jsonb,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"source" text NOT NULL,
	"run_id" bigint
);
--> statement-breakpoint
CREATE TABLE "contact_merges" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "contact_merges_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"directory_id" bigint NOT NULL,
	"survivor_id" bigint NOT NULL,
	"merged_id" bigint NOT NULL,
	"matched_on" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	"merged_at" timestamp with time zone DEFAULT now() NOT NULL,
	"merged_by" text NOT NULL,
	"reverted_at" timestamp with time zone,
	"reverted_by" text
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "contacts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"directory_id" bigint NOT NULL,
	"external_ref" text,
	"first_name" text,
	"last_name" text,
	"email" text,
	"phone" text,
	"mobile_phone" text,
	"language" text,
	"title" text,
	"email_opt_out" boolean DEFAULT false NOT NULL,
	"sms_opt_out" boolean DEFAULT false NOT NULL,
	"do_not_call" boolean DEFAULT false NOT NULL,
	"fax_opt_out" boolean DEFAULT false NOT NULL,
	"email_bounced" boolean DEFAULT false NOT NULL,
	"email_bounced_reason" text,
	"consent" boolean,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"row_hash" text,
	"source_hash" text,
	"deleted_at" timestamp with time zone,
	"merged_into_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_run_id" bigint,
	"updated_run_id" bigint
);
--> statement-breakpoint
CREATE TABLE "directories" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "directories_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"dedup_keys" text[] DEFAULT '{external_ref,email}'::text[] NOT NULL,
	"default_country" text,
	"import_mapping" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mailing_list_members" (
	"mailing_list_id" bigint NOT NULL,
	"contact_id" bigint NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mailing_list_members_mailing_list_id_contact_id_pk" PRIMARY KEY("mailing_list_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "mailing_lists" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "mailing_lists_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"directory_id" bigint NOT NULL,
	"name" text NOT NULL,
	"import_run_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_file_chunks" (
	"run_id" bigint NOT NULL,
	"object" text NOT NULL,
	"chunk" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "import_file_chunks_run_id_object_chunk_pk" PRIMARY KEY("run_id","object","chunk")
);
--> statement-breakpoint
CREATE TABLE "import_issues" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "import_issues_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" bigint NOT NULL,
	"severity" "import_issue_severity" NOT NULL,
	"object" text NOT NULL,
	"file" text NOT NULL,
	"line" integer,
	"field" text,
	"value" text,
	"reason" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "import_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"directory_id" bigint NOT NULL,
	"status" "import_status" DEFAULT 'queued' NOT NULL,
	"sources" jsonb NOT NULL,
	"mapping" jsonb NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"progress" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"summary" jsonb,
	"mailing_list_id" bigint,
	"error_count" integer DEFAULT 0 NOT NULL,
	"warning_count" integer DEFAULT 0 NOT NULL,
	"failure" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sftp_sources" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sftp_sources_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"directory_id" bigint NOT NULL,
	"name" text NOT NULL,
	"host" text NOT NULL,
	"port" integer DEFAULT 22 NOT NULL,
	"username" text NOT NULL,
	"auth_method" text NOT NULL,
	"secret_sealed" text NOT NULL,
	"passphrase_sealed" text,
	"host_key_fingerprint" text,
	"paths" jsonb NOT NULL,
	"archive_dir" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_tested_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "attribute_definitions" ADD CONSTRAINT "attribute_definitions_directory_id_directories_id_fk" FOREIGN KEY ("directory_id") REFERENCES "public"."directories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_merges" ADD CONSTRAINT "contact_merges_survivor_id_contacts_id_fk" FOREIGN KEY ("survivor_id") REFERENCES "public"."contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_merges" ADD CONSTRAINT "contact_merges_merged_id_contacts_id_fk" FOREIGN KEY ("merged_id") REFERENCES "public"."contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailing_lists" ADD CONSTRAINT "mailing_lists_directory_id_directories_id_fk" FOREIGN KEY ("directory_id") REFERENCES "public"."directories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_file_chunks" ADD CONSTRAINT "import_file_chunks_run_id_import_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."import_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_issues" ADD CONSTRAINT "import_issues_run_id_import_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."import_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_runs" ADD CONSTRAINT "import_runs_directory_id_directories_id_fk" FOREIGN KEY ("directory_id") REFERENCES "public"."directories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_runs" ADD CONSTRAINT "import_runs_mailing_list_id_mailing_lists_id_fk" FOREIGN KEY ("mailing_list_id") REFERENCES "public"."mailing_lists"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sftp_sources" ADD CONSTRAINT "sftp_sources_directory_id_directories_id_fk" FOREIGN KEY ("directory_id") REFERENCES "public"."directories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "account_contact_roles_contact_idx" ON "account_contact_roles" USING btree ("contact_id");--> statement-breakpoint
CREATE UNIQUE INDEX "account_team_members_unique_idx" ON "account_team_members" USING btree ("account_id","user_email","role");--> statement-breakpoint
CREATE UNIQUE INDEX "account_team_members_one_owner_idx" ON "account_team_members" USING btree ("account_id") WHERE "account_team_members"."role" = 'ACCOUNT_OWNER';--> statement-breakpoint
CREATE INDEX "account_team_members_email_idx" ON "account_team_members" USING btree ("user_email");--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_external_ref_idx" ON "accounts" USING btree ("directory_id","external_ref");--> statement-breakpoint
CREATE INDEX "accounts_parent_idx" ON "accounts" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "accounts_name_idx" ON "accounts" USING btree ("directory_id",(lower("display_name") COLLATE "C"),"id");--> statement-breakpoint
CREATE UNIQUE INDEX "attribute_definitions_name_idx" ON "attribute_definitions" USING btree ("directory_id","entity",lower("name"));--> statement-breakpoint
CREATE INDEX "attribute_history_entity_idx" ON "attribute_history" USING btree ("entity","entity_id","changed_at");--> statement-breakpoint
CREATE INDEX "contact_merges_survivor_idx" ON "contact_merges" USING btree ("survivor_id");--> statement-breakpoint
CREATE INDEX "contact_merges_merged_idx" ON "contact_merges" USING btree ("merged_id");--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_external_ref_idx" ON "contacts" USING btree ("directory_id","external_ref");--> statement-breakpoint
CREATE INDEX "contacts_email_idx" ON "contacts" USING btree ("directory_id",(lower("email") COLLATE "C"),"id");--> statement-breakpoint
CREATE INDEX "contacts_last_name_idx" ON "contacts" USING btree ("directory_id",(lower("last_name") COLLATE "C"),"id");--> statement-breakpoint
CREATE INDEX "contacts_merged_into_idx" ON "contacts" USING btree ("merged_into_id") WHERE "contacts"."merged_into_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "directories_name_lower_idx" ON "directories" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "mailing_list_members_contact_idx" ON "mailing_list_members" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "mailing_lists_directory_idx" ON "mailing_lists" USING btree ("directory_id");--> statement-breakpoint
CREATE INDEX "import_issues_run_idx" ON "import_issues" USING btree ("run_id","severity","line");--> statement-breakpoint
CREATE INDEX "import_runs_directory_idx" ON "import_runs" USING btree ("directory_id","id");--> statement-breakpoint
CREATE INDEX "sftp_sources_directory_idx" ON "sftp_sources" USING btree ("directory_id");