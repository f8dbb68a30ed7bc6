CREATE TABLE `partition_runs` (
	`execution_id` text PRIMARY KEY NOT NULL,
	`capture_id` text,
	`trigger` text NOT NULL,
	`attempt` integer NOT NULL,
	`status` text NOT NULL,
	`counts` text,
	`error` text,
	`started_at` text NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE TABLE `partition_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`pipeline` text NOT NULL,
	`partition_key` text NOT NULL,
	`status` text NOT NULL,
	`stage` text NOT NULL,
	`capture_id` text,
	`execution_id` text,
	`row_count` integer,
	`counts` text,
	`attempts` integer NOT NULL,
	`retry_count` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`started_at` text,
	`finished_at` text,
	`next_retry_at` text,
	`last_result` text,
	`updated_at` text NOT NULL
);
