CREATE TABLE "send_rate_budgets" (
	"channel" "message_channel" PRIMARY KEY NOT NULL,
	"next_at" timestamp with time zone NOT NULL
);
