CREATE TYPE "public"."message_channel" AS ENUM('email', 'sms');--> statement-breakpoint
CREATE TYPE "public"."distribution_kind" AS ENUM('invitation', 'reminder', 'thank_you');--> statement-breakpoint
CREATE TYPE "public"."distribution_status" AS ENUM('draft', 'scheduled', 'building', 'sending', 'paused', 'completed', 'cancelled', 'failed');--> statement-breakpoint
CREATE TYPE "public"."recipient_status" AS ENUM('excluded', 'missing_email', 'missing_phone', 'duplicate', 'frequency_limited', 'pending', 'sending', 'sent', 'delivered', 'bounced', 'failed');--> statement-breakpoint
CREATE TABLE "delivery_providers" (
	"channel" "message_channel" PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"settings" jsonb NOT NULL,
	"secret" text,
	"rate_per_second" integer NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "distribution_recipients" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "distribution_recipients_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"distribution_id" bigint NOT NULL,
	"contact_id" bigint NOT NULL,
	"account_id" bigint,
	"role" text,
	"channel" "message_channel" NOT NULL,
	"counts_for_frequency" boolean NOT NULL,
	"address" text,
	"locale" text,
	"status" "recipient_status" NOT NULL,
	"reason" text,
	"link_token" text,
	"embedded" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"provider_message_id" text,
	"last_error" text,
	"sent_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"opened_at" timestamp with time zone,
	"bounced_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"resent_after_interruption" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "distribution_settings" (
	"directory_id" bigint PRIMARY KEY NOT NULL,
	"exclusions" jsonb NOT NULL,
	"frequency_rules" jsonb NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "distributions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "distributions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"directory_id" bigint NOT NULL,
	"survey_id" bigint NOT NULL,
	"parent_id" bigint,
	"name" text NOT NULL,
	"kind" "distribution_kind" DEFAULT 'invitation' NOT NULL,
	"channel" "message_channel" NOT NULL,
	"recipients" jsonb NOT NULL,
	"message" jsonb NOT NULL,
	"embedded" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"link_expires_in_days" integer,
	"message_hash" text NOT NULL,
	"transactional" boolean DEFAULT false NOT NULL,
	"status" "distribution_status" DEFAULT 'draft' NOT NULL,
	"scheduled_at" timestamp with time zone,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"start_job_id" text,
	"error" text,
	"created_by" text NOT NULL,
	"updated_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "message_templates" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "message_templates_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"directory_id" bigint NOT NULL,
	"name" text NOT NULL,
	"channel" "message_channel" NOT NULL,
	"kind" "distribution_kind" DEFAULT 'invitation' NOT NULL,
	"subject" text,
	"html" text,
	"text" text NOT NULL,
	"created_by" text NOT NULL,
	"updated_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox_messages" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "outbox_messages_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"channel" "message_channel" NOT NULL,
	"idempotency_key" text NOT NULL,
	"distribution_id" bigint,
	"contact_id" bigint,
	"to_address" text NOT NULL,
	"from_address" text,
	"subject" text,
	"text" text NOT NULL,
	"html" text,
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sms_conversations" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sms_conversations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"distribution_id" bigint,
	"survey_id" bigint NOT NULL,
	"survey_version" integer NOT NULL,
	"contact_id" bigint,
	"link_token" text,
	"phone" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"state" jsonb NOT NULL,
	"response_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sms_messages" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sms_messages_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"conversation_id" bigint,
	"direction" text NOT NULL,
	"phone" text NOT NULL,
	"body" text NOT NULL,
	"provider_message_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "distribution_settings" ADD CONSTRAINT "distribution_settings_directory_id_directories_id_fk" FOREIGN KEY ("directory_id") REFERENCES "public"."directories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "distributions" ADD CONSTRAINT "distributions_directory_id_directories_id_fk" FOREIGN KEY ("directory_id") REFERENCES "public"."directories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "distributions" ADD CONSTRAINT "distributions_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "public"."surveys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_templates" ADD CONSTRAINT "message_templates_directory_id_directories_id_fk" FOREIGN KEY ("directory_id") REFERENCES "public"."directories"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "distribution_recipients_contact_idx" ON "distribution_recipients" USING btree ("distribution_id","contact_id");--> statement-breakpoint
CREATE INDEX "distribution_recipients_status_idx" ON "distribution_recipients" USING btree ("distribution_id","status","id");--> statement-breakpoint
CREATE INDEX "distribution_recipients_recent_idx" ON "distribution_recipients" USING btree ("contact_id","sent_at") WHERE "distribution_recipients"."sent_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "distribution_recipients_provider_idx" ON "distribution_recipients" USING btree ("provider_message_id") WHERE "distribution_recipients"."provider_message_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "distributions_directory_idx" ON "distributions" USING btree ("directory_id","id");--> statement-breakpoint
CREATE INDEX "distributions_survey_idx" ON "distributions" USING btree ("survey_id");--> statement-breakpoint
CREATE INDEX "distributions_parent_idx" ON "distributions" USING btree ("parent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "message_templates_name_idx" ON "message_templates" USING btree ("directory_id","channel",lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_messages_key_idx" ON "outbox_messages" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "outbox_messages_to_idx" ON "outbox_messages" USING btree ("to_address","id");--> statement-breakpoint
CREATE UNIQUE INDEX "sms_conversations_active_idx" ON "sms_conversations" USING btree ("phone") WHERE "sms_conversations"."status" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "sms_conversations_recipient_idx" ON "sms_conversations" USING btree ("distribution_id","contact_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sms_messages_provider_idx" ON "sms_messages" USING btree ("provider_message_id") WHERE "sms_messages"."provider_message_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "sms_messages_phone_idx" ON "sms_messages" USING btree ("phone","id");